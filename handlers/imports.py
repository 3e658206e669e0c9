"""ALET's CSV imports (catalog, roster, attendance), all-or-nothing: every row is checked first, one bad row
refuses the file with every bad row listed by line number, and a re-import adds nothing twice. The attendance
import lives in handlers.attendance_import."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from handlers import attendance_import
from handlers.catalog_changes import invalidated
from handlers.context import Context
from handlers.csv_rows import ImportRefused, Row, ignored_columns, parse_bool, parse_date, read_rows
from handlers.import_result import ImportResult
from rules.fiscal import fiscal_year_bounds, fiscal_year_of
from rules.hours import HoursError, parse_hours
from rules.policy import CatalogItem, Evidence, Kind, Policy
from rules.strands import StrandError, parse_strands
from storage.audit import audit
from storage.people import ROLES, normalise_email
from storage.policy_data import entry_of, policy_for
from storage.repeats import settle_repeats
from storage.roster import set_active
from storage.status_version import lock_versions
from storage.tables import CatalogEntry, ImportBatch, Person

__all__ = [
    "PENDING_REPLACED",
    "ImportRefused",
    "ImportResult",
    "check_bytes",
    "import_bytes",
    "import_file",
    "import_in",
]

PENDING_REPLACED = attendance_import.PENDING_REPLACED

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def import_file(
    ctx: Context, kind: str, path: Path, *, fy: int | None = None, actor: str = "cli", progress: bool = False
) -> ImportResult:
    return import_bytes(ctx, kind, path.read_bytes(), path.name, fy=fy, actor=actor, progress=progress)


def import_bytes(
    ctx: Context,
    kind: str,
    data: bytes,
    name: str,
    *,
    fy: int | None = None,
    actor: str = "cli",
    progress: bool = False,
) -> ImportResult:
    with ctx.session() as session:
        try:
            result = import_in(ctx, session, kind, data, name, fy=fy, actor=actor, progress=progress)
            session.commit()
        except IntegrityError:  # another import (or a chat submission) wrote the same rows meanwhile
            session.rollback()
            raise ImportRefused([CONCURRENT]) from None
    return result


CONCURRENT = (
    "some rows were recorded by another import running at the same time; nothing was written. "
    "Run this import again: rows already recorded are then skipped."
)


def import_in(
    ctx: Context,
    session: Session,
    kind: str,
    data: bytes,
    name: str,
    *,
    fy: int | None = None,
    actor: str = "cli",
    progress: bool = False,
) -> ImportResult:
    """The import inside the caller's transaction, with its batch row and audit row; the caller commits."""
    sha = hashlib.sha256(data).hexdigest()
    result = _run(ctx, session, kind, data, fy, actor, progress)
    session.add(
        ImportBatch(
            kind=kind,
            file_name=name[:255],
            sha256=sha,
            rows=result.rows,
            added=result.added,
            at=datetime.now(UTC),
            actor=actor,
        )
    )
    audit(session, actor, f"import.{kind}", name[:200], {**result.__dict__, "sha256": sha, "fy": fy})
    return result


def check_bytes(ctx: Context, kind: str, data: bytes, *, fy: int | None = None) -> ImportResult:
    """What importing `data` would do, by the same code, then rolled back: nothing is written."""
    with ctx.session() as session:
        try:
            return _run(ctx, session, kind, data, fy, "cli", False)
        finally:
            session.rollback()


def _run(
    ctx: Context, session: Session, kind: str, data: bytes, fy: int | None, actor: str, progress: bool
) -> ImportResult:
    result = _run_kind(ctx, session, kind, data, fy, actor, progress)
    return dataclasses.replace(result, ignored=tuple(ignored_columns(data, *COLUMNS[kind])))


