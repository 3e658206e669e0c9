"""SlackNotifier against the fake Slack Web API (SENT / UNREACHABLE / FAILED, never raising) and Block Kit
rendering within Slack's limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.slack.blocks import MAX_BLOCKS, SECTION_TEXT_MAX, message_payload
from bot.slack.client import make_client
from bot.slack.notifier import SlackNotifier
from handlers.notify import DeliveryStatus, Recipient
from handlers.reply import Button, Fact, Reply, Section
from storage.evidence_store import FileStore
from storage.tables import ChatIdentity, Person
from tests.conftest import TODAY, make_ctx, seed_basic
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import settings_for

REPLY = Reply(title="Reminder", sections=[Section(text="Six hours left")], summary="Six hours left")


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi()
    await api.start()
    api.add_user("UTD", "td@a.k12.al.us")
    yield api
    await api.close()


@pytest.fixture
def notifier(fake: FakeSlackApi, engine: Engine, tmp_path: Path) -> SlackNotifier:
    seed_basic(make_ctx(engine, tmp_path))
    settings = settings_for(tmp_path, "sqlite://", fake.api_url, today=TODAY)
    return SlackNotifier(make_client(settings), engine, FileStore(tmp_path / "evidence"))


def td(engine: Engine) -> Recipient:
    with Session(engine) as s:
        p = s.exec(select(Person).where(Person.email == "td@a.k12.al.us")).one()
        assert p.id is not None
        return Recipient(p.id, p.email, p.name)


async def test_dm_by_email_then_from_the_stored_channel(fake: FakeSlackApi, notifier: SlackNotifier) -> None:
    who = td(notifier.engine)
    first = await notifier.send_dm(who, REPLY)
    assert (first.status, first.channel) == (DeliveryStatus.SENT, "DUTD")
    assert first.message_id
    assert fake.methods() == ["users.lookupByEmail", "conversations.open", "chat.postMessage"]
    with Session(notifier.engine) as s:
        row = s.exec(select(ChatIdentity)).one()
        assert (row.external_id, row.dm_channel) == ("UTD", "DUTD")
    fake.reset_calls()
    second = await notifier.send_dm(who, REPLY)
    assert second.status is DeliveryStatus.SENT
    assert fake.methods() == ["chat.postMessage"]
    [post] = fake.calls_to("chat.postMessage")
    assert post["text"].startswith("Reminder") and post["blocks"]


async def test_unknown_email_is_unreachable(fake: FakeSlackApi, notifier: SlackNotifier) -> None:
    nobody = Recipient(999, "nobody@example.org", "Nobody")
    result = await notifier.send_dm(nobody, REPLY)
    assert (result.status, result.error) == (DeliveryStatus.UNREACHABLE, "users_not_found")
    assert fake.calls_to("chat.postMessage") == []


async def test_rate_limit_after_retries_is_failed(fake: FakeSlackApi, notifier: SlackNotifier) -> None:
    fake.rate_limit("chat.postMessage", times=3, retry_after=0)
    result = await notifier.post_channel("CREVIEW", REPLY)
    assert result.status is DeliveryStatus.FAILED
    assert len(fake.calls_to("chat.postMessage")) == 3  # the first try and two retries


async def test_one_rate_limit_is_retried_and_sent(fake: FakeSlackApi, notifier: SlackNotifier) -> None:
    fake.rate_limit("chat.postMessage", times=1, retry_after=0)
    result = await notifier.post_channel("CREVIEW", REPLY)
    assert result.status is DeliveryStatus.SENT and result.channel == "CREVIEW"


async def test_server_error_is_failed(fake: FakeSlackApi, notifier: SlackNotifier) -> None:
    fake.queue("chat.update", status=503, body={"ok": False})
    fake.queue("chat.update", status=503, body={"ok": False})
    result = await notifier.update_message("CREVIEW", "1.2", REPLY)
    assert result.status is DeliveryStatus.FAILED


async def test_network_error_is_failed(fake: FakeSlackApi, notifier: SlackNotifier) -> None:
    await fake.close()  # nothing listens any more
    result = await notifier.post_channel("CREVIEW", REPLY)
    assert result.status is DeliveryStatus.FAILED


async def test_update_message_in_place(fake: FakeSlackApi, notifier: SlackNotifier) -> None:
    result = await notifier.update_message("CREVIEW", "1700000001.000100", REPLY)
    assert result.status is DeliveryStatus.SENT
    [call] = fake.calls_to("chat.update")
    assert (call["channel"], call["ts"]) == ("CREVIEW", "1700000001.000100")


def test_long_replies_stay_within_block_kit_limits() -> None:
    long_items = [f"record {i}: " + "x" * 120 for i in range(400)]
    reply = Reply(
        title="T" * 400,
        sections=[Section(heading=f"S{i}", text="y" * 5000, items=long_items[:40]) for i in range(30)]
        + [Section(facts=[Fact("a", "b")], more="… and 9 more")],
        buttons=[Button("review.approve", "Approve", "submission:1", "primary")],
    )
    payload = message_payload(reply)
    blocks = payload["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"  # the buttons survive trimming
    assert "trimmed" in str(blocks[-2])
    assert all(len(b["text"]["text"]) <= SECTION_TEXT_MAX for b in blocks if b["type"] == "section")
    assert len(blocks[0]["text"]["text"]) <= 150
    assert payload["text"].startswith("T")


def test_user_text_cannot_mention_everyone() -> None:
    reply = Reply(title="x", sections=[Section(text="<!channel> hi & bye", items=["<@U123>"])])
    rendered = str(message_payload(reply)["blocks"])
    assert "<!channel>" not in rendered and "&lt;!channel&gt;" in rendered
    assert "<@U123>" not in rendered
