"""Slack and Teams say the same thing in the same situation (handlers/texts.py): the apology for a bug, the
records out of reach, a stale button, a file not taken, a file over the size limit."""

from __future__ import annotations

import sqlalchemy.exc as sa

from bot.slack.errors import SlackLookupFailed, reply_for
from bot.teams.bot import error_reply, lookup_failed_reply
from handlers.texts import stale_button
from storage.evidence import EvidenceError, check_evidence, too_large

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