def _run_kind(
    ctx: Context, session: Session, kind: str, data: bytes, fy: int | None, actor: str, progress: bool
) -> ImportResult:
    if kind == "catalog":
        if fy is None:
            raise ImportRefused(["a catalog import needs its fiscal year (--fy)"])
        return _catalog(session, read_rows(data, CATALOG_REQUIRED, CATALOG_OPTIONAL), fy, actor)
    if kind == "roster":
        return _roster(session, read_rows(data, ROSTER_REQUIRED, ROSTER_OPTIONAL), ctx.today)
    if kind == "attendance":
        rows = read_rows(data, attendance_import.REQUIRED, attendance_import.OPTIONAL)
        return attendance_import.import_attendance(session, rows, ctx.today, actor, progress)
    raise ValueError(f"unknown import kind {kind}")


def _fail_if(problems: list[str]) -> None:
    if problems:
        raise ImportRefused(problems)


def _extra(row: Row) -> str | None:
    return "more fields than the header has" if "__extra__" in row.values else None


# --- catalog -------------------------------------------------------------------------------------------------

CATALOG_REQUIRED = ("code", "title", "kind", "date", "hours", "strands")
CATALOG_OPTIONAL = ("up_to", "per_unit", "counts_for_td", "evidence", "earliest", "end", "once")
CATALOG_FIELDS = (
    "title",
    "kind",
    "day",
    "end_day",
    "cap",
    "up_to",
    "per_unit",
    "counts_for_td",
    "evidence",
    "earliest",
    "once",
    "strands",
)


def _catalog(session: Session, rows: list[Row], fy: int, actor: str) -> ImportResult:
    try:
        policy = policy_for(session, fy)
    except LookupError as exc:
        raise ImportRefused([str(exc)]) from None
    problems: list[str] = []
    items: list[CatalogItem] = []
    seen: dict[str, int] = {}
    for row in rows:
        errs: list[str] = []
        if (e := _extra(row)) is not None:
            problems.append(f"line {row.line}: {e}")
            continue
        item = _catalog_item(row, fy, policy, errs)
        code = row.get("code")
        if code in seen:
            errs.append(f"code {code} repeats line {seen[code]}")
        seen.setdefault(code, row.line)
        if errs:
            problems.append(f"line {row.line}: " + "; ".join(errs))
        elif item is not None:
            items.append(item)
    _fail_if(problems)
    existing = {r.code: r for r in session.exec(select(CatalogEntry).where(CatalogEntry.fy == fy)).all()}
    _fail_if(
        [
            f"line {seen[item.code]}: {why}"
            for item in items
            if item.code in existing and (why := invalidated(session, existing[item.code], item)) is not None
        ]
    )
    added, updated = _write_catalog(session, items, existing, actor)
    return ImportResult("catalog", len(rows), added, updated, len(items) - added - updated)


def _write_catalog(
    session: Session, items: list[CatalogItem], existing: dict[str, CatalogEntry], actor: str
) -> tuple[int, int]:
    """Add the new activities, update the changed ones (their no-repeat credit settled again where it depends on
    what changed); (added, updated)."""
    added = updated = 0
    resettle: set[str] = set()
    for item in items:
        fresh = entry_of(item)
        old = existing.get(item.code)
        if old is None:
            session.add(fresh)
            added += 1
            continue
        changed = [f for f in CATALOG_FIELDS if getattr(old, f) != getattr(fresh, f)]
        if changed:
            if {"kind", "once", "counts_for_td"} & set(changed):
                resettle.add(item.code)
            for f in changed:
                setattr(old, f, getattr(fresh, f))
            session.add(old)
            updated += 1
    session.flush()
    for m in settle_repeats(session, resettle):
        audit(session, actor, "catalog.credit_moved", f"credit:{m.record_id}", m.__dict__)
    return added, updated


