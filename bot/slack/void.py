"""Void on Slack: the Void button under a director's `lookup` (reviewers and admins) opens a modal asking the
reason; its submission voids the record through handlers.void.void_record (the function `ceu-bot void` calls)
and the modal shows the outcome. A press by anyone else, or on a record that cannot be voided, is answered only
to the presser and opens nothing."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.runner import off_loop
from bot.slack.blocks import message_payload
from bot.slack.identity import resolve
from bot.slack.modals import form_view, read_state
from bot.slack.surface import Incoming, SlackSurface, after_ack
from bot.slack.workflow import _actor_or_refused, _show
from handlers.forms import text_value
from handlers.people import unknown_user
from handlers.reply import Outcome, Reply
from handlers.texts import stale_button, stale_form
from handlers.void import void_record
from handlers.void_chat import VOID_ACTION, VOID_FORM, parse_record, void_form, void_refusal


def register_void(surface: SlackSurface) -> None:
    async def press(inc: Incoming) -> None:
        await on_void_press(surface, inc)

    async def reason(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await on_void_reason(surface, ack, body, client)

    surface.bolt.action(re.compile(rf"^{re.escape(VOID_ACTION)}(:\d+)?$"))(after_ack(surface, press))
    surface.bolt.view(VOID_FORM)(reason)


async def on_void_press(surface: SlackSurface, inc: Incoming) -> None:
    ctx = surface.context()
    action = (inc.body.get("actions") or [{}])[0]
    record_id = parse_record(str(action.get("value", "")))
    caller = await resolve(ctx, inc.client, inc.user_id, inc.team_id)
    if caller.actor is None:
        await _tell(inc, await off_loop(unknown_user, ctx, caller.email))
        return
    if record_id is None:
        await _tell(inc, stale_button())
        return
    refusal = await off_loop(void_refusal, ctx, caller.actor, record_id)
    if refusal is not None:
        await _tell(inc, refusal)
        return
    await inc.client.views_open(trigger_id=str(inc.body.get("trigger_id")), view=form_view(void_form(record_id)))


async def on_void_reason(surface: SlackSurface, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    ctx = surface.context()
    view = body.get("view") or {}
    record_id = parse_record(str(view.get("private_metadata") or ""))
    actor = await _actor_or_refused(surface, ctx, ack, body, client)
    if actor is None:
        return
    if record_id is None:
        await _show(ack, stale_form())
        return
    values, _ = read_state(view)
    reason = text_value(values, "reason")
    if not reason:
        await ack(response_action="errors", errors={"reason": "Please give the reason; the history shows it."})
        return
    reply = await off_loop(void_record, ctx, actor, record_id, reason)
    if reply.outcome is Outcome.INVALID:
        await ack(response_action="errors", errors={"reason": reply.to_text()})
        return
    await _show(ack, reply, title="Void")


async def _tell(inc: Incoming, reply: Reply) -> None:
    """An answer only the presser sees."""
    await inc.respond(response_type="ephemeral", replace_original=False, **message_payload(reply))
