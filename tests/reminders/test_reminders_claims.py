"""storage.reminders: the exactly-once claim on SQLite and PostgreSQL. A key is won once; a sent one never again; a
failed one at once by the next sweep; a crashed one (claimed, never sent) once its lease is over; and many threads
claiming the same keys at the same time, each with its own engine, win each key exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.db import make_engine
from storage.reminders import LEASE, Key, claim, mark_failed, mark_sent
from storage.tables import ReminderLog

KEY = Key("fy_deadline", "td@a.k12.al.us", 2025, "30d")
NOW = datetime(2025, 9, 2, 14, 0, tzinfo=UTC)


def _row(engine: Engine, key: Key = KEY) -> ReminderLog:
    with Session(engine) as s:
        return s.exec(
            select(ReminderLog).where(
                ReminderLog.kind == key.kind,
                ReminderLog.recipient == key.recipient,
                ReminderLog.fy == key.fy,
                ReminderLog.step == key.step,
            )
        ).one()


def test_a_key_is_claimed_once_and_a_sent_one_never_again(any_engine: Engine) -> None:
    assert claim(any_engine, KEY, None, NOW)
    assert not claim(any_engine, KEY, None, NOW)
    assert not claim(any_engine, KEY, None, NOW + LEASE / 2)  # still leased to the first sweep
    mark_sent(any_engine, KEY, NOW + timedelta(seconds=1))
    assert not claim(any_engine, KEY, None, NOW + timedelta(days=30))  # sent: never again, however late
    row = _row(any_engine)
    assert row.sent_at is not None and row.attempts == 1
    assert claim(any_engine, Key(KEY.kind, KEY.recipient, KEY.fy, "14d"), None, NOW)  # the next step is a new key


def test_a_failed_send_is_claimable_at_once_by_the_next_sweep(any_engine: Engine) -> None:
    assert claim(any_engine, KEY, None, NOW)
    mark_failed(any_engine, KEY, "slack: failed ratelimited")
    row = _row(any_engine)
    assert row.sent_at is None and row.last_error == "slack: failed ratelimited"
    assert claim(any_engine, KEY, None, NOW + timedelta(seconds=5))
    assert not claim(any_engine, KEY, None, NOW + timedelta(seconds=6))
    assert _row(any_engine).attempts == 2


def test_a_crash_between_claim_and_send_is_claimable_after_the_lease(any_engine: Engine) -> None:
    assert claim(any_engine, KEY, None, NOW)  # ... and the process died before sending
    assert not claim(any_engine, KEY, None, NOW + LEASE - timedelta(seconds=1))
    assert claim(any_engine, KEY, None, NOW + LEASE + timedelta(seconds=1))
    assert not claim(any_engine, KEY, None, NOW + LEASE + timedelta(seconds=2))


def test_mark_failed_never_unsends_a_sent_reminder(any_engine: Engine) -> None:
    assert claim(any_engine, KEY, None, NOW)
    mark_sent(any_engine, KEY, NOW)
    mark_failed(any_engine, KEY, "late error from another platform")
    assert _row(any_engine).sent_at is not None
    assert not claim(any_engine, KEY, None, NOW + timedelta(days=1))


def test_threads_with_their_own_engines_win_each_key_exactly_once(any_engine: Engine, db_url: str) -> None:
    keys = [Key("fy_deadline", f"td{i}@z.k12.al.us", 2025, "30d") for i in range(60)]
    # half of them crashed earlier (claimed long ago, never sent): re-claimable, but still by one thread only
    for k in keys[::2]:
        assert claim(any_engine, k, None, NOW - timedelta(hours=1))
    threads = 6
    barrier = threading.Barrier(threads)
    won: list[list[Key]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def run(n: int) -> None:
        engine = make_engine(db_url)
        try:
            barrier.wait()
            for k in keys if n % 2 else reversed(keys):
                if claim(engine, k, None, NOW):
                    won[n].append(k)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            engine.dispose()

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    everything = [k for w in won for k in w]
    assert sorted(everything, key=str) == sorted(keys, key=str)  # every key once, none twice
