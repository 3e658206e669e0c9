"""handlers.reminders.plan.decide on real databases (SQLite and PostgreSQL): who gets which reminder on a day, snooze,
the congratulation, CTO Academy steps, the reviewers' digest, and that deciding takes the same few queries for 5
directors as for 50."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import select

from handlers.context import Context
from handlers.people import find_actor
from handlers.reminders.due import CTO_ACADEMY, FY_COMPLETE, FY_DEADLINE, REVIEW_DIGEST
from handlers.reminders.plan import Plan, decide
from handlers.reminders.text import for_platform
from handlers.request import create_request
from handlers.snooze import handle_snooze
from storage.reminders import Key, claim, mark_sent
from storage.tables import Person
from tests.conftest import ALET_CATALOG, load

ROSTER = """email,name,district,role_start,cto_completed,roles
td@a.k12.al.us,Alex Director,Alpha County,2024-11-15,,director
done@c.k12.al.us,Casey Done,Gamma City,2015-07-01,,director
snooze@d.k12.al.us,Dana Snoozer,Delta County,2015-07-01,,director
grad@e.k12.al.us,Eli Graduate,Epsilon City,2024-10-01,2025-06-01,director
gone@f.k12.al.us,Frankie Gone,Foxtrot City,2015-07-01,,director
rev@alet.org,Robin Reviewer,ALET,,,reviewer;admin
sde@alsde.edu,Sasha SDE,ALSDE,,,sde
"""
SEPTEMBER = "code,title,kind,date,hours,strands\nSEP25,ALET Region Meeting September,region_meeting,2025-09-18,3,3;4\n"
ATTENDANCE = """email,activity_code,date,hours
td@a.k12.al.us,FALL24,2024-11-05,4
done@c.k12.al.us,FALL24,2024-11-05,6
done@c.k12.al.us,CAMP25,2025-02-20,6
"""
SEP_2 = date(2025, 9, 2)  # a Tuesday; the 30-day step went out on Friday Aug 29
CHANNELS = [("slack", "C0REVIEW"), ("teams", "19:review@thread.tacv2")]


def seed(ctx: Context) -> None:
    """The roster above (one inactive director), FY2025's ALET catalog with a September meeting, some hours."""
    today = ctx.today
    ctx.today = SEP_2
    load(ctx, "roster", ROSTER)
    load(ctx, "catalog", ALET_CATALOG, fy=2025)
    load(ctx, "catalog", SEPTEMBER, fy=2025)
    load(ctx, "attendance", ATTENDANCE)
    with ctx.session() as s:
        gone = s.exec(select(Person).where(Person.email == "gone@f.k12.al.us")).one()
        gone.active = False
        s.add(gone)
        s.commit()
    ctx.today = today


async def snooze(ctx: Context, email: str, on: date) -> None:
    today = ctx.today
    ctx.today = on
    actor = find_actor(ctx, email, "slack")
    assert actor is not None
    handle_snooze(ctx, actor, [])
    ctx.today = today


def plan_of(ctx: Context, today: date, channels: list[tuple[str, str]] | None = None) -> Plan:
    with ctx.session() as s:
        return decide(s, today, datetime.now(UTC), channels or [])


def due_of(plan: Plan) -> set[tuple[str, str, int, str]]:
    return {(d.kind, d.email, d.key.fy, d.key.step) for d in plan.due}


