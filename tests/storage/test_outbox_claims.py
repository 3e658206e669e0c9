"""storage.outbox on SQLite and PostgreSQL: a decision's rows are written in its transaction (and not at all when
it is rolled back), a row is claimed by exactly one caller, a claim left by a crash is taken over after the lease
only, a settle with a stale token changes nothing, and an attendance import that closes a posted pending submission
adds its post updates; migration 0003 carries the reminder log's unsent decision notices over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from handlers.context import Context
from handlers.imports import import_bytes
from storage import outbox
from storage.reviews import record_post
from storage.tables import Outbox, Person
from tests.conftest import seed_basic
from tests.imports.test_import_pending_submission import HEAD
from tests.imports.test_import_pending_submission import _submit as submit_pending

NOW = datetime(2025, 3, 3, 16, 0, tzinfo=UTC)


def person_id(engine: Engine) -> int:
    with Session(engine) as s:
        pid = s.exec(select(Person.id).where(Person.email == "td@a.k12.al.us")).one()
    assert pid is not None
    return pid


def rows(engine: Engine) -> list[Outbox]:
    with Session(engine) as s:
        return list(s.exec(select(Outbox).order_by(col(Outbox.id))).all())


def test_rows_commit_with_the_transaction_and_claim_once(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    engine, pid = any_ctx.engine, person_id(any_ctx.engine)
    posts = [("slack", "C1", "1.1"), ("teams", "19:x", "m1"), ("slack", "C1", "1.1"), ("slack", "C2", "")]
    with Session(engine) as s:
        outbox.add_decision_effects(s, "submission", 7, pid, posts, NOW)
        s.rollback()  # the decision lost: nothing of it stays
    assert rows(engine) == []
    with Session(engine) as s:
        outbox.add_decision_effects(s, "submission", 7, pid, posts, NOW)
        s.commit()
    assert [(r.kind, r.platform, r.message_id) for r in rows(engine)] == [
        ("update", "slack", "1.1"),
        ("update", "teams", "m1"),
        ("dm", "", ""),
    ]
    first = rows(engine)[0].id or 0
    token = outbox.claim(engine, first, NOW)
    assert token is not None and outbox.claim(engine, first, NOW) is None
    assert [e.id for e in outbox.open_rows(engine, NOW)] == [r.id for r in rows(engine)[1:]]
    assert outbox.claim(engine, first, NOW + outbox.LEASE - timedelta(seconds=1)) is None  # still live
    taken = outbox.claim(engine, first, NOW + outbox.LEASE + timedelta(seconds=1))  # crashed: taken over
    assert taken is not None and taken != token
    outbox.done(engine, first, token, NOW)  # the crashed claim's late settle changes nothing
    assert rows(engine)[0].done_at is None
    outbox.done(engine, first, taken, NOW)
    assert rows(engine)[0].done_at is not None and rows(engine)[0].attempts == 2
    assert outbox.claim(engine, first, NOW + timedelta(hours=1)) is None  # done is done


def test_a_failed_row_waits_out_its_backoff_unless_forced(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    engine = any_ctx.engine
    with Session(engine) as s:
        outbox.add_decision_effects(s, "request", 3, person_id(engine), [], NOW)
        s.commit()
    (row,) = rows(engine)
    token = outbox.claim(engine, row.id or 0, NOW)
    assert token is not None
    outbox.retry(engine, row.id or 0, token, NOW + outbox.backoff(1), "slack: failed internal_error")
    assert outbox.open_rows(engine, NOW) == [] and outbox.due_now(engine, NOW) == 0
    assert [e.id for e in outbox.open_rows(engine, NOW, force=True)] == [row.id]
    assert outbox.claim(engine, row.id or 0, NOW + outbox.backoff(1)) is not None


def test_an_import_closing_a_posted_submission_queues_its_post_update(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    sub_id = submit_pending(any_ctx)
    with any_ctx.session() as s:
        record_post(s, "submission", sub_id, "slack", "C1", "1.5")
        s.commit()
    rows_csv = HEAD + "td@a.k12.al.us,EXT-ISTE,2025-01-10,3,5\n"
    assert import_bytes(any_ctx, "attendance", rows_csv.encode(), "iste.csv").confirmed == 1
    assert [(r.kind, r.item_id, r.message_id) for r in rows(any_ctx.engine)] == [("update", sub_id, "1.5")]


def test_the_reminder_logs_unsent_decision_notices_become_outbox_rows(db_url: str) -> None:
    """An older database's decision notices the sweep would have retried are carried over by migration 0003."""
    from alembic import command

    from storage.db import alembic_config, make_engine, migrate

    engine = make_engine(db_url)
    try:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002")
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO person (email, name, district, roles, active) VALUES ('a@x.org', 'A', '', '', true)")
            )
            pid = conn.execute(text("SELECT id FROM person")).scalar_one()
            for step, sent in (("request:4", None), ("submission:9", NOW), ("bogus", None)):
                conn.execute(
                    text(
                        "INSERT INTO reminder_log (kind, recipient, person_id, fy, step, claimed_at, sent_at, attempts,"
                        " last_error) VALUES ('decision', 'a@x.org', :pid, 2025, :step, :now, :sent, 1, 'failed')"
                    ),
                    {"pid": pid, "step": step, "now": NOW, "sent": sent},
                )
        migrate(engine)
        assert [(r.kind, r.item_type, r.item_id, r.person_id, r.done_at) for r in rows(engine)] == [
            ("dm", "request", 4, pid, None)
        ]
    finally:
        engine.dispose()
