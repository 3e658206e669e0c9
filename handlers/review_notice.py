"""The submitter's notice of a review decision (SPEC §3: "the submitter gets a DM"): what was decided, the reason,
and their FY status line. Rendered when the outbox delivers it (handlers.review_flow), so it says the status as it
is then; `decision_dm` rebuilds it from the decided item."""

from __future__ import annotations

from sqlmodel import Session

from handlers.context import Context
from handlers.notify import Recipient
from handlers.payloads import Decided
from handlers.reply import Fact, Reply, Section
from handlers.request import dates_text
from handlers.status import build_status, status_reply
from rules.credit import Status
from rules.hours import fmt_hours, fmt_hours_unit
from rules.strands import fmt_strands
from storage.people import is_director
from storage.policy_data import policy_for
from storage.reviews import REQUEST, SUBMISSION, RequestView, SubmissionView, get_request, get_submission
from storage.tables import Person


def _headline(session: Session, ctx: Context, person: Person, fy: int) -> str:
    return status_reply(build_status(session, person, fy, ctx.today)).summary


def submission_dm(
    session: Session, ctx: Context, v: SubmissionView, person: Person, approve: bool, reason: str
) -> Reply:
    """The submitter's notice of a decision (also rebuilt by the sweep when its first delivery failed)."""
    credit, entry = v.credit, v.entry
    policy = policy_for(session, credit.fy)
    hours = fmt_hours_unit(credit.quarters)
    facts = [
        Fact("Event", entry.title),
        Fact("Date", credit.day.isoformat()),
        Fact("Hours", fmt_hours(credit.quarters)),
        Fact("Strands", fmt_strands(credit.strands, policy.strands)),
    ]
    if approve:
        title = f"Approved: {hours} of {entry.title}"
        text = f"An ALET reviewer approved your submission #{v.submission.id}; the hours now count for FY{credit.fy}."
    else:
        title = f"Not approved: {hours} of {entry.title}"
        text = (
            f"An ALET reviewer did not approve your submission #{v.submission.id}. Those hours are free to claim "
            "again: use “submit” with what the reviewer asks for."
        )
    if reason:
        facts.append(Fact("Reviewer's note" if approve else "Reason", reason))
    headline = _headline(session, ctx, person, credit.fy)
    assert v.submission.id is not None
    return Reply(
        title=title,
        sections=[Section(text=text, facts=facts), Section(heading=f"Your FY{credit.fy} status", text=headline)],
        summary=f"{title}. {headline}",
        payload=Decided(SUBMISSION, v.submission.id, "approved" if approve else "rejected"),
    )


def request_dm(
    session: Session, ctx: Context, v: RequestView, person: Person, approve: bool, reason: str, code: str
) -> Reply:
    """The requester's notice of a decision (also rebuilt by the sweep when its first delivery failed)."""
    req = v.request
    facts = [
        Fact("Event", req.title),
        Fact("Dates", f"{dates_text(req.start_day, req.end_day)} (FY{req.fy})"),
        Fact("Hours", fmt_hours(req.quarters)),
    ]
    if approve:
        title = f"Approved: {req.title}"
        text = (
            f"Your event request #{req.id} was approved and added to the FY{req.fy} catalog as {code} "
            f"(up to {fmt_hours_unit(req.quarters)}). Directors can now “submit” their hours for it with evidence."
        )
    else:
        title = f"Not approved: {req.title}"
        text = f"Your event request #{req.id} was not approved."
    if reason:
        facts.append(Fact("Reviewer's note" if approve else "Reason", reason))
    sections = [Section(text=text, facts=facts)]
    summary = title
    assert req.id is not None
    if is_director(person):
        headline = _headline(session, ctx, person, req.fy)
        sections.append(Section(heading=f"Your FY{req.fy} status", text=headline))
        summary = f"{title}. {headline}"
    return Reply(
        title=title,
        sections=sections,
        summary=summary,
        payload=Decided(REQUEST, req.id, "approved" if approve else "rejected", code),
    )


def decision_dm(session: Session, ctx: Context, item_type: str, item_id: int) -> tuple[Recipient, Reply] | None:
    """The decision notice for a decided item, rebuilt as handlers.review words it (with today's status line);
    None while the item is pending or gone."""
    if item_type == SUBMISSION:
        sub = get_submission(session, item_id)
        if sub is None or sub.submission.status == Status.PENDING.value:
            return None
        approve = sub.submission.status == "approved"
        reply = submission_dm(session, ctx, sub, sub.person, approve, sub.submission.reason)
        person = sub.person
    elif item_type == REQUEST:
        req = get_request(session, item_id)
        if req is None or req.request.status == Status.PENDING.value:
            return None
        approve = req.request.status == "approved"
        code = req.entry.code if req.entry is not None else ""
        reply = request_dm(session, ctx, req, req.person, approve, req.request.reason, code)
        person = req.person
    else:
        return None
    return Recipient(person.id or 0, person.email, person.name), reply
