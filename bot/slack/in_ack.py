"""`/ceu status` from a known caller, answered in the ack itself (issue 15): Slack shows the ephemeral message the
ack's body carries, so the reply arrives with the HTTP answer instead of a later post to the response_url.

One worker-thread hop: the caller from the stored identity (one query, no Slack call), the command's handler (a
status comes from the replica's cache while its versions stand) and its Block Kit (kept beside the cached reply).
Bounded by ACK_BUDGET of Slack's 3 seconds. Nothing is written on this path, so a request Slack sends again is
simply answered again. Everything else — first sight of a caller, other commands, a refused text, a slow or
failing answer — is acked empty and answered after the ack by the usual listener.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.runner import off_loop
from bot.slack.blocks import message_payload
from bot.slack.identity import PLATFORM
from bot.slack.surface import Listener, SlackSurface
from handlers.context import Actor, Context
from handlers.quick import is_quick, quick_reply
from storage.people import active_caller

COMMAND = "/ceu"
IN_ACK_TRIED = "ceu_in_ack_tried"  # in the bolt context: the server tried this request's in-ack answer already
ACK_BUDGET = 2.0  # seconds of Slack's 3 for an answer in the ack; slower ones are answered after it


def in_ack_candidate(body: dict[str, Any]) -> bool:
    """Whether a verified request is a slash command this path may answer (HTTP: before bolt sees it)."""
    return body.get("command") == COMMAND and is_quick(str(body.get("text", ""))) and bool(body.get("user_id"))


def in_ack_or_after(surface: SlackSurface, later: Listener) -> Listener:
    """The /ceu listener: the answer in the ack when answer_in_ack gives one in time, else `later`. (Over HTTP the
    server tried already before dispatching to bolt, IN_ACK_TRIED; Socket Mode comes here first.)"""

    async def listener(
        ack: Callable[..., Awaitable[Any]],
        request: AsyncBoltRequest,
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        text = str(body.get("text", ""))
        if is_quick(text) and not context.get(IN_ACK_TRIED):
            payload = await within_budget(surface.context(), str(body.get("user_id") or ""), text)
            if payload is not None:
                await ack({**payload, "response_type": "ephemeral"})
                return
        await later(ack=ack, request=request, body=body, client=client, context=context)

    return listener


async def within_budget(ctx: Context, user_id: str, text: str) -> dict[str, Any] | None:
    """answer_in_ack on the worker pool, if it is ready within ACK_BUDGET; None: answer after the ack."""
    job = asyncio.ensure_future(off_loop(answer_in_ack, ctx, user_id, text))
    done, _ = await asyncio.wait({job}, timeout=ACK_BUDGET)
    if not done:
        job.add_done_callback(_quiet)  # left to finish on its thread; the after-ack path answers instead
        return None
    if job.exception() is not None:  # the after-ack path meets the same failure and answers it politely
        return None
    return job.result()


def answer_in_ack(ctx: Context, user_id: str, text: str) -> dict[str, Any] | None:
    """On a worker thread: the message for a known, active caller allowed the command; None otherwise."""
    if not is_quick(text):
        return None
    with ctx.session() as session:
        found = active_caller(session, PLATFORM, user_id)
    reply = quick_reply(ctx, Actor(*found, platform=PLATFORM), text) if found is not None else None
    if reply is None:
        return None
    return ctx.statuses.rendered(reply, PLATFORM, message_payload) if ctx.statuses else message_payload(reply)


def _quiet(job: asyncio.Future[Any]) -> None:
    if not job.cancelled():
        job.exception()  # retrieved: no "exception was never retrieved" warning
