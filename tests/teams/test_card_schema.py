"""The fake Bot Connector holds every card to Microsoft's published Adaptive Card 1.5 schema (../shared/schemas),
allowing exactly Teams' two additions (the card's `msteams` property, the `filtered` choice style); these tests show
the check can fail, and that what we send passes it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.teams.forms import form_card
from bot.teams.render import render_card
from handlers.forms import Field, FieldKind, Form
from handlers.reply import Button, Fact, Link, Reply, Section
from tests.fakes.bot_connector import SCHEMA_FILE, card_problems, card_schema_validator, schema_problems

pytestmark = pytest.mark.skipif(not SCHEMA_FILE.is_file(), reason=f"{SCHEMA_FILE} is absent (CI has ../shared)")


def card(*body: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"type": "AdaptiveCard", "version": "1.5", "body": list(body), **top}


def test_the_schema_is_loaded_and_checks_itself() -> None:
    assert card_schema_validator() is not None


def test_teams_additions_pass_and_nothing_else_does() -> None:
    assert schema_problems(card({"type": "TextBlock", "text": "x"}, msteams={"width": "Full"})) == []
    picker = {"type": "Input.ChoiceSet", "id": "e", "choices": [{"title": "a", "value": "a"}], "style": "filtered"}
    assert schema_problems(card(picker)) == []
    assert schema_problems(card({"type": "TextBlock", "text": "x"}, msteams={"width": "Half"}))
    assert schema_problems(card({"type": "TextBlock", "text": "x"}, msteams={"supportsAnything": True}))
    assert schema_problems(card({**picker, "style": "typeahead"}))


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ({"type": "Input.ChoiceSet", "id": "e", "choices": [], "choices.data": {"type": "Data.Query"}}, "choices.data"),
        ({"type": "TextBlock", "text": "x", "color": "yellowish"}, "color"),
        ({"type": "TextBlock", "text": "x", "wrapp": True}, "wrapp"),
        ({"type": "ActionSet", "actions": [{"type": "Action.OpenUrl", "title": "x"}]}, "url"),
        ({"type": "Table.Row"}, "Table.Row"),
    ],
)
def test_what_breaks_the_schema_is_named(element: dict[str, Any], expected: str) -> None:
    problems = card_problems(card(element))
    assert problems and any(expected in p for p in problems), problems


def test_our_cards_pass_the_schema() -> None:
    reply = Reply(
        title="Submission #1",
        sections=[
            Section(text="Approved", tone="good"),
            Section(heading="Evidence", facts=[Fact("File", "a.pdf")], links=[Link("Open evidence", "https://x/e")]),
            Section(items=["one", "two"], more="… and 3 more"),
        ],
        buttons=[
            Button("review.approve", "Approve", "submission:1", "primary"),
            Button("review.reject", "Reject", "submission:1", "danger"),
        ],
    )
    assert schema_problems(render_card(reply)) == []
    fields = (
        Field("event", "Event", FieldKind.SELECT, options=tuple((str(i), f"Event {i}" * 30) for i in range(400))),
        Field("when", "Date", FieldKind.DATE),
        Field("ok", "Format", FieldKind.CHECKBOX, options=(("y", "Yes"),)),
        Field("why", "Why", FieldKind.LONG_TEXT, max_length=100),
        Field("file", "File", FieldKind.FILE, required=False),
    )
    assert schema_problems(form_card(Form("submit", "Submit", "Send", fields))) == []
