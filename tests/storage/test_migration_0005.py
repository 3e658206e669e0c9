"""Migration 0005 on a database that holds data: down to 0004 and up again with records, a submission pointing at
one (a foreign key into credit_record) and a voided record; nothing is lost and the live-record index again lets
a voided record be imported anew. SQLite (foreign keys on) and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, col, select

from handlers.context import Context
from handlers.void import CLI_ACTOR, void_record
from storage.db import MIGRATIONS
from storage.tables import CreditRecord, Submission
from tests.conftest import load, seed_basic


def _alembic(engine: Engine, action: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)


def test_0005_down_and_up_with_data(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    load(
        any_ctx,
        "attendance",
        "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\ntd@a.k12.al.us,CAMP25,2025-02-20,2\n",
    )
    with any_ctx.session() as s:
        first, second = s.exec(select(CreditRecord).order_by(col(CreditRecord.id))).all()
        s.add(Submission(person_id=first.person_id, credit_id=first.id or 0, created_at=datetime.now(UTC)))
        s.commit()
    assert void_record(any_ctx, CLI_ACTOR, second.id or 0, "test").ok
    engine = any_ctx.engine
    _alembic(engine, "downgrade", "0004")
    assert "void_reason" not in {c["name"] for c in inspect(engine).get_columns("credit_record")}
    _alembic(engine, "upgrade", "head")
    with Session(engine) as s:
        statuses = [r.status for r in s.exec(select(CreditRecord).order_by(col(CreditRecord.id))).all()]
        assert statuses == ["approved", "rejected"]  # 0004 knew no voided: the nearest was rejected
        assert s.exec(select(Submission)).one().credit_id == first.id
        s.execute(text("UPDATE credit_record SET status = 'voided' WHERE id = :id"), {"id": second.id})
        s.commit()
    load(any_ctx, "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,CAMP25,2025-02-20,3\n")  # allowed again
