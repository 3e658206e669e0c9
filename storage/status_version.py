"""Per-person status versions (migration 0008): database triggers bump a person's row of `status_version` on every
write to their credit records (submission, request, decision, void, import) or to their roster row, and row 0 on
every write to the catalog or the policies (which every status reads). A status built after reading the versions
is current for as long as they stay the same, on every replica, whichever code path wrote.

Row -1 holds the table's generation (migration 0009): a random number, new whenever the counters could start
again — the table recreated (`db upgrade` after a downgrade) or a backup restored (storage/backup.py). On
PostgreSQL the table's OID is part of it too (a pg_restore creates the table anew). A status built under another
generation is never current, even at the same counters."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

EVERYONE = 0  # the row the catalog and policy triggers bump
GENERATION = -1  # the row holding the generation (never bumped by a trigger)
_WATCHED = ("credit_record", "catalog_entry", "policy_year", "policy_strand")  # and person (updates only)
TRIGGERS = {  # every trigger of migration 0008, by dialect (a SQLite table rebuild drops its triggers silently)
    "sqlite": {f"sv_{t}_{e}" for t in _WATCHED for e in ("insert", "update", "delete")} | {"sv_person_update"},
    "postgresql": {f"sv_{t}" for t in (*_WATCHED, "person")},
}

_VERSIONS = "SELECT person_id, version FROM status_version WHERE person_id IN (:person, 0, -1)"
_READ = {
    "sqlite": text(_VERSIONS),
    "postgresql": text(
        f"{_VERSIONS} UNION ALL SELECT -2, CAST(CAST(CAST('status_version' AS regclass) AS oid) AS bigint)"
    ),
}
TABLE_OID = -2  # on PostgreSQL, the table's OID comes back as this row
_LOCK = text(
    "INSERT INTO status_version (person_id, version) SELECT p, 1 FROM unnest(CAST(:ids AS integer[])) AS p "
    "ORDER BY p ON CONFLICT (person_id) DO UPDATE SET version = status_version.version + 1"
)
_FOUND_SQLITE = text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sv\\_%' ESCAPE '\\'")
_FOUND_PG = text(
    "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE NOT t.tgisinternal AND c.relnamespace = CAST(current_schema() AS regnamespace) AND t.tgname LIKE 'sv\\_%'"
)


def versions_of(session: Session, person_id: int) -> tuple[int, int, int]:
    """(the person's version, everyone's version, the generation); 0 for a row never written."""
    conn = session.connection()
    rows = conn.execute(_READ.get(conn.dialect.name, _READ["sqlite"]), {"person": person_id}).all()
    found: dict[int, int] = {int(who): int(version) for who, version in rows}
    generation = found.get(GENERATION, 0) + (found.get(TABLE_OID, 0) << 64)
    return found.get(person_id, 0), found.get(EVERYONE, 0), generation


def lock_versions(session: Session, person_ids: Iterable[int]) -> None:
    """On PostgreSQL, bump (and so lock) the rows of `person_ids` in id order, before a bulk write whose triggers
    would bump them in file order: two imports at the same moment (a roster and an attendance file) then take the
    rows in the same order and cannot deadlock on them. SQLite has one writer at a time: nothing to do."""
    conn = session.connection()
    ids = sorted({int(i) for i in person_ids})
    if ids and conn.dialect.name == "postgresql":
        conn.execute(_LOCK, {"ids": ids})


def missing_triggers(conn: Connection) -> list[str]:
    """The `sv_*` triggers of migration 0008 this database lacks (none at head unless something dropped them)."""
    dialect = conn.dialect.name
    expected = TRIGGERS.get(dialect)
    if expected is None:
        return []
    found = {str(name) for (name,) in conn.execute(_FOUND_SQLITE if dialect == "sqlite" else _FOUND_PG)}
    return sorted(expected - found)


def trigger_problem(engine: Engine) -> str | None:
    """What `ceu-bot doctor` says when triggers are missing (statuses kept by replicas could be stale); None if not."""
    with engine.connect() as conn:
        missing = missing_triggers(conn)
    if not missing:
        return None
    return (
        f"the status triggers {', '.join(missing)} are missing (a SQLite table rebuild drops them): replicas may "
        "show stale statuses; recreate them from migration 0008"
    )
