"""Who gets which reminder when: `decide` reads the day's facts in a handful of set-based queries (never one per
director) and returns the Plan the sweep delivers (handlers.reminders.delivery). The kinds and steps are described
in handlers.reminders."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from sqlmodel import Session

from handlers.context import TIMEZONE
from handlers.payloads import PostRef
from handlers.reminders.due import (
    COMPLETE_STEP,
    CTO_ACADEMY,
    FY_COMPLETE,
    FY_DEADLINE,
    REPOST_AFTER,
    REVIEW_DIGEST,
    Due,
    Repost,
)
from handlers.reminders.text import cto_reply, digest_reply, fy_complete_reply, fy_deadline_reply
from handlers.reply import Reply
from handlers.status import external_counts
from rules.calendar import Step, can_snooze, cto_step, fy_deadline_step
from rules.credit import Totals, totals
from rules.cto import cto_status
from rules.fiscal import fiscal_year_of
from rules.policy import CatalogItem, Policy
from rules.strands import mask_of
from rules.upcoming import upcoming
from storage.bulk import credits_by_person
from storage.catalog import catalog
from storage.policy_data import policy_for
from storage.reminders import Director, Key, LogRow, active_directors, log_rows, review_posts
from storage.reviews import PendingItem, pending_older_than
from storage.tables import ReviewPost

log = logging.getLogger("ceu.reminders")


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
    posts: dict[tuple[str, str, int], PostRef] = field(default_factory=dict)  # (platform, type, id): its review post
    zone: str = TIMEZONE  # CEU_TIMEZONE: the local dates the digest counts from

    @property
    def direct(self) -> list[Due]:
        return [d for d in self.due if d.kind != REVIEW_DIGEST]

    def sent(self, key: Key) -> bool:
        """Whether the log holds `key` as sent (by an earlier sweep)."""
        row = self.log.get(key)
        return row is not None and row.sent


def decide(
    session: Session, today: date, now: datetime, channels: Sequence[tuple[str, str]] = (), zone: str = TIMEZONE
) -> Plan:
    """Everything due on `today`, from a handful of set-based queries (never one per director); `zone`:
    CEU_TIMEZONE."""
    fy = fiscal_year_of(today)
    plan = Plan(today, fy, channels=[(p, c) for p, c in channels if c], zone=zone)
    try:
        policy = policy_for(session, fy)
    except LookupError:
        log.info("no TD-CEU policy applies to FY%s: no reminders", fy)
        plan.reposts = _reposts(plan, pending_older_than(session, now - REPOST_AFTER), session)
        return plan
    plan.wait_days = policy.review_wait_days
    directors = active_directors(session)
    plan.log = log_rows(session, fy - 1)
    credits = credits_by_person(session, fy, policy.strands)
    deciding = _Directors(plan, policy, catalog(session, fy))
    for person in directors:
        deciding.decide(person, totals(credits.get(person.id, ()), policy))
    ready = pending_older_than(session, now - REPOST_AFTER)  # pending and ready for review
    waited = now - timedelta(days=policy.review_wait_days)
    plan.waiting = [w for w in ready if w.created_at < waited]
    plan.reposts = _reposts(plan, ready, session)
    plan.due += digests(plan, [])  # who cannot be reached is known only once sending was tried
    return plan


class _Directors:
    """The per-director part of `decide`: the FY step or the congratulation, and the CTO Academy step, each added to
    the plan unless already sent (snoozed where the step allows it). Pure: everything was read beforehand."""

    def __init__(self, plan: Plan, policy: Policy, items: list[CatalogItem]) -> None:
        self.plan = plan
        self.policy = policy
        self.items = items
        self.fy_step = fy_deadline_step(plan.today, policy)
        self._ideas: dict[tuple[bool, int, bool, bool], list[CatalogItem]] = {}

    def decide(self, person: Director, t: Totals) -> None:
        plan, policy, today, fy = self.plan, self.policy, self.plan.today, self.plan.fy
        if t.compliant:
            reply = partial(fy_complete_reply, person, fy, t, policy)
            self.add(person, Key(FY_COMPLETE, person.email, fy, COMPLETE_STEP), reply, None)
        elif self.fy_step is not None and not plan.sent(Key(FY_COMPLETE, person.email, fy, COMPLETE_STEP)):
            reply = partial(fy_deadline_reply, person, fy, t, policy, today, self.ideas(t))
            self.add(person, Key(FY_DEADLINE, person.email, fy, self.fy_step.name), reply, self.fy_step)
        cto = cto_status(person.role_start, person.cto_completed, policy, today)
        if cto.required and cto.completed_on is None and cto.deadline is not None:
            step = cto_step(cto.deadline, today, policy)
            if step is not None:
                key = Key(CTO_ACADEMY, person.email, fiscal_year_of(step.send_on), step.name)
                self.add(person, key, partial(cto_reply, person, policy, today), step)

    def ideas(self, t: Totals) -> list[CatalogItem]:
        """Upcoming catalog items that would help; directors with the same gaps share one ranking."""
        policy = self.policy
        k = (t.remaining_alet > 0, mask_of(t.strand_gaps), t.remaining > 0, external_counts(t, policy))
        if k not in self._ideas:
            self._ideas[k] = upcoming(
                self.items,
                self.plan.today,
                need_alet=k[0],
                gap_mask=k[1],
                limit=policy.upcoming_suggestions,
                need_hours=k[2],
                external_counts=k[3],
            )
        return self._ideas[k]

    def add(self, person: Director, key: Key, reply: Callable[[], Reply], step: Step | None) -> None:
        plan = self.plan
        if plan.sent(key):
            plan.already += 1
            return
        snoozed = (
            step is not None
            and person.snoozed_until is not None
            and person.snoozed_until >= plan.today
            and can_snooze(step, self.policy)
        )
        due = Due(key, person.id, person.email, person.name, reply, snoozed=snoozed)
        (plan.snoozed if snoozed else plan.due).append(due)


def digests(plan: Plan, unreachable: Sequence[Due]) -> list[Due]:
    """Today's reviewers' digest for each channel not yet sent one, if anything waits or anyone was unreachable."""
    if not plan.waiting and not unreachable:
        return []
    out = []
    for platform, channel in plan.channels:
        key = Key(REVIEW_DIGEST, f"{platform}:{channel}", plan.fy, plan.today.isoformat())
        if plan.sent(key):
            continue
        posts = {(w.item_type, w.item_id): plan.posts.get((platform, w.item_type, w.item_id)) for w in plan.waiting}
        reply = digest_reply(plan.today, plan.wait_days, plan.waiting, unreachable, posts, plan.zone)
        out.append(Due(key, None, key.recipient, "reviewers", reply, platform, channel))
    return out


def _reposts(plan: Plan, ready: Sequence[PendingItem], session: Session) -> list[Repost]:
    """The ready items missing from a configured platform; `plan.posts` gets where the others were posted (the
    digest links to them)."""
    platforms = sorted({p for p, _ in plan.channels})
    if not platforms or not ready:
        return []
    posted = review_posts(session, [(w.item_type, w.item_id) for w in ready])
    _note_posts(plan, posted)
    out = []
    for w in ready:
        missing = tuple(p for p in platforms if p not in posted.get((w.item_type, w.item_id), {}))
        if missing:
            out.append(Repost(w.item_type, w.item_id, w.title, w.person_email, plan.fy, missing))
    return out


def _note_posts(plan: Plan, posted: Mapping[tuple[str, int], Mapping[str, ReviewPost]]) -> None:
    for (item_type, item_id), rows in posted.items():
        for platform, row in rows.items():
            if row.message_id:
                plan.posts[(platform, item_type, item_id)] = PostRef(row.channel, row.message_id)


def read_posts(session: Session, plan: Plan) -> None:
    """Where the waiting items are posted now (after the sweep posted the missing ones): the digest links to them."""
    _note_posts(plan, review_posts(session, [(w.item_type, w.item_id) for w in plan.waiting]))
