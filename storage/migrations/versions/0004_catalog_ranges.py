"""catalog date ranges (end_day), once-only activities; the shipped FY2025 one-off events get their dates

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

A database made before this revision holds the FY2025 catalog as first shipped: its one-off external events were
undated (claimable any day of the FY) and nothing was marked `once`. Those rows get the dates and flags of today's
storage/policies/fy2025.toml, a date range only where no record of it falls outside the range (an admin's data is
never invalidated by an upgrade). Records need no change: `unit` already told records apart and is now given for
any activity; a record without one keeps the empty unit (or its date for a per-unit activity).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ONCE = (
    "EXT-CBT-NETWORK-PLUS",
    "EXT-CBT-SECURITY-PLUS",
    "EXT-GOOGLE-CERT-L1",
    "EXT-ATIM-PLUACLD1185",
    "EXT-LIGHT-BRIGADE-FIBER",
    "EXT-MS-DEFEND-WEBINAR",
)
RANGES = {
    "EXT-AASA-AI-2025": (date(2025, 1, 30), date(2025, 1, 31)),
    "EXT-DA-TECH-SUMMIT-2024": (date(2024, 12, 1), date(2024, 12, 31)),
    "EXT-AL-GOV-DIGITAL-2024": (date(2024, 10, 1), date(2024, 12, 31)),
    "EXT-RTM-2025-K12": (date(2025, 1, 1), date(2025, 9, 30)),
}


def upgrade() -> None:
    # plain ADD COLUMN (SQLite has it): a batch copy of the table could not drop it under the records' foreign keys
    op.add_column("catalog_entry", sa.Column("end_day", sa.Date(), nullable=True))
    op.add_column("catalog_entry", sa.Column("once", sa.Boolean(), nullable=False, server_default=sa.false()))
    bind = op.get_bind()
    once = sa.text("UPDATE catalog_entry SET once = :yes WHERE code IN :codes").bindparams(
        sa.bindparam("codes", expanding=True)
    )
    bind.execute(once, {"yes": True, "codes": list(ONCE)})
    dated = sa.text(
        "UPDATE catalog_entry SET day = :start, end_day = :end"
        " WHERE fy = 2025 AND code = :code AND (day IS NULL OR day = :start) AND end_day IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM credit_record r WHERE r.catalog_id = catalog_entry.id"
        " AND r.status NOT IN ('rejected', 'voided') AND (r.day < :start OR r.day > :end))"
    )
    for code, (start, end) in RANGES.items():
        bind.execute(dated, {"code": code, "start": start, "end": end})


def downgrade() -> None:
    with op.batch_alter_table("catalog_entry") as batch:
        batch.drop_column("once")
        batch.drop_column("end_day")
