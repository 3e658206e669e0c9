"""A review decision from press to settled, platform-free (the adapters only translate):

- `press(ctx, actor, item_type, item_id, approve, reason=None, clicked=None) -> Pressed`: a click on Approve or
  Reject (or the reason form sent). A Reject without a reason gets the reason form (`Pressed.form`) when the presser
  could reject now; otherwise the decision (handlers.review.decide), whose transaction also writes its follow-ups
  (every review post's update, the submitter's DM) as outbox rows. A refusal carries only its notice.
- `ReviewFlow.settle(ctx)`: delivers the open outbox rows, each claimed before it is sent (storage.outbox): a post
  update through its platform's Notifier, the DM through `tell`. The loop in `serve` (bot/delivery.py) calls it
  every POLL seconds and at once after a local decision (`ReviewFlow.nudge`); the daily sweep calls it with
  force=True (what waits out a backoff goes too).
- `ReviewFlow.refresh(platform, pressed, clicked)`: after a press, wake the loop (decided now) or bring the
  platform's posts of an item decided earlier up to date.
- `ReviewFlow.post(ctx, item_type, item_id)`: an item to every reviewers' channel it has no post on yet.
- `ReviewFlow.tell(ctx, recipient, reply)`: a DM, first where the person has written to the bot, then elsewhere.
- A "home" outbox row (a person's records or the review queue changed) is published by every `ReviewFlow.homes`
  platform (Slack's App Home, bot/slack/home.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from handlers.context import Actor, Context
from handlers.forms import Form, reject_form
from handlers.notify import Delivery, DeliveryStatus, HomePublisher, Notifier, Recipient
from handlers.payloads import ReviewItem
from handlers.reply import Outcome, Reply
from handlers.review import decide, item_summary, review_reply
from handlers.review_notice import decision_dm
from storage import outbox
from storage.outbox import Effect
from storage.people import identities_of
from storage.reviews import posts_for, record_post

log = logging.getLogger("ceu.reviews")

Offload = Callable[..., Awaitable[Any]]
Post = tuple[str, str, str]  # (platform, channel, message id)


@dataclass(frozen=True)
class Pressed:
    """What a press answers: `notice` for the presser; `review` the item as it now stands (only for a reviewer who
    may see it); `form` the reject reason form to open; `posts` the item's review posts (the outbox updates them
    after a decision taken now; after an earlier one the presser's platform may refresh them)."""

    outcome: Outcome
    notice: Reply
    review: Reply | None = None
    form: Form | None = None
    posts: tuple[Post, ...] = ()

    @property
    def decided(self) -> bool:
        return self.outcome is Outcome.OK


def press(
    ctx: Context,
    actor: Actor,
    item_type: str,
    item_id: int,
    approve: bool,
    reason: str | None = None,
    clicked: Post | None = None,
) -> Pressed:
    """One click (worker thread: database only, no network)."""
    decision = decide(ctx, actor, item_type, item_id, approve, reason or "", clicked=clicked, with_dm=False)
    if not approve and reason is None and decision.needs_reason:
        post = decision.review.payload_as(ReviewItem) if decision.review is not None else None
        about = post.about if post is not None else ""
        form = reject_form(item_type, item_id, about or item_summary(ctx, item_type, item_id))
        return Pressed(Outcome.INVALID, decision.notice, decision.review, form=form)
    posts = tuple((p.platform, p.channel, p.message_id or "") for p in decision.posts)
    return Pressed(decision.outcome, decision.notice, decision.review, posts=posts)


