"""The `ceu-bot` command: serve, chat, status, catalog, import, report, roll-forward, demo (SPEC §5, §6).

Every command opens the database first (migrations and shipped policies applied). Errors an admin can fix are
printed as one clear message with a non-zero exit status, never as a traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from bot.app import Services, build_services
from bot.settings import Settings
from bot.terminal import CliError, echo
from handlers.context import Context
from handlers.fy_arg import FIRST_FY
from rules.fiscal import fiscal_year_bounds


def open_services(settings: Settings | None = None, *, announce: bool = True) -> Services:
    """The services of an admin command: the database named on stderr (password hidden), then opened. `serve`
    logs where its data lives instead (announce=False: its stderr holds log records only, in CEU_LOG_FORMAT)."""
    from storage.db import shown_url

    settings = settings or Settings()
    if announce:
        click.echo(f"database: {shown_url(settings.db_url)}", err=True)
    try:
        return build_services(settings)
    except Exception as exc:  # an unreachable database or a broken URL: say so plainly, on one line
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise CliError(f"cannot open the database: {detail[0] if detail else type(exc).__name__}") from exc


_services = open_services  # the name the commands below (and others' additions) call


class CeuGroup(click.Group):
    """The `ceu-bot` group: a setting pydantic cannot read stops any command with one line per setting (exit 2)."""

    def invoke(self, ctx: click.Context) -> Any:
        from pydantic import ValidationError

        from bot.preflight import validation_lines

        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            for line in validation_lines(exc):
                click.echo(f"ceu-bot: {line}", err=True)
            ctx.exit(2)


def _context(services: Services, today: date | None) -> Context:
    ctx = services.context()
    if today is not None:
        ctx.today = today
    return ctx


FIRST_DAY = fiscal_year_bounds(FIRST_FY)[0]  # the first day of the requirement (from the shipped policy files)
MAX_FY = 2100  # fiscal years beyond this are typing errors (and beyond 9998 dates break)


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date like 2025-09-30") from None
    if not FIRST_DAY <= day <= date(MAX_FY, 9, 30):
        raise click.BadParameter(
            f"{day} is outside the TD-CEU years (the requirement began on {FIRST_DAY}, with FY{FIRST_FY})"
        )
    return day


def _fy(_ctx: click.Context, _param: click.Parameter, value: int | None) -> int | None:
    if value is None:
        return None
    if not FIRST_FY <= value <= MAX_FY:
        raise click.BadParameter(f"FY{value} is not a TD-CEU fiscal year (the requirement began with FY{FIRST_FY})")
    return value


today_option = click.option(
    "--today", callback=_date, help="Stand-in for today's date (YYYY-MM-DD) in CEU_TIMEZONE (default America/Chicago)."
)


def fy_option(*names: str, required: bool = False, help: str = "Fiscal year (default: the one today falls in).") -> Any:
    return click.option(*names, type=int, callback=_fy, required=required, help=help)


@click.group(cls=CeuGroup)
@click.version_option(package_name="td-ceu-bot", prog_name="ceu-bot")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """TD-CEU bot: Alabama technology directors' training hours, in Slack and Microsoft Teams."""
    from bot.logs import LogSettingError, configure_logging

    try:
        settings = Settings()
        fmt, level = settings.log_format, settings.log_level
    except Exception:  # another setting is broken: the command that reads it says so; log as by default
        fmt, level = "text", "INFO"
    try:  # CEU_LOG_FORMAT (text | json) and CEU_LOG_LEVEL; --verbose is DEBUG
        configure_logging(fmt, level, verbose=verbose)
    except LogSettingError as exc:
        raise CliError(str(exc)) from None


