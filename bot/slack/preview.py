"""The what-if preview inside Slack's submit modal: picking the event (or changing the hours or strands) sends a
block action (the fields' `dispatch_action`); the modal is updated in place (views.update with its hash) with
handlers.whatif.form_preview's line for the answers so far. Nothing is written; the answers stay where they are
(the blocks keep their ids)."""

from __future__ import annotations

import logging

from bot.runner import off_loop
from bot.slack.identity import resolve
from bot.slack.modals import form_view, read_state
from bot.slack.surface import Incoming, SlackSurface, after_ack
from handlers.forms import PREVIEW_FIELDS, submit_form
from handlers.whatif import form_preview

log = logging.getLogger("ceu.slack")


def register_preview(surface: SlackSurface) -> None:
    async def changed(inc: Incoming) -> None:
        await on_changed(surface, inc)

    for field_id in PREVIEW_FIELDS:
        surface.bolt.action({"action_id": field_id, "type": "block_actions"})(after_ack(surface, changed))


async def on_changed(surface: SlackSurface, inc: Incoming) -> None:
    view = inc.body.get("view") or {}
    if view.get("callback_id") != "submit" or not view.get("id"):
        return  # only the submit modal previews
    ctx = surface.context()
    caller = await resolve(ctx, inc.client, inc.user_id, inc.team_id)
    if caller.actor is None:
        return  # the submit itself says whom to contact
    values, _ = read_state(view)
    text = await off_loop(form_preview, ctx, caller.actor, values)
    form = await off_loop(submit_form, ctx, caller.actor)
    updated = form_view(form, str(view.get("private_metadata") or ""), preview=text)
    try:
        await inc.client.views_update(view_id=str(view["id"]), hash=view.get("hash"), view=updated)
    except Exception as exc:  # a stale hash (the user typed on) or a closed modal: no preview
        log.info("slack: the submit preview was not updated: %s", exc)
