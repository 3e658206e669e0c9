"""The database goes away for a few seconds and comes back (issue 9): a TCP proxy in front of PostgreSQL that the
test closes (every connection cut, new ones refused) while /ceu status commands, a DM and a modal submission
arrive through the real aiohttp server. Slack still gets its ack at once, every user a polite "try again" (the
modal keeps what was typed), nothing is half-written, the log has one line per failure and no traceback, and the
next request after the proxy reopens is answered normally: the bot recovers by itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from storage.tables import EventRequest
from tests.conftest import TODAY, seed_basic
from tests.dbs import postgres_schema_url
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.fakes.tcp_proxy import TcpProxy
from tests.slack.test_slack_workflow import request_values
from tests.slack_attacks import tracebacks

OUTAGE_SECONDS = 3.0  # how long the database stays away while requests keep arriving (no assertion on time)


@dataclass
class Outage:
    bot: SlackBot
    proxy: TcpProxy


@pytest.fixture
def proxied_url() -> Iterator[tuple[str, TcpProxy]]:
    with postgres_schema_url() as url:
        target = make_url(url)
        proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
        port = proxy.start()
        try:
            yield target.set(host="127.0.0.1", port=port).render_as_string(hide_password=False), proxy
        finally:
            proxy.stop()


@pytest.fixture
async def outage(tmp_path: Path, proxied_url: tuple[str, TcpProxy]) -> AsyncIterator[Outage]:
    url, proxy = proxied_url
    async with running_bot(tmp_path, url, today=TODAY) as bot:
        seed_basic(bot.ctx())
        yield Outage(bot, proxy)


async def test_a_database_outage_is_polite_and_heals_by_itself(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot, proxy = outage.bot, outage.proxy
    assert (await bot.command("status", key="before")).status == 200
    assert "TD-CEU status" in (await bot.wait_response("before"))["text"]

    proxy.close()
    loop = asyncio.get_running_loop()
    cut_at, polite, rounds = loop.time(), 0, 0
    while rounds < 3 or loop.time() - cut_at < OUTAGE_SECONDS:  # a few seconds of requests, at most 20 rounds
        for user in ("UTD", "UOLD"):  # a known caller and a first-timer
            key = f"down-{rounds}-{user}"
            answer = await bot.command("status", user=user, key=key)
            assert answer.status == 200 and answer.text == ""  # acked at once, as always
            reply = await bot.wait_response(key)
            assert "out of reach just now" in reply["text"] and "try again" in reply["text"], reply
            assert reply["response_type"] == "ephemeral"
            polite += 1
        rounds += 1
        if rounds >= 20:
            break
        await asyncio.sleep(0.2)
    dm = {"type": "message", "channel_type": "im", "channel": "DTD1", "user": "UTD", "text": "status", "ts": "9.1"}
    assert (await bot.event(dm)).status == 200
    [told] = await bot.fake.wait_for("chat.postMessage")
    assert "out of reach just now" in told["text"]
    form = await bot.submit_view("request", request_values(), user="USDE")
    assert form.status == 200
    assert form.json()["response_action"] == "errors"  # the modal stays, with what was typed
    assert "out of reach just now" in form.json()["errors"]["title"]

    proxy.open()
    assert (await bot.command("status", key="after")).status == 200
    after = await bot.wait_response("after")
    assert "TD-CEU status, FY2025" in after["text"]  # the very next request: the pool reconnected by itself
    assert (await bot.command("status", user="UOLD", key="after-old")).status == 200
    assert "TD-CEU status, FY2025" in (await bot.wait_response("after-old"))["text"]

    outage_lines = [r for r in caplog.records if r.name == "ceu.slack" and "database unreachable" in r.getMessage()]
    print(f"\nDatabase outage: {polite + 2} requests while down, {polite + 2} polite replies, "
          f"{len(tracebacks(caplog.records))} tracebacks, recovered on the first request after")  # fmt: skip
    assert len(outage_lines) == polite + 2  # one line per failed request
    assert tracebacks(caplog.records) == []
    with bot.ctx().session() as s:
        assert s.exec(select(EventRequest)).all() == []
