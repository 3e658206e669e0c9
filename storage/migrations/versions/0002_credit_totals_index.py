"""covering index (person, fy, status, alet, strands, quarters, counted) for status and all-TD totals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ["person_id", "fy", "status", "alet", "strands", "quarters", "counted"]


def upgrade() -> None:
    with op.batch_alter_table("credit_record") as batch:
        batch.drop_index("ix_credit_person_fy")
        batch.create_index("ix_credit_person_totals", COLUMNS)


def downgrade() -> None:
    with op.batch_alter_table("credit_record") as batch:
        batch.drop_index("ix_credit_person_totals")
        batch.create_index("ix_credit_person_fy", ["person_id", "fy"])
