"""outbox: a decision's follow-ups (post updates, DMs) written with the decision; the reminder log's unsent
decision notices carried over

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("effect_key", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("item_type", sa.String(20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(32), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.UniqueConstraint("effect_key", name="uq_outbox_effect"),
    )
    op.create_index("ix_outbox_open", "outbox", ["done_at", "due_at"])
    _carry_over_unsent_notices()


def _carry_over_unsent_notices() -> None:
    """Decision notices the reminder log still held unsent (the sweep used to retry them) become outbox rows."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT step, person_id FROM reminder_log WHERE kind = 'decision' AND sent_at IS NULL")
    ).fetchall()
    now = datetime.now(UTC)
    for step, person_id in rows:
        item_type, _, raw_id = str(step).partition(":")
        if item_type not in ("submission", "request") or not raw_id.isdigit() or person_id is None:
            continue
        conn.execute(
            sa.text(
                "INSERT INTO outbox (effect_key, kind, item_type, item_id, platform, channel, message_id, person_id,"
                " created_at, due_at, attempts, last_error) VALUES (:key, 'dm', :type, :id, '', '', '', :pid,"
                " :now, :now, 0, '')"
            ),
            {"key": f"dm:{item_type}:{raw_id}", "type": item_type, "id": int(raw_id), "pid": person_id, "now": now},
        )


def downgrade() -> None:
    op.drop_index("ix_outbox_open", table_name="outbox")
    op.drop_table("outbox")
