"""The one table of a FY policy's fields: for each Policy field, where a policy file holds it (TOML table and key),
how its value is read, and how the policy_year row stores it. Reading a policy file, storing a policy and loading it
back all go through this table, so a new policy number is one line here (plus its Policy field, its column and a
migration)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rules.hours import parse_hours
from rules.policy import Policy
from storage.tables import PolicyYear


def _days(values: Iterable[Any]) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


def _as_is(value: Any) -> Any:
    return value


def _strands(table: dict[str, Any]) -> dict[int, str]:
    return {int(k): str(v) for k, v in table.items()}


@dataclass(frozen=True)
class PolicyField:
    """One Policy field: `name` (the Policy attribute and the policy_year column), its place in the file (`key` ""
    is the whole table), how a file's value is read, whether the file may leave it out (Policy's default then),
    whether it is a list of days (stored as "90,60,30") and whether policy_year has a column of it (the strands are
    policy_strand rows)."""

    name: str
    table: str
    key: str
    read: Callable[[Any], Any]
    optional: bool = False
    days: bool = False
    column: bool = True


FIELDS: tuple[PolicyField, ...] = (
    PolicyField("required", "requirement", "required_hours", parse_hours),
    PolicyField("alet_minimum", "requirement", "alet_minimum_hours", parse_hours),
    PolicyField("external_maximum", "requirement", "external_maximum_hours", parse_hours),
    PolicyField("require_all_strands", "requirement", "require_all_strands", bool, optional=True),
    PolicyField("strands", "strands", "", _strands, column=False),
    PolicyField("cto_applies_from", "cto_academy", "applies_from", _as_is),
    PolicyField("cto_months", "cto_academy", "months", int),
    PolicyField("cto_due_soon_days", "cto_academy", "due_soon_days", int),
    PolicyField("fy_reminder_days", "reminders", "fy_days_before", _days, days=True),
    PolicyField("cto_reminder_days", "reminders", "cto_days_before", _days, days=True),
    PolicyField("cto_overdue_every_months", "reminders", "cto_overdue_every_months", int, optional=True),
    PolicyField("unsnoozable_days", "reminders", "unsnoozable_days_before", _days, optional=True, days=True),
    PolicyField("snooze_days", "reminders", "snooze_days", int, optional=True),
    PolicyField("review_wait_days", "reminders", "review_wait_days", int, optional=True),
    PolicyField("upcoming_suggestions", "reminders", "upcoming_suggestions", int, optional=True),
    PolicyField("contact", "contact", "text", str, optional=True),
)


def policy_from_file(data: dict[str, Any]) -> Policy:
    """The Policy of a parsed policy file (KeyError, TypeError or ValueError when a field is missing or wrong)."""
    fy = int(data["fy"])
    missing = [t for t in dict.fromkeys(f.table for f in FIELDS if not f.optional and f.key) if t not in data]
    if missing:  # a missing table of required numbers is named before any of its keys
        raise KeyError(missing[0])
    values: dict[str, Any] = {}
    for f in FIELDS:
        table = data.get(f.table, {}) if f.optional else data[f.table]
        if not f.key:
            values[f.name] = f.read(table)
        elif not f.optional or f.key in table:  # else Policy's default
            values[f.name] = f.read(table[f.key])
    return Policy(fy=fy, **values)


def row_of(policy: Policy) -> PolicyYear:
    """The policy_year row of `policy` (its strands are policy_strand rows)."""
    values = {f.name: getattr(policy, f.name) for f in FIELDS if f.column}
    for f in FIELDS:
        if f.days:
            values[f.name] = ",".join(str(v) for v in values[f.name])
    return PolicyYear(fy=policy.fy, **values)


def policy_of(row: PolicyYear, strands: dict[int, str], fy: int) -> Policy:
    """The Policy of FY `fy` from the policy_year row that applies to it and that row's strands."""
    values = {f.name: getattr(row, f.name) for f in FIELDS if f.column}
    for f in FIELDS:
        if f.days:
            values[f.name] = tuple(int(v) for v in values[f.name].split(",") if v.strip())
    return Policy(fy=fy, strands=strands, **values)
