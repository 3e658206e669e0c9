"""`ceu-bot doctor [--host H] [--port P]`: check the settings, the port, the database, Slack and Teams, and print
a table (exit status 1 when anything is a problem, 0 otherwise)."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from bot.findings import Finding, Level

STYLE = {Level.OK: "green", Level.WARNING: "yellow", Level.PROBLEM: "bold red", Level.SKIPPED: "dim"}


def render(findings: list[Finding], note: str) -> None:
    # piped or captured: wide enough that each finding stays on one line
    console = Console(width=None if sys.stdout.isatty() else 240, highlight=False)
    table = Table(title=f"ceu-bot doctor: {note}", title_justify="left")
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail")
    for f in findings:
        table.add_row(f.check, f"[{STYLE[f.level]}]{f.level.value}[/]", f.detail)
    console.print(table)


@click.command()
@click.option("--host", default="0.0.0.0", show_default=True, help="The address `serve` will listen on.")
@click.option("--port", default=3978, show_default=True, type=int, help="The port `serve` will listen on.")
def doctor(host: str, port: int) -> None:
    """Check the settings, the port, the database, Slack (auth.test, reviewers' channel) and the Teams token."""
    from bot.doctor import data_dir_note, diagnose
    from bot.settings import Settings

    settings = Settings()
    findings = diagnose(settings, host, port)
    render(findings, data_dir_note(settings))
    problems = sum(f.level is Level.PROBLEM for f in findings)
    if problems:
        click.echo(f"{problems} problem(s)", err=True)
        sys.exit(1)
