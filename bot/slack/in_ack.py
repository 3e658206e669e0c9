"""`/ceu status` from a known caller, answered in the ack itself (issue 15): Slack shows the ephemeral message the
ack's body carries, so the reply arrives with the HTTP answer instead of a later post to the response_url.

Cheapest first: on SQLite, one point read on the event loop (storage/known_caller.py: the caller and their status
versions together) and, when the replica keeps that status at those versions, the ack's body as kept bytes beside
it — no thread hop, no session, no rendering. Otherwise one worker-thread hop: the same read, then the command's
handler (a status built and kept). Bounded by ACK_BUDGET of Slack's 3 seconds. Nothing is written on this path,
so a request Slack sends again is simply answered again. Everything else — first sight of a caller, other
commands, a refused text, a slow or failing answer — is acked empty and answered after the ack by the usual
listener.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.runner import off_loop
from bot.slack.blocks import message_payload
from bot.slack.identity import PLATFORM
from bot.slack.surface import Listener, SlackSurface
from handlers.context import Context
from handlers.quick import actor_of, is_quick, kept_reply, quick_reply
from handlers.reply import Reply
from storage.known_caller import ReadFailed, known_caller

log = logging.getLogger("ceu.slack")
T = TypeVar("T")
COMMAND = "/ceu"
IN_ACK_TRIED = "ceu_in_ack_tried"  # in the bolt context: the server tried this request's in-ack answer already
ACK_BUDGET = 2.0  # seconds of Slack's 3 for an answer in the ack; slower ones are answered after it
ACK_BYTES = "slack:ack"  # the HTTP ack's encoded body, kept beside a cached reply


def in_ack_candidate(body: dict[str, Any]) -> bool:
    """Whether a verified request is a slash command this path may answer (HTTP: before bolt sees it)."""
    return body.get("command") == COMMAND and is_quick(str(body.get("text", ""))) and bool(body.get("user_id"))


def ack_payload(ctx: Context, reply: Reply) -> dict[str, Any]:
    """The ack's message: the reply's Block Kit, made once per version and shared with the after-ack path."""
    blocks = ctx.statuses.rendered(reply, PLATFORM, message_payload) if ctx.statuses else message_payload(reply)
    return {**blocks, "response_type": "ephemeral"}


def ack_bytes(ctx: Context, reply: Reply) -> bytes:
    """The HTTP ack's body, encoded once per version (kept beside the cached reply)."""

    def encoded(r: Reply) -> bytes:
        return json.dumps(ack_payload(ctx, r), ensure_ascii=False, separators=(",", ":")).encode()

    return ctx.statuses.rendered(reply, ACK_BYTES, encoded) if ctx.statuses else encoded(reply)


def kept_ack(surface: SlackSurface, user_id: str, text: str) -> bytes | None:
    """On the loop: the ack's body for a known caller's status kept at the versions read now; None otherwise
    (also when anything here fails: the worker path meets the same failure and the after-ack path answers it)."""
    reader = surface.services.loop_reader()
    if reader is None:
        return None
    try:
        caller = reader.caller(PLATFORM, user_id)
        if caller is None:
            return None
        ctx = surface.context()
        reply = kept_reply(ctx, actor_of(caller, PLATFORM), caller.versions, text)
        # a kept reply's bytes are kept beside it (rendered on the loop only when a Slack answer was never made)
        return None if reply is None else ack_bytes(ctx, reply)
    except ReadFailed:
        return None
    except Exception:
        log.exception("Slack: the kept /ceu status could not be answered in the ack; trying the worker path")
        return None


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
            payload = await within_budget(surface.context(), str(body.get("user_id") or ""), text, ack_payload)
            if payload is not None:
                await ack(payload)
                return
        await later(ack=ack, request=request, body=body, client=client, context=context)

    return listener


async def within_budget(ctx: Context, user_id: str, text: str, render: Callable[[Context, Reply], T]) -> T | None:
    """answer_in_ack and its rendering on the worker pool, if ready within ACK_BUDGET; None: answer after the ack
    (also when either failed: the after-ack path meets the same failure and answers it politely)."""
    job = asyncio.ensure_future(off_loop(answer_in_ack, ctx, user_id, text, render))
    done, _ = await asyncio.wait({job}, timeout=ACK_BUDGET)
    if not done:
        job.add_done_callback(_quiet)  # left to finish on its thread; the after-ack path answers instead
        return None
    if job.exception() is not None:  # the after-ack path meets the same failure and answers it politely
        return None
    return job.result()


def answer_in_ack(ctx: Context, user_id: str, text: str, render: Callable[[Context, Reply], T]) -> T | None:
    """On a worker thread: the rendered reply for a known, active caller allowed the command; None otherwise."""
    if not is_quick(text):
        return None
    with ctx.engine.connect() as conn:
        caller = known_caller(conn, PLATFORM, user_id)
    if caller is None:
        return None
    actor = actor_of(caller, PLATFORM)
    reply = kept_reply(ctx, actor, caller.versions, text) or quick_reply(ctx, actor, text)
    return None if reply is None else render(ctx, reply)


def _quiet(job: asyncio.Future[Any]) -> None:
    if not job.cancelled():
        job.exception()  # retrieved: no "exception was never retrieved" warning
