"""Attendance import and the activity's own dates (against SQLite and PostgreSQL): rows outside a dated
activity's range (its date alone without an end), live ALET event or external event alike, refuse the file, each
listed by line number with the activity's dates, and nothing is written."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from handlers.context import Context
from handlers.csv_rows import ImportRefused
from storage.tables import CreditRecord, ImportBatch
from tests.conftest import load, seed_basic

HEAD = "email,activity_code,date,hours,strands\n"


def _counts(ctx: Context) -> tuple[int, int]:
    with ctx.session() as s:
        return (
            int(s.exec(select(func.count()).select_from(CreditRecord)).one()),
            int(s.exec(select(func.count()).select_from(ImportBatch)).one()),
        )


def test_rows_off_the_activitys_date_are_listed_and_nothing_is_written(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    before = _counts(any_ctx)
    rows = (
        HEAD
        + "td@a.k12.al.us,FALL24,2024-11-05,4,\n"  # 2 good: the conference's day
        + "td@a.k12.al.us,CAMP25,2024-11-06,1,\n"  # 3 before the Cyber Camp
        + "old@b.k12.al.us,FALL24,2024-11-07,2,\n"  # 4 after the conference's day
        + "td@a.k12.al.us,EXT-AASA-AI-2025,2025-01-29,1,\n"  # 5 before the external event
        + "td@a.k12.al.us,EXT-AASA-AI-2025,2025-02-03,1,\n"  # 6 after its two days
        + "td@a.k12.al.us,EXT-AASA-AI-2025,2025-01-31,1,\n"  # 7 good: its second day
    )
    with pytest.raises(ImportRefused) as refused:
        load(any_ctx, "attendance", rows)
    assert refused.value.problems == [
        "line 3: date 2024-11-06 is not the day of CAMP25, which took place on 2025-02-20",
        "line 4: date 2024-11-07 is not the day of FALL24, which took place on 2024-11-05",
        "line 5: date 2025-01-29 is not during EXT-AASA-AI-2025, which took place from 2025-01-30 to 2025-01-31",
        "line 6: date 2025-02-03 is not during EXT-AASA-AI-2025, which took place from 2025-01-30 to 2025-01-31",
    ]
    assert _counts(any_ctx) == before
    good = HEAD + "td@a.k12.al.us,FALL24,2024-11-05,4,\ntd@a.k12.al.us,EXT-AASA-AI-2025,2025-01-31,1,\n"
    load(any_ctx, "attendance", good)
    assert _counts(any_ctx) == (before[0] + 2, before[1] + 1)
