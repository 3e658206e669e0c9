"""ALET's attendance import in three steps: preload what the rows refer to (people, catalog, policies, records
already there), check every row against it (nothing written; every bad row listed), then write.

Columns: email,activity_code,date,hours and optionally strands (';'-separated; default the activity's) and unit
(any text up to 200 characters telling parts of one activity on one day apart: a workshop of a per-unit activity,
a session, one Talent course per hour of an external event; each unit is its own record, their sum held to the
activity's cap; a per-unit row without one is the unit of its date). Re-importing a row adds nothing; a row whose
strands changed corrects the record. No-repeat activities keep the credit on the earliest-dated record, whatever
the order of the rows or files (rules.repeats)."""

from __future__ import annotations

from collections.abc import Hashable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import insert, update
from sqlmodel import Session, SQLModel, col, select

from handlers.csv_rows import ImportRefused, Row, iter_progress, parse_date
from handlers.import_result import ImportResult
from rules.claims import Claim, cap_key, check_claim, unit_key
from rules.credit import Status
from rules.fiscal import fiscal_year_bounds, fiscal_year_of
from rules.hours import HoursError, fmt_hours_unit, parse_hours
from rules.policy import CatalogItem, Kind, Policy
from rules.repeats import Taken, credited_refs, repeat_note
from rules.strands import StrandError, parse_strands
from storage.audit import audit
from storage.outbox import add_home_refresh, add_post_updates_for_credit, add_queue_refresh
from storage.people import normalise_email
from storage.policy_data import item_of, policy_for
from storage.records import NOT_LIVE_VALUES
from storage.status_version import lock_versions
from storage.tables import CatalogEntry, CreditRecord, Person, Submission

TABLE = "credit_record"

REQUIRED = ("email", "activity_code", "date", "hours")
OPTIONAL = ("strands", "unit")
UNIT_MAX = 200
PENDING_REPLACED = "ALET's attendance import recorded these hours"
UNIT_HINT = "two parts of one activity on one day need each its own “unit”"

Key = tuple[int, int, date, str]  # person, catalog entry, day, unit: one record


@dataclass
class Known:
    """A record already there (`line` 0) or checked earlier in this file."""

    quarters: int
    line: int
    record_id: int | None = None
    status: str = Status.APPROVED.value
    source: str = "attendance"
    strands: int = 0

    @property
    def where(self) -> str:
        if self.line:
            return f"line {self.line}"
        if self.source == "submission":
            return "an approved chat submission"
        return "an earlier import" if self.source == "attendance" else "an earlier record"


@dataclass(frozen=True)
class Part:
    """An approved record of a no-repeat activity, as the cap check needs it."""

    taken: Taken
    catalog_id: int
    cap_key: str
    quarters: int
    counted: bool = True  # as stored (a record already there); a row of this file is decided on writing
    record_id: int | None = None  # None: a row of this file


@dataclass
class Preload:
    people: dict[str, int]
    items: dict[tuple[int, str], CatalogItem]
    ids: dict[tuple[int, str], int]
    policies: dict[int, Policy]
    fys_of_code: dict[str, list[int]]
    existing: dict[Key, Known]
    claimed: dict[tuple[int, int, str], int]  # non-rejected quarters per person, entry and cap key
    parts: dict[tuple[int, str], list[Part]]  # approved records of no-repeat activities per person and code, any FY


@dataclass
class Plan:
    """What the check decided; written only when `problems` is empty."""

    problems: list[str] = field(default_factory=list)
    new: list[dict[str, object]] = field(default_factory=list)
    replace: list[dict[str, object]] = field(default_factory=list)  # pending submissions ALET's record replaces
    corrections: list[tuple[int, int, int, int]] = field(default_factory=list)  # record id, old, new strands, line
    skipped: int = 0
    groups: dict[tuple[int, str], bool] = field(default_factory=dict)  # no-repeat (person, code) added to: once?


def import_attendance(session: Session, rows: list[Row], today: date, actor: str, progress: bool) -> ImportResult:
    pre = preload(session, rows)
    plan = Plan()
    now = datetime.now(UTC)
    for row in iter_progress(rows, "Checking rows", progress):
        check_row(row, pre, plan, today, now)
    if plan.problems:
        raise ImportRefused(plan.problems)
    return write(session, pre, plan, len(rows), actor, now)


# --- preload ---------------------------------------------------------------------------------------------------


