"""What a person sees of a bot's reply, the same shape on both platforms: every text on it (one per line, to search
in) and the raw thing (a Slack message with its blocks, or a Teams Adaptive Card), for the tests that look closer.

    seen = await ask("slack", "td", "status")
    assert "TD-CEU status, FY2025" in seen
    assert seen.raw["blocks"][0]["type"] == "header"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# the people of tests.conftest.ROSTER (plus a stranger), by the role a test names them with
WHO = ("td", "old", "reviewer", "sde", "stranger")


@dataclass(frozen=True)
class Seen:
    platform: str  # "slack" or "teams"
    text: str  # every text shown, one per line
    raw: dict[str, Any]  # the Slack message (text, blocks, response_type) or the Teams card

    def __contains__(self, part: str) -> bool:
        return part in self.text

    def __str__(self) -> str:
        return self.text


SLACK_SHOWN = ("text", "alt_text")  # Block Kit: titles, labels, options are text objects; a button value is hidden
TEAMS_SHOWN = ("text", "title", "value", "label", "placeholder")  # Adaptive Cards: TextBlocks, facts, inputs, actions


def texts_of(node: Any, keys: tuple[str, ...]) -> list[str]:
    """Every string under one of `keys`, at any depth, in document order."""
    out: list[str] = []
    if isinstance(node, dict):
        out.extend(node[key] for key in keys if isinstance(node.get(key), str))
        for value in node.values():
            if isinstance(value, (dict, list)):
                out.extend(texts_of(value, keys))
    elif isinstance(node, list):
        for item in node:
            out.extend(texts_of(item, keys))
    return out


def slack_seen(message: dict[str, Any]) -> Seen:
    """A Slack message (its fallback `text` and every block) or a modal's view."""
    return Seen("slack", "\n".join(texts_of(message, SLACK_SHOWN)), message)


def teams_seen(card: dict[str, Any]) -> Seen:
    return Seen("teams", "\n".join(texts_of(card, TEAMS_SHOWN)), card)
