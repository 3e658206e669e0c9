"""The text of each reminder: the Reply a deadline step, the congratulation, a CTO Academy step and the reviewers'
digest render, and the status hint matched to the platform that sends it. The digest carries each listed item's post
(handlers.payloads.Digest); `with_item_links` puts the platform's links to them on the items when it is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from handlers.context import TIMEZONE
from handlers.payloads import Digest, PostRef, Reminder
from handlers.reminders.due import CTO_ACADEMY, FY_COMPLETE, FY_DEADLINE, REVIEW_DIGEST, Due
from handlers.reply import Fact, Link, Reply, Section, trimmed
from handlers.status import cto_line, suggestion_line
from rules.credit import Totals
from rules.cto import cto_status
from rules.fiscal import fiscal_year_bounds, local_date
from rules.hours import fmt_hours, fmt_hours_unit
from rules.policy import CatalogItem, Policy
from storage.reminders import Director
from storage.reviews import PendingItem, as_utc

DIGEST_LIMIT = 25

STATUS_HINT = {
    "slack": "See your full status any time with /ceu status.",
    "teams": "See your full status any time: send status to me in this chat.",
}
NEUTRAL_HINT = "See your full status any time: /ceu status in Slack, or status in the bot's Teams chat."


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _first_name(person: Director) -> str:
    return person.name.split(" ")[0] if person.name else person.email


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _hint_section() -> Section:
    return Section(text=NEUTRAL_HINT)


def for_platform(reply: Reply, platform: str) -> Reply:
    """The reminder with the status command of `platform` (the last section of a DM reminder is the hint)."""
    if not ((r := reply.payload_as(Reminder)) and r.status_hint) or not reply.sections:
        return reply
    hint = STATUS_HINT.get(platform, NEUTRAL_HINT)
    return replace(reply, sections=[*reply.sections[:-1], Section(text=hint)])


def _strand_names(t: Totals, policy: Policy) -> str:
    return ", ".join(policy.strands[n] for n in t.strand_gaps) or "none"


def fy_deadline_reply(
    person: Director, fy: int, t: Totals, policy: Policy, today: date, ideas: list[CatalogItem]
) -> Reply:
    end = fiscal_year_bounds(fy)[1]
    left = (end - today).days
    first = _first_name(person)
    if t.remaining:
        alet = f", {fmt_hours(t.remaining_alet)} of them from ALET," if t.remaining_alet else ""
        headline = f"{first}, you still need {fmt_hours_unit(t.remaining)}{alet} by {_long_date(end)}."
    else:
        headline = f"{first}, your hours are in, but FY{fy} also needs hours in every strand by {_long_date(end)}."
    facts = [
        Fact("Hours left", f"{fmt_hours(t.remaining)} of {fmt_hours(policy.required)}"),
        Fact("ALET hours left", f"{fmt_hours(t.remaining_alet)} of the {fmt_hours(policy.alet_minimum)} required"),
        Fact("Strands without hours", _strand_names(t, policy)),
        Fact("Deadline", f"{_long_date(end)} ({_days(left)} left)"),
    ]
    if t.pending:
        facts.append(Fact("Pending review", f"{fmt_hours_unit(t.pending)} (counted once approved)"))
    sections = [Section(text=headline, facts=facts)]
    if ideas:
        sections.append(Section(heading="Coming up that would help", items=[suggestion_line(i, policy) for i in ideas]))
    else:
        sections.append(Section(text=f"No upcoming dated activities are in the catalog yet; ask {policy.contact}."))
    sections.append(_hint_section())
    return Reply(
        title=f"TD-CEU FY{fy}: {_days(left)} to {end:%B} {end.day}",
        sections=sections,
        summary=headline,
        payload=Reminder(FY_DEADLINE, status_hint=True),
    )


def fy_complete_reply(person: Director, fy: int, t: Totals, policy: Policy) -> Reply:
    headline = (
        f"Congratulations, {_first_name(person)}: you have met the FY{fy} TD-CEU requirement with "
        f"{fmt_hours_unit(t.credited)} credited ({fmt_hours(t.alet)} from ALET)."
    )
    sections = [Section(text=headline + f" You will get no more FY{fy} deadline reminders.")]
    if t.strand_gaps:
        sections.append(
            Section(text=f"For a balanced year, these strands have no hours yet: {_strand_names(t, policy)}.")
        )
    sections.append(_hint_section())
    return Reply(
        title=f"TD-CEU FY{fy}: requirement met",
        sections=sections,
        summary=headline,
        payload=Reminder(FY_COMPLETE, status_hint=True),
    )


def cto_reply(person: Director, policy: Policy, today: date) -> Reply:
    cto = cto_status(person.role_start, person.cto_completed, policy, today)
    assert cto.deadline is not None
    left = cto.days_left or 0
    title = "CTO Academy is overdue" if left < 0 else f"CTO Academy: {_days(left)} left"
    headline = f"{_first_name(person)}, please complete ALET's CTO Academy. {cto_line(cto)}."
    facts = [Fact("Deadline", _long_date(cto.deadline))]
    if person.role_start:
        facts.append(Fact("Role start", _long_date(person.role_start)))
    return Reply(
        title=title,
        sections=[
            Section(text=headline, facts=facts),
            Section(text=f"Questions, or already completed it? Contact {policy.contact}."),
            _hint_section(),
        ],
        summary=headline,
        payload=Reminder(CTO_ACADEMY, status_hint=True),
    )


_KINDS = {FY_DEADLINE: "the hours reminder", CTO_ACADEMY: "the CTO Academy reminder"}
_ORDINAL = {1: "first", 2: "second", 3: "third"}


def reminder_words(kind: str, step: str) -> str:
    """A reminder as people say it, not its log ids: "the hours reminder, 30 days before the deadline", "the CTO
    Academy reminder, second notice after the deadline", "the congratulations on a complete year"."""
    if kind == FY_COMPLETE:
        return "the congratulations on a complete year"
    what = _KINDS.get(kind, "a reminder")
    if step.endswith("d") and step[:-1].isdigit():
        days = int(step[:-1])
        return f"{what}, {days} day{'s' if days != 1 else ''} before the deadline"
    if step.startswith("overdue-") and step[8:].isdigit():
        n = int(step[8:])
        return f"{what}, {_ORDINAL.get(n, f'notice {n}')}{' notice' if n in _ORDINAL else ''} after the deadline"
    return what


