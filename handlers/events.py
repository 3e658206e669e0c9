"""`events [WORD…]`: this FY's approved external events and the upcoming ALET activities; with words, only those
whose name or code holds every word (how to find an event's code in a long catalog, e.g. for Teams' cut picker)."""

from __future__ import annotations

from handlers.context import Actor, Context
from handlers.fy_arg import current_policy
from handlers.reply import Reply, Section, trimmed
from rules.fiscal import fiscal_year_of
from rules.hours import fmt_hours
from rules.policy import CatalogItem
from storage.catalog import catalog

MAX_ITEMS = 25


def event_line(item: CatalogItem) -> str:
    amount = f"up to {fmt_hours(item.cap)} h" if item.up_to else f"{fmt_hours(item.cap)} h"
    if item.per_unit:
        amount += " per workshop"
    when = f"{item.span}: " if item.day else ""
    extra = f"; on or after {item.earliest.isoformat()}" if item.earliest else ""
    return f"{when}{item.title} [{item.code}], {amount}{extra}"


def _matching(items: list[CatalogItem], words: list[str]) -> list[CatalogItem]:
    return [i for i in items if all(w in i.title.lower() or w in i.code.lower() for w in words)]


def handle_events(ctx: Context, actor: Actor | None, args: list[str]) -> Reply:
    fy = fiscal_year_of(ctx.today)
    with ctx.session() as session:
        items = catalog(session, fy)
    alet = [i for i in items if i.is_alet and i.counts_for_td and (i.last_day is None or i.last_day >= ctx.today)]
    external = sorted((i for i in items if not i.is_alet), key=lambda i: i.title.lower())
    words = [w.lower() for w in args]
    if words:
        alet, external = _matching(alet, words), _matching(external, words)
    policy = current_policy(ctx)
    alet_min, ext_max = fmt_hours(policy.alet_minimum), fmt_hours(policy.external_maximum)
    alet_lines, alet_more = trimmed([event_line(i) for i in alet], MAX_ITEMS)
    ext_lines, ext_more = trimmed([event_line(i) for i in external], MAX_ITEMS)
    return Reply(
        title=f"TD-CEU catalog, FY{fy}" + (f": “{' '.join(args)}”" if words else ""),
        sections=[
            Section(
                heading=f"Upcoming ALET activities (at least {alet_min} hours a year come from these)",
                text="" if alet_lines else "None announced yet; watch the ALET events calendar.",
                items=alet_lines,
                more=alet_more,
            ),
            Section(
                heading=f"Approved external events (at most {ext_max} hours a year count)",
                text="" if ext_lines else "None approved yet for this fiscal year; use “request” to ask for one.",
                items=ext_lines,
                more=ext_more,
            ),
        ],
        summary=f"{len(alet)} upcoming ALET activities, {len(external)} approved external events",
    )
