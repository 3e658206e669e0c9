"""Set-based reads over every TD at once (year-end report, reminder sweep, overview): a few aggregate queries,
never one query per director. Approved ALET hours are summed in SQL per TD, in all and per strand (they have no
maximum, so one row per TD does); pending hours are summed per TD; external records are few per TD and come back
one by one so the 6-hour maximum is credited in date order (then activity code and unit) by rules.credit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from rules.credit import AletSum, Credit, Status, tie
from storage.policy_data import policy_for
from storage.roster import on_roster_during
from storage.tables import CatalogEntry, CreditRecord, Person

_FAR = date(1, 1, 1)  # pending sums carry no date (their order does not matter)


def credits_by_person(
    session: Session, fy: int, strands: Iterable[int] | None = None
) -> dict[int, list[Credit | AletSum]]:
    """Every TD's credits of `fy` in three queries: approved ALET as one `AletSum` per TD (per-strand sums for
    `strands`, the policy's strands unless given), pending as one summed Credit, approved external ones by one."""
    numbers = sorted(policy_for(session, fy).strands if strands is None else strands)
    out: dict[int, list[Credit | AletSum]] = defaultdict(list)
    live = (CreditRecord.fy == fy, col(CreditRecord.counted).is_(True))
    quarters = col(CreditRecord.quarters)
    per_strand = [
        func.sum(case((col(CreditRecord.strands).op("&")(1 << (n - 1)) != 0, quarters), else_=0)) for n in numbers
    ]
    alet = session.execute(
        select(col(CreditRecord.person_id), func.sum(quarters), *per_strand)
        .where(*live, col(CreditRecord.alet).is_(True), CreditRecord.status == Status.APPROVED.value)
        .group_by(col(CreditRecord.person_id))
    )
    for pid, q, *sums in alet:
        out[pid].append(AletSum(int(q), dict(zip(numbers, map(int, sums), strict=True))))
    pending = session.execute(
        select(col(CreditRecord.person_id), func.sum(quarters))
        .where(*live, CreditRecord.status == Status.PENDING.value)
        .group_by(col(CreditRecord.person_id))
    )
    for pid, q in pending:
        out[pid].append(Credit(alet=True, day=_FAR, quarters=int(q), strands=0, status=Status.PENDING))
    external = session.execute(
        select(
            col(CreditRecord.person_id),
            col(CatalogEntry.code),
            col(CreditRecord.unit),
            col(CreditRecord.day),
            quarters,
            col(CreditRecord.strands),
        )
        .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
        .where(*live, col(CreditRecord.alet).is_(False), CreditRecord.status == Status.APPROVED.value)
    )
    approved = Status.APPROVED
    for pid, code, unit, day, q, mask in external:  # positional: a NamedTuple builds faster so
        out[pid].append(Credit(False, day, q, mask, approved, True, tie(code, unit)))
    return out


class DirectorRow(NamedTuple):
    id: int
    name: str
    email: str
    district: str
    role_start: date | None
    cto_completed: date | None


def active_director_rows(session: Session, during: tuple[date, date] | None = None) -> list[DirectorRow]:
    """Every person with the director role (empty roles mean director) on the roster now, or, with `during`, on
    the roster on at least one of those days (as the year-end report counts a past FY), in one query."""
    on_roster = col(Person.active).is_(True) if during is None else on_roster_during(*during)
    rows = session.execute(
        select(
            col(Person.id),
            col(Person.name),
            col(Person.email),
            col(Person.district),
            col(Person.roles),
            col(Person.role_start),
            col(Person.cto_completed),
        ).where(on_roster)
    )
    return [
        DirectorRow(pid, name, email, district, start, done)
        for pid, name, email, district, roles, start, done in rows
        if "director" in roles.split(";") or not roles.strip(";")
    ]