def _catalog_item(row: Row, fy: int, policy: Policy, errs: list[str]) -> CatalogItem | None:
    code, title = row.get("code"), row.get("title")
    if not code:
        errs.append("code is empty")
    elif not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}", code):
        errs.append(f"code '{code}' may hold only letters, digits, '.', '_' and '-' (at most 80)")
    if not title:
        errs.append("title is empty")
    try:
        kind = Kind(row.get("kind").lower())
    except ValueError:
        errs.append(f"kind '{row.get('kind')}' is not one of {', '.join(k.value for k in Kind)}")
        kind = Kind.EXTERNAL
    day, end, earliest = _catalog_dates(row, fy, kind, errs)
    cap = 0
    try:
        cap = parse_hours(row.get("hours"))
    except HoursError as exc:
        errs.append(str(exc))
    strands = 0
    try:
        strands = parse_strands(row.get("strands"), policy.strands)
    except StrandError as exc:
        errs.append(str(exc))
    up_to, per_unit, counts, once = _catalog_flags(row, errs)
    try:
        evidence = Evidence(row.get("evidence").lower() or ("file" if kind is Kind.EXTERNAL else "none"))
    except ValueError:
        errs.append(f"evidence '{row.get('evidence')}' is not one of none, file, file+assignment")
        evidence = Evidence.NONE
    if errs:
        return None
    return CatalogItem(
        fy=fy,
        code=code,
        title=title[:300],
        kind=kind,
        cap=cap,
        strands=strands,
        day=day,
        up_to=up_to,
        per_unit=per_unit,
        counts_for_td=counts,
        evidence=evidence,
        earliest=earliest,
        end=end,
        once=once,
    )


def _catalog_dates(row: Row, fy: int, kind: Kind, errs: list[str]) -> tuple[date | None, date | None, date | None]:
    """An activity's date (needed by every ALET activity but Talent online courses), end and earliest day, each
    inside FY `fy`."""
    day = earliest = None
    try:
        day = parse_date(row.get("date")) if row.get("date") else None
        if day is not None and fiscal_year_of(day) != fy:
            errs.append(f"date {day} is outside FY{fy}")
    except ValueError as exc:
        errs.append(str(exc))
    if day is None and kind is not Kind.EXTERNAL and kind is not Kind.TALENT_ONLINE:
        errs.append(f"a {kind.value} needs its date")
    end = _end_of(row, day, fy, errs)
    try:
        earliest = parse_date(row.get("earliest"), "earliest") if row.get("earliest") else None
        if earliest is not None and fiscal_year_of(earliest) != fy:
            first, last = fiscal_year_bounds(fy)
            errs.append(f"earliest {earliest} is outside FY{fy} ({first} to {last})")
    except ValueError as exc:
        errs.append(str(exc))
    return day, end, earliest


def _catalog_flags(row: Row, errs: list[str]) -> tuple[bool, bool, bool, bool]:
    """up_to, per_unit, counts_for_td and once (their defaults when one of them is wrong)."""
    try:
        return (
            parse_bool(row.get("up_to"), True, "up_to"),
            parse_bool(row.get("per_unit"), False, "per_unit"),
            parse_bool(row.get("counts_for_td"), True, "counts_for_td"),
            parse_bool(row.get("once"), False, "once"),
        )
    except ValueError as exc:
        errs.append(str(exc))
        return True, False, True, False


def _end_of(row: Row, day: date | None, fy: int, errs: list[str]) -> date | None:
    """The optional last day of a dated activity: on or after its date, inside the same FY."""
    if not row.get("end"):
        return None
    try:
        end = parse_date(row.get("end"), "end")
    except ValueError as exc:
        errs.append(str(exc))
        return None
    if day is None:
        errs.append(f"end {end} needs the activity's date (the first day)")
    elif end < day:
        errs.append(f"end {end} is before the date {day}")
    elif fiscal_year_of(end) != fy:
        start, last = fiscal_year_bounds(fy)
        errs.append(f"end {end} is outside FY{fy} ({start} to {last})")
    return end


# --- roster --------------------------------------------------------------------------------------------------

ROSTER_REQUIRED = ("email", "name", "district", "role_start", "cto_completed", "roles")
ROSTER_OPTIONAL = ("active",)  # false: off the roster from the import's day on (storage/roster.py)


