"""The Slack Web API client: base URL from SLACK_API_URL (GovSlack, local fakes); connection errors (slack_sdk's
default) and 429s (honouring Retry-After) are retried."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

RATE_LIMIT_RETRIES = 2


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
