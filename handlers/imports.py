"""ALET's CSV imports (catalog, roster, attendance), all-or-nothing: every row is checked first, one bad row
refuses the file with every bad row listed by line number, and a re-import adds nothing twice.

Attendance columns: email,activity_code,date,hours and optionally strands (';'-separated) and unit (the workshop of a
per-unit activity, e.g. a CoSN CTO Academy workshop, so two on one day are told apart; files without it still import,
each per-unit row then being the unit of its date)."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from handlers.context import Context
from handlers.csv_rows import (
    ImportRefused,
    Row,
    ignored_columns,
    iter_progress,
    parse_bool,
    parse_date,
    read_rows,
)
from rules.claims import Claim, check_claim, unit_key
from rules.credit import Status
from rules.fiscal import fiscal_year_bounds, fiscal_year_of
from rules.hours import HoursError, fmt_hours, parse_hours
from rules.policy import CatalogItem, Evidence, Kind, Policy
from rules.strands import StrandError, parse_strands
from storage.audit import audit
from storage.outbox import add_post_updates_for_credit
from storage.people import ROLES, normalise_email
from storage.policy_data import entry_of, item_of, policy_for
from storage.records import NOT_LIVE_VALUES
from storage.roster import set_active
from storage.tables import CatalogEntry, CreditRecord, ImportBatch, Person, Submission

__all__ = ["ImportRefused", "ImportResult", "check_bytes", "import_bytes", "import_file", "import_in"]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ImportResult:
    kind: str
    rows: int
    added: int
    updated: int = 0
    skipped: int = 0
    uncredited: int = 0
    confirmed: int = 0  # pending chat submissions replaced by ALET's attendance record of the same hours
    people: int = 0  # attendance: directors with records added
    quarters: int = 0  # attendance: hours added (quarter-hours)
    ignored: tuple[str, ...] = ()  # header names this import does not use (left out, with a warning)

    def summary(self) -> str:
        parts = [f"{self.rows} rows read", f"{self.added} added"]
        if self.updated:
            parts.append(f"{self.updated} updated")
        if self.skipped:
            parts.append(f"{self.skipped} already recorded")
        if self.uncredited:
            parts.append(f"{self.uncredited} recorded without credit (repeats or courses that do not count)")
        if self.confirmed:
            n = self.confirmed
            parts.append(
                f"{n} of them replace{'s' if n == 1 else ''} pending chat submission{'s' if n != 1 else ''} "
                "for the same activity and day (approved by this attendance, no longer waiting for review)"
            )
        text = f"{self.kind} import: " + ", ".join(parts) + "."
        if self.ignored:
            text += f" Warning: column(s) {', '.join(self.ignored)} ignored (not read by the {self.kind} import)."
        return text


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
    result = _run(ctx, session, kind, data, fy, progress)
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
            return _run(ctx, session, kind, data, fy, False)
        finally:
            session.rollback()


def _run(ctx: Context, session: Session, kind: str, data: bytes, fy: int | None, progress: bool) -> ImportResult:
    result = _run_kind(ctx, session, kind, data, fy, progress)
    return dataclasses.replace(result, ignored=tuple(ignored_columns(data, *COLUMNS[kind])))


def _run_kind(ctx: Context, session: Session, kind: str, data: bytes, fy: int | None, progress: bool) -> ImportResult:
    if kind == "catalog":
        if fy is None:
            raise ImportRefused(["a catalog import needs its fiscal year (--fy)"])
        return _catalog(session, read_rows(data, CATALOG_REQUIRED, CATALOG_OPTIONAL), fy)
    if kind == "roster":
        return _roster(session, read_rows(data, ROSTER_REQUIRED, ROSTER_OPTIONAL), ctx.today)
    if kind == "attendance":
        return _attendance(ctx, session, read_rows(data, ATTENDANCE_REQUIRED, ATTENDANCE_OPTIONAL), progress)
    raise ValueError(f"unknown import kind {kind}")


def _fail_if(problems: list[str]) -> None:
    if problems:
        raise ImportRefused(problems)


def _extra(row: Row) -> str | None:
    return "more fields than the header has" if "__extra__" in row.values else None


# --- catalog -------------------------------------------------------------------------------------------------

CATALOG_REQUIRED = ("code", "title", "kind", "date", "hours", "strands")
CATALOG_OPTIONAL = ("up_to", "per_unit", "counts_for_td", "evidence", "earliest")


def _catalog(session: Session, rows: list[Row], fy: int) -> ImportResult:
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
    added = updated = 0
    for item in items:
        fresh = entry_of(item)
        old = existing.get(item.code)
        if old is None:
            session.add(fresh)
            added += 1
            continue
        changed = False
        for field in (
            "title",
            "kind",
            "day",
            "cap",
            "up_to",
            "per_unit",
            "counts_for_td",
            "evidence",
            "earliest",
            "strands",
        ):
            if getattr(old, field) != getattr(fresh, field):
                setattr(old, field, getattr(fresh, field))
                changed = True
        if changed:
            session.add(old)
            updated += 1
    return ImportResult("catalog", len(rows), added, updated, len(items) - added - updated)


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
    day = earliest = None
    try:
        day = parse_date(row.get("date")) if row.get("date") else None
        if day is not None and fiscal_year_of(day) != fy:
            errs.append(f"date {day} is outside FY{fy}")
    except ValueError as exc:
        errs.append(str(exc))
    if day is None and kind is not Kind.EXTERNAL and kind is not Kind.TALENT_ONLINE:
        errs.append(f"a {kind.value} needs its date")
    try:
        earliest = parse_date(row.get("earliest"), "earliest") if row.get("earliest") else None
        if earliest is not None and fiscal_year_of(earliest) != fy:
            start, end = fiscal_year_bounds(fy)
            errs.append(f"earliest {earliest} is outside FY{fy} ({start} to {end})")
    except ValueError as exc:
        errs.append(str(exc))
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
    try:
        up_to = parse_bool(row.get("up_to"), True, "up_to")
        per_unit = parse_bool(row.get("per_unit"), False, "per_unit")
        counts = parse_bool(row.get("counts_for_td"), True, "counts_for_td")
    except ValueError as exc:
        errs.append(str(exc))
        up_to, per_unit, counts = True, False, True
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
    )


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
        if errs:
            problems.append(f"line {row.line}: " + "; ".join(errs))
            continue
        people.append(
            {
                "email": email,
                "name": row.get("name")[:200],
                "district": row.get("district")[:200],
                "roles": ";".join(dict.fromkeys(roles)),
                **dates,
            }
        )
    _fail_if(problems)
    existing = {p.email: p for p in session.exec(select(Person)).all()}
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
    return ImportResult("roster", len(rows), added, updated, len(people) - added - updated)


def _roster_dates(role_start: date | None, completed: date | None, today: date) -> list[str]:
    """Dates a roster may not hold: a role taken or a CTO Academy completed after today, or completed before
    the role began."""
    errs: list[str] = []
    if role_start is not None and role_start > today:
        errs.append(f"role_start {role_start} is in the future (enter the TD once the role has begun)")
    if completed is not None and completed > today:
        errs.append(f"cto_completed {completed} is in the future")
    if role_start is not None and completed is not None and completed < role_start:
        errs.append(f"cto_completed {completed} is before role_start {role_start}")
    return errs


# --- attendance ----------------------------------------------------------------------------------------------

ATTENDANCE_REQUIRED = ("email", "activity_code", "date", "hours")
# strands: ';'-separated strand numbers (default: the activity's). unit: for a per-unit activity (CoSN CTO Academy
# workshops), the workshop's name, so two of them on one day are two units; empty: the date is the unit. A unit
# given for any other activity is ignored (its cap is not per unit).
ATTENDANCE_OPTIONAL = ("strands", "unit")
COLUMNS = {
    "catalog": (CATALOG_REQUIRED, CATALOG_OPTIONAL),
    "roster": (ROSTER_REQUIRED, ROSTER_OPTIONAL),
    "attendance": (ATTENDANCE_REQUIRED, ATTENDANCE_OPTIONAL),
}
UNIT_MAX = 200


@dataclass
class _Known:
    quarters: int
    line: int  # 0: already in the database
    record_id: int | None = None
    status: str = Status.APPROVED.value
    source: str = "attendance"

    @property
    def where(self) -> str:
        if self.line:
            return f"line {self.line}"
        if self.source == "submission":
            return "an approved chat submission"
        return "an earlier import" if self.source == "attendance" else "an earlier record"


PENDING_REPLACED = "ALET's attendance import recorded these hours"


def _attendance(ctx: Context, session: Session, rows: list[Row], progress: bool) -> ImportResult:
    people: dict[str, int] = dict(session.execute(select(col(Person.email), col(Person.id))).tuples().all())
    fys = set()
    for row in rows:
        with suppress(ValueError):
            fys.add(fiscal_year_of(parse_date(row.get("date"))))
    entries = {
        (e.fy, e.code): e for e in session.execute(select(CatalogEntry).where(col(CatalogEntry.fy).in_(fys))).scalars()
    }
    policies: dict[int, Policy] = {}
    for fy in fys:
        with suppress(LookupError):
            policies[fy] = policy_for(session, fy)
    items = {key: item_of(e) for key, e in entries.items()}
    codes = {row.get("activity_code") for row in rows}
    fys_of_code: dict[str, list[int]] = {}
    for cfy, ccode in session.execute(
        select(col(CatalogEntry.fy), col(CatalogEntry.code))
        .where(col(CatalogEntry.code).in_(codes))
        .order_by(col(CatalogEntry.fy))
    ).tuples():
        fys_of_code.setdefault(ccode, []).append(cfy)
    ids = {key: e.id for key, e in entries.items()}
    existing: dict[tuple[int, int, object, str], _Known] = {}
    claimed: dict[tuple[int, int, str], int] = {}
    if entries:
        for rid, pid, cid, day, unit, q, status, source in session.execute(
            select(
                col(CreditRecord.id),
                col(CreditRecord.person_id),
                col(CreditRecord.catalog_id),
                col(CreditRecord.day),
                col(CreditRecord.unit),
                col(CreditRecord.quarters),
                col(CreditRecord.status),
                col(CreditRecord.source),
            ).where(
                col(CreditRecord.catalog_id).in_([e.id for e in entries.values()]),
                col(CreditRecord.status).not_in(NOT_LIVE_VALUES),
            )
        ).tuples():
            existing[(pid, cid, day, unit)] = _Known(q, 0, rid, status, source)
            claimed[(pid, cid, unit)] = claimed.get((pid, cid, unit), 0) + q
    talent_done: set[tuple[int, str]] = set(
        session.execute(
            select(col(CreditRecord.person_id), col(CatalogEntry.code))
            .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
            .where(
                CatalogEntry.kind == Kind.TALENT_ONLINE.value,
                CreditRecord.status == Status.APPROVED.value,
                col(CreditRecord.counted).is_(True),
            )
        ).tuples()
    )
    problems: list[str] = []
    new: list[dict[str, object]] = []
    replace: list[dict[str, object]] = []  # pending submissions that ALET's attendance record replaces
    skipped = uncredited = 0
    now = datetime.now(UTC)
    for row in iter_progress(rows, "Checking rows", progress):
        errs: list[str] = []
        if (e := _extra(row)) is not None:
            problems.append(f"line {row.line}: {e}")
            continue
        email = normalise_email(row.get("email"))
        pid = people.get(email)
        if pid is None:
            errs.append(f"{row.get('email') or 'empty e-mail'} is not on the roster")
        code = row.get("activity_code")
        day = None
        try:
            day = parse_date(row.get("date"))
        except ValueError as exc:
            errs.append(str(exc))
        quarters = 0
        try:
            quarters = parse_hours(row.get("hours"))
        except HoursError as exc:
            errs.append(str(exc))
        if day is not None and day > ctx.today:
            errs.append(f"date {day} is in the future (nobody attends before the day)")
        if day is None or day > ctx.today:
            problems.append(f"line {row.line}: " + "; ".join(errs))
            continue
        fy = fiscal_year_of(day)
        item = items.get((fy, code))
        policy = policies.get(fy)
        if item is None and fys_of_code.get(code):
            where = " ({} to {})".format(*fiscal_year_bounds(fy)) if policy is not None else ""
            errs.append(
                f"{code} is in the {', '.join(f'FY{f}' for f in fys_of_code[code])} catalog, "
                f"but {day} falls in FY{fy}{where}"
            )
        elif policy is None:
            errs.append(f"no TD-CEU policy applies to FY{fy}")
        elif item is None:
            errs.append(f"activity '{code}' is not in the FY{fy} catalog")
        if errs or item is None or policy is None or pid is None:
            problems.append(f"line {row.line}: " + "; ".join(errs))
            continue
        strands = item.strands
        if row.get("strands"):
            try:
                strands = parse_strands(row.get("strands"), policy.strands)
            except StrandError as exc:
                errs.append(str(exc))
        cid = ids[(fy, code)]
        assert cid is not None
        label = row.get("unit")
        if len(label) > UNIT_MAX:
            errs.append(f"unit is longer than {UNIT_MAX} characters")
        unit = unit_key(item, day, label or None)
        key = (pid, cid, day, unit)
        known = existing.get(key)
        pending = None  # a TD's own pending claim of this activity and day: ALET's attendance record replaces it
        if known is not None and known.line == 0 and known.status == Status.PENDING.value:
            pending = known
        elif known is not None:
            if known.quarters == quarters and not errs:
                if known.line == 0:
                    skipped += 1
                else:
                    problems.append(f"line {row.line}: repeats line {known.line}")
                continue
            of = f" ({unit})" if unit and unit != day.isoformat() else ""
            errs.append(
                f"{email} already has {fmt_hours(known.quarters)} hours of {code}{of} on {day} from {known.where}"
            )
        # an online course already credited (earlier date or FY) is recorded again without credit, not refused
        repeat = item.kind is Kind.TALENT_ONLINE and (pid, code) in talent_done
        if not errs:
            already = 0 if repeat else claimed.get((pid, cid, unit), 0) - (pending.quarters if pending else 0)
            errs.extend(check_claim(Claim(item, day, quarters, strands), policy, ctx.today, already))
        if errs:
            problems.append(f"line {row.line}: " + "; ".join(errs))
            continue
        counted, note = True, ""
        if not item.counts_for_td:
            counted, note = False, "course does not count for TD credit"
        elif repeat:
            counted, note = False, "repeat of a course already credited"
        if counted and item.kind is Kind.TALENT_ONLINE:
            talent_done.add((pid, code))
        uncredited += 0 if counted else 1
        existing[key] = _Known(quarters, row.line)
        claimed[(pid, cid, unit)] = claimed.get((pid, cid, unit), 0) + quarters - (pending.quarters if pending else 0)
        (replace if pending else new).append(
            {
                "id": pending.record_id if pending else None,
                "person_id": pid,
                "fy": fy,
                "catalog_id": cid,
                "alet": item.is_alet,
                "day": day,
                "unit": unit,
                "quarters": quarters,
                "strands": strands,
                "status": Status.APPROVED.value,
                "counted": counted,
                "note": note,
                "source": "attendance",
                "created_at": now,
            }
        )
    _fail_if(problems)
    for values in new:
        del values["id"]
    for start in range(0, len(new), 5000):
        session.execute(insert(CreditRecord), new[start : start + 5000])
    _replace_pending(session, replace, now)
    added = new + replace
    return ImportResult(
        "attendance",
        len(rows),
        len(added),
        0,
        skipped,
        uncredited,
        len(replace),
        people=len({v["person_id"] for v in added}),
        quarters=sum(int(str(v["quarters"])) for v in added),
    )


def _replace_pending(session: Session, rows: list[dict[str, object]], now: datetime) -> None:
    """ALET's attendance is the official record: a TD's pending submission of the same activity and day becomes
    that record (hours and strands as ALET recorded them, approved) and its review is closed with the reason, so
    a reviewer's later press says it was decided and a later rejection cannot drop ALET's attendance."""
    for values in rows:
        rid = values.pop("id")
        kept = session.execute(
            update(CreditRecord)
            .where(col(CreditRecord.id) == rid, col(CreditRecord.status) == Status.PENDING.value)
            .values(
                **{k: v for k, v in values.items() if k not in ("person_id", "catalog_id", "day", "unit", "created_at")}
                | {"note": values["note"] or "ALET attendance (replaced a pending chat submission)"},
            )
        )
        if kept.rowcount != 1:  # type: ignore[attr-defined]
            raise ImportRefused(
                [
                    "a pending chat submission this file replaces was decided by a reviewer meanwhile; nothing was "
                    "written. Run this import again."
                ]
            )
        session.execute(
            update(Submission)
            .where(col(Submission.credit_id) == rid, col(Submission.status) == Status.PENDING.value)
            .values(status=Status.APPROVED.value, decided_at=now, reason=PENDING_REPLACED)
        )
        add_post_updates_for_credit(session, int(str(rid)), now)  # its review posts lose their buttons (outbox)
