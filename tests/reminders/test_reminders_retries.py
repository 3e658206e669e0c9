"""What failed the first time is sent by the daily sweep (the same code as `ceu-bot remind`), exactly once, on SQLite
and PostgreSQL, through the real SlackNotifier to the fake Slack Web API:

- a review post whose chat.postMessage failed is posted to the reviewers' channel by the next sweep (and listed by
  the dry run), and not again by the sweep after;
- a decision notice the submitter never got (an outbox row of the decision, claimed before it is sent and released
  when it fails) is sent by the next sweep once; one that went out is never sent again; one claimed by a live
  sender is left to it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.app import Services, build_services
from bot.runner import off_loop
from bot.scheduler import run_sweep
from bot.slack.client import make_client
from bot.slack.notifier import SlackNotifier
from handlers.context import Context
from handlers.payloads import Requested
from handlers.people import find_actor
from handlers.reminders.delivery import SweepReport
from handlers.reminders.due import REVIEW_POST
from handlers.reminders.pacing import Limits, Pace
from handlers.reminders.plan import decide
from handlers.request import create_request
from handlers.review import decide as decide_item
from handlers.review_flow import ReviewFlow
from storage.outbox import DM, claim
from storage.tables import Outbox, ReviewPost
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import REVIEW_CHANNEL, USERS, settings_for
from tests.reminders.test_reminders_cli import RemindCli
from tests.reminders.test_reminders_decide import SEP_2, seed

TITLE = "Alabama Cyber Summit"
REQUEST_VALUES: dict[str, Any] = {
    "title": TITLE,
    "organiser": "AL Cyber",
    "start": "2025-08-20",
    "end": "2025-08-21",
    "in_person": "true",
    "hours": "3",
    "strands": ["5"],
    "agenda_url": "https://example.org/agenda",
}


class Clock:
    """A pace that never waits for real: sleeping moves this clock on."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


@dataclass
class World:
    fake: FakeSlackApi
    services: Services
    clock: Clock

    def ctx(self) -> Context:
        return self.services.context()

    def notifier(self) -> SlackNotifier:
        return SlackNotifier(make_client(self.services.settings), self.services.engine, self.services.evidence)

    def fanout(self) -> ReviewFlow:
        flow = ReviewFlow(offload=off_loop)
        flow.add(self.notifier(), REVIEW_CHANNEL)
        return flow

    async def sweep(self) -> SweepReport:
        pace = Pace({"slack": Limits(1.0, 60)}, sleep=self.clock.sleep, clock=self.clock.now)
        return await run_sweep(self.services, [self.notifier()], pace=pace)

    def posts_of(self, needle: str, channel: str | None = None) -> list[dict[str, Any]]:
        return [
            p
            for p in self.fake.calls_to("chat.postMessage")
            if (channel is None or p.get("channel") == channel) and needle in str(p.get("text")) + str(p.get("blocks"))
        ]

    def dm_row(self) -> Outbox:
        with self.ctx().session() as s:
            return s.exec(select(Outbox).where(Outbox.kind == DM)).one()


@pytest.fixture
async def world(tmp_path: Path, db_url: str) -> AsyncIterator[World]:
    fake = FakeSlackApi()
    await fake.start()
    for user_id, email in USERS.items():
        fake.add_user(user_id, email)
    services = build_services(settings_for(tmp_path, db_url, fake.api_url, today=SEP_2))
    try:
        seed(services.context())
        yield World(fake, services, Clock())
    finally:
        await fake.close()
        services.engine.dispose()


def requested(w: World) -> int:
    """An event request by Alex, made an hour ago (so no submit flow is still posting it)."""
    ctx = w.ctx()
    ctx.now = datetime.now(UTC) - timedelta(hours=1)
    actor = find_actor(ctx, "td@a.k12.al.us", "slack")
    assert actor is not None
    reply = create_request(ctx, actor, REQUEST_VALUES, client_key="req-1", platform="slack")
    assert reply.ok, reply.to_text()
    return reply.expect(Requested).request_id


async def test_a_failed_review_post_is_posted_by_the_next_sweep_once(world: World) -> None:
    w = world
    request_id = requested(w)
    w.fake.fail("chat.postMessage", "internal_error")  # the first post to the reviewers' channel fails
    assert await w.fanout().post(w.ctx(), "request", request_id) == 0
    w.fake.reset_calls()
    with w.ctx().session() as s:
        assert not s.exec(select(ReviewPost)).all()
        plan = decide(s, SEP_2, datetime.now(UTC), [("slack", REVIEW_CHANNEL)])
    assert [(r.kind, r.step, r.platforms, r.title) for r in plan.reposts] == [
        (REVIEW_POST, f"request:{request_id}", ("slack",), TITLE)
    ]

    report = await w.sweep()
    assert report.reposted == 1
    (post,) = w.posts_of(TITLE, REVIEW_CHANNEL)
    assert "review.approve" in str(post.get("blocks"))  # the review message with its buttons, not a digest line
    with w.ctx().session() as s:
        (row,) = s.exec(select(ReviewPost)).all()
        assert (row.item_type, row.item_id, row.platform, row.channel) == ("request", request_id, "slack", "CREVIEW")

    again = await w.sweep()
    assert again.reposted == 0
    assert len(w.posts_of(TITLE, REVIEW_CHANNEL)) == 1
    with w.ctx().session() as s:
        assert decide(s, SEP_2, datetime.now(UTC), [("slack", REVIEW_CHANNEL)]).reposts == []


