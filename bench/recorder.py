"""The far side of the time-to-reply benches, on 127.0.0.1 in the load generator's process: where a reply
"reaches Slack" (a post to a slash command's response_url) or "reaches Teams" (an activity posted to the Bot
Connector), resolving the waiting request's future the moment it arrives. Deliberately lean (no validation, no
bookkeeping beyond counts) so it costs the bot and its floors the same little.

Also answers what a first sight needs: Slack's users.info (any other Web API method: {"ok": true}) and the Bot
Connector's member look-up.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web


class Recorder:
    def __init__(self) -> None:
        self.slack_users: dict[str, str] = {}  # Slack user id -> profile e-mail
        self.teams_members: dict[str, dict[str, Any]] = {}  # Teams user id or aadObjectId -> member
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}  # response_url key / conversation id
        self.arrived = 0  # replies nobody waited for (late after being counted lost, or a floor's extra)
        self.api_calls: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> Recorder:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/v3/conversations/{cid}/activities", self._activity)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._activity)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base}/respond/{key}"

    def expect(self, key: str) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[key] = future
        return future

    def forget(self, key: str) -> None:
        self.waiting.pop(key, None)

    def _arrive(self, body: dict[str, Any], key: str, *others: str) -> None:
        body["_arrived"] = time.perf_counter()  # the moment it reached us, whenever its waiter runs
        key = next((k for k in (key, *others) if k in self.waiting), key)
        future = self.waiting.pop(key, None)
        if future is not None and not future.done():
            future.set_result(body)
        else:
            self.arrived += 1

    async def _respond(self, request: web.Request) -> web.Response:
        self._arrive(json.loads(await request.read()), request.match_info["key"])
        return web.Response(text="ok")

    async def _activity(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())  # a reply is keyed by the activity it answers, else its conversation
        self._arrive(body, request.match_info.get("aid", ""), request.match_info["cid"])
        return web.json_response({"id": "msg-1"}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        member = self.teams_members.get(request.match_info["mid"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(member)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.api_calls[method] = self.api_calls.get(method, 0) + 1
        if method != "users.info":
            return web.json_response({"ok": True})
        params = dict(request.query)
        if request.can_read_body:
            params.update({k: str(v) for k, v in (await request.post()).items()})
        user = params.get("user", "")
        email = self.slack_users.get(user)
        if email is None:
            return web.json_response({"ok": False, "error": "user_not_found"})
        profile = {"email": email, "real_name": user, "display_name": user}
        return web.json_response({"ok": True, "user": {"id": user, "team_id": "T0TEST", "profile": profile}})
