"""Submitting external-event hours with evidence (SPEC §2): validation with field-level errors, the idempotent
write of a pending credit record + submission + audit row in one transaction, and attaching evidence later.

Interface for the chat adapters (values as described in handlers.forms; `evidence` from storage.evidence.check_evidence,
whose EvidenceError message the adapter shows as the "evidence" field error):

- `validate_submission(ctx, actor, values, evidence, *, evidence_to_follow=False) -> Validation`
- `create_submission(ctx, actor, values, evidence, *, client_key, platform, evidence_to_follow=False) -> Reply`
  Outcome OK: data {"submission_id", "ready_for_review", "duplicate", "warnings"}; when `ready_for_review` post
  handlers.review.review_reply(ctx, "submission", id) to the reviewers' channel (and storage.reviews.record_post)
  unless a post for this platform exists already. INVALID: data {"errors": {field: message}}, nothing written.
  REFUSED: not a director, nothing written. The same `client_key` (Slack view id, Teams activity id) twice
  returns the first submission (data "duplicate": True) and writes nothing.
  `evidence_to_follow=True` (Teams, where the file arrives as a separate chat message) saves the submission without
  its file; it is not ready for review until `attach_evidence`.
- `attach_evidence(ctx, actor, evidence) -> Reply`: attaches the file to the actor's most recent pending submission
  still missing its required file; OK with data {"submission_id", "ready_for_review": True}; NOT_FOUND when none waits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from handlers.context import Actor, Context
from handlers.control_chars import control_errors
from handlers.form_fields import date_field, hours_field, sentence, strands_field, text_field
from handlers.forms import Validation, Values, errors_reply, refusal, text_value
from handlers.payloads import Submitted
from handlers.reply import Fact, Outcome, Reply, Section
from rules.claims import Claim, cap_key, check_claim, unit_key
from rules.credit import NOT_LIVE, Status
from rules.fiscal import fiscal_year_bounds, fiscal_year_of, in_fiscal_year
from rules.hours import fmt_hours, fmt_hours_unit
from rules.policy import CatalogItem, Evidence, Kind, Policy
from rules.repeats import Taken
from rules.strands import fmt_strands
from storage.audit import audit
from storage.catalog import entry_by_code
from storage.evidence import TYPES, EvidenceFile, fmt_size
from storage.outbox import add_item_refresh
from storage.policy_data import item_of, policy_for
from storage.records import NOT_LIVE_VALUES, claimed_quarters, credits_of
from storage.repeats import credit_if_added
from storage.reviews import latest_awaiting_evidence, needs_file, submission_by_key
from storage.tables import CatalogEntry, CreditRecord, Submission

ASSIGNMENT_MAX = 3000
UNIT_MAX = 200


@dataclass(frozen=True)
class Parsed:
    entry: CatalogEntry
    item: CatalogItem
    day: date
    quarters: int
    strands: int
    unit: str
    assignment: str


def validate_submission(
    ctx: Context,
    actor: Actor,
    values: Values,
    evidence: EvidenceFile | None,
    *,
    evidence_to_follow: bool = False,
) -> Validation:
    with ctx.session() as session:
        return _validate(session, ctx, actor, values, evidence, evidence_to_follow)[0]


def _resolve_event(session: Session, raw: str, day: date | None, today: date) -> CatalogEntry | None:
    """ "FY:CODE" (the form's option value) or a bare code (in the FY of the date, else the current FY)."""
    fy_text, sep, code = raw.partition(":")
    if sep and fy_text.isdigit():
        fy = int(fy_text)
    else:
        code = raw
        fy = fiscal_year_of(day or today)
    entry = entry_by_code(session, fy, code.strip())
    if entry is None and ":" not in raw:
        entry = entry_by_code(session, fy, code.strip().upper())
    return entry


def _validate(
    session: Session,
    ctx: Context,
    actor: Actor,
    values: Values,
    evidence: EvidenceFile | None,
    evidence_to_follow: bool,
) -> tuple[Validation, Parsed | None]:
    v = Validation(errors=control_errors(values))
    if v.errors:  # a control character (NUL, ESC...) in any answer: that field's error, nothing else checked
        return v, None
    day = date_field(values, "date", "Give the date you attended.", v)
    entry = _event_field(session, values, day, ctx.today, v)
    quarters = hours_field(values, v)
    fy = entry.fy if entry is not None else fiscal_year_of(day or ctx.today)
    try:
        policy = policy_for(session, fy)
    except LookupError as exc:
        v.errors["date"] = f"{exc}."
        return v, None
    strands = strands_field(values, policy, v)
    unit_text = text_field(values, "unit", v, limit=UNIT_MAX)
    assignment = text_field(values, "assignment", v, limit=ASSIGNMENT_MAX, count=True)
    if entry is None:
        return v, None
    _evidence_check(entry, evidence, evidence_to_follow, assignment, v)
    if day is None:
        return v, None
    item = item_of(entry)
    unit = unit_key(item, day, unit_text if item.per_unit else None)  # chat asks a unit of per-unit events only
    retake = _claim_check(session, ctx, actor, entry, item, policy, Claim(item, day, quarters, strands), unit, v)
    if v.errors:
        return v, None
    v.warnings.extend(_warnings(session, actor, entry, policy, quarters, retake))
    return v, Parsed(entry, item, day, quarters, strands, unit, assignment)


def _event_field(session: Session, values: Values, day: date | None, today: date, v: Validation) -> CatalogEntry | None:
    """The approved external event the form names (ALET activities come from ALET's attendance lists)."""
    raw_event = text_value(values, "event")
    if not raw_event:
        v.errors["event"] = "Pick the approved external event."
        return None
    entry = _resolve_event(session, raw_event, day, today)
    if entry is None or entry.kind != Kind.EXTERNAL.value:
        v.errors["event"] = (
            f"'{raw_event}' is not an approved external event (“events” lists them; ALET activities are "
            "recorded from ALET's attendance lists)."
        )
        return None
    return entry


def _evidence_check(
    entry: CatalogEntry, evidence: EvidenceFile | None, evidence_to_follow: bool, assignment: str, v: Validation
) -> None:
    """The evidence the event asks for: a file (unless it follows as a chat message) and/or the assignment."""
    needs = Evidence(entry.evidence)
    if needs.needs_file and evidence is None and not evidence_to_follow:
        v.errors["evidence"] = (
            f"{entry.title} needs evidence of attendance: attach the certificate (PDF, PNG, JPEG, HEIC or Word .docx)."
        )
    if needs.needs_assignment and not assignment:
        v.errors["assignment"] = f"{entry.title} needs its assignment: write or paste it here."


def _claim_check(
    session: Session,
    ctx: Context,
    actor: Actor,
    entry: CatalogEntry,
    item: CatalogItem,
    policy: Policy,
    claim: Claim,
    unit: str,
    v: Validation,
) -> bool:
    """The policy's rules for this claim (rules.claims.check_claim) against what the director already has of the
    event, and no second live record of it on the day. `claim.quarters`/`strands` 0 stand for unreadable answers
    (their fields already have an error). Returns whether the claim is a retake that will not be credited."""
    assert entry.id is not None
    day, quarters = claim.day, claim.quarters
    already = claimed_quarters(session, actor.person_id, entry.id, cap_key(item, unit) or None)
    retake = False
    if item.no_repeat:  # the earliest-dated record keeps the credit: a later one it takes it from is no hindrance
        keeps, dropped = credit_if_added(
            session,
            actor.person_id,
            entry.code,
            Taken(entry.fy, day, unit, "claim"),
            entry.id,
            cap_key(item, unit) or None,
        )
        already, retake = (already - dropped, False) if keeps else (0, True)
    checked = replace(claim, quarters=quarters or 1, strands=claim.strands or item.strands)
    for problem in check_claim(checked, policy, ctx.today, already):
        text = problem.text
        if problem.field == "date" and not in_fiscal_year(day, entry.fy):
            start, end = fiscal_year_bounds(entry.fy)
            text = (
                f"{day.isoformat()} is outside FY{entry.fy} ({start.isoformat()} to {end.isoformat()}), "
                f"the fiscal year this event is approved for"
            )
        if problem.field == "hours" and not quarters:
            continue  # the hours field already says what is wrong with it
        v.errors.setdefault(problem.field, sentence(text))
    if "date" not in v.errors and _live_record(session, actor.person_id, entry.id, day, unit) is not None:
        v.errors["date"] = (
            f"You already have hours of {entry.title} on {day.isoformat()} (pending or approved)"
            + (" for this workshop" if entry.per_unit else "")
            + "."
        )
    return retake


def _warnings(
    session: Session, actor: Actor, entry: CatalogEntry, policy: Policy, quarters: int, retake: bool
) -> list[str]:
    """What a valid claim should know: a retake is recorded but not credited; external hours beyond the maximum."""
    out = []
    if retake:
        out.append(
            f"You already have {entry.title} credited on an earlier date; it counts once, so these hours are "
            "recorded but not credited."
        )
    external = sum(
        c.quarters
        for c in credits_of(session, actor.person_id, entry.fy)
        if not c.alet and c.counted and c.status not in NOT_LIVE
    )
    if external + quarters > policy.external_maximum:
        out.append(
            f"With this claim you have {fmt_hours(external + quarters)} external hours approved or pending in "
            f"FY{entry.fy}; at most {fmt_hours(policy.external_maximum)} count, so hours beyond that are recorded "
            "but not credited."
        )
    return out


def _live_record(session: Session, person_id: int, catalog_id: int, day: date, unit: str) -> CreditRecord | None:
    return session.exec(
        select(CreditRecord).where(
            CreditRecord.person_id == person_id,
            CreditRecord.catalog_id == catalog_id,
            CreditRecord.day == day,
            CreditRecord.unit == unit,
            col(CreditRecord.status).not_in(NOT_LIVE_VALUES),
        )
    ).first()


def create_submission(
    ctx: Context,
    actor: Actor,
    values: Values,
    evidence: EvidenceFile | None,
    *,
    client_key: str,
    platform: str,
    evidence_to_follow: bool = False,
) -> Reply:
    if not actor.has("director"):
        return refusal(ctx, "Only technology directors submit TD-CEU hours", "submit")
    client_key = client_key.strip()[:200]
    if not client_key:
        raise ValueError("create_submission needs the platform's idempotency key")
    with ctx.session() as session:
        existing = submission_by_key(session, client_key)
        if existing is not None:
            return _existing(session, ctx, existing)
        v, parsed = _validate(session, ctx, actor, values, evidence, evidence_to_follow)
        if parsed is None or not v.ok:
            return errors_reply("Please fix the submission", v, _FIELD_LABELS)
        if evidence is not None:
            ctx.evidence_store().put(session, evidence)
        try:
            credit, sub = _write(session, ctx, actor, values, evidence, parsed, client_key, platform)
            add_item_refresh(session, actor.person_id, ctx.now)  # their Home and the staff's (outbox)
            session.commit()
        except IntegrityError:
            session.rollback()
            again = submission_by_key(session, client_key)
            if again is not None:
                return _existing(session, ctx, again)
            v.errors["date"] = "You already have hours of this event on that date (pending or approved)."
            return errors_reply("Please fix the submission", v, _FIELD_LABELS)
        return _sent_reply(session, ctx, sub, parsed.entry, credit, v.warnings, duplicate=False)


def _write(
    session: Session,
    ctx: Context,
    actor: Actor,
    values: Values,
    evidence: EvidenceFile | None,
    parsed: Parsed,
    client_key: str,
    platform: str,
) -> tuple[CreditRecord, Submission]:
    """The pending credit record, its submission and the audit row (flushed, not committed: IntegrityError when the
    same client_key or the same record is written at the same time)."""
    credit = CreditRecord(
        person_id=actor.person_id,
        fy=parsed.entry.fy,
        catalog_id=parsed.entry.id or 0,
        alet=False,
        day=parsed.day,
        unit=parsed.unit,
        quarters=parsed.quarters,
        strands=parsed.strands,
        status=Status.PENDING.value,
        counted=True,
        note=(text_value(values, "unit")[:200] if parsed.entry.per_unit else ""),
        source="submission",
        created_at=ctx.now,
    )
    session.add(credit)
    session.flush()
    sub = Submission(
        person_id=actor.person_id,
        credit_id=credit.id or 0,
        client_key=client_key,
        assignment=parsed.assignment,
        evidence_sha256=evidence.sha256 if evidence else None,
        evidence_type=evidence.mime if evidence else None,
        evidence_size=evidence.size if evidence else None,
        evidence_name=evidence.name if evidence else None,
        status=Status.PENDING.value,
        platform=platform[:16],
        created_at=ctx.now,
    )
    session.add(sub)
    session.flush()
    audit(
        session,
        actor.email,
        "submission.create",
        f"submission:{sub.id}",
        {
            "code": parsed.entry.code,
            "fy": parsed.entry.fy,
            "day": parsed.day,
            "quarters": parsed.quarters,
            "strands": parsed.strands,
            "evidence_sha256": sub.evidence_sha256,
            "platform": platform,
        },
    )
    return credit, sub


_FIELD_LABELS = {
    "event": "Event",
    "date": "Date",
    "hours": "Hours",
    "strands": "Strands",
    "evidence": "Evidence",
    "assignment": "Assignment",
    "unit": "Workshop",
}


def _existing(session: Session, ctx: Context, sub: Submission) -> Reply:
    credit = session.get(CreditRecord, sub.credit_id)
    assert credit is not None
    entry = session.get(CatalogEntry, credit.catalog_id)
    assert entry is not None
    return _sent_reply(session, ctx, sub, entry, credit, [], duplicate=True)


def evidence_line(sub: Submission) -> str:
    if not sub.evidence_sha256:
        return "none attached"
    kind = TYPES[sub.evidence_type].label if sub.evidence_type in TYPES else (sub.evidence_type or "file")
    return f"{kind}, {fmt_size(sub.evidence_size or 0)} ({sub.evidence_name or 'unnamed'})"


def _sent_reply(
    session: Session,
    ctx: Context,
    sub: Submission,
    entry: CatalogEntry,
    credit: CreditRecord,
    warnings: list[str],
    *,
    duplicate: bool,
) -> Reply:
    policy = policy_for(session, entry.fy)
    waiting = needs_file(sub, entry)
    facts = [
        Fact("Event", entry.title),
        Fact("Date", credit.day.isoformat()),
        Fact("Hours", fmt_hours(credit.quarters)),
        Fact("Strands", fmt_strands(credit.strands, policy.strands)),
        Fact("Evidence", "waiting for your file" if waiting else evidence_line(sub)),
    ]
    if credit.note:
        facts.insert(1, Fact("Workshop", credit.note))
    if waiting:
        title = f"Saved: now send your evidence file (submission #{sub.id})"
        text = (
            "Send the certificate or proof of attendance (PDF, PNG, JPEG, HEIC or Word .docx) here in this chat. "
            "The submission goes to the ALET reviewers once the file arrives."
        )
    else:
        title = f"Sent for review (submission #{sub.id})"
        text = (
            f"ALET reviewers will look at your {fmt_hours_unit(credit.quarters)}; I will message you when they "
            "decide. Pending hours are shown in “status” but not counted until approved."
        )
    sections = [Section(text=text, facts=facts)]
    if warnings:
        sections.append(Section(heading="Please note", items=list(warnings)))
    assert sub.id is not None
    return Reply(
        title=title,
        sections=sections,
        summary=title,
        payload=Submitted(
            submission_id=sub.id,
            ready_for_review=not waiting and sub.status == Status.PENDING.value,
            duplicate=duplicate,
            warnings=tuple(warnings),
        ),
    )


def attach_evidence(ctx: Context, actor: Actor, evidence: EvidenceFile) -> Reply:
    with ctx.session() as session:
        same = _pending_with(session, actor, evidence)
        if same is not None:
            reply = _existing(session, ctx, same)
            reply.title = f"This file is already attached to submission #{same.id}"
            reply.outcome = Outcome.ALREADY
            reply.summary = reply.title
            return reply
        view = latest_awaiting_evidence(session, actor.person_id)
        if view is None:
            return Reply(
                title="No submission is waiting for a file",
                sections=[
                    Section(
                        text="I have nothing to attach this file to, so I did not keep it. Use “submit” to claim "
                        "hours of an approved external event; send the file after you have sent the form."
                    )
                ],
                outcome=Outcome.NOT_FOUND,
            )
        ctx.evidence_store().put(session, evidence)
        sub_id = view.submission.id
        if not _attach(session, sub_id, evidence):
            session.rollback()
            return Reply(
                title="That submission changed in the meantime",
                sections=[Section(text="Please look at “history” and send the file again if it is still needed.")],
                outcome=Outcome.ALREADY,
            )
        audit(
            session,
            actor.email,
            "submission.evidence",
            f"submission:{sub_id}",
            {"sha256": evidence.sha256, "type": evidence.mime, "size": evidence.size},
        )
        add_item_refresh(session, actor.person_id, ctx.now)  # now ready for review: the staff's Homes show it
        session.commit()
        sub = session.get(Submission, sub_id, populate_existing=True)
        assert sub is not None
        return _sent_reply(session, ctx, sub, view.entry, view.credit, [], duplicate=False)


def _pending_with(session: Session, actor: Actor, evidence: EvidenceFile) -> Submission | None:
    """The actor's latest pending submission that has this very file already."""
    return session.exec(
        select(Submission)
        .where(
            Submission.person_id == actor.person_id,
            Submission.evidence_sha256 == evidence.sha256,
            Submission.status == Status.PENDING.value,
        )
        .order_by(col(Submission.id).desc())
    ).first()


def _attach(session: Session, sub_id: int | None, evidence: EvidenceFile) -> bool:
    """The file onto the submission, if it is still pending and without one (False when it changed meanwhile)."""
    result = session.execute(
        update(Submission)
        .where(
            col(Submission.id) == sub_id,
            col(Submission.status) == Status.PENDING.value,
            col(Submission.evidence_sha256).is_(None),
        )
        .values(
            evidence_sha256=evidence.sha256,
            evidence_type=evidence.mime,
            evidence_size=evidence.size,
            evidence_name=evidence.name,
        )
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