def preload(session: Session, rows: list[Row]) -> Preload:
    people: dict[str, int] = dict(session.execute(select(col(Person.email), col(Person.id))).all())
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
    codes = {row.get("activity_code") for row in rows}
    fys_of_code: dict[str, list[int]] = {}
    for cfy, ccode in session.execute(
        select(col(CatalogEntry.fy), col(CatalogEntry.code))
        .where(col(CatalogEntry.code).in_(codes))
        .order_by(col(CatalogEntry.fy))
    ):
        fys_of_code.setdefault(ccode, []).append(cfy)
    items = {key: item_of(e) for key, e in entries.items()}
    ids = {key: e.id for key, e in entries.items() if e.id is not None}
    existing, claimed = _records(session, entries, items)
    return Preload(people, items, ids, policies, fys_of_code, existing, claimed, _parts(session, codes))


def _records(
    session: Session, entries: dict[tuple[int, str], CatalogEntry], items: dict[tuple[int, str], CatalogItem]
) -> tuple[dict[Key, Known], dict[tuple[int, int, str], int]]:
    existing: dict[Key, Known] = {}
    claimed: dict[tuple[int, int, str], int] = {}
    if not entries:
        return existing, claimed
    per_unit = {e.id: items[k].per_unit for k, e in entries.items()}
    for rid, pid, cid, day, unit, q, status, source, strands in session.execute(
        select(
            col(CreditRecord.id),
            col(CreditRecord.person_id),
            col(CreditRecord.catalog_id),
            col(CreditRecord.day),
            col(CreditRecord.unit),
            col(CreditRecord.quarters),
            col(CreditRecord.status),
            col(CreditRecord.source),
            col(CreditRecord.strands),
        ).where(
            col(CreditRecord.catalog_id).in_(list(per_unit)),
            col(CreditRecord.status).not_in(NOT_LIVE_VALUES),
        )
    ):
        existing[(pid, cid, day, unit)] = Known(q, 0, rid, status, source, strands)
        capped = (pid, cid, unit if per_unit[cid] else "")
        claimed[capped] = claimed.get(capped, 0) + q
    return existing, claimed


def _parts(session: Session, codes: set[str]) -> dict[tuple[int, str], list[Part]]:
    """Approved records, in any FY, of the no-repeat activities among `codes`."""
    out: dict[tuple[int, str], list[Part]] = {}
    for rid, pid, fy, day, unit, q, counted, cid, code, per_unit in session.execute(
        select(
            col(CreditRecord.id),
            col(CreditRecord.person_id),
            col(CreditRecord.fy),
            col(CreditRecord.day),
            col(CreditRecord.unit),
            col(CreditRecord.quarters),
            col(CreditRecord.counted),
            col(CreditRecord.catalog_id),
            col(CatalogEntry.code),
            col(CatalogEntry.per_unit),
        )
        .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
        .where(
            col(CatalogEntry.code).in_(codes),
            (col(CatalogEntry.kind) == Kind.TALENT_ONLINE.value) | col(CatalogEntry.once).is_(True),
            col(CatalogEntry.counts_for_td).is_(True),
            CreditRecord.status == Status.APPROVED.value,
        )
    ):
        part = Part(Taken(fy, day, unit, ("record", rid)), cid, unit if per_unit else "", q, counted, rid)
        out.setdefault((pid, code), []).append(part)
    return out


# --- per-row check ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    pid: int
    item: CatalogItem
    policy: Policy
    cid: int
    day: date
    quarters: int


def check_row(row: Row, pre: Preload, plan: Plan, today: date, now: datetime) -> None:
    """Check one row against the preload and what earlier rows added; a good row joins the plan."""
    errs: list[str] = []
    if "__extra__" in row.values:
        plan.problems.append(f"line {row.line}: more fields than the header has")
        return
    target = _target(row, pre, today, errs)
    if target is None:
        plan.problems.append(f"line {row.line}: " + "; ".join(errs))
        return
    item, day = target.item, target.day
    strands = item.strands
    if row.get("strands"):
        try:
            strands = parse_strands(row.get("strands"), target.policy.strands)
        except StrandError as exc:
            errs.append(str(exc))
    label = row.get("unit")
    if len(label) > UNIT_MAX:
        errs.append(f"unit is longer than {UNIT_MAX} characters")
    unit = unit_key(item, day, label)
    key = (target.pid, target.cid, day, unit)
    known = pre.existing.get(key)
    pending = None  # a TD's own pending claim of this activity and day: ALET's attendance record replaces it
    if known is not None and known.line == 0 and known.status == Status.PENDING.value:
        pending = known
    elif known is not None:
        if known.quarters == target.quarters and not errs:
            _same_again(row, known, strands, label, plan)
            return
        errs.append(_already_has(row, known, item.code, day, unit, label))
    rec = _Row(target, key, cap_key(item, unit), strands, pending, row.line)
    if not errs:
        claim = Claim(item, day, target.quarters, strands, part=bool(label) and not item.per_unit)
        errs.extend(p.text for p in check_claim(claim, target.policy, today, _already(pre, rec) - rec.replaced))
    if errs:
        plan.problems.append(f"line {row.line}: " + "; ".join(errs))
        return
    _accept(pre, plan, rec, now)


