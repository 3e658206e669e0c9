"""TeamsNotifier against the fake Bot Connector: DMs through the stored reference or a newly created 1:1 chat,
UNREACHABLE for people the bot cannot reach, posts and in-place updates in the reviewers' channel, FAILED on 429 /
5xx / network errors, and never an exception."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from bot.teams.mount import NOTIFIER_KEY
from bot.teams.notifier import TeamsNotifier
from handlers.notify import DeliveryStatus, Recipient
from handlers.reply import Reply, Section
from storage.tables import ChatIdentity, Person
from tests.fakes.bot_connector import TENANT, card_title, installation_update
from tests.fakes.teams_harness import MEMBERS, REVIEW_CHANNEL, SDE, TD, Teams, texts

REMINDER = Reply(title="30 days left in FY2025", sections=[Section(text="You need 4 more hours.")])


def notifier(t: Teams) -> TeamsNotifier:
    return t.server.app[NOTIFIER_KEY]


def recipient(t: Teams, email: str) -> Recipient:
    with t.services.context().session() as session:
        person = session.exec(select(Person).where(Person.email == email)).one()
        assert person.id is not None
        return Recipient(person.id, person.email, person.name)


async def test_dm_through_the_stored_reference(teams: Teams) -> None:
    await teams.say(TD, "status")
    delivery = await notifier(teams).send_dm(recipient(teams, MEMBERS[TD]), REMINDER)
    assert delivery.status is DeliveryStatus.SENT and delivery.channel == TD.conversation_id and delivery.message_id
    (sent,) = teams.connector.of("send")
    assert sent.conversation_id == TD.conversation_id
    assert card_title(sent.body) == "30 days left in FY2025" and sent.body["summary"] == "30 days left in FY2025"
    assert "text" not in sent.body  # the card alone: no text line above it repeating its title
    assert "You need 4 more hours." in texts(sent.body)


async def test_someone_never_seen_on_teams_is_unreachable(teams: Teams) -> None:
    delivery = await notifier(teams).send_dm(recipient(teams, MEMBERS[SDE]), REMINDER)
    assert delivery.status is DeliveryStatus.UNREACHABLE
    assert teams.connector.calls == []


async def test_without_a_reference_the_one_to_one_chat_is_created_and_kept(teams: Teams) -> None:
    await teams.say(TD, "status")
    await teams.post(installation_update(TD, teams.service_url, "remove"))
    delivery = await notifier(teams).send_dm(recipient(teams, MEMBERS[TD]), REMINDER)
    assert delivery.status is DeliveryStatus.SENT, delivery
    (create,) = teams.connector.of("create")
    assert create.body["members"] == [{"id": TD.aad_id}] and create.body["channelData"]["tenant"]["id"] == TENANT
    (sent,) = teams.connector.of("send")
    assert sent.conversation_id == delivery.channel and sent.conversation_id.startswith("a:new-")
    with teams.services.context().session() as session:
        row = session.exec(select(ChatIdentity)).one()
    assert json.loads(row.conversation_ref or "{}")["conversation"]["id"] == delivery.channel
    again = await notifier(teams).send_dm(recipient(teams, MEMBERS[TD]), REMINDER)
    assert again.status is DeliveryStatus.SENT and len(teams.connector.of("create")) == 1


async def test_creating_the_chat_where_the_app_is_not_installed_is_unreachable(teams: Teams) -> None:
    await teams.say(TD, "status")
    await teams.post(installation_update(TD, teams.service_url, "remove"))
    teams.connector.fail_next("create", 403)
    delivery = await notifier(teams).send_dm(recipient(teams, MEMBERS[TD]), REMINDER)
    assert delivery.status is DeliveryStatus.UNREACHABLE


@pytest.mark.parametrize("status", [429, 500, 502])
async def test_throttling_and_server_errors_are_failed(teams: Teams, status: int) -> None:
    await teams.say(TD, "status")
    teams.connector.fail_next("send", status, times=4)
    delivery = await notifier(teams).send_dm(recipient(teams, MEMBERS[TD]), REMINDER)
    assert delivery.status is DeliveryStatus.FAILED and str(status) in delivery.error


async def test_channel_post_and_in_place_update(teams: Teams) -> None:
    await teams.say(TD, "status")  # the Bot Connector address comes from a stored reference
    n = notifier(teams)
    posted = await n.post_channel(REVIEW_CHANNEL, REMINDER)
    assert posted.status is DeliveryStatus.SENT and posted.message_id
    (send,) = [c for c in teams.connector.of("send") if c.conversation_id == REVIEW_CHANNEL]
    assert send.body["conversation"]["conversationType"] == "channel"
    updated = await n.update_message(REVIEW_CHANNEL, posted.message_id, Reply(title="Decided"))
    assert updated.status is DeliveryStatus.SENT
    (update,) = teams.connector.of("update")
    assert (update.conversation_id, update.activity_id) == (REVIEW_CHANNEL, posted.message_id)
    assert "Decided" in texts(update.body)
    teams.connector.fail_next("update", 503, times=4)  # PUT is retried by the connector, then given up
    failed = await n.update_message(REVIEW_CHANNEL, posted.message_id, Reply(title="Again"))
    assert failed.status is DeliveryStatus.FAILED


async def test_no_channel_and_no_message_are_unreachable(teams: Teams) -> None:
    n = notifier(teams)
    n.review_channel = ""
    assert (await n.post_channel("", REMINDER)).status is DeliveryStatus.UNREACHABLE
    assert (await n.update_message(REVIEW_CHANNEL, "", REMINDER)).status is DeliveryStatus.UNREACHABLE
    assert teams.connector.calls == []


async def test_an_unreachable_bot_connector_is_failed_not_raised(teams: Teams) -> None:
    n = notifier(teams)
    n.service_url = "http://127.0.0.1:9/"  # nothing listens there
    delivery = await n.post_channel(REVIEW_CHANNEL, REMINDER)
    assert delivery.status is DeliveryStatus.FAILED
