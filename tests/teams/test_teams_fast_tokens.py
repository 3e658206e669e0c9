"""The direct `status` reply's own token check (bot/teams/tokens.py) on the real server, with tokens signed by the
local Entra ID stand-in's keys: a valid channel token is accepted without botbuilder and answered; a token with
the wrong audience, issuer, serviceurl claim, signature, algorithm, an expired one or one whose key does not
endorse the activity's channel is 401 (botbuilder's refusal) with nothing sent or written; an unknown key id
fetches the keys again once (a rotated key is then accepted); the keys unreachable is 503 as before."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.runner import WORKERS, off_loop
from bot.teams.tokens import REFRESH, ChannelTokens
from tests.fakes.bot_connector import CHANNEL_ISSUER, FakeEntraID, message
from tests.fakes.teams_harness import TD, Teams, running_teams, texts
from tests.teams.test_teams_auth import APP_ID, credentials, written
from tests.teams.test_teams_fast_inbound import msrest_reply


@pytest.fixture
def entra() -> Iterator[FakeEntraID]:
    fake = FakeEntraID().start()
    yield fake
    fake.close()


@pytest.fixture
async def teams(tmp_path: Path, entra: FakeEntraID) -> AsyncIterator[Teams]:
    """Authenticated Teams with Alex Director linked (their first message took the full turn)."""
    async with running_teams(tmp_path, dev=False, **credentials(entra)) as harness:
        status, _ = await harness.post(message(TD, harness.service_url, "status"), token=valid(entra, harness))
        assert status == 200 and len(harness.connector.of("reply")) == 1
        harness.connector.calls.clear()
        yield harness


def tokens_of(t: Teams) -> ChannelTokens:
    assert t.endpoint.tokens is not None
    return t.endpoint.tokens


def valid(entra: FakeEntraID, t: Teams) -> str:
    return entra.token(app_id=APP_ID, service_url=t.service_url)


def signed(entra: FakeEntraID, t: Teams, *, alg: str = "RS256", key: Any = None, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": CHANNEL_ISSUER, "aud": APP_ID, "serviceurl": t.service_url, "nbf": now - 60, "exp": now + 3600}
    body.update(claims)
    return jwt.encode(body, key if key is not None else entra.key, algorithm=alg, headers={"kid": entra.kid})


async def test_a_known_callers_status_is_accepted_and_answered_without_botbuilder(
    teams: Teams, entra: FakeEntraID
) -> None:
    accepted, fetches = tokens_of(teams).accepted, tokens_of(teams).fetches
    activity = message(TD, teams.service_url, "status")
    status, _ = await teams.post(activity, token=valid(entra, teams))
    assert status == 200
    (reply,) = teams.connector.of("reply")
    assert reply.activity_id == activity["id"] and reply.authorization == "Bearer outbound-token"
    assert "FY2025" in texts(reply.body)
    (attachment,) = reply.body["attachments"]
    assert reply.body == msrest_reply(activity, attachment["content"], reply.body["summary"])  # as before
    assert (tokens_of(teams).accepted, tokens_of(teams).fetches) == (accepted + 1, fetches)  # keys cached


def forged() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


CASES = {
    "wrong audience": lambda e, t: signed(e, t, aud="another-app"),
    "audience list": lambda e, t: signed(e, t, aud=[APP_ID]),
    "wrong issuer": lambda e, t: signed(e, t, iss="https://evil.example"),
    "emulator issuer": lambda e, t: signed(e, t, iss="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"),
    "expired": lambda e, t: signed(e, t, exp=int(time.time()) - 3600),
    "not yet valid": lambda e, t: signed(e, t, nbf=int(time.time()) + 3600),
    "bad signature": lambda e, t: signed(e, t, key=forged()),
    "wrong serviceurl claim": lambda e, t: signed(e, t, serviceurl="https://evil.example/"),
    "no serviceurl claim": lambda e, t: signed(e, t, serviceurl=None),
    "alg none": lambda e, t: signed(e, t, alg="none", key=""),
    "HS256": lambda e, t: signed(e, t, alg="HS256", key="a-shared-secret-of-some-length-32b"),
}


@pytest.mark.parametrize("case", [*CASES, "channel not endorsed"])
async def test_bad_tokens_on_the_fast_path_are_401_with_nothing_sent_or_written(
    teams: Teams, entra: FakeEntraID, case: str
) -> None:
    activity = message(TD, teams.service_url, "status")
    if case == "channel not endorsed":  # the key endorses msteams and emulator only
        activity["channelId"] = "webchat"
        token = valid(entra, teams)
    else:
        token = CASES[case](entra, teams)
    before, accepted = written(teams), tokens_of(teams).accepted
    status, body = await teams.server.post("/api/messages", activity, token=token)
    assert status == 401, body
    assert teams.connector.calls == []
    assert written(teams) == before
    assert tokens_of(teams).accepted == accepted


async def test_an_unknown_key_id_fetches_the_keys_once(teams: Teams, entra: FakeEntraID) -> None:
    checker = tokens_of(teams)
    fetches = checker.fetches
    old_key = entra.key
    entra.key, entra.kid = forged(), "kid-rotated"  # the Bot Framework published a new key
    status, _ = await teams.post(message(TD, teams.service_url, "status"), token=valid(entra, teams))
    assert status == 200 and len(teams.connector.of("reply")) == 1  # fetched again, found and accepted here
    assert checker.fetches == fetches + 1 and "kid-rotated" in checker.keys
    teams.connector.calls.clear()
    before = written(teams)
    for kid in ("nope", "nope-either"):  # unknown to the key set: no further fetch within UNKNOWN_KID_EVERY
        token = jwt.encode({"iss": CHANNEL_ISSUER, "aud": APP_ID}, old_key, algorithm="RS256", headers={"kid": kid})
        status, _ = await teams.server.post("/api/messages", message(TD, teams.service_url, "status"), token=token)
        assert status == 401
    assert checker.fetches == fetches + 1
    assert teams.connector.calls == [] and written(teams) == before


async def test_the_keys_unreachable_is_503_with_nothing_sent(tmp_path: Path, entra: FakeEntraID) -> None:
    async with running_teams(tmp_path, dev=False, **credentials(entra)) as t:
        token = valid(entra, t)
        entra.close()
        before = written(t)
        status, body = await t.server.post("/api/messages", message(TD, t.service_url, "status"), token=token)
        assert status == 503, body
        assert t.connector.calls == [] and written(t) == before
        assert tokens_of(t).fetches == 1 and tokens_of(t).accepted == 0


async def test_a_token_verified_before_is_still_checked_against_each_activity(teams: Teams, entra: FakeEntraID) -> None:
    token = valid(entra, teams)
    status, _ = await teams.post(message(TD, teams.service_url, "status"), token=token)
    assert status == 200 and tokens_of(teams).accepted >= 1
    teams.connector.calls.clear()
    before, accepted = written(teams), tokens_of(teams).accepted
    elsewhere = message(TD, teams.service_url.rstrip("/") + "/elsewhere/", "status")  # not the serviceurl claim
    webchat = {**message(TD, teams.service_url, "status"), "channelId": "webchat"}  # not endorsed
    for activity in (elsewhere, webchat):
        status, body = await teams.server.post("/api/messages", activity, token=token)
        assert status == 401, body
    assert teams.connector.calls == [] and written(teams) == before and tokens_of(teams).accepted == accepted


async def test_keys_a_day_old_that_cannot_be_fetched_again_accept_nothing_here(
    teams: Teams, entra: FakeEntraID
) -> None:
    checker = tokens_of(teams)
    token = valid(entra, teams)
    assert checker.fetched_at is not None
    checker.fetched_at -= REFRESH + 1  # the daily refresh is due
    entra.close()  # and the keys are out of reach
    accepted = checker.accepted
    await teams.server.post("/api/messages", message(TD, teams.service_url, "status"), token=token)
    assert checker.accepted == accepted  # botbuilder decided, with its own keys, not the stale ones here


async def test_an_authenticated_kept_status_needs_no_worker_thread(teams: Teams, entra: FakeEntraID) -> None:
    status, _ = await teams.post(message(TD, teams.service_url, "status"), token=valid(entra, teams))
    assert status == 200  # the direct reply on a worker: the outbound token asked for and kept
    release = threading.Event()
    busy = [asyncio.ensure_future(off_loop(release.wait, 10)) for _ in range(WORKERS)]
    activity = message(TD, teams.service_url, "status")
    try:
        status, _ = await asyncio.wait_for(teams.post(activity, token=valid(entra, teams), settle=False), 5)
    finally:
        release.set()
        await asyncio.gather(*busy)
    replies = [c for c in teams.connector.of("reply") if c.activity_id == activity["id"]]
    assert status == 200 and len(replies) == 1 and replies[0].authorization == "Bearer outbound-token"
    assert "FY2025" in texts(replies[0].body)
