"""Slack requests shaped exactly as Slack sends them (opsdroid style: recorded bodies in tests/slack/recorded/, every
field Slack includes, the ids of the test workspace), signed and fed through the real server: a `/ceu status` slash
command's form body, the view_submission of the submit modal, the block_actions of Approve on the review post it
made, and the app_home_opened event of a director opening the Home tab. Only the response_url, the clicked item and
its message's ts are put in, as the fake Slack Web API hands them out."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlmodel import select

from storage.tables import ReviewPost, Submission
from tests.fakes.seen import slack_seen
from tests.fakes.slack_harness import REVIEW_CHANNEL, SlackBot
from tests.slack.test_slack_workflow import PDF, buttons, message_text
from tests.slack.test_slack_workflow import _recorded as wait_recorded

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8").strip()


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(recorded(name))
    return data


def form(payload: dict[str, Any]) -> str:
    """An interaction as Slack posts it: form-encoded, one field `payload` holding the JSON."""
    return urlencode({"payload": json.dumps(payload)})


async def test_a_recorded_slash_command_gets_the_status(bot: SlackBot) -> None:
    body = recorded("slash_command.form")
    fields = dict(parse_qsl(body))
    assert (fields["command"], fields["text"], fields["user_id"]) == ("/ceu", "status", "UTD")
    body = re.sub(r"response_url=[^&]*", urlencode({"response_url": bot.fake.response_url("recorded")}), body)
    answer = await bot.signed(body)
    assert answer.status == 200
    reply = answer.json() or await bot.wait_response("recorded")  # in the ack, or on the response_url
    assert reply["response_type"] == "ephemeral"
    assert "TD-CEU status, FY2025" in message_text(reply) and "Alex, you need 12 more hours" in message_text(reply)


async def submitted(bot: SlackBot) -> tuple[str, str]:
    """The recorded view_submission of the submit modal; (the item on its review post's buttons, the post's ts)."""
    bot.fake.add_file("F1", PDF, name="certificate.pdf", mimetype="application/pdf")
    answer = await bot.signed(form(payload("view_submission.json")))
    assert answer.status == 200, answer.text
    assert answer.json()["response_action"] == "update"
    [post] = await bot.fake.wait_for("chat.postMessage")
    assert post["channel"] == REVIEW_CHANNEL and "Alex Director" in message_text(post)
    item = buttons(post)["review.approve"]
    await wait_recorded(bot, int(item.split(":")[1]))
    with bot.ctx().session() as s:
        row = s.exec(select(ReviewPost).where(ReviewPost.item_id == int(item.split(":")[1]))).one()
    assert row.message_id
    return item, row.message_id


async def test_a_recorded_view_submission_posts_the_item_for_review(bot: SlackBot) -> None:
    item, _ = await submitted(bot)
    with bot.ctx().session() as s:
        [sub] = s.exec(select(Submission)).all()
    assert item == f"submission:{sub.id}"
    assert (sub.status, sub.evidence_name, sub.evidence_type) == ("pending", "certificate.pdf", "application/pdf")
    assert [c["file"] for c in bot.fake.calls_to("files.info")] == ["F1"]


async def test_a_recorded_block_action_approves_the_posted_item(bot: SlackBot) -> None:
    item, ts = await submitted(bot)
    click = payload("block_actions.json")
    assert (click["user"]["id"], click["actions"][0]["action_id"]) == ("UREV", "review.approve")
    click["container"]["message_ts"] = click["message"]["ts"] = ts
    for action in [click["actions"][0], *click["message"]["blocks"][-1]["elements"]]:
        action["value"] = item
    click["response_url"] = bot.fake.response_url("click")
    assert (await bot.signed(form(click))).status == 200
    [update] = await bot.fake.wait_for("chat.update")
    assert (update["channel"], update["ts"]) == (REVIEW_CHANNEL, ts)
    assert "Approved by Robin Reviewer" in message_text(update) and "review.approve" not in buttons(update)
    with bot.ctx().session() as s:
        assert s.exec(select(Submission)).one().status == "approved"


async def test_a_recorded_app_home_opened_publishes_the_directors_home(bot: SlackBot) -> None:
    event = payload("app_home_opened.json")
    assert (event["type"], event["event"]["type"], event["event"]["tab"]) == (
        "event_callback",
        "app_home_opened",
        "home",
    )
    answer = await bot.signed(json.dumps(event), content_type="application/json")
    assert answer.status == 200
    [call] = await bot.fake.wait_for("views.publish")
    view = call["view"] if isinstance(call["view"], dict) else json.loads(call["view"])
    assert call["user_id"] == "UTD" and view["type"] == "home"
    assert "FY2025" in slack_seen(view).text and "Alex" in slack_seen(view).text
