"""The check every Teams card of the tests goes through (tests/fakes/bot_connector.py: Adaptive Card 1.5 structure,
Teams' size limit) can fail: a good card passes, each kind of broken one is named."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.bot_connector import CARD, activity_problems, card_problems


def good_card() -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "hi"}, {"type": "Input.Text", "id": "a"}],
        "actions": [{"type": "Action.Execute", "verb": "v", "title": "Go", "data": {}}],
    }


def test_card_check_accepts_a_good_card() -> None:
    assert card_problems(good_card()) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.update(version="1.6"), "not 1.5"),
        (lambda c: c.update(type="HeroCard"), "not an AdaptiveCard"),
        (lambda c: c["body"].append({"type": "Carousel"}), "unknown element"),
        (lambda c: c["body"].append({"type": "TextBlock"}), "lacks text"),
        (lambda c: c["body"].append({"type": "Input.Date", "id": "a"}), "not unique"),
        (lambda c: c["actions"].append({"type": "Action.Http"}), "unknown action"),
        (lambda c: c["actions"].append({"type": "Action.Execute", "title": "x"}), "without a verb"),
        (lambda c: c["body"].append({"type": "Input.ChoiceSet", "id": "b", "choices": [{"title": 1}]}), "text"),
    ],
)
def test_card_check_finds_problems(change: Any, expected: str) -> None:
    card = good_card()
    change(card)
    assert any(expected in p for p in card_problems(card))


def test_activity_check_finds_oversized_and_summary_less_cards() -> None:
    big = good_card()
    big["body"].append({"type": "TextBlock", "text": "x" * 30_000})
    activity = {"type": "message", "attachments": [{"contentType": CARD, "content": big}]}
    problems = activity_problems(activity)
    assert any("over Teams'" in p for p in problems)
    assert any("without a text summary" in p for p in problems)
