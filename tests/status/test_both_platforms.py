"""The same words on Slack and Teams, errbot style: one line per question, asked through the real server on each
platform (a signed slash command; a Bot Framework message activity), read as the person sees the reply."""

from __future__ import annotations

import pytest

from tests.fakes.chat import PLATFORMS, Ask

CASES = [
    ("td", "status", "TD-CEU status, FY2025"),
    ("td", "history FY2031", "has no TD-CEU records"),
    ("td", "events", "Approved external events"),
    ("td", "help", "what I can do"),
    ("td", "frobnicate the widgets", "didn't understand “frobnicate the widgets”"),
    ("sde", "status", "TD-CEU overview, FY2025"),
    ("reviewer", "overview 2025", "TD-CEU overview, FY2025"),
    ("td", "lookup alex", "“lookup” is for SDE staff, ALET admins and reviewers"),
    ("reviewer", "request", "Only technology directors and SDE staff"),
    ("stranger", "status", "not on the TD-CEU roster"),
]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(("who", "text", "expected"), CASES, ids=[f"{w}: {t}" for w, t, _ in CASES])
async def test_each_platform_answers_alike(ask: Ask, platform: str, who: str, text: str, expected: str) -> None:
    assert expected in await ask(platform, who, text)


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_form_is_what_submit_shows(ask: Ask, platform: str) -> None:
    """`submit` answers with a form (a Slack modal, a Teams card) whose fields a director fills in."""
    form = await ask(platform, "td", "submit")
    assert "Hours" in form and "Strands" in form


async def test_the_two_platforms_are_independent_harnesses(ask: Ask) -> None:
    """Each platform's answer is that platform's own rendering: Block Kit on Slack, an Adaptive Card on Teams."""
    slack, teams = await ask("slack", "td", "help"), await ask("teams", "td", "help")
    assert slack.platform == "slack" and "blocks" in slack.raw
    assert teams.platform == "teams" and teams.raw["type"] == "AdaptiveCard"
