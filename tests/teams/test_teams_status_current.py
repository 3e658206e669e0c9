"""A Teams `status` from a known user: its numbers are current right after a write (the status a replica keeps is
rebuilt when the person's version moved), and the message itself writes nothing when the user's stored identity
has not changed (before, every message rewrote it)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.runner import WORKERS, off_loop
from storage.tables import ChatIdentity
from tests.conftest import load
from tests.fakes.bot_connector import message
from tests.fakes.teams_harness import TD, Teams, running_teams, texts


@pytest.fixture
async def teams(tmp_path: Path) -> AsyncIterator[Teams]:
    async with running_teams(tmp_path) as harness:
        yield harness


def identity_rows(t: Teams) -> list[tuple[str | None, object]]:
    with t.services.context().session() as session:
        return [(r.conversation_ref, r.updated_at) for r in session.exec(select(ChatIdentity)).all()]


async def test_status_is_current_right_after_a_write(teams: Teams) -> None:
    assert "0 of" in texts(await teams.say(TD, "status"))
    assert "0 of" in texts(await teams.say(TD, "status"))  # kept from the first
    load(teams.services.context(), "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\n")
    card = texts(await teams.say(TD, "status"))
    assert "6 of" in card and "0 of" not in card


async def test_a_known_users_message_rewrites_nothing(teams: Teams) -> None:
    await teams.say(TD, "status")
    before = identity_rows(teams)
    assert len(before) == 1 and before[0][0]
    await teams.say(TD, "status")
    await teams.say(TD, "help")
    assert identity_rows(teams) == before


async def test_a_failed_direct_reply_is_answered_through_botbuilder(teams: Teams) -> None:
    await teams.say(TD, "status")  # first sight: the full turn
    teams.connector.fail_next("reply", 503)
    activity = message(TD, teams.service_url, "status")
    status, _ = await teams.post(activity)
    assert status == 200
    replies = [c for c in teams.connector.of("reply") if c.activity_id == activity["id"]]
    assert len(replies) == 2  # the direct post refused, then botbuilder's
    assert "FY2025" in texts(replies[-1].body["attachments"][0]["content"])


async def test_a_direct_reply_sent_but_unconfirmed_is_not_sent_again(teams: Teams) -> None:
    await teams.say(TD, "status")  # first sight: the full turn
    teams.connector.fail_next("reply", 0)  # the connector takes the reply, the connection drops before its answer
    activity = message(TD, teams.service_url, "status")
    status, _ = await teams.post(activity)
    assert status == 200
    replies = [c for c in teams.connector.of("reply") if c.activity_id == activity["id"]]
    assert len(replies) == 1  # it may have reached the person: a second reply could show the answer twice


async def test_a_kept_status_is_answered_with_every_worker_busy(teams: Teams) -> None:
    """On SQLite a known user's kept status needs no worker thread (the loop's own point read), and is still
    rebuilt, through the workers, once a write moved the person's version."""
    await teams.say(TD, "status")  # first sight: the full turn links them and keeps the status
    await teams.say(TD, "status")  # the direct reply (--dev: no outbound token to keep)
    release = threading.Event()
    busy = [asyncio.ensure_future(off_loop(release.wait, 10)) for _ in range(WORKERS)]
    activity = message(TD, teams.service_url, "status")
    try:
        status, _ = await asyncio.wait_for(teams.post(activity, settle=False), 5)
    finally:
        release.set()
        await asyncio.gather(*busy)
    replies = [c for c in teams.connector.of("reply") if c.activity_id == activity["id"]]
    assert status == 200 and len(replies) == 1
    assert "0 of" in texts(replies[0].body["attachments"][0]["content"])
    load(teams.services.context(), "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\n")
    assert "6 of" in texts(await teams.say(TD, "status"))
