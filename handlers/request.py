"""Requesting approval of a new external event (SPEC §2: only technology directors and SDE staff; the event
must fall inside the FY it is requested for). Validation with field-level errors, and the idempotent write of the
EventRequest + audit row in one transaction.

Interface for the chat adapters (values as described in handlers.forms: title, organiser, start, end, in_person,
hours, strands, agenda_url):

- `validate_request(ctx, actor, values) -> Validation`
- `create_request(ctx, actor, values, *, client_key, platform) -> Reply`
  Outcome OK: data {"request_id", "ready_for_review": True, "duplicate", "warnings"}: post
  handlers.review.review_reply(ctx, "request", id) to the reviewers' channel unless already posted.
  INVALID: data {"errors": {field: message}}, nothing written. REFUSED: neither director nor SDE, nothing written.
  The same `client_key` twice returns the first request (data "duplicate": True) and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from handlers.context import Actor, Context
from handlers.control_chars import control_errors
from handlers.form_fields import date_field, hours_field, link_field, strands_field, text_field
from handlers.forms import Validation, Values, bool_value, errors_reply, refusal
from handlers.payloads import Requested
from handlers.reply import Fact, Reply, Section
from rules.fiscal import fiscal_year_bounds, fiscal_year_of
from rules.hours import fmt_hours
from rules.strands import fmt_strands
from storage.audit import audit
from storage.outbox import add_item_refresh
from storage.policy_data import policy_for
from storage.reviews import request_by_key
from storage.tables import EventRequest

LABELS = {
    "title": "Event title",
    "organiser": "Organiser",
    "start": "Start date",
    "end": "End date",
    "in_person": "Format",
    "hours": "Hours",
    "strands": "Strands",
    "agenda_url": "Agenda link",
}


@dataclass(frozen=True)
class ParsedRequest:
    fy: int
    title: str
    organiser: str
    start: date
    end: date
    in_person: bool
    quarters: int
    strands: int
    agenda_url: str


def may_request(actor: Actor) -> bool:
    return actor.has("director") or actor.has("sde")


def validate_request(ctx: Context, actor: Actor, values: Values) -> Validation:
    with ctx.session() as session:
        return _validate(session, ctx, values)[0]


def _validate(session: Session, ctx: Context, values: Values) -> tuple[Validation, ParsedRequest | None]:
    v = Validation(errors=control_errors(values))
    if v.errors:  # a control character (NUL, ESC...) in any answer: that field's error, nothing else checked
        return v, None
    title = text_field(values, "title", v, limit=300, missing="Give the event's title.", squash=True)
    organiser = text_field(values, "organiser", v, limit=200, missing="Say who organises the event.", squash=True)
    start = date_field(values, "start", "Give the start date.", v)
    end = date_field(values, "end", "Give the end date (the start date for a one-day event).", v)
    fy = fiscal_year_of(start or ctx.today)
    if start is not None and end is not None:
        _span_check(start, end, fy, v)
    policy = None
    try:
        policy = policy_for(session, fy)
    except LookupError:
        v.errors.setdefault("start", f"FY{fy} is before the TD-CEU requirement began (FY2025).")
    quarters = hours_field(values, v)
    strands = strands_field(values, policy, v)
    url = link_field(values, "agenda_url", v)
    if v.errors or start is None or end is None or policy is None:
        return v, None
    if quarters > policy.external_maximum:
        v.warnings.append(
            f"At most {fmt_hours(policy.external_maximum)} external hours count per fiscal year; "
            "ALET may approve the event with a lower cap."
        )
    if end < fiscal_year_bounds(fiscal_year_of(ctx.today))[0]:
        v.warnings.append(f"FY{fy} has ended; hours of its events can no longer help this year's requirement.")
    parsed = ParsedRequest(fy, title, organiser, start, end, bool_value(values, "in_person"), quarters, strands, url)
    return v, parsed


def _span_check(start: date, end: date, fy: int, v: Validation) -> None:
    """The end on or after the start, both in FY `fy` (an event falls inside one fiscal year)."""
    if end < start:
        v.errors["end"] = f"The end date {end.isoformat()} is before the start date {start.isoformat()}."
    elif fiscal_year_of(end) != fy:
        first, last = fiscal_year_bounds(fy)
        v.errors["end"] = (
            f"An event must fall inside one fiscal year: FY{fy} runs from {first.isoformat()} to "
            f"{last.isoformat()}; request each fiscal year's part separately."
        )


def create_request(ctx: Context, actor: Actor, values: Values, *, client_key: str, platform: str) -> Reply:
    if not may_request(actor):
        return refusal(ctx, "Only technology directors and SDE staff request external events", "request")
    client_key = client_key.strip()[:200]
    if not client_key:
        raise ValueError("create_request needs the platform's idempotency key")
    with ctx.session() as session:
        existing = request_by_key(session, client_key)
        if existing is not None:
            return _sent_reply(session, existing, [], duplicate=True)
        v, parsed = _validate(session, ctx, values)
        if parsed is None or not v.ok:
            return errors_reply("Please fix the event request", v, LABELS)
        req = EventRequest(
            person_id=actor.person_id,
            client_key=client_key,
            fy=parsed.fy,
            title=parsed.title,
            organiser=parsed.organiser,
            start_day=parsed.start,
            end_day=parsed.end,
            in_person=parsed.in_person,
            quarters=parsed.quarters,
            strands=parsed.strands,
            agenda_url=parsed.agenda_url,
            status="pending",
            platform=platform[:16],
            created_at=ctx.now,
        )
        try:
            session.add(req)
            session.flush()
            audit(
                session,
                actor.email,
                "request.create",
                f"request:{req.id}",
                {"fy": parsed.fy, "title": parsed.title, "quarters": parsed.quarters, "platform": platform},
            )
            add_item_refresh(session, actor.person_id, ctx.now)  # their Home and the staff's (outbox)
            session.commit()
        except IntegrityError:
            session.rollback()
            again = request_by_key(session, client_key)
            if again is None:
                raise
            return _sent_reply(session, again, [], duplicate=True)
        return _sent_reply(session, req, v.warnings, duplicate=False)


def dates_text(start: date, end: date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"


def _sent_reply(session: Session, req: EventRequest, warnings: list[str], *, duplicate: bool) -> Reply:
    assert req.id is not None
    policy = policy_for(session, req.fy)
    title = f"Request sent to ALET (request #{req.id})"
    facts = [
        Fact("Event", req.title),
        Fact("Organiser", req.organiser),
        Fact("Dates", f"{dates_text(req.start_day, req.end_day)} (FY{req.fy})"),
        Fact("Format", "in person" if req.in_person else "online"),
        Fact("Hours asked", fmt_hours(req.quarters)),
        Fact("Strands", fmt_strands(req.strands, policy.strands)),
    ]
    if req.agenda_url:
        facts.append(Fact("Agenda", req.agenda_url))
    sections = [
        Section(
            text="ALET reviewers will decide; I will message you then. Once approved, the event is in the "
            f"FY{req.fy} catalog and directors can “submit” their hours for it.",
            facts=facts,
        )
    ]
    if warnings:
        sections.append(Section(heading="Please note", items=list(warnings)))
    return Reply(
        title=title,
        sections=sections,
        summary=title,
        payload=Requested(request_id=req.id, ready_for_review=True, duplicate=duplicate, warnings=tuple(warnings)),
    )
