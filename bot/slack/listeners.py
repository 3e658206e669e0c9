"""The bolt listeners for text: `/ceu <command>` and direct messages to the bot, plus the one @app.error handler.

A known caller's `/ceu status` is answered in the ack itself (the ephemeral message is the ack's body). Every other
text acks at once (an empty 200 within milliseconds); the work runs after the ack (surface.after_ack) and answers
with `respond` (ephemeral: only the caller sees it) or, in a DM, chat.postMessage. A known caller's
answer takes one hop to a worker thread: identity, handler and Block Kit rendering together. The form commands
(submit, request) open their modal (bot/slack/workflow.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.runner import off_loop
from bot.slack.blocks import message_payload
from bot.slack.errors import bolt_error
from bot.slack.identity import PLATFORM, Caller, cached, first_sight, remember_dm
from bot.slack.in_ack import in_ack_or_after
from bot.slack.surface import Incoming, SlackSurface, after_ack
from handlers.chat import handle_text
from handlers.chat_import import IMPORT_FORM
from handlers.context import Context
from handlers.payloads import FormRequest
from handlers.reply import Reply
from handlers.report_delivery import order_of

log = logging.getLogger("ceu.slack")
COMMAND = "/ceu"
BOT_EVENTS = ("message.im", "app_home_opened")  # the manifest's event subscriptions: DM commands, the Home tab


def register(surface: SlackSurface) -> None:
    app = surface.bolt
    app.error(bolt_error)

    async def ceu_command(inc: Incoming) -> None:
        answer = await text_answer(surface, inc, str(inc.body.get("text", "")))
        if answer.payload is not None:
            await inc.respond(response_type="ephemeral", replace_original=False, **answer.payload)
        await follow_up(surface, inc, answer.answer)

    async def direct_message(inc: Incoming) -> None:
        event = inc.body.get("event") or {}
        if inc.retry_num:  # Slack re-sent an event we already took: answering twice would only repeat ourselves
            log.info("slack: ignoring retry %s of event %s", inc.retry_num, inc.body.get("event_id"))
            return
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        channel = str(event.get("channel", ""))
        answer = await text_answer(surface, inc, str(event.get("text", "")), dm_channel=channel)
        if answer.payload is not None:
            await inc.client.chat_postMessage(channel=channel, **answer.payload)
        await follow_up(surface, inc, answer.answer, dm=channel)

    app.command(COMMAND)(in_ack_or_after(surface, after_ack(surface, ceu_command)))
    app.event("message")(after_ack(surface, direct_message))

    from bot.slack.home import register_home
    from bot.slack.imports import register_imports
    from bot.slack.preview import register_preview
    from bot.slack.void import register_void
    from bot.slack.workflow import register_workflow

    register_workflow(surface)
    register_preview(surface)
    register_imports(surface)
    register_void(surface)
    register_home(surface)


@dataclass(frozen=True)
class Answer:
    caller: Caller
    reply: Reply
    payload: dict[str, Any] | None  # the rendered message; None when the reply asks for a form instead


def _answer(ctx: Context, user_id: str, text: str, dm_channel: str, caller: Caller | None) -> Answer | None:
    """On a worker thread: the stored identity (None: never seen, ask Slack), the handler and its Block Kit."""
    caller = caller or cached(ctx, user_id)
    if caller is None:
        return None
    if caller.actor is not None and dm_channel.startswith("D"):
        remember_dm(ctx, caller, dm_channel)
    reply = handle_text(ctx.as_actor(caller.actor), caller.email, PLATFORM, text)  # the caller looked up once
    opens_form = reply.ok and reply.payload_as(FormRequest) is not None and caller.actor is not None
    if opens_form:
        return Answer(caller, reply, None)
    payload = ctx.statuses.rendered(reply, PLATFORM, message_payload) if ctx.statuses else message_payload(reply)
    return Answer(caller, reply, payload)


@dataclass(frozen=True)
class TextAnswer:
    answer: Answer
    payload: dict[str, Any] | None  # the message to send; None when a form was opened instead


async def text_answer(surface: SlackSurface, inc: Incoming, text: str, dm_channel: str = "") -> TextAnswer:
    """The message answering a text command (None when a form was opened instead), and the answer behind it."""
    ctx = surface.context()
    answer = await off_loop(_answer, ctx, inc.user_id, text, dm_channel, None)
    if answer is None:  # first time we see this Slack user
        caller = await first_sight(ctx, inc.client, inc.user_id, inc.team_id)
        answer = await off_loop(_answer, ctx, inc.user_id, text, dm_channel, caller)
        assert answer is not None  # a given caller always gets an answer
    if answer.payload is not None:
        return TextAnswer(answer, answer.payload)
    from bot.slack.workflow import open_form

    assert answer.caller.actor is not None
    form = answer.reply.expect(FormRequest).form
    if form == IMPORT_FORM:
        from bot.slack.imports import open_import

        reply = await open_import(surface, inc)
    else:
        reply = await open_form(surface, inc, answer.caller.actor, form)
    return TextAnswer(answer, None if reply is None else message_payload(reply))


async def follow_up(surface: SlackSurface, inc: Incoming, answer: Answer, dm: str = "") -> None:
    """What a command asks for after its first answer: `report` delivers its files."""
    order = order_of(answer.reply)
    if order is not None and answer.caller.actor is not None:
        from bot.slack.staff import after_report_note

        await after_report_note(surface, inc, answer.caller.actor, order, dm)
