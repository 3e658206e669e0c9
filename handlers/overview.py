"""`overview [FY]` (SDE staff, admins, reviewers): the state at a glance. Directors compliant / on track / behind
(rules.pace), hours still owed, CTO Academy due soon / overdue, the districts furthest behind, the strands with
the most gaps and the items waiting for review. Read with the report's bulk queries (storage.bulk): a handful of
queries whatever the number of directors."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from handlers.context import TIMEZONE, Actor, Context
from handlers.fy_arg import fy_from_args
from handlers.payloads import OverviewPayload
from handlers.reply import Fact, Reply, Section, trimmed
from handlers.review_queue import all_waiting, waiting_line
from rules.credit import totals
from rules.cto import CtoStatus, cto_status
from rules.fiscal import fiscal_year_bounds
from rules.hours import fmt_hours
from rules.pace import Standing, days_left, standing
from rules.policy import Policy
from storage.bulk import active_director_rows, credits_by_person
from storage.policy_data import policy_for
from storage.reviews import PendingItem

DISTRICTS_SHOWN = 8
STRANDS_SHOWN = 3
WAITING_SHOWN = 5


@dataclass
class Overview:
    fy: int
    as_of: date
    policy: Policy
    directors: int = 0
    counts: dict[Standing, int] = field(default_factory=lambda: dict.fromkeys(Standing, 0))
    owed: int = 0  # quarter-hours still owed by the directors not yet compliant
    owed_alet: int = 0
    cto: dict[CtoStatus, int] = field(default_factory=lambda: dict.fromkeys(CtoStatus, 0))
    districts: list[tuple[str, int, list[str]]] = field(default_factory=list)  # (district, owed, names)
    gaps: dict[int, int] = field(default_factory=dict)  # strand -> directors with no hours in it
    waiting: list[PendingItem] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "fiscal_year": self.fy,
            "as_of": self.as_of.isoformat(),
            "directors": self.directors,
            **{s.value: n for s, n in self.counts.items()},
            "hours_owed": self.owed / 4,
            "alet_hours_owed": self.owed_alet / 4,
            "cto_due_soon": self.cto[CtoStatus.DUE_SOON],
            "cto_overdue": self.cto[CtoStatus.OVERDUE],
            "waiting_for_review": len(self.waiting),
        }


def build_overview(session: Session, fy: int, today: date) -> Overview:
    """Every director's standing in `fy`: those on the roster now, or for a past FY (seen as of its last day) those
    on it during that FY, like the year-end report."""
    first, last = fiscal_year_bounds(fy)
    as_of = min(today, last)
    past = today > last
    policy = policy_for(session, fy)
    ov = Overview(fy, as_of, policy)
    credits = credits_by_person(session, fy, policy.strands)
    by_district: dict[str, list[tuple[int, str]]] = defaultdict(list)
    gaps: dict[int, int] = dict.fromkeys(policy.strands, 0)
    for d in active_director_rows(session, (first, last) if past else None):
        t = totals(credits.get(d.id, ()), policy)
        ov.directors += 1
        ov.counts[standing(t, policy, fy, as_of)] += 1
        if not t.compliant:
            ov.owed += t.remaining
            ov.owed_alet += t.remaining_alet
            by_district[d.district or "(no district)"].append((t.remaining, d.name or d.email))
        for n in t.strand_gaps:
            gaps[n] = gaps.get(n, 0) + 1
        done = d.cto_completed if d.cto_completed is not None and d.cto_completed <= as_of else None
        ov.cto[cto_status(d.role_start, done, policy, as_of).status] += 1
    ov.districts = sorted(
        ((name, sum(q for q, _ in people), sorted(n for _, n in people)) for name, people in by_district.items()),
        key=lambda row: (-row[1], row[0].lower()),
    )
    ov.gaps = {n: c for n, c in sorted(gaps.items(), key=lambda nc: (-nc[1], nc[0])) if c}
    ov.waiting = all_waiting(session)
    return ov


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def overview_reply(ov: Overview, zone: str = TIMEZONE) -> Reply:
    headline, head = _head(ov)
    sections = [*head, _districts(ov), _gaps(ov)]
    if ov.waiting:
        items, more = trimmed([waiting_line(w, ov.as_of, zone) for w in ov.waiting], WAITING_SHOWN)
        sections.append(Section(heading="Waiting for review (oldest first)", items=items, more=more))
    return Reply(
        title=f"TD-CEU overview, FY{ov.fy}",
        sections=sections,
        summary=f"FY{ov.fy}: {headline}",
        payload=OverviewPayload(ov.as_json()),
    )


def _head(ov: Overview) -> tuple[str, list[Section]]:
    """The headline, the counts and what "on track" means."""
    p, c = ov.policy, ov.counts
    left, _ = days_left(ov.fy, ov.as_of)
    when = f"{left} days to September 30" if left else f"FY{ov.fy} has ended"
    headline = (
        f"{_plural(ov.directors, 'director')}: {c[Standing.COMPLIANT]} compliant, {c[Standing.ON_TRACK]} on track, "
        f"{c[Standing.BEHIND]} behind (as of {ov.as_of.isoformat()}; {when})."
    )
    facts = [
        Fact("Compliant", str(c[Standing.COMPLIANT])),
        Fact("On track", str(c[Standing.ON_TRACK])),
        Fact("Behind", str(c[Standing.BEHIND])),
        Fact("Hours still owed", f"{fmt_hours(ov.owed)} ({fmt_hours(ov.owed_alet)} of them must be ALET)"),
        Fact(
            "CTO Academy",
            f"{ov.cto[CtoStatus.DUE_SOON]} due soon (within {p.cto_due_soon_days} days), "
            f"{ov.cto[CtoStatus.OVERDUE]} overdue",
        ),
        Fact("Waiting for review", str(len(ov.waiting))),
    ]
    pace = (
        f"On track: what a director still owes fits a steady pace, i.e. at most {fmt_hours(p.required)} hours "
        f"(and {fmt_hours(p.alet_minimum)} ALET hours) times the share of the fiscal year still left."
    )
    return headline, [Section(text=headline, facts=facts), Section(text=pace)]


def _districts(ov: Overview) -> Section:
    lines = [
        f"{name}: {fmt_hours(q)} h owed ({', '.join(names)})"
        if len(names) <= 3
        else f"{name}: {fmt_hours(q)} h owed ({len(names)} directors)"
        for name, q, names in ov.districts
    ]
    items, more = trimmed(lines, DISTRICTS_SHOWN, "more districts")
    return Section(
        heading="Districts furthest behind",
        text="" if items else "None: every director is compliant.",
        items=items,
        more=more,
    )


def _gaps(ov: Overview) -> Section:
    strands = ov.policy.strands
    lines = [f"{n}. {strands.get(n, '?')}: {_plural(k, 'director')} without hours" for n, k in ov.gaps.items()]
    items, more = trimmed(lines, STRANDS_SHOWN, "more strands")
    return Section(
        heading="Strands with the most gaps",
        text="" if items else "Every director has hours in every strand.",
        items=items,
        more=more,
    )


def overview_for(ctx: Context, fy: int) -> Reply:
    with ctx.session() as session:
        return overview_reply(build_overview(session, fy, ctx.today), ctx.zone)


def handle_overview(ctx: Context, actor: Actor, args: list[str]) -> Reply:
    fy, problem = fy_from_args(args, ctx.today)
    if problem:
        return problem
    return overview_for(ctx, fy)
