"""Review buttons on Teams, over HTTP into the real server with the fake Bot Connector:

- the invoke answer goes out before the slow effects of a decision (the other posts' updates, the submitter's DM),
  which run on in the background and whose failures are logged, never shown;
- Reject refuses anyone who may not decide up front (no reason form), like Slack;
- the Action.Submit fallback never posts the decision as a new public message; what is for the presser alone goes to
  their personal chat, and in the personal chat the clicked card is replaced in place;
- a review card is measured with its reject reason sub-card (and the presser's notice) against Teams' size limit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.teams.cards import PAYLOAD_BUDGET, card_activity, payload_size
from bot.teams.render import REVIEW_REJECT, card_with_notice, render, render_card
from handlers.reply import Button, Fact, Outcome, Reply, Section
from storage.outbox import undelivered
from storage.tables import ReviewPost, Submission
from tests.fakes.bot_connector import (
    FakeBotConnector,
    activity_problems,
    card_action,
    card_problems,
    card_title,
    message,
)
from tests.fakes.teams_harness import (
    REVIEWER,
    SDE,
    TD,
    Teams,
    inputs,
    start_teams,
    teams_settings,
    texts,
)
from tests.teams.test_teams_workflow import ANSWERS, CHANNEL, execute, review_posts, rows, submitted_with_file


class HeldConnector(FakeBotConnector):
    """The fake Bot Connector, except that updates of existing messages wait until `release` is set (a slow
    Bot Connector, as seen from the bot)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def _update(self, request: web.Request) -> web.Response:
        await self.release.wait()
        return await super()._update(request)


@pytest.fixture
async def held(tmp_path: Path) -> AsyncIterator[Teams]:
    connector = HeldConnector()
    await connector.start()
    harness = await start_teams(tmp_path, connector, teams_settings(tmp_path), dev=True)
    try:
        yield harness
    finally:
        connector.release.set()
        await harness.settle()
        await harness.server.close()
        harness.services.engine.dispose()
        await connector.close()
    assert not connector.card_errors, connector.card_errors


def open_effects(t: Teams) -> int:
    with t.services.context().session() as session:
        return len(undelivered(session))


def dms_to(t: Teams, who: Any) -> list[Any]:
    return [c for c in t.connector.of("send") if c.conversation_id == who.conversation_id]


def form_in_body(card: dict[str, Any]) -> bool:
    """The reject reason form is the card itself (not the Reject button's sub-card of a review card)."""
    return any(e.get("id") == "reason" for e in card["body"])


def review_card(t: Teams) -> dict[str, Any]:
    (post,) = review_posts(t)
    return dict(post.body["attachments"][0]["content"])


# -- the invoke answer does not wait for the effects -----------------------------------------------------------


async def test_the_presser_is_answered_before_the_posts_are_updated_and_the_submitter_told(held: Teams) -> None:
    await submitted_with_file(held)
    data = execute(review_card(held), "review.approve")
    activity = card_action(REVIEWER, held.service_url, "review.approve", data, conversation=CHANNEL)
    status, body = await asyncio.wait_for(held.post(activity, settle=False), timeout=10)
    assert status == 200 and "Approved" in texts(body["value"])  # answered while the update still hangs
    assert rows(held, Submission)[0].status == "approved"
    assert held.connector.of("update") == [] and open_effects(held) == 2  # the update (held) and the DM
    assert dms_to(held, TD) == []  # the DM comes after the update, in the same delivery pass

    assert isinstance(held.connector, HeldConnector)
    held.connector.release.set()
    await held.settle()
    assert len(held.connector.of("update")) == 1
    assert "approved" in card_title(dms_to(held, TD)[0].body).lower()
    assert open_effects(held) == 0


async def test_a_failing_update_is_logged_never_shown(teams: Teams, caplog: pytest.LogCaptureFixture) -> None:
    await submitted_with_file(teams)
    teams.connector.fail_next("update", 403)
    caplog.set_level(logging.WARNING, "ceu.teams")
    clicked = await teams.press(REVIEWER, "review.approve", execute(review_card(teams), "review.approve"))
    assert "Approved" in texts(clicked) and "wrong" not in texts(clicked).lower()
    assert any("could not update review card" in r.getMessage() for r in caplog.records)
    assert rows(teams, Submission)[0].status == "approved"
    assert dms_to(teams, TD)  # the submitter is still told


# -- Reject: refused up front ------------------------------------------------------------------------------------


