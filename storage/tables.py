"""SQLModel tables: roster, chat identities, per-FY policy and catalog, credit records, submissions,
event requests, review posts, audit log, import batches, the reminder log and the outbox.

Hours are integer quarter-hours; strand sets are bit masks (strand n <-> bit n-1); dates are local calendar
dates (America/Chicago); instants are aware UTC datetimes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class Person(SQLModel, table=True):
    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # lower-cased
    name: str = Field(max_length=200)
    district: str = Field(default="", max_length=200)
    role_start: date | None = None
    cto_completed: date | None = None
    roles: str = Field(default="director", max_length=100)  # ';'-separated: director;sde;reviewer;admin
    snoozed_until: date | None = None
    active: bool = True  # today's state; storage/roster.py keeps the spans off the roster in roster_absence


class RosterAbsence(SQLModel, table=True):
    """A span a person was off the roster (deactivated): `first_day` to `last_day` inclusive, open (None) while
    they stay off. The report of a FY leaves out whoever was off for the whole of it."""

    __tablename__ = "roster_absence"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    first_day: date
    last_day: date | None = None


class ChatIdentity(SQLModel, table=True):
    """A person's account on a chat platform, with what is needed to reach them proactively."""

    __tablename__ = "chat_identity"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_chat_identity_platform_user"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str = Field(max_length=16)  # slack | teams
    external_id: str = Field(max_length=200)  # Slack user id; Teams aadObjectId (or user id)
    tenant_id: str | None = Field(default=None, max_length=100)  # Slack team id / Teams tenant id
    dm_channel: str | None = Field(default=None, max_length=200)
    conversation_ref: str | None = Field(default=None, sa_column=Column(Text))  # Teams ConversationReference JSON
    updated_at: datetime | None = None


class PolicyYear(SQLModel, table=True):
    """The numbers of one FY's policy (the FYs after it inherit them until a newer row)."""

    __tablename__ = "policy_year"
    fy: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    required: int
    alet_minimum: int
    external_maximum: int
    require_all_strands: bool = False
    cto_applies_from: date
    cto_months: int
    cto_due_soon_days: int
    fy_reminder_days: str  # "90,60,30,14,7,1"
    cto_reminder_days: str
    cto_overdue_every_months: int = 1
    unsnoozable_days: str = "7,1"
    snooze_days: int = 7
    review_wait_days: int = 3
    upcoming_suggestions: int = 3
    contact: str = ""


class PolicyStrand(SQLModel, table=True):
    __tablename__ = "policy_strand"
    fy: int = Field(primary_key=True, foreign_key="policy_year.fy", sa_column_kwargs={"autoincrement": False})
    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=200)


class CatalogEntry(SQLModel, table=True):
    __tablename__ = "catalog_entry"
    __table_args__ = (UniqueConstraint("fy", "code", name="uq_catalog_fy_code"),)
    id: int | None = Field(default=None, primary_key=True)
    fy: int = Field(index=True)
    code: str = Field(max_length=80)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=20)
    day: date | None = None
    cap: int  # quarter-hours
    up_to: bool = True
    per_unit: bool = False
    counts_for_td: bool = True
    evidence: str = Field(default="none", max_length=20)
    earliest: date | None = None
    end_day: date | None = None  # the last day of a dated activity (None: its `day` alone)
    once: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    strands: int  # mask


LIVE_WHERE = "status NOT IN ('rejected', 'voided')"  # a rejected or voided record does not block a new one


