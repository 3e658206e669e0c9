"""storage.catalog.roll_catalog_forward (SQLite and PostgreSQL): only undated external events are copied; dated
events (one-off) and ALET activities stay behind, counted, and the summary says why."""

from __future__ import annotations

from handlers.context import Context
from storage.catalog import catalog, roll_catalog_forward
from tests.conftest import seed_basic


def test_only_undated_external_events_roll_forward(any_ctx: Context) -> None:
    seed_basic(any_ctx)  # FY2025: the 20 shipped external events (4 dated) and 5 ALET activities (3 dated)
    with any_ctx.session() as s:
        done = roll_catalog_forward(s, 2025, 2026)
        s.commit()
        assert (done.added, done.kept, done.skipped_dated, done.skipped_alet) == (16, 0, 4, 5)
        rolled = {i.code: i for i in catalog(s, 2026)}
        assert len(rolled) == 16
        assert all(i.kind.value == "external" and i.day is None and i.fy == 2026 for i in rolled.values())
        assert "EXT-AASA-AI-2025" not in rolled and "FALL24" not in rolled and "TALENT-DATA" not in rolled
        assert done.summary(2025, 2026) == (
            "FY2026: 16 external events copied from FY2025, 0 already there. Not copied: "
            "4 dated external events (one-off; approve the new date for FY2026); "
            "5 ALET activities (import FY2026's sessions and courses with its dates)."
        )
        again = roll_catalog_forward(s, 2025, 2026)
        s.commit()
        assert (again.added, again.kept) == (0, 16)
        assert len(catalog(s, 2026)) == 16


def test_summary_without_skips_says_nothing_about_them(any_ctx: Context) -> None:
    with any_ctx.session() as s:
        first = roll_catalog_forward(s, 2025, 2026)  # shipped catalog only
        s.commit()
        assert first.skipped_alet == 0
        second = roll_catalog_forward(s, 2026, 2027)  # FY2026 holds only undated external events
        s.commit()
    assert second.summary(2026, 2027) == "FY2027: 16 external events copied from FY2026, 0 already there."
