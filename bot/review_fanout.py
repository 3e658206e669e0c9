"""Reviews on every platform at once: a submission or request is posted to each configured reviewers' channel
(Slack's and Teams'), a decision taken on either updates every post in place, and the submitter is told on the
platform where they are known (trying the others after it). Platform-free: it sees only handlers.notify.Notifier.
A post that failed is posted by the next daily sweep (post() only posts where it is missing); a decision notice is
logged exactly-once in the reminder log and retried by the next sweep when no platform took it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.runner import off_loop
from handlers.context import Context
from handlers.notify import Delivery, DeliveryStatus, Notifier, Recipient
from handlers.reminders import notice_key
from handlers.reply import Reply
from handlers.review import review_reply
from storage.people import identities_of
from storage.reminders import claim, mark_failed, mark_sent
from storage.reviews import posts_for, record_post

log = logging.getLogger("ceu.reviews")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ReviewRoute:
    notifier: Notifier
    channel: str  # the platform's reviewers' channel ("" when not configured: DMs only)

    @property
    def platform(self) -> str:
        return self.notifier.platform


@dataclass
class ReviewFanout:
    routes: list[ReviewRoute] = field(default_factory=list)

    def add(self, notifier: Notifier, channel: str) -> None:
        self.routes = [r for r in self.routes if r.platform != notifier.platform] + [ReviewRoute(notifier, channel)]

    def notifier(self, platform: str) -> Notifier | None:
        return next((r.notifier for r in self.routes if r.platform == platform), None)

    async def post(self, ctx: Context, item_type: str, item_id: int) -> int:
        """Post the item to every reviewers' channel that has no post of it yet; returns how many were posted."""
        with ctx.session() as session:
            have = {p.platform for p in posts_for(session, item_type, item_id)}
        todo = [r for r in self.routes if r.channel and r.platform not in have]
        if not todo:
            if not any(r.channel for r in self.routes):
                log.warning("no reviewers' channel is configured: %s %s was not posted for review", item_type, item_id)
            return 0
        reply = review_reply(ctx, item_type, item_id)
        if not reply.ok:
            return 0
        posted = 0
        for route in todo:
            delivery = await route.notifier.post_channel(route.channel, reply)
            if delivery.status is not DeliveryStatus.SENT:
                log.warning(
                    "%s: could not post %s %s for review: %s", route.platform, item_type, item_id, delivery.error
                )
                continue
            with ctx.session() as session:
                record_post(
                    session, item_type, item_id, route.platform, delivery.channel or route.channel, delivery.message_id
                )
                session.commit()
            posted += 1
        return posted

    async def update(self, posts: list[tuple[str, str, str]], review: Reply, *, skip_platform: str = "") -> None:
        """Replace each (platform, channel, message id) post with the decided review (except `skip_platform`'s,
        which the platform where the button was pressed updates itself)."""
        for platform, channel, message_id in posts:
            notifier = self.notifier(platform)
            if platform == skip_platform or notifier is None or not message_id:
                continue
            done = await notifier.update_message(channel, message_id, review)
            if done.status is not DeliveryStatus.SENT:
                log.warning("%s: could not update review message %s: %s", platform, message_id, done.error)

    async def tell(self, ctx: Context, recipient: Recipient, reply: Reply) -> Delivery | None:
        """DM a person: first on the platforms where they have written to the bot, then on the others.

        A decision notice (its reply names the item) is claimed in the reminder log before it is sent and marked
        sent after, like a reminder: if no platform took it, the claim is released and the next daily sweep sends
        it (handlers.reminders); a notice already claimed is not sent again."""
        key = notice_key(recipient, reply, ctx.today)
        if key is not None and not await off_loop(claim, ctx.engine, key, recipient.person_id, _now()):
            log.info("%s for %s was already sent or is being sent", key.step, recipient.email)
            return None
        last: Delivery | None = None
        errors: list[str] = []
        try:
            with ctx.session() as session:
                known = [i.platform for i in identities_of(session, recipient.person_id)]
            order = sorted(
                self.routes,
                key=lambda r: (r.platform not in known, known.index(r.platform) if r.platform in known else 0),
            )
            for route in order:
                last = await route.notifier.send_dm(recipient, reply)
                if last.status is DeliveryStatus.SENT:
                    break
                errors.append(f"{last.platform}: {last.status.value} {last.error}".strip())
        finally:  # whatever happened (even an exception), the claim is settled: sent, or released for the sweep
            if key is not None:
                sent = last is not None and last.status is DeliveryStatus.SENT
                if sent:
                    await off_loop(mark_sent, ctx.engine, key, _now(), "; ".join(errors))
                else:
                    await off_loop(mark_failed, ctx.engine, key, "; ".join(errors) or "no platform")
        if last is None or last.status is not DeliveryStatus.SENT:
            status = f"{last.status.value} {last.error}" if last is not None else "no chat platform is configured"
            log.warning("could not tell %s on any platform (the next sweep retries): %s", recipient.email, status)
        return last