def test_fy_deadline_reminders_and_the_congratulation(any_ctx: Context) -> None:
    seed(any_ctx)
    plan = plan_of(any_ctx, SEP_2)
    assert due_of(plan) == {
        (FY_DEADLINE, "td@a.k12.al.us", 2025, "30d"),
        (FY_DEADLINE, "snooze@d.k12.al.us", 2025, "30d"),
        (FY_DEADLINE, "grad@e.k12.al.us", 2025, "30d"),
        (FY_COMPLETE, "done@c.k12.al.us", 2025, "complete"),
    }  # not the reviewer, the SDE, nor the inactive director; no digest (nothing waits)
    alex = next(d for d in plan.due if d.email == "td@a.k12.al.us")
    text = alex.reply.to_text()
    assert "you still need 8 hours, 2 of them from ALET, by September 30, 2025" in text
    assert "Hours left: 8 of 12" in text
    assert "ALET hours left: 2 of the 6 required" in text
    assert "Teaching and Learning" in text and "Data Management and Governance" in text  # gaps by name
    assert "28 days left" in text
    assert "September 18, 2025: ALET Region Meeting September" in text  # an upcoming activity that closes a gap
    assert "/ceu status" in for_platform(alex.reply, "slack").to_text()
    teams = for_platform(alex.reply, "teams").to_text()
    assert "send status" in teams and "/ceu" not in teams
    casey = next(d for d in plan.due if d.kind == FY_COMPLETE)
    assert "Congratulations, Casey" in casey.reply.to_text()
    assert "12 hours credited" in casey.reply.to_text()


def test_before_the_first_step_only_congratulations(any_ctx: Context) -> None:
    seed(any_ctx)
    assert due_of(plan_of(any_ctx, date(2025, 7, 1))) == {(FY_COMPLETE, "done@c.k12.al.us", 2025, "complete")}
    assert {d.key.step for d in plan_of(any_ctx, date(2025, 7, 2)).due if d.kind == FY_DEADLINE} == {"90d"}


async def test_snooze_pauses_all_but_the_final_reminders(any_ctx: Context) -> None:
    seed(any_ctx)
    await snooze(any_ctx, "snooze@d.k12.al.us", date(2025, 9, 2))  # until 2025-09-09
    plan = plan_of(any_ctx, SEP_2)
    assert "snooze@d.k12.al.us" not in {d.email for d in plan.due}
    assert [(d.email, d.key.step) for d in plan.snoozed] == [("snooze@d.k12.al.us", "30d")]
    assert ("snooze@d.k12.al.us", "30d") in {(d.email, d.key.step) for d in plan_of(any_ctx, date(2025, 9, 10)).due}

    await snooze(any_ctx, "snooze@d.k12.al.us", date(2025, 9, 19))  # until 2025-09-26
    assert [d.key.step for d in plan_of(any_ctx, date(2025, 9, 22)).snoozed] == ["14d"]
    final = plan_of(any_ctx, date(2025, 9, 23))  # the 7-day reminder comes even while snoozed
    assert ("snooze@d.k12.al.us", "7d") in {(d.email, d.key.step) for d in final.due}
    assert final.snoozed == []


def test_no_fy_reminder_after_the_congratulation_and_none_twice(any_ctx: Context) -> None:
    seed(any_ctx)
    now = datetime.now(UTC)
    for key in (
        Key(FY_COMPLETE, "td@a.k12.al.us", 2025, "complete"),  # congratulated earlier (hours since rejected)
        Key(FY_DEADLINE, "snooze@d.k12.al.us", 2025, "30d"),  # already sent by an earlier sweep
    ):
        assert claim(any_ctx.engine, key, None, now)
        mark_sent(any_ctx.engine, key, now)
    plan = plan_of(any_ctx, SEP_2)
    assert {d.email for d in plan.due} == {"grad@e.k12.al.us", "done@c.k12.al.us"}
    assert plan.already == 1
    assert due_of(plan_of(any_ctx, date(2025, 9, 16))) >= {(FY_DEADLINE, "snooze@d.k12.al.us", 2025, "14d")}


