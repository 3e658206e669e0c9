"""`ceu-bot import catalog|roster|attendance`: all-or-nothing (every bad row listed by line number, status 1,
nothing written, no traceback), re-imports add nothing twice, the roster updates by e-mail."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from storage.tables import AuditLog, CatalogEntry, CreditRecord, ImportBatch, Person
from tests.cli.test_cli_run import CATALOG, ROSTER, Cli

ROSTER_NOW = ROSTER.replace("2025-01-06,2025-06-30", "2025-01-06,2025-02-28")

TABLES = (Person, CatalogEntry, CreditRecord, ImportBatch, AuditLog)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path, today="2025-03-03")
    # the shared roster's CTO Academy completion (2025-06-30) would be in the future on this day
    c.load("roster", ROSTER_NOW)
    c.load("catalog", CATALOG, "--fy", "2025")
    return c


def snapshot(cli: Cli) -> dict[str, int]:
    return {t.__name__: cli.count(t) for t in TABLES}


def refused(cli: Cli, kind: str, data: str | bytes, *extra: str) -> list[str]:
    """Import a file that must be refused; returns the problem lines. Checks that nothing was written."""
    before = snapshot(cli)
    run = cli("import", kind, cli.file(f"bad-{kind}.csv", data), *extra)
    assert run.code == 1, run.text
    assert "refused, nothing was written" in run.err
    assert snapshot(cli) == before
    lines = run.err.splitlines()
    assert lines[0].startswith("database: sqlite:///")  # every admin command names its database first
    return [line.strip() for line in lines[2:]]


def lines_of(problems: list[str]) -> list[int]:
    return [int(p.split(":")[0].removeprefix("line ")) for p in problems]


# --- attendance ------------------------------------------------------------------------------------------------

GOOD = "td@a.k12.al.us,FALL24,2024-11-05,4,\n"
HEAD = "email,activity_code,date,hours,strands\n"


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ("nobody@x.org,FALL24,2024-11-05,4,", "nobody@x.org is not on the roster"),
        (",FALL24,2024-11-05,4,", "empty e-mail is not on the roster"),
        ("td@a.k12.al.us,NOPE,2024-11-05,4,", "activity 'NOPE' is not in the FY2025 catalog"),
        ("td@a.k12.al.us,FALL24,2024-09-30,4,", "FALL24 is in the FY2025 catalog"),
        ("td@a.k12.al.us,REGION25,2025-04-10,1,", "in the future"),  # today is 2025-03-03
        ("td@a.k12.al.us,FALL24,2099-01-01,1,", "in the future"),
        ("td@a.k12.al.us,FALL24,0001-01-01,1,", "FALL24 is in the FY2025 catalog, but 0001-01-01 falls in FY1"),
        ("td@a.k12.al.us,NOPE,0001-01-01,1,", "no TD-CEU policy applies to FY1"),
        ("td@a.k12.al.us,FALL24,2024-13-05,4,", "is not a date"),
        ("td@a.k12.al.us,FALL24,,4,", "is not a date"),
        ("td@a.k12.al.us,FALL24,2024-11-05,0,", "hours must be positive"),
        ("td@a.k12.al.us,FALL24,2024-11-05,-1,", "hours must be positive"),
        ("td@a.k12.al.us,FALL24,2024-11-05,0.3,", "multiple of 0.25"),
        ("td@a.k12.al.us,FALL24,2024-11-05,,", "hours are missing"),
        ("td@a.k12.al.us,FALL24,2024-11-05,four,", "not a number"),
        ("td@a.k12.al.us,FALL24,2024-11-05,1e12,", "not a number"),
        ("old@b.k12.al.us,FALL24,2024-11-05,6.25,", "over the cap of 6"),
        ("td@a.k12.al.us,FALL24,2024-11-04,1,", "not the day of FALL24, which took place on 2024-11-05"),
        ("td@a.k12.al.us,FALL24,2024-11-06,1,", "not the day of FALL24, which took place on 2024-11-05"),
        ("td@a.k12.al.us,EXT-AASA-AI-2025,2025-01-29,1,", "which took place from 2025-01-30 to 2025-01-31"),
        ("td@a.k12.al.us,EXT-AASA-AI-2025,2025-02-01,1,", "not during EXT-AASA-AI-2025"),
        ("td@a.k12.al.us,TALENT-DATA,2025-01-05,1,", "exactly 1.5 hours"),
        ("td@a.k12.al.us,EXT-ERATE-BOOTCAMP,2025-01-05,2,", "exactly 3 hours"),
        ("td@a.k12.al.us,EXT-COSN-CTO-WORKSHOP,2025-01-05,2,", "exactly 1 hour, not 2"),
        ("td@a.k12.al.us,FALL24,2024-11-05,1,9", "strand 9 is not one of"),
        ("td@a.k12.al.us,FALL24,2024-11-05,1,0", "strand 0 is not one of"),
        ("td@a.k12.al.us,FALL24,2024-11-05,1,;", "no strand given"),
        ("td@a.k12.al.us,FALL24,2024-11-05,1,five", "strand 'five' is not a strand number or name"),
        ("td@a.k12.al.us,EXT-LATE,2025-01-14,1,", "counts only on or after 2025-01-15"),
        ("td@a.k12.al.us,FALL24,2024-11-05,4,,extra", "more fields than the header has"),
    ],
)
def test_one_bad_attendance_row_refuses_the_file(cli: Cli, row: str, says: str) -> None:
    problems = refused(
        cli,
        "attendance",
        HEAD + GOOD + row + "\n" + GOOD.replace("FALL24", "CAMP25").replace("2024-11-05", "2025-02-20"),
    )
    assert lines_of(problems) == [3]
    assert says in problems[0], problems


def test_a_date_outside_the_activitys_fy(tmp_path: Path) -> None:
    cli = Cli(tmp_path, today="2026-11-23")
    cli.seed()
    problems = refused(cli, "attendance", HEAD + "td@a.k12.al.us,FALL24,2025-11-05,4,\n")
    assert problems == [
        "line 2: FALL24 is in the FY2025 catalog, but 2025-11-05 falls in FY2026 (2025-10-01 to 2026-09-30)"
    ]


def test_every_bad_row_is_listed_by_line_number(cli: Cli) -> None:
    rows = [
        GOOD,  # 2 good
        "nobody@x.org,FALL24,2024-11-05,4,\n",  # 3
        "\n",  # 4 blank: skipped
        "td@a.k12.al.us,NOPE,2024-11-05,4,\n",  # 5
        "td@a.k12.al.us,CAMP25,2025-02-20,7,\n",  # 6
        "old@b.k12.al.us,CAMP25,2025-02-20,2,5\n",  # 7 good
        "td@a.k12.al.us,CAMP25,2025-02-20,0.3,\n",  # 8
        "td@a.k12.al.us,CAMP25,2025-02-21,1,9\n",  # 9
        GOOD,  # 10 repeats line 2
    ]
    problems = refused(cli, "attendance", HEAD + "".join(rows))
    assert lines_of(problems) == [3, 5, 6, 8, 9, 10]
    assert "repeats line 2" in problems[-1]


def test_same_person_activity_day_with_other_hours_is_refused(cli: Cli) -> None:
    cli.load("attendance", HEAD + GOOD)
    problems = refused(cli, "attendance", HEAD + "td@a.k12.al.us,FALL24,2024-11-05,2,\n")
    assert "already has 4 hours of FALL24 on 2024-11-05 from an earlier import" in problems[0]


def test_cap_counts_hours_already_recorded(cli: Cli) -> None:
    # an undated external event (ISTE, up to 6 hours) attended on two days: the cap covers both
    cli.load("attendance", HEAD + "td@a.k12.al.us,EXT-ISTE,2024-12-01,4,\n")
    problems = refused(cli, "attendance", HEAD + "td@a.k12.al.us,EXT-ISTE,2024-12-02,2.25,\n")
    assert "4 already recorded" in problems[0] and "at most 2 more" in problems[0]
    cli.load("attendance", HEAD + "td@a.k12.al.us,EXT-ISTE,2024-12-02,2,\n")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"email,activity_code,date\ntd@a.k12.al.us,FALL24,2024-11-05\n", "missing column(s) hours"),
        (b"", "the file is empty"),
        (b"email,activity_code,date,hours,colour\n", "the file has a header but no rows"),
        (b"email,activity_code,date,hours,hours\ntd@a.k12.al.us,FALL24,2024-11-05,4,5\n", "hours"),
        (
            "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,4\nd\u00e9j\u00e0,x".encode("latin-1"),
            "not UTF-8",
        ),
        (b'email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,"2024-11-05,4\n', "line 2"),
        (b'email,activity_code,date,hours\ntd@a.k12.al.us,"FALL24"x,2024-11-05,4\n', "line 2"),
        (b"\xff\xfee\x00m\x00", "not UTF-8"),
    ],
)
def test_malformed_files_are_refused(cli: Cli, data: bytes, says: str) -> None:
    problems = refused(cli, "attendance", data)
    assert any(says in p for p in problems), problems


def test_utf8_with_bom_and_crlf_and_case_are_fine(cli: Cli) -> None:
    data = "\ufeffEmail,Activity_Code,Date,Hours\r\nTD@A.k12.al.us,FALL24,2024-11-05,4\r\n".encode()
    run = cli.ok("import", "attendance", cli.file("bom.csv", data))
    assert "1 added" in run.out
    assert cli.count(CreditRecord) == 1


def test_reimporting_adds_nothing_twice(cli: Cli) -> None:
    data = HEAD + GOOD + "td@a.k12.al.us,EXT-ISTE,2024-12-01,5,2\ntd@a.k12.al.us,TALENT-DATA,2025-01-05,1.5,\n"
    first = cli.load("attendance", data)
    assert "3 rows read, 3 added" in first.out
    again = cli.load("attendance", data)
    assert "0 added" in again.out and "3 already recorded" in again.out
    assert cli.count(CreditRecord) == 3


def test_an_external_event_in_attendance_is_credited_as_external(cli: Cli) -> None:
    cli.load("attendance", HEAD + "td@a.k12.al.us,EXT-ISTE,2024-12-01,5,2\n")
    eng = cli.engine()
    with Session(eng) as s:
        (rec,) = s.exec(select(CreditRecord)).all()
    eng.dispose()
    assert (rec.alet, rec.quarters, rec.strands, rec.fy, rec.status) == (False, 20, 0b10, 2025, "approved")


def test_courses_that_do_not_count_and_repeats_are_recorded_without_credit(cli: Cli) -> None:
    run = cli.load("attendance", HEAD + "td@a.k12.al.us,TALENT-INTRO,2025-01-05,1,\n")
    assert "1 recorded without credit" in run.out
    eng = cli.engine()
    with Session(eng) as s:
        (rec,) = s.exec(select(CreditRecord)).all()
    eng.dispose()
    assert rec.counted is False


def test_per_unit_workshops_one_per_day(cli: Cli) -> None:
    run = cli.load(
        "attendance",
        HEAD
        + "td@a.k12.al.us,EXT-COSN-CTO-WORKSHOP,2025-01-05,1,\n"
        + "td@a.k12.al.us,EXT-COSN-CTO-WORKSHOP,2025-01-12,1,\n"
        + "td@a.k12.al.us,EXT-COSN-CTO-WORKSHOP,2025-02-02,1,1;5\n",
    )
    assert "3 added" in run.out


def test_a_big_file_with_one_bad_row_writes_nothing(cli: Cli) -> None:
    people = "".join(f"p{i}@d{i}.k12.al.us,Person {i},District {i},,,\n" for i in range(300))
    cli.load("roster", "email,name,district,role_start,cto_completed,roles\n" + people)
    rows = "".join(f"p{i}@d{i}.k12.al.us,FALL24,2024-11-05,6,\n" for i in range(300))
    problems = refused(cli, "attendance", HEAD + rows + "p1@d1.k12.al.us,NOPE,2024-11-05,1,\n")
    assert lines_of(problems) == [302]


# --- roster ----------------------------------------------------------------------------------------------------

RHEAD = "email,name,district,role_start,cto_completed,roles\n"


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ("not-an-email,X,D,,,", "is not an e-mail address"),
        ("x@y.org,,D,,,", "name is empty"),
        ("x@y.org,X,D,2025-02-30,,", "role_start '2025-02-30' is not a date"),
        ("x@y.org,X,D,,someday,", "cto_completed 'someday' is not a date"),
        ("x@y.org,X,D,,,boss", "role 'boss' is not one of"),
        ("TD@a.k12.al.us,Again,D,,,", "repeats line 2"),
    ],
)
def test_one_bad_roster_row_refuses_the_file(cli: Cli, row: str, says: str) -> None:
    problems = refused(cli, "roster", RHEAD + "td@a.k12.al.us,Alex,Alpha,,,\n" + row + "\n")
    assert lines_of(problems) == [3]
    assert says in problems[0]


def test_roster_reimport_updates_by_email(cli: Cli) -> None:
    again = cli.load("roster", ROSTER_NOW)
    assert "0 added" in again.out and "4 already recorded" in again.out
    changed = ROSTER_NOW.replace(
        "Alex Director,Alpha County,2024-10-15,,", "Alex Director,Alpha City,2024-10-15,2025-01-02,"
    )
    run = cli.load("roster", changed.replace("td@a.k12.al.us", "TD@A.K12.AL.US"))
    assert "1 updated" in run.out
    eng = cli.engine()
    with Session(eng) as s:
        people = s.exec(select(Person).order_by(col(Person.email))).all()
    eng.dispose()
    assert len(people) == 4
    alex = next(p for p in people if p.email == "td@a.k12.al.us")
    assert (alex.district, str(alex.cto_completed), alex.roles) == ("Alpha City", "2025-01-02", "director")
    veteran = next(p for p in people if p.email == "old@b.k12.al.us")
    assert veteran.roles == "director"  # empty roles mean director
    reviewer = next(p for p in people if p.email == "rev@alet.org")
    assert reviewer.roles == "reviewer;admin"


# --- catalog ---------------------------------------------------------------------------------------------------

CHEAD = "code,title,kind,date,hours,strands,up_to,per_unit,counts_for_td,evidence,earliest\n"


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ("X1,Title,party,2025-01-01,1,1,,,,,", "kind 'party' is not one of"),
        ("X1,Title,conference,,1,1,,,,,", "a conference needs its date"),
        ("X1,Title,conference,2025-10-01,1,1,,,,,", "outside FY2025"),
        ("X1,Title,conference,2024-09-30,1,1,,,,,", "outside FY2025"),
        ("X1,Title,external,,0.1,1,,,,,", "multiple of 0.25"),
        ("X1,Title,external,,1e12,1,,,,,", "not a number"),
        ("X1,Title,external,,2000,1,,,,,", "more than 1000"),
        ("X1,Title,external,,1,,,,,,", "no strand given"),
        ("X1,Title,external,,1,7,,,,,", "strand 7 is not one of"),
        ("X1,Title,external,,1,1,maybe,,,,", "up_to 'maybe' is not true or false"),
        ("X1,Title,external,,1,1,,,,photo,", "evidence 'photo' is not one of"),
        ("X1,Title,external,,1,1,,,,,2025-02-30", "earliest '2025-02-30' is not a date"),
        ("X 1,Title,external,,1,1,,,,,", "code 'X 1' may hold only"),
        ("X1,,external,,1,1,,,,,", "title is empty"),
        ("FALL24,Again,conference,2024-11-06,1,1,,,,,", "code FALL24 repeats line 2"),
    ],
)
def test_one_bad_catalog_row_refuses_the_file(cli: Cli, row: str, says: str) -> None:
    good = "FALL24,ALET Fall Conference 2024,conference,2024-11-05,6,1;5,true,,,,\n"
    problems = refused(cli, "catalog", CHEAD + good + row + "\n", "--fy", "2025")
    assert lines_of(problems) == [3]
    assert says in problems[0]


def test_catalog_for_an_fy_without_policy_is_refused(cli: Cli) -> None:
    run = cli("import", "catalog", cli.file("c.csv", CHEAD), "--fy", "2019")
    assert run.code != 0 and "FY2019" in run.err


def test_catalog_reimport_updates_by_code_and_adds_nothing_twice(cli: Cli) -> None:
    from tests.cli.test_cli_run import CATALOG

    again = cli.load("catalog", CATALOG, "--fy", "2025")
    assert "0 added" in again.out and "6 already recorded" in again.out
    run = cli.load(
        "catalog",
        CATALOG.replace(
            "REGION25,ALET Region Meeting,region_meeting,2025-04-10,2,",
            "REGION25,ALET Region Meeting,region_meeting,2025-04-11,3,",
        ),
        "--fy",
        "2025",
    )
    assert "1 updated" in run.out
    assert cli.count(CatalogEntry) == 26
    later = cli.load(
        "catalog",
        CATALOG.replace("2024-", "2025-").replace("2025-0", "2026-0").replace("2025-11", "2025-11"),
        "--fy",
        "2026",
    )
    assert "6 added" in later.out
    assert cli.count(CatalogEntry) == 32


def test_the_catalog_needs_its_fy(cli: Cli) -> None:
    run = cli("import", "catalog", cli.file("c.csv", CHEAD))
    assert run.code == 2 and "--fy" in run.err
