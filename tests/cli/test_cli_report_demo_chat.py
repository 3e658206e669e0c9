"""`ceu-bot report` (CSV, XLSX opened with openpyxl, completers list), `ceu-bot demo` (idempotent) and
`ceu-bot chat --as EMAIL` (answers; an unknown e-mail gets the contact reply and nothing is recorded)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from storage.tables import AuditLog, CatalogEntry, CreditRecord, ImportBatch, Person
from tests.cli.test_cli_run import Cli
from tests.cli.test_cli_status import SPEC_ATTENDANCE

COMPLETER = """email,activity_code,date,hours,strands
done@c.k12.al.us,FALL24,2024-11-05,6,1;5
done@c.k12.al.us,EXT-COSN,2025-03-01,6,3
done@c.k12.al.us,EXT-ISTE,2025-06-30,0.25,2
"""

HEADER = [
    "name",
    "email",
    "district",
    "alet_hours",
    "external_credited_hours",
    "credited_hours",
    "remaining_hours",
    "strand 1 hours (Roles and Responsibilities)",
    "strand 2 hours (Teaching and Learning)",
    "strand 3 hours (Technology Planning and Budgeting)",
    "strand 4 hours (Ethics, Laws, and Policies)",
    "strand 5 hours (IT Management and Cybersecurity)",
    "strand 6 hours (Data Management and Governance)",
    "compliant",
    "cto_academy_status",
    "cto_academy_deadline",
    "role_start",
    "cto_academy_completed",
]
ROWS = [
    # fmt: off
    [
        "Alex Director",
        "td@a.k12.al.us",
        "Alpha County",
        4,
        6,
        10,
        2,
        3,
        0,
        1,
        0,
        6,
        0,
        "no",
        "on_track",
        "2026-10-15",
        "2024-10-15",
        "",
    ],
    [
        "Blair Veteran",
        "old@b.k12.al.us",
        "Beta City",
        0,
        0,
        0,
        12,
        0,
        0,
        0,
        0,
        0,
        0,
        "no",
        "not_required",
        "",
        "2010-08-01",
        "",
    ],
    [
        "Casey Done",
        "done@c.k12.al.us",
        "Gamma City",
        6,
        6,
        12,
        0,
        6,
        0,
        6,
        0,
        6,
        0,
        "yes",
        "completed",
        "2027-01-06",
        "2025-01-06",
        "2025-06-30",
    ],
    # fmt: on
]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path / "data")
    c.data_dir.mkdir()
    c.seed()
    c.load("attendance", SPEC_ATTENDANCE)
    c.load("attendance", COMPLETER)
    return c


def _num(text: str) -> object:
    try:
        value = float(text)
    except ValueError:
        return text
    return value


def test_report_writes_csv_xlsx_and_completers(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "report"
    run = cli.ok("report", "--fy", "2025", "--out", str(out), "--today", "2025-10-15")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["td-ceu-FY2025-completers.csv", "td-ceu-FY2025.csv", "td-ceu-FY2025.xlsx"]
    assert all(str(out / n) in run.out for n in names)

    assert (out / "td-ceu-FY2025.csv").read_bytes().startswith(b"\xef\xbb\xbfname,email,")  # BOM: Excel reads UTF-8
    with (out / "td-ceu-FY2025.csv").open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == HEADER
    assert [[_num(v) for v in row] for row in table[1:]] == ROWS  # the reviewer is not a TD and has no hours

    with (out / "td-ceu-FY2025-completers.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [["name", "email", "district"], ["Casey Done", "done@c.k12.al.us", "Gamma City"]]

    wb = load_workbook(out / "td-ceu-FY2025.xlsx", read_only=True)
    assert wb.sheetnames == ["Summary", "Directors", "Completers"]  # the layout: tests/staff/test_report_xlsx.py
    done = [list(r) for r in wb["Completers"].iter_rows(min_row=5, values_only=True)]
    assert done == [["Casey Done", "done@c.k12.al.us", "Gamma City"]]
    wb.close()


def test_report_again_overwrites_and_an_empty_year_has_no_completers(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "r"
    cli.ok("report", "--fy", "2025", "--out", str(out))
    cli.ok("report", "--fy", "2025", "--out", str(out))
    cli.ok("report", "--fy", "2026", "--out", str(out))
    with (out / "td-ceu-FY2026-completers.csv").open(encoding="utf-8-sig") as fh:
        assert fh.read().strip() == "name,email,district"
    with (out / "td-ceu-FY2026.csv").open(encoding="utf-8-sig") as fh:
        assert len(fh.read().strip().splitlines()) == 4  # header + the three TDs, all at zero


COUNTED = (Person, CatalogEntry, CreditRecord)


@pytest.mark.parametrize("today", ["2025-03-03", "2024-10-01", "2025-09-30", None])
def test_demo_is_idempotent(tmp_path: Path, today: str | None) -> None:
    cli = Cli(tmp_path)
    args = ("demo", "--today", today) if today else ("demo",)
    first = cli.ok(*args)
    assert "ceu-bot chat --as td.demo@demo.k12.al.us" in first.out
    counts = {t.__name__: cli.count(t) for t in COUNTED}
    assert counts["CreditRecord"] == 4
    second = cli.ok(*args)
    assert "0 added" in second.out
    assert {t.__name__: cli.count(t) for t in COUNTED} == counts
    chat = cli.ok("chat", "--as", "td.demo@demo.k12.al.us", *(("--today", today) if today else ()), "status")
    assert "TD-CEU status" in chat.out
    assert "Traceback" not in chat.out


def test_chat_answers_a_director(cli: Cli) -> None:
    run = cli.ok("chat", "--as", "td@a.k12.al.us", "--today", "2025-06-01", "status")
    assert "TD-CEU status, FY2025" in run.out
    assert "you need 2 more hours for FY2025 by September 30, 2025" in run.out and "2 of them from ALET" in run.out
    hist = cli.ok("chat", "--as", "TD@a.k12.al.us", "--today", "2025-06-01", "history")
    assert "4 records" in hist.out and "(ISTE), external" in hist.out  # the name, not the catalog code
    ev = cli.ok("chat", "--as", "td@a.k12.al.us", "--today", "2025-03-03", "events")
    assert "REGION25" in ev.out and "EXT-COSN-CTO-WORKSHOP" in ev.out
    assert "FALL24" not in ev.out.split("Approved external")[0]  # past ALET events are not upcoming
    helped = cli.ok("chat", "--as", "td@a.k12.al.us", "what now?")
    assert "what I can do" in helped.out


def test_chat_console_points_staff_at_the_cli_for_files(cli: Cli) -> None:
    report = cli.ok("chat", "--as", "rev@alet.org", "--today", "2025-06-01", "report")  # an admin
    assert "Building the FY2025 report" in report.out and "ceu-bot report --fy 2025" in report.out
    imported = cli.ok("chat", "--as", "rev@alet.org", "--today", "2025-06-01", "import")
    assert "ceu-bot import attendance FILE.csv" in imported.out and "/ceu request" not in imported.out
    overview = cli.ok("chat", "--as", "rev@alet.org", "--today", "2025-06-01", "status")
    assert "TD-CEU overview, FY2025" in overview.out


def test_chat_console_reads_lines_until_quit(cli: Cli) -> None:
    run = cli("chat", "--as", "td@a.k12.al.us", "--today", "2025-06-01", input="status\nhistory 2019\nquit\nstatus\n")
    assert run.code == 0
    assert run.out.count("TD-CEU status, FY2025") == 1
    assert "FY2019 has no TD-CEU records" in run.out


def test_chat_unknown_email_gets_the_contact_and_nothing_is_recorded(cli: Cli) -> None:
    before = {t.__name__: cli.count(t) for t in (Person, CreditRecord, ImportBatch, AuditLog)}
    for text in ("status", "snooze", "history", "submit"):
        run = cli.ok("chat", "--as", "stranger@elsewhere.org", text)
        assert "not on the TD-CEU roster" in run.out
        assert "stranger@elsewhere.org" in run.out
        assert "tdceu@alet.org" in run.out
    assert {t.__name__: cli.count(t) for t in (Person, CreditRecord, ImportBatch, AuditLog)} == before


def test_report_never_turns_roster_text_into_formulas_or_links(tmp_path: Path) -> None:
    """Names and districts are typed by people: in the XLSX they stay text, in the CSV they get the apostrophe
    guard, so opening the report never runs `=HYPERLINK(...)` or `+cmd|...`."""
    cli = Cli(tmp_path / "data")
    cli.data_dir.mkdir()
    roster = (
        "email,name,district,role_start,cto_completed,roles\n"
        'evil@x.k12.al.us,"=HYPERLINK(""http://evil.example"",""x"")",+1+2,2024-11-01,,director\n'
        "fine@y.k12.al.us,Pat O-Neil,-Dash County,2024-11-01,,director\n"
    )
    cli.load("roster", roster)
    out = tmp_path / "r"
    cli.ok("report", "--fy", "2025", "--out", str(out), "--today", "2025-10-15")

    with (out / "td-ceu-FY2025.csv").open(encoding="utf-8-sig", newline="") as fh:
        table = {row[1]: row for row in list(csv.reader(fh))[1:]}
    assert table["evil@x.k12.al.us"][:3] == ['\'=HYPERLINK("http://evil.example","x")', "evil@x.k12.al.us", "'+1+2"]
    assert table["fine@y.k12.al.us"][:3] == ["Pat O-Neil", "fine@y.k12.al.us", "'-Dash County"]
    assert table["evil@x.k12.al.us"][3] == "0.0"  # numbers unchanged

    wb = load_workbook(out / "td-ceu-FY2025.xlsx")  # not read-only: formulas would show as data_type "f"
    cells = {row[1].value: row for row in wb["Directors"].iter_rows(min_row=5)}
    evil = cells["evil@x.k12.al.us"]
    assert evil[0].value == '=HYPERLINK("http://evil.example","x")' and evil[0].data_type == "s"
    assert evil[2].value == "+1+2" and evil[2].data_type == "s"
    assert evil[0].hyperlink is None
    wb.close()
