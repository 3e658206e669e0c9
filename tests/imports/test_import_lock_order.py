"""A roster import (person updates) and an attendance import (credit inserts) at the same moment cannot deadlock
on `status_version` (PostgreSQL): each first bumps, and so locks, the version rows of everyone it writes in id
order (storage/status_version.lock_versions), before any write whose triggers bump them in file order; every later
bump in that transaction is of a row it holds already. Both take their rows in the same order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from handlers.context import Context
from storage.db import open_database
from tests.conftest import TODAY, load, seed_basic
from tests.dbs import postgres_schema_url


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[tuple[Context, list[tuple[str, Any]]]]:
    with postgres_schema_url() as url:
        engine = open_database(url)
        seen: list[tuple[str, Any]] = []

        def record(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
            seen.append((" ".join(statement.split()), params))

        try:
            ctx = Context(engine, TODAY, evidence_dir=tmp_path / "ev")
            seed_basic(ctx)
            event.listen(engine, "before_cursor_execute", record)
            yield ctx, seen
        finally:
            engine.dispose()


def _ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {e: i for i, e in conn.exec_driver_sql("SELECT id, email FROM person").all()}


def _first(seen: list[tuple[str, Any]], starts: str) -> int:
    return next(n for n, (sql, _) in enumerate(seen) if sql.startswith(starts))


def test_both_imports_lock_the_versions_in_id_order_before_writing(pg: tuple[Context, list[tuple[str, Any]]]) -> None:
    ctx, seen = pg
    ids = _ids(ctx.engine)
    both = sorted([ids["td@a.k12.al.us"], ids["old@b.k12.al.us"]])
    assert ids["old@b.k12.al.us"] > ids["td@a.k12.al.us"]  # the files below name the later id first
    load(
        ctx,
        "roster",
        "email,name,district,role_start,cto_completed,roles\n"
        "old@b.k12.al.us,Blair Veteran II,Beta City,2010-08-01,,\n"
        "td@a.k12.al.us,Alex Director II,Alpha County,2024-11-15,,director\n",
    )
    lock = _first(seen, "INSERT INTO status_version")
    assert lock < _first(seen, "UPDATE person") and seen[lock][1]["ids"] == both
    seen.clear()
    load(
        ctx,
        "attendance",
        "email,activity_code,date,hours\nold@b.k12.al.us,FALL24,2024-11-05,6\ntd@a.k12.al.us,FALL24,2024-11-05,6\n",
    )
    lock = _first(seen, "INSERT INTO status_version")
    assert lock < _first(seen, "INSERT INTO credit_record") and seen[lock][1]["ids"] == both