@main.command()
@click.option("--as", "email", required=True, help="Roster e-mail to talk as.")
@today_option
@click.argument("message", nargs=-1)
def chat(email: str, today: date | None, message: tuple[str, ...]) -> None:
    """Talk to the bot in the terminal as EMAIL (the same handlers Slack and Teams use).

    With MESSAGE, answer it and exit; otherwise read messages until EOF or `quit`."""
    from handlers.chat import handle_text
    from handlers.payloads import FormRequest
    from handlers.report_delivery import order_of

    services = _services()
    ctx = _context(services, today)

    def answer(text: str) -> None:
        reply = handle_text(ctx, email, "console", text)
        echo(reply.to_text())
        request = reply.payload_as(FormRequest)
        form = request.form if request is not None else ""
        order = order_of(reply)
        if order is not None:
            echo(f"\n(In Slack or Teams the files arrive in the chat; here: `ceu-bot report --fy {order.fy} --out D`.)")
        elif form == "submit":
            echo("\n(The form opens in Slack or Teams; an admin records hours with `ceu-bot import attendance`.)")
        elif form == "import":
            echo("\n(In Slack or Teams the file goes to the bot; here: `ceu-bot import attendance FILE.csv`.)")
        elif form:
            echo("\n(The form opens in Slack or Teams: type `/ceu request` there, or `request` to the bot in Teams.)")

    if message:
        answer(" ".join(message))
        return
    echo(f"TD-CEU bot console, talking as {email}. Type `help`, or `quit` to leave.")
    for line in sys.stdin:
        text = line.strip()
        if text.lower() in {"quit", "exit"}:
            break
        answer(text)
        echo("")


@main.command()
@click.argument("email")
@fy_option("--fy")
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print the SPEC status object.")
def status(email: str, fy: int | None, today: date | None, as_json: bool) -> None:
    """Print a director's status for a fiscal year."""
    from handlers.status import build_status, status_json, status_reply
    from rules.fiscal import fiscal_year_of
    from storage.people import by_email

    services = _services()
    ctx = _context(services, today)
    year = fy or fiscal_year_of(ctx.today)
    with ctx.session() as session:
        person = by_email(session, email)
        if person is None:
            raise CliError(f"{email} is not on the roster")
        try:
            view = build_status(session, person, year, ctx.today)
        except LookupError as exc:
            raise CliError(str(exc)) from None
    if as_json:
        echo(json.dumps(status_json(view)))
    else:
        echo(status_reply(view).to_text())