def test_cto_academy_steps(any_ctx: Context) -> None:
    seed(any_ctx)  # Alex took the role on 2024-11-15: deadline 2026-11-15 (a Sunday); Eli has completed it
    assert due_of(plan_of(any_ctx, date(2026, 5, 18))) == set()
    assert due_of(plan_of(any_ctx, date(2026, 5, 19))) == {(CTO_ACADEMY, "td@a.k12.al.us", 2026, "180d")}
    assert due_of(plan_of(any_ctx, date(2026, 11, 13))) == {(CTO_ACADEMY, "td@a.k12.al.us", 2027, "7d")}
    overdue = plan_of(any_ctx, date(2026, 11, 23))  # today: overdue since Monday Nov 16
    assert due_of(overdue) == {(CTO_ACADEMY, "td@a.k12.al.us", 2027, "overdue-1")}
    text = overdue.due[0].reply.to_text()
    assert "CTO Academy is overdue" in text and "November 15, 2026" in text
    assert due_of(plan_of(any_ctx, date(2027, 1, 4))) == {(CTO_ACADEMY, "td@a.k12.al.us", 2027, "overdue-2")}


async def test_digest_while_items_wait_more_than_three_days(any_ctx: Context) -> None:
    seed(any_ctx)
    actor = find_actor(any_ctx, "td@a.k12.al.us", "slack")
    assert actor is not None
    values: dict[str, Any] = {
        "title": "Alabama Cyber Summit",
        "organiser": "AL Cyber",
        "start": "2025-08-20",
        "end": "2025-08-21",
        "in_person": "true",
        "hours": "3",
        "strands": ["5"],
        "agenda_url": "https://example.org/agenda",
    }
    any_ctx.today = SEP_2
    any_ctx.now = datetime(2025, 8, 29, 15, 0, tzinfo=UTC)
    reply = create_request(any_ctx, actor, values, client_key="req-1", platform="slack")
    assert reply.ok, reply.to_text()
    with any_ctx.session() as s:
        early = decide(s, SEP_2, datetime(2025, 9, 1, 15, 0, tzinfo=UTC), CHANNELS)  # 3 days: not yet
        late = decide(s, SEP_2, datetime(2025, 9, 1, 15, 1, tzinfo=UTC), CHANNELS)
    assert not [d for d in early.due if d.kind == REVIEW_DIGEST]
    digests = [d for d in late.due if d.kind == REVIEW_DIGEST]
    assert {(d.email, d.platform, d.channel, d.key.step) for d in digests} == {
        ("slack:C0REVIEW", "slack", "C0REVIEW", "2025-09-02"),
        ("teams:19:review@thread.tacv2", "teams", "19:review@thread.tacv2", "2025-09-02"),
    }
    text = digests[0].reply.to_text()
    assert "1 review item waiting more than 3 days" in text
    assert "Alabama Cyber Summit" in text and "Alex Director" in text


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_deciding_takes_the_same_few_queries_for_5_or_50_directors(any_ctx: Context) -> None:
    seed(any_ctx)
    with counting(any_ctx.engine) as few:
        small = plan_of(any_ctx, SEP_2, CHANNELS)
    more = "email,name,district,role_start,cto_completed,roles\n" + "".join(
        f"td{i}@z.k12.al.us,Z Director {i},Zulu {i},2024-10-{1 + i % 28:02d},,director\n" for i in range(45)
    )
    any_ctx.today = SEP_2
    load(any_ctx, "roster", more)
    with counting(any_ctx.engine) as many:
        big = plan_of(any_ctx, SEP_2, CHANNELS)
    assert len(big.due) == len(small.due) + 45
    assert len(many) == len(few) <= 12


def test_the_log_is_read_for_this_and_the_previous_fy(any_ctx: Context) -> None:
    """A CTO step sent in FY2026 stays sent on FY2027's first days (it is still the latest due step then)."""
    seed(any_ctx)
    key = Key(CTO_ACADEMY, "td@a.k12.al.us", 2026, "90d")  # sent 2026-08-17 (Monday)
    now = datetime.now(UTC) - timedelta(days=60)
    assert claim(any_ctx.engine, key, None, now)
    mark_sent(any_ctx.engine, key, now)
    plan = plan_of(any_ctx, date(2026, 10, 2))
    assert due_of(plan) == set() and plan.already == 1
