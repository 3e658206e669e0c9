"""`/ceu status` from a known caller is answered in the ack itself (issue 15): the HTTP answer to Slack carries the
ephemeral message, nothing is posted to the response_url. First sight of a caller, and every other command, are
acked empty and answered after the ack. The numbers are current right after a write, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.runner import WORKERS, off_loop
from rules.fiscal import fiscal_year_of
from tests.conftest import TODAY, load, seed_basic
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.slack.test_slack_commands import texts


@pytest.fixture
async def bot(tmp_path: Path, db_url: str) -> AsyncIterator[SlackBot]:
    async with running_bot(tmp_path, db_url, today=TODAY) as b:
        seed_basic(b.ctx())
        yield b


def carried(answer: Any) -> dict[str, Any]:
    body = answer.json()
    assert answer.status == 200 and isinstance(body, dict), answer.text
    return body


async def test_a_known_callers_status_is_the_acks_own_body(bot: SlackBot) -> None:
    first = await bot.command("status", key="first")  # first sight: Slack is asked who this is, after the ack
    assert first.status == 200 and first.text == ""
    assert "TD-CEU status" in texts(await bot.wait_response("first"))

    answer = await bot.command("status", key="second")
    message = carried(answer)
    assert message["response_type"] == "ephemeral"
    assert "TD-CEU status, FY2025" in message["text"] and message["blocks"][0]["type"] == "header"
    assert "Alex" in texts(message)
    await asyncio.sleep(0.2)  # nothing follows on the response_url
    assert [m for m in bot.fake.calls_to("response_url") if m.get("_key") == "second"] == []
    assert len(bot.fake.calls_to("users.info")) == 1


async def test_the_ack_shows_a_write_at_once(bot: SlackBot) -> None:
    await bot.command("status", key="seen")
    await bot.wait_response("seen")
    assert "Credited:* 0 of" in texts(carried(await bot.command("status", key="before")))
    load(bot.ctx(), "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\n")
    assert "Credited:* 6 of" in texts(carried(await bot.command("status", key="after")))


async def test_other_commands_and_strangers_are_answered_after_the_ack(bot: SlackBot) -> None:
    await bot.command("status", key="seen")
    await bot.wait_response("seen")
    helped = await bot.command("help", key="help")
    assert helped.status == 200 and helped.text == ""
    assert "what I can do" in texts(await bot.wait_response("help"))
    stranger = await bot.command("status", user="UNOBODY", key="nobody")
    assert stranger.status == 200 and stranger.text == ""
    await bot.wait_response("nobody")
    again = await bot.command("status", user="UNOBODY", key="nobody-again")  # still not on the roster
    assert again.status == 200 and again.text == ""
    await bot.wait_response("nobody-again")


async def test_an_answer_not_ready_within_the_budget_comes_after_the_ack_once(
    bot: SlackBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.command("status", key="seen")
    await bot.wait_response("seen")
    monkeypatch.setattr("bot.slack.in_ack.ACK_BUDGET", 0.1)
    release = threading.Event()  # every worker thread busy until the ack is in: as if the database were slow
    busy = [asyncio.ensure_future(off_loop(release.wait, 10)) for _ in range(WORKERS)]
    try:  # an FY before the requirement is never kept: its answer needs the (busy) workers
        answer = await bot.command(f"status {fiscal_year_of(TODAY) - 1}", key="late")
    finally:
        release.set()
        await asyncio.gather(*busy)
    assert answer.status == 200 and answer.text == ""
    assert "has no TD-CEU records" in texts(await bot.wait_response("late"))
    await asyncio.sleep(0.2)
    assert len(bot.responses("late")) == 1


async def test_a_kept_status_is_in_the_ack_with_every_worker_busy(bot: SlackBot) -> None:
    """On SQLite a known caller's kept status needs no worker thread: one point read on the loop, the ack's body
    kept beside the status (PostgreSQL always takes the workers)."""
    await bot.command("status", key="seen")
    await bot.wait_response("seen")  # first sight, after the ack: linked, the status kept
    release = threading.Event()
    busy = [asyncio.ensure_future(off_loop(release.wait, 10)) for _ in range(WORKERS)]
    try:
        answer = await asyncio.wait_for(bot.command("status", key="kept"), 5)
    finally:
        release.set()
        await asyncio.gather(*busy)
    if bot.services.engine.dialect.name == "sqlite":
        assert "TD-CEU status" in texts(carried(answer))
        await asyncio.sleep(0.1)
        assert not [c for c in bot.fake.calls_to("response_url") if c.get("_key") == "kept"]  # the ack was all
    else:  # no loop reader on PostgreSQL: the busy workers push the answer after the ack, once
        assert answer.status == 200 and answer.text == ""
        assert "TD-CEU status" in texts(await bot.wait_response("kept"))
        await asyncio.sleep(0.2)
        assert len(bot.responses("kept")) == 1
