"""The Bot Framework channel token of a request, checked with PyJWT directly (issue 15): botbuilder's
authenticate_request builds a JwtTokenExtractor, decodes the token twice without checking it to pick a validator,
and makes a connector factory per request. ChannelTokens only *accepts*: when it cannot decide, or the token
fails any check, the endpoint asks botbuilder, which stays the authority for every refusal (401 / 503) and for
tokens of other issuers (the Emulator, skills).

A token is accepted when, as botbuilder 4.17.1 checks a channel token (botframework/connector/auth:
_parameterized_bot_framework_authentication / channel_validation / jwt_token_extractor), and stricter where noted:
- its header says RS256 (botbuilder also takes RS384/RS512) and names a `kid` of the cached signing keys;
- when that key has endorsements, they include the activity's channelId (an activity without one: not decided);
- the RS256 signature verifies; exp (required here) and nbf/iat hold within botbuilder's 5 minutes of clock skew;
- iss is https://api.botframework.com, aud is exactly our app id, and it is not a skill token;
- the serviceurl claim equals the activity's serviceUrl.

The keys come from the OpenID metadata (TEAMS_OPENID_METADATA_URL, else the Bot Framework's) and its jwks_uri over
aiohttp, once per process and again after REFRESH; an unknown kid fetches them again at most once per
UNKNOWN_KID_EVERY, a failed fetch is not retried for RETRY_AFTER (botbuilder answers meanwhile). Concurrent
requests share one fetch. Our AuthenticationConfiguration (bot/teams/auth.py) has no required endorsements and
no claims validator; one added there must be added here too.

The Bot Connector sends the same token with every request until shortly before it expires, so a token whose
signature verified is kept (with the key that verified it, at most VERIFIED_KEPT of them): the next request with
the very same token skips the RSA check, and everything else — exp / nbf / iat against the clock, issuer,
audience, serviceurl, the key still published and its endorsements — is checked for every request again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from botframework.connector.auth import AuthenticationConstants, SkillValidation
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger("ceu.teams.auth")

CHANNEL_ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
DEFAULT_METADATA_URL = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
CLOCK_SKEW = 5 * 60  # seconds, botbuilder's clock_tolerance for channel tokens
REFRESH = 24 * 3600.0  # botbuilder refreshes its keys daily
UNKNOWN_KID_EVERY = 5 * 60.0
RETRY_AFTER = 30.0
TIMEOUT = aiohttp.ClientTimeout(total=10, connect=5)
VERIFIED_KEPT = 256


@dataclass(frozen=True)
class SigningKey:
    public_key: Any  # a cryptography RSA public key
    endorsements: tuple[str, ...]


class ChannelTokens:
    def __init__(self, app_id: str, metadata_url: str = "") -> None:
        self.app_id = app_id
        self.metadata_url = metadata_url or DEFAULT_METADATA_URL
        self.keys: dict[str, SigningKey] = {}
        self.fetched_at: float | None = None  # monotonic time of the last successful fetch
        self.failed_at: float | None = None  # ... of the last failed one
        self.kid_refresh_at: float | None = None  # ... of the last fetch for an unknown kid
        self.fetches = 0  # key fetches tried, and tokens accepted (tests read these)
        self.accepted = 0
        self._verified: dict[str, tuple[str, SigningKey, dict[str, Any]]] = {}  # token -> (kid, key, claims)
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def accepts(self, token: str, channel_id: object, service_url: object) -> bool:
        """True when the token is a valid channel token for this activity; False: not decided here."""
        kept = self._verified.get(token)
        if kept is not None:
            kid = kept[0]  # its header was read (RS256, this kid) when it was verified
        else:
            try:
                header = jwt.get_unverified_header(token)
            except jwt.PyJWTError:
                return False
            named = header.get("kid")
            if header.get("alg") != "RS256" or not isinstance(named, str) or not named:
                return False
            kid = named
        key = await self._key(kid)
        if key is None:
            return False
        if key.endorsements and (not isinstance(channel_id, str) or channel_id not in key.endorsements):
            return False
        claims = self._claims(token, kid, key)
        if claims is None:
            return False
        valid = (
            claims.get("iss") == CHANNEL_ISSUER
            and isinstance(claims.get("aud"), str)
            and claims["aud"] == self.app_id
            and bool(self.app_id)
            and isinstance(service_url, str)
            and claims.get(AuthenticationConstants.SERVICE_URL_CLAIM) == service_url
            and not SkillValidation.is_skill_claim(claims)
        )
        self.accepted += valid
        return valid

    def _claims(self, token: str, kid: str, key: SigningKey) -> dict[str, Any] | None:
        """The token's claims when its RS256 signature verifies with `key` (once per token and key) and its times
        hold now; None otherwise."""
        kept = self._verified.get(token)
        if kept is not None and kept[1] is key:
            claims = kept[2]
            now = time.time()  # the checks PyJWT made when it verified the token (the values are integers)
            if int(claims["exp"]) <= now - CLOCK_SKEW:
                return None
            if any(name in claims and int(claims[name]) > now + CLOCK_SKEW for name in ("nbf", "iat")):
                return None
            return claims
        try:
            claims = jwt.decode(
                token,
                key.public_key,
                algorithms=["RS256"],
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iss", "aud"], "verify_aud": False, "verify_iss": False},
            )
        except jwt.PyJWTError:
            return None
        if len(self._verified) >= VERIFIED_KEPT:
            self._verified.clear()
        self._verified[token] = (kid, key, claims)
        return claims

    async def _key(self, kid: str) -> SigningKey | None:
        if self.fetched_at is None or time.monotonic() - self.fetched_at > REFRESH:
            await self._refresh(lambda: self.fetched_at is None or time.monotonic() - self.fetched_at > REFRESH)
        elif kid not in self.keys and (
            self.kid_refresh_at is None or time.monotonic() - self.kid_refresh_at > UNKNOWN_KID_EVERY
        ):
            self.kid_refresh_at = time.monotonic()  # set before the fetch: requests arriving meanwhile do not queue
            await self._refresh(lambda: kid not in self.keys)
        if self.fetched_at is None or time.monotonic() - self.fetched_at > REFRESH:
            return None  # keys a day old that could not be fetched again: botbuilder decides (it answers 503)
        return self.keys.get(kid)

    async def _refresh(self, still_needed: Callable[[], bool]) -> None:
        """Fetch the keys unless another request just did, or a fetch failed less than RETRY_AFTER ago."""
        async with self._lock:
            if not still_needed():
                return
            if self.failed_at is not None and time.monotonic() - self.failed_at < RETRY_AFTER:
                return
            self.fetches += 1
            try:
                self.keys = await self._fetch()
                self.fetched_at, self.failed_at = time.monotonic(), None
            except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as exc:
                self.failed_at = time.monotonic()
                log.warning("Teams: could not fetch the token signing keys (%s: %s)", type(exc).__name__, exc)

    async def _fetch(self) -> dict[str, SigningKey]:
        session = self._client()
        async with session.get(self.metadata_url) as resp:
            resp.raise_for_status()
            jwks_uri = str((await resp.json(content_type=None))["jwks_uri"])
        async with session.get(jwks_uri) as resp:
            resp.raise_for_status()
            listed = (await resp.json(content_type=None))["keys"]
        keys: dict[str, SigningKey] = {}
        if any(not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str) for jwk in listed):
            return {}  # botbuilder fails on such a list: it decides every token until the list is sound again
        seen: set[str] = set()
        for jwk in listed:
            if jwk["kid"] in seen or jwk.get("kty") != "RSA":
                seen.add(jwk["kid"])
                continue  # botbuilder's look-up takes the first entry of an id, whatever it holds
            seen.add(jwk["kid"])
            try:
                public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
            except (jwt.PyJWTError, ValueError, KeyError):
                continue
            endorsements = jwk.get("endorsements") or []
            if not isinstance(endorsements, list):
                continue  # botbuilder would test a substring of a text: not a key decided here
            keys[jwk["kid"]] = SigningKey(public_key, tuple(e for e in endorsements if isinstance(e, str)))
        return keys

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT, cookie_jar=aiohttp.DummyCookieJar())
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