async def test_items_just_made_or_still_waiting_for_evidence_are_not_reposted(world: World) -> None:
    w = world
    ctx = w.ctx()
    actor = find_actor(ctx, "td@a.k12.al.us", "slack")
    assert actor is not None
    assert create_request(ctx, actor, REQUEST_VALUES, client_key="req-new", platform="slack").ok  # made just now
    with ctx.session() as s:
        assert decide(s, SEP_2, datetime.now(UTC), [("slack", REVIEW_CHANNEL)]).reposts == []
        later = decide(s, SEP_2, datetime.now(UTC) + timedelta(minutes=11), [("slack", REVIEW_CHANNEL)])
        assert [r.step for r in later.reposts] == ["request:1"]
        assert decide(s, SEP_2, datetime.now(UTC) + timedelta(minutes=11), []).reposts == []  # no channel: none


def test_the_dry_run_lists_a_review_post_to_retry(tmp_path: Path) -> None:
    cli = RemindCli(tmp_path, today="2025-09-02", review_channel="C0REVIEW")
    cli.seed()
    engine = cli.engine()
    try:
        ctx = Context(engine, SEP_2, datetime.now(UTC) - timedelta(hours=1))
        actor = find_actor(ctx, "td@a.k12.al.us", "slack")
        assert actor is not None
        assert create_request(ctx, actor, REQUEST_VALUES, client_key="req-1", platform="slack").ok
    finally:
        engine.dispose()
    run = cli.ok("remind", "--dry-run", "--today", "2025-09-02", "--json")
    lines = [json.loads(line) for line in run.out.splitlines()]
    assert lines[0] == {
        "kind": "review_post",
        "email": "slack",
        "name": "td@a.k12.al.us",
        "fy": 2025,
        "step": "request:1",
        "title": TITLE,
    }
    text = cli.ok("remind", "--dry-run", "--today", "2025-09-02")
    assert text.out.splitlines()[0].split()[:4] == ["review_post", "slack", "FY2025", "request:1"]


async def decided(w: World, *, fail_dm: bool) -> int:
    """Alex's request, posted, approved by Robin; the notice to Alex is an outbox row, delivered once here."""
    request_id = requested(w)
    fanout = w.fanout()
    assert await fanout.post(w.ctx(), "request", request_id) == 1
    ctx = w.ctx()
    reviewer = find_actor(ctx, "rev@alet.org", "slack")
    assert reviewer is not None
    decision = decide_item(ctx, reviewer, "request", request_id, True)
    assert decision.ok and decision.dm is not None and decision.recipient is not None
    if fail_dm:
        w.fake.fail("chat.postMessage", "internal_error")
    await fanout.settle(ctx)  # what the delivery loop of `serve` does
    w.fake.reset_calls()  # the fake lists failed calls too: count from here
    assert (w.dm_row().done_at is None) is fail_dm
    return request_id


def notices(w: World, request_id: int) -> list[dict[str, Any]]:
    return w.posts_of(f"event request #{request_id} was approved", "DUTD")


async def test_a_failed_decision_notice_is_sent_by_the_next_sweep_exactly_once(world: World) -> None:
    w = world
    request_id = await decided(w, fail_dm=True)
    assert notices(w, request_id) == []
    row = w.dm_row()
    assert (row.item_type, row.item_id, row.done_at, row.claimed_at) == ("request", request_id, None, None)
    assert "failed" in row.last_error  # released for a later pass (after a backoff) or the next sweep

    first = await w.sweep()
    assert first.failed == 0 and first.outbox == 1
    (sent,) = notices(w, request_id)
    assert "REQ-" in str(sent.get("text")) + str(sent.get("blocks"))  # approved and added to the catalog
    assert "Directors can now “submit” their hours" in str(sent.get("text")) + str(sent.get("blocks"))
    assert w.dm_row().done_at is not None
    await w.sweep()
    assert len(notices(w, request_id)) == 1  # exactly once


async def test_a_decision_notice_that_went_out_is_not_sent_again(world: World) -> None:
    w = world
    request_id = await decided(w, fail_dm=False)
    assert w.dm_row().done_at is not None
    await w.sweep()
    assert notices(w, request_id) == []


async def test_a_notice_being_sent_now_is_left_to_its_sender(world: World) -> None:
    """A claim younger than the lease belongs to a sender still in flight: the sweep does not send it."""
    w = world
    request_id = await decided(w, fail_dm=True)
    row = w.dm_row()
    assert claim(w.services.engine, row.id or 0, datetime.now(UTC), force=True)  # re-claimed, as a live sender would
    await w.sweep()
    assert notices(w, request_id) == []
