"""What `ceu-bot doctor` reports: one finding per check, with a level and a one-line detail."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    OK = "ok"
    WARNING = "warning"  # works, but probably not as meant
    PROBLEM = "problem"  # `serve` refuses to start, or a platform cannot work
    SKIPPED = "skipped"  # not configured, so not checked


@dataclass(frozen=True)
class Finding:
    check: str
    level: Level
    detail: str


def one_line(exc: BaseException) -> str:
    """An exception as one short line: the driver's or library's first line, never a traceback."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0][:200]}" if lines else type(orig).__name__