@main.command("catalog")
@fy_option("--fy", help="Fiscal year (default: the current one).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def catalog_cmd(fy: int | None, as_json: bool) -> None:
    """List a fiscal year's catalog."""
    from handlers.catalog_io import catalog_json
    from handlers.events import event_line
    from rules.fiscal import fiscal_year_of
    from storage.catalog import catalog

    services = _services()
    ctx = services.context()
    year = fy or fiscal_year_of(ctx.today)
    with ctx.session() as session:
        items = catalog(session, year)
    for item in items:
        echo(json.dumps(catalog_json(item)) if as_json else f"{item.kind.value:15} {event_line(item)}")
    if not items and not as_json:
        echo(f"FY{year} has no catalog yet: import one or roll the previous FY forward.", err=True)


@main.command("roll-forward")
@fy_option("--from", "from_fy", required=True, help="Fiscal year to copy from.")
@fy_option("--to", "to_fy", required=True, help="Fiscal year to copy into.")
def roll_forward_cmd(from_fy: int, to_fy: int) -> None:
    """Copy a FY's undated external events into a later FY (dated one-off events and ALET activities stay
    behind); add or edit the rest with `import catalog`."""
    from storage.audit import audit
    from storage.catalog import catalog_rows, roll_catalog_forward

    if to_fy <= from_fy:
        raise CliError("--to must be a later fiscal year than --from")
    services = _services()
    with services.context().session() as session:
        if not catalog_rows(session, from_fy):
            raise CliError(f"FY{from_fy} has no catalog to copy")
        rolled = roll_catalog_forward(session, from_fy, to_fy)
        counts = {"added": rolled.added, "kept": rolled.kept}
        audit(session, "cli", "catalog.roll_forward", f"FY{from_fy}->FY{to_fy}", counts)
        session.commit()
    echo(rolled.summary(from_fy, to_fy))


@main.group("import")
def import_group() -> None:
    """Import ALET's CSV files (all-or-nothing: one bad row refuses the whole file)."""


def _run_import(kind: str, path: Path, fy: int | None) -> None:
    from handlers.imports import ImportRefused, import_file

    services = _services()
    ctx = services.context()
    try:
        result = import_file(ctx, kind, path, fy=fy, actor="cli", progress=True)
    except ImportRefused as exc:
        rows = all(problem.startswith("line ") for problem in exc.problems)
        what = "bad row(s)" if rows else "problem(s)"
        echo(f"{path.name}: refused, nothing was written. {len(exc.problems)} {what}:", err=True)
        for problem in exc.problems:
            echo(f"  {problem}", err=True)
        sys.exit(1)
    echo(result.summary())


@import_group.command("catalog")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@fy_option("--fy", required=True, help="Fiscal year of the catalog.")
def import_catalog(path: Path, fy: int) -> None:
    """code,title,kind,date,hours,strands[,up_to,per_unit,counts_for_td,evidence,earliest]"""
    _run_import("catalog", path, fy)


@import_group.command("roster")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_roster(path: Path) -> None:
    """email,name,district,role_start,cto_completed,roles[,active]"""
    _run_import("roster", path, None)


@import_group.command("attendance")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_attendance(path: Path) -> None:
    """email,activity_code,date,hours[,strands][,unit]"""
    _run_import("attendance", path, None)


@main.command()
@fy_option("--fy", required=True, help="Fiscal year to report.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@today_option
def report(fy: int, out_dir: Path, today: date | None) -> None:
    """Write the year-end report for the SDE (CSV and XLSX) and the completers list."""
    from handlers.report import write_report

    services = _services()
    ctx = _context(services, today)
    try:
        paths = write_report(ctx, fy, out_dir)
    except LookupError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write the report into {out_dir}: {exc.strerror or exc}") from None
    for p in paths:
        echo(str(p))


@main.command()
@today_option
def demo(today: date | None) -> None:
    """Load a small demo roster, catalog and attendance (idempotent) and print who to chat as."""
    from handlers.demo import load_demo
    from handlers.imports import ImportRefused

    services = _services()
    ctx = _context(services, today)
    try:
        lines = load_demo(ctx)
    except ImportRefused as exc:
        raise CliError("the demo data was refused: " + "; ".join(exc.problems)) from None
    for line in lines:
        echo(line)


@main.command()
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=3978, show_default=True, type=int)
@click.option("--dev", is_flag=True, help="Local development: bind 127.0.0.1, Teams without credentials (Emulator).")
@click.option("--sweep", is_flag=True, help="With --dev: run the daily reminder sweep too (off in --dev otherwise).")
def serve(host: str, port: int, dev: bool, sweep: bool) -> None:
    """Run the bot: Slack (/slack/events), Teams (/api/messages), /healthz, /readyz and the reminder scheduler."""
    from bot.cli_serve import run_server

    run_server(host, port, dev=dev, sweep=sweep)


main.add_command(__import__("bot.cli_remind", fromlist=["remind"]).remind)
main.add_command(__import__("bot.cli_manifest", fromlist=["manifest"]).manifest)
main.add_command(__import__("bot.cli_db", fromlist=["db"]).db)
main.add_command(__import__("bot.cli_roster", fromlist=["roster"]).roster)
main.add_command(__import__("bot.cli_roster", fromlist=["void"]).void)
main.add_command(__import__("bot.cli_doctor", fromlist=["doctor"]).doctor)
main.add_command(__import__("bot.cli_evidence", fromlist=["evidence"]).evidence)


if __name__ == "__main__":
    main()
