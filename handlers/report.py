"""The year-end report for the SDE: one row per TD (SPEC §5) in CSV and XLSX, and the completers list for the
PowerSchool Learning course."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from sqlmodel import Session, col, select

from handlers.context import Context
from rules.credit import totals
from rules.cto import cto_status
from rules.hours import as_number
from rules.policy import Policy
from storage.audit import audit
from storage.bulk import credits_by_person
from storage.policy_data import policy_for
from storage.tables import Person


@dataclass(frozen=True)
class ReportRow:
    values: list[object]
    compliant: bool
    name: str
    email: str


def header(policy: Policy) -> list[str]:
    strands = [f"strand {n} hours ({name})" for n, name in sorted(policy.strands.items())]
    return [
        "name",
        "email",
        "district",
        "alet_hours",
        "external_credited_hours",
        "credited_hours",
        *strands,
        "compliant",
        "cto_academy_status",
        "cto_academy_deadline",
    ]


def report_rows(session: Session, fy: int, today: date) -> tuple[Policy, list[ReportRow]]:
    policy = policy_for(session, fy)
    credits = credits_by_person(session, fy)
    people = session.exec(
        select(Person).where(col(Person.active).is_(True)).order_by(col(Person.district), col(Person.name))
    ).all()
    rows: list[ReportRow] = []
    for p in people:
        roles = set(p.roles.split(";"))
        if "director" not in roles and not credits.get(p.id or 0):
            continue
        t = totals(credits.get(p.id or 0, []), policy)
        cto = cto_status(p.role_start, p.cto_completed, policy, today)
        values: list[object] = [
            p.name,
            p.email,
            p.district,
            as_number(t.alet),
            as_number(t.external_credited),
            as_number(t.credited),
            *(as_number(t.strand_hours[n]) for n in sorted(policy.strands)),
            "yes" if t.compliant else "no",
            cto.status.value,
            cto.deadline.isoformat() if cto.deadline else "",
        ]
        rows.append(ReportRow(values, t.compliant, p.name, p.email))
    return policy, rows


def write_report(ctx: Context, fy: int, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with ctx.session() as session:
        policy, rows = report_rows(session, fy, ctx.today)
        audit(session, "cli", "report.write", f"FY{fy}", {"rows": len(rows), "out": str(out_dir)})
        session.commit()
    head = header(policy)
    completers = sorted((r for r in rows if r.compliant), key=lambda r: r.name.lower())
    csv_path = out_dir / f"td-ceu-FY{fy}.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(r.values for r in rows)
    done_path = out_dir / f"td-ceu-FY{fy}-completers.csv"
    with done_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "email"])
        w.writerows([r.name, r.email] for r in completers)
    xlsx_path = out_dir / f"td-ceu-FY{fy}.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"FY{fy}")
    ws.append(head)
    for r in rows:
        ws.append(r.values)
    ws2 = wb.create_sheet("Completers")
    ws2.append(["name", "email"])
    for r in completers:
        ws2.append([r.name, r.email])
    wb.save(xlsx_path)
    return [csv_path, done_path, xlsx_path]
