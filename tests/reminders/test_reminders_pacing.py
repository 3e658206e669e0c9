"""The sweep paces its sends per channel (a DM is its own channel: at most one a second into it) within a
workspace-wide budget a minute per platform (a token bucket), on a clock the tests own so nothing sleeps for real; a
429's Retry-After pauses the whole platform; deciding is not paced; and the sweep's own Slack client waits out a
run of 429s (Retry-After) that the interactive client, with its two retries, would give up on, telling the pace."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import pytest
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

from bot.app import build_services
from bot.scheduler import SWEEP_RATE_LIMIT_RETRIES, run_sweep, sweep_limits, sweep_slack_client
from bot.settings import Settings
from bot.slack.client import RATE_LIMIT_RETRIES, make_client
from bot.slack.notifier import SlackNotifier
from handlers.notify import Delivery, DeliveryStatus, Recipient
from handlers.reminders.pacing import Limits, Pace, PacedNotifier
from handlers.reply import Reply
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import settings_for
from tests.reminders.test_reminders_decide import SEP_2, seed
from tests.reminders.test_reminders_retries import Clock

ON_SLACK = {"UTD": "td@a.k12.al.us", "UDONE": "done@c.k12.al.us", "UGRAD": "grad@e.k12.al.us"}
X = Reply(title="x")


class Recorder:
    """A notifier that notes the (virtual) time and the channel of each send."""

    def __init__(self, platform: str, clock: Clock) -> None:
        self.platform = platform
        self.clock = clock
        self.at: list[float] = []
        self.sends: list[tuple[str, float]] = []

    def _note(self, channel: str) -> Delivery:
        self.at.append(self.clock.now())
        self.sends.append((channel, self.clock.now()))
        return Delivery(DeliveryStatus.SENT, self.platform)

    async def send_dm(self, recipient: Recipient, reply: Reply) -> Delivery:
        return self._note(f"dm:{recipient.person_id}")

    async def post_channel(self, channel: str, reply: Reply) -> Delivery:
        return self._note(channel)

    async def update_message(self, channel: str, message_id: str, reply: Reply) -> Delivery:
        return self._note(channel)


def _per_channel(sends: list[tuple[str, float]]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for channel, at in sends:
        out[channel].append(at)
    return out


def _most_in_a_minute(times: list[float]) -> int:
    most, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= 60:
            first += 1
        most = max(most, last - first + 1)
    return most


async def test_one_send_a_second_per_channel_others_go_meanwhile() -> None:
    clock = Clock()
    pace = Pace({"slack": Limits(1.0, 600)}, sleep=clock.sleep, clock=clock.now)
    slack = Recorder("slack", clock)
    paced = PacedNotifier(slack, pace)
    alex, blair = Recipient(1, "a@b.c", "A"), Recipient(2, "b@b.c", "B")
    for _ in range(3):
        await paced.send_dm(alex, X)
        await paced.send_dm(blair, X)
    await paced.post_channel("C1", X)
    await paced.update_message("C1", "1.2", X)
    assert slack.sends == [
        ("dm:1", 0.0),
        ("dm:2", 0.0),  # another channel: no wait
        ("dm:1", 1.0),  # the same channel: a second after its last send
        ("dm:2", 1.0),
        ("dm:1", 2.0),
        ("dm:2", 2.0),
        ("C1", 2.0),
        ("C1", 3.0),
    ]


async def test_thirteen_thousand_dms_take_the_budget_not_hours() -> None:
    clock = Clock()
    pace = Pace({"slack": Limits(1.0, 300)}, sleep=clock.sleep, clock=clock.now)
    slack = Recorder("slack", clock)
    paced = PacedNotifier(slack, pace)
    for i in range(13_000):
        await paced.send_dm(Recipient(i + 1, f"td{i}@x", ""), X)
    assert len(slack.at) == 13_000
    assert slack.at == sorted(slack.at)
    assert _most_in_a_minute(slack.at) <= 300 + 5  # the budget, plus at most one burst of a second's worth
    assert slack.at[-1] == pytest.approx((13_000 - 5) / 5)  # about 43 minutes, not 3.6 hours
    assert slack.at[-1] < 45 * 60


async def test_a_rate_limit_pauses_the_whole_platform_and_no_other() -> None:
    clock = Clock()
    pace = Pace({"slack": Limits(1.0, 600), "teams": Limits(1.0, 600)}, sleep=clock.sleep, clock=clock.now)
    slack, teams = Recorder("slack", clock), Recorder("teams", clock)
    ps, pt = PacedNotifier(slack, pace), PacedNotifier(teams, pace)
    await ps.send_dm(Recipient(1, "a@x", ""), X)
    pace.pause("slack", 30)  # a 429 with Retry-After: 30
    pace.pause("slack", 5)  # a shorter one does not shorten it
    await pt.send_dm(Recipient(2, "b@x", ""), X)
    await ps.send_dm(Recipient(3, "c@x", ""), X)
    await ps.post_channel("C1", X)
    assert teams.at == [0.0]
    assert slack.sends == [("dm:1", 0.0), ("dm:3", 30.0), ("C1", 30.0)]


async def test_concurrent_senders_into_one_channel_still_go_one_at_a_time() -> None:
    clock = Clock()
    pace = Pace({"slack": Limits(0.5, 0)}, sleep=clock.sleep, clock=clock.now)
    slack = Recorder("slack", clock)
    paced = PacedNotifier(slack, pace)
    await asyncio.gather(*(paced.post_channel("C1", X) for _ in range(4)))
    assert slack.at == [0.0, 0.5, 1.0, 1.5]


async def test_a_time_gap_longer_than_the_interval_costs_no_wait() -> None:
    clock = Clock()
    pace = Pace({"slack": Limits(1.0, 60)}, sleep=clock.sleep, clock=clock.now)
    await pace.wait("slack", "C1")
    clock.t += 5
    await pace.wait("slack", "C1")
    await pace.wait("teams", "C1")  # no limits for it: not paced
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
        notifier = SlackNotifier(make_client(services.settings), services.engine, services.evidence)
        pace = Pace({"slack": Limits(1.0, 60)}, sleep=clock.sleep, clock=clock.now)  # one a second overall
        report = await run_sweep(services, [notifier], pace=pace)
        assert report.sent == 4  # 3 DMs and the digest naming the director Slack does not know
        assert report.unreachable == 1
        assert clock.sleeps == [1.0] * 4  # 5 sends (one unreachable lookup among them), one second apart
    finally:
        await fake.close()
        services.engine.dispose()


def test_the_default_pace_is_one_a_second_per_channel_within_a_workspace_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limits = sweep_limits(Settings())
    assert limits == {"slack": Limits(1.0, 300), "teams": Limits(1.0, 1200)}
    assert limits["slack"].burst == 5
    monkeypatch.setenv("CEU_SLACK_MESSAGES_PER_MINUTE", "120")
    assert sweep_limits(Settings())["slack"] == Limits(1.0, 120)


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


async def test_a_429_on_the_sweeps_client_pauses_every_slack_send(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(builtin_async_handlers.random, "random", lambda: 0.0)
    fake = FakeSlackApi()
    await fake.start()
    fake.add_user("UTD", "td@a.k12.al.us")
    settings = settings_for(tmp_path, db_url, fake.api_url, today=SEP_2)
    services = build_services(settings)
    try:
        clock = Clock()
        pace = Pace({"slack": Limits(1.0, 600)}, sleep=clock.sleep, clock=clock.now)
        notifier = SlackNotifier(sweep_slack_client(settings, pace), services.engine, services.evidence)
        paced = PacedNotifier(notifier, pace)
        fake.rate_limit("chat.postMessage", times=1, retry_after=1)  # slack_sdk waits that second for real
        first = await paced.send_dm(Recipient(1, "td@a.k12.al.us", "Alex"), Reply(title="hi"))
        assert first.status is DeliveryStatus.SENT  # retried after Retry-After
        assert clock.sleeps == []
        await paced.post_channel("C0OTHER", Reply(title="digest"))  # another channel: it waits out the pause too
        assert clock.sleeps == [1.0]
        assert len(fake.calls_to("chat.postMessage")) >= 2
    finally:
        await fake.close()
        services.engine.dispose()
