"""The neutral reply model every handler returns; bot/slack renders it as Block Kit, bot/teams as an Adaptive
Card, and `to_text()` is the plain-text fallback (notifications, screen readers, the console)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from handlers.payloads import Created, Payload

P = TypeVar("P", bound=Payload)


class Outcome(StrEnum):
    OK = "ok"
    UNKNOWN_USER = "unknown_user"  # not on the roster: nothing recorded
    REFUSED = "refused"  # not allowed (role)
    INVALID = "invalid"  # bad input: nothing recorded
    ALREADY = "already"  # already decided / duplicate: nothing changed
    NOT_FOUND = "not_found"
    ERROR = "error"


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Button:
    action: str  # e.g. "review.approve"
    label: str
    value: str  # opaque payload, e.g. "submission:12"
    style: str = ""  # "", "primary", "danger"


@dataclass(frozen=True)
class Link:
    """A labelled address ("Open evidence"): Teams shows an Action.OpenUrl button, Slack a <url|label> link."""

    label: str
    url: str


@dataclass
class Section:
    heading: str = ""
    text: str = ""
    facts: list[Fact] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    more: str = ""  # "… and 12 more" note when a list was trimmed
    tone: str = ""  # "good" | "attention": an outcome to stand out (Teams: a styled container; Slack: a context line)
    links: list[Link] = field(default_factory=list)  # our own addresses (never user text): shown as labelled links
    # item_links[i]: where items[i] leads (ours, e.g. a review post), None or missing: no link. The link's label is how
    # the item starts ("Submission #12"), so that part becomes the link; else the link follows the item.
    item_links: list[Link | None] = field(default_factory=list)

    def item_link(self, i: int) -> Link | None:
        return self.item_links[i] if i < len(self.item_links) else None


@dataclass
class Reply:
    title: str
    sections: list[Section] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    outcome: Outcome = Outcome.OK
    summary: str = ""  # one line for notifications; defaults to the title
    payload: Payload | None = None  # the typed machine-readable result (handlers.payloads), None: only text

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    def payload_as(self, kind: type[P]) -> P | None:
        """The payload when it is a `kind`, else None."""
        return self.payload if isinstance(self.payload, kind) else None

    def expect(self, kind: type[P]) -> P:
        """The payload, which must be a `kind` (TypeError otherwise: a handler broke its contract)."""
        if not isinstance(self.payload, kind):
            raise TypeError(f"expected a {kind.__name__} payload, got {type(self.payload).__name__}")
        return self.payload

    @property
    def review_item(self) -> tuple[str, int] | None:
        """The (item_type, item_id) to post to the reviewers now: a stored submission or request that is ready for
        review (one rule for Slack and Teams)."""
        created = self.payload_as(Created)
        if not self.ok or created is None or not created.ready_for_review:
            return None
        return created.item_type, created.item_id

    def notification(self) -> str:
        return self.summary or self.title

    def to_text(self) -> str:
        lines = [self.title]
        for s in self.sections:
            lines.append("")
            if s.heading:
                lines.append(s.heading)
            if s.text:
                lines.append(s.text)
            lines.extend(f"{f.label}: {f.value}" for f in s.facts)
            for n, item in enumerate(s.items):
                link = s.item_link(n)
                lines.append(f"- {item} ({link.url})" if link else f"- {item}")
            if s.more:
                lines.append(s.more)
            lines.extend(f"{link.label}: {link.url}" for link in s.links)
        if self.buttons:
            lines.append("")
            lines.append(" | ".join(f"[{b.label}]" for b in self.buttons))
        return "\n".join(lines).strip()


def trimmed(items: list[str], limit: int, noun: str = "more") -> tuple[list[str], str]:
    """At most `limit` items and a "… and N more" note for the rest."""
    if len(items) <= limit:
        return items, ""
    return items[:limit], f"… and {len(items) - limit} {noun}"


def message(title: str, text: str = "", outcome: Outcome = Outcome.OK) -> Reply:
    return Reply(title=title, sections=[Section(text=text)] if text else [], outcome=outcome)
