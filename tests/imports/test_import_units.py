"""Attendance `unit` column (SQLite and PostgreSQL): two CoSN CTO Academy workshops (per-unit, 1 hour each) on one
day import when their units differ; a file without the column still imports (the date is the unit); the same
workshop twice is refused by line; a unit on any other activity names a part of it (tests/test_import_parts.py)."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from handlers.context import Context
from handlers.csv_rows import ImportRefused
from handlers.imports import import_bytes
from storage.tables import CreditRecord
from tests.conftest import seed_basic

TD = "td@a.k12.al.us"
W = "EXT-COSN-CTO-WORKSHOP"


def _load(ctx: Context, text: str) -> str:
    return import_bytes(ctx, "attendance", text.encode(), "a.csv").summary()


def _units(ctx: Context) -> list[tuple[str, str]]:
    with ctx.session() as s:
        return [(str(r.day), r.unit) for r in s.exec(select(CreditRecord).order_by(col(CreditRecord.unit))).all()]


def test_two_workshops_on_one_day_are_two_units(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    rows = (
        "email,activity_code,date,hours,unit\n"
        f"{TD},{W},2025-01-14,1,Budgeting for Cyber\n"
        f"{TD},{W},2025-01-14,1,Vendor Contracts\n"
    )
    assert _load(any_ctx, rows).startswith("attendance import: 2 rows read, 2 added")
    assert _units(any_ctx) == [("2025-01-14", "budgeting for cyber"), ("2025-01-14", "vendor contracts")]
    assert "0 added, 2 already recorded" in _load(any_ctx, rows.replace("Vendor Contracts", "VENDOR contracts "))


def test_without_the_column_the_date_is_the_unit(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    _load(any_ctx, f"email,activity_code,date,hours\n{TD},{W},2025-01-14,1\n{TD},{W},2025-01-15,1\n")
    assert _units(any_ctx) == [("2025-01-14", "2025-01-14"), ("2025-01-15", "2025-01-15")]
    with pytest.raises(ImportRefused) as refused:
        _load(any_ctx, f"email,activity_code,date,hours,unit\n{TD},{W},2025-01-16,1,A\n{TD},{W},2025-01-16,1,a\n")
    assert refused.value.problems == ["line 3: repeats line 2"]


def test_a_unit_on_an_ordinary_activity_names_a_part_and_a_long_one_is_refused(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    _load(any_ctx, f"email,activity_code,date,hours,strands,unit\n{TD},EXT-ISTE,2025-01-10,2,2,Day 1\n")
    assert _units(any_ctx) == [("2025-01-10", "day 1")]
    with pytest.raises(ImportRefused) as refused:
        _load(any_ctx, f"email,activity_code,date,hours,unit\n{TD},{W},2025-01-20,1,{'x' * 201}\n")
    assert refused.value.problems == ["line 2: unit is longer than 200 characters"]
