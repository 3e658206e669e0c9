"""Reviewing submissions and event requests (SPEC §3): the message for the reviewers' channel and the
exactly-once Approve / Reject decision.

Interface for the chat adapters:

- `review_reply(ctx, item_type, item_id) -> Reply`: item_type "submission" | "request". While pending it carries
  Buttons (action "review.approve" style "primary", "review.reject" style "danger", value "submission:12");
  once decided it has no buttons and says "Approved/Rejected by NAME on DATE (reason)". Outcome NOT_FOUND when the
  item does not exist. Post it, then `storage.reviews.record_post(...)` and commit, to update it in place later.
  Its payload is a `ReviewItem` (with `about`: who, what, hours in one line, for the reject form); a submission
  with a stored file has `evidence` (sha256, mime, name, size: what a platform needs to upload it beside the post)
  and, when download links are on (`ctx.links`), an "Open evidence" Link (signed, expiring); without
  them, a note naming `ceu-bot evidence ID` (bot/cli_evidence.py). A request with an agenda address has an
  "Open agenda (host)" Link.
- `parse_item(value) -> (item_type, item_id) | None` reads a button value back.
- `decide(ctx, reviewer, item_type, item_id, approve, reason="", clicked=None, with_dm=True) -> Decision`: the
  decision core under handlers.review_flow.press (adapters call press, not this). Decision.outcome: OK (decided
  now), ALREADY (decided earlier: `notice` says who and when, nothing changed), REFUSED (not a reviewer, checked
  before the item is even looked up, or their own item: nothing changed, and the Decision carries only the
  notice, never the review message), NOT_FOUND, INVALID (rejecting without a reason: `needs_reason`, or a
  submission still waiting for its evidence file). `review` is the item as it now stands; `dm` (with_dm) the
  submitter's notice, which the outbox rebuilds with `decision_dm` when it delivers it.
- The submitter's notice: handlers.review_notice (submission_dm, request_dm, decision_dm).
Decisions are exactly-once across concurrent clicks and bot replicas: a conditional UPDATE ... WHERE status =
'pending' whose row count decides the winner, in one transaction with the credit/catalog change, the audit row and
the outbox rows of its follow-ups (every review post's update, the clicked message if it is not one, the DM).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlmodel import Session, col, select

from handlers.context import Actor, Context
from handlers.notify import Recipient
from handlers.payloads import EvidenceRef, ReviewItem
from handlers.reply import Button, Fact, Link, Outcome, Reply, Section
from handlers.request import dates_text
from handlers.review_notice import request_dm, submission_dm
from handlers.status import build_status
from handlers.submit import evidence_line
from rules.credit import Status
from rules.fiscal import local_date
from rules.hours import fmt_hours, fmt_hours_unit
from rules.policy import Evidence, Kind
from rules.strands import fmt_strands
from storage.audit import audit
from storage.outbox import add_decision_effects, add_item_refresh
from storage.people import is_director
from storage.policy_data import policy_for
from storage.repeats import settle_repeats
from storage.reviews import (
    ITEM_TYPES,
    REQUEST,
    SUBMISSION,
    RequestView,
    SubmissionView,
    as_utc,
    get_request,
    get_submission,
    posts_for,
)
from storage.tables import CatalogEntry, CreditRecord, EventRequest, Person, ReviewPost, Submission

ASSIGNMENT_SHOWN = 2500


@dataclass
class Decision:
    outcome: Outcome
    notice: Reply  # for the person who pressed the button
    review: Reply | None = None  # the review message as it now stands (update the posts with it)
    dm: Reply | None = None  # for the submitter (only when decided now)
    recipient: Recipient | None = None
    posts: list[ReviewPost] = field(default_factory=list)
    needs_reason: bool = False  # INVALID only for want of a reject reason (a Reject button opens the reason form)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


def parse_item(value: str) -> tuple[str, int] | None:
    item_type, _, raw_id = value.strip().partition(":")
    # ASCII digits only ("²".isdigit() is True), and few enough for a database integer
    if item_type not in ITEM_TYPES or not (raw_id.isascii() and raw_id.isdigit()) or len(raw_id) > 18:
        return None
    return item_type, int(raw_id)


def _noun(item_type: str) -> str:
    return "submission" if item_type == SUBMISSION else "event request"


def _waited(since: datetime, now: datetime) -> str:
    delta = as_utc(now) - as_utc(since)
    if delta < timedelta(hours=1):
        return "under an hour"
    if delta < timedelta(days=1):
        hours = int(delta.total_seconds() // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = delta.days
    return f"{days} day{'s' if days != 1 else ''}"


def _decided_line(zone: str, status: str, decider: Person | None, decided_at: datetime | None, reason: str) -> str:
    verb = "Approved" if status == Status.APPROVED.value else "Rejected"
    who = decider.name if decider else "a reviewer"
    when = f" on {local_date(as_utc(decided_at), zone).isoformat()}" if decided_at else ""
    why = f" ({reason})" if reason else ""
    return f"{verb} by {who}{when}{why}"


def review_buttons(item_type: str, item_id: int) -> list[Button]:
    value = f"{item_type}:{item_id}"
    return [
        Button("review.approve", "Approve", value, "primary"),
        Button("review.reject", "Reject", value, "danger"),
    ]


def _person_facts(person: Person) -> list[Fact]:
    return [
        Fact("Who", person.name),
        Fact("District", person.district or "(none)"),
        Fact("E-mail", person.email),
    ]


def _totals_section(session: Session, ctx: Context, person: Person, fy: int) -> Section:
    view = build_status(session, person, fy, ctx.today)
    t, p = view.totals, view.policy
    facts = [
        Fact("Credited", f"{fmt_hours(t.credited)} of {fmt_hours(p.required)} hours"),
        Fact("ALET", f"{fmt_hours(t.alet)} (at least {fmt_hours(p.alet_minimum)})"),
        Fact(
            "External credited",
            f"{fmt_hours(t.external_credited)} of at most {fmt_hours(p.external_maximum)}"
            f" ({fmt_hours(t.external)} approved)",
        ),
    ]
    if t.pending:  # a decided card: usually nothing else waits, and "Pending: 0 hours" says nothing
        facts.append(Fact("Pending", fmt_hours_unit(t.pending)))
    return Section(heading=f"{person.name.split(' ')[0] or person.email}'s FY{fy} so far", facts=facts)


def review_reply(ctx: Context, item_type: str, item_id: int) -> Reply:
    with ctx.session() as session:
        view = _view(session, item_type, item_id)
        if view is not None:
            return _review_of(session, ctx, view)
    return Reply(
        title=f"{_noun(item_type).capitalize()} #{item_id} was not found",
        outcome=Outcome.NOT_FOUND,
    )


def _submission_review(session: Session, ctx: Context, v: SubmissionView) -> Reply:
    sub, credit, entry, person = v.submission, v.credit, v.entry, v.person
    assert sub.id is not None
    pending = sub.status == Status.PENDING.value
    sections = [
        Section(facts=_claim_facts(session, ctx, v)),
        _totals_section(session, ctx, person, credit.fy),
        _evidence_section(ctx, sub, entry),
    ]
    title = f"Submission #{sub.id}: {person.name}, {fmt_hours_unit(credit.quarters)} of {entry.title}"
    if pending and v.awaiting_evidence:
        state = "Waiting for the director's evidence file"
        buttons: list[Button] = []
    elif pending:
        state = "Waiting for review"
        buttons = review_buttons(SUBMISSION, sub.id)
    else:
        state = _decided_line(ctx.zone, sub.status, v.decider, sub.decided_at, sub.reason)
        buttons = []
    about = f"{person.name}'s {fmt_hours_unit(credit.quarters)} of {entry.title} (submission #{sub.id})"
    evidence = _evidence_ref(sub) if sub.evidence_sha256 else None
    item = ReviewItem(SUBMISSION, sub.id, sub.status, evidence, about=about)
    return _with_state(title, sub.status, state, sections, buttons, item)


def _claim_facts(session: Session, ctx: Context, v: SubmissionView) -> list[Fact]:
    """Who claims what: the director, the event's code (the title names it), date, hours against the cap, strands,
    and since when it waits."""
    sub, credit, entry = v.submission, v.credit, v.entry
    policy = policy_for(session, credit.fy)
    cap = f"up to {fmt_hours(entry.cap)}" if entry.up_to else f"exactly {fmt_hours(entry.cap)}"
    facts = [
        *_person_facts(v.person),
        Fact("Event", entry.code),  # its name is in the title already
        Fact("Date", f"{credit.day.isoformat()} (FY{credit.fy})"),
        Fact("Hours", f"{fmt_hours(credit.quarters)} (event cap: {cap}{' per workshop' if entry.per_unit else ''})"),
        Fact("Strands", fmt_strands(credit.strands, policy.strands)),
    ]
    if credit.note:
        facts.insert(4, Fact("Workshop", credit.note))
    if sub.status == Status.PENDING.value:
        facts.append(Fact("Waiting", _waited(sub.created_at, ctx.now)))
    else:
        facts.append(Fact("Submitted", local_date(as_utc(sub.created_at), ctx.zone).isoformat()))
    return facts


def _evidence_section(ctx: Context, sub: Submission, entry: CatalogEntry) -> Section:
    """The file (an "Open evidence" link where links are configured, else how to get the file) and the assignment.
    No SHA-256 fact: reviewers compare files, not hashes (Slack's thread upload comment names it)."""
    ev_facts = [Fact("File", evidence_line(sub))]
    ev_links: list[Link] = []
    ev_note = ""
    if sub.evidence_sha256:
        if ctx.links is not None:
            ev_links.append(Link("Open evidence", ctx.links.url(sub.evidence_sha256, ctx.now)))
        elif sub.id is not None:
            ev_note = no_link_note(sub.id)
    assignment = sub.assignment or ""
    if len(assignment) > ASSIGNMENT_SHOWN:
        assignment = assignment[:ASSIGNMENT_SHOWN] + "… (shortened)"
    ev_text = ""
    if assignment:
        ev_text = f"Assignment:\n{assignment}"
    elif Evidence(entry.evidence).needs_assignment:
        ev_text = "Assignment: (missing)"
    ev_text = "\n\n".join(t for t in (ev_text, ev_note) if t)
    return Section(heading=EVIDENCE_HEADING, text=ev_text, facts=ev_facts, links=ev_links)


def _with_state(
    title: str, status: str, state: str, sections: list[Section], buttons: list[Button], item: ReviewItem | None
) -> Reply:
    """A review message: a decided one says its outcome in the title ("Approved: …") and first in the body, in a
    good / attention tone; a pending one says what it waits for last, above the buttons."""
    outcome = {Status.APPROVED.value: "Approved", Status.REJECTED.value: "Rejected"}.get(status)
    if outcome is None:
        sections.append(Section(text=state))
    else:
        title = f"{outcome}: {title}"
        sections.insert(0, Section(text=state, tone="good" if outcome == "Approved" else "attention"))
    return Reply(title=title, sections=sections, buttons=buttons, summary=f"{title}: {state}", payload=item)


EVIDENCE_HEADING = "Evidence"
NO_LINK_START = "No download link:"
NO_LINK = (
    "No download link: this bot has no public address (CEU_PUBLIC_URL is not set). An admin can write the file to "
    "disk with “{command}”, or ask the submitter for a copy."
)


def no_link_note(submission_id: int) -> str:
    """What a review message says instead of a link: how to get the file without one."""
    return NO_LINK.format(command=f"ceu-bot evidence {submission_id}")


def _host(url: str) -> str:
    return urlsplit(url).netloc or "link"


def _evidence_ref(sub: Submission) -> EvidenceRef:
    """What a platform needs to show reviewers the stored file (Slack uploads it into the post's thread)."""
    return EvidenceRef(
        sha256=sub.evidence_sha256 or "",
        mime=sub.evidence_type or "",
        name=sub.evidence_name or "evidence",
        size=sub.evidence_size or 0,
    )


def _request_review(session: Session, ctx: Context, v: RequestView) -> Reply:
    req, person = v.request, v.person
    assert req.id is not None
    policy = policy_for(session, req.fy)
    who = "technology director" if is_director(person) else "SDE staff" if "sde" in person.roles else "requester"
    facts = [
        *_person_facts(person),
        Fact("Role", who),  # the requested event's name is the title
        Fact("Organiser", req.organiser),
        Fact("Dates", f"{dates_text(req.start_day, req.end_day)} (FY{req.fy})"),
        Fact("Format", "in person" if req.in_person else "online"),
        Fact("Hours asked", fmt_hours(req.quarters)),
        Fact("Strands", fmt_strands(req.strands, policy.strands)),
    ]
    pending = req.status == Status.PENDING.value
    if pending:
        facts.append(Fact("Waiting", _waited(req.created_at, ctx.now)))
    else:
        facts.append(Fact("Requested", local_date(as_utc(req.created_at), ctx.zone).isoformat()))
    agenda = [Link(f"Open agenda ({_host(req.agenda_url)})", req.agenda_url)] if req.agenda_url else []
    sections = [Section(facts=facts, links=agenda)]
    if is_director(person):
        sections.append(_totals_section(session, ctx, person, req.fy))
    if pending:
        state = "Waiting for review (approving adds it to the catalog, up to the hours asked)"
        buttons = review_buttons(REQUEST, req.id)
    else:
        state = _decided_line(ctx.zone, req.status, v.decider, req.decided_at, req.reason)
        if v.entry is not None:
            state += f"; in the FY{v.entry.fy} catalog as {v.entry.code}"
        buttons = []
    title = f"Event request #{req.id}: {req.title}"
    about = f"{person.name}'s request for “{req.title}”, {fmt_hours_unit(req.quarters)} asked (event request #{req.id})"
    item = ReviewItem(REQUEST, req.id, req.status, about=about)
    return _with_state(title, req.status, state, sections, buttons, item)


def item_summary(ctx: Context, item_type: str, item_id: int) -> str:
    """Who, what and how many hours, in one line: "Alex Director's 3 hours of ISTE … (submission #12)"; "" when the
    item does not exist."""
    with ctx.session() as session:
        view = _view(session, item_type, item_id)
        if view is None:
            return ""
        item = _review_of(session, ctx, view).payload_as(ReviewItem)
    return item.about if item is not None else ""


def _notice(title: str, text: str, outcome: Outcome) -> Reply:
    return Reply(title=title, sections=[Section(text=text)] if text else [], outcome=outcome, summary=title)


def _refused(title: str, text: str) -> Decision:
    """Only the refusal: no review message, no posts (nothing of the item reaches someone who may not decide it)."""
    return Decision(Outcome.REFUSED, _notice(title, text, Outcome.REFUSED))


def _view(session: Session, item_type: str, item_id: int) -> SubmissionView | RequestView | None:
    if item_type == SUBMISSION:
        return get_submission(session, item_id)
    if item_type == REQUEST:
        return get_request(session, item_id)
    return None


def _row(view: SubmissionView | RequestView) -> Submission | EventRequest:
    return view.submission if isinstance(view, SubmissionView) else view.request


def _review_of(session: Session, ctx: Context, view: SubmissionView | RequestView) -> Reply:
    if isinstance(view, SubmissionView):
        return _submission_review(session, ctx, view)
    return _request_review(session, ctx, view)


def decide(
    ctx: Context,
    reviewer: Actor,
    item_type: str,
    item_id: int,
    approve: bool,
    reason: str = "",
    *,
    clicked: tuple[str, str, str] | None = None,
    with_dm: bool = True,
) -> Decision:
    """One press, in one database session: refused, not possible now, or decided (the credit or catalog change, the
    audit row and the outbox rows of every post update and the submitter's DM, in one transaction). `clicked`
    (platform, channel, message id) is updated too when it is not a recorded post; `with_dm` renders the DM here."""
    reason = " ".join(reason.split())[:1000]
    noun = _noun(item_type)
    if not reviewer.has("reviewer"):  # before any lookup: a refusal shows nothing of the item, not even if it exists
        return _refused(
            "Only ALET reviewers can approve or reject", f"Nothing was changed; an ALET reviewer decides each {noun}."
        )
    with ctx.session() as session:
        view = _view(session, item_type, item_id)
        if view is None:
            return Decision(
                Outcome.NOT_FOUND,
                _notice(f"{noun.capitalize()} #{item_id} was not found", "Nothing was changed.", Outcome.NOT_FOUND),
            )
        if view.person.id == reviewer.person_id:
            return _refused(
                f"You cannot decide your own {noun}", "Nothing was changed; another ALET reviewer will decide it."
            )
        posts = posts_for(session, item_type, item_id)
        for post in posts:
            session.expunge(post)  # kept as loaded when the item is read again after the decision
        blocked = _blocked(session, ctx, view, approve, reason, posts)
        if blocked is not None:
            return blocked
        targets = [(p.platform, p.channel, p.message_id or "") for p in posts] + ([clicked] if clicked else [])
        code = _commit(session, ctx, reviewer, view, approve, reason, targets)
        if code is None:
            return _already(session, ctx, item_type, item_id, posts)
        return _decided(session, ctx, item_type, item_id, approve, code, posts, with_dm)


def _blocked(
    session: Session,
    ctx: Context,
    view: SubmissionView | RequestView,
    approve: bool,
    reason: str,
    posts: list[ReviewPost],
) -> Decision | None:
    """Why a reviewer's press cannot decide the item now (already decided, no file yet, no reason), or None."""
    row = _row(view)
    item_type, item_id = (SUBMISSION if isinstance(view, SubmissionView) else REQUEST), row.id or 0
    if row.status != Status.PENDING.value:
        return _already(session, ctx, item_type, item_id, posts)
    if isinstance(view, SubmissionView) and view.awaiting_evidence:
        title = f"Submission #{item_id} is still waiting for its evidence file"
        text = "Nothing was changed; it can be decided once the director has sent the file."
        return Decision(
            Outcome.INVALID, _notice(title, text, Outcome.INVALID), _review_of(session, ctx, view), posts=posts
        )
    if not approve and not reason:
        text = f"The reason is sent to the submitter. Nothing was changed; the {_noun(item_type)} is still pending."
        notice = _notice("A rejection needs a reason", text, Outcome.INVALID)
        return Decision(Outcome.INVALID, notice, _review_of(session, ctx, view), posts=posts, needs_reason=True)
    return None


def _commit(
    session: Session,
    ctx: Context,
    reviewer: Actor,
    view: SubmissionView | RequestView,
    approve: bool,
    reason: str,
    targets: list[tuple[str, str, str]],
) -> str | None:
    """The decision's transaction; None when another press won the conditional update (nothing written)."""
    row = _row(view)
    item_type = SUBMISSION if isinstance(view, SubmissionView) else REQUEST
    status = Status.APPROVED.value if approve else Status.REJECTED.value
    table = Submission if item_type == SUBMISSION else EventRequest
    won = session.execute(
        update(table)
        .where(col(table.id) == row.id, col(table.status) == Status.PENDING.value)
        .values(status=status, decided_by=reviewer.person_id, decided_at=ctx.now, reason=reason)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return None
    code = ""
    detail: dict[str, object] = {"reason": reason}
    if isinstance(view, SubmissionView):
        session.execute(update(CreditRecord).where(col(CreditRecord.id) == view.credit.id).values(status=status))
        detail.update(credit_id=view.credit.id, quarters=view.credit.quarters, code=view.entry.code)
        if approve:  # a one-time activity: the earliest-dated approved record keeps the credit
            moved = settle_repeats(session, {view.entry.code}, {view.person.id or 0})
            detail.update(credit_moved=[(m.record_id, m.counted) for m in moved])
    elif approve:
        code = _add_to_catalog(session, view.request)
        detail.update(code=code, fy=view.request.fy)
    subject = f"{item_type}:{row.id}"
    audit(session, reviewer.email, f"{item_type}.{'approve' if approve else 'reject'}", subject, detail)
    add_decision_effects(session, item_type, row.id or 0, view.person.id or 0, targets, ctx.now)
    add_item_refresh(session, view.person.id or 0, ctx.now)  # the submitter's Home and the staff's (outbox)
    session.commit()
    return code


def _decided(
    session: Session,
    ctx: Context,
    item_type: str,
    item_id: int,
    approve: bool,
    code: str,
    posts: list[ReviewPost],
    with_dm: bool,
) -> Decision:
    session.expire_all()  # read the item as committed (decider, status, catalog entry)
    view = _view(session, item_type, item_id)
    assert view is not None
    person = view.person
    assert person.id is not None
    verb = "Approved" if approve else "Rejected"
    notice = _notice(
        f"{verb} {_noun(item_type)} #{item_id} of {person.name}", f"I have told {person.name}.", Outcome.OK
    )
    dm = None
    if with_dm:
        reason = _row(view).reason
        dm = (
            submission_dm(session, ctx, view, person, approve, reason)
            if isinstance(view, SubmissionView)
            else request_dm(session, ctx, view, person, approve, reason, code)
        )
    recipient = Recipient(person.id, person.email, person.name)
    return Decision(Outcome.OK, notice, _review_of(session, ctx, view), dm, recipient, posts)


def _already(session: Session, ctx: Context, item_type: str, item_id: int, posts: list[ReviewPost]) -> Decision:
    """Decided earlier (or by the press that won the race): who decided and when; nothing changed."""
    session.expire_all()
    view = _view(session, item_type, item_id)
    assert view is not None
    row = _row(view)
    line = _decided_line(ctx.zone, row.status, view.decider, row.decided_at, row.reason)
    notice = _notice(
        f"{_noun(item_type).capitalize()} #{item_id} was already decided",
        f"{line}. Nothing was changed.",
        Outcome.ALREADY,
    )
    return Decision(Outcome.ALREADY, notice, _review_of(session, ctx, view), posts=posts)


def _add_to_catalog(session: Session, req: EventRequest) -> str:
    """The approved event as an external catalog entry of its FY (its dates, cap = hours asked, "up to"), linked to the
    request; the code is REQ-<id>, with a suffix if an admin already used that code."""
    base = f"REQ-{req.id}"
    taken = set(
        session.exec(
            select(CatalogEntry.code).where(CatalogEntry.fy == req.fy, col(CatalogEntry.code).startswith(base))
        ).all()
    )
    code = base
    n = 2
    while code in taken:
        code = f"{base}-{n}"
        n += 1
    entry = CatalogEntry(
        fy=req.fy,
        code=code,
        title=req.title[:300],
        kind=Kind.EXTERNAL.value,
        day=req.start_day,
        end_day=req.end_day if req.end_day != req.start_day else None,  # claimable on every day of the event
        cap=req.quarters,
        up_to=True,
        per_unit=False,
        counts_for_td=True,
        evidence=Evidence.FILE.value,
        strands=req.strands,
    )
    session.add(entry)
    session.flush()
    session.execute(update(EventRequest).where(col(EventRequest.id) == req.id).values(catalog_id=entry.id))
    return code
