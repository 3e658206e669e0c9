"""A local aiohttp fake of the Slack Web API: answers like Slack, records every call, serves private files.

    fake = FakeSlackApi()
    await fake.start()                     # a free port on 127.0.0.1
    settings.slack_api_url = fake.api_url  # "http://127.0.0.1:PORT/api/" (the form slack_sdk's base_url takes)
    fake.add_user("U1", "td@a.k12.al.us")  # users.info / users.lookupByEmail profiles
    fake.add_file("F1", b"%PDF-1.7 ...", name="cert.pdf", mimetype="application/pdf")
    fake.add_channel("CREVIEW", "td-ceu-reviews", member=True)  # conversations.info (is_member)
    fake.messages                          # (channel, ts) posted; chat.getPermalink answers for those only
    fake.queue("chat.postMessage", status=429, headers={"Retry-After": "0"})  # one-shot response injection
    fake.slow("files.info", 3.0)           # the next call answers as usual, 3 s late
    ...
    fake.calls                             # [(method, params)], in order; params merge query, form and JSON body
    fake.calls_to("chat.update")           # the params of each call to one method
    await fake.wait_for("chat.postMessage", 2)  # work done after Slack's ack arrives a little later
    await fake.close()

Besides `/api/<method>` it serves `/files/<id>/<name>` (needs `Authorization: Bearer <bot token>`; a file added
with `redirect_to=` answers 302 to that URL), `/upload/<id>` (the upload URL files.getUploadURLExternal hands out,
as files_upload_v2 uses it: getUploadURLExternal -> POST the bytes -> files.completeUploadExternal; each completed
upload is recorded in `uploads` with its bytes, channel and thread_ts) and `/respond/<key>` (a slash command's
`response_url`; those posts are recorded as method "response_url" with the key in params["_key"]; `expect(key)`
gives a future for one). `apps.connections.open` answers when a tests.fakes.socket_mode.FakeSocketMode is attached
(it adds its websocket route through `extra_routes`).

Every `blocks` / `view` payload (Web API calls and response_url posts) is parsed back through `slack_sdk.models`
and held to Slack's published limits (tests/fakes/slack_limits.py); one Slack would refuse is answered as Slack
does (`invalid_blocks` / `invalid_arguments`) and kept in `payload_errors`, which fails the test that sent it
(tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.fakes.slack_limits import payload_problems

if TYPE_CHECKING:
    from tests.fakes.socket_mode import FakeSocketMode

Params = dict[str, Any]


@dataclass
class Canned:
    """One injected answer for the next call of a method."""

    status: int = 200
    body: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    passthrough: bool = False  # after the delay, answer as usual (a slow Slack)


@dataclass
class FakeFile:
    file_id: str
    data: bytes
    name: str
    mimetype: str
    redirect_to: str | None = None


class FakeSlackApi:
    live: weakref.WeakSet[FakeSlackApi] = weakref.WeakSet()  # every fake of the test run (tests/conftest.py)

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        team_id: str = "T0TEST",
        bot_user_id: str = "UBOT",
        team_domain: str = "test",
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.team_domain = team_domain
        self.messages: set[tuple[str, str]] = set()  # (channel, ts) of every message chat.postMessage accepted
        self.bot_user_id = bot_user_id
        self.calls: list[tuple[str, Params]] = []
        self.auth_headers: list[str] = []  # the Authorization header of each call, same order as calls
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}  # conversations.info answers
        self.files: dict[str, FakeFile] = {}
        self.file_downloads: list[tuple[str, str]] = []  # (file id, Authorization header)
        self.pending_uploads: dict[str, Params] = {}  # file id -> {"filename", "length", "data"?} until completed
        self.uploads: list[Params] = []  # completed: {"id", "filename", "title", "data", "channel", "thread_ts", ...}
        self._canned: dict[str, list[Canned]] = {}
        self.delays_over: list[str] = []  # the methods whose slowed answer was ready (its delay over), in order
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._server: TestServer | None = None
        self._expected: dict[str, asyncio.Future[Params]] = {}
        self.extra_routes: list[Callable[[web.Application], None]] = []  # e.g. tests.fakes.socket_mode
        self.socket_mode: FakeSocketMode | None = None  # answers apps.connections.open when attached
        self.payload_errors: list[str] = []  # what Slack would have refused (tests/fakes/slack_limits.py)
        FakeSlackApi.live.add(self)

    # --- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1; returns the API base URL."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/files/{file_id}/{name}", self._file)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        for mount in self.extra_routes:
            mount(app)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return self.api_url

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()
            self._server = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "call start() first"
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def port(self) -> int:
        assert self._server is not None and self._server.port is not None, "call start() first"
        return self._server.port

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str = "cmd") -> str:
        return f"{self.base_url}/respond/{key}"

    # --- configuration ---------------------------------------------------------------------------------------

    def add_user(self, user_id: str, email: str | None, name: str = "", *, deleted: bool = False) -> dict[str, Any]:
        """A workspace member; `email=None` models a profile without an e-mail (missing users:read.email)."""
        profile: dict[str, Any] = {"real_name": name or user_id, "display_name": name or user_id}
        if email is not None:
            profile["email"] = email
        user = {"id": user_id, "team_id": self.team_id, "name": user_id.lower(), "deleted": deleted, "profile": profile}
        self.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, name: str, *, member: bool = True, private: bool = False) -> None:
        """A channel for conversations.info; `member`: the bot was invited (is_member)."""
        self.channels[channel_id] = {"id": channel_id, "name": name, "is_private": private, "is_member": member}

    def add_file(
        self, file_id: str, data: bytes, *, name: str, mimetype: str, redirect_to: str | None = None
    ) -> FakeFile:
        f = FakeFile(file_id, data, name, mimetype, redirect_to)
        self.files[file_id] = f
        return f

    def queue(
        self,
        method: str,
        *,
        status: int = 200,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """The next call of `method` gets this answer (several queued answers are used in order)."""
        self._canned.setdefault(method, []).append(Canned(status, body, dict(headers or {})))

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        """The next `times` calls of `method` answer 429 with Retry-After."""
        for _ in range(times):
            self._canned.setdefault(method, []).append(
                Canned(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
            )

    def slow(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` answer as usual, but only after `seconds`."""
        for _ in range(times):
            self._canned.setdefault(method, []).append(Canned(delay=seconds, passthrough=True))

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """The next `times` calls of `method` answer `{"ok": false, "error": error}`."""
        for _ in range(times):
            self._canned.setdefault(method, []).append(Canned(200, {"ok": False, "error": error}))

    # --- inspection ------------------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Params]:
        return [p for m, p in self.calls if m == method]

    def methods(self) -> list[str]:
        return [m for m, _ in self.calls]

    def reset_calls(self) -> None:
        self.calls.clear()
        self.auth_headers.clear()
        self.file_downloads.clear()
        self.uploads.clear()

    def expect(self, key: str) -> asyncio.Future[Params]:
        """A future resolved with the params of the next post to `response_url(key)` (precise waiting)."""
        future: asyncio.Future[Params] = asyncio.get_running_loop().create_future()
        self._expected[key] = future
        return future

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Params]:
        """Wait until `method` was called at least `count` times (work after the ack lands a little later)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.calls_to(method)) < count:
            if loop.time() > deadline:
                raise AssertionError(
                    f"{method} called {len(self.calls_to(method))} times, expected {count}: {self.methods()}"
                )
            await asyncio.sleep(0.005)
        return self.calls_to(method)

    # --- handlers --------------------------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> Params:
        params: Params = dict(request.query)
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                params.update(await request.json())
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        for key in ("blocks", "view", "attachments", "files"):  # form-encoded JSON arrives as text
            if isinstance(params.get(key), str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        self.auth_headers.append(request.headers.get("Authorization", ""))
        problems = payload_problems(method, params)
        if problems:
            self.payload_errors.extend(problems)
            error = "invalid_arguments" if method.startswith("views.") else "invalid_blocks"
            return web.json_response({"ok": False, "error": error, "errors": problems})
        canned = self._canned.get(method)
        if canned:
            c = canned.pop(0)
            if c.delay:
                await asyncio.sleep(c.delay)
                self.delays_over.append(method)
            if not c.passthrough:
                return web.json_response(
                    dict(c.body or {"ok": c.status < 400}), status=c.status, headers=dict(c.headers)
                )
        if method == "apps.connections.open":  # Socket Mode: the app-level token, not the bot token
            if self.socket_mode is None:
                return web.json_response({"ok": False, "error": "not_allowed_token_type"})
            return web.json_response(self.socket_mode.open_connection(request.headers.get("Authorization", "")))
        if request.headers.get("Authorization") != f"Bearer {self.bot_token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(self._answer(method, params))

    def _answer(self, method: str, p: Params) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": f"https://{self.team_domain}.slack.com/",
                "team": "Test",
                "user": "ceu-bot",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": "BTEST",
            }
        if method == "users.info":
            user = self.users.get(str(p.get("user", "")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            email = str(p.get("email", "")).lower()
            for user in self.users.values():
                if str(user["profile"].get("email", "")).lower() == email:
                    return {"ok": True, "user": user}
            return {"ok": False, "error": "users_not_found"}
        if method == "conversations.info":
            channel = self.channels.get(str(p.get("channel", "")))
            return {"ok": True, "channel": channel} if channel else {"ok": False, "error": "channel_not_found"}
        if method == "conversations.open":
            users = str(p.get("users", ""))
            return {"ok": True, "channel": {"id": f"D{users.replace(',', '')}"}}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            ts = str(p.get("ts") or f"{1700000000 + next(self._ts)}.000100")
            answer: dict[str, Any] = {"ok": True, "channel": p.get("channel"), "ts": ts}
            if method == "chat.postEphemeral":
                answer = {"ok": True, "message_ts": ts}
            elif method == "chat.postMessage":
                self.messages.add((str(p.get("channel")), ts))
            return answer
        if method == "chat.getPermalink":  # Slack's shape: ok, channel, permalink (archives/<channel>/p<ts digits>)
            where, msg_ts = str(p.get("channel", "")), str(p.get("message_ts", ""))
            if not any(c == where for c, _ in self.messages):
                return {"ok": False, "error": "channel_not_found"}
            if (where, msg_ts) not in self.messages:
                return {"ok": False, "error": "message_not_found"}
            url = f"https://{self.team_domain}.slack.com/archives/{where}/p{msg_ts.replace('.', '')}"
            return {"ok": True, "channel": where, "permalink": url}
        if method == "views.publish":  # the App Home tab: a "home" view of at most 100 blocks, for one user
            home: dict[str, Any] = p["view"] if isinstance(p.get("view"), dict) else {}
            if home.get("type") != "home" or len(home.get("blocks") or []) > 100 or not p.get("user_id"):
                return {"ok": False, "error": "invalid_arguments"}
            if str(p["user_id"]) not in self.users:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "view": {**home, "id": f"V{next(self._views):05d}"}}
        if method in ("views.open", "views.update", "views.push"):
            view: dict[str, Any] = p["view"] if isinstance(p.get("view"), dict) else {}
            return {"ok": True, "view": {**view, "id": p.get("view_id") or f"V{next(self._views):05d}"}}
        if method == "files.info":
            f = self.files.get(str(p.get("file", "")))
            if f is None:
                return {"ok": False, "error": "file_not_found"}
            return {
                "ok": True,
                "file": {
                    "id": f.file_id,
                    "name": f.name,
                    "mimetype": f.mimetype,
                    "size": len(f.data),
                    "url_private": f"{self.base_url}/files/{f.file_id}/{f.name}",
                    "url_private_download": f"{self.base_url}/files/{f.file_id}/{f.name}",
                },
            }
        if method == "files.getUploadURLExternal":
            if not p.get("filename") or not str(p.get("length", "")).isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"FUP{next(self._ts):04d}"
            self.pending_uploads[file_id] = {"filename": p["filename"], "length": int(p["length"])}
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            done: list[dict[str, Any]] = []
            for item in p.get("files") or []:
                pending = self.pending_uploads.pop(str(item.get("id", "")), None)
                if pending is None or "data" not in pending:
                    return {"ok": False, "error": "file_not_found"}
                self.uploads.append(
                    {
                        **pending,
                        "id": item["id"],
                        "title": item.get("title"),
                        "channel": p.get("channel_id"),
                        "thread_ts": p.get("thread_ts"),
                        "initial_comment": p.get("initial_comment"),
                    }
                )
                done.append({"id": item["id"], "title": item.get("title"), "name": pending["filename"]})
            return {"ok": True, "files": done}
        return {"ok": True}

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: Slack takes the raw bytes (or a multipart form) and answers 200 "OK - <length>"."""
        pending = self.pending_uploads.get(request.match_info["file_id"])
        if pending is None:
            return web.Response(status=404, text="unknown upload")
        if request.content_type == "multipart/form-data":
            form = await request.post()
            part = next(iter(form.values()), b"")
            data = part.file.read() if hasattr(part, "file") else str(part).encode()
        else:
            data = await request.read()
        pending["data"] = data
        self.calls.append(("upload", {"file_id": request.match_info["file_id"], "length": len(data)}))
        self.auth_headers.append(request.headers.get("Authorization", ""))
        return web.Response(text=f"OK - {len(data)}")

    async def _file(self, request: web.Request) -> web.StreamResponse:
        f = self.files.get(request.match_info["file_id"])
        auth = request.headers.get("Authorization", "")
        self.file_downloads.append((request.match_info["file_id"], auth))
        if f is None:
            return web.Response(status=404)
        if f.redirect_to:
            raise web.HTTPFound(f.redirect_to)
        if auth != f"Bearer {self.bot_token}":
            return web.Response(status=302, headers={"Location": "https://test.slack.com/?redir=login"})
        return web.Response(body=f.data, content_type=f.mimetype)

    async def _respond(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        params["_key"] = request.match_info["key"]
        self.calls.append(("response_url", params))
        problems = payload_problems("response_url", params)
        self.payload_errors.extend(problems)
        future = self._expected.pop(params["_key"], None)
        if future is not None and not future.done():
            future.set_result(params)
        self.auth_headers.append(request.headers.get("Authorization", ""))
        return web.Response(text="ok")
