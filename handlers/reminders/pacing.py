"""Pacing the sweep's sends: per channel, within a workspace-wide budget, paused by a rate limit.

Slack's chat.postMessage allows about one message per second per channel (short bursts tolerated) within a
workspace-wide limit it does not publish (docs.slack.dev/apis/web-api/rate-limits: "Special" tier); Teams allows a
bot a few messages a second in one conversation and 50 requests a second per app and tenant
(learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit). A DM is its own channel, so thirteen
thousand reminders to thirteen thousand people are limited by the workspace budget only: a token bucket of
`per_minute` sends a minute (bursts of up to a second's worth), set by CEU_SLACK_MESSAGES_PER_MINUTE and
CEU_TEAMS_MESSAGES_PER_MINUTE. Two sends into one channel (a director's deadline and CTO Academy reminders, the
reviewers' digest and a repost) stay `per_channel` seconds apart. A 429's Retry-After (reported by the client,
bot/scheduler.py) pauses the whole platform. Only sending waits: deciding the sweep is never paced. `sleep` and
`clock` are injectable so tests never wait for real."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from handlers.notify import Delivery, Notifier, Recipient
from handlers.reply import Reply


@dataclass(frozen=True)
class Limits:
    per_channel: float = 1.0  # seconds between two sends into one channel (a DM is its own channel)
    per_minute: int = 0  # sends a minute over the whole workspace (0: no budget)

    @property
    def burst(self) -> float:
        """The bucket's size: a second's worth of the budget, at least one send."""
        return max(1.0, self.per_minute / 60)


class _Bucket:
    def __init__(self, limits: Limits, now: float) -> None:
        self.rate = limits.per_minute / 60  # tokens a second
        self.size = limits.burst
        self.tokens = self.size
        self.at = now

    def take(self, at: float) -> float:
        """Take one token at `at` or later: the time it is there."""
        if self.rate <= 0:
            return at
        at = max(at, self.at)
        self.tokens = min(self.size, self.tokens + (at - self.at) * self.rate)
        self.at = at
        if self.tokens < 1:
            at += (1 - self.tokens) / self.rate
            self.tokens, self.at = 1.0, at
        self.tokens -= 1
        return at


class Pace:
    """When each send may go, per platform: `limits[platform]` (a platform without limits is not paced)."""

    def __init__(
        self,
        limits: Mapping[str, Limits],
        *,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = dict(limits)
        self.sleep = sleep
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._channels: dict[tuple[str, str], float] = {}  # when the channel's next send may go
        self._paused: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def pause(self, platform: str, seconds: float) -> None:
        """A rate limit answered (429, Retry-After `seconds`): nothing more on `platform` until then."""
        until = self.clock() + max(0.0, seconds)
        self._paused[platform] = max(self._paused.get(platform, until), until)

    async def wait(self, platform: str, channel: str) -> None:
        limits = self.limits.get(platform)
        if limits is None:
            return
        async with self._locks.setdefault(platform, asyncio.Lock()):  # one send decided at a time, in order
            now = self.clock()
            key = (platform, channel)
            at = max(now, self._channels.get(key, now), self._paused.get(platform, now))
            bucket = self._buckets.setdefault(platform, _Bucket(limits, now))
            at = bucket.take(at)
            if at > now:
                await self.sleep(at - now)
            self._channels[key] = at + limits.per_channel


class PacedNotifier:
    """A Notifier whose every send first waits for its channel's and its workspace's turn in `pace` (a DM's channel
    is the person's)."""

    def __init__(self, inner: Notifier, pace: Pace) -> None:
        self.inner = inner
        self.pace = pace
        self.platform = inner.platform

    async def send_dm(self, recipient: Recipient, reply: Reply) -> Delivery:
        await self.pace.wait(self.platform, f"dm:{recipient.person_id or recipient.email}")
        return await self.inner.send_dm(recipient, reply)

    async def post_channel(self, channel: str, reply: Reply) -> Delivery:
        await self.pace.wait(self.platform, channel)
        return await self.inner.post_channel(channel, reply)

    async def update_message(self, channel: str, message_id: str, reply: Reply) -> Delivery:
        await self.pace.wait(self.platform, channel)
        return await self.inner.update_message(channel, message_id, reply)
