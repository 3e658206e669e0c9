"""The checks `serve` runs before it starts and `ceu-bot doctor` reports: broken settings (one line each, naming the
variable), the listening address, and a database URL that cannot work. No check talks to Slack or Microsoft here
(bot/doctor.py does); none raises."""

from __future__ import annotations

import errno
import os
import re
import socket
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from bot.settings import ENV_FILE_VARIABLE, Settings, env_file

SLACK_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")


def validation_lines(exc: ValidationError) -> list[str]:
    """pydantic's errors as one line per setting: `CEU_REMINDER_HOUR=abc: Input should be a valid integer ...`."""
    aliases = {name: field.alias or name for name, field in Settings.model_fields.items()}
    lines = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error.get("loc", ())) or "settings"
        name = aliases.get(name, name)
        value = error.get("input")
        shown = f"={value}" if isinstance(value, str | int | float) and "SECRET" not in name else ""
        lines.append(f"{name}{shown}: {error.get('msg', 'invalid')}")
    return lines


def setting_problems(settings: Settings) -> list[str]:
    """Every setting that makes the bot misbehave, one line each (the values pydantic accepted but we cannot use)."""
    out: list[str] = []
    file = env_file()
    if os.environ.get(ENV_FILE_VARIABLE) and file is not None and not file.is_file():
        out.append(f"{ENV_FILE_VARIABLE}={file}: no such file")
    if not 0 <= settings.reminder_hour <= 23:
        out.append(f"CEU_REMINDER_HOUR={settings.reminder_hour}: must be an hour from 0 to 23")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        out.append(f"CEU_TIMEZONE={settings.timezone}: not a known time zone (like America/Chicago)")
    out += _reminder_days(settings.reminder_days)
    out += _database_url(settings)
    for name, value in (
        ("CEU_EVIDENCE_MAX_BYTES", settings.evidence_max_bytes),
        ("CEU_EVIDENCE_LINK_DAYS", settings.evidence_link_days),
        ("SLACK_HTTP_TIMEOUT", settings.slack_http_timeout),
    ):
        if value <= 0:
            out.append(f"{name}={value}: must be a positive number")
    if settings.evidence_store_kind not in ("database", "files"):
        out.append(f"CEU_EVIDENCE_STORE={settings.evidence_store}: must be database or files (or unset)")
    if settings.public_url and not _is_https(settings.public_url):
        out.append(f"CEU_PUBLIC_URL={settings.public_url}: must be the bot's https address (https://ceu.example.org)")
    if not re.match(r"^https?://[^/]+.*/$", settings.slack_api_url):
        out.append(
            f"SLACK_API_URL={settings.slack_api_url}: must be an http(s) URL ending in / (https://slack.com/api/)"
        )
    channel = settings.slack_review_channel
    if channel and not SLACK_CHANNEL_ID.match(channel):
        out.append(
            f"SLACK_REVIEW_CHANNEL={channel}: must be the channel's id (like C0123ABCDE; in Slack: the channel's "
            "name -> About -> Channel ID), not its name"
        )
    return out


def _reminder_days(days: str) -> list[str]:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger(day_of_week=days)
    except ValueError as exc:
        return [f"CEU_REMINDER_DAYS={days}: {exc} (use e.g. mon-fri)"]
    return []


def _database_url(settings: Settings) -> list[str]:
    if not settings.database_url:
        return []
    from sqlalchemy.engine import make_url

    from storage.db import shown_url

    url = settings.db_url
    try:
        make_url(url).get_dialect().import_dbapi()
    except ImportError as exc:
        return [f"CEU_DATABASE_URL={shown_url(url)}: its driver is not installed ({exc.name})"]
    except Exception:  # unparsable, or an unknown dialect
        return [
            f"CEU_DATABASE_URL={shown_url(settings.database_url)}: not a database URL "
            "(like postgresql+psycopg://user:password@host/db)"
        ]
    return []


def _is_https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname)


def port_problem(host: str, port: int) -> str | None:
    """Whether `serve` could listen on host:port (tried by binding and closing at once)."""
    if not 1 <= port <= 65535:
        return f"--port {port}: not a TCP port (1-65535)"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"--host {host}: cannot listen there ({exc.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does: TIME_WAIT is no conflict
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is in use (another ceu-bot serve? choose one with --port)"
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None
