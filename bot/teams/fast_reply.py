"""A known user's `status` in the personal chat, answered without a botbuilder turn (issue 15).

The message comes as an Inbound (bot/teams/inbound.py: read from the request's JSON, no msrest), its token
already accepted by bot/teams/tokens.py (or botbuilder); the reply's JSON is built from the same JSON.

botbuilder's CloudAdapter builds a ConnectorClient for every turn (msrest's configuration and retry policy, most of
the turn's CPU in the profile) and sends the reply with blocking `requests` on the event loop's thread, so one slow
reply holds up every other request. Here the same reply activity (addressed with
TurnContext.apply_conversation_reference, as send_activity does) is posted to the Bot Connector's reply route over
one kept-alive aiohttp session, with the bot's outbound token. On SQLite, a caller whose identity needs no
writing and whose status is kept at the versions of one point read is answered on the loop itself
(storage/known_caller.py); otherwise the identity, the answer, the card and the token are got in one
worker-thread hop. Anything else — first sight, forms, files, a channel, a failed post — returns
False and takes the full botbuilder turn (a post that could not connect or was refused is answered again there;
one sent but unconfirmed is not, so nobody is answered twice).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticationConstants
from msrest.authentication import Authentication

from bot.runner import off_loop
from bot.settings import Settings
from bot.teams.auth import CredentialFactory, TeamsMode
from bot.teams.bot import CeuTeamsBot
from bot.teams.identity import PLATFORM, known_caller, needs_refresh
from bot.teams.inbound import Inbound
from bot.teams.render import render_kept
from handlers.context import Context
from handlers.quick import actor_of, kept_reply, quick_reply
from storage.known_caller import LoopReader, ReadFailed

log = logging.getLogger("ceu.teams")
TIMEOUT = aiohttp.ClientTimeout(total=5, connect=2)  # inside Teams' 15 s before it retries the message

TOKEN_REUSE = 60.0  # seconds

Prepared = tuple[str, dict[str, object], str]  # the reply route, the activity JSON, the bearer token ("" in --dev)


class FastReplies:
    def __init__(
        self,
        bot: CeuTeamsBot,
        settings: Settings,
        mode: TeamsMode,
        loop_reader: Callable[[], LoopReader | None] = lambda: None,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.loop_reader = loop_reader  # the event loop's own SQLite reader (storage/known_caller.py), if any
        on = mode is TeamsMode.ON
        self.factory = (
            CredentialFactory(
                settings.microsoft_app_id,
                settings.microsoft_app_password,
                settings.microsoft_app_tenant_id,
                settings.teams_token_url,
            )
            if on
            else None
        )
        self.credentials: Authentication | None = None
        self._kept_token: tuple[str, float] = ("", 0.0)  # (token, monotonic time until which it is reused)
        self.session: aiohttp.ClientSession | None = None

    async def answer(self, message: Inbound) -> bool:
        """True when the reply was sent; False: take the full turn instead (only when nothing reached the connector
        or it refused the reply, so a person is never answered twice)."""
        try:
            credentials = await self._credentials()
            prepared = self._kept_on_loop(message, credentials)
            if prepared is None:
                prepared = await off_loop(self._prepare, self.bot.contexts(), message, credentials)
        except Exception as exc:  # the full turn answers instead, with its own error handling
            log.info(
                "Teams: the direct reply could not be prepared (%s); answering through botbuilder", type(exc).__name__
            )
            return False
        if prepared is None:
            return False
        return await self._post(*prepared)

    async def _post(self, url: str, body: dict[str, object], token: str) -> bool:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with self._session().post(url, json=body, headers=headers, allow_redirects=False) as resp:
                await resp.read()
                if 200 <= resp.status < 300:
                    return True
                log.info("Teams: the direct reply got HTTP %s; answering through botbuilder", resp.status)
                return False
        except aiohttp.ClientConnectorError as exc:  # never reached the connector: the full turn answers
            log.info("Teams: the direct reply could not connect (%s); answering through botbuilder", type(exc).__name__)
            return False
        except (TimeoutError, aiohttp.ClientError) as exc:  # sent, answer unknown: a second reply could duplicate it
            log.warning("Teams: the direct reply was sent but not confirmed (%s); not sent again", type(exc).__name__)
            return True

    def _prepare(self, ctx: Context, message: Inbound, credentials: Authentication | None) -> Prepared | None:
        """On a worker thread: the answer's activity (None: first sight or no quick answer), its JSON and the
        token."""
        reply = known_answer(ctx, message)
        if reply is None:
            return None
        body = message.reply_json(reply)
        if body is None:  # a reply with more than a card and a summary: addressed and serialised as botbuilder does
            TurnContext.apply_conversation_reference(reply, TurnContext.get_conversation_reference(message.activity))
            body = as_json(reply)
        return message.reply_url, body, self._token(credentials)

    def _kept_on_loop(self, message: Inbound, credentials: Authentication | None) -> Prepared | None:
        """On the loop, no thread hop: the reply when the caller's one point read (SQLite) finds them known, their
        identity current (nothing to write) and their status kept at the versions read, with a kept outbound
        token; None: `_prepare` on a worker thread."""
        reader = self.loop_reader()
        token = self._kept(credentials)
        if reader is None or token is None:
            return None
        try:
            caller = reader.caller(PLATFORM, message.key)
        except ReadFailed:
            return None
        ctx = self.bot.contexts()
        if caller is None or needs_refresh(caller.seen, message.activity, ctx.now):
            return None
        kept = kept_reply(ctx, actor_of(caller, PLATFORM), caller.versions, message.text)
        body = message.reply_json(render_kept(ctx, kept)) if kept is not None else None
        return (message.reply_url, body, token) if body is not None else None

    def _kept(self, credentials: Authentication | None) -> str | None:
        """The outbound token without asking the credentials (which may call Entra ID): "" in --dev, None when
        it must be asked for."""
        if credentials is None:
            return ""
        token, until = self._kept_token
        return token if token and time.monotonic() < until else None

    def _token(self, credentials: Authentication | None) -> str:
        """The outbound token, asked of the credentials at most every TOKEN_REUSE seconds (MSAL looks its cache up
        on every call and hands out only tokens with 5 minutes or more left; ClientCredentials keeps its own)."""
        if credentials is None:
            return ""  # --dev
        token, until = self._kept_token
        if token and time.monotonic() < until:
            return token
        token = str(credentials.get_access_token() or "")  # type: ignore[attr-defined]
        self._kept_token = (token, time.monotonic() + TOKEN_REUSE)
        return token

    async def _credentials(self) -> Authentication | None:
        if self.factory is None:
            return None  # --dev: the Emulator takes unauthenticated replies
        if self.credentials is None:
            self.credentials = await self.factory.create_credentials(
                self.settings.microsoft_app_id,
                AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
                AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX + self.settings.microsoft_app_tenant_id,
                True,
            )
        return self.credentials

    def _session(self) -> aiohttp.ClientSession:
        if self.session is None or self.session.closed:
            self.session = aiohttp.ClientSession(timeout=TIMEOUT, cookie_jar=aiohttp.DummyCookieJar())
        return self.session

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None


def known_answer(ctx: Context, message: Inbound) -> Activity | None:
    """The database and answer part (on the worker thread): the known caller (None: first sight, the full turn
    links them), their quick command's reply and its kept card. Nothing else of the fast path touches the
    database."""
    caller = known_caller(ctx, message.key, message.activity)
    if caller is None or caller.actor is None:
        return None
    quick = quick_reply(ctx, caller.actor, message.text)
    if quick is None:
        return None
    return render_kept(ctx, quick)


def as_json(activity: Activity) -> dict[str, object]:
    """The activity as the Bot Connector takes it; the cards put in as they are (msrest would walk every element of
    a card, typed as a plain object, to copy it)."""
    attachments = activity.attachments or []
    activity.attachments = None
    body: dict[str, object] = activity.serialize()
    if attachments:
        body["attachments"] = [{"contentType": a.content_type, "content": a.content} for a in attachments]
    return body
