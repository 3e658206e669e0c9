"""Slack and Teams say the same thing in the same situation (handlers/texts.py): the apology for a bug, the
records out of reach, a stale button, a stale form (through the real Slack and Teams servers), a file not taken, a
file over the size limit."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy.exc as sa

from bot.slack.errors import SlackLookupFailed, reply_for
from bot.teams.bot import error_reply, lookup_failed_reply
from handlers.texts import stale_button, stale_form
from storage.evidence import EvidenceError, check_evidence, too_large
from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import running_bot
from tests.fakes.teams_harness import REVIEWER, running_teams, texts

OUTAGE = sa.OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


def test_an_internal_error_reads_the_same_on_both_platforms() -> None:
    slack, teams = reply_for(RuntimeError("boom")), error_reply(RuntimeError("boom"))
    assert slack == teams and "something went wrong on my side" in slack.to_text() and "boom" not in slack.to_text()


def test_the_database_out_of_reach_reads_the_same_on_both_platforms() -> None:
    slack, teams = reply_for(OUTAGE), error_reply(OUTAGE)
    assert slack == teams and "out of reach" in teams.title


def test_a_failed_account_look_up_names_the_platform_and_says_the_same() -> None:
    slack, teams = SlackLookupFailed("users.info failed").reply, lookup_failed_reply()
    assert slack.sections == teams.sections and slack.outcome is teams.outcome
    assert "Slack" in slack.title and "Teams" in teams.title


def test_a_stale_button_says_both_things_the_platforms_said() -> None:
    title = stale_button().title
    assert "out of date" in title and "no longer points at anything" in title


def test_a_file_over_the_limit_is_refused_in_the_words_of_every_path() -> None:
    try:
        check_evidence(b"%PDF-" + b"x" * 2048, "big.pdf", 1024)
    except EvidenceError as exc:
        assert str(exc) == too_large("big.pdf", 2053, 1024)
    else:
        raise AssertionError("a file over the limit was taken")


async def test_a_stale_form_reads_the_same_on_slack_and_teams(tmp_path: Path, sqlite_url: str) -> None:
    """A reject or void reason form whose metadata names nothing (Slack), a form the bot no longer knows (Teams):
    the one stale-form text of handlers/texts.py, no wording of the adapter's own."""
    title = stale_form().title
    for folder in ("slack", "teams"):
        (tmp_path / folder).mkdir()
    reason = {"reason": {"reason": {"type": "plain_text_input", "value": "Typed in by mistake"}}}
    async with running_bot(tmp_path / "slack", sqlite_url, today=TODAY) as bot:
        seed_basic(bot.ctx())
        shown = []
        for callback, meta in (("reject_reason", '{"item": "nothing:1"}'), ("void_reason", "record:none")):
            body = (await bot.submit_view(callback, reason, user="UREV", private_metadata=meta)).json()
            assert body["response_action"] == "update", body
            shown.append(json.dumps(body["view"], ensure_ascii=False))
    assert all(title in view and "unknown" not in view for view in shown), shown
    async with running_teams(tmp_path / "teams") as teams:
        card = await teams.press(REVIEWER, "form.no_such_form", {"_key": "k1", "reason": "Typed in by mistake"})
    assert title in texts(card)
