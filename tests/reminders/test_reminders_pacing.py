"""The sweep paces its sends (about one Slack message a second, Teams unpaced), on a clock the tests own so nothing
sleeps for real; deciding is not paced; and the sweep's own Slack client waits out a run of 429s (Retry-After)
that the interactive client, with its two retries, would give up on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

from bot.app import build_services
from bot.scheduler import SWEEP_PACE_SECONDS, SWEEP_RATE_LIMIT_RETRIES, run_sweep, sweep_slack_client
from bot.slack.client import RATE_LIMIT_RETRIES, make_client
from bot.slack.notifier import SlackNotifier
from handlers.notify import Delivery, DeliveryStatus, Recipient
from handlers.reminders.delivery import Pace, PacedNotifier
from handlers.reply import Reply
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import settings_for
from tests.reminders.test_reminders_decide import SEP_2, seed
from tests.reminders.test_reminders_retries import Clock

ON_SLACK = {"UTD": "td@a.k12.al.us", "UDONE": "done@c.k12.al.us", "UGRAD": "grad@e.k12.al.us"}


class Recorder:
    """A notifier that notes the (virtual) time of each send."""

    def __init__(self, platform: str, clock: Clock) -> None:
        self.platform = platform
        self.clock = clock
        self.at: list[float] = []

    async def send_dm(self, recipient: Recipient, reply: Reply) -> Delivery:
        self.at.append(self.clock.now())
        return Delivery(DeliveryStatus.SENT, self.platform)

    async def post_channel(self, channel: str, reply: Reply) -> Delivery:
        self.at.append(self.clock.now())
        return Delivery(DeliveryStatus.SENT, self.platform)

    async def update_message(self, channel: str, message_id: str, reply: Reply) -> Delivery:
        self.at.append(self.clock.now())
        return Delivery(DeliveryStatus.SENT, self.platform)


async def test_one_send_a_second_per_platform_and_none_for_an_unpaced_one() -> None:
    clock = Clock()
    pace = Pace({"slack": 1.0}, sleep=clock.sleep, clock=clock.now)
    slack, teams = Recorder("slack", clock), Recorder("teams", clock)
    ps, pt = PacedNotifier(slack, pace), PacedNotifier(teams, pace)
    who = Recipient(1, "a@b.c", "A")
    for _ in range(3):
        await ps.send_dm(who, Reply(title="x"))
        await pt.send_dm(who, Reply(title="x"))
    await ps.post_channel("C1", Reply(title="x"))
    await ps.update_message("C1", "1.2", Reply(title="x"))
    assert slack.at == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert teams.at == [0.0, 1.0, 2.0]  # not paced itself (it only shares the clock that Slack's waits move)
    assert clock.sleeps == [1.0] * 4


async def test_concurrent_senders_still_go_one_a_second() -> None:
    clock = Clock()
    pace = Pace({"slack": 0.5}, sleep=clock.sleep, clock=clock.now)
    slack = Recorder("slack", clock)
    paced = PacedNotifier(slack, pace)
    await asyncio.gather(*(paced.send_dm(Recipient(i, f"{i}@x", ""), Reply(title="x")) for i in range(4)))
    assert slack.at == [0.0, 0.5, 1.0, 1.5]


async def test_a_time_gap_longer_than_the_interval_costs_no_wait() -> None:
    clock = Clock()
    pace = Pace({"slack": 1.0}, sleep=clock.sleep, clock=clock.now)
    await pace.wait("slack")
    clock.t += 5
    await pace.wait("slack")
    assert clock.sleeps == []


async def test_the_sweep_paces_its_slack_sends_without_sleeping_for_real(tmp_path: Path, db_url: str) -> None:
    fake = FakeSlackApi()
    await fake.start()
    for user, email in ON_SLACK.items():
        fake.add_user(user, email)
    services = build_services(settings_for(tmp_path, db_url, fake.api_url, today=SEP_2, SLACK_REVIEW_CHANNEL="C0R"))
    try:
        seed(services.context())
        clock = Clock()
        started = time.monotonic()
        notifier = SlackNotifier(make_client(services.settings), services.engine, services.evidence)
        report = await run_sweep(services, [notifier], pace=Pace({"slack": 1.0}, sleep=clock.sleep, clock=clock.now))
        assert report.sent == 4  # 3 DMs and the digest naming the director Slack does not know
        assert report.unreachable == 1
        assert clock.sleeps == [1.0] * 4  # 5 sends (one unreachable lookup among them), one second apart
        assert time.monotonic() - started < 5  # and no real second was slept
    finally:
        await fake.close()
        services.engine.dispose()


def test_the_default_pace_is_about_one_slack_message_a_second() -> None:
    assert SWEEP_PACE_SECONDS == {"slack": 1.0}


def _rate_limit_budget(handlers: Sequence[object]) -> list[int]:
    return [h.max_retry_count for h in handlers if isinstance(h, AsyncRateLimitErrorRetryHandler)]


async def test_the_sweeps_slack_client_waits_out_a_run_of_429s(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # slack_sdk sleeps Retry-After plus up to a second of jitter: no jitter here, and Retry-After 0
    monkeypatch.setattr(builtin_async_handlers.random, "random", lambda: 0.0)
    fake = FakeSlackApi()
    await fake.start()
    fake.add_user("UTD", "td@a.k12.al.us")
    settings = settings_for(tmp_path, db_url, fake.api_url, today=SEP_2)
    services = build_services(settings)
    try:
        client = sweep_slack_client(settings)
        assert _rate_limit_budget(client.retry_handlers) == [SWEEP_RATE_LIMIT_RETRIES]
        assert _rate_limit_budget(make_client(settings).retry_handlers) == [RATE_LIMIT_RETRIES]  # unchanged
        assert SWEEP_RATE_LIMIT_RETRIES >= 8
        who = Recipient(1, "td@a.k12.al.us", "Alex")

        fake.rate_limit("users.lookupByEmail", times=RATE_LIMIT_RETRIES + 1, retry_after=0)
        interactive = await SlackNotifier(make_client(settings), services.engine, services.evidence).send_dm(
            who, Reply(title="hi")
        )
        assert interactive.status is DeliveryStatus.FAILED  # two retries are not enough

        fake.rate_limit("users.lookupByEmail", times=RATE_LIMIT_RETRIES + 3, retry_after=0)
        swept = await SlackNotifier(client, services.engine, services.evidence).send_dm(who, Reply(title="hi"))
        assert swept.status is DeliveryStatus.SENT
    finally:
        await fake.close()
        services.engine.dispose()
