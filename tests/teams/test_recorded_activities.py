"""Bot Framework activities shaped exactly as Teams sends them (opsdroid style: recorded JSON in
tests/teams/recorded/, every field Teams includes, the ids of the test tenant's members), posted to the real
/api/messages: a personal-chat message, the adaptiveCard/action invoke of Approve pressed in the reviewers'
channel, and the conversationUpdate of the app being installed. Only the serviceUrl (the fake Bot Connector) and
the pressed item are put in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storage.tables import ReviewPost, Submission
from tests.fakes.bot_connector import CARD
from tests.fakes.teams_harness import REVIEW_CHANNEL, TD, Teams, texts
from tests.teams.test_teams_workflow import rows, submitted_with_file

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str, teams: Teams) -> dict[str, Any]:
    activity: dict[str, Any] = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    assert activity["channelId"] == "msteams" and activity["serviceUrl"].startswith("https://smba.trafficmanager.net/")
    activity["serviceUrl"] = teams.service_url
    return activity


def cards_to(teams: Teams, conversation_id: str, kind: str = "reply") -> list[dict[str, Any]]:
    return [
        a["content"]
        for c in teams.connector.of(kind)
        if c.conversation_id == conversation_id
        for a in c.body.get("attachments") or []
        if a["contentType"] == CARD
    ]


async def test_a_recorded_message_gets_the_status_card(teams: Teams) -> None:
    activity = recorded("message.json", teams)
    assert (activity["type"], activity["text"], activity["from"]["id"]) == ("message", "status", TD.user_id)
    status, _ = await teams.post(activity)
    assert status == 200
    [reply] = [c for c in teams.connector.of("reply") if c.activity_id == activity["id"]]
    [card] = [a["content"] for a in reply.body["attachments"] if a["contentType"] == CARD]
    assert card["fallbackText"].startswith("TD-CEU status, FY2025") and "Alex" in texts(card)


async def test_a_recorded_approve_invoke_decides_the_item(teams: Teams) -> None:
    sub_id = await submitted_with_file(teams)
    activity = recorded("invoke_action.json", teams)
    assert (activity["name"], activity["conversation"]["id"].split(";")[0]) == ("adaptiveCard/action", REVIEW_CHANNEL)
    activity["value"]["action"]["data"]["_value"] = f"submission:{sub_id}"
    status, body = await teams.post(activity)
    assert status == 200 and body["statusCode"] == 200 and body["type"] == CARD, body
    assert "Approved" in texts(body["value"]) and "Robin Reviewer" in texts(body["value"])
    (sub,) = rows(teams, Submission)
    assert sub.status == "approved"
    (post,) = rows(teams, ReviewPost)
    (update,) = teams.connector.of("update")  # the post in the channel itself, not the thread the press came from
    assert (update.conversation_id, update.activity_id) == (REVIEW_CHANNEL, post.message_id)


async def test_a_recorded_install_conversation_update_welcomes_with_help(teams: Teams) -> None:
    activity = recorded("conversation_update.json", teams)
    assert activity["membersAdded"] == [{"id": activity["recipient"]["id"]}]  # the bot itself, installed
    status, _ = await teams.post(activity)
    assert status == 200
    welcome = cards_to(teams, TD.conversation_id, "reply") + cards_to(teams, TD.conversation_id, "send")
    assert len(welcome) == 1 and "what I can do" in texts(welcome[0])
