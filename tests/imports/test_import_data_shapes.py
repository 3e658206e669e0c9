"""How the rules meet the shapes of ALET's data (issue 11), as one table of cases, each run through the import code
and through the `ceu-bot` command, on SQLite and PostgreSQL: date ranges (`end`) for live ALET and external events,
one-time activities (`once`), no-repeat by date, parts of one activity on one day (`unit`), the CTO Academy done
before the role began, corrected strands, catalog changes that would invalidate records, and a history that says
what counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.imports.import_drivers import Driver, Refused, audit_actions, driver_for, records

TODAY = date(2025, 3, 3)
TD = "td@a.k12.al.us"
OLD = "old@b.k12.al.us"
ROSTER = f"""email,name,district,role_start,cto_completed,roles
{TD},Alex Director,Alpha County,2024-11-15,,director
{OLD},Blair Veteran,Beta City,2010-08-01,,
"""
CATALOG = """code,title,kind,date,hours,strands,up_to,end,once
FALL24,ALET Fall Conference 2024,conference,2024-11-05,6,1;5,true,,
CAMP-FALL,ALET Cyber Camp (a day and a half),cyber_camp,2024-11-13,6,5,true,2024-11-14,
CAMP25,ALET Cyber Camp Spring,cyber_camp,2025-02-20,6,5,true,,
TALENT-DATA,TD-Talent Data Governance,talent_online,,1.5,6,false,,
"""
A = "email,activity_code,date,hours,strands,unit\n"


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[Driver], None]


def _seed(d: Driver) -> None:
    d.load("roster", ROSTER)
    d.load("catalog", CATALOG, fy=2025)


def _refused(d: Driver, kind: str, text: str, fy: int | None = None) -> list[str]:
    with pytest.raises(Refused) as exc:
        d.load(kind, text, fy)
    return exc.value.problems


def dated_external_event_counts_on_its_days_only(d: Driver) -> None:
    # the AASA AI Summit is 2025-01-30..31; today's code accepted any later day of the FY
    assert _refused(d, "attendance", A + f"{TD},EXT-AASA-AI-2025,2025-02-01,1,,\n") == [
        "line 2: date 2025-02-01 is not during EXT-AASA-AI-2025, which took place from 2025-01-30 to 2025-01-31"
    ]
    assert "1 added" in d.load("attendance", A + f"{TD},EXT-AASA-AI-2025,2025-01-31,1,,\n")


def shipped_one_off_events_keep_to_their_dates(d: Driver) -> None:
    problems = _refused(
        d,
        "attendance",
        A
        + f"{TD},EXT-DA-TECH-SUMMIT-2024,2025-01-05,1,,\n"  # Dec 2024 only
        + f"{TD},EXT-AL-GOV-DIGITAL-2024,2025-01-05,3,,\n"  # the 2024 part of FY2025
        + f"{TD},EXT-RTM-2025-K12,2024-12-15,1,,\n",  # the 2025 part
    )
    assert problems == [
        "line 2: date 2025-01-05 is not during EXT-DA-TECH-SUMMIT-2024, which took place from 2024-12-01 to 2024-12-31",
        "line 3: date 2025-01-05 is not during EXT-AL-GOV-DIGITAL-2024, which took place from 2024-10-01 to 2024-12-31",
        "line 4: date 2024-12-15 is not during EXT-RTM-2025-K12, which took place from 2025-01-01 to 2025-09-30",
    ]


def a_day_and_a_half_camp_counts_on_both_days(d: Driver) -> None:
    assert "2 added" in d.load("attendance", A + f"{TD},CAMP-FALL,2024-11-13,4,,\n{TD},CAMP-FALL,2024-11-14,2,,\n")
    assert d.status(TD, 2025)["alet_hours"] == 6.0
    assert _refused(d, "attendance", A + f"{OLD},CAMP-FALL,2024-11-15,2,,\n") == [
        "line 2: date 2024-11-15 is not during CAMP-FALL, which took place from 2024-11-13 to 2024-11-14"
    ]


def catalog_end_is_checked(d: Driver) -> None:
    head = "code,title,kind,date,hours,strands,end\n"
    problems = _refused(
        d,
        "catalog",
        head
        + "C1,Camp,cyber_camp,2025-04-02,6,5,2025-04-01\n"
        + "C2,Camp,cyber_camp,2025-09-30,6,5,2025-10-01\n"
        + "E3,Event,external,,3,5,2025-04-01\n"
        + "C4,Camp,cyber_camp,2025-04-02,6,5,2025-4-3\n",
        fy=2025,
    )
    assert problems[:3] == [
        "line 2: end 2025-04-01 is before the date 2025-04-02",
        "line 3: end 2025-10-01 is outside FY2025 (2024-10-01 to 2025-09-30)",
        "line 4: end 2025-04-01 needs the activity's date (the first day)",
    ]
    assert problems[3].startswith("line 5: end '2025-4-3' is not a date")


def once_activity_is_credited_once_across_fys(d: Driver) -> None:
    d.roll(2025, 2026)  # the one-time flag rolls forward with the event
    d.load("attendance", A + f"{TD},EXT-CBT-NETWORK-PLUS,2025-01-10,4,5,\n")
    d.today = date(2026, 3, 3)
    summary = d.load("attendance", A + f"{TD},EXT-CBT-NETWORK-PLUS,2025-12-10,4,5,\n")
    assert "1 recorded without credit" in summary
    assert d.status(TD, 2026)["external_hours"] == 0.0
    assert d.status(TD, 2025)["external_hours"] == 4.0
    assert "one-time activity already credited" in d.history(TD, 2026)


def the_earlier_dated_course_keeps_the_credit_in_one_file(d: Driver) -> None:
    d.load("catalog", "code,title,kind,date,hours,strands,up_to\nTALENT-DATA,Data,talent_online,,1.5,6,false\n", 2026)
    d.today = date(2026, 3, 3)
    d.load("attendance", A + f"{TD},TALENT-DATA,2025-11-15,1.5,,\n{TD},TALENT-DATA,2025-01-15,1.5,,\n")
    assert [r[2:] for r in records(d)] == [("2025-01-15", "", 1.5, True), ("2025-11-15", "", 1.5, False)]
    assert (d.status(TD, 2025)["alet_hours"], d.status(TD, 2026)["alet_hours"]) == (1.5, 0.0)


def an_earlier_row_imported_later_moves_the_credit(d: Driver) -> None:
    d.load("catalog", "code,title,kind,date,hours,strands,up_to\nTALENT-DATA,Data,talent_online,,1.5,6,false\n", 2026)
    d.today = date(2026, 3, 3)
    d.load("attendance", A + f"{TD},TALENT-DATA,2025-11-15,1.5,,\n")
    assert d.status(TD, 2026)["alet_hours"] == 1.5
    summary = d.load("attendance", A + f"{TD},TALENT-DATA,2025-01-15,1.5,,\n")
    assert "1 later-dated record of a course or one-time activity no longer credited" in summary
    assert [r[2:] for r in records(d)] == [("2025-01-15", "", 1.5, True), ("2025-11-15", "", 1.5, False)]
    assert (d.status(TD, 2025)["alet_hours"], d.status(TD, 2026)["alet_hours"]) == (1.5, 0.0)
    assert "attendance.credit_moved" in audit_actions(d)


def a_retake_in_the_same_fy_earns_nothing_whichever_comes_first(d: Driver) -> None:
    d.load("attendance", A + f"{TD},EXT-CBT-SECURITY-PLUS,2025-02-10,4,5,\n")
    d.load("attendance", A + f"{TD},EXT-CBT-SECURITY-PLUS,2025-01-10,4,4,\n")
    st = d.status(TD, 2025)
    assert (st["external_hours"], st["strand_hours"]["4"], st["strand_hours"]["5"]) == (4.0, 4.0, 0.0)


def which_same_day_external_record_crosses_the_maximum_is_stable(d: Driver) -> None:
    # 2 + 3 + 3 external hours on one day: ordered by activity code, EXT-K12SIX is the one partly credited
    d.load("attendance", A + f"{TD},EXT-K12SIX,2025-02-01,3,4,\n")
    d.load("attendance", A + f"{TD},EXT-ISTE,2025-02-01,2,2,\n{TD},EXT-AETC,2025-02-01,3,3,\n")
    st = d.status(TD, 2025)
    assert (st["external_hours"], st["external_credited_hours"]) == (8.0, 6.0)
    assert [st["strand_hours"][n] for n in "234"] == [2.0, 3.0, 1.0]
    history = d.history(TD, 2025)
    assert "(K12SIX), external, 3 h, strand Ethics, Laws, and Policies: partly credited: 1 h" in history
    assert "3 records; 6 hours credited." in history


def history_says_what_counts_and_sums_like_status(d: Driver) -> None:
    d.load("attendance", A + f"{TD},FALL24,2024-11-05,3,1,\n{TD},EXT-ISTE,2024-12-01,6,5,\n")
    d.load("attendance", A + f"{TD},EXT-AETC,2025-01-10,2,2,\n")
    history = d.history(TD, 2025)
    assert "3 records; 9 hours credited." in history
    assert d.status(TD, 2025)["credited_hours"] == 9.0
    assert (
        "(AETC), external, 2 h, strand Teaching and Learning: recorded, not credited "
        "(beyond the 6-hour external maximum)" in history
    )


def parts_of_any_activity_on_one_day_share_its_cap(d: Driver) -> None:
    # ALET's Talent uploads one course per hour of the (exactly 3-hour) E-Rate Boot Camp
    parts = A + "".join(f"{TD},EXT-ERATE-BOOTCAMP,2025-02-11,1,3,Hour {n}\n" for n in (1, 2, 3))
    assert "3 added" in d.load("attendance", parts)
    assert "0 added, 3 already recorded" in d.load("attendance", parts)  # same activity, day and unit: one record
    assert d.status(TD, 2025)["external_hours"] == 3.0
    assert _refused(d, "attendance", A + f"{TD},EXT-ERATE-BOOTCAMP,2025-02-11,1,3,Hour 4\n") == [
        "line 2: 1 hour is over the cap of 3 for AL SDE E-Rate Boot Camp (3 already recorded); at most 0 more"
    ]


def a_same_day_repeat_without_a_unit_says_to_use_unit(d: Driver) -> None:
    assert _refused(d, "attendance", A + f"{TD},FALL24,2024-11-05,1,,\n{TD},FALL24,2024-11-05,1,,\n") == [
        "line 3: repeats line 2 (two parts of one activity on one day need each its own “unit”)"
    ]
    d.load("attendance", A + f"{TD},FALL24,2024-11-05,1,,\n")
    assert _refused(d, "attendance", A + f"{TD},FALL24,2024-11-05,2,,\n") == [
        f"line 2: {TD} already has 1 hour of FALL24 on 2024-11-05 from an earlier import "
        "(two parts of one activity on one day need each its own “unit”)"
    ]
    assert "2 added" in d.load("attendance", A + f"{TD},FALL24,2024-11-05,1,,Session B\n{TD},FALL24,2024-11-05,2,,C\n")
    assert d.status(TD, 2025)["alet_hours"] == 4.0


def cto_academy_completed_before_the_role_began(d: Driver) -> None:
    d.load(
        "roster", "email,name,district,role_start,cto_completed,roles\nnew@c.k12.al.us,Nia,C,2025-01-06,2019-05-01,\n"
    )
    cto = d.status("new@c.k12.al.us", 2025)["cto_academy"]
    assert (cto["required"], cto["status"], cto["completed_on"]) == (True, "completed", "2019-05-01")


def a_row_whose_strands_changed_corrects_the_record(d: Driver) -> None:
    d.load("attendance", A + f"{TD},FALL24,2024-11-05,4,1,\n{TD},CAMP25,2025-02-20,2,5,\n")
    summary = d.load("attendance", A + f"{TD},FALL24,2024-11-05,4,6,\n{TD},CAMP25,2025-02-20,2,5,\n")
    assert "0 added, 1 corrected (strands changed), 1 already recorded" in summary
    st = d.status(TD, 2025)
    assert (st["strand_hours"]["1"], st["strand_hours"]["6"]) == (0.0, 4.0)
    assert "attendance.correct" in audit_actions(d)


def a_catalog_change_that_would_invalidate_records_is_refused(d: Driver) -> None:
    d.load("attendance", A + f"{TD},FALL24,2024-11-05,4,,\n{TD},CAMP25,2025-02-20,3.5,,\n{OLD},CAMP25,2025-02-20,2,,\n")
    changed = CATALOG.replace(
        "FALL24,ALET Fall Conference 2024,conference,2024-11-05", "FALL24,Fall,conference,2024-11-06"
    )
    changed = changed.replace(
        "CAMP25,ALET Cyber Camp Spring,cyber_camp,2025-02-20,6", "CAMP25,Camp,cyber_camp,2025-02-20,3"
    )
    assert _refused(d, "catalog", changed, 2025) == [
        f"line 2: FALL24: the new dates (on 2024-11-06) would leave 1 record ({TD} on 2024-11-05 (4 h)) outside them",
        f"line 4: CAMP25: the new cap of 3 hours is below the hours already recorded for 1 director ({TD} (3.5 h))",
    ]
    assert "1 updated" in d.load("catalog", CATALOG.replace("ALET Fall Conference 2024", "Fall Conference"), 2025)


CASES = [
    Case(f.__name__, f)
    for f in (
        dated_external_event_counts_on_its_days_only,
        shipped_one_off_events_keep_to_their_dates,
        a_day_and_a_half_camp_counts_on_both_days,
        catalog_end_is_checked,
        once_activity_is_credited_once_across_fys,
        the_earlier_dated_course_keeps_the_credit_in_one_file,
        an_earlier_row_imported_later_moves_the_credit,
        a_retake_in_the_same_fy_earns_nothing_whichever_comes_first,
        which_same_day_external_record_crosses_the_maximum_is_stable,
        history_says_what_counts_and_sums_like_status,
        parts_of_any_activity_on_one_day_share_its_cap,
        a_same_day_repeat_without_a_unit_says_to_use_unit,
        cto_academy_completed_before_the_role_began,
        a_row_whose_strands_changed_corrects_the_record,
        a_catalog_change_that_would_invalidate_records_is_refused,
    )
]


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["code", "cli"])
def driver(request: pytest.FixtureRequest, db: str, tmp_path: Path) -> Iterator[Driver]:
    with driver_for(str(request.param), db, tmp_path, TODAY) as d:
        _seed(d)
        yield d


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, driver: Driver) -> None:
    case.run(driver)
