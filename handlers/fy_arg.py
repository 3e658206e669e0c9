"""Fiscal years in chat: parsing an optional FY argument ("2025", "FY2025", "fy25") and the policy in force."""

from __future__ import annotations

import re
from datetime import date

from handlers.context import Context
from handlers.reply import Outcome, Reply, message
from rules.fiscal import fiscal_year_of
from rules.policy import Policy
from storage.policy_data import first_shipped_fy, policy_for

FIRST_FY = first_shipped_fy()  # the first fiscal year of the requirement, from the shipped policy files
_FY = re.compile(r"^(?:fy)?(\d{2}|\d{4})$", re.IGNORECASE)


def current_policy(ctx: Context) -> Policy:
    """The policy of today's fiscal year (the first one's before the requirement began)."""
    with ctx.session() as session:
        return policy_for(session, max(fiscal_year_of(ctx.today), FIRST_FY))


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
