"""Staff in chat: role-aware `status` and `help`, `overview [FY]` (compliant / on track / behind, hours owed, CTO
Academy, districts furthest behind, strand gaps, review queue) and `lookup` (exactly the director's own status), on
SQLite and PostgreSQL through the one dispatcher both platforms use; plus the pace rule behind "on track"."""

from __future__ import annotations

from datetime import date

from handlers.chat import handle_text
from handlers.context import Context
from handlers.payloads import OverviewPayload, StatusPayload
from handlers.reply import Outcome
from rules.credit import Credit, totals
from rules.pace import Standing, standing
from storage.evidence import check_evidence
from storage.policy_data import shipped_policies
from tests.conftest import load, seed_basic
from tests.storage.test_workflow_evidence import pdf_bytes

TD, OLD, REV, SDE = "td@a.k12.al.us", "old@b.k12.al.us", "rev@alet.org", "sde@alsde.edu"
MORE_ROSTER = """email,name,district,role_start,cto_completed,roles
new1@c.k12.al.us,Casey New,Gamma County,2024-10-01,,director
new2@d.k12.al.us,Dana Late,Delta City,2023-01-10,,director
both@e.k12.al.us,Eli Both,Epsilon County,2015-01-01,,director;reviewer
alex2@f.k12.al.us,Alex Second,Phi County,2012-01-01,,director
"""


def ask(ctx: Context, email: str, text: str) -> str:
    return handle_text(ctx, email, "console", text).to_text()


def seed(ctx: Context) -> None:
    seed_basic(ctx)
    load(ctx, "roster", MORE_ROSTER)
    load(
        ctx,
        "attendance",
        "email,activity_code,date,hours\n"
        "td@a.k12.al.us,FALL24,2024-11-05,6\n"
        "both@e.k12.al.us,FALL24,2024-11-05,6\n"
        "both@e.k12.al.us,CAMP25,2025-02-20,6\n",
    )


def test_pace_rule() -> None:
    policy = shipped_policies()[0][0]
    half = totals([Credit(True, date(2024, 11, 5), 24, 1)], policy)  # 6 ALET hours, 6 owed
    assert standing(half, policy, 2025, date(2024, 10, 1)) is Standing.ON_TRACK
    assert standing(half, policy, 2025, date(2025, 3, 31)) is Standing.ON_TRACK  # 183 of 365 days left
    assert standing(half, policy, 2025, date(2025, 4, 2)) is Standing.BEHIND
    nothing = totals([], policy)
    assert standing(nothing, policy, 2025, date(2024, 10, 1)) is Standing.ON_TRACK  # day one: everyone
    assert standing(nothing, policy, 2025, date(2024, 10, 2)) is Standing.BEHIND
    assert standing(half, policy, 2025, date(2025, 10, 1)) is Standing.BEHIND  # the FY is over
    done = totals([Credit(True, date(2024, 11, 5), 48, 63)], policy)
    assert standing(done, policy, 2025, date(2025, 10, 1)) is Standing.COMPLIANT


def test_status_answers_for_the_role(any_ctx: Context) -> None:
    seed(any_ctx)
    assert "you need" in ask(any_ctx, TD, "status")
    sde = handle_text(any_ctx, SDE, "console", "status")
    assert sde.title == "TD-CEU overview, FY2025" and sde.ok
    assert handle_text(any_ctx, REV, "console", "status").title == "TD-CEU overview, FY2025"  # reviewer and admin
    both = ask(any_ctx, "both@e.k12.al.us", "status")  # a reviewer who is also a director: their own status
    assert "You have met the FY2025 requirement, Eli" in both


