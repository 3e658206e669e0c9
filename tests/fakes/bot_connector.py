"""Local stand-ins for Microsoft's side of Teams (never our own code), and real Bot Framework Activity JSON.

    connector = FakeBotConnector()
    await connector.start()                      # aiohttp on 127.0.0.1: the activities' serviceUrl
    connector.add_member("29:u1", "td@a.k12.al.us", aad_id="aad-1")  # GET /v3/conversations/{id}/members/{userId}
    url = connector.add_file("cert.pdf", b"%PDF-1.7 ...")            # a downloadUrl for a file attachment
    connector.fail_next("send", 429)             # one-shot error answers per kind (5xx are retried 3 times)
    upload = connector.upload_info("report.xlsx")  # a file-consent accept's uploadInfo; PUTs are kind "upload"
    connector.calls / connector.of("send", "reply", "update", "create", "member", "file", "upload")
    connector.cards()                            # every Adaptive Card the bot sent or updated

    entra = FakeEntraID().start()                # a thread: OpenID metadata + JWKS + client-credentials tokens
    settings.teams_openid_metadata_url = entra.metadata_url; settings.teams_token_url = entra.token_url
    entra.token(app_id=..., service_url=...)     # a Bot Framework channel token signed with its key

The Bot Connector routes are the v3 REST API botframework-connector calls: send (POST .../activities), reply
(POST .../activities/{id}), update (PUT .../activities/{id}), member look-up, and conversation creation.
Entra ID runs in its own thread because botframework-connector fetches keys and tokens with blocking `requests`
from the event loop's thread.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import threading
import time
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jsonschema
import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.paths import SHARED

CARD = "application/vnd.microsoft.card.adaptive"
FILE_INFO = "application/vnd.microsoft.teams.file.download.info"
TENANT = "72f988bf-0000-4000-8000-000000000001"
OTHER_TENANT = "0a0b0c0d-0000-4000-8000-000000000002"
BOT_ID = "28:bot-app"
CHANNEL_ISSUER = "https://api.botframework.com"


@dataclass
class Call:
    kind: str  # send | reply | update | member | create | file
    method: str
    conversation_id: str
    activity_id: str
    body: Any
    authorization: str


class FakeBotConnector:
    live: weakref.WeakSet[FakeBotConnector] = weakref.WeakSet()  # every fake of the test run (tests/conftest.py)

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.members: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.failures: dict[str, list[int]] = {}
        self.card_errors: list[str] = []  # what Teams would have refused (see card_problems)
        self._ids = itertools.count(1)
        self._server: TestServer | None = None
        FakeBotConnector.live.add(self)

    # -- set-up -------------------------------------------------------------------------------------------

    async def start(self) -> FakeBotConnector:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{activity_id}", self._reply)
        app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", self._update)
        app.router.add_get("/v3/conversations/{conversation_id}/members/{member_id}", self._member)
        app.router.add_get("/files/{name}", self._file)
        app.router.add_get("/redirect/{name}", self._redirect)
        app.router.add_put("/upload/{name}", self._upload)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.port}/"

    def add_member(
        self, user_id: str, email: str, *, aad_id: str | None = None, name: str = "", upn: str | None = None
    ) -> None:
        member = {
            "id": user_id,
            "name": name or email.split("@")[0],
            "aadObjectId": aad_id or f"aad-{user_id}",
            "email": email,
            "userPrincipalName": upn or email,
            "tenantId": TENANT,
            "userRole": "user",
        }
        self.members[user_id] = member
        self.members[member["aadObjectId"]] = member

    def add_file(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return f"{self.url}files/{name}"

    def upload_info(self, name: str) -> dict[str, Any]:
        """What Teams puts in a file-consent accept: a OneDrive upload URL (here, on this fake) and the file's ids."""
        unique = uuid.uuid4().hex
        return {
            "contentUrl": f"https://contoso-my.sharepoint.com/personal/user/Documents/Applications/{name}",
            "name": name,
            "uploadUrl": f"{self.url}upload/{name}",
            "uniqueId": unique,
            "fileType": name.rsplit(".", 1)[-1],
        }

    def uploads(self) -> dict[str, bytes]:
        """The files the bot PUT to upload URLs and the fake stored, by name (a later one replaces an earlier one)."""
        return {c.activity_id: c.body["data"] for c in self.of("upload") if c.body.get("stored")}

    def fail_next(self, kind: str, status: int, times: int = 1) -> None:
        """Answer the next `times` calls of `kind` with HTTP `status` (0: drop the connection after reading them)."""
        self.failures.setdefault(kind, []).extend([status] * times)

    # -- views ----------------------------------------------------------------------------------------------

    def of(self, *kinds: str) -> list[Call]:
        return [c for c in self.calls if c.kind in kinds]

    def messages(self) -> list[dict[str, Any]]:
        """Every activity the bot sent (send, reply) or updated, in order."""
        return [c.body for c in self.calls if c.kind in ("send", "reply", "update") and isinstance(c.body, dict)]

    def cards(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for activity in self.messages():
            for attachment in activity.get("attachments") or []:
                if attachment.get("contentType") == CARD:
                    out.append(attachment["content"])
        return out

    def last_card(self) -> dict[str, Any]:
        cards = self.cards()
        assert cards, "the bot sent no card"
        return cards[-1]

    # -- routes ---------------------------------------------------------------------------------------------

    def _record(self, kind: str, request: web.Request, body: Any) -> web.Response | None:
        self.calls.append(
            Call(
                kind,
                request.method,
                request.match_info.get("conversation_id", ""),
                request.match_info.get("activity_id", request.match_info.get("member_id", "")),
                body,
                request.headers.get("Authorization", ""),
            )
        )
        pending = self.failures.get(kind)
        if pending:
            status = pending.pop(0)
            if status == 0:  # the request arrived, its answer never does: the connection drops
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=204)
            return web.json_response(
                {"error": {"code": "Injected", "message": f"HTTP {status}"}},
                status=status,
                headers={"Retry-After": "0"},  # botframework-connector (urllib3) retries 5xx: without delay here
            )
        return None

    async def _json(self, request: web.Request) -> Any:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        if isinstance(body, dict) and "attachments" in body:
            problems = activity_problems(body, len(raw))
            self.card_errors.extend(problems)
        return body

    async def _send(self, request: web.Request) -> web.Response:
        failed = self._record("send", request, await self._json(request))
        return failed or web.json_response({"id": f"msg-{next(self._ids)}"}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        failed = self._record("reply", request, await self._json(request))
        return failed or web.json_response({"id": f"msg-{next(self._ids)}"}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        failed = self._record("update", request, await self._json(request))
        return failed or web.json_response({"id": request.match_info["activity_id"]})

    async def _member(self, request: web.Request) -> web.Response:
        failed = self._record("member", request, None)
        if failed:
            return failed
        member = self.members.get(request.match_info["member_id"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(member)

    async def _create(self, request: web.Request) -> web.Response:
        failed = self._record("create", request, await self._json(request))
        if failed:
            return failed
        n = next(self._ids)
        return web.json_response({"id": f"a:new-{n}", "activityId": f"act-{n}", "serviceUrl": self.url}, status=201)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        self._record("file", request, None)
        data = self.files.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    async def _upload(self, request: web.Request) -> web.Response:
        """OneDrive's upload session URL: one PUT with the whole file (Content-Range bytes 0-(n-1)/n) -> 201."""
        data = await request.read()
        body: dict[str, Any] = {"data": data, "range": request.headers.get("Content-Range", "")}
        self.calls.append(Call("upload", "PUT", "", request.match_info["name"], body, ""))
        pending = self.failures.get("upload")
        if pending:
            return web.json_response({"error": {"code": "Injected"}}, status=pending.pop(0))
        if body["range"] != f"bytes 0-{len(data) - 1}/{len(data)}":
            return web.json_response({"error": {"code": "invalidRange"}}, status=400)
        body["stored"] = True
        return web.json_response(
            {"id": uuid.uuid4().hex, "name": request.match_info["name"], "size": len(data)}, status=201
        )

    async def _redirect(self, request: web.Request) -> web.StreamResponse:
        """302 to `?to=` (another host in the tests) or to /files/{name} on this host."""
        self._record("file", request, None)
        target = request.query.get("to") or f"/files/{request.match_info['name']}"
        raise web.HTTPFound(target)


# -- Entra ID / Bot Framework token service -----------------------------------------------------------------


class FakeEntraID:
    """OpenID metadata and JWKS of the Bot Framework's token signer, and an OAuth2 token endpoint for the bot's
    outbound calls, on a plain HTTP server in its own thread."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = f"kid-{uuid.uuid4().hex[:8]}"
        self.token_requests: list[dict[str, str]] = []
        self.client_secret: str | None = None  # set: a token request with another secret is refused (invalid_client)
        self.metadata_hits = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeEntraID:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _json(self, status: int, body: Mapping[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/v1/.well-known/openidconfiguration":
                    fake.metadata_hits += 1
                    self._json(200, {"issuer": CHANNEL_ISSUER, "jwks_uri": f"{fake.base}/keys"})
                elif self.path == "/keys":
                    jwk = json.loads(RSAAlgorithm.to_jwk(fake.key.public_key()))
                    jwk.update(kid=fake.kid, use="sig", endorsements=["msteams", "emulator"])
                    self._json(200, {"keys": [jwk]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.token_requests.append(form)
                if self.path != "/token" or form.get("grant_type") != "client_credentials":
                    self._json(400, {"error": "invalid_request"})
                    return
                if fake.client_secret is not None and form.get("client_secret") != fake.client_secret:
                    self._json(401, {"error": "invalid_client"})
                    return
                self._json(200, {"token_type": "Bearer", "expires_in": 3600, "access_token": "outbound-token"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def metadata_url(self) -> str:
        return f"{self.base}/v1/.well-known/openidconfiguration"

    @property
    def token_url(self) -> str:
        return f"{self.base}/token"

    def token(
        self,
        *,
        app_id: str,
        service_url: str,
        issuer: str = CHANNEL_ISSUER,
        lifetime: int = 3600,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
    ) -> str:
        """A channel-to-bot token like the Bot Framework's (RS256, aud = app id, serviceurl claim)."""
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": app_id,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + lifetime,
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})


# -- Activity JSON as Teams sends it ------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamsUser:
    user_id: str
    aad_id: str
    name: str
    conversation_id: str  # their personal chat with the bot


def user(n: int, name: str = "") -> TeamsUser:
    return TeamsUser(f"29:user-{n}", f"aad-{n}", name or f"User {n}", f"a:personal-{n}")


def _base(kind: str, who: TeamsUser, service_url: str, *, tenant: str, conversation: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": kind,
        "id": f"f:{uuid.uuid4().hex[:12]}",
        "timestamp": "2025-03-03T15:00:00.000Z",
        "localTimestamp": "2025-03-03T09:00:00.000-06:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": who.user_id, "name": who.name, "aadObjectId": who.aad_id},
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": "TD-CEU"},
        "channelData": {"tenant": {"id": tenant}},
        "locale": "en-US",
    }


def personal(who: TeamsUser, tenant: str) -> dict[str, Any]:
    return {"conversationType": "personal", "tenantId": tenant, "id": who.conversation_id}


def channel_conversation(channel_id: str, tenant: str) -> dict[str, Any]:
    return {"isGroup": True, "conversationType": "channel", "tenantId": tenant, "id": channel_id}


def message(
    who: TeamsUser,
    service_url: str,
    text: str = "",
    *,
    tenant: str = TENANT,
    attachments: list[dict[str, Any]] | None = None,
    value: dict[str, Any] | None = None,
    conversation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    activity = _base("message", who, service_url, tenant=tenant, conversation=conversation or personal(who, tenant))
    activity["text"] = text
    activity["textFormat"] = "plain"
    if attachments:
        activity["attachments"] = attachments
    if value is not None:
        activity["value"] = value
    return activity


def file_attachment(name: str, url: str) -> dict[str, Any]:
    return {
        "contentType": FILE_INFO,
        "contentUrl": f"https://contoso.sharepoint.com/personal/{name}",
        "name": name,
        "content": {"downloadUrl": url, "uniqueId": uuid.uuid4().hex, "fileType": name.rsplit(".", 1)[-1]},
    }


def card_action(
    who: TeamsUser,
    service_url: str,
    verb: str,
    data: Mapping[str, Any],
    *,
    tenant: str = TENANT,
    conversation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The invoke Teams sends for an Action.Execute (the inputs merged into data)."""
    activity = _base("invoke", who, service_url, tenant=tenant, conversation=conversation or personal(who, tenant))
    activity["name"] = "adaptiveCard/action"
    activity["value"] = {
        "action": {"type": "Action.Execute", "id": uuid.uuid4().hex[:8], "verb": verb, "data": dict(data)},
        "trigger": "manual",
    }
    return activity


def file_consent(
    who: TeamsUser,
    service_url: str,
    action: str,
    context: Mapping[str, Any],
    upload_info: Mapping[str, Any] | None = None,
    *,
    tenant: str = TENANT,
    conversation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The invoke Teams sends when a FileConsentCard's Allow (action "accept") or Decline is pressed."""
    activity = _base("invoke", who, service_url, tenant=tenant, conversation=conversation or personal(who, tenant))
    activity["name"] = "fileConsent/invoke"
    activity["value"] = {"type": "fileUpload", "action": action, "context": dict(context)}
    if upload_info is not None:
        activity["value"]["uploadInfo"] = dict(upload_info)
    return activity


def installation_update(who: TeamsUser, service_url: str, action: str, *, tenant: str = TENANT) -> dict[str, Any]:
    activity = _base("installationUpdate", who, service_url, tenant=tenant, conversation=personal(who, tenant))
    activity["action"] = action
    return activity


def members_added(who: TeamsUser, service_url: str, *, tenant: str = TENANT) -> dict[str, Any]:
    activity = _base("conversationUpdate", who, service_url, tenant=tenant, conversation=personal(who, tenant))
    activity["membersAdded"] = [{"id": BOT_ID}, {"id": who.user_id, "aadObjectId": who.aad_id}]
    return activity


def card_title(activity: Mapping[str, Any]) -> str:
    """What a person reads first in a message: its card's first TextBlock (the activity's `text` when it has no
    card). Our cards carry no `text` beside them, so tests read a DM's headline here."""
    for attachment in activity.get("attachments") or []:
        if attachment.get("contentType") == CARD:
            for element in (attachment.get("content") or {}).get("body") or []:
                if element.get("type") == "TextBlock":
                    return str(element.get("text", ""))
    return str(activity.get("text") or "")


# -- what Teams accepts: Adaptive Card 1.5 structure and the message size limit -------------------------------

PAYLOAD_LIMIT = 28 * 1024
ELEMENTS: dict[str, tuple[str, ...]] = {  # element type -> required properties
    "TextBlock": ("text",),
    "FactSet": ("facts",),
    "Container": ("items",),
    "ColumnSet": (),
    "Image": ("url",),
    "ActionSet": ("actions",),
    "RichTextBlock": ("inlines",),
    "Input.Text": ("id",),
    "Input.Number": ("id",),
    "Input.Date": ("id",),
    "Input.Time": ("id",),
    "Input.Toggle": ("id", "title"),
    "Input.ChoiceSet": ("id", "choices"),
}
ACTIONS: dict[str, tuple[str, ...]] = {
    "Action.Execute": (),
    "Action.Submit": (),
    "Action.OpenUrl": ("url",),
    "Action.ShowCard": ("card",),
    "Action.ToggleVisibility": ("targetElements",),
}


SCHEMA_FILE = SHARED / "schemas" / "adaptive-card-1.5.schema.json"
# What Teams accepts in a 1.5 card beyond Microsoft's published schema file (../shared/schemas/README.md): its own
# `msteams` property on the card (width "Full", mention entities) and the `filtered` style of Input.ChoiceSet.
MSTEAMS_PROPERTY = {
    "type": "object",
    "properties": {"width": {"enum": ["Full"]}, "entities": {"type": "array"}},
    "additionalProperties": False,
}


@functools.cache
def card_schema_validator() -> jsonschema.protocols.Validator | None:
    """Adaptive Card 1.5 as published, plus exactly Teams' two additions; None where ../shared is absent (CI has it:
    tests/teams/test_card_schema.py skips without it)."""
    if not SCHEMA_FILE.is_file():
        return None
    schema = copy.deepcopy(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    definitions = schema["definitions"]
    definitions["AdaptiveCard"]["properties"]["msteams"] = MSTEAMS_PROPERTY
    definitions["ChoiceInputStyle"]["anyOf"].append({"enum": ["filtered"]})
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def schema_problems(card: Any) -> list[str]:
    """Where a top-level card breaks the published Adaptive Card 1.5 schema (with Teams' additions): one line per
    failing place, its path in the card and the most telling reason."""
    validator = card_schema_validator()
    if validator is None:
        return []
    out: list[str] = []
    for error in validator.iter_errors(card):
        best = _telling(error)
        place = "card" + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in best.absolute_path)
        out.append(f"schema: {place}: {best.message[:300]}")
    return out


def _telling(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Down an "is not valid under any of the given schemas" (the schema's anyOf of element and action types): the
    branch of the element's own type (the one not failing on `type`), then its deepest error."""
    for _ in range(50):
        if not error.context:
            return error
        branches: dict[Any, list[jsonschema.ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0] if sub.schema_path else None, []).append(sub)
        right = [b for b in branches.values() if not any(_on_type(e) for e in b)] or list(branches.values())
        error = max(right[0], key=lambda e: len(e.absolute_path))
    return error


def _on_type(error: jsonschema.ValidationError) -> bool:
    """An error saying the element is another type ('type' missing or not this branch's)."""
    path = list(error.relative_path)
    return (bool(path) and path[-1] == "type") or (error.validator == "required" and "'type'" in error.message)


def card_problems(card: Any, *, top: bool = True) -> list[str]:
    """Why Teams would refuse or mis-render an Adaptive Card 1.5 (empty when it is fine): the published 1.5 schema
    (for a top-level card; sub-cards are inside it), type and version, known element and action types with their
    required properties, unique input ids (sub-cards included)."""
    problems: list[str] = schema_problems(card) if top else []
    ids: list[str] = []

    def action(a: Any, where: str) -> None:
        if not isinstance(a, dict) or a.get("type") not in ACTIONS:
            problems.append(f"{where}: unknown action {a.get('type') if isinstance(a, dict) else a!r}")
            return
        problems.extend(f"{where}: {a['type']} lacks {p}" for p in ACTIONS[a["type"]] if p not in a)
        if not isinstance(a.get("title", ""), str):
            problems.append(f"{where}: title is not text")
        if a["type"] == "Action.Execute" and not a.get("verb"):
            problems.append(f"{where}: Action.Execute without a verb")
        if a["type"] in ("Action.Execute", "Action.Submit") and not isinstance(a.get("data", {}), dict):
            problems.append(f"{where}: data is not an object")
        fallback = a.get("fallback")
        if fallback is not None and fallback != "drop":
            action(fallback, f"{where}.fallback")
        if a["type"] == "Action.ShowCard":
            walk_card(a["card"], f"{where}.card", sub=True)

    def element(e: Any, where: str) -> None:
        if not isinstance(e, dict) or e.get("type") not in ELEMENTS:
            problems.append(f"{where}: unknown element {e.get('type') if isinstance(e, dict) else e!r}")
            return
        kind = e["type"]
        problems.extend(f"{where}: {kind} lacks {p}" for p in ELEMENTS[kind] if p not in e)
        if kind == "TextBlock" and not isinstance(e.get("text"), str):
            problems.append(f"{where}: TextBlock text is not text")
        if kind.startswith("Input."):
            ids.append(str(e.get("id")))
        if kind == "FactSet":
            for i, fact in enumerate(e.get("facts") or []):
                if not (isinstance(fact.get("title"), str) and isinstance(fact.get("value"), str)):
                    problems.append(f"{where}.facts[{i}]: title and value must be text")
        if kind == "Input.ChoiceSet":
            for i, choice in enumerate(e.get("choices") or []):
                if not (isinstance(choice.get("title"), str) and isinstance(choice.get("value"), str)):
                    problems.append(f"{where}.choices[{i}]: title and value must be text")
        for i, child in enumerate(e.get("items") or []):
            element(child, f"{where}.items[{i}]")
        for i, col in enumerate(e.get("columns") or []):
            for j, child in enumerate(col.get("items") or []):
                element(child, f"{where}.columns[{i}].items[{j}]")
        for i, a in enumerate(e.get("actions") or []):
            action(a, f"{where}.actions[{i}]")

    def walk_card(c: Any, where: str, *, sub: bool) -> None:
        if not isinstance(c, dict) or c.get("type") != "AdaptiveCard":
            problems.append(f"{where}: not an AdaptiveCard")
            return
        if not sub and c.get("version") != "1.5":
            problems.append(f"{where}: version {c.get('version')!r}, not 1.5")
        if not isinstance(c.get("body", []), list) or not isinstance(c.get("actions", []), list):
            problems.append(f"{where}: body/actions must be lists")
            return
        for i, e in enumerate(c.get("body", [])):
            element(e, f"{where}.body[{i}]")
        for i, a in enumerate(c.get("actions", [])):
            action(a, f"{where}.actions[{i}]")

    walk_card(card, "card", sub=not top)
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        problems.append(f"card: input ids not unique: {dupes}")
    return problems


def activity_problems(activity: Mapping[str, Any], size: int | None = None) -> list[str]:
    """Card problems of a message activity, and its size against Teams' limit."""
    problems: list[str] = []
    size = size if size is not None else len(json.dumps(activity).encode())
    if size > PAYLOAD_LIMIT:
        problems.append(f"activity is {size} bytes, over Teams' {PAYLOAD_LIMIT}")
    for attachment in activity.get("attachments") or []:
        if attachment.get("contentType") == CARD:
            problems.extend(card_problems(attachment.get("content")))
    cards = [a for a in activity.get("attachments") or [] if a.get("contentType") == CARD]
    if cards and not (activity.get("summary") or activity.get("text")):
        problems.append("a card message without a text summary")
    return problems


# -- our app on a local port --------------------------------------------------------------------------------


class AppServer:
    """An aiohttp Application on a free local port, and a client posting JSON to it."""

    def __init__(self, app: web.Application) -> None:
        self._server = TestServer(app, host="127.0.0.1")

    async def start(self) -> AppServer:
        await self._server.start_server()
        return self

    async def close(self) -> None:
        await self._server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def app(self) -> web.Application:
        return self._server.app

    async def post(
        self,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
    ) -> tuple[int, Any]:
        """(status, JSON body or text) of a POST."""
        from aiohttp import ClientSession

        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/json")
        async with ClientSession() as session, session.post(self.url + path, data=data, headers=sent) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text) if text else None
            except ValueError:
                return response.status, text
