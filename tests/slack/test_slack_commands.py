"""Slack text surface end to end: signed requests over HTTP into the real aiohttp server, the fake Slack Web API
recording what the bot sent. Every /ceu command, identity caching, unknown users, DMs, forged/unsigned/stale
requests and switching Slack off."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlmodel import select

from bot.app import build_app, build_services
from storage.tables import AuditLog, ChatIdentity, Person
from tests.conftest import TODAY
from tests.fakes.slack_harness import SlackBot, settings_for
from tests.slack_signing import SECRET, command_body, signed_headers


def texts(message: dict[str, Any]) -> str:
    """Everything a message shows: the fallback text and every block's text."""
    parts = [str(message.get("text", ""))]
    for block in message.get("blocks") or []:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(str(text.get("text", "")))
        for element in block.get("elements") or []:
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


def identities(bot: SlackBot) -> list[ChatIdentity]:
    with bot.ctx().session() as s:
        return list(s.exec(select(ChatIdentity)).all())


async def test_status_is_ephemeral_block_kit_with_text_fallback(bot: SlackBot) -> None:
    answer = await bot.command("status")
    assert answer.status == 200
    assert answer.text == ""  # the ack is empty; the reply comes through response_url
    msg = await bot.wait_response()
    assert msg["response_type"] == "ephemeral"
    assert "TD-CEU status, FY2025" in msg["text"]
    assert msg["blocks"][0]["type"] == "header"
    assert len(msg["blocks"]) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in msg["blocks"] if b["type"] == "section")
    assert "Alex" in texts(msg)
    assert "CTO Academy" in texts(msg)


async def test_known_user_costs_no_slack_call(bot: SlackBot) -> None:
    await bot.command("status", key="one")
    await bot.wait_response("one")
    assert len(bot.fake.calls_to("users.info")) == 1
    [row] = identities(bot)
    assert (row.platform, row.external_id, row.tenant_id) == ("slack", "UTD", "T0TEST")
    await bot.command("", key="two")  # bare /ceu is status too
    msg = await bot.wait_response("two")
    assert "TD-CEU status, FY2025" in msg["text"]
    assert len(bot.fake.calls_to("users.info")) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("history", "FY2025"),
        ("history 2025", "FY2025"),
        ("history FY2031", "has no TD-CEU records"),
        ("events", "Approved external events"),
        ("help", "what I can do"),
        ("frobnicate the widgets", "what I can do"),
    ],
)
async def test_text_commands(bot: SlackBot, text: str, expected: str) -> None:
    seen = await bot.ask("td", text)
    assert seen.raw["response_type"] == "ephemeral"
    assert expected.lower() in seen.text.lower(), seen


async def test_snooze_records_and_answers(bot: SlackBot) -> None:
    seen = await bot.ask("td", "snooze")
    assert "Reminders paused until 2025-03-10" in seen.raw["text"]
    with bot.ctx().session() as s:
        person = s.exec(select(Person).where(Person.email == "td@a.k12.al.us")).one()
        assert str(person.snoozed_until) == "2025-03-10"


async def test_unknown_user_gets_whom_to_contact_and_nothing_recorded(bot: SlackBot) -> None:
    with bot.ctx().session() as s:
        audits_before = len(s.exec(select(AuditLog)).all())
    await bot.command("snooze", user="UNOBODY")
    msg = await bot.wait_response()
    assert "not on the TD-CEU roster" in msg["text"]
    assert "stranger@example.org" in msg["text"]
    assert identities(bot) == []
    with bot.ctx().session() as s:
        assert len(s.exec(select(AuditLog)).all()) == audits_before


async def test_profile_without_email_is_unknown(bot: SlackBot) -> None:
    bot.fake.add_user("UHIDDEN", None)
    await bot.command("status", user="UHIDDEN")
    msg = await bot.wait_response()
    assert "not on the TD-CEU roster" in msg["text"]
    assert identities(bot) == []


async def test_slack_lookup_failure_is_a_polite_reply(bot: SlackBot) -> None:
    bot.fake.fail("users.info", "fatal_error")
    await bot.command("status")
    msg = await bot.wait_response()
    assert msg["response_type"] == "ephemeral"
    assert "could not look you up" in msg["text"]
    assert "Traceback" not in texts(msg) and "SlackApiError" not in texts(msg)


