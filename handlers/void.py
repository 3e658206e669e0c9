"""Voiding a credit record recorded by mistake (a wrong attendance row, a claim approved in error): it stops
counting everywhere (status, history, report, reminders), history shows it voided with the reason, and the
audit log keeps what it was. The CLI (`ceu-bot void`) and a chat Void button call the same function."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from handlers.context import Actor, Context
from handlers.control_chars import field_problem
from handlers.payloads import Voided
from handlers.reply import Outcome, Reply, Section, message
from rules.credit import Status
from rules.fiscal import local_date
from rules.hours import fmt_hours
from storage.audit import audit
from storage.outbox import add_home_refresh
from storage.repeats import settle_repeats
from storage.reviews import as_utc
from storage.tables import CatalogEntry, CreditRecord, Person

VOID_ROLES = ("admin", "reviewer")
MAX_REASON = 1000
CLI_ACTOR = Actor(person_id=0, email="cli", name="the command line", roles=frozenset({"admin"}), platform="cli")


def void_record(ctx: Context, actor: Actor, record_id: int, reason: str) -> Reply:
    """Void approved record `record_id` with `reason` (admins and reviewers); once only, a second call says so."""
    reason = " ".join(reason.split())
    if not any(actor.has(r) for r in VOID_ROLES):
        return message("Not allowed", "Only ALET reviewers and admins can void a record.", Outcome.REFUSED)
    refused = _reason_refused(reason)
    if refused is not None:
        return refused
    with ctx.session() as session:
        row = session.get(CreditRecord, record_id)
        if row is None:
            return message(f"No record {record_id}", "Check the record number in the history.", Outcome.NOT_FOUND)
        if row.status != Status.APPROVED.value:
            return not_voidable(row, ctx.zone)
        changed = session.execute(
            update(CreditRecord)
            .where(col(CreditRecord.id) == record_id, col(CreditRecord.status) == Status.APPROVED.value)
            .values(status=Status.VOIDED.value, voided_at=ctx.now, void_reason=reason)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]  # voided by someone else meanwhile
            session.rollback()
            return not_voidable(session.get(CreditRecord, record_id, populate_existing=True) or row, ctx.zone)
        who, what = _settle_and_audit(session, actor, row, reason)
        add_home_refresh(session, [row.person_id], ctx.now)  # the director's Home shows the new numbers (outbox)
        session.commit()
    return Reply(
        title=f"Record {record_id} voided",
        sections=[
            Section(
                text=f"{what} on {row.day.isoformat()}, {fmt_hours(row.quarters)} h, of {who} no longer counts. "
                f"Reason: {reason}"
            )
        ],
        payload=Voided(record_id, Status.VOIDED.value),
    )


def _reason_refused(reason: str) -> Reply | None:
    """The refusal of a reason that cannot be kept: none, with control characters, or too long."""
    if not reason:
        why = "Say why the record is voided (the history shows it)."
        return message("A reason is needed", why, Outcome.INVALID)
    problem = field_problem(reason)
    if problem:  # a NUL cannot even be stored on PostgreSQL: the reason field's error, nothing written
        return message("The reason cannot be saved", problem, Outcome.INVALID)
    if len(reason) > MAX_REASON:
        return message("Reason too long", f"Keep the reason under {MAX_REASON} characters.", Outcome.INVALID)
    return None


def _settle_and_audit(session: Session, actor: Actor, row: CreditRecord, reason: str) -> tuple[str, str]:
    """After voiding `row`: its no-repeat credit settled again and the audit row of what it was; (who, what)."""
    person = session.get(Person, row.person_id)
    entry = session.get(CatalogEntry, row.catalog_id)
    who = person.email if person else str(row.person_id)
    what = f"{entry.title} [{entry.code}]" if entry else f"activity {row.catalog_id}"
    detail: dict[str, object] = {
        "email": who,
        "code": entry.code if entry else "",
        "day": row.day,
        "hours": fmt_hours(row.quarters),
        "counted": row.counted,
        "source": row.source,
        "reason": reason,
    }
    if entry is not None:  # a no-repeat activity: a later record of it may now keep the credit
        moved = settle_repeats(session, {entry.code}, {row.person_id})
        detail["credit_moved"] = [(m.record_id, m.counted) for m in moved]
    audit(session, actor.email, "record.void", f"record {row.id}", detail)
    return who, what


def not_voidable(row: CreditRecord, zone: str) -> Reply:
    """Why an already voided, rejected or pending record is not voided (`zone`: CEU_TIMEZONE, the void's date)."""
    if row.status == Status.VOIDED.value:
        when = local_date(as_utc(row.voided_at), zone).isoformat() if row.voided_at else "earlier"
        return message(f"Record {row.id} is already voided", f"Voided {when}: {row.void_reason}", Outcome.ALREADY)
    if row.status == Status.REJECTED.value:
        return message(f"Record {row.id} was rejected", "It does not count; nothing to void.", Outcome.ALREADY)
    return message(
        f"Record {row.id} is waiting for review",
        "Reject it in the reviewers' channel instead: only approved records are voided.",
        Outcome.INVALID,
    )
