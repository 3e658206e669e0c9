"""Bot Framework authentication of /api/messages with self-signed tokens: a local Entra ID stand-in serves the
OpenID metadata and signing keys (TEAMS_OPENID_METADATA_URL) and the bot's outbound tokens (TEAMS_TOKEN_URL).
A valid token is served; wrong audience, wrong serviceUrl claim, expired, forged, garbage or missing tokens are 401
with nothing sent or written; tenants off the allow-list are 403; without credentials Teams is off unless --dev."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import select

from bot.app import build_app, build_services
from storage.tables import AuditLog, ChatIdentity
from tests.fakes.bot_connector import OTHER_TENANT, TENANT, AppServer, FakeEntraID, card_action, message
from tests.fakes.teams_harness import TD, Teams, running_teams, teams_settings, texts

APP_ID = "0b5f6f5e-1111-4222-8333-444455556666"


@pytest.fixture
def entra() -> Iterator[FakeEntraID]:
    fake = FakeEntraID().start()
    yield fake
    fake.close()


def credentials(entra: FakeEntraID, **more: str) -> dict[str, Any]:
    return {
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": "app-secret",
        "MICROSOFT_APP_TENANT_ID": TENANT,
        "TEAMS_OPENID_METADATA_URL": entra.metadata_url,
        "TEAMS_TOKEN_URL": entra.token_url,
        **more,
    }


@pytest.fixture
async def teams(tmp_path: Path, entra: FakeEntraID) -> AsyncIterator[Teams]:
    async with running_teams(tmp_path, dev=False, **credentials(entra)) as harness:
        yield harness


def written(t: Teams) -> tuple[int, int]:
    """(chat identities, audit rows): the seed writes audit rows, a refused request none."""
    with t.services.context().session() as session:
        return len(session.exec(select(ChatIdentity)).all()), len(session.exec(select(AuditLog)).all())


async def test_a_valid_token_is_served_and_replies_carry_the_bots_token(teams: Teams, entra: FakeEntraID) -> None:
    token = entra.token(app_id=APP_ID, service_url=teams.service_url)
    status, _ = await teams.post(message(TD, teams.service_url, "status"), token=token)
    assert status == 200
    (reply,) = teams.connector.of("reply")
    assert reply.authorization == "Bearer outbound-token"
    assert "FY2025" in texts(reply.body)
    assert all(c.authorization == "Bearer outbound-token" for c in teams.connector.calls)
    grant = entra.token_requests[0]
    assert grant["client_id"] == APP_ID and grant["client_secret"] == "app-secret"
    assert grant["scope"] == "https://api.botframework.com/.default"


async def test_a_card_action_with_a_valid_token_answers_the_invoke_itself(teams: Teams, entra: FakeEntraID) -> None:
    token = entra.token(app_id=APP_ID, service_url=teams.service_url)
    status, body = await teams.post(card_action(TD, teams.service_url, "form.unknown", {"_key": "k"}), token=token)
    assert status == 200  # CloudAdapter.process would answer 500 here
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"


def forged_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(
    "case",
    [
        "wrong audience",
        "wrong serviceUrl claim",
        "expired",
        "wrong issuer",
        "signed by another key",
        "unknown key id",
        "garbage",
        "missing",
        "not bearer",
        "three parts",
    ],
)
async def test_bad_tokens_are_401_with_nothing_sent_or_written(teams: Teams, entra: FakeEntraID, case: str) -> None:
    url = teams.service_url
    headers: dict[str, str] = {}
    token = {
        "wrong audience": lambda: entra.token(app_id="another-app", service_url=url),
        "wrong serviceUrl claim": lambda: entra.token(app_id=APP_ID, service_url="https://evil.example/"),
        "expired": lambda: entra.token(app_id=APP_ID, service_url=url, lifetime=-3600),
        "wrong issuer": lambda: entra.token(app_id=APP_ID, service_url=url, issuer="https://evil.example"),
        "signed by another key": lambda: entra.token(app_id=APP_ID, service_url=url, key=forged_key()),
        "unknown key id": lambda: entra.token(app_id=APP_ID, service_url=url, kid="nope"),
        "garbage": lambda: "not.a.jwt",
    }.get(case)
    if token is not None:
        headers["Authorization"] = f"Bearer {token()}"
    elif case == "not bearer":
        headers["Authorization"] = f"Basic {entra.token(app_id=APP_ID, service_url=url)}"
    elif case == "three parts":
        headers["Authorization"] = f"Bearer {entra.token(app_id=APP_ID, service_url=url)} extra"
    before = written(teams)
    status, body = await teams.server.post("/api/messages", message(TD, url, "snooze"), headers=headers)
    assert status == 401, body
    assert "Traceback" not in str(body)
    assert teams.connector.calls == []
    assert written(teams) == before == (0, before[1])


async def test_an_unlisted_tenant_is_refused(teams: Teams, entra: FakeEntraID) -> None:
    token = entra.token(app_id=APP_ID, service_url=teams.service_url)
    before = written(teams)
    status, _ = await teams.post(message(TD, teams.service_url, "snooze", tenant=OTHER_TENANT), token=token)
    assert status == 403
    assert teams.connector.calls == [] and written(teams) == before


async def test_the_allow_list_names_the_tenants_served(tmp_path: Path, entra: FakeEntraID) -> None:
    async with running_teams(
        tmp_path, dev=False, **credentials(entra, TEAMS_ALLOWED_TENANTS=f" {OTHER_TENANT.upper()} ")
    ) as t:
        token = entra.token(app_id=APP_ID, service_url=t.service_url)
        ours, _ = await t.post(message(TD, t.service_url, "status"), token=token)
        other, _ = await t.post(message(TD, t.service_url, "status", tenant=OTHER_TENANT), token=token)
    assert (ours, other) == (403, 200)


async def test_without_credentials_teams_is_off(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ceu.teams")
    services = build_services(teams_settings(tmp_path, MICROSOFT_APP_ID=APP_ID))  # password and tenant missing
    server = await AppServer(build_app(services, dev=False)).start()
    try:
        status, _ = await server.post("/api/messages", message(TD, "http://127.0.0.1:9/", "status"))
    finally:
        await server.close()
        services.engine.dispose()
    assert status in (404, 405)
    lines = [r.getMessage() for r in caplog.records if r.name == "ceu.teams"]
    assert len(lines) == 1 and "Teams is off" in lines[0] and "MICROSOFT_APP_PASSWORD" in lines[0]


async def test_dev_mode_serves_without_a_token_and_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ceu.teams")
    async with running_teams(tmp_path, dev=True) as t:
        status, _ = await t.post(message(TD, t.service_url, "status", tenant=OTHER_TENANT))
        assert status == 200 and t.connector.of("reply")
    assert any(r.levelno == logging.WARNING and "UNAUTHENTICATED" in r.getMessage() for r in caplog.records)