@dataclass(frozen=True)
class _Row:
    """A row about to join the plan: its record's key, its cap key and the pending claim it replaces."""

    target: _Target
    key: Key
    cap_key: str
    strands: int
    pending: Known | None
    line: int

    @property
    def unit(self) -> str:
        return self.key[3]

    @property
    def capped(self) -> tuple[int, int, str]:
        return (self.target.pid, self.target.cid, self.cap_key)

    @property
    def group(self) -> tuple[int, str] | None:
        """The (person, code) of a no-repeat activity that counts for TD credit."""
        item = self.target.item
        return (self.target.pid, item.code) if item.no_repeat and item.counts_for_td else None

    @property
    def taken(self) -> Taken | None:
        if self.group is None:
            return None
        return Taken(self.target.item.fy, self.target.day, self.unit, ("line", self.line))

    @property
    def replaced(self) -> int:
        return self.pending.quarters if self.pending else 0


def _accept(pre: Preload, plan: Plan, r: _Row, now: datetime) -> None:
    """A good row: known to the rows after it (its hours toward the caps), and its record in the plan."""
    quarters, group, taken = r.target.quarters, r.group, r.taken
    pre.existing[r.key] = Known(quarters, r.line, strands=r.strands)
    pre.claimed[r.capped] = pre.claimed.get(r.capped, 0) + quarters - r.replaced
    if group is not None and taken is not None:
        pre.parts.setdefault(group, []).append(Part(taken, r.target.cid, r.cap_key, quarters))
        plan.groups[group] = r.target.item.once
    values = _values(r.target, r.unit, r.strands, now)
    values.update(id=r.pending.record_id if r.pending else None, _ref=taken.ref if taken else None, _group=group)
    (plan.replace if r.pending else plan.new).append(values)


def _already_has(row: Row, known: Known, code: str, day: date, unit: str, label: str) -> str:
    of = f" ({unit})" if unit and unit != day.isoformat() else ""
    hint = "" if label else f" ({UNIT_HINT})"
    email = normalise_email(row.get("email"))
    return f"{email} already has {fmt_hours_unit(known.quarters)} of {code}{of} on {day} from {known.where}{hint}"


def _values(target: _Target, unit: str, strands: int, now: datetime) -> dict[str, object]:
    """The record a good row adds (its credit for a no-repeat activity settled on writing)."""
    item = target.item
    return {
        "person_id": target.pid,
        "fy": item.fy,
        "catalog_id": target.cid,
        "alet": item.is_alet,
        "day": target.day,
        "unit": unit,
        "quarters": target.quarters,
        "strands": strands,
        "status": Status.APPROVED.value,
        "counted": item.counts_for_td,
        "note": "" if item.counts_for_td else "course does not count for TD credit",
        "source": "attendance",
        "created_at": now,
        "_once": item.once,
    }


def _target(row: Row, pre: Preload, today: date, errs: list[str]) -> _Target | None:
    """Who, what and when a row is about, or None with the reasons in `errs`."""
    pid = pre.people.get(normalise_email(row.get("email")))
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
    if day is not None and day > today:
        errs.append(f"date {day} is in the future (nobody attends before the day)")
    if day is None or day > today:
        return None
    fy = fiscal_year_of(day)
    item = pre.items.get((fy, code))
    policy = pre.policies.get(fy)
    if item is None and pre.fys_of_code.get(code):
        where = " ({} to {})".format(*fiscal_year_bounds(fy)) if policy is not None else ""
        errs.append(
            f"{code} is in the {', '.join(f'FY{f}' for f in pre.fys_of_code[code])} catalog, "
            f"but {day} falls in FY{fy}{where}"
        )
    elif policy is None:
        errs.append(f"no TD-CEU policy applies to FY{fy}")
    elif item is None:
        errs.append(f"activity '{code}' is not in the FY{fy} catalog")
    if errs or item is None or policy is None or pid is None:
        return None
    return _Target(pid, item, policy, pre.ids[(fy, code)], day, quarters)


def _same_again(row: Row, known: Known, strands: int, label: str, plan: Plan) -> None:
    """The row names a record already there (or an earlier line) with the same hours."""
    if known.line:
        hint = "" if label else f" ({UNIT_HINT})"
        plan.problems.append(f"line {row.line}: repeats line {known.line}{hint}")
        return
    if strands != known.strands and known.source == "attendance" and known.status == Status.APPROVED.value:
        assert known.record_id is not None
        plan.corrections.append((known.record_id, known.strands, strands, row.line))
        known.strands = strands
        known.line = row.line
        return
    plan.skipped += 1


