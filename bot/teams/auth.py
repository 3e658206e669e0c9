"""Who may talk to the Teams bot: the Bot Framework authentication built from the settings, the tenant allow-list,
and the outbound credentials (SingleTenant app id + password).

- With MICROSOFT_APP_ID / MICROSOFT_APP_PASSWORD / MICROSOFT_APP_TENANT_ID every request must carry a valid Bot
  Framework token (issuer, signature from the published OpenID keys, audience = our app id, serviceurl claim).
- `ceu-bot serve --dev` without them: authentication is disabled (Bot Framework Emulator on 127.0.0.1 only).
- TEAMS_OPENID_METADATA_URL replaces the Bot Framework's OpenID metadata address (sovereign clouds; the tests serve
  their own keys there) and TEAMS_TOKEN_URL the Entra ID token endpoint used for outbound calls (plain OAuth2
  client credentials, for the same reasons); both default to the public cloud.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import requests
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConfiguration,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    BotFrameworkAuthenticationFactory,
    PasswordServiceClientCredentialFactory,
)
from msrest.authentication import Authentication

from bot.settings import Settings

log = logging.getLogger("ceu.teams.auth")


class TeamsMode(StrEnum):
    OFF = "off"  # no credentials and not --dev: /api/messages is not mounted
    DEV = "dev"  # no credentials, --dev: unauthenticated (Emulator), any tenant
    ON = "on"  # credentials: every request must carry a valid token


def teams_mode(settings: Settings, dev: bool) -> TeamsMode:
    has_all = bool(settings.microsoft_app_id and settings.microsoft_app_password and settings.microsoft_app_tenant_id)
    if has_all:
        return TeamsMode.ON
    return TeamsMode.DEV if dev else TeamsMode.OFF


def missing_settings(settings: Settings) -> list[str]:
    names = {
        "MICROSOFT_APP_ID": settings.microsoft_app_id,
        "MICROSOFT_APP_PASSWORD": settings.microsoft_app_password,
        "MICROSOFT_APP_TENANT_ID": settings.microsoft_app_tenant_id,
    }
    return [name for name, value in names.items() if not value]


@dataclass(frozen=True)
class TenantPolicy:
    """Which Microsoft 365 tenants are served: TEAMS_ALLOWED_TENANTS, or only our own; any in --dev mode."""

    allowed: frozenset[str]
    any_tenant: bool = False

    def allows(self, tenant_id: str | None) -> bool:
        if self.any_tenant:
            return True
        return bool(tenant_id) and (tenant_id or "").lower() in self.allowed


def tenant_policy(settings: Settings, mode: TeamsMode) -> TenantPolicy:
    if mode is TeamsMode.DEV:
        return TenantPolicy(frozenset(), any_tenant=True)
    listed = {t.strip().lower() for t in settings.teams_allowed_tenants.split(",") if t.strip()}
    if not listed and settings.microsoft_app_tenant_id:
        listed = {settings.microsoft_app_tenant_id.strip().lower()}
    return TenantPolicy(frozenset(listed))


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


class ClientCredentials(AppCredentials):
    """OAuth2 client-credentials tokens from TEAMS_TOKEN_URL (cached until shortly before they expire).

    botbuilder's own MicrosoftAppCredentials (MSAL) accepts only https authorities on Microsoft's hosts; this is
    the same grant against a configurable endpoint. http is allowed for loopback addresses only."""

    def __init__(self, app_id: str, password: str, token_url: str, oauth_scope: str) -> None:
        super().__init__(app_id=app_id, oauth_scope=oauth_scope)
        if not (token_url.startswith("https://") or (token_url.startswith("http://") and is_loopback(token_url))):
            raise ValueError("TEAMS_TOKEN_URL must be an https URL (http only on a loopback address)")
        self.microsoft_app_password = password
        self.token_url = token_url
        self._token = ""
        self._expires = 0.0
        self._lock = threading.Lock()

    def get_access_token(self, force_refresh: bool = False) -> str:
        with self._lock:
            if self._token and not force_refresh and time.monotonic() < self._expires:
                return self._token
            scope = self.oauth_scope if self.oauth_scope.endswith("/.default") else self.oauth_scope + "/.default"
            response = requests.post(
                self.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.microsoft_app_id,
                    "client_secret": self.microsoft_app_password,
                    "scope": scope,
                },
                timeout=10,
                allow_redirects=False,
            )
            body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
            if response.status_code != 200 or "access_token" not in body:
                raise PermissionError(f"token endpoint answered {response.status_code}: {body.get('error', '')}")
            self._token = str(body["access_token"])
            self._expires = time.monotonic() + max(60, int(body.get("expires_in", 3600)) - 300)
            return self._token


class CredentialFactory(PasswordServiceClientCredentialFactory):
    """SingleTenant app id + password; outbound tokens from Entra ID (MSAL) or from TEAMS_TOKEN_URL."""

    def __init__(self, app_id: str, password: str, tenant_id: str, token_url: str = "") -> None:
        super().__init__(app_id or None, password or None, tenant_id or None)
        self.token_url = token_url
        self._cached: dict[str, Authentication] = {}

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        if not self.token_url or await self.is_authentication_disabled():
            return await super().create_credentials(app_id, oauth_scope, login_endpoint, validate_authority)
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("Invalid app_id")
        scope = oauth_scope or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        if scope not in self._cached:  # one token cache per scope, shared by every connector client
            self._cached[scope] = ClientCredentials(app_id, self.password or "", self.token_url, scope)
        return self._cached[scope]


def build_authentication(settings: Settings, mode: TeamsMode) -> BotFrameworkAuthentication:
    """The Bot Framework authentication for the mode: the public cloud's, with the overrides of the settings."""
    if mode is TeamsMode.DEV:
        factory = CredentialFactory("", "", "")
    else:
        factory = CredentialFactory(
            settings.microsoft_app_id,
            settings.microsoft_app_password,
            settings.microsoft_app_tenant_id,
            settings.teams_token_url,
        )
    auth_config = AuthenticationConfiguration()
    if mode is TeamsMode.ON and settings.teams_openid_metadata_url:
        return BotFrameworkAuthenticationFactory.create(
            validate_authority=True,
            to_channel_from_bot_login_url=(
                AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX + settings.microsoft_app_tenant_id
            ),
            to_channel_from_bot_oauth_scope=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
            to_bot_from_channel_token_issuer=AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
            oauth_url=AuthenticationConstants.OAUTH_URL,
            to_bot_from_channel_open_id_metadata_url=settings.teams_openid_metadata_url,
            to_bot_from_emulator_open_id_metadata_url=settings.teams_openid_metadata_url,
            caller_id="urn:botframework:azure",
            credential_factory=factory,
            auth_configuration=auth_config,
        )
    return BotFrameworkAuthenticationFactory.create(credential_factory=factory, auth_configuration=auth_config)
