"""`ceu-bot doctor`'s Slack checks against SLACK_API_URL: the bot token (auth.test) and the reviewers' channel
(conversations.info: it exists, and the bot is a member, is_member)."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.findings import Finding, Level, one_line
from bot.settings import Settings
from bot.slack.client import api_base_url, make_client

CHANNEL_ADVICE = {
    "channel_not_found": "no such channel, or a private channel the bot is not in: invite it with /invite @ceu-bot",
    "missing_scope": "the app lacks channels:read / groups:read: update it from `ceu-bot manifest slack` and reinstall",
}


def _error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return one_line(exc)


async def slack_findings(settings: Settings) -> list[Finding]:
    if not settings.slack_bot_token:
        return [Finding("Slack", Level.SKIPPED, "SLACK_BOT_TOKEN is not set: Slack is off")]
    out: list[Finding] = []
    if not settings.slack_signing_secret and not settings.slack_app_token:
        out.append(
            Finding("Slack", Level.PROBLEM, "neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN (Socket Mode)")
        )
    if not settings.slack_bot_token.startswith("xoxb-"):
        out.append(Finding("Slack", Level.WARNING, "SLACK_BOT_TOKEN does not look like a bot token (xoxb-...)"))
    if settings.slack_app_token and not settings.slack_app_token.startswith("xapp-"):
        out.append(Finding("Slack", Level.WARNING, "SLACK_APP_TOKEN does not look like an app token (xapp-...)"))
    client = make_client(settings)
    client.retry_handlers.clear()  # a diagnosis: one try each
    try:
        auth = await client.auth_test()
    except Exception as exc:  # every failure is one line of the report
        out.append(Finding("Slack auth.test", Level.PROBLEM, f"{_error(exc)} (at {api_base_url(settings)})"))
        return out
    mode = "Socket Mode" if settings.slack_app_token else "HTTP"
    who = f"{auth.get('user', '?')} in {auth.get('team', '?')} ({mode}, {api_base_url(settings)})"
    out.append(Finding("Slack auth.test", Level.OK, who))
    out.append(await _review_channel(client, settings.slack_review_channel))
    return out


async def _review_channel(client: AsyncWebClient, channel: str) -> Finding:
    name = "Slack reviewers' channel"
    if not channel:
        return Finding(name, Level.WARNING, "SLACK_REVIEW_CHANNEL is not set: review items are not posted in Slack")
    try:
        info = await client.conversations_info(channel=channel)
    except Exception as exc:
        error = _error(exc)
        return Finding(name, Level.PROBLEM, f"{channel}: {error} ({CHANNEL_ADVICE.get(error, 'see the Slack app')})")
    data = info.get("channel") or {}
    label = f"#{data.get('name', channel)} ({channel})"
    if not data.get("is_member"):
        return Finding(name, Level.PROBLEM, f"the bot is not in {label}: type /invite @ceu-bot in that channel")
    return Finding(name, Level.OK, f"{label}, the bot is a member")
