"""The Slack Web API client: base URL from SLACK_API_URL (GovSlack, local fakes); connection errors (slack_sdk's
default) and 429s (honouring Retry-After) are retried.

`ack_client(client)` is its twin for calls made while Slack waits for our answer (a view_submission must be
answered within 3 seconds): a short timeout and no retries at all, so a slow or rate-limited Slack becomes a
field error in time instead of a late answer."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
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
