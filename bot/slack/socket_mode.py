"""Slack over Socket Mode (SLACK_APP_TOKEN): no public URL; the bot opens a websocket to Slack and acks each
envelope on it.

slack_bolt's AsyncSocketModeHandler / slack_sdk's aiohttp SocketModeClient do the websocket; what this module adds:

- the handler is made inside the running event loop (at startup): the client opens its HTTP session and starts
  its message task when it is created, which outside a loop fails ("no running event loop");
- `apps.connections.open` goes through our Web API client, so it honours SLACK_API_URL (GovSlack, local fakes);
  the first call is made here: a token Slack refuses (invalid_auth, not_allowed_token_type...) is one clear log
  line and Socket Mode stays off, instead of slack_sdk's endless retries with a traceback each; any other failure
  is retried with a growing pause;
- connecting runs in the background, so /healthz and /readyz answer while Slack is unreachable;
- each envelope's payload is checked like an HTTP request's body (bot/slack/shape.py); a malformed one is acked
  (Slack would only send it again) and dropped; the work a listener leaves for later starts once the ack is sent
  (surface.holding), as over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.slack import shape
from bot.slack.surface import SlackSurface

log = logging.getLogger("ceu.slack.socket")
FATAL = {"invalid_auth", "not_authed", "not_allowed_token_type", "account_inactive", "token_revoked", "missing_scope"}
RETRY_PAUSES = (1, 2, 5, 10, 30, 60)  # seconds between attempts to reach apps.connections.open
MAX_ATTEMPTS = 10_000  # about a week of the longest pause


class SocketHandler(AsyncSocketModeHandler):
    """bolt's handler, with our shape check and the ack sent before the listeners' later work starts."""

    def __init__(self, surface: SlackSurface, app_token: str) -> None:
        super().__init__(surface.bolt, app_token, web_client=surface.client, logger=log)
        self.surface = surface

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.time()
        found = shape.problem(req.payload) if isinstance(req.payload, dict) else "payload is not an object"
        if found is not None:
            log.warning("slack socket mode: dropped a %s envelope: payload malformed: %s", req.type, found)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        with self.surface.holding():
            request = AsyncBoltRequest(mode="socket_mode", body=req.payload, headers=build_headers(req))
            response = await self.app.async_dispatch(request)
            await send_async_response(client, req, response, started)


async def first_url(surface: SlackSurface, app_token: str) -> str | None:
    """A websocket URL from apps.connections.open, retried while Slack is unreachable; None for a refused token."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            answer = await surface.client.apps_connections_open(app_token=app_token)
            return str(answer["url"])
        except SlackApiError as exc:
            error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            if error in FATAL:
                log.error("Slack Socket Mode is off: apps.connections.open refused SLACK_APP_TOKEN (%s)", error)
                return None
            problem = error
        except Exception as exc:  # network trouble: say so in one line and try again
            problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        pause = RETRY_PAUSES[min(attempt, len(RETRY_PAUSES) - 1)]
        log.warning("slack socket mode: apps.connections.open failed (%s); trying again in %s s", problem, pause)
        await asyncio.sleep(pause)
    log.error("Slack Socket Mode is off: apps.connections.open failed %s times", MAX_ATTEMPTS)
    return None


class SocketMode:
    """Connects at the server's startup (in the background) and closes at its cleanup."""

    def __init__(self, surface: SlackSurface, app_token: str) -> None:
        self.surface = surface
        self.app_token = app_token
        self.handler: SocketHandler | None = None
        self.task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        url = await first_url(self.surface, self.app_token)
        if url is None:
            return
        self.handler = SocketHandler(self.surface, self.app_token)  # inside the running loop
        self.handler.client.wss_uri = url  # the first connection uses the URL just issued; reconnects ask anew
        await self.handler.connect_async()
        log.info("Slack Socket Mode: connected")

    async def start(self, _: web.Application) -> None:
        self.task = asyncio.get_running_loop().create_task(self.connect())

    async def stop(self, _: web.Application) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self.handler is not None:
            await self.handler.close_async()


def mount_socket_mode(app: web.Application, surface: SlackSurface, app_token: str) -> SocketMode:
    socket = SocketMode(surface, app_token)
    app.on_startup.append(socket.start)
    app.on_cleanup.append(socket.stop)
    return socket
