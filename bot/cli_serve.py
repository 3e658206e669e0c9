"""`ceu-bot serve`: check the settings and the address first (a broken one stops it with one line per problem, exit
status 2, no traceback), say where the data lives and which platforms are on, then run the one aiohttp server."""

from __future__ import annotations

import gc
import logging
import os
import sys

import click

from bot.preflight import port_problem, setting_problems
from bot.settings import ENV_FILE_VARIABLE, Settings, env_file

log = logging.getLogger("ceu.serve")


def refuse(problems: list[str]) -> None:
    for problem in problems:
        click.echo(f"ceu-bot serve: {problem}", err=True)
    sys.exit(2)


def data_location(settings: Settings) -> str:
    """Where this bot keeps its data, in absolute terms (logged at startup)."""
    from storage.db import shown_url

    folder = settings.data_dir
    origin = "CEU_DATA_DIR" if os.environ.get("CEU_DATA_DIR") else "CEU_DATA_DIR unset: ./data of the start folder"
    evidence = "in the database" if settings.evidence_store_kind == "database" else str(settings.evidence_dir)
    if settings.database_url:
        return f"database {shown_url(settings.db_url)}, evidence {evidence}; data folder {folder} ({origin})"
    return f"data folder {folder} ({origin}): database {folder / 'ceu.sqlite3'}, evidence {evidence}"


def settings_source() -> str:
    file = env_file()
    if file is None:
        return f"the environment only ({ENV_FILE_VARIABLE} is empty)"
    if file.is_file():
        return f"the environment and {file.absolute()}"
    return f"the environment (no {file} file)"


def run_server(host: str, port: int, *, dev: bool, sweep: bool) -> None:
    from aiohttp import web

    from bot.app import build_app
    from bot.cli import open_services
    from bot.slack.mount import SLACK_KEY
    from bot.teams.mount import NOTIFIER_KEY

    if dev:
        host = "127.0.0.1"
    settings = Settings()
    problems = setting_problems(settings)
    busy = port_problem(host, port)
    if busy:
        problems.append(busy)
    if problems:
        refuse(problems)
    if dev and not sweep and settings.scheduler:
        settings = settings.model_copy(update={"scheduler": False})
        log.info("--dev: no reminder sweep (add --sweep to run it)")
    log.info("settings from %s", settings_source())
    log.info("%s", data_location(settings))
    services = open_services(settings, announce=False)  # data_location() above named the database
    app = build_app(services, dev=dev)
    if SLACK_KEY not in app and NOTIFIER_KEY not in app:
        log.warning(
            "neither Slack nor Teams is on: nobody can reach this bot (set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET "
            "or SLACK_APP_TOKEN, or the MICROSOFT_APP_* settings; `ceu-bot doctor` checks them)"
        )
    log.info("listening on http://%s:%s (/slack/events, /api/messages, /healthz, /readyz)", host, port)
    gc.collect()
    gc.freeze()  # what start-up made (modules, SQLAlchemy, botbuilder) lives for good: no collection walks it again
    try:
        # our access log (bot/access_log.py) instead of aiohttp's, which writes paths with their query strings
        web.run_app(app, host=host, port=port, print=None, access_log=None)
    except OSError as exc:  # the port was taken between the check and the bind
        refuse([f"cannot listen on {host}:{port}: {exc.strerror or exc}"])
    log.info("stopped")
