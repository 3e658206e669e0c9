"""The Slack Web API client: base URL from SLACK_API_URL (GovSlack, local fakes); connection errors (slack_sdk's
default) and 429s (honouring Retry-After) are retried.

`ack_client(client)` is its twin for calls made while Slack waits for our answer (a view_submission must be
answered within 3 seconds): a short timeout and no retries at all, so a slow or rate-limited Slack becomes a
field error in time instead of a late answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

RATE_LIMIT_RETRIES = 2
ACK_TIMEOUT = 1.5  # seconds, for each Web API call in the ack path


def api_base_url(settings: Settings) -> str:
    url = settings.slack_api_url.strip() or "https://slack.com/api/"
    return url if url.endswith("/") else url + "/"


def make_client(settings: Settings) -> AsyncWebClient:
    client = AsyncWebClient(
        token=settings.slack_bot_token or None,
        base_url=api_base_url(settings),
        timeout=settings.slack_http_timeout,
    )
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client


class PausingRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (waits Retry-After, then retries) that first reports the Retry-After seconds to
    `on_retry_after` (the sweep's pace: every other send of the workspace waits too, not just this call)."""

    def __init__(self, max_retry_count: int, on_retry_after: Callable[[float], None] | None = None) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.on_retry_after = on_retry_after

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is not None and self.on_retry_after is not None:
            self.on_retry_after(retry_after(response))
        await super().prepare_for_next_attempt_async(state=state, request=request, response=response, error=error)


def retry_after(response: HttpResponse) -> float:
    """A 429's Retry-After in seconds (1 when it has none or cannot be read, as slack_sdk reads it)."""
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return float(values[0])
            except ValueError:
                break
    return 1.0


class AckClient(AsyncWebClient):
    """Every call bounded by `timeout` seconds, also on a shared HTTP session (where slack_sdk applies no timeout
    of its own: the session's default, five minutes, would hold)."""

    async def api_call(self, *args: Any, **kwargs: Any) -> Any:
        async with asyncio.timeout(self.timeout):
            return await super().api_call(*args, **kwargs)


def ack_client(client: AsyncWebClient, timeout: float = ACK_TIMEOUT) -> AsyncWebClient:
    """The same token, base URL and HTTP session; a short timeout and no retry handlers."""
    return AckClient(
        token=client.token,
        base_url=client.base_url,
        timeout=timeout,  # type: ignore[arg-type]  # slack_sdk types it int; aiohttp takes a float
        session=client.session,
        retry_handlers=[],
    )