async def test_reject_refuses_a_non_reviewer_without_the_reason_form(teams: Teams) -> None:
    sub_id = await submitted_with_file(teams)
    data = {"_verb": REVIEW_REJECT, "_value": f"submission:{sub_id}"}
    refused = await teams.press(SDE, REVIEW_REJECT, data, conversation=CHANNEL)
    assert "Only ALET reviewers" in texts(refused)
    assert not form_in_body(refused)  # the review card with why not, no reason form to fill in for nothing
    form = await teams.press(REVIEWER, REVIEW_REJECT, data, conversation=CHANNEL)
    assert form_in_body(form)  # a reviewer gets the form
    await teams.press(REVIEWER, "review.approve", {**data, "_verb": "review.approve"}, conversation=CHANNEL)
    late = await teams.press(REVIEWER, REVIEW_REJECT, data, conversation=CHANNEL)
    assert "already decided" in texts(late) and "reason" not in inputs(late)
    assert rows(teams, Submission)[0].status == "approved"


# -- the Action.Submit fallback ------------------------------------------------------------------------------


async def fallback(t: Teams, who: Any, value: dict[str, Any], clicked: str, **kw: Any) -> None:
    activity = message(who, t.service_url, "", value=value, **kw)
    activity["replyToId"] = clicked
    status, _ = await t.post(activity)
    assert status == 200


async def test_a_refused_fallback_press_in_the_channel_is_told_in_private(teams: Teams) -> None:
    sub_id = await submitted_with_file(teams)
    await teams.say(SDE, "help")  # SDE's personal chat is known
    (recorded,) = rows(teams, ReviewPost)
    before = len(teams.connector.of("send", "reply", "update"))
    value = {"_verb": "review.approve", "_value": f"submission:{sub_id}"}
    await fallback(teams, SDE, value, recorded.message_id or "", conversation=CHANNEL)
    (dm,) = teams.connector.of("send", "reply", "update")[before:]
    assert dm.kind == "send" and dm.conversation_id == SDE.conversation_id
    assert "Only ALET reviewers" in texts(dm.body)
    assert rows(teams, Submission)[0].status == "pending"


async def test_a_fallback_reject_in_the_channel_decides_and_updates_the_post_only(teams: Teams) -> None:
    sub_id = await submitted_with_file(teams)
    (recorded,) = rows(teams, ReviewPost)
    before = len(teams.connector.of("send", "reply"))
    value = {"_verb": "form.reject_reason", "_ctx": f"submission:{sub_id}", "_key": "k1", "reason": "No date"}
    await fallback(teams, REVIEWER, value, recorded.message_id or "", conversation=CHANNEL)
    assert rows(teams, Submission)[0].status == "rejected"
    (update,) = teams.connector.of("update")
    assert update.activity_id == recorded.message_id and "Rejected" in texts(update.body)
    new = teams.connector.of("send", "reply")[before:]
    assert [c.conversation_id for c in new] == [TD.conversation_id]  # only the submitter's DM


async def test_a_fallback_form_in_the_personal_chat_replaces_the_clicked_card(teams: Teams) -> None:
    form = await teams.say(TD, "submit")
    (sent_form,) = [c for c in teams.connector.of("reply") if c.conversation_id == TD.conversation_id]
    clicked = "msg-form-1"
    before = len(teams.connector.of("send", "reply"))
    await fallback(teams, TD, {**execute(form, "form.submit"), **ANSWERS}, clicked)
    (update,) = teams.connector.of("update")
    assert (update.conversation_id, update.activity_id) == (TD.conversation_id, clicked)
    assert "now send your evidence file" in texts(update.body)
    assert len(teams.connector.of("send", "reply")) == before and sent_form
    assert len(rows(teams, Submission)) == 1


# -- the size check counts the reject sub-card -----------------------------------------------------------------


def big_review(n: int) -> Reply:
    return Reply(
        title="Submission #12 from Alex Director",
        sections=[
            Section(facts=[Fact("Event", "CoSN 2025"), Fact("Hours", "3 h")]),
            Section(
                heading="Earlier records", items=[f"2024-10-{i % 28 + 1:02d}: workshop number {i}" for i in range(n)]
            ),
        ],
        buttons=[
            Button("review.approve", "Approve", "submission:12", "primary"),
            Button(REVIEW_REJECT, "Reject", "submission:12", "danger"),
        ],
    )


@pytest.mark.parametrize("n", [300, 370, 2000])
def test_a_review_card_fits_with_its_reject_form_and_the_notice(n: int) -> None:
    reply = big_review(n)
    card = render_card(reply)
    assert "reason" in inputs(card)
    assert payload_size(card_activity(card, reply.notification())) <= PAYLOAD_BUDGET
    assert card_problems(card) == []
    notice = Reply(title="Approved by Robin Reviewer", sections=[Section(text="x" * 1500)], outcome=Outcome.OK)
    noticed = card_with_notice(reply, notice)
    assert payload_size(card_activity(noticed, reply.notification())) <= PAYLOAD_BUDGET
    activity = render(reply)
    assert payload_size(activity) <= PAYLOAD_BUDGET and activity_problems(activity.serialize()) == []
