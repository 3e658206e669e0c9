"""What every Slack listener needs: the services (database, settings, clock), the bolt app, the Web API client
and the notifier; plus `lazy()`, which runs slow work after the ack and routes its failures to the one
@app.error handler."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.notifier import SlackNotifier
from handlers.context import Context

if TYPE_CHECKING:
    from bot.app import Services


@dataclass
class SlackSurface:
    services: Services
    bolt: AsyncApp
    client: AsyncWebClient
    notifier: SlackNotifier

    @property
    def review_channel(self) -> str:
        return self.services.settings.slack_review_channel

    def context(self) -> Context:
        return self.services.context()


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


T = TypeVar("T")
_worker = threading.local()


def _run_here(coro: Coroutine[Any, Any, T]) -> T:
    loop = getattr(_worker, "loop", None)
    if loop is None:
        loop = _worker.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coro)


async def off_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run a handler coroutine (synchronous database work inside) on a worker thread, so the event loop stays
    free to ack other Slack requests within their 3 seconds."""
    return await asyncio.to_thread(_run_here, coro)


Work = Callable[[Incoming], Awaitable[None]]
LazyListener = Callable[..., Awaitable[None]]


def lazy(work: Work) -> LazyListener:
    """A bolt lazy listener around `work`; an exception goes to the app's error handler (polite reply, log)."""

    async def listener(
        request: AsyncBoltRequest,
        body: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        try:
            await work(Incoming(request, body, respond, client, context))
        except Exception as exc:  # noqa: BLE001 - handed to the one @app.error handler
            runner = request.context.get("listener_runner")
            if runner is None:
                raise
            await runner.listener_error_handler.handle(error=exc, request=request, response=BoltResponse(status=200))

    listener.__name__ = listener.__qualname__ = work.__name__
    return listener