def _roster(session: Session, rows: list[Row], today: date) -> ImportResult:
    problems: list[str] = []
    people: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    active: dict[str, bool] = {}
    for row in rows:
        errs: list[str] = []
        if (e := _extra(row)) is not None:
            problems.append(f"line {row.line}: {e}")
            continue
        values = _roster_row(row, today, seen, active, errs)
        if errs:
            problems.append(f"line {row.line}: " + "; ".join(errs))
            continue
        people.append(values)
    _fail_if(problems)
    added, updated = _write_roster(session, people, active, today)
    return ImportResult("roster", len(rows), added, updated, len(people) - added - updated)


def _roster_row(
    row: Row, today: date, seen: dict[str, int], active: dict[str, bool], errs: list[str]
) -> dict[str, object]:
    """One roster row checked (problems in `errs`): the person's values, their e-mail's first line in `seen` and
    whether they stay on the roster in `active`."""
    email = normalise_email(row.get("email"))
    if not EMAIL.match(email) or len(email) > 254:
        errs.append(f"e-mail '{row.get('email')}' is not an e-mail address")
    elif email in seen:
        errs.append(f"{email} repeats line {seen[email]}")
    seen.setdefault(email, row.line)
    if not row.get("name"):
        errs.append("name is empty")
    dates: dict[str, date | None] = {}
    for field in ("role_start", "cto_completed"):
        try:
            dates[field] = parse_date(row.get(field), field) if row.get(field) else None
        except ValueError as exc:
            errs.append(str(exc))
    errs.extend(_roster_dates(dates.get("role_start"), dates.get("cto_completed"), today))
    roles = [r.strip().lower() for r in row.get("roles").split(";") if r.strip()] or ["director"]
    bad = [r for r in roles if r not in ROLES]
    if bad:
        errs.append(f"role '{bad[0]}' is not one of {', '.join(ROLES)}")
    try:
        active[email] = parse_bool(row.get("active"), True, "active")
    except ValueError as exc:
        errs.append(str(exc))
    return {
        "email": email,
        "name": row.get("name")[:200],
        "district": row.get("district")[:200],
        "roles": ";".join(dict.fromkeys(roles)),
        **dates,
    }


def _write_roster(
    session: Session, people: list[dict[str, object]], active: dict[str, bool], today: date
) -> tuple[int, int]:
    """Add the new people, update the changed ones, each on or off the roster from `today`; (added, updated)."""
    existing = {p.email: p for p in session.exec(select(Person)).all()}
    named = (existing[str(v["email"])].id for v in people if str(v["email"]) in existing)
    lock_versions(session, (i for i in named if i is not None))  # in id order: no deadlock with an attendance import
    added = updated = 0
    for values in people:
        email = str(values["email"])
        old = existing.get(email)
        if old is None:
            new = Person(**values)  # type: ignore[arg-type]
            session.add(new)
            added += 1
            if not active[email]:
                session.flush()  # its id, for the span off the roster
                set_active(session, new, False, today, "roster import")
            continue
        changed = False
        for key, value in values.items():
            if getattr(old, key) != value:
                setattr(old, key, value)
                changed = True
        if set_active(session, old, active[email], today, "roster import"):
            changed = True
        if changed:
            session.add(old)
            updated += 1
    return added, updated


def _roster_dates(role_start: date | None, completed: date | None, today: date) -> list[str]:
    """Dates a roster may not hold: a role taken or a CTO Academy completed after today. A completion before the
    role began is true of many directors (they took the CTO Academy in an earlier post) and is accepted."""
    errs: list[str] = []
    if role_start is not None and role_start > today:
        errs.append(f"role_start {role_start} is in the future (enter the TD once the role has begun)")
    if completed is not None and completed > today:
        errs.append(f"cto_completed {completed} is in the future")
    return errs


# --- attendance (handlers.attendance_import) ----------------------------------------------------------------

COLUMNS = {
    "catalog": (CATALOG_REQUIRED, CATALOG_OPTIONAL),
    "roster": (ROSTER_REQUIRED, ROSTER_OPTIONAL),
    "attendance": (attendance_import.REQUIRED, attendance_import.OPTIONAL),
}
