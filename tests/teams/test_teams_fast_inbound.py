"""A message read from its JSON for the direct reply (bot/teams/inbound.py) gives what msrest and botbuilder give
for the same JSON: the reply activity (addressed with TurnContext.apply_conversation_reference, serialised by
msrest), the stored conversation reference and the tenant; the reply the fake Bot Connector records from the
real server is that one; and bodies msrest would read differently, or that are no personal `status`, are left to
the full path."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.teams.cards import card_activity
from bot.teams.conversations import reference_json, reference_of, tenant_of
from bot.teams.fast_reply import as_json
from bot.teams.inbound import inbound_message
from tests.fakes.bot_connector import channel_conversation, message
from tests.fakes.teams_harness import REVIEW_CHANNEL, TD, Teams

RECORDED = Path(__file__).parent / "recorded"
URL = "https://smba.trafficmanager.net/amer/"


def recorded_message() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((RECORDED / "message.json").read_text(encoding="utf-8"))
    assert body["attachments"] == [{"contentType": "text/html", "content": "<p>status</p>"}]  # Teams' copy
    return body


def msrest_reply(body: dict[str, Any], card: dict[str, Any], summary: str) -> dict[str, object]:
    """Today's reply JSON: the body deserialised by msrest, the card activity addressed and serialised."""
    reply = card_activity(card, summary)
    TurnContext.apply_conversation_reference(
        reply, TurnContext.get_conversation_reference(Activity().deserialize(body))
    )
    return as_json(reply)


BODIES = {
    "recorded": recorded_message,
    "harness": lambda: message(TD, URL, "  status "),
    "group flag and names": lambda: {
        **message(TD, URL, "status"),
        "conversation": {
            "isGroup": False,
            "conversationType": "personal",
            "id": "a:1",
            "name": "chat",
            "tenantID": "t",
        },
        "recipient": {"id": "28:bot", "name": "TD-CEU", "role": "bot"},
    },
    "no locale, an unknown account key": lambda: {
        **{k: v for k, v in message(TD, URL, "status").items() if k != "locale"},
        "from": {"id": "29:u", "aadObjectId": "aad-1", "userPrincipalName": "x@y"},
    },
    "webchat (no replyToId)": lambda: {**message(TD, URL, "status"), "channelId": "webchat"},
}


@pytest.mark.parametrize("name", BODIES)
def test_the_reply_reference_and_tenant_are_msrests(name: str) -> None:
    body = BODIES[name]()
    inbound = inbound_message(copy.deepcopy(body))
    assert inbound is not None and inbound.text == "status"
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "hi"}]}
    assert inbound.reply_json(card_activity(card, "the summary")) == msrest_reply(body, card, "the summary")
    deserialised = Activity().deserialize(body)
    assert reference_json(reference_of(inbound.activity)) == reference_json(reference_of(deserialised))
    assert inbound.tenant == tenant_of(deserialised)
    conversation, message_id = quote(deserialised.conversation.id, safe=""), quote(deserialised.id, safe="")
    assert inbound.reply_url == f"{URL.rstrip('/')}/v3/conversations/{conversation}/activities/{message_id}"


FULL_PATH = {
    "another command": lambda b: b.update(text="snooze"),
    "a file": lambda b: b.update(
        attachments=[{"contentType": "application/vnd.microsoft.teams.file.download.info", "content": {}}]
    ),
    "a pasted image": lambda b: b.update(attachments=[{"contentType": "image/*", "contentUrl": "https://x/y"}]),
    "html beside an image": lambda b: b.update(
        attachments=[{"contentType": "text/html", "content": "<p>x</p>"}, {"contentType": "image/png"}]
    ),
    "attachments not a list": lambda b: b.update(attachments={"contentType": "text/html"}),
    "a value": lambda b: b.update(value={"x": 1}),
    "a mention": lambda b: b.update(entities=[{"type": "mention", "text": "<at>TD-CEU</at>", "mentioned": {}}]),
    "an entity without a type": lambda b: b.update(entities=[{"locale": "en-US"}]),
    "a channel": lambda b: b.update(conversation=channel_conversation(REVIEW_CHANNEL, "t")),
    "an invoke": lambda b: b.update(type="invoke"),
    "a bad timestamp": lambda b: b.update(timestamp="yesterday"),
    "an unread field": lambda b: b.update(expiration="2025-03-03T15:00:00Z"),
    "a typed account value": lambda b: b["conversation"].update(isGroup="false"),
    "account properties": lambda b: b["from"].update(properties={"a": 1}),
    "no recipient": lambda b: b.pop("recipient"),
    "no id": lambda b: b.pop("id"),
    "a number as text": lambda b: b.update(textFormat=1),
    "channelData not an object": lambda b: b.update(channelData=[1]),
    "not a web address": lambda b: b.update(serviceUrl="ftp://x/"),
}


@pytest.mark.parametrize("case", FULL_PATH)
def test_other_bodies_take_the_full_path(case: str) -> None:
    body = message(TD, URL, "status")
    FULL_PATH[case](body)
    assert inbound_message(body) is None


async def test_the_direct_reply_sent_is_the_msrest_one(teams: Teams) -> None:
    """--dev: the first message links Alex (full turn), the second is answered directly; its recorded JSON is what
    msrest builds for the same activity with the same card."""
    await teams.say(TD, "status")
    activity = message(TD, teams.service_url, "status")
    status, _ = await teams.post(activity)
    assert status == 200
    (reply,) = [c for c in teams.connector.of("reply") if c.activity_id == activity["id"]]
    (attachment,) = reply.body["attachments"]
    assert reply.body == msrest_reply(activity, attachment["content"], reply.body["summary"])


@pytest.mark.parametrize(
    "when",
    [
        "2025-03-03T15:04:05.1234567Z",
        "2025-03-03T09:04:05.1234567-06:00",
        "2025-03-03T15:00:00+14:00",
        "2024-02-29T15:00:00Z",
        "2025-02-29T15:00:00Z",
        "2025-03-03T24:00:00Z",
        "2025-03-03t15:00:00z",
        "2025-03-03T15:00:00",
        "2025-03-03T15:00:00Zx",
        "9999-12-31T23:00:00-05:00",
        "yesterday",
    ],
)
def test_a_timestamp_is_read_as_msrest_reads_it(when: str) -> None:
    body = {**message(TD, URL, "status"), "timestamp": when}
    try:
        Activity().deserialize(body)
        msrest_reads = True
    except Exception:
        msrest_reads = False
    assert (inbound_message(body) is not None) is msrest_reads
