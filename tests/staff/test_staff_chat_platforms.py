"""Role-aware status, help, overview and lookup on both platforms: signed Slack slash commands into the real server
with the fake Slack Web API, and Bot Framework message activities on Teams with the fake Bot Connector."""

from __future__ import annotations

from typing import Any

from tests.fakes.slack_harness import SlackBot
from tests.fakes.teams_harness import REVIEWER, SDE, TD, Teams, texts
from tests.slack.test_slack_commands import texts as slack_texts


async def slack_msg(bot: SlackBot, text: str, user: str, key: str) -> dict[str, Any]:
    await bot.command(text, user=user, key=key)
    msg = await bot.wait_response(key)
    assert msg["response_type"] == "ephemeral"
    return msg


async def slack_say(bot: SlackBot, text: str, user: str, key: str) -> str:
    return slack_texts(await slack_msg(bot, text, user, key))


async def test_slack_status_overview_and_lookup_by_role(slack: SlackBot) -> None:
    assert "TD-CEU overview, FY2025" in await slack_say(slack, "status", "USDE", "s1")
    assert "you need 6 more hours" in await slack_say(slack, "status", "UTD", "s2")
    overview = await slack_say(slack, "overview 2025", "UREV", "s3")
    assert "1 on track, 1 behind" in overview and "Districts furthest behind" in overview
    assert "Beta City: 12 h owed (Blair Veteran)" in overview
    own = await slack_msg(slack, "status", "UTD", "s4")
    seen = await slack_msg(slack, "lookup td@a.k12.al.us", "USDE", "s5")
    assert seen["blocks"][0]["text"]["text"].startswith("Alex Director (td@a.k12.al.us, Alpha County)")
    assert seen["blocks"][1:] == own["blocks"][1:]  # the rest exactly as the director sees it
    refused = await slack_say(slack, "lookup alex", "UTD", "s6")
    assert "“lookup” is for SDE staff, ALET admins and reviewers" in refused
    help_text = await slack_say(slack, "help", "USDE", "s7")
    assert "overview [FY]" in help_text and "snooze" not in help_text


async def test_teams_status_overview_and_lookup_by_role(teams: Teams) -> None:
    assert "TD-CEU overview, FY2025" in texts(await teams.say(SDE, "status"))
    overview = texts(await teams.say(REVIEWER, "overview"))
    assert "1 on track, 1 behind" in overview and "Alpha County: 6 h owed (Alex Director)" in overview
    seen = texts(await teams.say(SDE, "lookup Alex"))
    own = texts(await teams.say(TD, "status"))
    assert seen.startswith("Alex Director (td@a.k12.al.us, Alpha County): TD-CEU status, FY2025")
    assert seen.split("\n", 1)[1].split("Days to")[0] == own.split("\n", 1)[1].split("Days to")[0]
    assert "is for SDE staff, ALET admins and reviewers" in texts(await teams.say(TD, "overview"))
    help_text = texts(await teams.say(TD, "help"))
    assert "snooze" in help_text and "lookup" not in help_text
