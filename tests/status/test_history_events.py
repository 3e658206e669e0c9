"""`history [FY]`, `events` and `status` handlers on both databases: credited, pending, rejected and uncredited
records; pending shown apart; the per-TD and the all-TD (report) readings agree."""

from __future__ import annotations

from datetime import UTC, date, datetime

from handlers.chat import handle_text
from handlers.context import Context
from handlers.reply import Outcome
from handlers.report import report_rows
from handlers.status import build_status, status_json
from rules.credit import totals
from storage.bulk import credits_by_person
from storage.catalog import entry_by_code
from storage.people import by_email
from storage.policy_data import policy_for
from storage.records import credits_of
from storage.tables import CreditRecord
from tests.conftest import load, seed_basic

TD = "td@a.k12.al.us"
ATTENDANCE = """email,activity_code,date,hours,strands
td@a.k12.al.us,FALL24,2024-11-05,3,1
td@a.k12.al.us,EXT-ISTE,2024-12-01,6,5
td@a.k12.al.us,EXT-AETC,2025-01-10,2,2
td@a.k12.al.us,TALENT-INTRO,2025-01-12,1,
old@b.k12.al.us,CAMP25,2025-02-20,6,5;4
old@b.k12.al.us,EXT-K12SIX,2025-02-21,3,4
"""


def _add(ctx: Context, email: str, code: str, day: date, quarters: int, strands: int, status: str) -> None:
    """A submission-style record written straight to the table (submissions are another module's job)."""
    with ctx.session() as s:
        person = by_email(s, email)
        entry = entry_by_code(s, 2025, code)
        assert person and person.id and entry and entry.id
        s.add(
            CreditRecord(
                person_id=person.id,
                fy=2025,
                catalog_id=entry.id,
                alet=False,
                day=day,
                quarters=quarters,
                strands=strands,
                status=status,
                source="submission",
                created_at=datetime.now(UTC),
            )
        )
        s.commit()


def _setup(ctx: Context) -> None:
    seed_basic(ctx)
    load(ctx, "attendance", ATTENDANCE)
    _add(ctx, TD, "EXT-K12SIX", date(2025, 2, 1), 8, 0b1000, "pending")
    _add(ctx, TD, "EXT-SE-CYBER-SUMMIT", date(2025, 2, 2), 4, 0b10000, "rejected")


async def test_history_lists_every_record_with_its_state(any_ctx: Context) -> None:
    _setup(any_ctx)
    reply = handle_text(any_ctx, TD, "console", "history")
    text = reply.to_text()
    assert "6 records; 9 hours credited." in text  # as `status` counts: 3 ALET + 6 of the 8 external hours
    assert "2024-11-05  ALET Fall Conference 2024, ALET, 3 h, strand Roles and Responsibilities: credited" in text
    assert "(ISTE), external, 6 h, strand IT Management and Cybersecurity: credited" in text
    assert (
        "(AETC), external, 2 h, strand Teaching and Learning: recorded, not credited "
        "(beyond the 6-hour external maximum)" in text
    )
    assert "(K12SIX), external, 2 h, strand Ethics, Laws, and Policies: pending review" in text
    assert "Southeast Cybersecurity Summit, external, 1 h, strand IT Management and Cybersecurity: rejected" in text
    assert (
        ", ALET, 1 h, strand Roles and Responsibilities: recorded, no credit (course does not count for TD credit)"
        in text
    )
    lines = [line for line in text.splitlines() if line.lstrip("-• ").startswith("20")]
    assert [line.lstrip("-• ")[:10] for line in lines] == sorted(line.lstrip("-• ")[:10] for line in lines)


async def test_history_of_other_years(any_ctx: Context) -> None:
    _setup(any_ctx)
    assert "FY2019 has no TD-CEU records" in (handle_text(any_ctx, TD, "console", "history 2019")).to_text()
    later = Context(any_ctx.engine, date(2025, 10, 2), evidence_dir=any_ctx.evidence_dir)
    assert "No records for FY2026 yet" in (handle_text(later, TD, "console", "history")).to_text()
    assert "6 records" in (handle_text(later, TD, "console", "history fy25")).to_text()
    bad = handle_text(any_ctx, TD, "console", "history last-year")
    assert bad.outcome is Outcome.INVALID


async def test_status_shows_pending_apart(any_ctx: Context) -> None:
    _setup(any_ctx)
    with any_ctx.session() as s:
        person = by_email(s, TD)
        assert person
        st = status_json(build_status(s, person, 2025, any_ctx.today))
    assert st["pending_hours"] == 2.0
    assert (st["alet_hours"], st["external_hours"], st["external_credited_hours"]) == (3.0, 8.0, 6.0)
    assert st["credited_hours"] == 9.0
    assert st["strand_hours"] == {"1": 3.0, "2": 0.0, "3": 0.0, "4": 0.0, "5": 6.0, "6": 0.0}
    text = (handle_text(any_ctx, TD, "console", "status")).to_text()
    assert "Pending review" in text and "2 hours (not counted until approved)" in text


async def test_events_lists_upcoming_alet_and_approved_external(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    reply = handle_text(any_ctx, TD, "console", "events")
    text = reply.to_text()
    alet, external = text.split("Approved external events", 1)
    assert "REGION25" in alet and "TALENT-DATA" in alet
    assert "FALL24" not in alet and "CAMP25" not in alet  # past
    assert "TALENT-INTRO" not in alet  # does not count
    assert "EXT-COSN-CTO-WORKSHOP], 1 h per workshop" in external
    assert "[EXT-AETC], up to 3 h" in external
    assert "[EXT-ERATE-BOOTCAMP], 3 h" in external
    assert "on or after 2024-10-01" in external
    assert reply.summary == "2 upcoming ALET activities, 20 approved external events"
    empty = Context(any_ctx.engine, date(2025, 10, 2), evidence_dir=any_ctx.evidence_dir)
    assert "None approved yet" in (handle_text(empty, TD, "console", "events")).to_text()


def test_report_and_status_read_the_same_numbers(any_ctx: Context) -> None:
    _setup(any_ctx)
    with any_ctx.session() as s:
        policy = policy_for(s, 2025)
        bulk = credits_by_person(s, 2025)
        for email in (TD, "old@b.k12.al.us"):
            person = by_email(s, email)
            assert person and person.id
            assert totals(bulk[person.id], policy) == totals(credits_of(s, person.id, 2025), policy)
        _policy, rows = report_rows(s, 2025, any_ctx.today)
    by_email_ = {r.email: r for r in rows}
    assert set(by_email_) == {TD, "old@b.k12.al.us"}
    assert by_email_[TD].values[3:6] == [3.0, 6.0, 9.0]
    assert by_email_["old@b.k12.al.us"].values[3:6] == [6.0, 3.0, 9.0]
