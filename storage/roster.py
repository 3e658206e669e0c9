"""The roster's life cycle: taking a person off the roster and back (Person.active for today, RosterAbsence for
the spans they were off), and who was on the roster during a fiscal year (the report of a past FY)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, exists, not_, or_
from sqlmodel import Session, col, select

from storage.audit import audit
from storage.tables import Person, RosterAbsence


def set_active(session: Session, person: Person, active: bool, today: date, actor: str) -> bool:
    """Put `person` on the roster or take them off from `today` on, with an audit row; False when they already
    were so. The caller commits. Off from today means on the roster until yesterday; back on today closes the
    open span the day before (a span closed before it began, off and on the same day, is dropped)."""
    if person.active == active:
        return False
    assert person.id is not None
    if active:
        for span in _open_spans(session, person.id):
            span.last_day = today - timedelta(days=1)
            if span.last_day < span.first_day:
                session.delete(span)
            else:
                session.add(span)
    else:
        session.add(RosterAbsence(person_id=person.id, first_day=today))
    person.active = active
    session.add(person)
    action = "roster.activate" if active else "roster.deactivate"
    audit(session, actor, action, person.email, {"on": today.isoformat()})
    return True


def _open_spans(session: Session, person_id: int) -> list[RosterAbsence]:
    return list(
        session.exec(
            select(RosterAbsence).where(RosterAbsence.person_id == person_id, col(RosterAbsence.last_day).is_(None))
        ).all()
    )


def on_roster_during(first: date, last: date) -> ColumnElement[bool]:
    """A WHERE clause on Person: on the roster on at least one day of `first`..`last` (no span off covers it all)."""
    covering = exists().where(
        col(RosterAbsence.person_id) == col(Person.id),
        col(RosterAbsence.first_day) <= first,
        or_(col(RosterAbsence.last_day).is_(None), col(RosterAbsence.last_day) >= last),
    )
    return not_(covering)
