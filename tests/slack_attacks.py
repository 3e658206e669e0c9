"""Hostile Slack requests for the trust tests: raw-byte posts with any headers, signatures over any timestamp
string, and the checks that a refused request left no trace (no call of any kind to the fake Slack, no row
written, one short log line without a traceback)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sqlmodel import select

from storage.tables import AuditLog, ChatIdentity, EventRequest, Person, Submission
from tests.fakes.slack_harness import SlackBot
from tests.slack_signing import SECRET

MARKER = "MARKER-7f3a9c"  # put in every hostile body: it must never reach the log


def signature(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode("utf-8") + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def headers_for(
    body: bytes, timestamp: str, *, content_type: str = "application/x-www-form-urlencoded", secret: str = SECRET
) -> dict[str, str]:
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(body, timestamp, secret),
    }


async def post_raw(bot: SlackBot, body: bytes | AsyncIterator[bytes], headers: dict[str, str]) -> int:
    async with bot.http.post(bot.url, data=body, headers=headers) as resp:
        await resp.read()
        return resp.status


@dataclass
class Tally:
    """Figures for the lead's note: requests tried and refused correctly per category."""

    tried: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)

    def add(self, category: str, ok: bool) -> None:
        self.tried[category] = self.tried.get(category, 0) + 1
        self.refused[category] = self.refused.get(category, 0) + int(ok)

    def report(self, title: str) -> str:
        rows = [f"  {c}: tried {n}, refused correctly {self.refused[c]}" for c, n in self.tried.items()]
        total = f"  total: tried {sum(self.tried.values())}, refused correctly {sum(self.refused.values())}"
        return "\n".join([title, *rows, total])


def tracebacks(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.exc_info or "Traceback" in r.getMessage()]


def snapshot(bot: SlackBot) -> dict[str, object]:
    """What a request could have written: compare one taken before with one taken after."""
    with bot.ctx().session() as s:
        return {
            "identities": [i.external_id for i in s.exec(select(ChatIdentity)).all()],
            "audit": len(s.exec(select(AuditLog)).all()),
            "submissions": len(s.exec(select(Submission)).all()),
            "requests": len(s.exec(select(EventRequest)).all()),
            "snoozed": [p.email for p in s.exec(select(Person)).all() if p.snoozed_until is not None],
        }
