"""The daily reminder sweep (SPEC §4): what is due today, decided set-based, and its exactly-once delivery.

`decide` reads everything in a handful of queries (people, everyone's credits, chat platforms, the reminder log of
this and the previous FY, pending review items, the catalog) and returns a Plan:

- fy_deadline: to every active director not yet compliant, the latest due step of the FY series (90..1 days before
  September 30, a weekend moved to the Friday before; after downtime only the latest missed one);
- fy_complete: one congratulation to a compliant director, after which no more FY reminders that FY;
- cto_academy: 180/90/30/7 days before the CTO Academy deadline, then monthly while overdue, none once completed
  (logged under the FY its send date falls in, so a step is never repeated across a FY boundary);
- review_digest: daily to each reviewers' channel while an item has waited more than the policy's review_wait_days,
  and to report directors no platform could reach;
- decision notices are not here: they are outbox rows of the decision (handlers.review_flow, storage.outbox);
- reposts (not in the log): pending items ready for review with no post on a configured reviewers' channel (their
  first post failed), posted again through handlers.review_flow.ReviewFlow.post (idempotent per item and platform).

Snoozed directors are skipped except for the steps rules.calendar.can_snooze refuses (the final 7- and 1-day ones).
`sweep` claims each reminder in the log just before sending it (storage.reminders.claim), sends it through every
platform the director is known on (or the first platform that can find them by e-mail), and marks it sent or
releases it for the next sweep; `remind` on the CLI and the scheduler's daily job both call it. Sending is paced by
the caller (Pace / PacedNotifier); deciding never is.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, partial

from sqlmodel import Session

from handlers.context import Context
from handlers.notify import Delivery, DeliveryStatus, Notifier, Recipient
from handlers.reply import Fact, Reply, Section, trimmed
from handlers.status import cto_line, external_counts, suggestion_line
from rules.calendar import Step, can_snooze, cto_step, fy_deadline_step
from rules.credit import Totals, totals
from rules.cto import cto_status
from rules.fiscal import fiscal_year_bounds, fiscal_year_of
from rules.hours import fmt_hours, fmt_hours_unit
from rules.policy import CatalogItem, Policy
from rules.strands import mask_of
from rules.upcoming import upcoming
from storage.bulk import credits_by_person
from storage.catalog import catalog
from storage.policy_data import policy_for
from storage.reminders import (
    LEASE,
    Director,
    Key,
    LogRow,
    active_directors,
    claim,
    log_rows,
    mark_failed,
    mark_sent,
    platforms_by_person,
    posted_platforms,
)
from storage.reviews import PendingItem, pending_older_than

log = logging.getLogger("ceu.reminders")

FY_DEADLINE = "fy_deadline"
FY_COMPLETE = "fy_complete"
CTO_ACADEMY = "cto_academy"
REVIEW_DIGEST = "review_digest"
REVIEW_POST = "review_post"  # a dry-run line: an item to (re)post to a reviewers' channel (not in the log)
REPOST_AFTER = timedelta(minutes=10)  # a younger item may still be being posted by the submit flow itself
COMPLETE_STEP = "complete"
UNREACHABLE = "unreachable"  # last_error of a reminder no platform could deliver (retried by the next sweep)
REPORTED = "unreachable (reported to reviewers)"  # ... and already named in a reviewers' digest
DIGEST_LIMIT = 25

STATUS_HINT = {
    "slack": "See your full status any time with /ceu status.",
    "teams": "See your full status any time: send status to me in this chat.",
}
NEUTRAL_HINT = "See your full status any time: /ceu status in Slack, or status in the bot's Teams chat."


@dataclass(frozen=True)
class Due:
    """One reminder to send (or, in a dry run, that would be sent)."""

    key: Key
    person_id: int | None
    email: str  # the director's e-mail; for the digest, the channel recipient "platform:channel"
    name: str
    content: Reply | Callable[[], Reply]  # the message, or how to write it (written when first needed)
    platform: str = ""  # the digest's platform
    channel: str = ""  # the digest's channel id
    snoozed: bool = False

    @property
    def kind(self) -> str:
        return self.key.kind

    @property
    def who(self) -> str:
        """The recipient as the log names them: a person by roster id (no e-mail or name), a channel as is."""
        return f"person {self.person_id}" if self.person_id is not None else self.email

    @cached_property
    def reply(self) -> Reply:
        """The message. Deciding the sweep only says who gets what; the text of a reminder is written when it is
        sent (paced) or listed in a dry run, not while thirteen thousand directors are being decided."""
        return self.content if isinstance(self.content, Reply) else self.content()

    def as_json(self) -> dict[str, object]:
        """One dry-run line (SPEC §4: at least kind and email)."""
        out: dict[str, object] = {
            "kind": self.kind,
            "email": self.email,
            "name": self.name,
            "fy": self.key.fy,
            "step": self.key.step,
            "title": self.reply.title,
            "text": self.reply.notification(),
        }
        if self.platform:
            out["platform"] = self.platform
        return out


@dataclass(frozen=True)
class Repost:
    """A pending item ready for review that has no post on some configured reviewers' channel (its first post
    failed): the sweep posts it again through ReviewFlow.post, which posts only where it is missing."""

    item_type: str
    item_id: int
    title: str
    person_email: str
    fy: int
    platforms: tuple[str, ...]  # configured platforms without a post of it

    @property
    def kind(self) -> str:
        return REVIEW_POST

    @property
    def step(self) -> str:
        return f"{self.item_type}:{self.item_id}"

    def as_json(self) -> dict[str, object]:
        return {
            "kind": REVIEW_POST,
            "email": ",".join(self.platforms),
            "name": self.person_email,
            "fy": self.fy,
            "step": self.step,
            "title": self.title,
        }


@dataclass
class Plan:
    today: date
    fy: int
    due: list[Due] = field(default_factory=list)  # to send now (the digest last)
    snoozed: list[Due] = field(default_factory=list)  # due but paused by the director
    already: int = 0  # due today but already sent by an earlier sweep
    waiting: list[PendingItem] = field(default_factory=list)
    log: dict[Key, LogRow] = field(default_factory=dict)
    channels: list[tuple[str, str]] = field(default_factory=list)
    wait_days: int = 3
    reposts: list[Repost] = field(default_factory=list)  # review posts to retry (before everything else)

    @property
    def direct(self) -> list[Due]:
        return [d for d in self.due if d.kind != REVIEW_DIGEST]


@dataclass
class SweepReport:
    today: date
    due: int = 0
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0  # snoozed
    already: int = 0  # sent earlier, or claimed by a sweep running at the same time
    unreachable_who: list[Due] = field(default_factory=list)
    reposted: int = 0  # review posts that had failed, posted now (one per item and platform)
    outbox: int = 0  # decision effects (post updates, DMs) delivered from the outbox by this run

    def summary(self) -> str:
        return (
            f"reminder sweep {self.today.isoformat()}: due {self.due}, sent {self.sent}, failed {self.failed}, "
            f"unreachable {self.unreachable}, skipped (snoozed) {self.skipped}, already sent {self.already}, "
            f"review posts retried {self.reposted}"
        )


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
    if not reply.data.get("status_hint") or not reply.sections:
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
        facts.append(Fact("Pending review", f"{fmt_hours(t.pending)} hours (counted once approved)"))
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
        data={"reminder": FY_DEADLINE, "status_hint": True},
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
        data={"reminder": FY_COMPLETE, "status_hint": True},
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
        data={"reminder": CTO_ACADEMY, "status_hint": True},
    )


def digest_reply(plan: Plan, unreachable: Sequence[Due]) -> Reply:
    sections: list[Section] = []
    n = len(plan.waiting)
    if n:
        lines = [
            f"{'Submission' if w.item_type == 'submission' else 'Event request'} #{w.item_id}: {w.title} "
            f"({fmt_hours(w.quarters)} h) from {w.person_name or w.person_email}, "
            f"waiting {_days(max(0, (plan.today - w.created_at.date()).days))}"
            for w in plan.waiting
        ]
        items, more = trimmed(lines, DIGEST_LIMIT)
        sections.append(Section(text="Please approve or reject them in this channel.", items=items, more=more))
    if unreachable:
        lines = [f"{d.name} <{d.email}>: {d.kind} {d.key.step}" for d in unreachable]
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
        title = f"{n} review item{'s' if n != 1 else ''} waiting more than {_days(plan.wait_days)}"
    else:
        title = f"{len(unreachable)} director{'s' if len(unreachable) != 1 else ''} could not be reached"
    return Reply(title=title, sections=sections, summary=title, data={"reminder": REVIEW_DIGEST})


def _digests(plan: Plan, unreachable: Sequence[Due]) -> list[Due]:
    if not plan.waiting and not unreachable:
        return []
    out = []
    for platform, channel in plan.channels:
        key = Key(REVIEW_DIGEST, f"{platform}:{channel}", plan.fy, plan.today.isoformat())
        row = plan.log.get(key)
        if row is not None and row.sent:
            continue
        out.append(Due(key, None, key.recipient, "reviewers", digest_reply(plan, unreachable), platform, channel))
    return out


def decide(session: Session, today: date, now: datetime, channels: Sequence[tuple[str, str]] = ()) -> Plan:
    """Everything due on `today`, from a handful of set-based queries (never one per director)."""
    fy = fiscal_year_of(today)
    plan = Plan(today, fy, channels=[(p, c) for p, c in channels if c])
    try:
        policy = policy_for(session, fy)
    except LookupError:
        log.info("no TD-CEU policy applies to FY%s: no reminders", fy)
        plan.reposts = _reposts(session, plan, pending_older_than(session, now - REPOST_AFTER))
        return plan
    plan.wait_days = policy.review_wait_days
    directors = active_directors(session)
    plan.log = log_rows(session, fy - 1)
    credits = credits_by_person(session, fy)
    items = catalog(session, fy)
    ideas_cache: dict[tuple[bool, int, bool, bool], list[CatalogItem]] = {}
    fy_step = fy_deadline_step(today, policy)

    def ideas(t: Totals) -> list[CatalogItem]:
        k = (t.remaining_alet > 0, mask_of(t.strand_gaps), t.remaining > 0, external_counts(t, policy))
        if k not in ideas_cache:
            ideas_cache[k] = upcoming(
                items,
                today,
                need_alet=k[0],
                gap_mask=k[1],
                limit=policy.upcoming_suggestions,
                need_hours=k[2],
                external_counts=k[3],
            )
        return ideas_cache[k]

    def add(person: Director, key: Key, reply: Callable[[], Reply], step: Step | None) -> None:
        row = plan.log.get(key)
        if row is not None and row.sent:
            plan.already += 1
            return
        snoozed = (
            step is not None
            and person.snoozed_until is not None
            and person.snoozed_until >= today
            and can_snooze(step, policy)
        )
        due = Due(key, person.id, person.email, person.name, reply, snoozed=snoozed)
        (plan.snoozed if snoozed else plan.due).append(due)

    def sent(kind: str, email: str, step: str) -> bool:
        row = plan.log.get(Key(kind, email, fy, step))
        return row is not None and row.sent

    for person in directors:
        t = totals(credits.get(person.id, ()), policy)
        if t.compliant:
            add(
                person,
                Key(FY_COMPLETE, person.email, fy, COMPLETE_STEP),
                partial(fy_complete_reply, person, fy, t, policy),
                None,
            )
        elif fy_step is not None and not sent(FY_COMPLETE, person.email, COMPLETE_STEP):
            add(
                person,
                Key(FY_DEADLINE, person.email, fy, fy_step.name),
                partial(fy_deadline_reply, person, fy, t, policy, today, ideas(t)),
                fy_step,
            )
        cto = cto_status(person.role_start, person.cto_completed, policy, today)
        if cto.required and cto.completed_on is None and cto.deadline is not None:
            step = cto_step(cto.deadline, today, policy)
            if step is not None:
                key = Key(CTO_ACADEMY, person.email, fiscal_year_of(step.send_on), step.name)
                add(person, key, partial(cto_reply, person, policy, today), step)

    ready = pending_older_than(session, now - REPOST_AFTER)  # pending and ready for review
    waited = now - timedelta(days=policy.review_wait_days)
    plan.waiting = [w for w in ready if w.created_at < waited]
    plan.reposts = _reposts(session, plan, ready)
    plan.due += _digests(plan, [])  # who cannot be reached is known only once sending was tried
    return plan


def _reposts(session: Session, plan: Plan, ready: Sequence[PendingItem]) -> list[Repost]:
    platforms = sorted({p for p, _ in plan.channels})
    if not platforms or not ready:
        return []
    posted = posted_platforms(session, [(w.item_type, w.item_id) for w in ready])
    out = []
    for w in ready:
        missing = tuple(p for p in platforms if p not in posted.get((w.item_type, w.item_id), set()))
        if missing:
            out.append(Repost(w.item_type, w.item_id, w.title, w.person_email, plan.fy, missing))
    return out


async def _deliver(due: Due, notifiers: Sequence[Notifier], known: set[str]) -> list[Delivery]:
    """To every platform the director is known on; if none of those worked, the first other one that finds them."""
    recipient = Recipient(due.person_id or 0, due.email, due.name)
    first = [n for n in notifiers if n.platform in known]
    rest = [n for n in notifiers if n.platform not in known]
    out: list[Delivery] = []
    for n in first:
        out.append(await _safe_send(n, recipient, due))
    if any(d.status is DeliveryStatus.SENT for d in out):
        return out
    for n in rest:
        d = await _safe_send(n, recipient, due)
        out.append(d)
        if d.status is DeliveryStatus.SENT:
            break
    return out


async def _safe_send(notifier: Notifier, recipient: Recipient, due: Due) -> Delivery:
    try:
        return await notifier.send_dm(recipient, for_platform(due.reply, notifier.platform))
    except Exception as exc:  # a notifier bug or network error must not lose the reminder: retried next sweep
        log.exception("sending %s %s to %s on %s failed", due.kind, due.key.step, due.who, notifier.platform)
        return Delivery(DeliveryStatus.FAILED, notifier.platform, error=f"{type(exc).__name__}: {exc}")


async def _post_digest(due: Due, notifiers: Sequence[Notifier]) -> Delivery:
    for n in notifiers:
        if n.platform == due.platform:
            try:
                return await n.post_channel(due.channel, due.reply)
            except Exception as exc:
                log.exception("posting the review digest to %s failed", due.email)
                return Delivery(DeliveryStatus.FAILED, n.platform, error=f"{type(exc).__name__}: {exc}")
    return Delivery(DeliveryStatus.UNREACHABLE, due.platform, error=f"{due.platform} is not configured")


def _errors(deliveries: Sequence[Delivery]) -> str:
    return "; ".join(
        f"{d.platform}: {d.status.value} {d.error}".strip() for d in deliveries if d.status is not DeliveryStatus.SENT
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Pace:
    """At most one send per `intervals[platform]` seconds on each platform (Slack asks for about one message per
    second per channel; a DM to someone new also costs a users.lookupByEmail, Tier 3). Only sending waits: deciding
    the sweep is never paced. `sleep` and `clock` are injectable so tests never wait for real."""

    def __init__(
        self,
        intervals: Mapping[str, float],
        *,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.intervals = dict(intervals)
        self.sleep = sleep
        self.clock = clock
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, platform: str) -> None:
        interval = self.intervals.get(platform, 0.0)
        if interval <= 0:
            return
        lock = self._locks.setdefault(platform, asyncio.Lock())
        async with lock:
            now = self.clock()
            due = self._next.get(platform, now)
            if due > now:
                await self.sleep(due - now)
                now = self.clock()
            self._next[platform] = max(now, due) + interval


class PacedNotifier:
    """A Notifier whose every send first waits for its platform's turn in `pace`."""

    def __init__(self, inner: Notifier, pace: Pace) -> None:
        self.inner = inner
        self.pace = pace
        self.platform = inner.platform

    async def send_dm(self, recipient: Recipient, reply: Reply) -> Delivery:
        await self.pace.wait(self.platform)
        return await self.inner.send_dm(recipient, reply)

    async def post_channel(self, channel: str, reply: Reply) -> Delivery:
        await self.pace.wait(self.platform)
        return await self.inner.post_channel(channel, reply)

    async def update_message(self, channel: str, message_id: str, reply: Reply) -> Delivery:
        await self.pace.wait(self.platform)
        return await self.inner.update_message(channel, message_id, reply)