@dataclass(frozen=True)
class Route:
    notifier: Notifier
    channel: str  # the platform's reviewers' channel ("" when not configured: DMs only)

    @property
    def platform(self) -> str:
        return self.notifier.platform


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ReviewFlow:
    """Every platform's reviewers' channel and notifier; `offload` runs the database work off the event loop."""

    routes: list[Route] = field(default_factory=list)
    offload: Offload = asyncio.to_thread
    nudge: Callable[[], None] = lambda: None  # wakes the delivery loop (set by bot/delivery.py)
    homes: list[HomePublisher] = field(default_factory=list)  # platforms with a Home per person (Slack)

    def add(self, notifier: Notifier, channel: str) -> None:
        self.routes = [r for r in self.routes if r.platform != notifier.platform] + [Route(notifier, channel)]

    def notifier(self, platform: str) -> Notifier | None:
        return next((r.notifier for r in self.routes if r.platform == platform), None)

    async def post(self, ctx: Context, item_type: str, item_id: int) -> int:
        """Post the item to every reviewers' channel that has no post of it yet; returns how many were posted."""
        have = {platform for platform, _, _ in await self.offload(_posts, ctx, item_type, item_id)}
        todo = [r for r in self.routes if r.channel and r.platform not in have]
        if not todo:
            if not any(r.channel for r in self.routes):
                log.warning("no reviewers' channel is configured: %s %s was not posted for review", item_type, item_id)
            return 0
        reply = await self.offload(review_reply, ctx, item_type, item_id)
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
            where = delivery.channel or route.channel
            await self.offload(_record, ctx, item_type, item_id, route.platform, where, delivery.message_id)
            posted += 1
        return posted

    async def refresh(self, platform: str, pressed: Pressed, clicked: Post | None) -> None:
        """A press on an item decided earlier: bring `platform`'s posts of it (or the clicked message, when none
        is recorded) up to date; a decision taken now leaves this to the outbox, which the loop is woken for."""
        if pressed.decided:
            self.nudge()
            return
        notifier = self.notifier(platform)
        if pressed.outcome is not Outcome.ALREADY or pressed.review is None or notifier is None:
            return
        mine = [p for p in pressed.posts if p[0] == platform and p[2]]
        for _, channel, message_id in mine or ([clicked] if clicked else []):
            done = await _safe(notifier.update_message(channel, message_id, pressed.review), platform)
            if done.status is not DeliveryStatus.SENT:
                log.warning("%s: could not update review message %s: %s", platform, message_id, done.error)

    async def tell(self, ctx: Context, recipient: Recipient, reply: Reply) -> Delivery | None:
        """DM a person: first on the platforms where they have written to the bot, then on the others; the first
        platform that takes it ends the round. None when no platform is configured."""
        known = await self.offload(_known_platforms, ctx, recipient.person_id)
        order = sorted(self.routes, key=lambda r: known.index(r.platform) if r.platform in known else len(known))
        last: Delivery | None = None
        for route in order:
            last = await _safe(route.notifier.send_dm(recipient, reply), route.platform)
            if last.status is DeliveryStatus.SENT:
                break
        return last

    async def settle(self, ctx: Context, *, force: bool = False, limit: int = 50) -> int:
        """Deliver the open outbox rows (each claimed first); returns how many were done now."""
        done = 0
        replies: dict[tuple[str, int], Reply] = {}  # one rendering per item for all its posts
        for effect in await self.offload(outbox.open_rows, ctx.engine, _now(), limit, force=force):
            token = await self.offload(outbox.claim, ctx.engine, effect.id, _now(), force=force)
            if token is None:
                continue  # another pass or replica has it
            delivery = await self._deliver(ctx, effect, replies)
            if delivery.status is DeliveryStatus.SENT or (effect.kind == outbox.UPDATE and delivery.error == GONE):
                await self.offload(outbox.done, ctx.engine, effect.id, token, _now(), delivery.error)
                done += 1
                continue
            wait = outbox.backoff(effect.attempts + 1)
            _log_failure(effect, delivery, wait)
            why = f"{delivery.platform}: {delivery.status.value} {delivery.error}".strip()
            await self.offload(outbox.retry, ctx.engine, effect.id, token, _now() + wait, why)
        return done

    async def _deliver(self, ctx: Context, effect: Effect, replies: dict[tuple[str, int], Reply]) -> Delivery:
        item = (effect.item_type, effect.item_id)
        if effect.kind == outbox.HOME:
            return await self._publish_homes(ctx, effect)
        if effect.kind == outbox.UPDATE:
            notifier = self.notifier(effect.platform)
            if notifier is None:
                return Delivery(DeliveryStatus.UNREACHABLE, effect.platform, error=GONE)
            if item not in replies:
                replies[item] = await self.offload(review_reply, ctx, *item)
            return await _safe(
                notifier.update_message(effect.channel, effect.message_id, replies[item]), notifier.platform
            )
        built = await self.offload(_decision_dm, ctx, *item)
        if built is None:
            return Delivery(DeliveryStatus.SENT, "", error="nothing to tell (the item is pending or gone)")
        told = await self.tell(ctx, *built)
        return told or Delivery(DeliveryStatus.UNREACHABLE, "", error="no chat platform is configured")

    async def _publish_homes(self, ctx: Context, effect: Effect) -> Delivery:
        """A Home refresh on every platform that has Homes; a failure on one retries the row (publishing is
        idempotent: the same Home again)."""
        person = effect.item_id if effect.item_type == outbox.HOME_PERSON else None
        last = Delivery(DeliveryStatus.SENT, "", error="no chat platform with a Home is configured")
        for home in self.homes:
            last = await _safe(home.publish_home(ctx, person), home.platform)
            if last.status is not DeliveryStatus.SENT:
                return last
        return last


GONE = "that platform is not configured here"


def _log_failure(effect: Effect, delivery: Delivery, wait: object) -> None:
    what = f"{effect.item_type} {effect.item_id}"
    why = f"{delivery.status.value} {delivery.error}".strip()
    if effect.kind == outbox.UPDATE:
        log.warning(
            "%s: could not update review card %s of %s (retried in %s): %s",
            effect.platform,
            effect.message_id,
            what,
            wait,
            why,
        )
    elif effect.kind == outbox.HOME:
        log.warning("could not publish the Home of %s (retried in %s): %s", what, wait, why)
    else:
        log.warning("could not tell the submitter of %s on any platform (retried in %s): %s", what, wait, why)


async def _safe(send: Awaitable[Delivery], platform: str) -> Delivery:
    try:
        return await send
    except Exception as exc:  # a notifier bug or network error must not lose the effect: retried later
        log.exception("%s: sending failed", platform)
        return Delivery(DeliveryStatus.FAILED, platform, error=f"{type(exc).__name__}: {exc}")


def _posts(ctx: Context, item_type: str, item_id: int) -> list[Post]:
    with ctx.session() as session:
        return [(p.platform, p.channel, p.message_id or "") for p in posts_for(session, item_type, item_id)]


def _record(ctx: Context, item_type: str, item_id: int, platform: str, channel: str, message_id: str) -> None:
    with ctx.session() as session:
        record_post(session, item_type, item_id, platform, channel, message_id)
        session.commit()


def _known_platforms(ctx: Context, person_id: int) -> list[str]:
    with ctx.session() as session:
        return [i.platform for i in identities_of(session, person_id)]


def _decision_dm(ctx: Context, item_type: str, item_id: int) -> tuple[Recipient, Reply] | None:
    with ctx.session() as session:
        return decision_dm(session, ctx, item_type, item_id)
