"""Staff actions on Slack that need more than one message: `report` delivers the year-end files into the caller's
DM with files_upload_v2 (after a progress note), and `/ceu import` opens the attendance modal (bot/slack/imports.py).
"""

from __future__ import annotations

import logging

from bot.runner import off_loop
from bot.slack.blocks import message_payload
from bot.slack.surface import Incoming, SlackSurface
from handlers.context import Actor
from handlers.payloads import ReportOrder
from handlers.reply import Reply
from handlers.report_delivery import allowed, failed_reply, report_files, report_title, sent_reply

log = logging.getLogger("ceu.slack")


async def dm_channel_of(inc: Incoming) -> str:
    """The caller's DM with the bot (conversations.open is idempotent: the same channel every time)."""
    opened = await inc.client.conversations_open(users=inc.user_id)
    return str((opened.get("channel") or {}).get("id", ""))


async def deliver_report(surface: SlackSurface, inc: Incoming, actor: Actor, order: ReportOrder, dm: str) -> Reply:
    """Build the report off the event loop and upload its files into the caller's DM, in one message."""
    if not allowed(actor):  # the dispatcher refused already; a second look costs nothing
        return failed_reply(order.fy)
    ctx = surface.context()
    try:
        channel = dm or await dm_channel_of(inc)
        files = await off_loop(report_files, ctx, order.fy, actor.email)
        await inc.client.files_upload_v2(
            channel=channel,
            file_uploads=[{"file": f.data, "filename": f.name, "title": f.name} for f in files],
            initial_comment=report_title(order.fy, ctx.today),
        )
    except Exception as exc:  # a polite reply, the cause in the log
        log.warning("slack: could not deliver the FY%s report to person %s: %r", order.fy, actor.person_id, exc)
        return failed_reply(order.fy)
    return sent_reply(order.fy, [f.name for f in files], "in our DM" if not dm else "here")


async def after_report_note(surface: SlackSurface, inc: Incoming, actor: Actor, order: ReportOrder, dm: str) -> None:
    """After the progress note: deliver, then say how it went (ephemeral for /ceu; in the DM only on failure,
    since the upload itself is the answer there)."""
    done = await deliver_report(surface, inc, actor, order, dm)
    if not dm:
        await inc.respond(response_type="ephemeral", replace_original=False, **message_payload(done))
    elif not done.ok:
        await inc.client.chat_postMessage(channel=dm, **message_payload(done))
