"""Teams text commands, identity and conversation references, over HTTP into the real server (--dev mode) with
the fake Bot Connector as serviceUrl."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from storage.tables import AuditLog, ChatIdentity, Person
from tests.fakes.bot_connector import (
    BOT_ID,
    CARD,
    installation_update,
    members_added,
    message,
)
from tests.fakes.teams_harness import MEMBERS, STRANGER, TD, Teams, inputs, texts


def identities(t: Teams) -> list[ChatIdentity]:
    with t.services.context().session() as session:
        return list(session.exec(select(ChatIdentity)).all())


async def test_status_is_an_adaptive_card_reply_in_the_personal_chat(teams: Teams) -> None:
    card = await teams.say(TD, "status")
    assert "FY2025" in texts(card)
    reply = teams.connector.of("send", "reply")[-1]
    assert reply.conversation_id == TD.conversation_id
    activity = reply.body
    assert activity["attachments"][0]["contentType"] == CARD
    assert activity["summary"]  # the notification line
    assert activity["from"]["id"] == BOT_ID and activity["recipient"]["id"] == TD.user_id
    assert card["version"] == "1.5" and card["fallbackText"].startswith("TD-CEU status, FY2025")


@pytest.mark.parametrize("text", ["", "hi", "Hello", "STATUS", "status 2025", "ceu status"])
async def test_empty_and_greetings_answer_status(teams: Teams, text: str) -> None:
    seen = await teams.ask("td", text)
    assert "Alex Director" in seen or "FY2025" in seen
    assert "what I can do" not in seen


async def test_history_with_fiscal_year(teams: Teams) -> None:
    seen = await teams.ask("td", "history FY2025")
    assert "2025" in seen
    assert "ALET Fall Conference 2024" in seen or "No" in seen


async def test_events_lists_the_catalog(teams: Teams) -> None:
    assert "CoSN" in await teams.ask("td", "events")  # one of the shipped approved external events


async def test_help_and_unknown_text_answer_help(teams: Teams) -> None:
    helped = await teams.ask("td", "help")
    assert "what I can do" in helped
    for name in ("status", "history", "events", "submit", "request", "snooze", "help"):
        assert name in helped
    unknown = await teams.ask("td", "make me a sandwich")
    # unknown text says first what was not understood (issue 14), then the same help
    assert unknown.text.startswith("Sorry, I didn't understand “make me a sandwich”")
    assert helped.text.split("what I can do", 1)[1].strip() in unknown


async def test_snooze_pauses_reminders(teams: Teams) -> None:
    card = await teams.say(TD, "snooze")
    assert "2025-03-10" in texts(card)
    with teams.services.context().session() as session:
        person = session.exec(select(Person).where(Person.email == MEMBERS[TD])).one()
        assert person.snoozed_until is not None and person.snoozed_until.isoformat() == "2025-03-10"


async def test_submit_and_request_open_card_forms(teams: Teams) -> None:
    submit = await teams.say(TD, "submit")
    fields = inputs(submit)
    assert {"event", "date", "hours", "strands", "assignment"} <= set(fields)
    assert "evidence" not in fields  # the file comes later in the chat
    assert fields["strands"]["isMultiSelect"] is True
    assert any(a["type"] == "Action.Execute" and a["verb"] == "form.submit" for a in submit["actions"])
    assert submit["actions"][0]["fallback"]["type"] == "Action.Submit"
    request = await teams.say(TD, "request")
    assert {"title", "organiser", "start", "end", "in_person", "hours", "strands", "agenda_url"} <= set(inputs(request))


async def test_a_mention_in_a_channel_is_stripped(teams: Teams) -> None:
    activity = message(TD, teams.service_url, "<at>TD-CEU</at> events")
    activity["entities"] = [
        {"type": "mention", "mentioned": {"id": BOT_ID, "name": "TD-CEU"}, "text": "<at>TD-CEU</at>"}
    ]
    status, _ = await teams.post(activity)
    assert status == 200
    assert "CoSN" in texts(teams.connector.last_card())


async def test_person_found_by_member_email_then_cached(teams: Teams) -> None:
    await teams.say(TD, "status")
    await teams.say(TD, "events")
    assert len(teams.connector.of("member")) == 1  # looked up once, then from chat_identity
    (row,) = identities(teams)
    assert (row.platform, row.external_id, row.tenant_id) == (
        "teams",
        TD.aad_id,
        message(TD, "x")["conversation"]["tenantId"],
    )
    ref = json.loads(row.conversation_ref or "{}")
    assert ref["serviceUrl"] == teams.service_url
    assert ref["conversation"]["id"] == TD.conversation_id and ref["conversation"]["tenantID"]
    assert ref["user"]["aadObjectId"] == TD.aad_id


async def test_member_lookup_uses_upn_when_there_is_no_email(teams: Teams) -> None:
    member = teams.connector.members[TD.user_id]
    member["email"] = None
    member["userPrincipalName"] = "TD@A.K12.AL.US"
    card = await teams.say(TD, "status")
    assert "not on the TD-CEU roster" not in texts(card)


async def test_unknown_person_gets_the_roster_reply_and_nothing_is_recorded(teams: Teams) -> None:
    with teams.services.context().session() as session:
        audits = len(session.exec(select(AuditLog)).all())
    card = await teams.say(STRANGER, "snooze")
    assert "not on the TD-CEU roster" in texts(card)
    assert MEMBERS[STRANGER] in texts(card)
    assert identities(teams) == []
    with teams.services.context().session() as session:
        assert len(session.exec(select(AuditLog)).all()) == audits


async def test_member_lookup_failure_is_a_clear_reply(teams: Teams) -> None:
    teams.connector.fail_next("member", 503, times=4)  # the connector retries 5xx three times
    card = await teams.say(TD, "status")
    assert "could not look up your Teams account" in texts(card)
    assert identities(teams) == []


async def test_install_stores_the_reference_and_welcomes_uninstall_removes_it(teams: Teams) -> None:
    status, _ = await teams.post(installation_update(TD, teams.service_url, "add"))
    assert status == 200
    (row,) = identities(teams)
    assert row.conversation_ref and json.loads(row.conversation_ref)["serviceUrl"] == teams.service_url
    assert teams.connector.cards() == []  # the welcome comes with the conversationUpdate
    status, _ = await teams.post(members_added(TD, teams.service_url))
    assert status == 200
    assert "what I can do" in texts(teams.connector.last_card())
    status, _ = await teams.post(installation_update(TD, teams.service_url, "remove"))
    assert status == 200
    (row,) = identities(teams)
    assert json.loads(row.conversation_ref or "{}") == {"serviceUrl": teams.service_url}  # no conversation left
    assert row.person_id and row.tenant_id and row.external_id == TD.aad_id


async def test_a_message_from_a_channel_keeps_the_personal_reference(teams: Teams) -> None:
    await teams.say(TD, "status")
    channel = {"isGroup": True, "conversationType": "channel", "tenantId": "t", "id": "19:general@thread.tacv2"}
    await teams.say(TD, "events", conversation=channel)
    (row,) = identities(teams)
    assert json.loads(row.conversation_ref or "{}")["conversation"]["id"] == TD.conversation_id


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1, 2]", b'{"text": "no type"}', b'{"type": "message"}', b'{"type": 5, "serviceUrl": 3}'],
)
async def test_bad_bodies_are_400_and_nothing_is_sent(teams: Teams, raw: bytes) -> None:
    status, body = await teams.server.post("/api/messages", raw=raw)
    assert status == 400
    assert isinstance(body, dict) and "error" in body and "Traceback" not in json.dumps(body)
    assert teams.connector.calls == []


async def test_a_failing_turn_answers_politely_without_a_traceback(teams: Teams) -> None:
    teams.connector.fail_next("reply", 500)  # the status card cannot be delivered; the apology can
    status, body = await teams.post(message(TD, teams.service_url, "status"))
    assert status == 200
    replies = teams.connector.of("reply")
    assert len(replies) == 2
    assert "something went wrong" in texts(teams.connector.last_card()).lower()