def _already(pre: Preload, r: _Row) -> int:
    """Quarter-hours already toward this row's cap. For a no-repeat activity only the records that keep their
    credit once this row is added count (a later-dated retake it takes the credit from does not); when this row
    is itself a retake it is checked alone."""
    capped, group, taken = r.capped, r.group, r.taken
    already = pre.claimed.get(capped, 0)
    parts = pre.parts.get(group, []) if group is not None else []
    if not parts or taken is None:  # not a no-repeat activity, or its first record: nothing to take credit from
        return already
    kept = credited_refs([*(p.taken for p in parts), taken])
    if taken.ref not in kept:
        return 0
    dropped = sum(
        p.quarters for p in parts if p.catalog_id == capped[1] and p.cap_key == capped[2] and p.taken.ref not in kept
    )
    return already - dropped


# --- write -----------------------------------------------------------------------------------------------------


def write(session: Session, pre: Preload, plan: Plan, rows: int, actor: str, now: datetime) -> ImportResult:
    kept: dict[Hashable, bool] = {}
    moved: list[tuple[Part, bool, str]] = []  # records already there whose credit this file moves
    for group, once in plan.groups.items():
        parts = pre.parts[group]
        if len(parts) == 1:
            continue  # alone: it keeps its credit
        refs = credited_refs(p.taken for p in parts)
        kept.update((p.taken.ref, p.taken.ref in refs) for p in parts)
        moved.extend(
            (p, p.taken.ref in refs, "" if p.taken.ref in refs else repeat_note(once))
            for p in parts
            if p.record_id is not None and (p.taken.ref in refs) != p.counted
        )
    uncredited = 0
    for values in (*plan.new, *plan.replace):
        ref, grouped, is_once = values.pop("_ref"), values.pop("_group"), values.pop("_once")
        if grouped is not None and not kept.get(ref, True):
            values["counted"], values["note"] = False, repeat_note(bool(is_once))
        uncredited += 0 if values["counted"] else 1
    new = plan.new
    for values in new:
        del values["id"]
    lock_versions(session, _people_written(session, plan))  # in id order: no deadlock with a roster import
    table = SQLModel.metadata.tables[TABLE]  # Core, not the ORM's bulk insert: the same rows, less per-row work
    for start in range(0, len(new), 5000):
        session.execute(insert(table), new[start : start + 5000])
    _replace_pending(session, plan.replace, now)
    for rid, old, strands, line in plan.corrections:
        session.execute(update(CreditRecord).where(col(CreditRecord.id) == rid).values(strands=strands))
        audit(session, actor, "attendance.correct", f"credit:{rid}", {"strands": [old, strands], "line": line})
    for part, counted, note in moved:
        rid = part.record_id or 0
        session.execute(update(CreditRecord).where(col(CreditRecord.id) == rid).values(counted=counted, note=note))
        detail = {"fy": part.taken.fy, "day": part.taken.day, "counted": counted, "note": note}
        audit(session, actor, "attendance.credit_moved", f"credit:{rid}", detail)
    _refresh_homes(session, plan, now)
    return ImportResult(
        "attendance",
        rows,
        len(new) + len(plan.replace),
        0,
        plan.skipped,
        uncredited,
        len(plan.replace),
        people=len({v["person_id"] for v in (*new, *plan.replace)}),
        quarters=sum(int(str(v["quarters"])) for v in (*new, *plan.replace)),
        corrected=len(plan.corrections),
        moved=sum(1 for _, counted, _ in moved if not counted),
    )


def _people_written(session: Session, plan: Plan) -> set[int]:
    """Everyone whose credit records this file writes (their status versions are bumped)."""
    people = {int(str(v["person_id"])) for v in (*plan.new, *plan.replace)} | {p for p, _ in plan.groups}
    if plan.corrections:
        ids = [rid for rid, *_ in plan.corrections]
        people.update(session.exec(select(CreditRecord.person_id).where(col(CreditRecord.id).in_(ids))).all())
    return people


def _refresh_homes(session: Session, plan: Plan, now: datetime) -> None:
    """The Homes of everyone this file credited (a credit it moved is of one of them), and the staff's when it
    closed pending submissions: refreshed by the outbox after the commit."""
    people = {int(str(v["person_id"])) for v in (*plan.new, *plan.replace)}
    add_home_refresh(session, people, now)
    if plan.replace:
        add_queue_refresh(session, now)


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