def test_a_reviewer_only_sees_the_queue_oldest_first(any_ctx: Context) -> None:
    seed(any_ctx)
    load(
        any_ctx,
        "roster",
        "email,name,district,role_start,cto_completed,roles\nonly@alet.org,Olly Rev,ALET,,,reviewer\n",
    )
    empty = handle_text(any_ctx, "only@alet.org", "console", "status")
    assert empty.title == "Nothing is waiting for review"
    from handlers.people import find_actor
    from handlers.submit import create_submission

    actor = find_actor(any_ctx, TD, "console")
    assert actor is not None
    for day in ("2025-01-10", "2025-01-20"):
        made = create_submission(
            any_ctx,
            actor,
            {"event": "2025:EXT-SDE-REGION", "date": day, "hours": "1", "strands": ["1"]},
            check_evidence(pdf_bytes(), "certificate.pdf", 1024 * 1024),
            client_key=f"k{day}",
            platform="console",
        )
        assert made.ok or made.outcome is Outcome.OK, made.to_text()
    queue = handle_text(any_ctx, "only@alet.org", "console", "status")
    assert queue.title == "2 items waiting for review", queue.to_text()
    items = queue.sections[0].items
    assert items and all("Alex Director" in i for i in items)
    numbers = [int(i.split("#")[1].split(":")[0]) for i in items]
    assert numbers == sorted(numbers)  # oldest first


def test_help_lists_what_each_role_can_use(any_ctx: Context) -> None:
    seed(any_ctx)

    def names(email: str) -> list[str]:
        reply = handle_text(any_ctx, email, "console", "help")
        return [i.split(" ")[0].rstrip(":") for i in reply.sections[0].items]

    assert names(TD) == ["status", "history", "events", "submit", "request", "snooze", "whatif", "help"]
    assert names(SDE)[:3] == ["status", "events", "request"] and "overview" in names(SDE)
    assert "lookup" in names(REV) and "submit" not in names(REV) and "snooze" not in names(REV)
    assert {"history", "submit", "overview", "lookup"} <= set(names("both@e.k12.al.us"))


def test_overview_counts_owed_cto_districts_and_gaps(any_ctx: Context) -> None:
    seed(any_ctx)
    reply = handle_text(any_ctx, SDE, "console", "overview")
    data = reply.expect(OverviewPayload).overview
    assert isinstance(data, dict)
    # six directors: Eli compliant; Alex (6 owed, 212 of 365 days left) on track; the four with nothing behind
    assert (data["directors"], data["compliant"], data["on_track"], data["behind"]) == (6, 1, 1, 4)
    assert data["hours_owed"] == 6 + 12 * 4 and data["alet_hours_owed"] == 6 * 4
    # Casey took the role on 2024-10-01: due 2026-10-01, on track; Dana's role began before the requirement
    assert (data["cto_due_soon"], data["cto_overdue"]) == (0, 0)
    text = reply.to_text()
    districts = reply.sections[2]
    assert districts.heading == "Districts furthest behind"
    assert districts.items[0].startswith(("Beta City: 12 h", "Delta City: 12 h", "Gamma County: 12 h", "Phi County"))
    assert districts.items[-1] == "Alpha County: 6 h owed (Alex Director)"
    assert "Strands with the most gaps" in text and "… and" in text
    assert "steady pace" in text


def test_overview_trims_districts_and_reads_a_past_fy(any_ctx: Context) -> None:
    seed(any_ctx)
    rows = "".join(f"d{i}@z.k12.al.us,Zed {i:02d},Zone {i:02d},2010-01-01,,\n" for i in range(12))
    load(any_ctx, "roster", "email,name,district,role_start,cto_completed,roles\n" + rows)
    reply = handle_text(any_ctx, SDE, "console", "overview FY2025")
    districts = reply.sections[2]
    assert len(districts.items) == 8 and districts.more == f"… and {17 - 8} more districts"  # 5 + 12 not yet compliant
    bad = handle_text(any_ctx, SDE, "console", "overview 1999")
    assert bad.outcome is Outcome.INVALID


def test_overview_cto_due_soon_and_overdue(ctx: Context) -> None:
    seed_basic(ctx)
    later = Context(ctx.engine, date(2026, 9, 1), evidence_dir=ctx.evidence_dir)
    # Alex took the role on 2024-11-15: deadline 2026-11-15, 75 days away on 2026-09-01 -> due soon
    load(later, "roster", "email,name,district,role_start,cto_completed,roles\nx@y.k12.al.us,Xi,Y,2024-10-01,,\n")
    data = handle_text(later, SDE, "console", "overview").expect(OverviewPayload).overview
    assert isinstance(data, dict) and data["fiscal_year"] == 2026
    assert (data["cto_due_soon"], data["cto_overdue"]) == (2, 0)
    overdue = Context(ctx.engine, date(2026, 11, 20), evidence_dir=ctx.evidence_dir)
    data = handle_text(overdue, SDE, "console", "overview").expect(OverviewPayload).overview
    assert isinstance(data, dict) and (data["cto_due_soon"], data["cto_overdue"]) == (0, 2)


