"""Every event can be picked in the Slack submit modal, however large the catalog: past 100 events the picker uses
option groups of 100 (Slack filters them as the user types), and an event far down the list is submittable.
Signed requests into the real server, the fake Slack Web API recording views.open."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from storage.tables import CatalogEntry, CreditRecord
from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.slack.test_slack_workflow import MAX_BYTES, PDF, submissions, submit_values

EXTRA = 370  # the review's example: a catalog of 370 events


@pytest.fixture
async def bot(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackBot]:
    async with running_bot(tmp_path, sqlite_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES) as b:
        seed_basic(b.ctx())
        yield b


def add_events(bot: SlackBot, count: int) -> None:
    with bot.ctx().session() as s:
        for n in range(count):
            s.add(
                CatalogEntry(
                    fy=2025,
                    code=f"EXT-Z{n:03d}",
                    title=f"Zz regional workshop {n:03d}",
                    kind="external",
                    day=None,
                    cap=16,
                    up_to=True,
                    evidence="file",
                    strands=0b111111,
                )
            )
        s.commit()


async def event_element(bot: SlackBot) -> dict[str, Any]:
    await bot.command("submit")
    [call] = await bot.fake.wait_for("views.open")
    [block] = [b for b in call["view"]["blocks"] if b["block_id"] == "event"]
    element: dict[str, Any] = block["element"]
    return element


def values_of(element: dict[str, Any]) -> list[str]:
    if "option_groups" in element:
        return [o["value"] for g in element["option_groups"] for o in g["options"]]
    return [o["value"] for o in element["options"]]


async def test_small_catalog_is_a_plain_list(bot: SlackBot) -> None:
    element = await event_element(bot)
    assert element["type"] == "static_select" and "option_groups" not in element
    assert 0 < len(element["options"]) <= 100


async def test_every_event_is_offered_past_100_and_the_last_one_submits(bot: SlackBot) -> None:
    with bot.ctx().session() as s:
        before = len([e for e in s.exec(select(CatalogEntry)).all() if e.fy == 2025 and e.kind == "external"])
    add_events(bot, EXTRA)
    element = await event_element(bot)
    assert "options" not in element
    groups = element["option_groups"]
    assert all(len(g["options"]) <= 100 for g in groups) and len(groups) <= 100
    assert all(len(g["label"]["text"]) <= 75 for g in groups)
    offered = values_of(element)
    assert len(offered) == len(set(offered)) == before + EXTRA
    last = "2025:EXT-Z369"
    assert offered[-1] == last  # sorted by title: the Zz workshops come last

    bot.fake.add_file("F1", PDF, name="certificate.pdf", mimetype="application/pdf")
    answer = await bot.submit_view("submit", submit_values(event=last))
    assert answer.json()["response_action"] == "update", answer.text
    [sub] = submissions(bot)
    with bot.ctx().session() as s:
        credit = s.get(CreditRecord, sub.credit_id)
        assert credit is not None
        entry = s.get(CatalogEntry, credit.catalog_id)
        assert entry is not None and entry.code == "EXT-Z369"


async def test_view_stays_small_enough_for_slack(bot: SlackBot) -> None:
    add_events(bot, EXTRA)
    await bot.command("submit")
    [call] = await bot.fake.wait_for("views.open")
    assert len(json.dumps(call["view"])) < 100_000  # 400 events stay a compact view
