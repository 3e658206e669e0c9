"""What a Reply means to a machine, typed: one small frozen dataclass per kind of result, carried in
`Reply.payload`. Adapters and tests ask `isinstance` (or `Reply.payload_as` / `Reply.expect`) and read attributes,
never string keys; a default lives in one place, so Slack and Teams cannot disagree on it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Payload:
    """The base of every typed result; a Reply without one (`payload=None`) is only text to show."""


@dataclass(frozen=True)
class FormRequest(Payload):
    """Open this form (a form command: "submit", "request", "import"); the console explains it instead."""

    form: str


@dataclass(frozen=True)
class FormErrors(Payload):
    """An INVALID form: every problem by field id (the platform marks the fields), and the warnings."""

    errors: Mapping[str, str]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Created(Payload):
    """A submission or event request stored; `ready_for_review` when it goes to the reviewers now (a submission
    waiting for its evidence file does not)."""

    item_type: ClassVar[str] = ""
    ready_for_review: bool
    duplicate: bool = False  # the same idempotency key or claim seen before: nothing new stored
    warnings: tuple[str, ...] = ()

    @property
    def item_id(self) -> int:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class Submitted(Created):
    item_type: ClassVar[str] = "submission"
    submission_id: int

    @property
    def item_id(self) -> int:
        return self.submission_id


@dataclass(frozen=True, kw_only=True)
class Requested(Created):
    item_type: ClassVar[str] = "request"
    request_id: int

    @property
    def item_id(self) -> int:
        return self.request_id


@dataclass(frozen=True)
class EvidenceRef(Payload):
    """A stored evidence file, as a platform needs it to show reviewers (Slack uploads it into the post's thread)."""

    sha256: str
    mime: str
    name: str
    size: int


@dataclass(frozen=True)
class ReviewItem(Payload):
    """A review post of an item (pending or decided) and, for a submission with a stored file, that file."""

    item_type: str
    item_id: int
    status: str
    evidence: EvidenceRef | None = None
    about: str = ""  # who, what, hours in one line ("Alex Director's 3 hours of …"): what the reject form names


@dataclass(frozen=True)
class Decided(Payload):
    """The submitter's notice of a decision; `code` is the catalog code an approved request became."""

    item_type: str
    item_id: int
    status: str  # "approved" | "rejected"
    code: str = ""


@dataclass(frozen=True)
class StatusPayload(Payload):
    """A director's status as JSON (rules' figures); `person_id` when someone else looked it up."""

    status: Mapping[str, object]
    person_id: int | None = None


@dataclass(frozen=True)
class OverviewPayload(Payload):
    overview: Mapping[str, object]


@dataclass(frozen=True)
class Matches(Payload):
    """A lookup that matched several directors: their e-mail addresses."""

    emails: tuple[str, ...]


@dataclass(frozen=True)
class Waiting(Payload):
    """How many items wait for review."""

    count: int


@dataclass(frozen=True)
class Voided(Payload):
    record_id: int
    status: str


@dataclass(frozen=True)
class ImportPreviewed(Payload):
    preview_id: int


@dataclass(frozen=True)
class ImportProblems(Payload):
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Imported(Payload):
    preview_id: int
    added: int


@dataclass(frozen=True)
class ReportOrder(Payload):
    """What the platform is asked to deliver: the report of `fy` for the caller."""

    fy: int


@dataclass(frozen=True)
class Reminder(Payload):
    """A reminder of `kind`; `status_hint` when the platform may add how to see the status."""

    kind: str
    status_hint: bool = False


@dataclass(frozen=True)
class PostRef:
    """Where one review item was posted on the digest's platform (storage.tables.ReviewPost): a Slack channel id and
    message ts, or a Teams conversation id and activity id."""

    channel: str
    message_id: str


@dataclass(frozen=True)
class Digest(Reminder):
    """The reviewers' digest: `posts[i]` is the post of the i-th item listed in `sections[section]`, None when it has
    none on this platform. The platform turns each into a link to the post when it sends the digest
    (handlers.reminders.text.with_item_links); the handler stays platform-free."""

    section: int = 0
    posts: tuple[PostRef | None, ...] = ()