class CreditRecord(SQLModel, table=True):
    """Hours of one TD for one activity on one date: from attendance (approved) or a submission (pending first)."""

    __tablename__ = "credit_record"
    __table_args__ = (
        # covering index: one TD's FY (status) and the all-TD aggregates of storage/bulk.py read only the index
        Index("ix_credit_person_totals", "person_id", "fy", "status", "alet", "strands", "quarters", "counted"),
        Index(
            "uq_credit_live",
            "person_id",
            "catalog_id",
            "day",
            "unit",
            unique=True,
            sqlite_where=text(LIVE_WHERE),
            postgresql_where=text(LIVE_WHERE),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    fy: int
    catalog_id: int = Field(foreign_key="catalog_entry.id", index=True)
    alet: bool
    day: date
    unit: str = Field(default="", max_length=200)
    quarters: int
    strands: int
    status: str = Field(default="approved", max_length=10)  # pending | approved | rejected | voided
    counted: bool = True  # False: recorded but earns nothing (repeat or not counting for TD credit)
    note: str = Field(default="", max_length=200)
    source: str = Field(max_length=20)  # attendance | submission | admin
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    created_at: datetime
    voided_at: datetime | None = None
    void_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Submission(SQLModel, table=True):
    """A TD's claim of external hours with its evidence, waiting for a reviewer's decision."""

    __tablename__ = "submission"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    credit_id: int = Field(foreign_key="credit_record.id", unique=True)
    client_key: str | None = Field(default=None, max_length=200, unique=True)  # platform idempotency key
    assignment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    evidence_sha256: str | None = Field(default=None, max_length=64)
    evidence_type: str | None = Field(default=None, max_length=100)
    evidence_size: int | None = None
    evidence_name: str | None = Field(default=None, max_length=255)  # shown to reviewers, never used as a path
    status: str = Field(default="pending", max_length=10)
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = None
    reason: str = Field(default="", max_length=1000)
    platform: str = Field(default="", max_length=16)
    created_at: datetime


class EventRequest(SQLModel, table=True):
    """A request to approve a new external event for a FY's catalog."""

    __tablename__ = "event_request"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    client_key: str | None = Field(default=None, max_length=200, unique=True)
    fy: int
    title: str = Field(max_length=300)
    organiser: str = Field(max_length=200)
    start_day: date
    end_day: date
    in_person: bool = True
    quarters: int
    strands: int
    agenda_url: str = Field(default="", max_length=500)
    status: str = Field(default="pending", max_length=10)
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = None
    reason: str = Field(default="", max_length=1000)
    catalog_id: int | None = Field(default=None, foreign_key="catalog_entry.id")
    platform: str = Field(default="", max_length=16)
    created_at: datetime


class ReviewPost(SQLModel, table=True):
    """Where a submission or request was posted for review, so the message can be updated in place."""

    __tablename__ = "review_post"
    __table_args__ = (UniqueConstraint("item_type", "item_id", "platform", name="uq_review_post_item"),)
    id: int | None = Field(default=None, primary_key=True)
    item_type: str = Field(max_length=20)  # submission | request
    item_id: int
    platform: str = Field(max_length=16)
    channel: str = Field(max_length=200)
    message_id: str | None = Field(default=None, max_length=200)
    posted_at: datetime


class ImportBatch(SQLModel, table=True):
    __tablename__ = "import_batch"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    rows: int
    added: int
    at: datetime
    actor: str = Field(default="", max_length=254)


class ImportPreview(SQLModel, table=True):
    """An attendance file sent in chat, checked and waiting for Confirm: the bytes are kept so any replica can
    import exactly what was previewed; `status` moves once, by a conditional update (pending -> imported |
    cancelled); a preview past `expires_at` can no longer be confirmed."""

    __tablename__ = "import_preview"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="attendance", max_length=20)
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    rows: int
    people: int
    quarters: int
    created_by: int = Field(foreign_key="person.id")
    platform: str = Field(default="", max_length=16)
    created_at: datetime
    expires_at: datetime
    status: str = Field(default="pending", max_length=10)  # pending | imported | cancelled
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = None
    result: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str = Field(max_length=254)  # e-mail, or "cli"/"system"
    action: str = Field(max_length=60)  # import.attendance, submission.approve, request.reject, ...
    subject: str = Field(default="", max_length=200)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class ReminderLog(SQLModel, table=True):
    """One row per reminder, claimed before sending: the unique key makes delivery exactly-once."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("kind", "recipient", "fy", "step", name="uq_reminder_once"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # fy_deadline | fy_complete | cto_academy | review_digest
    recipient: str = Field(max_length=254)  # e-mail, or "platform:channel" for the digest
    person_id: int | None = Field(default=None, foreign_key="person.id")
    fy: int
    step: str = Field(max_length=40)
    claimed_at: datetime
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)


class EvidenceBlob(SQLModel, table=True):
    """An evidence file's bytes, keyed by their SHA-256 (CEU_EVIDENCE_STORE=database: replicas share them)."""

    __tablename__ = "evidence_blob"
    sha256: str = Field(primary_key=True, max_length=64)
    mime: str = Field(max_length=100)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime


class AppSecret(SQLModel, table=True):
    """A generated secret every replica shares (the evidence download links' key, when not set in the settings)."""

    __tablename__ = "app_secret"
    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=200)
    created_at: datetime


class Outbox(SQLModel, table=True):
    """An effect of a committed write that must reach people (a review post's update, a decision's DM), written in
    the same transaction as the write and delivered by the loop in `serve` (storage.outbox)."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("effect_key", name="uq_outbox_effect"),
        Index("ix_outbox_open", "done_at", "due_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    effect_key: str = Field(max_length=300)  # "update:submission:12:slack:C1:1700.1" | "dm:submission:12"
    kind: str = Field(max_length=10)  # update | dm
    item_type: str = Field(max_length=20)
    item_id: int
    platform: str = Field(default="", max_length=16)  # update: the post's platform
    channel: str = Field(default="", max_length=200)
    message_id: str = Field(default="", max_length=200)
    person_id: int | None = Field(default=None, foreign_key="person.id")  # dm: the submitter
    created_at: datetime
    due_at: datetime  # not tried again before this (backoff after a failure)
    claimed_at: datetime | None = None
    claim_token: str | None = Field(default=None, max_length=32)
    done_at: datetime | None = None  # sent (or given up: last_error says why)
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
