"""How handlers reach people and channels without knowing the platform: each platform's adapter
(bot/slack/notifier.py, bot/teams/notifier.py) implements `Notifier`; handlers and the reminder sweep only
see this protocol and the neutral Reply."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from handlers.context import Context
from handlers.reply import Reply


class DeliveryStatus(StrEnum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # the person has no account we can reach on this platform
    FAILED = "failed"  # a transient error (429, 5xx, network): retry on the next sweep


@dataclass(frozen=True)
class Delivery:
    status: DeliveryStatus
    platform: str
    message_id: str = ""  # platform message id (Slack ts, Teams activity id) when sent
    channel: str = ""  # where it went (Slack channel id, Teams conversation id)
    error: str = ""


@dataclass(frozen=True)
class Recipient:
    person_id: int
    email: str
    name: str


class Notifier(Protocol):
    platform: str

    async def send_dm(self, recipient: Recipient, reply: Reply) -> Delivery:
        """Direct message to a roster person (looked up by e-mail when they never wrote to the bot)."""
        ...

    async def post_channel(self, channel: str, reply: Reply) -> Delivery:
        """Post to a channel (the reviewers' channel)."""
        ...

    async def update_message(self, channel: str, message_id: str, reply: Reply) -> Delivery:
        """Replace a message the bot posted earlier (a review card after the decision)."""
        ...


class HomePublisher(Protocol):
    """A platform with a Home per person (Slack's App Home): publishes what handlers.home builds."""

    platform: str

    async def publish_home(self, ctx: Context, person_id: int | None) -> Delivery:
        """Publish `person_id`'s Home again (None: every reviewer's, SDE's and admin's); SENT also when the
        person has no account there (nothing to do)."""
        ...