def test_lookup_is_the_directors_own_status(any_ctx: Context) -> None:
    seed(any_ctx)
    own = handle_text(any_ctx, TD, "console", "status")
    for query in ("lookup td@a.k12.al.us", "lookup TD@A.K12.AL.US", "lookup director alex", "lookup Alex Dir 2025"):
        seen = handle_text(any_ctx, SDE, "console", query)
        assert seen.ok, seen.to_text()
        assert seen.sections == own.sections and seen.expect(StatusPayload).status == own.expect(StatusPayload).status
        assert seen.title.startswith("Alex Director (td@a.k12.al.us, Alpha County)")
        assert seen.buttons == []  # room for another action's button
    reviewer = handle_text(any_ctx, REV, "console", "lookup td@a.k12.al.us")
    assert reviewer.sections[: len(own.sections)] == own.sections
    # a reviewer also gets the approved records, each with a Void button (tests/review/test_void_chat.py)
    assert all(s.heading.startswith("Approved records") for s in reviewer.sections[len(own.sections) :])
    assert all(b.action.startswith("record.void:") for b in reviewer.buttons)


def test_lookup_lists_several_and_refuses_directors(any_ctx: Context) -> None:
    seed(any_ctx)
    several = handle_text(any_ctx, SDE, "console", "lookup alex")
    assert several.title == "2 directors match 'alex'"
    assert several.sections[0].items == [
        "Alex Director (td@a.k12.al.us, Alpha County)",
        "Alex Second (alex2@f.k12.al.us, Phi County)",
    ]
    assert handle_text(any_ctx, SDE, "console", "lookup nobody").outcome is Outcome.NOT_FOUND
    not_td = handle_text(any_ctx, SDE, "console", "lookup rev@alet.org")
    assert not_td.outcome is Outcome.NOT_FOUND and "not as an active technology director" in not_td.to_text()
    assert handle_text(any_ctx, SDE, "console", "lookup").outcome is Outcome.INVALID
    assert handle_text(any_ctx, SDE, "console", "lookup 100%_").outcome is Outcome.NOT_FOUND  # LIKE stays literal
    refused = handle_text(any_ctx, TD, "console", "lookup alex")
    assert refused.outcome is Outcome.REFUSED and "SDE staff, ALET admins and reviewers" in refused.title
    assert handle_text(any_ctx, TD, "console", "overview").outcome is Outcome.REFUSED
    assert handle_text(any_ctx, SDE, "console", "snooze").outcome is Outcome.REFUSED


def test_overview_counts_who_is_on_the_roster_like_the_report(ctx: Context) -> None:
    from sqlmodel import select

    from storage.roster import set_active
    from storage.tables import Person

    seed(ctx)
    later = Context(ctx.engine, date(2025, 11, 3), evidence_dir=ctx.evidence_dir)  # FY2026
    with later.session() as s:
        blair = s.exec(select(Person).where(Person.email == OLD)).one()
        set_active(s, blair, False, later.today, "test")
        s.commit()
    now = handle_text(later, SDE, "console", "overview").expect(OverviewPayload).overview
    past = handle_text(later, SDE, "console", "overview 2025").expect(OverviewPayload).overview
    assert isinstance(now, dict) and isinstance(past, dict)
    assert (now["fiscal_year"], now["directors"]) == (2026, 5)  # Blair is off the roster now
    assert (past["fiscal_year"], past["directors"]) == (2025, 6)  # but was on it during FY2025
    assert past["as_of"] == "2025-09-30" and past["on_track"] == 0  # FY2025 is over: not compliant is behind
    assert handle_text(later, SDE, "console", "lookup old@b.k12.al.us").outcome is Outcome.NOT_FOUND
