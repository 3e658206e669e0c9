"""`ceu-bot remind [--today D] [--dry-run] [--json]`: one reminder sweep now, the same code the daily job runs.

With --dry-run it prints what would be sent that day and sends nothing (with --json one object per line: kind,
email — the channel for the reviewers' digest — name, fy, step, title and a text preview); the counts go to stderr.
Review posts that had failed come first (kind review_post, email the platforms missing it, step "submission:12"),
and decision notices that had failed are listed with kind decision.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date

import click

from bot.terminal import CliError, echo


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date like 2025-09-30") from None


@click.command("remind")
@click.option(
    "--today", callback=_date, help="Stand-in for today's date (YYYY-MM-DD) in CEU_TIMEZONE (default America/Chicago)."
)
@click.option("--dry-run", is_flag=True, help="List what would be sent, send nothing.")
@click.option("--json", "as_json", is_flag=True, help="With --dry-run: one JSON object per line.")
def remind(today: date | None, dry_run: bool, as_json: bool) -> None:
    """Send today's reminders now (each exactly once, whoever else is sending), or list them with --dry-run."""
    from bot.cli import open_services
    from bot.scheduler import make_notifiers, review_channels, run_sweep, sweep_limits
    from handlers.reminders.pacing import Pace
    from handlers.reminders.plan import decide

    services = open_services()  # names the database on stderr; one line if it cannot be opened
    ctx = services.context()
    if today is not None:
        ctx.today = today
    if dry_run:
        with ctx.session() as session:
            plan = decide(session, ctx.today, ctx.now, review_channels(services.settings))
        for repost in plan.reposts:  # review posts that had failed: the sweep posts them first
            if as_json:
                echo(json.dumps(repost.as_json()))
            else:
                where = ",".join(repost.platforms)
                echo(f"{repost.kind:13} {where:40} FY{repost.fy} {repost.step:10} {repost.title}")
        for due in plan.due:
            if as_json:
                echo(json.dumps(due.as_json()))
            else:
                echo(f"{due.kind:13} {due.email:40} FY{due.key.fy} {due.key.step:10} {due.reply.title}")
        echo(
            f"{ctx.today.isoformat()}: {len(plan.due) + len(plan.reposts)} would be sent, {len(plan.snoozed)} snoozed, "
            f"{plan.already} already sent (dry run: nothing sent)",
            err=True,
        )
        return
    pace = Pace(sweep_limits(services.settings))
    notifiers = make_notifiers(services, pace)
    if not notifiers:
        raise CliError(
            "no chat platform is configured (SLACK_BOT_TOKEN, or MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD); "
            "nothing was sent. Use --dry-run to see what is due."
        )
    report = asyncio.run(run_sweep(services, notifiers, ctx.today, pace=pace))
    echo(report.summary())
    for due in report.unreachable_who:
        echo(f"could not reach {due.name} <{due.email}> ({due.kind} {due.key.step})", err=True)
