"""Attendance imports on Slack: `/ceu import` opens a modal with a file_input; its submission is acked at once (the
modal says the preview comes in the DM), then the file is fetched (files.info + url_private_download, bot token,
size limit), checked by handlers.chat_import and the preview posted into the caller's DM with Confirm / Cancel.
A press answers by replacing that message (so the buttons go) with what happened; a press that changed nothing
(imported or cancelled already, expired) says so the same way, and a refusal only to the presser."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.blocks import InputBlock, PlainTextObject, SectionBlock
from slack_sdk.models.blocks.block_elements import FileInputElement
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.runner import off_loop
from bot.slack.blocks import message_payload, message_view
from bot.slack.files import fetch_file
from bot.slack.identity import PLATFORM, resolve
from bot.slack.modals import read_state
from bot.slack.surface import Incoming, SlackSurface, after_ack
from handlers.chat_import import IMPORT_CANCEL, IMPORT_CONFIRM, MAX_BYTES, PREVIEW_TTL, may_import, press, preview_file
from handlers.forms import refusal
from handlers.people import unknown_user
from handlers.reply import Outcome, Reply, Section
from handlers.texts import file_not_taken
from storage.evidence import EvidenceError

log = logging.getLogger("ceu.slack")
VIEW = "import_attendance"
FILE_BLOCK = "attendance_file"
FETCH_TIMEOUT = 30.0


def import_view() -> dict[str, Any]:
    hours = int(PREVIEW_TTL.total_seconds() // 3600)
    return View(
        type="modal",
        callback_id=VIEW,
        title=PlainTextObject(text="Import attendance"),
        submit=PlainTextObject(text="Check the file"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(
                text=PlainTextObject(
                    text="ALET's attendance CSV: email, activity_code, date, hours (optional strands, unit). Every "
                    f"row is checked first; the preview comes in our DM with Confirm and Cancel (it expires after "
                    f"{hours} hour{'s' if hours != 1 else ''}). Nothing is written before Confirm."
                )
            ),
            InputBlock(
                block_id=FILE_BLOCK,
                label=PlainTextObject(text="Attendance CSV"),
                element=FileInputElement(action_id=FILE_BLOCK, filetypes=["csv"], max_files=1),
            ),
        ],
    ).to_dict()


async def open_import(surface: SlackSurface, inc: Incoming) -> Reply | None:
    """Open the modal from the slash command (a Reply instead where Slack gives no trigger, e.g. a DM)."""
    trigger_id = inc.body.get("trigger_id")
    if not trigger_id:
        return Reply(
            title="Use /ceu import to send the file",
            sections=[Section(text="Slack opens the upload form from the slash command: type `/ceu import`.")],
        )
    await inc.client.views_open(trigger_id=str(trigger_id), view=import_view())
    return None


def register_imports(surface: SlackSurface) -> None:
    app = surface.bolt

    async def submitted(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        _, files = read_state(body.get("view") or {})
        if not files:
            await ack(response_action="errors", errors={FILE_BLOCK: "Please attach the attendance CSV."})
            return
        checking = Reply(title="Checking the file…", sections=[Section(text="The preview comes in our DM.")])
        await ack(response_action="update", view=message_view(checking, title="Import attendance"))
        surface.later(check_upload(surface, client, body, files[0]), body, None)

    async def confirm(inc: Incoming) -> None:
        await on_press(surface, inc, IMPORT_CONFIRM)

    async def cancel(inc: Incoming) -> None:
        await on_press(surface, inc, IMPORT_CANCEL)

    app.view(VIEW)(submitted)
    app.action(IMPORT_CONFIRM)(after_ack(surface, confirm))
    app.action(IMPORT_CANCEL)(after_ack(surface, cancel))


async def check_upload(surface: SlackSurface, client: AsyncWebClient, body: dict[str, Any], file_id: str) -> None:
    """After the ack: who, the file, the check; the preview (or the problems) into the caller's DM."""
    ctx = surface.context()
    user = body.get("user") or {}
    user_id = str(user.get("id", ""))
    caller = await resolve(ctx, client, user_id, str(user.get("team_id") or "") or None)
    if caller.actor is None:
        reply = await off_loop(unknown_user, ctx, caller.email)
    elif not may_import(caller.actor):
        reply = await off_loop(refusal, ctx, "`import` is for ALET admins and reviewers", "import")
    else:
        try:
            name, data = await fetch_file(
                client, file_id, max_bytes=MAX_BYTES, timeout=FETCH_TIMEOUT, what="attendance files"
            )
            reply = await off_loop(preview_file, ctx, caller.actor, data, name, PLATFORM)
        except EvidenceError as exc:
            reply = file_not_taken(str(exc))
    opened = await client.conversations_open(users=user_id)
    channel = str((opened.get("channel") or {}).get("id", ""))
    await client.chat_postMessage(channel=channel, **message_payload(reply))


async def on_press(surface: SlackSurface, inc: Incoming, action: str) -> None:
    ctx = surface.context()
    value = str(((inc.body.get("actions") or [{}])[0]).get("value", ""))
    caller = await resolve(ctx, inc.client, inc.user_id, inc.team_id)
    if caller.actor is None:
        reply = await off_loop(unknown_user, ctx, caller.email)
    else:
        reply = await off_loop(press, ctx, caller.actor, action, value)
    if reply.outcome in (Outcome.REFUSED, Outcome.UNKNOWN_USER):
        await inc.respond(response_type="ephemeral", replace_original=False, **message_payload(reply))
        return
    await inc.respond(replace_original=True, **message_payload(reply))
