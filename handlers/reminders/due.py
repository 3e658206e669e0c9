"""What the reminder sweep decides: the kinds of reminder, one `Due` reminder and one review `Repost`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from handlers.reply import Reply
from storage.reminders import Key

FY_DEADLINE = "fy_deadline"
FY_COMPLETE = "fy_complete"
CTO_ACADEMY = "cto_academy"
REVIEW_DIGEST = "review_digest"
REVIEW_POST = "review_post"  # a dry-run line: an item to (re)post to a reviewers' channel (not in the log)
REPOST_AFTER = timedelta(minutes=10)  # a younger item may still be being posted by the submit flow itself
COMPLETE_STEP = "complete"
UNREACHABLE = "unreachable"  # last_error of a reminder no platform could deliver (retried by the next sweep)
REPORTED = "unreachable (reported to reviewers)"  # ... and already named in a reviewers' digest


@dataclass(frozen=True)
class Due:
    """One reminder to send (or, in a dry run, that would be sent)."""

    key: Key
    person_id: int | None
    email: str  # the director's e-mail; for the digest, the channel recipient "platform:channel"
    name: str
    content: Reply | Callable[[], Reply]  # the message, or how to write it (written when first needed)
    platform: str = ""  # the digest's platform
    channel: str = ""  # the digest's channel id
    snoozed: bool = False

    @property
    def kind(self) -> str:
        return self.key.kind

    @property
    def who(self) -> str:
        """The recipient as the log names them: a person by roster id (no e-mail or name), a channel as is."""
        return f"person {self.person_id}" if self.person_id is not None else self.email

    @cached_property
    def reply(self) -> Reply:
        """The message. Deciding the sweep only says who gets what; the text of a reminder is written when it is
        sent (paced) or listed in a dry run, not while thirteen thousand directors are being decided."""
        return self.content if isinstance(self.content, Reply) else self.content()

    def as_json(self) -> dict[str, object]:
        """One dry-run line (SPEC §4: at least kind and email)."""
        out: dict[str, object] = {
            "kind": self.kind,
            "email": self.email,
            "name": self.name,
            "fy": self.key.fy,
            "step": self.key.step,
            "title": self.reply.title,
            "text": self.reply.notification(),
        }
        if self.platform:
            out["platform"] = self.platform
        return out


@dataclass(frozen=True)
class Repost:
    """A pending item ready for review that has no post on some configured reviewers' channel (its first post
    failed): the sweep posts it again through ReviewFlow.post, which posts only where it is missing."""

    item_type: str
    item_id: int
    title: str
    person_email: str
    fy: int
    platforms: tuple[str, ...]  # configured platforms without a post of it

    @property
    def kind(self) -> str:
        return REVIEW_POST

    @property
    def step(self) -> str:
        return f"{self.item_type}:{self.item_id}"

    def as_json(self) -> dict[str, object]:
        return {
            "kind": REVIEW_POST,
            "email": ",".join(self.platforms),
            "name": self.person_email,
            "fy": self.fy,
            "step": self.step,
            "title": self.title,
        }