PostReview = Callable[[Context, str, int], Awaitable[int]]


async def _repost(ctx: Context, plan: Plan, post_review: PostReview | None, report: SweepReport) -> None:
    """Post every ready item that is missing from a reviewers' channel (post_review posts only where missing)."""
    if post_review is None:
        return
    for item in plan.reposts:
        try:
            posted = await post_review(ctx, item.item_type, item.item_id)
        except Exception:  # one item must not stop the sweep; the next sweep tries it again
            log.exception("posting %s for review failed", item.step)
            continue
        report.reposted += posted
        if posted < len(item.platforms):
            log.warning("%s is still missing from %d reviewers' channel(s)", item.step, len(item.platforms) - posted)


async def sweep(
    ctx: Context,
    notifiers: Sequence[Notifier],
    channels: Sequence[tuple[str, str]] = (),
    *,
    lease: timedelta = LEASE,
    clock: Callable[[], datetime] = _utc_now,
    post_review: PostReview | None = None,
) -> SweepReport:
    """Decide and send today's reminders, each exactly once (claimed in the log just before it is sent): first the
    review posts that had failed (through `post_review`, ReviewFlow.post), then the reminders, then the reviewers'
    digest. (A decision's notices are outbox rows: the caller drains them, handlers.review_flow.)"""

    def read() -> tuple[Plan, dict[int, set[str]]]:
        with ctx.session() as session:
            return decide(session, ctx.today, ctx.now, channels), platforms_by_person(session)

    plan, known = await asyncio.to_thread(read)  # seconds of SQL for 13,000 directors: off the event loop
    report = SweepReport(ctx.today, due=len(plan.due), skipped=len(plan.snoozed), already=plan.already)
    await _repost(ctx, plan, post_review, report)
    for due in plan.direct:
        if not claim(ctx.engine, due.key, due.person_id, clock(), lease):
            report.already += 1
            continue
        deliveries = await _deliver(due, notifiers, known.get(due.person_id or 0, set()))
        errors = _errors(deliveries)
        if any(d.status is DeliveryStatus.SENT for d in deliveries):
            mark_sent(ctx.engine, due.key, clock(), errors)
            report.sent += 1
        elif any(d.status is DeliveryStatus.FAILED for d in deliveries):
            mark_failed(ctx.engine, due.key, errors)
            report.failed += 1
            log.warning("%s %s to %s failed, retried next sweep: %s", due.kind, due.key.step, due.who, errors)
        else:
            row = plan.log.get(due.key)
            reported = row is not None and row.last_error.startswith(REPORTED)  # name each one once, not every day
            why = errors or "no chat platform configured"
            mark_failed(ctx.engine, due.key, f"{REPORTED if reported else UNREACHABLE}: {why}")
            report.unreachable += 1
            log.warning("%s %s: %s could not be reached (%s)", due.kind, due.key.step, due.who, why)
            if not reported:
                report.unreachable_who.append(due)
    planned = [d for d in plan.due if d.kind == REVIEW_DIGEST]
    digests = _digests(plan, report.unreachable_who)  # the planned digests, plus who could not be reached
    report.due += len(digests) - len(planned)
    for due in digests:
        if not claim(ctx.engine, due.key, None, clock(), lease):
            report.already += 1
            continue
        delivery = await _post_digest(due, notifiers)
        if delivery.status is DeliveryStatus.SENT:
            mark_sent(ctx.engine, due.key, clock())
            report.sent += 1
            for who in report.unreachable_who:  # named now: later sweeps only log them
                mark_failed(ctx.engine, who.key, f"{REPORTED}: not found on any chat platform")
        else:
            mark_failed(ctx.engine, due.key, _errors([delivery]))
            report.failed += 1
    log.info(report.summary())
    return report
