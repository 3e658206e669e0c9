"""Per-FY policy data: the shipped TOML policy files, loading them into a database, and reading the policy and
catalog that apply to a fiscal year (a FY without its own policy inherits the latest earlier one)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from rules.fiscal import fiscal_year_of
from rules.hours import parse_hours
from rules.policy import CatalogItem, Evidence, Kind, Policy
from rules.strands import mask_of
from storage.policy_fields import policy_from_file, policy_of, row_of
from storage.status_version import EVERYONE, versions_of
from storage.tables import CatalogEntry, PolicyStrand, PolicyYear

SHIPPED = Path(__file__).with_name("policies")


class PolicyFileError(ValueError):
    pass


def read_policy_file(path: Path) -> tuple[Policy, list[CatalogItem]]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    try:
        return _parse(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise PolicyFileError(f"{path.name}: {exc}") from exc


def _parse(data: dict[str, Any]) -> tuple[Policy, list[CatalogItem]]:
    policy = policy_from_file(data)
    fy = policy.fy
    items = [
        CatalogItem(
            fy=fy,
            code=str(c["code"]),
            title=str(c["title"]),
            kind=Kind(c["kind"]),
            cap=parse_hours(c["hours"]),
            strands=mask_of(int(s) for s in c["strands"]),
            day=c.get("date"),
            up_to=bool(c.get("up_to", True)),
            per_unit=bool(c.get("per_unit", False)),
            counts_for_td=bool(c.get("counts_for_td", True)),
            evidence=Evidence(c.get("evidence", "none")),
            earliest=c.get("earliest"),
            end=c.get("end"),
            once=bool(c.get("once", False)),
        )
        for c in data.get("catalog", [])
    ]
    for item in items:
        _check_dates(item)
    return policy, items


def _check_dates(item: CatalogItem) -> None:
    """A dated activity's range lies inside its FY, its end on or after its date."""
    for what, day in (("date", item.day), ("end", item.end), ("earliest", item.earliest)):
        if day is not None and fiscal_year_of(day) != item.fy:
            raise ValueError(f"{item.code}: {what} {day} is outside FY{item.fy}")
    if item.end is not None and (item.day is None or item.end < item.day):
        raise ValueError(f"{item.code}: end {item.end} needs a date on or before it")


def first_shipped_fy() -> int:
    """The first fiscal year of the requirement: the earliest shipped policy file (fy2025.toml -> 2025)."""
    return min(int(p.stem[2:]) for p in SHIPPED.glob("fy*.toml"))


def shipped_policies() -> list[tuple[Policy, list[CatalogItem]]]:
    return [read_policy_file(p) for p in sorted(SHIPPED.glob("fy*.toml"))]


def load_shipped_policies(engine: Engine) -> None:
    """Insert each shipped policy (and its catalog) whose FY the database does not have yet."""
    with Session(engine) as session:
        have = set(session.exec(select(PolicyYear.fy)).all())
        added = False
        for policy, items in shipped_policies():
            if policy.fy in have:
                continue
            store_policy(session, policy)
            session.add_all(entry_of(item) for item in items)
            added = True
        if added:
            session.commit()


def store_policy(session: Session, policy: Policy) -> None:
    bind = session.get_bind()
    _CACHE.pop(bind if isinstance(bind, Engine) else bind.engine, None)
    session.add(row_of(policy))
    session.flush()
    session.add_all(PolicyStrand(fy=policy.fy, number=n, name=name) for n, name in policy.strands.items())


_CACHE: WeakKeyDictionary[Engine, dict[int, tuple[tuple[int, int], Policy]]] = WeakKeyDictionary()


def policy_for(session: Session, fy: int) -> Policy:
    """The policy of `fy`: its own row, else the latest earlier one (numbers and strands carry forward).

    Memoised per engine under everyone's status version and the generation (storage/status_version.py, bumped by
    the triggers on every policy write, whichever replica wrote): a status or reminder costs one small version
    query, not the policy's, and a policy another replica stored is read again, never served under its version."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    memo = _CACHE.setdefault(engine, {})
    _, everyone, generation = versions_of(session, EVERYONE)  # first: the policy read after it is at least as new
    found = memo.get(fy)
    if found is not None and found[0] == (everyone, generation):
        return found[1]
    policy = _load_policy(session, fy)
    memo[fy] = ((everyone, generation), policy)
    return policy


def _load_policy(session: Session, fy: int) -> Policy:
    row = session.exec(
        select(PolicyYear).where(PolicyYear.fy <= fy).order_by(col(PolicyYear.fy).desc()).limit(1)
    ).first()
    if row is None:
        raise LookupError(f"no TD-CEU policy applies to FY{fy} (the requirement starts with FY{first_shipped_fy()})")
    strands = session.exec(
        select(PolicyStrand).where(PolicyStrand.fy == row.fy).order_by(col(PolicyStrand.number))
    ).all()
    return policy_of(row, {s.number: s.name for s in strands}, fy)


def first_policy_fy(session: Session) -> int | None:
    return session.exec(select(PolicyYear.fy).order_by(col(PolicyYear.fy)).limit(1)).first()


def entry_of(item: CatalogItem) -> CatalogEntry:
    return CatalogEntry(
        fy=item.fy,
        code=item.code,
        title=item.title,
        kind=item.kind.value,
        day=item.day,
        cap=item.cap,
        up_to=item.up_to,
        per_unit=item.per_unit,
        counts_for_td=item.counts_for_td,
        evidence=item.evidence.value,
        earliest=item.earliest,
        end_day=item.end,
        once=item.once,
        strands=item.strands,
    )


def item_of(row: CatalogEntry) -> CatalogItem:
    return CatalogItem(
        fy=row.fy,
        code=row.code,
        title=row.title,
        kind=Kind(row.kind),
        cap=row.cap,
        strands=row.strands,
        day=row.day,
        up_to=row.up_to,
        per_unit=row.per_unit,
        counts_for_td=row.counts_for_td,
        evidence=Evidence(row.evidence),
        earliest=row.earliest,
        end=row.end_day,
        once=row.once,
    )


def with_fy(items: Iterable[CatalogItem], fy: int) -> list[CatalogItem]:
    return [replace(i, fy=fy) for i in items]
