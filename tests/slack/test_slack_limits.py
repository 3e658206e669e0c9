"""The fake Slack API parses every blocks / view payload back through slack_sdk.models and holds it to Slack's
published limits (tests/fakes/slack_limits.py), answering as Slack would and failing the test that sent it
(tests/conftest.py); these tests show the check can fail, and that what we send passes it."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import message_payload, message_view
from bot.slack.modals import form_view
from handlers.forms import Field, FieldKind, Form
from handlers.reply import Button, Fact, Link, Reply, Section
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_limits import message_problems, view_problems


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def option(text: str, description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"text": {"type": "plain_text", "text": text}, "value": "v"}
    if description:
        out["description"] = {"type": "plain_text", "text": description}
    return out


def picker(*options: dict[str, Any]) -> dict[str, Any]:
    element = {"type": "static_select", "action_id": "e", "options": list(options)}
    return {"type": "input", "block_id": "e", "label": {"type": "plain_text", "text": "Event"}, "element": element}


def modal(*blocks: dict[str, Any], title: str = "Submit") -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": list(blocks)}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"blocks": [section("x")] * 51}, "51 blocks, over Slack's 50"),
        ({"blocks": [section("x" * 3001)]}, "3000"),
        ({"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]}, "150"),
        ({"blocks": [{"type": "bogus"}]}, "not a block Slack knows"),
        ({"blocks": [{**section("x"), "colour": "red"}]}, "colour: not a Block Kit field"),
        ({"text": "x" * 40_001}, "40000"),
        (
            {
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "x" * 76}}
                        ],
                    }
                ]
            },
            "75",
        ),
    ],
)
def test_what_slack_refuses_in_a_message_is_named(payload: dict[str, Any], expected: str) -> None:
    problems = message_problems(payload)
    assert problems and any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (modal(*[section("x")] * 101), "101 blocks"),
        (modal(picker(option("x" * 76))), "75"),
        (modal(picker(option("x", "d" * 76))), "description: 76 characters"),
        (modal(picker(*[option("x")] * 101)), "101, over Slack's 100"),
        (modal(section("x"), title="A title longer than 24 chars"), "24"),
    ],
)
def test_what_slack_refuses_in_a_view_is_named(view: dict[str, Any], expected: str) -> None:
    problems = view_problems(view)
    assert problems and any(expected in p for p in problems), problems


async def test_the_fake_answers_a_refused_payload_as_slack_does() -> None:
    fake = FakeSlackApi()
    await fake.start()
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    try:
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C1", text="x", blocks=[section("x")] * 51)
    finally:
        await fake.close()
    assert refused.value.response["error"] == "invalid_blocks"
    assert fake.payload_errors == ["chat.postMessage.blocks: 51 blocks, over Slack's 50"]
    fake.payload_errors.clear()  # seen here on purpose: the test run must not fail on it


def test_our_payloads_pass() -> None:
    reply = Reply(
        title="Submission #1 " * 20,
        sections=[
            Section(text="Approved", tone="good"),
            Section(
                heading="Evidence", facts=[Fact("File", "a.pdf")], links=[Link("Open evidence", "https://x/e?a=1&b=2")]
            ),
            Section(items=[f"item {i} " * 30 for i in range(300)]),
        ],
        buttons=[Button("review.approve", "Approve " * 20, "submission:1", "primary")],
    )
    assert message_problems(message_payload(reply)) == []
    assert view_problems(message_view(reply)) == []
    events = tuple((f"2025:E{i}", f"Event {i} " * 20) for i in range(250))
    notes = tuple((value, "up to 6 h " * 10) for value, _ in events)
    fields = (
        Field("event", "Event", FieldKind.SELECT, options=events, notes=notes),
        Field("why", "Why", FieldKind.LONG_TEXT, max_length=100, hint="h" * 3000),
    )
    assert view_problems(form_view(Form("submit", "Submit external hours", "Send for review", fields))) == []
