"""Import checks (SQLite and PostgreSQL): roster dates (no role or CTO Academy completion in the future, no
completion before the role began), a catalog `earliest` inside the catalog's FY, dates only as YYYY-MM-DD, and a
file with only its header refused; every refusal lists every bad row by line and writes nothing (no batch, no
audit row)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from handlers.context import Context
from handlers.csv_rows import ImportRefused, parse_date
from storage.tables import AuditLog, CatalogEntry, CreditRecord, ImportBatch, Person
from tests.conftest import load, seed_basic

TABLES = (Person, CatalogEntry, CreditRecord, ImportBatch, AuditLog)
ROSTER_HEAD = "email,name,district,role_start,cto_completed,roles\n"
CATALOG_HEAD = "code,title,kind,date,hours,strands,earliest\n"


def _snapshot(ctx: Context) -> dict[str, int]:
    with ctx.session() as s:
        return {t.__name__: int(s.exec(select(func.count()).select_from(t)).one()) for t in TABLES}


def _refused(ctx: Context, kind: str, text: str, fy: int | None = None) -> list[str]:
    before = _snapshot(ctx)
    with pytest.raises(ImportRefused) as exc:
        load(ctx, kind, text, fy=fy)
    assert _snapshot(ctx) == before
    return exc.value.problems


def test_roster_dates_in_the_future_are_refused(any_ctx: Context) -> None:
    # today is 2025-03-03
    rows = (
        ROSTER_HEAD
        + "a@x.k12.al.us,Ann,A,2024-11-01,2025-03-03,\n"  # 2 good: completed today
        + "b@x.k12.al.us,Ben,B,2024-11-01,2025-03-04,\n"  # 3 completed tomorrow
        + "c@x.k12.al.us,Cy,C,2025-01-10,2024-12-01,\n"  # 4 good: completed before the role began
        + "d@x.k12.al.us,Di,D,2025-03-04,,\n"  # 5 role begins tomorrow
        + "e@x.k12.al.us,Ed,E,2030-07-01,2031-01-01,\n"  # 6 both in the future
        + "f@x.k12.al.us,Flo,F,,2024-06-01,\n"  # 7 good: completion without a role start
    )
    assert _refused(any_ctx, "roster", rows) == [
        "line 3: cto_completed 2025-03-04 is in the future",
        "line 5: role_start 2025-03-04 is in the future (enter the TD once the role has begun)",
        "line 6: role_start 2030-07-01 is in the future (enter the TD once the role has begun); "
        "cto_completed 2031-01-01 is in the future",
    ]
    good = (
        ROSTER_HEAD
        + "a@x.k12.al.us,Ann,A,2024-11-01,2025-03-03,\n"
        + "c@x.k12.al.us,Cy,C,2025-01-10,2024-12-01,\n"
        + "f@x.k12.al.us,Flo,F,,2024-06-01,\n"
    )
    load(any_ctx, "roster", good)
    assert _snapshot(any_ctx)["Person"] == 3


def test_catalog_earliest_must_fall_inside_the_catalogs_fy(any_ctx: Context) -> None:
    rows = (
        CATALOG_HEAD
        + "EXT-A,A,external,,3,2,2024-10-01\n"  # 2 good: the FY's first day
        + "EXT-B,B,external,,3,2,2024-09-30\n"  # 3 the day before FY2025
        + "EXT-C,C,external,,3,2,2025-10-01\n"  # 4 in FY2026
        + "EXT-D,D,external,,3,2,2025-09-30\n"  # 5 good: the FY's last day
    )
    assert _refused(any_ctx, "catalog", rows, fy=2025) == [
        "line 3: earliest 2024-09-30 is outside FY2025 (2024-10-01 to 2025-09-30)",
        "line 4: earliest 2025-10-01 is outside FY2025 (2024-10-01 to 2025-09-30)",
    ]


@pytest.mark.parametrize("text", ["20250630", "2025-W01-1", "2025-001", "2025-6-30", " 2025-06-3", "2025-06-30T00:00"])
def test_dates_are_only_yyyy_mm_dd(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date like 2025-03-14"):
        parse_date(text)


def test_parse_date_accepts_iso_days() -> None:
    assert parse_date("2025-06-30") == date(2025, 6, 30)
    assert parse_date(" 2024-02-29 ") == date(2024, 2, 29)


def test_an_attendance_row_with_a_compact_date_is_refused_by_line(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    rows = "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,20241105,4\ntd@a.k12.al.us,FALL24,2024-11-05,4\n"
    assert _refused(any_ctx, "attendance", rows) == ["line 2: date '20241105' is not a date like 2025-03-14"]


@pytest.mark.parametrize(
    ("kind", "head", "fy"),
    [
        ("attendance", "email,activity_code,date,hours,strands\n", None),
        ("attendance", "\ufeffemail,activity_code,date,hours\n\n\n", None),
        ("roster", ROSTER_HEAD, None),
        ("catalog", CATALOG_HEAD, 2025),
    ],
)
def test_a_file_with_only_its_header_is_refused_and_writes_no_batch(
    any_ctx: Context, kind: str, head: str, fy: int | None
) -> None:
    seed_basic(any_ctx)
    assert _refused(any_ctx, kind, head, fy=fy) == [
        "the file has a header but no rows: nothing to import (is it the right export?)"
    ]
