"""The chat side of voiding: Void buttons under a director's `lookup` for reviewers and admins (one per approved
record of the FY, the most recent first), the reason form a press opens, and the check a press makes before the
form opens. Pressing and answering run handlers.void.void_record, the function `ceu-bot void` calls."""

from __future__ import annotations

from sqlmodel import Session, col, select

from handlers.context import Actor, Context
from handlers.forms import Field, FieldKind, Form
from handlers.reply import Button, Outcome, Reply, Section, message, trimmed
from handlers.void import MAX_REASON, VOID_ROLES, not_voidable
from rules.credit import Status
from rules.hours import fmt_hours
from storage.tables import CatalogEntry, CreditRecord

VOID_ACTION = "record.void"  # each button's action is "record.void:ID" (Slack wants distinct action ids per message)
VOID_FORM = "void_reason"
BUTTONS_SHOWN = 10


def is_void_action(action: str) -> bool:
    return action == VOID_ACTION or action.startswith(VOID_ACTION + ":")


def may_void(actor: Actor) -> bool:
    return any(actor.has(r) for r in VOID_ROLES)


def record_value(record_id: int) -> str:
    return f"record:{record_id}"


def parse_record(value: str) -> int | None:
    kind, _, raw = value.partition(":")
    return int(raw) if kind == "record" and raw.isdigit() and 0 < int(raw) < 2**31 else None


def void_form(record_id: int) -> Form:
    reason = Field(
        "reason",
        "Why is this record voided? (kept in the history and the audit log)",
        FieldKind.LONG_TEXT,
        hint="e.g. imported for the wrong director",
        max_length=MAX_REASON,
    )
    return Form(VOID_FORM, f"Void record {record_id}", "Void", (reason,), context=record_value(record_id))


def add_void_buttons(session: Session, reply: Reply, person_id: int, fy: int) -> None:
    """A Records section and one Void button per approved record of `fy` (the most recent first)."""
    rows = session.exec(
        select(CreditRecord, CatalogEntry)
        .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
        .where(CreditRecord.person_id == person_id, CreditRecord.fy == fy, CreditRecord.status == Status.APPROVED.value)
        .order_by(col(CreditRecord.day).desc(), col(CreditRecord.id).desc())
    ).all()
    if not rows:
        return
    lines = [f"record {r.id}: {r.day.isoformat()} {c.title} [{c.code}], {fmt_hours(r.quarters)} h" for r, c in rows]
    shown, more = trimmed(lines, BUTTONS_SHOWN, "more records (void them with “ceu-bot void RECORD_ID”)")
    reply.sections.append(
        Section(heading="Approved records (Void takes one back, with a reason)", items=shown, more=more)
    )
    reply.buttons.extend(
        Button(f"{VOID_ACTION}:{r.id}", f"Void record {r.id}", record_value(r.id or 0), "danger")
        for r, _c in rows[:BUTTONS_SHOWN]
    )


def void_refusal(ctx: Context, actor: Actor, record_id: int) -> Reply | None:
    """Why a Void press does not open the reason form (role, no such record, not approved), or None."""
    if not may_void(actor):
        return message("Not allowed", "Only ALET reviewers and admins can void a record.", Outcome.REFUSED)
    with ctx.session() as session:
        row = session.get(CreditRecord, record_id)
    if row is None:
        return message(f"No record {record_id}", "Check the record number in the history.", Outcome.NOT_FOUND)
    return None if row.status == Status.APPROVED.value else not_voidable(row, ctx.zone)
