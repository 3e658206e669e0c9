"""status versions: a per-person counter bumped by triggers on every write that changes what a status shows

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

`status_version(person_id, version)`: triggers bump the person's row on every insert, update or delete of their
credit records (submissions, requests, decisions, voids and imports all land there) and on every update of their
person row (roster changes, CTO Academy, role start); row 0 on every write to the catalog or the policies. A
replica compares the versions it read before building a status with the current ones (storage/status_version.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# table -> (the person a row names, as an SQL expression of NEW / OLD), or None: row 0 (everyone)
WATCHED: dict[str, str | None] = {
    "credit_record": "person_id",
    "person": "id",
    "catalog_entry": None,
    "policy_year": None,
    "policy_strand": None,
}
EVENTS = ("INSERT", "UPDATE", "DELETE")
BUMP = (
    "INSERT INTO status_version (person_id, version) VALUES ({who}, 1) "
    "ON CONFLICT (person_id) DO UPDATE SET version = status_version.version + 1"
)


def _who(column: str | None, row: str) -> str:
    return f"{row}.{column}" if column else "0"


def _sqlite(table: str, column: str | None) -> list[str]:
    out = []
    for event in EVENTS:
        if table == "person" and event != "UPDATE":
            continue  # a new person has no status yet; people are never deleted
        rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[event]
        if column is None:
            rows = rows[:1]
        body = "; ".join(BUMP.format(who=_who(column, r)) for r in rows)
        out.append(f"CREATE TRIGGER sv_{table}_{event.lower()} AFTER {event} ON {table} FOR EACH ROW BEGIN {body}; END")
    return out


def _postgresql(table: str, column: str | None) -> list[str]:
    old, new = BUMP.format(who=_who(column, "OLD")), BUMP.format(who=_who(column, "NEW"))
    function = f"""CREATE FUNCTION sv_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN {old}; END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND {"true" if column else "false"}) THEN {new}; END IF;
  RETURN NULL;
END $$"""
    events = "UPDATE" if table == "person" else " OR ".join(EVENTS)
    trigger = f"CREATE TRIGGER sv_{table} AFTER {events} ON {table} FOR EACH ROW EXECUTE FUNCTION sv_{table}()"
    return [function, trigger]


def upgrade() -> None:
    op.create_table(
        "status_version",
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    dialect = op.get_bind().dialect.name
    for table, column in WATCHED.items():
        for statement in _postgresql(table, column) if dialect == "postgresql" else _sqlite(table, column):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in WATCHED:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS sv_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS sv_{table}()")
        else:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS sv_{table}_{event.lower()}")
    op.drop_table("status_version")
