"""Parsing an optional fiscal-year argument ("2025", "FY2025", "fy25") of a chat command."""

from __future__ import annotations

import re
from datetime import date

from handlers.reply import Outcome, Reply, message
from rules.fiscal import fiscal_year_of

FIRST_FY = 2025
_FY = re.compile(r"^(?:fy)?(\d{2}|\d{4})$", re.IGNORECASE)


def fy_from_args(args: list[str], today: date) -> tuple[int, Reply | None]:
    current = fiscal_year_of(today)
    if not args:
        return current, None
    m = _FY.match(args[0].strip())
    if not m:
        return current, message(
            f"'{args[0]}' is not a fiscal year",
            "Write it like 2025 or FY2025 (FY2025 runs from October 1, 2024 to September 30, 2025).",
            Outcome.INVALID,
        )
    fy = int(m.group(1))
    if fy < 100:
        fy += 2000
    if fy < FIRST_FY or fy > current:
        return current, message(
            f"FY{fy} has no TD-CEU records",
            f"The requirement began with FY{FIRST_FY}; the current fiscal year is FY{current}.",
            Outcome.INVALID,
        )
    return fy, None
