"""Delivering the reminder sweep: `sweep` decides the day (handlers.reminders.plan), then claims each reminder in
the log just before sending it (storage.reminders.claim), sends it through every platform the director is known on
(or the first platform that can find them by e-mail), and marks it sent or releases it for the next sweep. Sending
is paced by the caller (handlers.reminders.pacing: per channel within a workspace budget); deciding never is."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from handlers.context import Context
from handlers.notify import Delivery, DeliveryStatus, Notifier, Recipient
from handlers.reminders.due import REPORTED, REVIEW_DIGEST, UNREACHABLE, Due
from handlers.reminders.plan import Plan, decide, digests, read_posts
from handlers.reminders.text import for_platform
from storage.reminders import LEASE, claim, mark_failed, mark_sent, platforms_by_person

log = logging.getLogger("ceu.reminders")


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
    if report.reposted and plan.waiting:  # the digest links to the posts made just now too

        def read() -> None:
            with ctx.session() as session:
                read_posts(session, plan)

        await asyncio.to_thread(read)


@dataclass
class _Sending:
    """One sweep's sending: claim, send, mark, counted in `report`."""

    ctx: Context
    plan: Plan
    notifiers: Sequence[Notifier]
    report: SweepReport
    lease: timedelta
    clock: Callable[[], datetime]

    def claim(self, due: Due) -> bool:
        if claim(self.ctx.engine, due.key, due.person_id, self.clock(), self.lease):
            return True
        self.report.already += 1
        return False

    async def direct(self, due: Due, known: set[str]) -> None:
        """One reminder to a director: sent, failed (retried next sweep) or unreachable (named in the digest once)."""
        if not self.claim(due):
            return
        engine, report = self.ctx.engine, self.report
        deliveries = await _deliver(due, self.notifiers, known)
        errors = _errors(deliveries)
        if any(d.status is DeliveryStatus.SENT for d in deliveries):
            mark_sent(engine, due.key, self.clock(), errors)
            report.sent += 1
        elif any(d.status is DeliveryStatus.FAILED for d in deliveries):
            mark_failed(engine, due.key, errors)
            report.failed += 1
            log.warning("%s %s to %s failed, retried next sweep: %s", due.kind, due.key.step, due.who, errors)
        else:
            row = self.plan.log.get(due.key)
            reported = row is not None and row.last_error.startswith(REPORTED)  # name each one once, not every day
            why = errors or "no chat platform configured"
            mark_failed(engine, due.key, f"{REPORTED if reported else UNREACHABLE}: {why}")
            report.unreachable += 1
            log.warning("%s %s: %s could not be reached (%s)", due.kind, due.key.step, due.who, why)
            if not reported:
                report.unreachable_who.append(due)

    async def digests(self) -> None:
        """The reviewers' digests: the planned ones, plus who could not be reached (known only now)."""
        engine, report = self.ctx.engine, self.report
        planned = [d for d in self.plan.due if d.kind == REVIEW_DIGEST]
        todo = digests(self.plan, report.unreachable_who)
        report.due += len(todo) - len(planned)
        for due in todo:
            if not self.claim(due):
                continue
            delivery = await _post_digest(due, self.notifiers)
            if delivery.status is DeliveryStatus.SENT:
                mark_sent(engine, due.key, self.clock())
                report.sent += 1
                for who in report.unreachable_who:  # named now: later sweeps only log them
                    mark_failed(engine, who.key, f"{REPORTED}: not found on any chat platform")
            else:
                mark_failed(engine, due.key, _errors([delivery]))
                report.failed += 1


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
            return decide(session, ctx.today, ctx.now, channels, ctx.zone), platforms_by_person(session)

    plan, known = await asyncio.to_thread(read)  # seconds of SQL for 13,000 directors: off the event loop
    report = SweepReport(ctx.today, due=len(plan.due), skipped=len(plan.snoozed), already=plan.already)
    await _repost(ctx, plan, post_review, report)
    sending = _Sending(ctx, plan, notifiers, report, lease, clock)
    for due in plan.direct:
        await sending.direct(due, known.get(due.person_id or 0, set()))
    await sending.digests()
    log.info(report.summary())
    return report
