"""Staff actions on Teams that go beyond one card: `report` delivers the year-end files into the personal chat, and
an attendance CSV a reviewer or admin sends there is checked and previewed (handlers.chat_import; its Confirm /
Cancel buttons are Action.Execute verbs handled by the bot's card actions).

Without CEU_PUBLIC_URL the files go through Teams' file-consent flow (the manifest has supportsFiles): one
FileConsentCard per file; the user's Allow arrives as a `fileConsent/invoke` whose uploadInfo names a OneDrive
upload URL; the bot builds the report again (any replica can answer), PUTs that file's bytes there (https only;
plain http only to a loopback host when the Bot Connector is local: the tests and the Emulator) and sends a
FileInfoCard for it. With CEU_PUBLIC_URL the reply instead holds signed, expiring download links
(bot/report_link.py). The files are only ever sent into the caller's personal chat, and only to SDE staff and
admins (checked again on every Allow)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import aiohttp
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.report_link import report_links
from bot.runner import off_loop
from bot.settings import Settings
from bot.teams import cards
from bot.teams.conversations import is_personal
from bot.teams.files import FileOffer, allowed_url, download
from bot.teams.identity import resolve_caller
from bot.teams.render import render
from handlers.chat_import import MAX_BYTES, preview_file
from handlers.context import Actor, Context
from handlers.payloads import ReportOrder
from handlers.reply import Outcome, Reply, Section
from handlers.report_delivery import (
    ReportFile,
    allowed,
    failed_reply,
    file_named,
    order_of,
    report_files,
    report_title,
)
from handlers.texts import file_not_taken
from storage.evidence import EvidenceError, fmt_size

log = logging.getLogger("ceu.teams")
FILE_CONSENT = "fileConsent/invoke"
CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_CARD = "application/vnd.microsoft.teams.card.file.info"
UPLOAD_TIMEOUT = 60.0


def consent_activity(order: ReportOrder, f: ReportFile, today: date) -> Activity:
    context = {"fy": order.fy, "file": f.name}
    card = {
        "description": report_title(order.fy, today),
        "sizeInBytes": len(f.data),
        "acceptContext": context,
        "declineContext": context,
    }
    note = f"{f.name} ({fmt_size(len(f.data))}): press Allow to receive it in your OneDrive and here."
    return Activity(
        type=ActivityTypes.message,
        text=note,
        summary=note,
        attachments=[Attachment(content_type=CONSENT_CARD, name=f.name, content=card)],
    )


def links_activity(order: ReportOrder, links: list[tuple[str, str]], hours: int) -> Activity:
    title = f"The FY{order.fy} report is ready"
    text = f"Download links, valid for {hours} hours (the report is built when you open a link):"
    body = [cards.text_block(title, size="Medium", weight="Bolder"), cards.text_block(text)]
    actions = [{"type": "Action.OpenUrl", "title": name, "url": url} for name, url in links]
    fallback = "\n".join([title, text, *(f"{name}: {url}" for name, url in links)])
    return cards.card_activity(cards.adaptive_card(body, actions, fallback), title)


class TeamsStaff:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def after_reply(self, turn_context: TurnContext, ctx: Context, actor: Actor, reply: Reply) -> None:
        """After the progress note of `report`: the consent cards, or the download links."""
        order = order_of(reply)
        if order is None or not allowed(actor):
            return
        try:
            files = await off_loop(report_files, ctx, order.fy, actor.email)
            links = await off_loop(report_links, self.settings, ctx.engine)
            if links is not None:
                urls = [(f.name, links.url(order.fy, f.name, ctx.now)) for f in files]
                await turn_context.send_activity(links_activity(order, urls, links.hours))
                return
            for f in files:
                await turn_context.send_activity(consent_activity(order, f, ctx.today))
        except Exception as exc:  # a polite reply, the cause in the log
            log.warning("teams: could not offer the FY%s report to person %s: %r", order.fy, actor.person_id, exc)
            await turn_context.send_activity(render(failed_reply(order.fy)))

    async def on_import_file(self, ctx: Context, actor: Actor, activity: Activity, offer: FileOffer) -> Reply:
        """An attendance CSV sent in the personal chat: downloaded at once, checked, previewed (nothing imported)."""
        if not is_personal(activity):
            return Reply(
                title="Please send attendance files in our personal chat",
                sections=[Section(text="Files sent in a channel are not kept. Nothing was recorded.")],
                outcome=Outcome.INVALID,
            )
        try:
            data = await download(offer.url, offer.name, MAX_BYTES, allow_loopback_http=_local(activity))
        except EvidenceError as exc:
            return file_not_taken(str(exc))
        return await off_loop(preview_file, ctx, actor, data, offer.name, "teams")

    async def on_file_consent(self, turn_context: TurnContext, ctx: Context) -> InvokeResponse:
        """Allow / Decline on a FileConsentCard: upload the file (or say it was not sent); always 200."""
        activity = turn_context.activity
        value: dict[str, Any] = activity.value if isinstance(activity.value, dict) else {}
        context = value.get("context") if isinstance(value.get("context"), dict) else {}
        assert isinstance(context, dict)
        name, fy = str(context.get("file", "")), context.get("fy")
        caller = await resolve_caller(turn_context, ctx)
        if caller.actor is None or not allowed(caller.actor) or not is_personal(activity) or not isinstance(fy, int):
            await turn_context.send_activity(render(_not_for_you()))
            return InvokeResponse(status=200)
        if value.get("action") != "accept":
            await turn_context.send_activity(render(Reply(title=f"Not sent: {name}", summary=f"Not sent: {name}")))
            return InvokeResponse(status=200)
        info = value.get("uploadInfo") if isinstance(value.get("uploadInfo"), dict) else {}
        assert isinstance(info, dict)
        try:
            files = await off_loop(report_files, ctx, fy, caller.actor.email)
            f = file_named(files, name)
            if f is None:
                raise ValueError(f"the report has no file {name}")
            await self._upload(str(info.get("uploadUrl", "")), f, _local(activity))
        except Exception as exc:
            log.warning("teams: could not upload %s for person %s: %r", name, caller.actor.person_id, exc)
            await turn_context.send_activity(render(failed_reply(fy)))
            return InvokeResponse(status=200)
        await turn_context.send_activity(_file_info(info, name))
        return InvokeResponse(status=200)

    @staticmethod
    async def _upload(url: str, f: ReportFile, local: bool) -> None:
        if not allowed_url(url, allow_loopback_http=local):
            raise ValueError("the upload address is not a secure (https) address")
        n = len(f.data)
        headers = {"Content-Length": str(n), "Content-Range": f"bytes 0-{n - 1}/{n}"}
        timeout = aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.put(url, data=f.data, headers=headers, allow_redirects=False) as response,
        ):
            if response.status not in (200, 201):
                raise ValueError(f"the upload answered HTTP {response.status}")


def _file_info(info: dict[str, Any], name: str) -> Activity:
    shown = str(info.get("name") or name)
    return Activity(
        type=ActivityTypes.message,
        text=f"Here is {shown}.",
        summary=f"Here is {shown}.",
        attachments=[
            Attachment(
                content_type=FILE_INFO_CARD,
                content_url=str(info.get("contentUrl", "")),
                name=shown,
                content={"uniqueId": str(info.get("uniqueId", "")), "fileType": str(info.get("fileType", ""))},
            )
        ],
    )


def _not_for_you() -> Reply:
    return Reply(
        title="That file is not for this chat",
        sections=[Section(text="The year-end report goes only to SDE staff and ALET admins, in their personal chat.")],
        outcome=Outcome.REFUSED,
    )


def _local(activity: Activity) -> bool:
    from bot.teams.auth import is_loopback

    return bool(activity.service_url) and is_loopback(activity.service_url or "")
