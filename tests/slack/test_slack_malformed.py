"""Signed but malformed Slack payloads get a 4xx or a polite answer, never a traceback in the log (issue 9); an
unexpected failure while handling a modal keeps the modal and what was typed in it.

Correctly signed requests, through the real aiohttp server, whose payloads Slack would never send: wrong types,
a button value with a superscript digit, a view without a type, actions that are not a list, metadata that is
not ours. The fake Slack records what the bot sent; nothing is written.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from copy import deepcopy
from typing import Any

import pytest
from sqlalchemy import text

from tests.fakes.slack_harness import SlackBot
from tests.slack.test_slack_workflow import request_values
from tests.slack_attacks import Tally, snapshot, tracebacks
from tests.slack_signing import block_action, event_body, interaction_body, view_submission

JSON = "application/json"
Patch = Callable[[dict[str, Any]], None]


def press(bot: SlackBot, value: str = "submission:1", action_id: str = "review.approve") -> dict[str, Any]:
    return block_action(
        user_id="UREV", action_id=action_id, value=value, channel="CREVIEW", message_ts="1.1",
        response_url=bot.fake.response_url("press"),
    )  # fmt: skip


def modal(callback_id: str = "request", **view: Any) -> dict[str, Any]:
    payload = view_submission(user_id="USDE", callback_id=callback_id, values=request_values())
    payload["view"].update(view)
    return payload


def dm(**event: Any) -> dict[str, Any]:
    return {"type": "message", "channel_type": "im", "channel": "DTD1", "user": "UTD", "text": "help", "ts": "1.2",
            **event}  # fmt: skip


def setting(path: str, value: Any) -> Patch:
    """Set a dotted path of the payload (creating nothing: the parents exist)."""

    def patch(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = payload
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value

    return patch


DELETE = object()

# (label, kind, patch): kind picks the base payload; every one of these is signed correctly
MALFORMED: list[tuple[str, str, Patch]] = [
    ("user is a string", "press", setting("user", "UREV")),
    ("user is a number", "modal", setting("user", 5)),
    ("actions is an object", "press", setting("actions", {"0": {"action_id": "review.approve"}})),
    ("actions is a string", "press", setting("actions", "review.approve")),
    ("actions is empty", "press", setting("actions", [])),
    ("an action is a number", "press", setting("actions", [5])),
    ("an action's value is a number", "press", setting("actions.0.value", 5)),
    ("container is a string", "press", setting("container", "CREVIEW")),
    ("response_url is a list", "press", setting("response_url", ["http://127.0.0.1:9/x"])),
    ("type is a number", "press", setting("type", 5)),
    ("view has no type", "modal", setting("view.type", DELETE)),
    ("view has no id", "modal", setting("view.id", "")),
    ("view is a string", "modal", setting("view", "V1")),
    ("state values is a list", "modal", setting("view.state.values", [])),
    ("a state block is a string", "modal", setting("view.state.values.title", "Cyber Day")),
    ("a selected option is a string", "modal", setting("view.state.values.strands.strands.selected_options", "5")),
    ("view blocks are strings", "modal", setting("view.blocks", ["input"])),
    ("event is a string", "event", setting("event", "message")),
    ("event text is a number", "event", setting("event.text", 5)),
    ("event user is an object", "event", setting("event.user", {"id": "UTD"})),
    ("enterprise is a number", "event", setting("enterprise", 5)),
    ("authorizations is a number", "event", setting("authorizations", 5)),
]
# Well-shaped payloads with odd values: a polite answer, no traceback (status 200)
ODD: list[tuple[str, str, Patch]] = [
    ("button value submission:²", "press", setting("actions.0.value", "submission:²")),
    ("button value with a huge id", "press", setting("actions.0.value", "submission:" + "9" * 40)),
    ("button value of another type", "press", setting("actions.0.value", "person:1")),
    ("an action nobody handles", "press", setting("actions.0.action_id", "nope.nothing")),
    ("a view nobody handles", "modal", setting("view.callback_id", "nope")),
    ("reject reason metadata a list", "reject", setting("view.private_metadata", "[]")),
    ("reject reason metadata not JSON", "reject", setting("view.private_metadata", "{item")),
    ("reject reason metadata nested deep", "reject", setting("view.private_metadata", "[" * 100_000)),
    ("reject reason item a number", "reject", setting("view.private_metadata", '{"item": 5}')),
]


def base(bot: SlackBot, kind: str) -> tuple[str, str]:
    """(body, content type) of a well-formed payload of `kind`, to be broken by a patch."""
    if kind == "event":
        return event_body(dm()), JSON
    if kind == "press":
        return json.dumps(press(bot)), ""
    if kind == "reject":
        values = {"reason": {"reason": {"type": "plain_text_input", "value": "no"}}}
        payload = view_submission(user_id="UREV", callback_id="reject_reason", values=values)
        return json.dumps(payload), ""
    return json.dumps(modal()), ""


async def send(bot: SlackBot, kind: str, patch: Patch) -> int:
    raw, content_type = base(bot, kind)
    payload = deepcopy(json.loads(raw))
    patch(payload)
    if content_type == JSON:
        return (await bot.signed(json.dumps(payload), content_type=JSON)).status
    return (await bot.signed(interaction_body(payload))).status


async def test_malformed_payloads_get_400_and_do_nothing(bot: SlackBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    tally, wrong = Tally(), []
    written = snapshot(bot)
    for label, kind, patch in MALFORMED:
        before = len(caplog.records)
        status = await send(bot, kind, patch)
        lines = [r for r in caplog.records[before:] if r.name.startswith(("ceu", "slack"))]
        ok = status == 400 and bot.fake.calls == [] and len(lines) == 1 and not tracebacks(lines)
        tally.add(f"malformed {kind}", ok)
        if not ok:
            wrong.append(f"{label}: {status}, sent {bot.fake.methods()}, log {[r.getMessage()[:100] for r in lines]}")
    print("\n" + tally.report("Signed but malformed Slack payloads (issue 9)"))
    print(f"  tracebacks in the log: {len(tracebacks(caplog.records))}")
    assert wrong == []
    assert tracebacks(caplog.records) == []
    assert snapshot(bot) == written


async def test_odd_values_get_a_polite_answer(bot: SlackBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    written, wrong = snapshot(bot), []
    for label, kind, patch in ODD:
        bot.fake.reset_calls()
        status = await send(bot, kind, patch)
        if status != 200:
            wrong.append(f"{label}: {status}")
        if kind == "press" and "nobody" not in label:
            reply = await bot.wait_response("press")
            if "no longer points at anything" not in reply["text"]:
                wrong.append(f"{label}: {reply['text'][:100]}")
    print(f"\nOdd but well-shaped Slack payloads: tried {len(ODD)}, wrong {len(wrong)}, "
          f"tracebacks in the log {len(tracebacks(caplog.records))}")  # fmt: skip
    assert wrong == []
    assert tracebacks(caplog.records) == []
    assert snapshot(bot)["requests"] == written["requests"] and snapshot(bot)["submissions"] == written["submissions"]


async def test_an_unexpected_failure_keeps_the_modal_and_what_was_typed(
    bot: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    """The database refuses the write (a trigger stands in for a full disk): the answer is a field error on the
    first input (Slack keeps the modal and its answers), never a modal replaced by an apology."""
    with bot.services.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER no_requests BEFORE INSERT ON event_request "
                "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
            )
        )
    answer = await bot.submit_view("request", request_values(), user="USDE")
    assert answer.status == 200
    body = answer.json()
    assert body["response_action"] == "errors", body
    [(field, message)] = body["errors"].items()
    assert field == "title"  # the form's first input
    assert "something went wrong on my side" in message and "try again" in message
    assert snapshot(bot)["requests"] == 0
    assert bot.fake.calls_to("chat.postMessage") == []
