"""`ceu-bot doctor`'s Teams checks: the three MICROSOFT_APP_* settings, an outbound Bot Framework token from the
tenant's login endpoint (TEAMS_TOKEN_URL when set: sovereign clouds, the tests' fake), and the reviewers' channel
id's form (a Teams conversation id, 19:...@thread...)."""

from __future__ import annotations

from botframework.connector.auth import AuthenticationConstants

from bot.findings import Finding, Level, one_line
from bot.settings import Settings
from bot.teams.auth import ClientCredentials, missing_settings

LOGIN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"


def token_url(settings: Settings) -> str:
    return settings.teams_token_url or LOGIN_URL.format(tenant=settings.microsoft_app_tenant_id)


def teams_findings(settings: Settings) -> list[Finding]:
    missing = missing_settings(settings)
    if len(missing) == 3:
        return [Finding("Teams", Level.SKIPPED, "MICROSOFT_APP_ID, _PASSWORD, _TENANT_ID are not set: Teams is off")]
    if missing:
        return [Finding("Teams", Level.PROBLEM, f"{', '.join(missing)} not set: Teams is off")]
    url = token_url(settings)
    try:
        credentials = ClientCredentials(
            settings.microsoft_app_id,
            settings.microsoft_app_password,
            url,
            AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        )
        credentials.get_access_token()
    except Exception as exc:  # a refusal or an unreachable endpoint: one line
        detail = str(exc) if isinstance(exc, PermissionError | ValueError) else one_line(exc)
        return [Finding("Teams token", Level.PROBLEM, f"{detail} (from {url})")]
    out = [Finding("Teams token", Level.OK, f"a Bot Framework token for {settings.microsoft_app_id} from {url}")]
    channel = settings.teams_review_channel
    name = "Teams reviewers' channel"
    if not channel:
        out.append(Finding(name, Level.WARNING, "TEAMS_REVIEW_CHANNEL is not set: no review posts in Teams"))
    elif not (channel.startswith("19:") and "@thread" in channel):
        out.append(Finding(name, Level.PROBLEM, f"{channel}: not a channel's conversation id (19:...@thread.tacv2)"))
    else:
        out.append(Finding(name, Level.OK, f"{channel} (the id the bot logged when it was added there)"))
    return out