STATUS_LISTS = "“status” in a direct message lists every waiting item."


def find_items(n: int, linked: int = 0) -> str:
    """How the reviewers find the `n` listed items' posts, `linked` of them linked: short, after the list."""
    them, posts = ("it", "its post") if n == 1 else ("them", "their posts")
    how = f"Approve or reject {them} with the buttons on {posts} in this channel"
    search = "search the channel for the number, e.g. “#12”"
    if linked >= n:
        find = "a linked number opens its post"
    elif linked:
        find = f"a linked number opens its post; for the others, {search}"
    else:
        find = search
    return f"{how} ({find}). {STATUS_LISTS}"


def _item_label(w: PendingItem) -> str:
    return f"{'Submission' if w.item_type == 'submission' else 'Event request'} #{w.item_id}"


def digest_reply(
    today: date,
    wait_days: int,
    waiting: Sequence[PendingItem],
    unreachable: Sequence[Due],
    posts: Mapping[tuple[str, int], PostRef | None] | None = None,
    zone: str = TIMEZONE,
) -> Reply:
    """The reviewers' digest: the items waiting more than `wait_days`, and the directors no platform could reach.
    `posts` holds each item's post on the digest's platform; the payload carries those of the items listed, for the
    platform to link (`with_item_links`); how to find them follows the list. `zone`: CEU_TIMEZONE, the days waited
    count from each item's local date, as the review queue and Home count them."""
    sections: list[Section] = []
    listed: tuple[PostRef | None, ...] = ()
    n = len(waiting)
    if n:
        lines = [
            f"{_item_label(w)}: {w.title} ({fmt_hours_unit(w.quarters)}) from {w.person_name or w.person_email}, "
            f"waiting {_days(max(0, (today - local_date(as_utc(w.created_at), zone)).days))}"
            for w in waiting
        ]
        items, more = trimmed(lines, DIGEST_LIMIT)
        listed = tuple((posts or {}).get((w.item_type, w.item_id)) for w in waiting[: len(items)])
        sections.append(Section(items=items, more=more))
        sections.append(Section(text=find_items(len(items))))
    if unreachable:
        lines = [f"{d.name} <{d.email}>: {reminder_words(d.kind, d.key.step)}" for d in unreachable]
        items, more = trimmed(lines, DIGEST_LIMIT)
        sections.append(
            Section(
                heading="Could not reach on Slack or Teams",
                text="These directors were not found on any chat platform; please contact them another way.",
                items=items,
                more=more,
            )
        )
    if n:
        title = f"{n} review item{'s' if n != 1 else ''} waiting more than {_days(wait_days)}"
    else:
        title = f"{len(unreachable)} director{'s' if len(unreachable) != 1 else ''} could not be reached"
    payload = Digest(REVIEW_DIGEST, posts=listed if any(listed) else ())
    return Reply(title=title, sections=sections, summary=title, payload=payload)


def with_item_links(reply: Reply, urls: Sequence[str | None]) -> Reply:
    """The digest with `urls[i]` (the platform's link to the i-th listed item's post, None: no link) on its items;
    the text after the list then says that a linked number opens its post (and how to find the others, if any are
    left without a link). Unchanged when no url is given."""
    digest = reply.payload_as(Digest)
    if digest is None or not any(urls) or digest.section >= len(reply.sections):
        return reply
    section = reply.sections[digest.section]
    links: list[Link | None] = []
    for item, url in zip(section.items, urls, strict=False):
        label = item.split(":", 1)[0]
        links.append(Link(label, url) if url else None)
    sections = list(reply.sections)
    sections[digest.section] = replace(section, item_links=links)
    if digest.section + 1 < len(sections):
        linked = sum(1 for link in links if link)
        sections[digest.section + 1] = Section(text=find_items(len(section.items), linked))
    return replace(reply, sections=sections)
