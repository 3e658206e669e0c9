"""The reminder log: exactly-once claims on `reminder_log` (unique kind, recipient, fy, step) and the set-based reads
the daily sweep decides with (directors, chat platforms, the log of recent FYs); storage.reviews has the items
waiting for review.

A reminder is claimed by inserting its row before it is sent (INSERT ... ON CONFLICT DO NOTHING, so two sweeps racing
on SQLite or PostgreSQL insert it once), marked sent after. A failed send releases the claim (claimed_at moves back to
RELEASED) so the next sweep re-claims it; a claim left unsent by a crash is re-claimable once older than the lease.
The INSERT ... RETURNING id gives a row only to the sweep that wrote it; re-claiming is an UPDATE ... WHERE
sent_at IS NULL AND claimed_at < cutoff whose row count says who won.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Engine, and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.tables import ChatIdentity, Person, ReminderLog, ReviewPost

LEASE = timedelta(minutes=10)  # a claim older than this and still unsent is taken to have crashed
RELEASED = datetime(1970, 1, 1, tzinfo=UTC)  # claimed_at of a failed send: re-claimable at once
ERROR_MAX = 500


@dataclass(frozen=True)
class Key:
    """The identity of one reminder: at most one row, hence at most one message, per key."""

    kind: str
    recipient: str
    fy: int
    step: str


@dataclass(frozen=True)
class LogRow:
    key: Key
    person_id: int | None
    sent: bool
    last_error: str
    attempts: int


def _insert(dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(ReminderLog)
    if dialect == "sqlite":
        return sqlite.insert(ReminderLog)
    raise NotImplementedError(f"the reminder log needs INSERT ... ON CONFLICT; {dialect} is not supported")


def _where(key: Key) -> tuple[Any, ...]:
    return (
        ReminderLog.kind == key.kind,
        ReminderLog.recipient == key.recipient,
        ReminderLog.fy == key.fy,
        ReminderLog.step == key.step,
    )


def claim(engine: Engine, key: Key, person_id: int | None, now: datetime, lease: timedelta = LEASE) -> bool:
    """Take the right to send `key` now; True for exactly one caller. Commits at once (its own transaction)."""
    with engine.begin() as conn:
        stmt = (
            _insert(engine.dialect.name)
            .values(
                kind=key.kind,
                recipient=key.recipient,
                person_id=person_id,
                fy=key.fy,
                step=key.step,
                claimed_at=now,
                sent_at=None,
                attempts=1,
                last_error="",
            )
            .on_conflict_do_nothing(index_elements=["kind", "recipient", "fy", "step"])
            .returning(col(ReminderLog.id))
        )
        # the row comes back only when this INSERT wrote it (explicit RETURNING: PostgreSQL's implicit RETURNING
        # of the primary key leaves rowcount at -1, so the row count cannot be trusted here)
        if conn.execute(stmt).first() is not None:
            return True
        again: CursorResult[Any] = conn.execute(
            update(ReminderLog)
            .where(*_where(key), col(ReminderLog.sent_at).is_(None), col(ReminderLog.claimed_at) < now - lease)
            .values(claimed_at=now, attempts=ReminderLog.attempts + 1)
        )
        return again.rowcount == 1


def mark_sent(engine: Engine, key: Key, now: datetime, note: str = "") -> None:
    with engine.begin() as conn:
        conn.execute(update(ReminderLog).where(*_where(key)).values(sent_at=now, last_error=note[:ERROR_MAX]))


def was_sent(engine: Engine, key: Key) -> bool:
    """Whether `key` is marked sent (e.g. a review post's evidence upload into its thread)."""
    with engine.connect() as conn:
        row = conn.execute(select(ReminderLog.sent_at).where(*_where(key))).first()
    return row is not None and row[0] is not None


def mark_failed(engine: Engine, key: Key, error: str) -> None:
    """Release the claim so the next sweep retries it; the error is kept for the log and the digest."""
    with engine.begin() as conn:
        conn.execute(
            update(ReminderLog)
            .where(*_where(key), col(ReminderLog.sent_at).is_(None))
            .values(claimed_at=RELEASED, last_error=(error or "failed")[:ERROR_MAX])
        )


def log_rows(session: Session, since_fy: int) -> dict[Key, LogRow]:
    """Every reminder-log row of `since_fy` and later, in one query."""
    rows = session.exec(
        select(
            ReminderLog.kind,
            ReminderLog.recipient,
            ReminderLog.fy,
            ReminderLog.step,
            ReminderLog.person_id,
            ReminderLog.sent_at,
            ReminderLog.last_error,
            ReminderLog.attempts,
        ).where(ReminderLog.fy >= since_fy)
    ).all()
    out: dict[Key, LogRow] = {}
    for kind, recipient, fy, step, pid, sent_at, error, attempts in rows:
        key = Key(kind, recipient, fy, step)
        out[key] = LogRow(key, pid, sent_at is not None, error, attempts)
    return out


def unsent(session: Session, kind: str, since_fy: int, claimed_before: datetime) -> list[LogRow]:
    """The rows of `kind` (FY `since_fy` and later) not sent yet and not held by a live claim: released after a
    failure, or claimed before `claimed_before` (a crash). The decision notices the sweep retries."""
    rows = session.exec(
        select(
            ReminderLog.kind,
            ReminderLog.recipient,
            ReminderLog.fy,
            ReminderLog.step,
            ReminderLog.person_id,
            ReminderLog.last_error,
            ReminderLog.attempts,
        )
        .where(
            ReminderLog.kind == kind,
            ReminderLog.fy >= since_fy,
            col(ReminderLog.sent_at).is_(None),
            col(ReminderLog.claimed_at) < claimed_before,
        )
        .order_by(col(ReminderLog.id))
    ).all()
    return [
        LogRow(Key(k, recipient, fy, step), pid, False, error, attempts)
        for k, recipient, fy, step, pid, error, attempts in rows
    ]


def review_posts(session: Session, items: list[tuple[str, int]]) -> dict[tuple[str, int], dict[str, ReviewPost]]:
    """For each (item type, item id), its review posts by platform (channel and message id), in one query."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for item_type, item_id in items:
        by_type[item_type].append(item_id)
    if not by_type:
        return {}
    rows = session.exec(
        select(ReviewPost).where(
            or_(*(and_(col(ReviewPost.item_type) == t, col(ReviewPost.item_id).in_(ids)) for t, ids in by_type.items()))
        )
    ).all()
    out: dict[tuple[str, int], dict[str, ReviewPost]] = defaultdict(dict)
    for row in rows:
        out[(row.item_type, row.item_id)][row.platform] = row
    return out


@dataclass(frozen=True, slots=True)
class Director:
    """What the sweep needs of one active director (plain values: no ORM instances for 13,000 rows)."""

    id: int
    email: str
    name: str
    role_start: date | None
    cto_completed: date | None
    snoozed_until: date | None


def active_directors(session: Session) -> list[Director]:
    """Every active person with the director role (roles empty means director), in one query."""
    rows = session.execute(
        select(
            Person.id,
            Person.email,
            Person.name,
            Person.roles,
            Person.role_start,
            Person.cto_completed,
            Person.snoozed_until,
        )
        .where(col(Person.active).is_(True))
        .order_by(col(Person.id))
    )
    return [
        Director(pid, email, name, start, done, snoozed)
        for pid, email, name, roles, start, done, snoozed in rows
        if pid is not None and ("director" in roles.split(";") or not roles.strip(";"))
    ]


def platforms_by_person(session: Session) -> dict[int, set[str]]:
    """The chat platforms each person is known on (has written to the bot from), in one query."""
    out: dict[int, set[str]] = defaultdict(set)
    for pid, platform in session.exec(select(ChatIdentity.person_id, ChatIdentity.platform).distinct()).all():
        out[pid].add(platform)
    return out
