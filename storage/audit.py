"""The audit log: one row for every decision and import."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from storage.tables import AuditLog


def audit(session: Session, actor: str, action: str, subject: str = "", detail: dict[str, Any] | None = None) -> None:
    """Add an audit row to the session's transaction (written with the change it describes)."""
    session.add(
        AuditLog(
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            subject=subject,
            detail=json.dumps(detail or {}, sort_keys=True, default=str),
        )
    )
