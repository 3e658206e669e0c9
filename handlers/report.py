"""The year-end report for the SDE (SPEC §5): one row per TD on the roster during the FY, in CSV (UTF-8 with BOM,
machine-readable keys) and XLSX (handlers/report_xlsx.py: human headers, a Summary sheet and chart), and the
completers list for the PowerSchool Learning course. A past FY's CTO Academy status is as of that FY's end."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from handlers.context import Context
from rules.credit import totals
from rules.cto import Cto, CtoStatus, cto_status
from rules.fiscal import fiscal_year_bounds
from rules.hours import as_number
from rules.policy import Policy
from storage.audit import audit
from storage.bulk import credits_by_person
from storage.policy_data import policy_for
from storage.roster import on_roster_during
from storage.tables import Person


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header
    title: str  # the XLSX header
    kind: str  # text | hours | yesno | date | cto


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One TD's row as typed values, in the order of `columns(policy)` (hours as numbers, dates as dates)."""

    cells: tuple[object, ...]
    compliant: bool
    name: str
    email: str
    district: str
    hours: tuple[float, float, float, float]  # ALET, external credited, credited, still needed (the Summary's totals)
    cto: CtoStatus

    @property
    def values(self) -> list[object]:
        """The CSV rendering: ISO dates, yes/no, CTO status codes (what `ceu-bot status --json` says)."""
        out = list(self.cells)
        for i in range(len(out) - TAIL, len(out)):
            out[i] = _csv_value(out[i])
        return out


@dataclass(frozen=True)
class Report:
    fy: int
    as_of: date  # the day the figures stand at: today, or the FY's last day for a past FY
    made_on: date
    policy: Policy
    rows: list[ReportRow]

    @property
    def completers(self) -> list[ReportRow]:
        return sorted((r for r in self.rows if r.compliant), key=lambda r: (r.name.lower(), r.email))


TAIL = 5  # the last five columns (compliant, CTO status, three dates) are not plain text or numbers


def columns(policy: Policy) -> list[Column]:
    strands = [
        Column(f"strand {n} hours ({name})", f"Strand {n}: {name} (hours)", "hours")
        for n, name in sorted(policy.strands.items())
    ]
    return [
        Column("name", "Name", "text"),
        Column("email", "E-mail", "text"),
        Column("district", "District", "text"),
        Column("alet_hours", "ALET hours", "hours"),
        Column("external_credited_hours", "External hours credited", "hours"),
        Column("credited_hours", "Credited hours", "hours"),
        Column("remaining_hours", "Hours still needed", "hours"),
        *strands,
        Column("compliant", "Compliant", "yesno"),
        Column("cto_academy_status", "CTO Academy status", "cto"),
        Column("cto_academy_deadline", "CTO Academy deadline", "date"),
        Column("role_start", "Role start", "date"),
        Column("cto_academy_completed", "CTO Academy completed", "date"),
    ]


def header(policy: Policy) -> list[str]:
    return [c.key for c in columns(policy)]


def build_report(session: Session, fy: int, today: date) -> Report:
    policy = policy_for(session, fy)
    credits = credits_by_person(session, fy, policy.strands)
    first, last = fiscal_year_bounds(fy)
    as_of = min(today, last)
    people = session.execute(
        select(
            col(Person.id),
            col(Person.name),
            col(Person.email),
            col(Person.district),
            col(Person.roles),
            col(Person.role_start),
            col(Person.cto_completed),
        )
        .where(on_roster_during(first, last))
        .order_by(col(Person.district), col(Person.name))
    )
    strand_numbers = sorted(policy.strands)
    rows: list[ReportRow] = []
    for pid, name, email, district, roles, role_start, cto_completed in people:
        mine = credits.get(pid, [])
        if "director" not in roles.split(";") and not mine:
            continue
        t = totals(mine, policy)
        done = cto_completed if cto_completed is not None and cto_completed <= as_of else None
        cto = cto_status(role_start, done, policy, as_of)
        hours = (as_number(t.alet), as_number(t.external_credited), as_number(t.credited), as_number(t.remaining))
        cells: tuple[object, ...] = (
            name,
            email,
            district,
            *hours,
            *(as_number(t.strand_hours[n]) for n in strand_numbers),
            t.compliant,
            cto,
            cto.deadline,
            role_start,
            done,
        )
        rows.append(ReportRow(cells, t.compliant, name, email, district, hours, cto.status))
    return Report(fy, as_of, today, policy, rows)


def report_rows(session: Session, fy: int, today: date) -> tuple[Policy, list[ReportRow]]:
    report = build_report(session, fy, today)
    return report.policy, report.rows


def write_report(ctx: Context, fy: int, out_dir: Path, actor: str = "cli") -> list[Path]:
    from handlers.report_xlsx import write_xlsx

    out_dir.mkdir(parents=True, exist_ok=True)
    with ctx.session() as session:
        report = build_report(session, fy, ctx.today)
        audit(session, actor, "report.write", f"FY{fy}", {"rows": len(report.rows), "out": str(out_dir)})
        session.commit()
    csv_path = out_dir / f"td-ceu-FY{fy}.csv"
    write_csv(csv_path, header(report.policy), (r.values for r in report.rows))
    done_path = out_dir / f"td-ceu-FY{fy}-completers.csv"
    write_csv(done_path, ["name", "email", "district"], ([r.name, r.email, r.district] for r in report.completers))
    xlsx_path = out_dir / f"td-ceu-FY{fy}.xlsx"
    write_xlsx(xlsx_path, report, columns(report.policy))
    return [csv_path, done_path, xlsx_path]


TEXT_COLUMNS = 3  # name, e-mail, district: typed by people; the other cells are numbers, dates and our own words


def write_csv(path: Path, head: list[str], rows: Iterable[list[object]]) -> None:
    """UTF-8 with a byte-order mark, so Excel opening the file shows "José Peña" (not "JosÃ© PeÃ±a")."""
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows([*(csv_cell(v) for v in r[:TEXT_COLUMNS]), *r[TEXT_COLUMNS:]] for r in rows)


def _csv_value(value: object) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Cto):
        return value.status.value
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (roster names are typed by people) gets a leading
    apostrophe, the usual CSV-injection guard; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