async def test_rate_limited_lookup_is_retried(bot: SlackBot) -> None:
    bot.fake.rate_limit("users.info", times=1, retry_after=0)
    await bot.command("status")
    msg = await bot.wait_response()
    assert "TD-CEU status" in msg["text"]
    assert len(bot.fake.calls_to("users.info")) == 2


async def test_submit_opens_the_modal(bot: SlackBot) -> None:
    await bot.command("submit")
    [call] = await bot.fake.wait_for("views.open")
    assert call["trigger_id"] == "1337.42.abcdef"
    view = call["view"]
    assert view["type"] == "modal" and view["callback_id"] == "submit"
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    assert kinds["event"] == "static_select"
    assert kinds["date"] == "datepicker"
    assert kinds["hours"] == "plain_text_input"
    assert kinds["strands"] == "multi_static_select"
    assert kinds["evidence"] == "file_input"
    assert kinds["assignment"] == "plain_text_input"
    assert bot.responses() == []


async def test_request_opens_the_modal_for_directors_and_sde(bot: SlackBot) -> None:
    modal = await bot.ask("sde", "request")
    assert modal.raw["callback_id"] == "request"
    assert len(bot.fake.calls_to("views.open")) == 1


async def test_request_refused_for_a_reviewer(bot: SlackBot) -> None:
    seen = await bot.ask("reviewer", "request")
    assert "Only technology directors and SDE staff" in seen.raw["text"]
    assert bot.fake.calls_to("views.open") == []


async def test_direct_message_answers_in_the_dm(bot: SlackBot) -> None:
    event = {"type": "message", "channel_type": "im", "channel": "DTD1", "user": "UTD", "text": "status", "ts": "1.2"}
    assert (await bot.event(event)).status == 200
    [post] = await bot.fake.wait_for("chat.postMessage")
    assert post["channel"] == "DTD1"
    assert "TD-CEU status" in post["text"]
    [row] = identities(bot)
    assert row.dm_channel == "DTD1"


async def test_retried_event_is_not_answered_twice(bot: SlackBot) -> None:
    event = {"type": "message", "channel_type": "im", "channel": "DTD1", "user": "UTD", "text": "help", "ts": "1.3"}
    await bot.event(event)
    await bot.fake.wait_for("chat.postMessage")
    assert (await bot.event(event, retry_num=1)).status == 200
    await bot.command("help", key="sync")  # a later request, to be sure the retry had its chance
    await bot.wait_response("sync")
    assert len(bot.fake.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize("problem", ["forged", "unsigned", "stale"])
async def test_bad_signatures_get_401_and_write_nothing(bot: SlackBot, problem: str) -> None:
    body = command_body("snooze", user_id="UTD", response_url=bot.fake.response_url())
    if problem == "forged":
        headers = signed_headers(body, "not-the-secret")
    elif problem == "unsigned":
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    else:
        headers = signed_headers(body, SECRET, timestamp=int(time.time()) - 6 * 60)
    answer = await bot.post(body, headers)
    assert answer.status == 401
    await bot.command("help", user="UOLD", key="sync")  # a valid request afterwards completes normally
    await bot.wait_response("sync")
    assert bot.responses("cmd") == []
    assert [p["user"] for p in bot.fake.calls_to("users.info")] == ["UOLD"]
    with bot.ctx().session() as s:
        td = s.exec(select(Person).where(Person.email == "td@a.k12.al.us")).one()
        assert td.snoozed_until is None
    assert [i.external_id for i in identities(bot)] == ["UOLD"]


async def test_healthz_beside_slack(bot: SlackBot) -> None:
    async with bot.http.get(f"http://127.0.0.1:{bot.server.port}/healthz") as resp:
        assert resp.status == 200


async def test_slack_off_without_settings_logs_one_line(
    tmp_path: Path, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(tmp_path, sqlite_url, "http://127.0.0.1:9/api/", today=TODAY, SLACK_BOT_TOKEN="")
    services = build_services(settings)
    with caplog.at_level(logging.INFO, logger="ceu.slack"):
        app = build_app(services)
    lines = [r.getMessage() for r in caplog.records if r.name == "ceu.slack"]
    assert lines == ["Slack is off: SLACK_BOT_TOKEN is not set"]
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http, http.post(f"http://127.0.0.1:{server.port}/slack/events") as r:
            assert r.status in (404, 405)
    finally:
        await server.close()
        services.engine.dispose()
