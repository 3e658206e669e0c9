"""The bolt listeners for text: `/ceu <command>` and direct messages to the bot, plus the one @app.error handler.

Every listener acks at once (an empty 200 within milliseconds); the work runs after the ack as a bolt lazy
listener and answers with `respond` (ephemeral: only the caller sees it) or, in a DM, chat.postMessage.
The form commands (submit, request) open their modal (bot/slack/workflow.py).
"""

from __future__ import annotations

import logging

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.slack.blocks import message_payload
from bot.slack.errors import handle_error
from bot.slack.identity import PLATFORM, remember_dm, resolve
from bot.slack.surface import Incoming, SlackSurface, lazy, off_loop
from handlers.chat import handle_text
from handlers.reply import Reply

log = logging.getLogger("ceu.slack")
COMMAND = "/ceu"
BOT_EVENTS = ("message.im",)  # the manifest's event subscriptions: text commands in the bot's DM


async def ack_now(ack: AsyncAck) -> None:
    await ack()


def register(surface: SlackSurface) -> None:
    app = surface.bolt
    app.error(handle_error)

    async def ceu_command(inc: Incoming) -> None:
        reply = await answer_text(surface, inc, str(inc.body.get("text", "")))
        if reply is not None:
            await inc.respond(response_type="ephemeral", replace_original=False, **message_payload(reply))

    async def direct_message(inc: Incoming) -> None:
        event = inc.body.get("event") or {}
        if inc.retry_num:  # Slack re-sent an event we already took: answering twice would only repeat ourselves
            log.info("slack: ignoring retry %s of event %s", inc.retry_num, inc.body.get("event_id"))
            return
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        reply = await answer_text(surface, inc, str(event.get("text", "")), dm_channel=str(event.get("channel", "")))
        if reply is not None:
            await inc.client.chat_postMessage(channel=str(event.get("channel")), **message_payload(reply))

    app.command(COMMAND)(ack=ack_now, lazy=[lazy(ceu_command)])
    app.event("message")(ack=ack_now, lazy=[lazy(direct_message)])

    from bot.slack.workflow import register_workflow

    register_workflow(surface)


async def answer_text(surface: SlackSurface, inc: Incoming, text: str, dm_channel: str = "") -> Reply | None:
    """The reply to a text command, or None when a form was opened instead."""
    ctx = surface.context()
    caller = await resolve(ctx, inc.client, inc.user_id, inc.team_id)
    if caller.actor is not None and dm_channel.startswith("D"):
        remember_dm(ctx, caller, dm_channel)
    reply = await off_loop(handle_text(ctx, caller.email, PLATFORM, text))
    form = reply.data.get("form") if reply.ok else None
    if isinstance(form, str) and caller.actor is not None:
        from bot.slack.workflow import open_form

        return await open_form(surface, inc, caller.actor, form)
    return reply
