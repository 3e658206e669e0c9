"""The answers the submit and request forms share, each read once here: a date, hours, strands, a bounded text and a
web link. Every reader records its own field's problem in the Validation (the message shown beside that field) and
returns what it could read (None, 0 or the text as given when the answer is wrong)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from handlers.csv_rows import parse_date
from handlers.forms import Validation, Values, list_value, text_value
from rules.hours import HoursError, parse_hours
from rules.policy import Policy
from rules.strands import mask_of

LINK_MAX = 500


def sentence(text: str) -> str:
    """A rule's message as a field error: capitalised, with a full stop."""
    return f"{text[:1].upper()}{text[1:]}."


def date_field(values: Values, key: str, missing: str, v: Validation) -> date | None:
    """A date (YYYY-MM-DD and the other forms handlers.csv_rows.parse_date reads); `missing` when not given."""
    raw = text_value(values, key)
    if not raw:
        v.errors[key] = missing
        return None
    try:
        return parse_date(raw)
    except ValueError as exc:
        v.errors[key] = f"{exc}."
        return None


def hours_field(values: Values, v: Validation, key: str = "hours") -> int:
    """Hours as quarter-hours (rules.hours.parse_hours); 0 when wrong."""
    try:
        return parse_hours(text_value(values, key))
    except HoursError as exc:
        v.errors[key] = sentence(str(exc))
        return 0


def strands_field(values: Values, policy: Policy | None, v: Validation, key: str = "strands") -> int:
    """The picked strands as a mask, each one of `policy`'s (not checked without a policy: its FY has none)."""
    picked = list_value(values, key)
    if not picked:
        v.errors[key] = "Pick at least one strand."
        return 0
    if policy is None:
        return 0
    bad = [s for s in picked if not s.isdigit() or int(s) not in policy.strands]
    if bad:
        v.errors[key] = f"'{bad[0]}' is not one of the strands {', '.join(map(str, sorted(policy.strands)))}."
        return 0
    return mask_of(int(s) for s in picked)


def text_field(
    values: Values,
    key: str,
    v: Validation,
    *,
    limit: int,
    missing: str = "",
    squash: bool = False,
    count: bool = False,
) -> str:
    """A text of at most `limit` characters: `missing` is the error when it is required and empty, `squash` folds
    runs of white space into one space (a title), `count` says in the error how many characters were given."""
    text = text_value(values, key)
    if squash:
        text = " ".join(text.split())
    if not text:
        if missing:
            v.errors[key] = missing
    elif len(text) > limit:
        v.errors[key] = f"At most {limit} characters" + (f" ({len(text)} given)." if count else ".")
    return text


def link_field(values: Values, key: str, v: Validation) -> str:
    """An optional http(s) web link."""
    url = text_value(values, key)
    if url:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in url:
            v.errors[key] = "Give a web link starting with https:// (or http://)."
        elif len(url) > LINK_MAX:
            v.errors[key] = f"At most {LINK_MAX} characters."
    return url
