"""The App Home tab: handlers.home's Home rendered as a home view (views.publish) and kept current.

- `app_home_opened` (the Home tab, not the Messages tab): acked at once; afterwards the caller is resolved (a
  first-seen user through users.info, like a command), their Home built and rendered on a worker thread and
  published. Someone not on the roster sees whom to contact; nothing is written for them.
- `SlackHome.publish_home`: the outbox's "home" rows (storage.outbox: a submission or request made, a decision,
  a void, an import that credited someone; the staff's Homes when the review queue changed) are delivered here by
  the delivery loop, after the commit and off the request path. Publishing is idempotent: the same view again.
- Buttons: Submit / Request / History do exactly what `/ceu submit`, `/ceu request`, `/ceu history` do (the same
  dispatcher; an answer that is a message is shown in a modal, the Home tab has no thread to answer in). The
  waiting items' Approve / Reject are the review posts' own actions (bot/slack/workflow.py).

Limits kept: a home view holds at most 100 blocks; the waiting items (two blocks each) are trimmed to what fits,
with an "… and N more" line.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.runner import off_loop
from bot.slack.blocks import button, clip, escape, reply_blocks
from bot.slack.identity import PLATFORM, Caller, resolve
from bot.slack.surface import Incoming, SlackSurface, after_ack
from handlers.context import Context
from handlers.home import HOME_ACTIONS, Home, home_for
from handlers.notify import Delivery, DeliveryStatus
from handlers.people import actor_of
from storage.people import accounts_on

log = logging.getLogger("ceu.slack.home")
MAX_HOME_BLOCKS = 100
GONE_USERS = {"user_not_found", "users_not_found", "account_inactive", "user_disabled"}


# --- rendering ---------------------------------------------------------------------------------------------------


def waiting_blocks(home: Home, room: int) -> list[Block]:
    """The waiting items (a line and its buttons each) in at most `room` blocks, the rest as "… and N more"."""
    fit = len(home.waiting) if 2 * len(home.waiting) <= room else max(0, (room - 1) // 2)
    blocks: list[Block] = []
    for item in home.waiting[:fit]:
        value = item.buttons[0].value if item.buttons else ""
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(f"• {escape(item.line)}", 3000))))
        blocks.append(
            ActionsBlock(
                block_id=clip(f"review:{value}", 255),
                elements=[button(b.action, b.label, b.value, b.style) for b in item.buttons],
            )
        )
    more = home.more(fit)
    if more:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(escape(more), 2000))]))
    return blocks


def home_blocks(home: Home) -> list[Block]:
    """Every part (divided), the waiting items after the queue's heading, within Slack's 100 blocks."""
    parts: list[list[Block]] = []
    for i, reply in enumerate(home.parts):
        blocks = reply_blocks(reply)
        for block in blocks:
            if isinstance(block, ActionsBlock):
                block.block_id = f"actions:{i}"  # block ids are unique within a view
        parts.append(([DividerBlock()] if i else []) + blocks)
    used = sum(len(p) for p in parts)
    if home.queue_at >= 0:
        parts[home.queue_at] = parts[home.queue_at] + waiting_blocks(home, MAX_HOME_BLOCKS - used)
    flat = [b for p in parts for b in p]
    if len(flat) > MAX_HOME_BLOCKS:
        note = ContextBlock(elements=[MarkdownTextObject(text="… more with “/ceu status” (trimmed to fit Slack)")])
        flat = [*flat[: MAX_HOME_BLOCKS - 1], note]
    return flat


def home_view(home: Home) -> dict[str, Any]:
    """The views.publish `view`: type "home" (slack_sdk checks the block count when it serialises)."""
    return View(type="home", blocks=home_blocks(home)).to_dict()


def caller_view(ctx: Context, caller: Caller) -> dict[str, Any]:
    """On a worker thread: the caller's Home, rendered."""
    return home_view(home_for(ctx, caller.actor, caller.email))


def account_views(ctx: Context, person_id: int | None) -> list[tuple[str, dict[str, Any]]]:
    """On a worker thread: (Slack user id, home view) of `person_id`'s accounts (None: every staff member's)."""
    with ctx.session() as session:
        accounts = accounts_on(session, PLATFORM, person_id)
    return [(uid, home_view(home_for(ctx, actor_of(person, PLATFORM)))) for person, uid in accounts]


# --- publishing --------------------------------------------------------------------------------------------------


class SlackHome:
    """handlers.notify.HomePublisher over views.publish."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def publish_home(self, ctx: Context, person_id: int | None) -> Delivery:
        """Every account's Home of `person_id` (None: the staff's), rendered with the delivery loop's context (its
        today and time zone)."""
        views = await off_loop(account_views, ctx, person_id)
        for user_id, view in views:
            try:
                await self.client.views_publish(user_id=user_id, view=view)
            except SlackApiError as exc:
                error = str(exc.response.get("error") or f"http {exc.response.status_code}")
                if error in GONE_USERS:
                    log.info("slack: no Home for %s any more (%s)", user_id, error)
                    continue
                return Delivery(DeliveryStatus.FAILED, PLATFORM, error=error)
        return Delivery(DeliveryStatus.SENT, PLATFORM, error="" if views else "no Slack account to publish to")


# --- listeners ---------------------------------------------------------------------------------------------------


def register_home(surface: SlackSurface) -> None:
    app = surface.bolt

    async def opened(inc: Incoming) -> None:
        event = inc.body.get("event") or {}
        if event.get("tab") != "home" or not event.get("user"):
            return  # the Messages tab (Slack sends this event for it too): nothing to draw
        await publish_caller(surface, inc, str(event["user"]))

    async def pressed(inc: Incoming) -> None:
        await home_button(surface, inc)

    app.event("app_home_opened")(after_ack(surface, opened))
    for action in HOME_ACTIONS:
        app.action(action)(after_ack(surface, pressed))


async def publish_caller(surface: SlackSurface, inc: Incoming, user_id: str) -> None:
    ctx = surface.context()
    caller = await resolve(ctx, inc.client, user_id, inc.team_id)
    view = await off_loop(caller_view, ctx, caller)
    await inc.client.views_publish(user_id=user_id, view=view)


async def home_button(surface: SlackSurface, inc: Incoming) -> None:
    """Submit / Request / History: the command's own answer (a modal opened, or its reply shown in one)."""
    from bot.slack.listeners import text_answer

    action = (inc.body.get("actions") or [{}])[0]
    command = str(action.get("action_id", "")).removeprefix("home.")
    answer = await text_answer(surface, inc, command)
    if answer.payload is not None:
        await show_modal(inc, answer.payload, title=command.capitalize())


async def show_modal(inc: Incoming, payload: dict[str, Any], *, title: str = "TD-CEU") -> None:
    """A message payload (text + blocks) shown in a modal: the Home tab has no thread to answer in."""
    view = View(
        type="modal",
        title=PlainTextObject(text=clip(title, 24)),
        close=PlainTextObject(text="Close"),
        blocks=list(payload.get("blocks") or [])[:MAX_HOME_BLOCKS],
    )
    await inc.client.views_open(trigger_id=str(inc.body.get("trigger_id", "")), view=view.to_dict())
