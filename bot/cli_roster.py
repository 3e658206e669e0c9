"""`ceu-bot roster deactivate|activate EMAIL` and `ceu-bot void RECORD_ID --reason TEXT`: the roster's life cycle
and taking back a record recorded by mistake (the handlers chat buttons call too)."""

from __future__ import annotations

import click

from bot.terminal import CliError, echo
from handlers.reply import Outcome, Reply


def _finish(reply: Reply) -> None:
    """Print the reply; a refusal is one message on stderr and exit status 1 ('already so' is not an error)."""
    if reply.ok or reply.outcome is Outcome.ALREADY:
        echo(reply.to_text())
        return
    raise CliError(reply.to_text().replace("\n\n", ": ", 1))


def _set(email: str, active: bool) -> None:
    from bot.cli import _services
    from handlers.roster import set_roster_active

    ctx = _services().context()
    _finish(set_roster_active(ctx, "cli", email, active))


@click.group("roster")
def roster() -> None:
    """Take people off the roster and back (their records are kept)."""


@roster.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Off the roster from today: no reminders, no chat, out of the report of FYs they were not on it in."""
    _set(email, False)


@roster.command("activate")
@click.argument("email")
def activate(email: str) -> None:
    """Back on the roster from today."""
    _set(email, True)


@click.command("void")
@click.argument("record_id", type=click.IntRange(min=1))
@click.option("--reason", required=True, help="Why the record is voided (shown in the history, kept in the audit).")
def void(record_id: int, reason: str) -> None:
    """Void an approved credit record recorded by mistake: it stops counting; history shows it voided."""
    from bot.cli import _services
    from handlers.void import CLI_ACTOR, void_record

    ctx = _services().context()
    _finish(void_record(ctx, CLI_ACTOR, record_id, reason))
