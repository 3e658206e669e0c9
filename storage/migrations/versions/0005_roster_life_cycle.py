"""roster life cycle (spans off the roster) and voided records (reason, when; a voided record blocks no new one)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LIVE_COLUMNS = ["person_id", "catalog_id", "day", "unit"]
OLD_WHERE = "status != 'rejected'"
NEW_WHERE = "status NOT IN ('rejected', 'voided')"


def _live_index(where: str) -> None:
    op.create_index(
        "uq_credit_live",
        "credit_record",
        LIVE_COLUMNS,
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    op.create_table(
        "roster_absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_roster_absence_person_id", "roster_absence", ["person_id"])
    # plain ADD COLUMN and index statements (SQLite has them): a batch copy of credit_record could not drop the
    # table under the submissions' foreign keys in a database that holds any
    op.add_column("credit_record", sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("credit_record", sa.Column("void_reason", sa.Text(), nullable=False, server_default=""))
    op.drop_index("uq_credit_live", "credit_record")
    _live_index(NEW_WHERE)


def downgrade() -> None:
    op.execute("UPDATE credit_record SET status = 'rejected' WHERE status = 'voided'")  # the old schema's nearest
    op.drop_index("uq_credit_live", "credit_record")
    _live_index(OLD_WHERE)
    op.drop_column("credit_record", "void_reason")
    op.drop_column("credit_record", "voided_at")
    op.drop_index("ix_roster_absence_person_id", "roster_absence")
    op.drop_table("roster_absence")
