"""`ceu-bot demo` re-run: on the same day, on a later day of the same FY and in a later FY it succeeds and adds
nothing twice (SQLite and PostgreSQL through the handler; SQLite through the CLI, as `./dev demo` runs it)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import func, select

from handlers.demo import load_demo
from storage.tables import CatalogEntry, CreditRecord, Person
from tests.cli.test_cli_run import Cli
from tests.conftest import make_ctx


def _counts(engine: Engine, tmp_path: Path) -> dict[str, int]:
    ctx = make_ctx(engine, tmp_path)
    with ctx.session() as s:
        return {
            t.__name__: int(s.exec(select(func.count()).select_from(t)).one())
            for t in (Person, CatalogEntry, CreditRecord)
        }


def _fy_records(engine: Engine, tmp_path: Path, fy: int) -> list[tuple[str, str, date, int]]:
    with make_ctx(engine, tmp_path).session() as s:
        rows = s.execute(
            select(Person.email, CatalogEntry.code, CreditRecord.day, CreditRecord.quarters)
            .join(CreditRecord, CreditRecord.person_id == Person.id)
            .join(CatalogEntry, CatalogEntry.id == CreditRecord.catalog_id)
            .where(CreditRecord.fy == fy)
        )
        return sorted(rows)


def test_demo_twice_the_same_day_then_on_later_days(any_engine: Engine, tmp_path: Path) -> None:
    first = load_demo(make_ctx(any_engine, tmp_path, date(2025, 11, 3)))
    assert any(line.startswith("attendance import: 4 rows read, 4 added") for line in first), first
    after_first = _counts(any_engine, tmp_path)
    records = _fy_records(any_engine, tmp_path, 2026)
    assert len(records) == 4

    again = load_demo(make_ctx(any_engine, tmp_path, date(2025, 11, 3)))
    assert "roster import: 0 added (the demo people are already on the roster, left as they are)." in again
    assert "catalog import: 0 added (the FY2026 demo activities are already there, their dates kept)." in again
    assert "attendance import: 0 added (the FY2026 demo attendance is already recorded, 4 rows)." in again
    assert _counts(any_engine, tmp_path) == after_first

    later = load_demo(make_ctx(any_engine, tmp_path, date(2026, 1, 20)))  # the reviewer's repro: a later day
    assert "attendance import: 0 added (the FY2026 demo attendance is already recorded, 4 rows)." in later
    assert _counts(any_engine, tmp_path) == after_first
    assert _fy_records(any_engine, tmp_path, 2026) == records  # dates kept from the first run

    next_fy = load_demo(make_ctx(any_engine, tmp_path, date(2026, 11, 30)))  # FY2027: its own demo activities
    assert any(line.startswith("attendance import: 4 rows read, 4 added") for line in next_fy), next_fy
    assert len(_fy_records(any_engine, tmp_path, 2027)) == 4
    assert _fy_records(any_engine, tmp_path, 2026) == records
    counts = _counts(any_engine, tmp_path)
    assert counts["Person"] == after_first["Person"] and counts["CreditRecord"] == 8
    load_demo(make_ctx(any_engine, tmp_path, date(2027, 2, 1)))
    assert _counts(any_engine, tmp_path) == counts


def test_demo_cli_on_two_days(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    first = cli.ok("demo", "--today", "2025-11-03")
    assert "4 added" in first.out
    second = cli.ok("demo", "--today", "2025-11-30")
    assert "Traceback" not in second.text and "refused" not in second.text
    assert cli.count(CreditRecord) == 4
    third = cli.ok("demo", "--today", "2025-11-30")
    assert cli.count(CreditRecord) == 4 and "0 added" in third.out
