"""Form cards stay within Teams' message size with hundreds of catalog events: the event picker keeps as many
choices as fit (and says so) in Teams' `filtered` style, a code box under it takes one not listed (`events WORD`
finds its code), all valid Adaptive Card 1.5 (no `choices.data`, a 1.6 property), and an event beyond the list can
still be submitted. Over HTTP into the real server with the fake Bot Connector."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.teams.cards import PAYLOAD_BUDGET
from storage.tables import CatalogEntry, Submission
from tests.fakes.bot_connector import PAYLOAD_LIMIT, activity_problems, card_problems
from tests.fakes.teams_harness import TD, Teams, inputs, running_teams, texts
from tests.teams.test_teams_workflow import ANSWERS, execute, rows

EVENTS = 400


def title(i: int) -> str:
    return f"Regional Technology Leadership Workshop {i:03d}: Cybersecurity, E-Rate and Data Privacy for Districts"


@pytest.fixture
async def teams(tmp_path: Path) -> AsyncIterator[Teams]:
    async with running_teams(tmp_path) as harness:
        with harness.services.context().session() as session:
            for i in range(EVENTS):
                session.add(
                    CatalogEntry(fy=2025, code=f"EXT-BIG-{i:03d}", title=title(i), kind="external", cap=12, strands=12)
                )
            session.commit()
        yield harness


def sent_form(t: Teams) -> dict[str, Any]:
    """The activity of the last card the bot sent, as the Bot Connector received it."""
    return dict(t.connector.of("reply")[-1].body)


async def test_the_submit_form_fits_with_400_events_and_says_so(teams: Teams) -> None:
    form = await teams.say(TD, "submit")
    activity = sent_form(teams)
    size = len(json.dumps(activity).encode())
    assert size <= PAYLOAD_LIMIT and activity_problems(activity) == []  # valid Adaptive Card 1.5, under 28 KB
    assert form["version"] == "1.5" and card_problems(form) == []
    picker = inputs(form)["event"]
    shown = len(picker["choices"])
    assert 20 < shown < EVENTS + 20  # as many as fit, not all 420
    assert f"The list shows {shown} of {EVENTS + 20} choices" in texts(form)
    assert picker["style"] == "filtered" and "choices.data" not in picker  # 1.5: Teams filters what is listed
    assert inputs(form)["event_code"]["type"] == "Input.Text"  # one not listed: its code
    assert {"date", "hours", "strands", "assignment"} <= set(inputs(form))  # the rest of the form is whole


async def test_events_with_a_word_finds_the_code_of_one_not_in_the_list(teams: Teams) -> None:
    form = await teams.say(TD, "submit")
    shown = {c["value"] for c in inputs(form)["event"]["choices"]}
    assert "2025:EXT-BIG-399" not in shown
    found = await teams.say(TD, "events workshop 399")
    assert "EXT-BIG-399" in texts(found) and "EXT-BIG-398" not in texts(found)


async def test_an_event_not_listed_is_submitted_by_its_code(teams: Teams) -> None:
    form = await teams.say(TD, "submit")
    data = {**execute(form, "form.submit"), **ANSWERS, "event_code": "EXT-BIG-399"}
    data.pop("event", None)
    saved = await teams.press(TD, "form.submit", data)
    assert "Sent for review" in texts(saved) and "Workshop 399" in texts(saved)
    (sub,) = rows(teams, Submission)
    assert sub.status == "pending"


async def test_an_event_beyond_the_list_can_be_submitted(teams: Teams) -> None:
    form = await teams.say(TD, "submit")
    data = {**execute(form, "form.submit"), **ANSWERS, "event": "2025:EXT-BIG-399"}
    saved = await teams.press(TD, "form.submit", data)
    assert "Sent for review" in texts(saved) and "Workshop 399" in texts(saved)
    (sub,) = rows(teams, Submission)
    assert sub.status == "pending"


async def test_a_refused_form_keeps_the_chosen_event_beyond_the_list(teams: Teams) -> None:
    form = await teams.say(TD, "submit")
    data = {**execute(form, "form.submit"), **ANSWERS, "event": "2025:EXT-BIG-399", "hours": "lots"}
    again = await teams.press(TD, "form.submit", data)  # the invoke answer: the same form with its errors
    assert "Nothing was saved yet" in texts(again)
    picker = inputs(again)["event"]
    assert picker["value"] == "2025:EXT-BIG-399" and picker["choices"][0]["value"] == "2025:EXT-BIG-399"
    body = {"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": again}
    assert len(json.dumps(body).encode()) <= PAYLOAD_BUDGET + 512
    assert rows(teams, Submission) == []
