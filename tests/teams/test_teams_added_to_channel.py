"""docs/deploy.md's way to find TEAMS_REVIEW_CHANNEL: add the bot to the reviewers' channel and read the id it logs.
A real conversationUpdate (the bot among membersAdded, in a team channel) through the real server: one log line
names the channel's conversation id, and nothing is posted in the channel."""

from __future__ import annotations

import logging

import pytest

from tests.fakes.bot_connector import BOT_ID, TENANT, channel_conversation, members_added
from tests.fakes.teams_harness import REVIEWER, Teams

NEW_CHANNEL = "19:2b7c5e0f9a1d4c3e8f6a@thread.tacv2"


async def test_added_to_a_channel_logs_its_conversation_id(teams: Teams, caplog: pytest.LogCaptureFixture) -> None:
    activity = members_added(REVIEWER, teams.service_url)
    activity["conversation"] = channel_conversation(NEW_CHANNEL, TENANT)
    activity["membersAdded"] = [{"id": BOT_ID}]
    activity["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": NEW_CHANNEL}, "channel": {"id": NEW_CHANNEL}}
    with caplog.at_level(logging.INFO, logger="ceu.teams"):
        status, _ = await teams.post(activity)
    assert status == 200
    lines = [r.getMessage() for r in caplog.records if NEW_CHANNEL in r.getMessage()]
    assert lines == [
        f"Teams: added to conversation {NEW_CHANNEL} (tenant {TENANT}); "
        "use it as TEAMS_REVIEW_CHANNEL for the reviewers"
    ]
    assert teams.connector.messages() == []  # nothing said in front of the channel
