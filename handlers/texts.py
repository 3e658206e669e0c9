"""What both chat platforms say in the same situation, written once: the apology for an internal error, the
records out of reach, a failed account look-up, a button or form gone stale, a file not taken. The adapters in
bot/slack and bot/teams render these Replies; they add no wording of their own for these cases."""

from __future__ import annotations

from handlers.reply import Outcome, Reply, Section

TRY_AGAIN = "Please try again in a minute."


def apology() -> Reply:
    """Something failed on our side (a bug, a remote service): never a traceback, always what to do."""
    return Reply(
        title="Sorry, something went wrong on my side",
        sections=[Section(text=f"{TRY_AGAIN} If it keeps happening, tell the ALET admins (alet.org) what you tried.")],
        outcome=Outcome.ERROR,
    )


def records_unavailable() -> Reply:
    """The database is out of reach: nothing was recorded."""
    return Reply(
        title="The training records are out of reach just now",
        sections=[Section(text="Nothing was recorded. Please try again in a few minutes.")],
        outcome=Outcome.ERROR,
    )


LOOKUP_FAILED = {
    "Slack": "I could not look you up in Slack just now",
    "Teams": "I could not look up your Teams account just now",
}


def lookup_failed(platform: str) -> Reply:
    """The platform would not tell us who the caller is (`platform`: "Slack" or "Teams")."""
    return Reply(
        title=LOOKUP_FAILED.get(platform, f"I could not look you up in {platform} just now"),
        sections=[Section(text=f"Nothing was recorded. {TRY_AGAIN}")],
        outcome=Outcome.ERROR,
    )


def stale_button() -> Reply:
    """A button whose value no longer names anything (an old message, a hand-made payload)."""
    return Reply(title="That button is out of date: it no longer points at anything", outcome=Outcome.NOT_FOUND)


def stale_form() -> Reply:
    return Reply(title="That form is out of date; please start again", outcome=Outcome.NOT_FOUND)


def file_not_taken(why: str) -> Reply:
    """A file refused before anything was stored (too large, wrong type, not downloadable): `why` says which."""
    return Reply(title="I could not take that file", sections=[Section(text=why)], outcome=Outcome.INVALID)
