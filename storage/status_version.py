"""Per-person status versions (migration 0008): database triggers bump a person's row of `status_version` on every
write to their credit records (submission, request, decision, void, import) or to their roster row, and row 0 on
every write to the catalog or the policies (which every status reads). A status built after reading the versions
is current for as long as they stay the same, on every replica, whichever code path wrote."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

EVERYONE = 0  # the row the catalog and policy triggers bump

_VERSIONS = text("SELECT person_id, version FROM status_version WHERE person_id IN (:person, 0)")


def versions_of(session: Session, person_id: int) -> tuple[int, int]:
    """(the person's version, everyone's version); 0 for a row never written."""
    rows = session.connection().execute(_VERSIONS, {"person": person_id}).all()
    found: dict[int, int] = {int(who): int(version) for who, version in rows}
    return found.get(person_id, 0), found.get(EVERYONE, 0)
