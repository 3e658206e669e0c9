"""The one explicit context a handler receives, built once per request by the adapter (bot/app.Services.context):
the database, today's date and the configured time zone (CEU_TIMEZONE), the caller resolved once (`actor`, set by
the adapter with `as_actor` after its identity look-up), the evidence store and the download-link signer."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from handlers.status_cache import StatusCache
from rules.fiscal import local_date
from storage.evidence import EvidenceLinks
from storage.evidence_store import EvidenceStore, FileStore

TIMEZONE = "America/Chicago"  # the default of CEU_TIMEZONE


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
    actor: Actor | None = None  # the caller, resolved once by the adapter (None: not yet, or not on the roster)
    zone: str = TIMEZONE  # CEU_TIMEZONE: "today" and every local date a message shows
    links: EvidenceLinks | None = None  # signed evidence download links (None: CEU_PUBLIC_URL not set)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def evidence_store(self) -> EvidenceStore:
        return self.evidence if self.evidence is not None else FileStore(self.evidence_dir)

    def as_actor(self, actor: Actor | None) -> Context:
        """This request's context with its caller (the adapter's one identity look-up) handed down."""
        return replace(self, actor=actor)


def today_local(zone: str = TIMEZONE, now: datetime | None = None) -> date:
    """Today's calendar date in `zone` (CEU_TIMEZONE; the only place the clock is read for dates)."""
    return local_date(now or datetime.now(UTC), zone)
