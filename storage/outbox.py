"""The outbox: effects of a committed write that must reach people (every review post's in-place update, the
submitter's DM), added in the SAME transaction as the write, and the claims that deliver each of them once.

- `add_decision_effects(session, item_type, item_id, person_id, posts, now)`: the rows of one decision (the caller
  commits them with the decision). One row per effect, unique by `effect_key`, so writing the same effect twice
  (a clicked message that is also a recorded post) adds it once.
- `add_home_refresh(session, person_ids, now)` / `add_queue_refresh(session, now)` (both: `add_item_refresh`):
  a "home" row asking for a person's App Home (or every staff member's, when the review queue changed) to be
  published again; only people with a chat account that has a Home (Slack) get one, and a refresh already
  waiting is not added twice.
- `open_rows(engine, now, limit, force=False)`: rows not done, due (or all not done with force) and not held by
  a live claim, oldest first.
- `claim(engine, row_id, now, lease) -> token | None`: a conditional UPDATE (not done, due unless forced, unclaimed
  or claimed before now - lease) whose row count decides the one winner across threads, processes and replicas, on
  SQLite and PostgreSQL. `done(engine, row_id, token, now, note)` and `retry(engine, row_id, token, due_at, error)`
  settle a claim; both are conditional on the token, so a claim taken over after its lease cannot be settled twice.

Crash semantics (claim-before-send): a row is claimed, then sent, then marked done. A process killed after its
commit but before it claimed leaves the row open: the next pass (this process restarted, or another replica) sends
it. Killed between claim and send: the row is held until the lease passes, then sent once by whoever claims it
next. Killed between send and mark ("sent but not marked", one HTTP round trip): it is sent again after the lease,
so the wire is at-least-once; each claim sends at most once. We prefer a rare repeat to a lost notice: a repeated
post update (chat.update, Teams update_activity with the same card) is harmless, a repeated DM is a duplicate.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Engine, or_, update
from sqlmodel import Session, col, select

from storage.tables import ChatIdentity, Outbox, Person

LEASE = timedelta(seconds=60)  # a claim older than this and not settled is taken to have crashed
UPDATE = "update"
DM = "dm"
HOME = "home"
HOME_PERSON = "person"  # item_type of a home row: one person's Home (item_id = person id)
HOME_QUEUE = "queue"  # every reviewer's, SDE's and admin's Home (item_id 0): the review queue changed
HOME_PLATFORMS = ("slack",)  # the chat platforms with an App Home
ERROR_MAX = 500


@dataclass(frozen=True)
class Effect:
    """One open outbox row, as plain values."""

    id: int
    kind: str
    item_type: str
    item_id: int
    platform: str
    channel: str
    message_id: str
    person_id: int | None
    attempts: int


def update_key(item_type: str, item_id: int, platform: str, channel: str, message_id: str) -> str:
    return f"{UPDATE}:{item_type}:{item_id}:{platform}:{channel}:{message_id}"[:300]


def add_decision_effects(
    session: Session,
    item_type: str,
    item_id: int,
    person_id: int,
    posts: Iterable[tuple[str, str, str]],
    now: datetime,
) -> None:
    """Every (platform, channel, message id) post's update and the DM to `person_id`, in the caller's transaction."""
    rows: dict[str, Outbox] = {}
    for platform, channel, message_id in posts:
        if not message_id:
            continue
        key = update_key(item_type, item_id, platform, channel, message_id)
        rows[key] = Outbox(
            effect_key=key,
            kind=UPDATE,
            item_type=item_type,
            item_id=item_id,
            platform=platform,
            channel=channel,
            message_id=message_id,
            created_at=now,
            due_at=now,
        )
    dm_key = f"{DM}:{item_type}:{item_id}"
    rows[dm_key] = Outbox(
        effect_key=dm_key,
        kind=DM,
        item_type=item_type,
        item_id=item_id,
        person_id=person_id,
        created_at=now,
        due_at=now,
    )
    for row in rows.values():
        session.add(row)
    session.flush()


def _claimable(now: datetime, lease: timedelta, force: bool) -> tuple[Any, ...]:
    live = or_(col(Outbox.claimed_at).is_(None), col(Outbox.claimed_at) < now - lease)
    if force:
        return (col(Outbox.done_at).is_(None), live)
    return (col(Outbox.done_at).is_(None), col(Outbox.due_at) <= now, live)


def open_rows(engine: Engine, now: datetime, limit: int = 50, *, force: bool = False) -> list[Effect]:
    """Rows to deliver now (with `force`, also those waiting out a backoff), oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(Outbox).where(*_claimable(now, LEASE, force)).order_by(col(Outbox.id)).limit(limit)
        ).all()
        return [
            Effect(
                r.id or 0, r.kind, r.item_type, r.item_id, r.platform, r.channel, r.message_id, r.person_id, r.attempts
            )
            for r in rows
        ]


def claim(engine: Engine, row_id: int, now: datetime, lease: timedelta = LEASE, *, force: bool = False) -> str | None:
    """The right to send row `row_id` now: a token for exactly one caller, None for everyone else."""
    token = uuid.uuid4().hex
    with engine.begin() as conn:
        won: CursorResult[Any] = conn.execute(
            update(Outbox)
            .where(col(Outbox.id) == row_id, *_claimable(now, lease, force))
            .values(claimed_at=now, claim_token=token, attempts=Outbox.attempts + 1)
        )
        return token if won.rowcount == 1 else None


