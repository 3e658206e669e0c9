"""status versions: a generation (row -1 of `status_version`), and the PostgreSQL trigger functions bound to
their schema

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

The generation is a random number set here (so a table recreated by `db upgrade` after a downgrade starts a new
one) and again by a restore (storage/backup.py): a replica's kept statuses are never current across a reset of
the counters (storage/status_version.py). On PostgreSQL the trigger functions of 0008 name `status_version`
unqualified: each now runs with the search_path of this migration (`SET search_path FROM CURRENT`), so a session
with another search_path still bumps the right table.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FUNCTIONS = ("credit_record", "person", "catalog_entry", "policy_year", "policy_strand")


def upgrade() -> None:
    op.execute("DELETE FROM status_version WHERE person_id = -1")  # a restore of an 0008 backup may have set one
    op.get_bind().execute(
        sa.text("INSERT INTO status_version (person_id, version) VALUES (-1, :v)"), {"v": secrets.randbits(62)}
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in FUNCTIONS:
            op.execute(f"ALTER FUNCTION sv_{table}() SET search_path FROM CURRENT")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in FUNCTIONS:
            op.execute(f"ALTER FUNCTION sv_{table}() RESET search_path")
    op.execute("DELETE FROM status_version WHERE person_id = -1")
