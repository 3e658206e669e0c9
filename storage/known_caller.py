"""The active person behind a chat account and their status versions (storage/status_version.py) in one statement,
so the roles and the versions belong to the same moment; and, on SQLite, a read-only connection of its own that
answers it on the event loop's thread (issue 15).

Why the loop: a point read of a local SQLite file in WAL mode takes microseconds (readers never wait for the
writer), while a worker-thread hop and an ORM session cost about twenty times that. The connection is detached from
the engine's pool (made by the same `connect` with the same pragmas, so it never waits for a pooled connection), is
`query_only`, and waits at most BUSY_MS for a lock; anything unusual raises ReadFailed and the caller takes its
usual worker-thread path. Other databases get no loop reader (a network round trip does not belong on the loop).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from storage.people import Seen, roles_from
from storage.status_version import GENERATION

Versions = tuple[int, int, int]  # the person's, everyone's, the generation (as storage.status_version.versions_of)
BUSY_MS = 20  # the longest the loop's read waits for a SQLite lock before giving way to the worker path

_SELECT = (
    "SELECT p.id, p.email, p.name, p.roles, "
    "COALESCE((SELECT v.version FROM status_version v WHERE v.person_id = p.id), 0), "
    "COALESCE((SELECT v.version FROM status_version v WHERE v.person_id = 0), 0), "
    f"COALESCE((SELECT v.version FROM status_version v WHERE v.person_id = {GENERATION}), 0), "
    "c.tenant_id, c.updated_at, c.conversation_ref{oid} "
    "FROM chat_identity c JOIN person p ON p.id = c.person_id "
    "WHERE c.platform = {platform} AND c.external_id = {user} AND p.active"
)
_SQLITE = _SELECT.format(oid="", platform="?", user="?")
_CORE = {
    "sqlite": text(_SELECT.format(oid="", platform=":platform", user=":user")),
    "postgresql": text(
        _SELECT.format(
            oid=", CAST(CAST(CAST('status_version' AS regclass) AS oid) AS bigint)", platform=":platform", user=":user"
        )
    ),
}


class ReadFailed(Exception):
    """The loop's read could not be made (locked, closed, damaged): take the worker-thread path."""


@dataclass(frozen=True)
class KnownCaller:
    person_id: int
    email: str
    name: str
    roles: frozenset[str]
    versions: Versions
    seen: Seen  # what is stored of the account's last sighting (Teams writes it again when it changed)


def _caller(row: Any) -> KnownCaller | None:
    if row is None:
        return None
    table_oid = int(row[10]) if len(row) > 10 else 0
    versions = (int(row[4]), int(row[5]), int(row[6]) + (table_oid << 64))
    seen = Seen(row[7], _when(row[8]), row[9])
    return KnownCaller(int(row[0]), str(row[1]), str(row[2]), roles_from(str(row[3])), versions, seen)


def _when(value: object) -> datetime | None:
    """updated_at as a datetime (the raw SQLite connection gives the text SQLAlchemy wrote)."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None  # unreadable: as if never written, so Teams writes it again


def known_caller(conn: Connection, platform: str, external_id: str) -> KnownCaller | None:
    """On any database: the active caller and their versions, or None when the account is unknown or inactive."""
    statement = _CORE.get(conn.dialect.name, _CORE["sqlite"])
    return _caller(conn.execute(statement, {"platform": platform, "user": external_id}).first())


class LoopReader:
    """SQLite only (`open` returns None elsewhere): known_caller on a connection used by the event loop alone."""

    def __init__(self, dbapi: sqlite3.Connection) -> None:
        self._db: sqlite3.Connection | None = dbapi

    @classmethod
    def open(cls, engine: Engine) -> LoopReader | None:
        """Blocking (call it off the loop, at start-up): a connection of its own to the engine's SQLite file."""
        path = engine.url.database
        if engine.dialect.name != "sqlite" or path in (None, "", ":memory:"):
            return None
        dbapi = sqlite3.connect(path, timeout=BUSY_MS / 1000, check_same_thread=False)
        try:
            dbapi.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            dbapi.execute("PRAGMA query_only=ON")
            dbapi.execute("SELECT 1 FROM status_version LIMIT 1").fetchall()  # the schema is there
        except sqlite3.Error:
            dbapi.close()
            raise
        return cls(dbapi)

    def caller(self, platform: str, external_id: str) -> KnownCaller | None:
        if self._db is None:
            raise ReadFailed("closed")
        try:
            return _caller(self._db.execute(_SQLITE, (platform, external_id)).fetchone())
        except sqlite3.Error as exc:
            raise ReadFailed(type(exc).__name__) from exc

    def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()
