"""Review queries: a submission or event request with its person, catalog entry and decider; where each item
was posted for review (idempotent); and the items that have waited too long (for the reviewers' daily digest).

Interface for other engineers:

- `record_post(session, item_type, item_id, platform, channel, message_id) -> ReviewPost`: remember where an item
  was posted (one row per item and platform, unique; a second call only fills in a missing/new message id).
  The caller commits.
- `posts_for(session, item_type, item_id) -> list[ReviewPost]`: every message to update after a decision.
- `pending_older_than(session, cutoff) -> list[PendingItem]`: items still pending that were created before `cutoff`
  (an aware UTC datetime), oldest first; submissions still waiting for their evidence file are left out (they are
  not in front of the reviewers yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from rules.policy import Evidence
from storage.tables import CatalogEntry, CreditRecord, EventRequest, Person, ReviewPost, Submission

SUBMISSION = "submission"
REQUEST = "request"
ITEM_TYPES = (SUBMISSION, REQUEST)
PENDING = "pending"


def as_utc(instant: datetime) -> datetime:
    """Stored instants come back naive from SQLite: they are UTC."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


@dataclass(frozen=True)
class SubmissionView:
    submission: Submission
    person: Person
    credit: CreditRecord
    entry: CatalogEntry
    decider: Person | None

    @property
    def awaiting_evidence(self) -> bool:
        return needs_file(self.submission, self.entry)


@dataclass(frozen=True)
class RequestView:
    request: EventRequest
    person: Person
    decider: Person | None
    entry: CatalogEntry | None  # the catalog entry an approval created


@dataclass(frozen=True)
class PendingItem:
    item_type: str
    item_id: int
    person_name: str
    person_email: str
    title: str
    quarters: int
    created_at: datetime  # aware UTC


def needs_file(submission: Submission, entry: CatalogEntry) -> bool:
    """The event asks for an evidence file and none is attached yet."""
    return Evidence(entry.evidence).needs_file and not submission.evidence_sha256


def get_submission(session: Session, submission_id: int) -> SubmissionView | None:
    sub = session.get(Submission, submission_id)
    if sub is None:
        return None
    credit = session.get(CreditRecord, sub.credit_id)
    person = session.get(Person, sub.person_id)
    assert credit is not None and person is not None
    entry = session.get(CatalogEntry, credit.catalog_id)
    assert entry is not None
    decider = session.get(Person, sub.decided_by) if sub.decided_by else None
    return SubmissionView(sub, person, credit, entry, decider)


def get_request(session: Session, request_id: int) -> RequestView | None:
    req = session.get(EventRequest, request_id)
    if req is None:
        return None
    person = session.get(Person, req.person_id)
    assert person is not None
    decider = session.get(Person, req.decided_by) if req.decided_by else None
    entry = session.get(CatalogEntry, req.catalog_id) if req.catalog_id else None
    return RequestView(req, person, decider, entry)


def submission_by_key(session: Session, client_key: str) -> Submission | None:
    return session.exec(select(Submission).where(Submission.client_key == client_key)).first()


def request_by_key(session: Session, client_key: str) -> EventRequest | None:
    return session.exec(select(EventRequest).where(EventRequest.client_key == client_key)).first()


def latest_awaiting_evidence(session: Session, person_id: int) -> SubmissionView | None:
    """The person's most recent pending submission whose event needs a file it does not have yet."""
    rows = session.exec(
        select(Submission.id)
        .join(CreditRecord, col(CreditRecord.id) == col(Submission.credit_id))
        .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
        .where(
            Submission.person_id == person_id,
            Submission.status == PENDING,
            col(Submission.evidence_sha256).is_(None),
            CatalogEntry.evidence != Evidence.NONE.value,
        )
        .order_by(col(Submission.created_at).desc(), col(Submission.id).desc())
        .limit(1)
    ).first()
    return get_submission(session, rows) if rows is not None else None


def record_post(
    session: Session, item_type: str, item_id: int, platform: str, channel: str, message_id: str | None
) -> ReviewPost:
    """Remember where an item was posted for review; idempotent (one row per item and platform)."""
    if item_type not in ITEM_TYPES:
        raise ValueError(f"unknown review item type {item_type!r}")
    values = {
        "item_type": item_type,
        "item_id": item_id,
        "platform": platform,
        "channel": channel,
        "message_id": message_id,
        "posted_at": datetime.now(UTC),
    }
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        ins = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(ReviewPost).values(**values)
        session.execute(ins.on_conflict_do_nothing(index_elements=["item_type", "item_id", "platform"]))
    row = _post(session, item_type, item_id, platform)
    if row is None:  # another dialect: plain insert
        row = ReviewPost(**values)  # type: ignore[arg-type]
        session.add(row)
        session.flush()
        return row
    if message_id and (row.message_id != message_id or row.channel != channel):
        row.message_id = message_id
        row.channel = channel
        session.add(row)
        session.flush()
    return row


def _post(session: Session, item_type: str, item_id: int, platform: str) -> ReviewPost | None:
    return session.exec(
        select(ReviewPost)
        .where(ReviewPost.item_type == item_type, ReviewPost.item_id == item_id, ReviewPost.platform == platform)
        .execution_options(populate_existing=True)
    ).first()


def posts_for(session: Session, item_type: str, item_id: int) -> list[ReviewPost]:
    return list(
        session.exec(
            select(ReviewPost)
            .where(ReviewPost.item_type == item_type, ReviewPost.item_id == item_id)
            .order_by(col(ReviewPost.platform))
        ).all()
    )


def pending_older_than(session: Session, cutoff: datetime) -> list[PendingItem]:
    """Pending submissions (with their evidence) and requests created before `cutoff`, oldest first."""
    cutoff = as_utc(cutoff)
    items: list[PendingItem] = []
    subs = session.exec(
        select(Submission, Person, CreditRecord, CatalogEntry)
        .join(Person, col(Person.id) == col(Submission.person_id))
        .join(CreditRecord, col(CreditRecord.id) == col(Submission.credit_id))
        .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
        .where(Submission.status == PENDING, col(Submission.created_at) < cutoff)
    ).all()
    for sub, person, credit, entry in subs:
        if needs_file(sub, entry):
            continue
        items.append(
            PendingItem(
                SUBMISSION, sub.id or 0, person.name, person.email, entry.title, credit.quarters, as_utc(sub.created_at)
            )
        )
    reqs = session.exec(
        select(EventRequest, Person)
        .join(Person, col(Person.id) == col(EventRequest.person_id))
        .where(EventRequest.status == PENDING, col(EventRequest.created_at) < cutoff)
    ).all()
    for req, person in reqs:
        items.append(
            PendingItem(
                REQUEST, req.id or 0, person.name, person.email, req.title, req.quarters, as_utc(req.created_at)
            )
        )
    return sorted(items, key=lambda i: (i.created_at, i.item_type, i.item_id))
