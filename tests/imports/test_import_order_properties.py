"""Property (SQLite and PostgreSQL): the order of attendance rows never changes any status. Any subset of a pool of
rows that are valid together (online-course and one-time retakes across FY2025 and FY2026, same-day external
records crossing the 6-hour maximum, parts of one event on one day, ALET hours), imported as one file in any
permutation or split into two files in either order, leaves every director's status and every record's credit as
importing it in the pool's own order does."""

from __future__ import annotations

from datetime import date
from typing import Any
from weakref import WeakSet

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from sqlmodel import select

from handlers.context import Context
from handlers.imports import import_bytes
from handlers.status import build_status, status_json
from storage.catalog import roll_catalog_forward
from storage.people import by_email
from storage.tables import AuditLog, CreditRecord, ImportBatch
from tests.conftest import load, seed_basic

TD, OLD = "td@a.k12.al.us", "old@b.k12.al.us"
TODAY = date(2026, 3, 3)
HEAD = "email,activity_code,date,hours,strands,unit\n"
POOL = [
    f"{who},{row}"
    for who in (TD, OLD)
    for row in (
        "TALENT-DATA,2025-01-15,1.5,,",
        "TALENT-DATA,2025-02-15,1.5,,",
        "TALENT-DATA,2025-11-15,1.5,,",
        "EXT-CBT-NETWORK-PLUS,2025-01-10,4,5,",
        "EXT-CBT-NETWORK-PLUS,2025-03-10,4,4,",
        "EXT-CBT-NETWORK-PLUS,2025-12-10,4,5,",
        "EXT-ISTE,2025-03-01,2,2,",
        "EXT-AETC,2025-03-01,3,4,",
        "EXT-K12SIX,2025-03-01,3,5,",
        "EXT-FETC,2025-02-01,2,6,",
        "EXT-ERATE-BOOTCAMP,2025-04-01,1,3,Hour 1",
        "EXT-ERATE-BOOTCAMP,2025-04-01,1,1,Hour 2",
        "EXT-ERATE-BOOTCAMP,2025-04-01,1,3,Hour 3",
        "FALL24,2024-11-05,4,1,",
        "EXT-ISTE,2025-12-01,3,2,",
        "EXT-AETC,2025-12-01,3,3,",
    )
]


_PREPARED: WeakSet[Engine] = WeakSet()


def _prepare(ctx: Context) -> None:
    ctx.today = TODAY
    seed_basic(ctx)
    load(
        ctx, "catalog", "code,title,kind,date,hours,strands,up_to\nTALENT-DATA,Data,talent_online,,1.5,6,false\n", 2026
    )
    with ctx.session() as s:
        roll_catalog_forward(s, 2025, 2026)
        s.commit()


def _reset(ctx: Context) -> None:
    with ctx.session() as s:
        for table in (CreditRecord, AuditLog, ImportBatch):
            s.execute(delete(table))
        s.commit()


def _import(ctx: Context, files: list[list[str]]) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    _reset(ctx)
    for n, rows in enumerate(files):
        if rows:
            import_bytes(ctx, "attendance", (HEAD + "".join(r + "\n" for r in rows)).encode(), f"f{n}.csv")
    statuses: dict[str, Any] = {}
    with ctx.session() as s:
        for email in (TD, OLD):
            person = by_email(s, email)
            assert person is not None
            for fy in (2025, 2026):
                statuses[f"{email} FY{fy}"] = status_json(build_status(s, person, fy, TODAY))
        credit = sorted(
            (r.person_id, r.catalog_id, r.day, r.unit, r.quarters, r.strands, r.counted, r.note)
            for r in s.exec(select(CreditRecord)).all()
        )
    return statuses, credit


@st.composite
def orders(draw: st.DrawFn) -> tuple[list[str], list[str], int]:
    """A subset of the pool (in pool order), a permutation of it, and a split point."""
    chosen = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=len(POOL), unique=True))
    canonical = [r for r in POOL if r in chosen]
    shuffled = draw(st.permutations(canonical))
    split = draw(st.integers(min_value=0, max_value=len(shuffled)))
    return canonical, list(shuffled), split


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(drawn=orders())
def test_import_order_never_changes_any_status(any_ctx: Context, drawn: tuple[list[str], list[str], int]) -> None:
    if any_ctx.engine not in _PREPARED:  # hypothesis runs every example with the same fixture
        _prepare(any_ctx)
        _PREPARED.add(any_ctx.engine)
    canonical, shuffled, split = drawn
    expected = _import(any_ctx, [canonical])
    assert _import(any_ctx, [shuffled]) == expected  # one file, any permutation of its rows
    assert _import(any_ctx, [shuffled[:split], shuffled[split:]]) == expected  # split into two files
    assert _import(any_ctx, [shuffled[split:], shuffled[:split]]) == expected  # ... imported the other way round
