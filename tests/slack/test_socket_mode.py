"""Socket Mode end to end: a real `ceu-bot serve` with SLACK_APP_TOKEN (no public URL, no signing secret) opens
the fake Socket Mode endpoint through `apps.connections.open` on SLACK_API_URL, gets envelopes over the websocket
and acks each one (envelope_id, and the payload where Slack takes one): `/ceu status` answered on its
response_url, `/ceu submit` opening the modal, the modal's submission (ack payload response_action=update) posted
to the reviewers' channel with the evidence in its thread, and a reviewer's Approve press settling it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from handlers.context import Context
from storage.db import open_database
from storage.tables import ReviewPost, Submission
from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import REVIEW_CHANNEL, USERS
from tests.fakes.socket_mode import FakeSocketMode
from tests.served import Served, serving
from tests.slack.test_slack_workflow import PDF, buttons, message_text, submit_values
from tests.slack_signing import block_action, view_submission


@dataclass
class SocketBot:
    fake: FakeSlackApi
    socket: FakeSocketMode
    served: Served
    db_url: str

    def rows(self, table: type) -> list[Any]:
        engine = open_database(self.db_url)
        try:
            with Session(engine) as s:
                return list(s.exec(select(table)).all())
        finally:
            engine.dispose()

    async def row(self, table: type, tries: int = 400) -> object:
        for _ in range(tries):  # the work after the ack lands a little later
            found = self.rows(table)
            if found:
                return found[0]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {table.__name__} row")


def settings(data_dir: Path, fake: FakeSlackApi, socket: FakeSocketMode) -> dict[str, str]:
    return {
        "CEU_DATA_DIR": str(data_dir),
        "CEU_TODAY": TODAY.isoformat(),
        "CEU_SCHEDULER": "false",
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_APP_TOKEN": socket.app_token,
        "SLACK_API_URL": fake.api_url,
        "SLACK_REVIEW_CHANNEL": REVIEW_CHANNEL,
    }


def seed(db_url: str, data_dir: Path, today: date = TODAY) -> None:
    engine = open_database(db_url)
    try:
        seed_basic(Context(engine, today, evidence_dir=data_dir / "evidence"))
    finally:
        engine.dispose()


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[SocketBot]:
    fake = FakeSlackApi()
    socket = FakeSocketMode(fake)
    await fake.start()
    for user_id, email in USERS.items():
        fake.add_user(user_id, email)
    data_dir = tmp_path / "data"
    db_url = f"sqlite:///{data_dir / 'ceu.sqlite3'}"
    seed(db_url, data_dir)
    try:
        async with serving(settings(data_dir, fake, socket), tmp_path) as served:
            await socket.connected()
            yield SocketBot(fake, socket, served, db_url)
            await socket.close()
    finally:
        await fake.close()


async def test_status_command_is_acked_and_answered(bot: SocketBot) -> None:
    assert bot.fake.methods().count("apps.connections.open") == 1  # on SLACK_API_URL, with the app-level token
    assert bot.fake.auth_headers[bot.fake.methods().index("apps.connections.open")] == f"Bearer {bot.socket.app_token}"
    answered = bot.fake.expect("status")
    ack = await bot.socket.command("status", user_id="UTD", response_url=bot.fake.response_url("status"))
    assert ack["envelope_id"] == bot.socket.sent[-1]["envelope_id"]
    reply = await asyncio.wait_for(answered, 60)
    assert reply["response_type"] == "ephemeral"
    assert "you need 12 more hours" in message_text(reply)


async def test_submit_modal_review_and_approve(bot: SocketBot) -> None:
    ack = await bot.socket.command("submit", user_id="UTD", response_url=bot.fake.response_url("submit"))
    assert ack["envelope_id"]
    [opened] = await bot.fake.wait_for("views.open", timeout=60)
    assert opened["view"]["callback_id"] == "submit"

    bot.fake.add_file("F1", PDF, name="certificate.pdf", mimetype="application/pdf")
    ack = await bot.socket.interactive(view_submission(user_id="UTD", callback_id="submit", values=submit_values()))
    assert ack["payload"]["response_action"] == "update", ack
    [post] = await bot.fake.wait_for("chat.postMessage", timeout=60)
    assert post["channel"] == REVIEW_CHANNEL and "Alex Director" in message_text(post)
    await bot.fake.wait_for("files.completeUploadExternal", timeout=60)
    [upload] = bot.fake.uploads
    assert upload["data"] == PDF
    review = await bot.row(ReviewPost)
    assert isinstance(review, ReviewPost) and review.message_id

    value = buttons(post)["review.approve"]
    ack = await bot.socket.interactive(
        block_action(
            user_id="UREV",
            action_id="review.approve",
            value=value,
            channel=REVIEW_CHANNEL,
            message_ts=review.message_id,
            response_url=bot.fake.response_url("click"),
        )
    )
    assert ack["envelope_id"] == bot.socket.sent[-1]["envelope_id"]
    [update] = await bot.fake.wait_for("chat.update", timeout=60)
    assert update["ts"] == review.message_id and "Approved" in message_text(update)
    [submission] = bot.rows(Submission)
    assert submission.status == "approved"
    assert {a["envelope_id"] for a in bot.socket.acks} == {e["envelope_id"] for e in bot.socket.sent}


async def test_a_malformed_envelope_is_acked_and_dropped(bot: SocketBot) -> None:
    ack = await bot.socket.interactive({"type": "block_actions", "actions": "not a list"})
    assert ack == {"envelope_id": bot.socket.sent[-1]["envelope_id"]}
    assert "payload malformed" in bot.served.log_text()
    ack = await bot.socket.command("status", user_id="UTD", response_url=bot.fake.response_url("after"))
    assert ack["envelope_id"] == bot.socket.sent[-1]["envelope_id"]  # the connection still serves


async def test_a_refused_app_token_is_one_log_line_and_the_server_stays_up(tmp_path: Path) -> None:
    fake = FakeSlackApi()
    socket = FakeSocketMode(fake)
    await fake.start()
    data_dir = tmp_path / "data"
    try:
        env = settings(data_dir, fake, socket) | {"SLACK_APP_TOKEN": "xapp-1-wrong"}
        async with serving(env, tmp_path) as served:
            for _ in range(400):
                if "apps.connections.open refused" in served.log_text():
                    break
                await asyncio.sleep(0.05)
            lines = [line for line in served.log_text().splitlines() if "Socket Mode is off" in line]
            assert len(lines) == 1 and "invalid_auth" in lines[0], served.log_text()
            assert socket.sockets == [] and len(fake.calls_to("apps.connections.open")) == 1
    finally:
        await fake.close()