def done(engine: Engine, row_id: int, token: str, now: datetime, note: str = "") -> None:
    with engine.begin() as conn:
        conn.execute(
            update(Outbox)
            .where(col(Outbox.id) == row_id, col(Outbox.claim_token) == token)
            .values(done_at=now, last_error=note[:ERROR_MAX])
        )


def retry(engine: Engine, row_id: int, token: str, due_at: datetime, error: str) -> None:
    """Release the claim; the row is tried again from `due_at` (the error kept for the log)."""
    with engine.begin() as conn:
        conn.execute(
            update(Outbox)
            .where(col(Outbox.id) == row_id, col(Outbox.claim_token) == token)
            .values(claimed_at=None, claim_token=None, due_at=due_at, last_error=(error or "failed")[:ERROR_MAX])
        )


def backoff(attempts: int) -> timedelta:
    """How long a failed effect waits before its next try: 5 s, 10 s, 20 s ... at most an hour."""
    return timedelta(seconds=min(3600, 5 * 2 ** max(0, min(attempts - 1, 12))))


def undelivered(session: Session) -> list[Outbox]:
    """Every row not done yet (tests, `doctor`-style checks)."""
    return list(session.exec(select(Outbox).where(col(Outbox.done_at).is_(None)).order_by(col(Outbox.id))).all())


def due_now(engine: Engine, now: datetime) -> int:
    """Rows not done and due by `now`, claimed or not (what a delivery pass has yet to settle)."""
    with Session(engine) as session:
        rows = session.exec(select(Outbox.id).where(col(Outbox.done_at).is_(None), col(Outbox.due_at) <= now)).all()
        return len(rows)


def add_post_updates_for_credit(session: Session, credit_id: int, now: datetime) -> None:
    """The review posts of the submission behind credit record `credit_id`, to be updated (an attendance import
    closed it): in the caller's transaction, like a decision's effects (no DM: the import tells no one)."""
    from storage.tables import ReviewPost, Submission

    sub_id = session.exec(select(Submission.id).where(Submission.credit_id == credit_id)).first()
    if sub_id is None:
        return
    posts = session.exec(
        select(ReviewPost).where(ReviewPost.item_type == "submission", ReviewPost.item_id == sub_id)
    ).all()
    for post in posts:
        if not post.message_id:
            continue
        key = update_key("submission", sub_id, post.platform, post.channel, post.message_id)
        exists = session.exec(select(Outbox.id).where(Outbox.effect_key == key)).first()
        if exists is None:
            session.add(
                Outbox(
                    effect_key=key,
                    kind=UPDATE,
                    item_type="submission",
                    item_id=sub_id,
                    platform=post.platform,
                    channel=post.channel,
                    message_id=post.message_id,
                    created_at=now,
                    due_at=now,
                )
            )


def _homes_waiting(session: Session, item_type: str, item_ids: Iterable[int]) -> set[int]:
    """Of `item_ids`, those whose Home refresh is already waiting (not claimed yet): it will show this change too."""
    found = session.exec(
        select(Outbox.item_id).where(
            Outbox.kind == HOME,
            Outbox.item_type == item_type,
            col(Outbox.item_id).in_(list(item_ids)),
            col(Outbox.done_at).is_(None),
            col(Outbox.claimed_at).is_(None),
        )
    ).all()
    return {int(i) for i in found if i is not None}


def _add_homes(session: Session, item_type: str, homes: dict[int, int | None], now: datetime) -> None:
    """One "home" row per item id (its person id, or None) unless one is already waiting: one query for all."""
    waiting = _homes_waiting(session, item_type, homes)
    for item_id, person_id in sorted(homes.items()):
        if item_id in waiting:
            continue
        key = f"{HOME}:{item_type}:{item_id}:{uuid.uuid4().hex}"  # unique: a Home is refreshed again and again
        session.add(
            Outbox(
                effect_key=key,
                kind=HOME,
                item_type=item_type,
                item_id=item_id,
                person_id=person_id,
                created_at=now,
                due_at=now,
            )
        )


def add_home_refresh(session: Session, person_ids: Iterable[int], now: datetime) -> None:
    """Refresh the Home of each of `person_ids` that has one (a chat account on a platform with a Home), in the
    caller's transaction (their records or a decision about them changed)."""
    wanted = {int(p) for p in person_ids if p}
    if not wanted:
        return
    with_home = session.exec(
        select(ChatIdentity.person_id)
        .where(col(ChatIdentity.person_id).in_(wanted), col(ChatIdentity.platform).in_(HOME_PLATFORMS))
        .distinct()
    ).all()
    _add_homes(session, HOME_PERSON, {int(p): int(p) for p in with_home if p is not None}, now)
    session.flush()


def add_queue_refresh(session: Session, now: datetime) -> None:
    """Refresh the Homes of the staff (reviewers, SDE, admins): the review queue changed (an item was submitted,
    decided or closed by an import), in the caller's transaction; nothing when no staff member has a Home."""
    staff = or_(*(col(Person.roles).contains(role) for role in ("reviewer", "sde", "admin")))
    with_home = session.exec(
        select(ChatIdentity.id)
        .join(Person, col(Person.id) == ChatIdentity.person_id)
        .where(col(ChatIdentity.platform).in_(HOME_PLATFORMS), staff)
    ).first()
    if with_home is None:
        return
    _add_homes(session, HOME_QUEUE, {0: None}, now)
    session.flush()


def add_item_refresh(session: Session, person_id: int, now: datetime) -> None:
    """A submission or event request of `person_id` was made or changed: their Home and the staff's."""
    add_home_refresh(session, [person_id], now)
    add_queue_refresh(session, now)
