"""What the CLI prints on the admin's terminal: names, titles and file lines with control sequences escaped (a
roster name holding ESC[2J prints as text instead of clearing the screen; see handlers.control_chars)."""

from __future__ import annotations

import click

from handlers.control_chars import escape_controls


def echo(message: str = "", *, err: bool = False) -> None:
    """click.echo with every control sequence shown as \\xNN (newlines and tabs kept)."""
    click.echo(escape_controls(message), err=err)


class CliError(click.ClickException):
    """A ClickException whose message is printed with control sequences escaped."""

    def format_message(self) -> str:
        return escape_controls(self.message)
