"""What every Slack listener needs: the services (database, settings, clock), the bolt app, the Web API client,
the notifier and one shared HTTP session; plus the "after the ack" machinery.

`after_ack(surface, work)` is the listener for requests whose answer may take longer than Slack's 3 seconds: it
acks at once and runs `work` as a task of ours afterwards. (bolt's own lazy listeners deep-copy the whole request
first, inside the ack path, which cost more than the rest of the ack put together.) A failure in the work goes
to the one @app.error handler (a polite reply, the traceback only in the log). `off_loop` runs synchronous
database work on a small worker pool so the event loop stays free to ack other requests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient, WebhookResponse

from bot.slack.errors import handle_error
from bot.slack.notifier import SlackNotifier
from handlers.context import Context

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger("ceu.slack")
WORKERS = 2  # threads for database work: more only fight the event loop for the GIL


class SessionRespond(AsyncRespond):
    """bolt's `respond` (a message to the request's response_url) over our shared HTTP session: one kept-alive
    connection instead of a new session and TCP connection per reply."""

    def __init__(self, response_url: str | None, session: aiohttp.ClientSession | None, timeout: float) -> None:
        super().__init__(response_url=response_url)
        self.session = session
        self.timeout = timeout

    async def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[dict[str, Any] | Block] | None = None,
        attachments: Sequence[dict[str, Any] | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        if not self.response_url:
            raise ValueError("respond is unsupported here as there is no response_url")
        message: dict[str, Any] = dict(text) if isinstance(text, dict) else {"text": text}
        optional = {
            "blocks": [b if isinstance(b, dict) else b.to_dict() for b in blocks] if blocks is not None else None,
            "attachments": [a if isinstance(a, dict) else a.to_dict() for a in attachments] if attachments else None,
            "response_type": response_type,
            "replace_original": replace_original,
            "delete_original": delete_original,
            "unfurl_links": unfurl_links,
            "unfurl_media": unfurl_media,
            "thread_ts": thread_ts,
            "metadata": metadata,
        }
        message.update({k: v for k, v in optional.items() if v is not None})
        session = self.session if self.session is not None and not self.session.closed else None
        hook = AsyncWebhookClient(url=self.response_url, session=session, timeout=int(self.timeout))
        return await hook.send_dict(message)


@dataclass
class SlackSurface:
    services: Services
    bolt: AsyncApp
    client: AsyncWebClient
    notifier: SlackNotifier
    session: aiohttp.ClientSession | None = None  # opened with the server (start), shared by client and respond
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def review_channel(self) -> str:
        return self.services.settings.slack_review_channel

    def context(self) -> Context:
        return self.services.context()

    async def start(self) -> None:
        """Open the shared HTTP session (inside the running loop) for the Web API client and replies."""
        if self.session is None or self.session.closed:
            # the timeout lives on the session: slack_sdk applies its own only to sessions it opens itself
            timeout = aiohttp.ClientTimeout(total=self.services.settings.slack_http_timeout)
            self.session = aiohttp.ClientSession(timeout=timeout)
            self.client.session = self.session

    async def stop(self) -> None:
        """Let replies already under way finish, then close the session."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=self.services.settings.slack_http_timeout * 2)
        if self.session is not None:
            self.client.session = None
            await self.session.close()
            self.session = None

    def respond_to(self, body: dict[str, Any]) -> AsyncRespond:
        url = body.get("response_url") or next(
            (u.get("response_url") for u in body.get("response_urls") or [] if u.get("response_url")), None
        )
        return SessionRespond(str(url) if url else None, self.session, self.services.settings.slack_http_timeout)

    def later(self, work: Coroutine[Any, Any, None], body: dict[str, Any], respond: AsyncRespond | None) -> None:
        """Run `work` after the ack; its failure becomes a polite reply (and a logged traceback). Inside an HTTP
        request (`holding`) it starts once the ack has been sent; elsewhere (Socket Mode) at once."""
        held = _held.get()
        if held is not None:
            held.append((work, body, respond))
            return
        task = asyncio.get_running_loop().create_task(self._guarded(work, body, respond))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Hold back the work `later` is given while one HTTP request is dispatched and answered; start it when
        the block ends (the ack sent, or failed to go out: Slack may still have the request, so do the work)."""
        held: list[Held] = []
        token = _held.set(held)
        try:
            yield
        finally:
            _held.reset(token)
            for work, body, respond in held:
                self.later(work, body, respond)

    async def _guarded(
        self, work: Coroutine[Any, Any, None], body: dict[str, Any], respond: AsyncRespond | None
    ) -> None:
        try:
            await work
        except Exception as exc:  # handed to the one error handler
            await handle_error(exc, body, respond, self.client, log)


@dataclass
class Incoming:
    """One request's pieces, as bolt injects them into a listener."""

    request: AsyncBoltRequest
    body: dict[str, Any]
    respond: AsyncRespond
    client: AsyncWebClient
    context: AsyncBoltContext

    @property
    def user_id(self) -> str:
        event = self.body.get("event") or {}
        return str(self.body.get("user_id") or (self.body.get("user") or {}).get("id") or event.get("user") or "")

    @property
    def team_id(self) -> str | None:
        team = self.body.get("team_id") or (self.body.get("team") or {}).get("id")
        return str(team) if team else None

    @property
    def retry_num(self) -> int:
        values = self.request.headers.get("x-slack-retry-num") or ["0"]
        try:
            return int(values[0])
        except ValueError:
            return 0


Held = tuple[Coroutine[Any, Any, None], dict[str, Any], AsyncRespond | None]
_held: ContextVar[list[Held] | None] = ContextVar("ceu_slack_held", default=None)

Work = Callable[["Incoming"], Coroutine[Any, Any, None]]
Listener = Callable[..., Awaitable[None]]


def after_ack(surface: SlackSurface, work: Work) -> Listener:
    """A bolt listener that acks at once and runs `work` afterwards (see the module docstring)."""

    async def listener(
        ack: Callable[..., Awaitable[Any]],
        request: AsyncBoltRequest,
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        respond = surface.respond_to(body)
        surface.later(work(Incoming(request, body, respond, client, context)), body, respond)

    listener.__name__ = listener.__qualname__ = getattr(work, "__name__", "after_ack")
    return listener
