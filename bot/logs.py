"""Log setup for `serve` and every CLI command: one line per record on stderr, as text or as one JSON object per
line for a log shipper (CEU_LOG_FORMAT=text|json), at CEU_LOG_LEVEL (default INFO).

Whatever a record carries (a name, a title, a path someone sent us), no record can forge a line: in text, CR, LF
and every other control character of the message are escaped (`\\n`, `\\x1b`, `\\u2028`) and a traceback's lines
are indented under it; in JSON the encoder escapes them. Each record also carries the id of the HTTP request it
was written for (`request_id`, see bot/access_log.py). Libraries stay at INFO or above even at DEBUG (SQLAlchemy
at WARNING): below that they quote request bodies, message texts and SQL parameters.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The least level each library logs at, whatever CEU_LOG_LEVEL says: below it they quote bodies, message texts
# or SQL with its parameters (SQLAlchemy logs every statement at INFO). `alembic` speaks up with --verbose.
LIBRARIES = {"slack_bolt": logging.INFO, "slack_sdk": logging.INFO, "ceu.slack.bolt": logging.INFO,
             "aiohttp": logging.INFO, "botbuilder": logging.INFO, "msal": logging.INFO, "msrest": logging.INFO,
             "urllib3": logging.INFO, "apscheduler": logging.INFO, "asyncio": logging.INFO,
             "sqlalchemy": logging.WARNING}  # fmt: skip
QUIET = ("alembic",)  # migrations are applied on every command: WARNING unless --verbose
FIELDS = ("request_id", "method", "route", "status", "outcome", "duration_ms", "who")  # extras that JSON lines carry

request_id: ContextVar[str] = ContextVar("ceu_request_id", default="")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class LogSettingError(ValueError):
    """A bad CEU_LOG_FORMAT or CEU_LOG_LEVEL; the message is the one line to print."""


def escape(text: str) -> str:
    """`text` on one line: control characters (C0, DEL, C1, the Unicode line separators) as escapes."""
    return _CONTROL.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def parse_format(value: str) -> str:
    fmt = value.strip().lower() or "text"
    if fmt not in FORMATS:
        raise LogSettingError(f"CEU_LOG_FORMAT must be json or text, not {escape(value)!r}")
    return fmt


def parse_level(value: str) -> int:
    level = value.strip().upper() or "INFO"
    if level not in LEVELS:
        raise LogSettingError(f"CEU_LOG_LEVEL must be one of {', '.join(LEVELS)}, not {escape(value)!r}")
    return int(getattr(logging, level))


class RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request it was written for ('' outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`2026-12-01 23:50:01,123 WARNING ceu.access [rid]: message`, the message escaped onto its line."""

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", "")
        where = f"{record.name} [{rid}]" if rid else record.name
        line = f"{self.formatTime(record)} {record.levelname} {where}: {escape(record.getMessage())}"
        if record.exc_info:
            line += "\n" + "\n".join(
                "  | " + escape(part) for part in self.formatException(record.exc_info).split("\n")
            )
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: getattr(record, k) for k in FIELDS if getattr(record, k, "") not in ("", None)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class OurHandler(logging.StreamHandler[TextIO]):
    """The handler configure_logging installs (and replaces when called again)."""


def configure_logging(fmt: str, level: str, *, verbose: bool = False, stream: TextIO | None = None) -> None:
    """Check the settings (LogSettingError), then log to `stream` (stderr) in that format from that level on.
    Like logging.basicConfig, a logging set up by someone else (a test runner, an embedding program) is left
    alone; only our own handler is replaced."""
    chosen = parse_format(fmt)
    threshold = logging.DEBUG if verbose else parse_level(level)
    root = logging.getLogger()
    if any(not isinstance(h, OurHandler) for h in root.handlers):
        return
    handler = OurHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    logging.captureWarnings(True)  # Python's warnings as records too: every stderr line is in the format
    root.setLevel(threshold)
    for name, floor in LIBRARIES.items():
        logging.getLogger(name).setLevel(max(threshold, floor))
    for name in QUIET:
        logging.getLogger(name).setLevel(threshold if verbose else max(threshold, logging.WARNING))
