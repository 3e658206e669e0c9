"""A local fake of Slack's Socket Mode, on FakeSlackApi's server: `apps.connections.open` (with the app-level
token) hands out `ws://127.0.0.1:PORT/link/?ticket=...`; the websocket there greets with `hello`, sends the
envelopes a test gives it (slash_commands, interactive, events_api) and records every ack the bot sends back
(`{"envelope_id": ..., "payload": ...}`).

    fake = FakeSlackApi()
    socket = FakeSocketMode(fake)                     # before fake.start()
    await fake.start()
    ...                                               # the bot starts with SLACK_APP_TOKEN=socket.app_token
    await socket.connected()                          # a bot has opened the websocket (and got its hello)
    ack = await socket.command("status", user_id="UTD", response_url=fake.response_url("status"))
    ack = await socket.interactive(block_action(...))  # or view_submission(...) from tests.slack_signing
    socket.acks                                       # every ack, in order
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from tests.fakes.slack_api import FakeSlackApi
from tests.slack_signing import command_body

APP_TOKEN = "xapp-1-ATEST-1-test-app-token"


class FakeSocketMode:
    def __init__(self, fake: FakeSlackApi, *, app_token: str = APP_TOKEN) -> None:
        self.fake = fake
        self.app_token = app_token
        self.tickets: set[str] = set()
        self.sockets: list[web.WebSocketResponse] = []
        self.sent: list[dict[str, Any]] = []  # every envelope sent to the bot
        self.acks: list[dict[str, Any]] = []  # every message the bot sent back
        self._ids = itertools.count(1)
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        fake.extra_routes.append(self._mount)
        fake.socket_mode = self

    # --- wiring into FakeSlackApi ------------------------------------------------------------------------

    def _mount(self, app: web.Application) -> None:
        app.router.add_get("/link/", self._link)

    def open_connection(self, authorization: str) -> dict[str, Any]:
        """The answer to apps.connections.open: a fresh ws:// URL, for the app-level token only."""
        if authorization != f"Bearer {self.app_token}":
            return {"ok": False, "error": "invalid_auth"}
        ticket = f"ticket-{next(self._ids)}"
        self.tickets.add(ticket)
        return {"ok": True, "url": f"ws://127.0.0.1:{self.fake.port}/link/?ticket={ticket}&app_id=ATEST"}

    async def _link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.tickets:
            return web.Response(status=401, text="unknown ticket")
        self.tickets.discard(ticket)  # each URL opens one connection
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len([s for s in self.sockets if not s.closed]),
                "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "ATEST"},
            }
        )
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self._received(json.loads(msg.data))
        return ws

    def _received(self, message: dict[str, Any]) -> None:
        self.acks.append(message)
        future = self._waiting.pop(str(message.get("envelope_id", "")), None)
        if future is not None and not future.done():
            future.set_result(message)

    # --- driving the bot ---------------------------------------------------------------------------------

    async def connected(self, count: int = 1, timeout: float = 60.0) -> None:
        """Wait until `count` websocket connections are open (a starting bot connects a little later)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len([s for s in self.sockets if not s.closed]) < count:
            if loop.time() > deadline:
                raise AssertionError(f"{len(self.sockets)} Socket Mode connection(s), expected {count}")
            await asyncio.sleep(0.05)

    async def send(self, kind: str, payload: dict[str, Any], *, timeout: float = 30.0) -> dict[str, Any]:
        """Send one envelope on the newest open connection and return the bot's ack for it."""
        live = [s for s in self.sockets if not s.closed]
        assert live, "no Socket Mode connection is open"
        envelope_id = f"env-{next(self._ids):04d}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope |= {"retry_attempt": 0, "retry_reason": ""}
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[envelope_id] = future
        self.sent.append(envelope)
        await live[-1].send_json(envelope)
        return await asyncio.wait_for(future, timeout)

    async def command(self, text: str, *, user_id: str, response_url: str, **kw: Any) -> dict[str, Any]:
        """A slash command (the same fields as over HTTP, as JSON) and its ack."""
        payload = dict(parse_qsl(command_body(text, user_id=user_id, response_url=response_url, **kw)))
        return await self.send("slash_commands", payload)

    async def interactive(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A block_actions or view_submission payload and its ack."""
        return await self.send("interactive", payload)

    async def close(self) -> None:
        for ws in self.sockets:
            await ws.close()
