"""The one explicit context a handler receives: database, today's date, the actor and the settings it needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from handlers.status_cache import StatusCache
from rules.fiscal import local_date
from storage.evidence_store import EvidenceStore, FileStore

TIMEZONE = "America/Chicago"


@dataclass(frozen=True)
class Actor:
    """Who is asking: a roster person (id, e-mail, roles) on a platform."""

    person_id: int
    email: str
    name: str
    roles: frozenset[str]
    platform: str = "cli"

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass
class Context:
    engine: Engine
    today: date
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    evidence_dir: Path = Path("data/evidence")
    evidence: EvidenceStore | None = None  # where evidence bytes go (None: files under evidence_dir)
    statuses: StatusCache | None = None  # the process's built statuses (the server's); None: built every time

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def evidence_store(self) -> EvidenceStore:
        return self.evidence if self.evidence is not None else FileStore(self.evidence_dir)


def today_local(zone: str = TIMEZONE, now: datetime | None = None) -> date:
    """Today's calendar date in America/Chicago (the only place the clock is read for dates)."""
    return local_date(now or datetime.now(UTC), zone)
