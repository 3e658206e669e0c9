"""Mounting Slack on the one aiohttp server: a slack-bolt AsyncApp at POST /slack/events (HTTP mode, requests
verified with SLACK_SIGNING_SECRET), or Socket Mode when SLACK_APP_TOKEN is set, or off with one log line.

In HTTP mode every request passes bot/slack/verify.py (size, signature, then parsing) and bot/slack/shape.py
before bolt sees it; a refused one gets its 4xx and nothing else happens. bolt is handed the verified body
re-encoded as JSON, marked verified in its context (the error handler answers nothing else), and does not verify
again (its verifier raised on a non-integer timestamp) nor parse the form itself (its parser read any body with
"payload" in it, a slash command's text included, as an empty interaction).

A known caller's `/ceu status` is answered before bolt sees it (bot/slack/in_ack.py): the ack's body is the
message. The rest, and that one when no answer is ready in time, goes to bolt.

The bolt app runs with process_before_response=True: each listener answers Slack at once and slow work runs
afterwards as a task of ours (bot/slack/surface.after_ack), so the HTTP answer never waits on that work.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.access_log import note
from bot.slack import shape
from bot.slack.client import make_client
from bot.slack.errors import VERIFIED
from bot.slack.in_ack import IN_ACK_TRIED, ack_bytes, in_ack_candidate, kept_ack, within_budget
from bot.slack.listeners import register
from bot.slack.notifier import SlackNotifier
from bot.slack.socket_mode import mount_socket_mode
from bot.slack.surface import SlackSurface
from bot.slack.verify import MAX_BODY, Refused, check_signature, check_size, parse_body

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger("ceu.slack")
EVENTS_PATH = "/slack/events"
SLACK_KEY = web.AppKey("slack", SlackSurface)


def build_surface(services: Services, *, socket_mode: bool = False) -> SlackSurface:
    settings = services.settings
    client = make_client(settings)
    bolt = AsyncApp(
        name="ceu-bot",
        client=client,
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,
        request_verification_enabled=False,  # HTTP: bot/slack/verify.py in front; Socket Mode: the connection
        raise_error_for_unhandled_request=True,  # to our error handler: one line, not bolt's dump of the body
        logger=logging.getLogger("ceu.slack.bolt"),
    )
    surface = SlackSurface(services, bolt, client, SlackNotifier(client, services.engine, services.evidence))
    register(surface)
    return surface


def slack_off_reason(services: Services) -> str | None:
    s = services.settings
    if not s.slack_bot_token:
        return "SLACK_BOT_TOKEN is not set"
    if not s.slack_app_token and not s.slack_signing_secret:
        return "neither SLACK_SIGNING_SECRET (HTTP mode) nor SLACK_APP_TOKEN (Socket Mode) is set"
    return None


def mount_slack(app: web.Application, services: Services) -> SlackSurface | None:
    """Add Slack to `app` (and return it), or log why it is off and return None."""
    reason = slack_off_reason(services)
    if reason is not None:
        log.warning("Slack is off: %s", reason)
        return None
    settings = services.settings
    socket_mode = bool(settings.slack_app_token)
    surface = build_surface(services, socket_mode=socket_mode)
    app[SLACK_KEY] = surface
    app.on_startup.append(lambda _: surface.start())
    app.on_cleanup.append(lambda _: surface.stop())
    if socket_mode:
        mount_socket_mode(app, surface, settings.slack_app_token)
        log.info("Slack is on: Socket Mode (Web API at %s)", surface.client.base_url)
        return surface

    secret = settings.slack_signing_secret

    async def slack_events(request: web.Request) -> web.StreamResponse:
        """Verify, dispatch to bolt, send the ack in full, and only then start the work the listeners left for
        later (so that work never competes with the ack for the CPU)."""
        try:
            body = await verified_body(request, secret)
        except Refused as refused:  # its one log line is the access line, with the reason as outcome
            note(request, f"refused: {refused.reason}")
            return web.json_response({"error": ANSWERS.get(refused.status, "bad request")}, status=refused.status)
        user = caller_id(body)
        note(request, "ok", who=f"slack:{user}" if user else "")
        tried = in_ack_candidate(body)
        if tried:  # a known caller's /ceu status: the answer is the ack's body, bolt is not needed
            text = str(body.get("text", ""))
            kept = kept_ack(surface, user, text) or await within_budget(surface.context(), user, text, ack_bytes)
            if kept is not None:
                return web.Response(body=kept, content_type="application/json")
        with surface.holding():
            bolt_request = AsyncBoltRequest(
                body=json.dumps(body),
                query=request.query_string,
                headers={**_headers(request), "content-type": "application/json"},
                context={VERIFIED: True, IN_ACK_TRIED: tried},
            )
            bolt_response = await surface.bolt.async_dispatch(bolt_request)
            response = await to_aiohttp_response(bolt_response)
            await response.prepare(request)
            await response.write_eof()
        return response

    app.router.add_post(EVENTS_PATH, slack_events)
    log.info("Slack is on: HTTP at %s (Web API at %s)", EVENTS_PATH, surface.client.base_url)
    return surface


ANSWERS = {401: "invalid request", 413: "body too large", 400: "bad request"}


async def verified_body(request: web.Request, secret: str) -> dict[str, Any]:
    """The request's body, parsed, once it is known to come from Slack and to have the shape Slack sends."""
    check_size(request.content_length)
    raw = await read_at_most(request, MAX_BODY)
    check_signature(secret, request.headers, raw, time.time())
    body = parse_body(raw, request.content_type)
    found = shape.problem(body)
    if found is not None:
        raise Refused(400, f"payload malformed: {found}")
    return body


async def read_at_most(request: web.Request, limit: int) -> bytes:
    """The raw body, refused (413) as soon as it passes `limit` bytes (a chunked body has no Content-Length)."""
    if request.content_length is not None and request.content_length <= limit:
        return await request.read()  # no more than it declared: aiohttp stops at Content-Length
    data = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > limit:
            raise Refused(413, "body too large")
    return bytes(data)


def caller_id(body: dict[str, Any]) -> str:
    """The Slack user id of a verified request (for the access log: an id, never a name)."""
    user, event = body.get("user"), body.get("event")
    found = body.get("user_id") or (user.get("id") if isinstance(user, dict) else None)
    found = found or (event.get("user") if isinstance(event, dict) else None)
    return str(found)[:40] if found else ""


def _headers(request: web.Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items() if k.lower() != "content-type"}
