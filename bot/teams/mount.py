"""POST /api/messages on the bot's aiohttp server: our own handler around CloudAdapter.process_activity.

botbuilder 4.17.1's CloudAdapter.process answers 500 to Adaptive Card invokes (it re-serialises the invoke body)
and lets auth errors other than PermissionError escape as tracebacks. Here:

- bad JSON or a body that is not an Activity -> 400; a missing / malformed Authorization header, a token that
  fails validation (PermissionError, any jwt error, an unknown signing key) -> 401; the token keys unreachable ->
  503; a tenant not on the allow-list -> 403. Nothing is sent or written in those cases.
- a known user's `status` in the personal chat is answered directly (bot/teams/fast_reply.py), without a
  botbuilder turn; everything else, and that reply when it fails, goes through CloudAdapter as below. Such a
  message is read from its JSON (bot/teams/inbound.py) and its token checked by bot/teams/tokens.py, which only
  accepts: a token it does not accept, and every other activity, is deserialised with msrest and authenticated
  by botbuilder, the authority for every 401 / 503. A direct reply that fails is answered by the full turn, whose
  AuthenticateRequestResult botbuilder makes then (the token checked a second time, on that slow path only).
- the request is authenticated first, then processed with the authenticated result; an invoke answers with its
  InvokeResponse (status + JSON body) as is, a message with 200.
- anything else that fails is logged and answered 500 with a short JSON body, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

import jwt
import requests
from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication
from msrest.serialization import Model

from bot.teams.activity_shape import shape_problem
from bot.teams.auth import TeamsMode, TenantPolicy, missing_settings, teams_mode, tenant_policy
from bot.teams.bot import CeuTeamsBot
from bot.teams.conversations import tenant_of
from bot.teams.fast_reply import FastReplies
from bot.teams.inbound import Inbound, inbound_message
from bot.teams.notifier import TeamsNotifier
from bot.teams.proactive import build_proactive
from bot.teams.tokens import ChannelTokens

if TYPE_CHECKING:
    from bot.app import Services

SETTLE_SECONDS = 20
log = logging.getLogger("ceu.teams")

ROUTE = "/api/messages"
NOTIFIER_KEY = web.AppKey("teams_notifier", TeamsNotifier)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class MessagesEndpoint:
    def __init__(
        self,
        auth: BotFrameworkAuthentication,
        adapter: CloudAdapter,
        bot: CeuTeamsBot,
        mode: TeamsMode,
        tenants: TenantPolicy,
        fast: FastReplies | None = None,
        tokens: ChannelTokens | None = None,
    ) -> None:
        self.fast = fast
        self.tokens = tokens
        self.auth = auth
        self.adapter = adapter
        self.bot = bot
        self.mode = mode
        self.tenants = tenants

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return _error(400, "the body is not JSON")
        if not isinstance(body, dict) or (problem := shape_problem(body)):
            if isinstance(body, dict):
                log.warning("Teams: refused a malformed activity: %s", problem)
            return _error(400, "the body is not a Bot Framework activity")
        message = inbound_message(body) if self.fast is not None else None
        tried = False
        if message is not None and await self._accepted(request, message):
            if not self.tenants.allows(message.tenant):
                return self._refuse_tenant(message.tenant)
            if await self._answer(message):
                return web.Response(status=200)
            tried = True  # not answered: the full turn below
        activity = _activity(body)
        if activity is None:
            return _error(400, "the body is not a Bot Framework activity")
        result = await self._authenticate(request, activity)
        if isinstance(result, web.Response):
            return result
        if not self.tenants.allows(tenant_of(activity)):
            return self._refuse_tenant(tenant_of(activity))
        if message is not None and not tried and await self._answer(message):
            return web.Response(status=200)  # accepted by botbuilder (e.g. a key not yet fetched here), answered
        try:
            invoke = await self.adapter.process_activity(result, activity, self.bot.on_turn)
        except Exception:
            log.exception("Teams: processing a %s activity failed", activity.type)
            return _error(500, "the bot could not process this activity")
        if invoke is None:
            return web.Response(status=200)
        status = int(invoke.status or 200)
        if status == 501:  # botbuilder's answer to an invoke name we do not serve: the caller's mistake
            log.info("Teams: no handler for invoke %s", activity.name)
            return _error(400, "this invoke is not supported")
        return web.json_response(_json_body(invoke.body), status=status)

    async def _accepted(self, request: web.Request, message: Inbound) -> bool:
        """Whether the request is authenticated without botbuilder: --dev (botbuilder accepts every request
        there) or a channel token ChannelTokens accepts. False: botbuilder decides."""
        if self.mode is TeamsMode.DEV:
            return True
        if self.tokens is None:
            return False
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not token or " " in token:
            return False
        return await self.tokens.accepts(token, message.body.get("channelId"), message.body.get("serviceUrl"))

    async def _answer(self, message: Inbound) -> bool:
        assert self.fast is not None
        return await self.fast.answer(message)

    def _refuse_tenant(self, tenant: str | None) -> web.Response:
        log.warning("Teams: refused an activity from tenant %s (not on TEAMS_ALLOWED_TENANTS)", tenant)
        return _error(403, "this tenant is not served")

    async def _authenticate(self, request: web.Request, activity: Activity) -> AuthenticateRequestResult | web.Response:
        header = request.headers.get("Authorization", "")
        if self.mode is TeamsMode.DEV:
            header = ""  # the Emulator without an app id: unauthenticated, by design of --dev
        else:
            scheme, _, token = header.partition(" ")
            if scheme != "Bearer" or not token.strip() or " " in token.strip():
                log.warning("Teams: %s Authorization header", "missing" if not header else "malformed")
                return _error(401, "a Bot Framework token is required")
        try:
            result: AuthenticateRequestResult = await self.auth.authenticate_request(activity, header)
        except requests.RequestException as exc:
            log.error("Teams: the token signing keys are unreachable: %s", exc)
            return _error(503, "cannot validate tokens right now")
        except (PermissionError, jwt.PyJWTError, Exception) as exc:  # any failure to authenticate is a 401
            log.warning("Teams: refused a request: %s: %s", type(exc).__name__, exc)
            return _error(401, "the Bot Framework token is not valid")
        return result


def _activity(body: dict[str, Any]) -> Activity | None:
    """The Activity of a body through shape_problem, or None (not one msrest reads, or without type,
    serviceUrl or conversation)."""
    try:
        activity = Activity().deserialize(body)
    except Exception:  # msrest raises several kinds for wrongly typed fields
        return None
    if not activity.type or not activity.service_url or activity.conversation is None:
        return None
    if not str(activity.service_url).startswith(("https://", "http://")):
        return None
    return activity


def _json_body(body: object) -> object:
    if isinstance(body, Model):
        return serializer_helper(body)
    return body


def mount_teams(app: web.Application, services: Services, *, dev: bool = False) -> TeamsNotifier | None:
    """Add POST /api/messages when Teams is configured (or in --dev), with one log line either way; the notifier
    (also kept as app["teams_notifier"]) reaches people and the reviewers' channel proactively."""
    settings = services.settings
    mode = teams_mode(settings, dev)
    if mode is TeamsMode.OFF:
        log.info(
            "Teams is off: %s not set (use `ceu-bot serve --dev` for the Emulator)",
            ", ".join(missing_settings(settings)),
        )
        return None
    if mode is TeamsMode.DEV:
        log.warning("Teams in --dev mode: /api/messages accepts UNAUTHENTICATED requests (Bot Framework Emulator)")
    proactive = build_proactive(settings, services.context, mode)
    auth, adapter, notifier = proactive.auth, proactive.adapter, proactive.notifier
    bot = CeuTeamsBot(services.context, settings, notifier, services.flow)
    adapter.on_turn_error = bot.on_turn_error
    tenants = tenant_policy(settings, mode)
    fast = FastReplies(bot, settings, mode, services.loop_reader)
    on = mode is TeamsMode.ON
    tokens = ChannelTokens(settings.microsoft_app_id, settings.teams_openid_metadata_url) if on else None
    endpoint = MessagesEndpoint(auth, adapter, bot, mode, tenants, fast, tokens)
    app.router.add_post(ROUTE, endpoint.__call__)  # a coroutine method: aiohttp deprecates other callables
    app[NOTIFIER_KEY] = notifier

    async def settle(_: web.Application) -> None:
        """Review posts under way finish before shutdown (within a bound)."""
        try:
            await asyncio.wait_for(bot.background.settle(), timeout=SETTLE_SECONDS)
        except TimeoutError:
            log.warning("Teams: background work still running after %s s at shutdown", SETTLE_SECONDS)

    app.on_cleanup.append(settle)
    app.on_cleanup.append(lambda _: fast.close())
    if tokens is not None:
        app.on_cleanup.append(lambda _: tokens.close())
    if mode is TeamsMode.ON:
        log.info("Teams is on at %s for tenant(s) %s", ROUTE, ", ".join(sorted(tenants.allowed)) or "none")
    return notifier
