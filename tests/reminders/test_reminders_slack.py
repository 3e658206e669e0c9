"""The reminder sweep delivered through the real SlackNotifier to a local fake Slack Web API, on SQLite and
PostgreSQL: directors who never wrote to the bot are found by e-mail, the same sweep twice sends nothing new, 429s
and 5xx lose nothing, a crash between claim and send is delivered by the next sweep, two sweeps racing (each with
its own engine, in two threads) send each reminder once, and whoever cannot be reached is named in the digest."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.settings import Settings
from bot.slack.client import make_client
from bot.slack.notifier import SlackNotifier
from handlers.context import Context
from handlers.reminders.delivery import SweepReport, sweep
from handlers.reminders.due import FY_DEADLINE
from storage.db import make_engine
from storage.reminders import LEASE, Key, claim
from storage.tables import ReminderLog
from tests.conftest import load
from tests.fakes.slack_api import FakeSlackApi
from tests.reminders.test_reminders_decide import SEP_2, seed

TOKEN = "xoxb-test-token"
REVIEW = [("slack", "C0REVIEW")]
ON_SLACK = {"UTD": "td@a.k12.al.us", "UDONE": "done@c.k12.al.us", "UGRAD": "grad@e.k12.al.us"}
DM = {f"D{u}": email for u, email in ON_SLACK.items()}  # the fake opens DM channel "D" + user id
# snooze@d.k12.al.us is a director with no Slack account: unreachable


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi(bot_token=TOKEN)
    await api.start()
    for user, email in ON_SLACK.items():
        api.add_user(user, email)
    yield api
    await api.close()


def notifier(fake: FakeSlackApi, ctx: Context) -> SlackNotifier:
    settings = Settings(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake.api_url, SLACK_HTTP_TIMEOUT=5)
    return SlackNotifier(make_client(settings), ctx.engine, ctx.evidence_store())


async def run(fake: FakeSlackApi, ctx: Context) -> SweepReport:
    return await sweep(ctx, [notifier(fake, ctx)], REVIEW)


def posts(fake: FakeSlackApi) -> Counter[str]:
    """Messages the fake accepted, by channel (the failed attempts answered 429/500 are not counted)."""
    return Counter(str(p["channel"]) for p in fake.calls_to("chat.postMessage"))


async def test_a_sweep_reaches_everyone_once_and_again_sends_nothing(any_ctx: Context, fake: FakeSlackApi) -> None:
    seed(any_ctx)
    any_ctx.today = SEP_2
    report = await run(fake, any_ctx)
    assert posts(fake) == {"DUTD": 1, "DUDONE": 1, "DUGRAD": 1, "C0REVIEW": 1}
    assert (report.due, report.sent, report.failed, report.unreachable) == (5, 4, 0, 1)  # 4 DMs + the digest
    assert sorted(p["email"] for p in fake.calls_to("users.lookupByEmail")) == sorted(
        [*ON_SLACK.values(), "snooze@d.k12.al.us"]
    )
    by_channel = {str(p["channel"]): p for p in fake.calls_to("chat.postMessage")}
    alex = str(by_channel["DUTD"]["text"]) + str(by_channel["DUTD"].get("blocks"))
    assert "8 hours" in alex and "/ceu status" in alex and "ALET Region Meeting September" in alex
    assert "Congratulations, Casey" in str(by_channel["DUDONE"]["text"]) + str(by_channel["DUDONE"].get("blocks"))
    digest = str(by_channel["C0REVIEW"]["text"]) + str(by_channel["C0REVIEW"].get("blocks"))
    assert "could not be reached" in digest and "snooze@d.k12.al.us" in digest
    assert "the hours reminder, " in digest and "before the deadline" in digest  # people's words, not log ids
    assert "fy_deadline" not in digest and "fy_complete" not in digest

    fake.reset_calls()
    again = await run(fake, any_ctx)
    assert posts(fake) == {}  # nothing twice: the DM channels found last time are used, nothing is re-sent
    assert again.sent == 0 and again.unreachable == 1
    assert [p["email"] for p in fake.calls_to("users.lookupByEmail")] == ["snooze@d.k12.al.us"]

    fake.reset_calls()
    any_ctx.today = SEP_2 + timedelta(days=14)  # 2025-09-16: the 14-day step
    nxt = await run(fake, any_ctx)
    assert posts(fake) == {"DUTD": 1, "DUGRAD": 1, "C0REVIEW": 1}  # Casey was congratulated: no more FY reminders
    assert nxt.sent == 3 and nxt.unreachable == 1  # Dana's 14-day step is a new one to report


async def test_rate_limits_and_server_errors_lose_nothing(any_ctx: Context, fake: FakeSlackApi) -> None:
    seed(any_ctx)
    any_ctx.today = SEP_2
    fake.rate_limit("chat.postMessage", times=7, retry_after=0)  # more than the client's retries: some fail
    fake.queue("chat.postMessage", status=500, body={"ok": False, "error": "internal_error"})
    fake.queue("chat.postMessage", status=503, body={"ok": False, "error": "service_unavailable"})
    first = await run(fake, any_ctx)
    assert first.failed >= 1
    sweeps = 1
    total = first.sent
    while sweeps < 6:
        report = await run(fake, any_ctx)
        sweeps += 1
        total += report.sent
        if report.failed == 0:
            break
    accepted = Counter(str(p["channel"]) for p in fake.calls_to("chat.postMessage"))  # every attempt, refused or not
    assert set(accepted) == {"DUTD", "DUDONE", "DUGRAD", "C0REVIEW"}
    assert total == 4  # each reminder sent exactly once in the end
    with Session(any_ctx.engine) as s:
        rows = s.exec(select(ReminderLog).where(ReminderLog.kind != "review_digest")).all()
    sent = {r.recipient for r in rows if r.sent_at is not None}
    assert sent == set(ON_SLACK.values())


async def test_a_crash_between_claim_and_send_is_delivered_next_sweep(any_ctx: Context, fake: FakeSlackApi) -> None:
    seed(any_ctx)
    any_ctx.today = SEP_2
    crashed = Key(FY_DEADLINE, "td@a.k12.al.us", 2025, "30d")
    long_ago = datetime.now(UTC) - LEASE - timedelta(minutes=1)
    assert claim(any_ctx.engine, crashed, None, long_ago)  # claimed by a sweep that died before sending
    fresh = Key(FY_DEADLINE, "grad@e.k12.al.us", 2025, "30d")
    assert claim(any_ctx.engine, fresh, None, datetime.now(UTC))  # another sweep is sending this one right now
    report = await run(fake, any_ctx)
    assert posts(fake)["DUTD"] == 1  # the crashed claim's lease is over: delivered
    assert "DUGRAD" not in posts(fake)  # still leased to the other sweep: not doubled
    assert report.already == 1


async def test_two_sweeps_racing_send_each_reminder_once(
    any_ctx: Context, db_url: str, fake: FakeSlackApi, tmp_path: Path
) -> None:
    seed(any_ctx)
    extra = "email,name,district,role_start,cto_completed,roles\n" + "".join(
        f"td{i}@z.k12.al.us,Zed {i},Zulu {i},2015-07-01,,director\n" for i in range(20)
    )
    any_ctx.today = SEP_2
    load(any_ctx, "roster", extra)
    for i in range(20):
        fake.add_user(f"UZ{i}", f"td{i}@z.k12.al.us")

    def one_sweep() -> SweepReport:
        engine = make_engine(db_url)  # each replica its own engine and pool (the schema is there already)
        try:
            ctx = Context(engine, SEP_2, evidence_dir=tmp_path / "evidence")
            return asyncio.run(sweep(ctx, [notifier(fake, ctx)], REVIEW))
        finally:
            engine.dispose()

    a, b = await asyncio.gather(asyncio.to_thread(one_sweep), asyncio.to_thread(one_sweep))
    counts = posts(fake)
    assert max(counts.values()) == 1, counts  # nobody got anything twice
    assert len(counts) == 3 + 20 + 1  # every reachable director, and the digest
    assert a.sent + b.sent == 24
    assert a.already + b.already >= 24 - max(a.sent, b.sent)
