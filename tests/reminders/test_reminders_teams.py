"""The reminder sweep through the server's own TeamsNotifier to the fake Bot Connector: a director who has talked to
the bot gets the reminder card in their personal chat, once; one never seen on Teams is named in the digest card
posted to the reviewers' channel; a 429 from the Bot Connector loses nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from bot.scheduler import app_notifiers, review_channels
from handlers.reminders.delivery import SweepReport, sweep
from tests.fakes.teams_harness import REVIEW_CHANNEL, TD, Teams, running_teams, texts

SEP_2 = date(2025, 9, 2)


async def run(teams: Teams) -> SweepReport:
    app = teams.server._server.app  # the running server's aiohttp app: its notifiers
    notifiers = app_notifiers(app, teams.services)
    assert [n.platform for n in notifiers] == ["teams"]
    ctx = teams.services.context()
    ctx.today = SEP_2
    return await sweep(ctx, notifiers, review_channels(teams.services.settings))


def sent_to(teams: Teams) -> list[tuple[str, dict[str, Any]]]:
    return [(c.conversation_id, c.body) for c in teams.connector.of("send")]


def card_text(activity: dict[str, Any]) -> str:
    return " ".join(texts(a["content"]) for a in activity.get("attachments") or []) + str(activity.get("text"))


async def test_teams_reminders_once_and_the_digest_names_who_is_unreachable(tmp_path: Path) -> None:
    async with running_teams(tmp_path) as teams:
        await teams.say(TD, "help")  # Alex has talked to the bot: the conversation reference is stored
        teams.connector.calls.clear()
        report = await run(teams)
        sends = sent_to(teams)
        assert [c for c, _ in sends] == [TD.conversation_id, REVIEW_CHANNEL]
        alex = card_text(sends[0][1])
        assert "12 hours" in alex and "September 30, 2025" in alex
        assert "status" in alex and "/ceu" not in alex  # the Teams way to see the status
        digest = card_text(sends[1][1])
        assert "Blair Veteran" in digest and "old@b.k12.al.us" in digest  # never seen on Teams
        assert (report.sent, report.unreachable, report.failed) == (2, 1, 0)

        teams.connector.calls.clear()
        again = await run(teams)
        assert sent_to(teams) == [] and again.sent == 0  # nothing twice


async def test_a_429_from_the_bot_connector_is_retried_by_the_next_sweep(tmp_path: Path) -> None:
    async with running_teams(tmp_path) as teams:
        await teams.say(TD, "help")
        teams.connector.fail_next("send", 429, times=2)  # the reminder and the digest
        first = await run(teams)
        assert (first.failed, first.sent) == (2, 0)
        teams.connector.calls.clear()
        second = await run(teams)
        delivered = [c for c, _ in sent_to(teams)]
        assert delivered == [TD.conversation_id, REVIEW_CHANNEL]
        assert second.sent == 2 and second.failed == 0
