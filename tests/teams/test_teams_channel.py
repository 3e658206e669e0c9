"""Outside the personal chat (a team channel, a group chat) the bot answers only `help` and `events`; everything
personal gets a polite "ask me in our personal chat" and nothing of the person is shown. Review buttons keep working
in the reviewers' channel. Over HTTP into the real server with the fake Bot Connector."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from storage.tables import Person, Submission
from tests.fakes.bot_connector import TENANT, channel_conversation
from tests.fakes.teams_harness import (
    MEMBERS,
    REVIEW_CHANNEL,
    REVIEWER,
    STRANGER,
    TD,
    Teams,
    inputs,
    texts,
)
from tests.teams.test_teams_workflow import execute, review_posts, rows, submitted_with_file

GENERAL = channel_conversation("19:general@thread.tacv2", TENANT)
GROUP_CHAT = {"isGroup": True, "conversationType": "groupChat", "tenantId": TENANT, "id": "19:group@thread.v2"}
REVIEWERS = channel_conversation(REVIEW_CHANNEL, TENANT)


@pytest.mark.parametrize("conversation", [GENERAL, GROUP_CHAT], ids=["channel", "group chat"])
@pytest.mark.parametrize("text", ["status", "history FY2025", "", "hi", "snooze", "submit", "request"])
async def test_personal_commands_are_not_answered_in_a_channel(
    teams: Teams, conversation: dict[str, Any], text: str
) -> None:
    card = await teams.say(TD, text, conversation=conversation)
    assert "personal chat" in texts(card)
    assert "Alex Director" not in texts(card) and "FY2025" not in texts(card)  # nothing about the person
    assert inputs(card) == {}  # no form in front of everyone
    with teams.services.context().session() as session:
        person = session.exec(select(Person).where(Person.email == MEMBERS[TD])).one()
        assert person.snoozed_until is None


async def test_help_and_events_are_answered_in_a_channel(teams: Teams) -> None:
    assert "what I can do" in texts(await teams.say(TD, "help", conversation=GENERAL))
    assert "what I can do" in texts(await teams.say(TD, "make me a sandwich", conversation=GENERAL))
    assert "CoSN" in texts(await teams.say(TD, "events", conversation=GENERAL))


async def test_the_same_commands_work_in_the_personal_chat(teams: Teams) -> None:
    assert "FY2025" in texts(await teams.say(TD, "status"))
    assert "event" in inputs(await teams.say(TD, "submit"))


async def test_a_stranger_in_a_channel_is_not_named(teams: Teams) -> None:
    card = await teams.say(STRANGER, "status", conversation=GENERAL)
    assert MEMBERS[STRANGER] not in texts(card) and "personal chat" in texts(card)
    personal = await teams.say(STRANGER, "status")
    assert "not on the TD-CEU roster" in texts(personal)  # told in private


async def test_review_buttons_still_work_in_the_reviewers_channel(teams: Teams) -> None:
    await submitted_with_file(teams)
    (post,) = review_posts(teams)
    card = post.body["attachments"][0]["content"]
    clicked = await teams.press(REVIEWER, "review.approve", execute(card, "review.approve"), conversation=REVIEWERS)
    assert "Approved" in texts(clicked)
    assert rows(teams, Submission)[0].status == "approved"
