"""`status`: a TD's numbers for a FY (SPEC §2 and the §5 status object), strand gaps, CTO Academy, days to
September 30 and upcoming activities that would close the largest gap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from handlers.context import Actor, Context
from handlers.fy_arg import fy_from_args
from handlers.payloads import StatusPayload
from handlers.reply import Fact, Reply, Section
from rules.credit import Totals, totals
from rules.cto import Cto, cto_status
from rules.fiscal import fiscal_year_bounds
from rules.hours import as_number, fmt_hours, fmt_hours_unit
from rules.policy import CatalogItem, Policy
from rules.strands import mask_of, numbers_of
from rules.upcoming import upcoming
from storage.catalog import upcoming_candidates
from storage.policy_data import policy_for
from storage.records import credits_of
from storage.status_version import versions_of
from storage.tables import Person


@dataclass(frozen=True)
class StatusView:
    person: Person
    fy: int
    policy: Policy
    totals: Totals
    cto: Cto
    today: date
    suggestions: list[CatalogItem]

    @property
    def period(self) -> tuple[date, date]:
        return fiscal_year_bounds(self.fy)

    @property
    def days_left(self) -> int | None:
        end = self.period[1]
        return (end - self.today).days if self.period[0] <= self.today <= end else None


def build_status(session: Session, person: Person, fy: int, today: date) -> StatusView:
    assert person.id is not None
    policy = policy_for(session, fy)
    t = totals(credits_of(session, person.id, fy), policy)
    cto = cto_status(person.role_start, person.cto_completed, policy, today)
    suggestions: list[CatalogItem] = []
    if not t.compliant or t.strand_gaps:
        suggestions = upcoming(
            upcoming_candidates(session, fy, today),
            today,
            need_alet=t.remaining_alet > 0,
            gap_mask=mask_of(t.strand_gaps),
            limit=policy.upcoming_suggestions,
            need_hours=t.remaining > 0,
            external_counts=external_counts(t, policy),
        )
    return StatusView(person, fy, policy, t, cto, today, suggestions)


def external_counts(t: Totals, policy: Policy) -> bool:
    """Whether more external hours would be credited toward what is still missing."""
    return t.remaining > t.remaining_alet and t.external_credited < policy.external_maximum


def status_json(view: StatusView) -> dict[str, Any]:
    """The SPEC §5 status object, key for key."""
    t = view.totals
    start, end = view.period
    return {
        "email": view.person.email,
        "name": view.person.name,
        "district": view.person.district,
        "fiscal_year": view.fy,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "credited_hours": as_number(t.credited),
        "alet_hours": as_number(t.alet),
        "external_hours": as_number(t.external),
        "external_credited_hours": as_number(t.external_credited),
        "pending_hours": as_number(t.pending),
        "remaining_hours": as_number(t.remaining),
        "remaining_alet_hours": as_number(t.remaining_alet),
        "compliant": t.compliant,
        "strand_hours": {str(n): as_number(q) for n, q in sorted(t.strand_hours.items())},
        "strand_gaps": list(t.strand_gaps),
        "cto_academy": {
            "required": view.cto.required,
            "deadline": view.cto.deadline.isoformat() if view.cto.deadline else None,
            "completed_on": view.cto.completed_on.isoformat() if view.cto.completed_on else None,
            "status": view.cto.status.value,
        },
    }


def long_date(day: date) -> str:
    """'September 30, 2027'."""
    return f"{day:%B} {day.day}, {day.year}"


def cto_line(cto: Cto) -> str:
    if not cto.required:
        return "Not required (you took the role before the Academy requirement began)"
    assert cto.deadline is not None
    deadline = long_date(cto.deadline)
    if cto.completed_on:
        return f"Completed on {long_date(cto.completed_on)}"
    left = cto.days_left or 0
    if left < 0:
        return f"OVERDUE: the deadline was {deadline} ({-left} days ago)"
    soon = "Due soon: " if cto.status.value == "due_soon" else "On track: "
    return f"{soon}complete it by {deadline} ({left} days left)"


def headline(view: StatusView) -> str:
    """One sentence with what matters most: met, or how much is still needed, by when."""
    t = view.totals
    name = view.person.name.split(" ")[0] if view.person.name else view.person.email
    if t.compliant:
        return f"You have met the FY{view.fy} requirement, {name}: {fmt_hours(t.credited)} hours credited."
    more = fmt_hours_unit(t.remaining).replace(" hour", " more hour", 1)
    end = view.period[1]
    by = f" by {long_date(end)} ({view.days_left} days)" if view.days_left is not None else ""
    must = f", {fmt_hours(t.remaining_alet)} of them from ALET" if t.remaining_alet else ""
    return f"{name}, you need {more} for FY{view.fy}{by}{must}."


def status_facts(view: StatusView) -> list[Fact]:
    """The numbers behind the headline; rows that would say nothing (no external hours, nothing pending) left out.
    Dates are long ("September 30, 2025") everywhere in status."""
    t, p = view.totals, view.policy
    start, end = view.period
    facts = [
        Fact("Credited", f"{fmt_hours(t.credited)} of {fmt_hours(p.required)} hours"),
        Fact("ALET hours", f"{fmt_hours(t.alet)} (at least {fmt_hours(p.alet_minimum)})"),
    ]
    if t.external:
        cap = f"up to {fmt_hours(p.external_maximum)} count"
        if t.external_credited == t.external:
            facts.append(Fact("External hours", f"{fmt_hours(t.external)} ({cap})"))
        else:
            facts.append(
                Fact("External hours", f"{fmt_hours(t.external_credited)} credited of {fmt_hours(t.external)} ({cap})")
            )
    if t.pending:
        facts.append(Fact("Pending review", f"{fmt_hours_unit(t.pending)} (not counted until approved)"))
    facts.append(Fact("Period", f"{long_date(start)} to {long_date(end)}"))
    return facts


def status_reply(view: StatusView) -> Reply:
    t, p = view.totals, view.policy
    top = headline(view)
    gaps = "; ".join(p.strands[n] for n in t.strand_gaps)
    urgent = view.cto.status.value in ("due_soon", "overdue")  # then above the strands, in the attention tone
    cto = Section(heading="CTO Academy", text=cto_line(view.cto), tone="attention" if urgent else "")
    sections = [Section(text=top, facts=status_facts(view))]
    if urgent:
        sections.append(cto)
    sections.append(
        Section(
            heading="Strands",
            text=f"No hours yet in: {gaps}." if gaps else "Every strand has hours.",
            facts=[Fact(f"{n}. {p.strands[n]}", f"{fmt_hours(q)} h") for n, q in sorted(t.strand_hours.items()) if q],
        )
    )
    if not urgent:
        sections.append(cto)
    if view.suggestions:
        sections.append(
            Section(
                heading="Coming up that would help",
                items=[suggestion_line(i, p) for i in view.suggestions],
            )
        )
    return Reply(
        title=f"TD-CEU status, FY{view.fy}",
        sections=sections,
        summary=top,
        payload=StatusPayload(status_json(view)),
    )


def span_words(item: CatalogItem) -> str:
    """When an activity takes place, in the long dates status uses ("November 5, 2024 to November 7, 2024")."""
    if item.day is None:
        return "any day this FY"
    if item.end is None or item.end == item.day:
        return long_date(item.day)
    return f"{long_date(item.day)} to {long_date(item.end)}"


def suggestion_line(item: CatalogItem, policy: Policy) -> str:
    strands = "; ".join(policy.strands[n] for n in numbers_of(item.strands) if n in policy.strands)
    when = span_words(item)
    source = "ALET" if item.is_alet else "external"
    amount = f"up to {fmt_hours(item.cap)} h" if item.up_to else f"{fmt_hours(item.cap)} h"
    per = " per unit" if item.per_unit else ""
    return f"{when}: {item.title} ({source}, {amount}{per}; {strands})"


def handle_status(ctx: Context, actor: Actor, args: list[str]) -> Reply:
    fy, problem = fy_from_args(args, ctx.today)
    if problem:
        return problem
    with ctx.session() as session:
        if ctx.statuses is None:
            return _built(session, actor.person_id, fy, ctx.today)
        versions = versions_of(session, actor.person_id)  # first: what is read after it is at least this new
        key = (actor.person_id, fy, ctx.today)
        cached = ctx.statuses.get(key, versions)
        if cached is not None:
            return cached
        return ctx.statuses.put(key, versions, _built(session, actor.person_id, fy, ctx.today))


def cached_status(ctx: Context, person_id: int, versions: tuple[int, int, int], args: list[str]) -> Reply | None:
    """The status handle_status would answer when it is kept at exactly these versions (read by the caller, with
    the person, in one statement: storage/known_caller.py); None when it must be built (or the FY is refused)."""
    if ctx.statuses is None:
        return None
    fy, problem = fy_from_args(args, ctx.today)
    return None if problem else ctx.statuses.get((person_id, fy, ctx.today), versions)


def _built(session: Session, person_id: int, fy: int, today: date) -> Reply:
    person = session.get(Person, person_id)
    assert person is not None
    return status_reply(build_status(session, person, fy, today))
