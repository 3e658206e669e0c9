"""Migration 0004 on a database made before it (SQLite and PostgreSQL): the FY2025 catalog as first shipped gets
today's dates and `once` flags (a rolled-forward copy keeps its flag too), except a one-off event with a record
outside its new dates, which stays undated (an upgrade never invalidates an admin's records)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import text

from storage.db import alembic_config, make_engine, migrate

ROWS = [  # (id, fy, code, day)
    (1, 2025, "EXT-AASA-AI-2025", date(2025, 1, 30)),
    (2, 2025, "EXT-RTM-2025-K12", None),
    (3, 2025, "EXT-DA-TECH-SUMMIT-2024", None),
    (4, 2025, "EXT-CBT-NETWORK-PLUS", None),
    (5, 2026, "EXT-CBT-NETWORK-PLUS", None),
    (6, 2025, "EXT-ISTE", None),
]


def _day(value: object) -> date | None:
    """A date column read by plain SQL (SQLite answers its ISO text)."""
    return None if value is None else date.fromisoformat(str(value))


def test_the_shipped_one_off_events_get_their_dates_and_flags(db_url: str) -> None:
    engine = make_engine(db_url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        for cid, fy, code, day in ROWS:
            conn.execute(
                text(
                    "INSERT INTO catalog_entry (id, fy, code, title, kind, day, cap, up_to, per_unit, counts_for_td,"
                    " evidence, earliest, strands) VALUES (:id, :fy, :code, :code, 'external', :day, 12, true, false,"
                    " true, 'file', NULL, 1)"
                ),
                {"id": cid, "fy": fy, "code": code, "day": day},
            )
        conn.execute(
            text(
                "INSERT INTO person (id, email, name, district, roles, active)"
                " VALUES (1, 'td@a.k12.al.us', 'TD', 'D', 'director', true)"
            )
        )
        conn.execute(  # attended the "Dec 2024" summit in January: its range would leave this record outside
            text(
                "INSERT INTO credit_record (person_id, fy, catalog_id, alet, day, unit, quarters, strands, status,"
                " counted, note, source, created_at) VALUES (1, 2025, 3, false, :day, '', 4, 1, 'approved', true, '',"
                " 'attendance', :at)"
            ),
            {"day": date(2025, 1, 5), "at": datetime.now(UTC)},
        )
    migrate(engine)
    with engine.connect() as conn:
        got = {
            (fy, code): (_day(day), _day(end), bool(once))
            for fy, code, day, end, once in conn.execute(text("SELECT fy, code, day, end_day, once FROM catalog_entry"))
        }
    engine.dispose()
    assert got == {
        (2025, "EXT-AASA-AI-2025"): (date(2025, 1, 30), date(2025, 1, 31), False),
        (2025, "EXT-RTM-2025-K12"): (date(2025, 1, 1), date(2025, 9, 30), False),
        (2025, "EXT-DA-TECH-SUMMIT-2024"): (None, None, False),  # kept: a record falls outside Dec 2024
        (2025, "EXT-CBT-NETWORK-PLUS"): (None, None, True),
        (2026, "EXT-CBT-NETWORK-PLUS"): (None, None, True),
        (2025, "EXT-ISTE"): (None, None, False),
    }
