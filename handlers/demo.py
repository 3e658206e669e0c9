"""Demo data for a first look (`ceu-bot demo`): a few people, this FY's ALET activities and some attendance,
loaded through the same CSV imports ALET uses.

Safe to re-run on any day: people already on the roster are left as they are, the demo activities are imported
once per FY (their dates, chosen around the first run's day, are kept), and the attendance is built from the
stored activity dates and only for those who have no record of that activity yet, so nothing is added twice."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import col, select

from handlers.context import Context
from handlers.imports import import_bytes
from rules.fiscal import fiscal_year_bounds, fiscal_year_of
from storage.catalog import catalog_rows, entry_by_code, roll_catalog_forward
from storage.tables import CatalogEntry, CreditRecord, Person

DIRECTOR = "td.demo@demo.k12.al.us"
COMPLETE = "casey.complete@demo-city.k12.al.us"
FIRST_CATALOG_FY = 2025  # the shipped catalog later FYs' demo catalogs roll forward from
MARKER = "DEMO-FALL-CONF"  # present in a FY's catalog once the demo activities are loaded for it


def _clamp(day: date, start: date, end: date) -> date:
    return min(max(day, start), end)


def _roster(today: date) -> dict[str, str]:
    return {
        DIRECTOR: f"{DIRECTOR},Dana Demo,Demo County Schools,{today - relativedelta(months=22)},,director",
        COMPLETE: f"{COMPLETE},Casey Complete,Demo City Schools,2015-07-01,,director",
        "riley.reviewer@alet.example": "riley.reviewer@alet.example,Riley Reviewer,ALET,,,reviewer;admin",
        "sam.sde@alsde.example": "sam.sde@alsde.example,Sam SDE,Alabama State Department of Education,,,sde",
    }


def _catalog(today: date, fy: int) -> str:
    start, end = fiscal_year_bounds(fy)
    past = _clamp(today - timedelta(days=30), start, today)
    past2 = _clamp(today - timedelta(days=10), start, today)
    soon = _clamp(today + timedelta(days=21), start, end)
    later = _clamp(today + timedelta(days=60), start, end)
    return (
        "code,title,kind,date,hours,strands,up_to,counts_for_td\n"
        f"{MARKER},ALET Fall Conference,conference,{past},6,1;3;5,true,true\n"
        f"DEMO-CYBER-CAMP,ALET Cyber Camp,cyber_camp,{soon},6,5;4,true,true\n"
        f"DEMO-REGION,ALET Region Meeting,region_meeting,{later},2,1;6,true,true\n"
        f"DEMO-TALENT-DATA,TD-Talent: Data Governance Basics,talent_online,{past2},1.5,6,false,true\n"
        "DEMO-TALENT-INTRO,TD-Talent: Welcome to ALET (does not count),talent_online,,1,1,true,false\n"
    )


# (e-mail, activity, the activity whose stored date the row takes, hours, strands)
ATTENDANCE = (
    (DIRECTOR, MARKER, MARKER, "3", "1;5"),
    (COMPLETE, MARKER, MARKER, "6", ""),
    (COMPLETE, "DEMO-TALENT-DATA", "DEMO-TALENT-DATA", "1.5", ""),
    (COMPLETE, "EXT-ISTE", "DEMO-TALENT-DATA", "4.5", "2"),
)


def _attendance(ctx: Context, fy: int) -> tuple[str, int]:
    """The demo attendance rows still missing (dates from the stored catalog) and how many are already there."""
    codes = {code for _, code, _, _, _ in ATTENDANCE} | {at for _, _, at, _, _ in ATTENDANCE}
    with ctx.session() as session:
        entries = {
            e.code: e
            for e in session.exec(
                select(CatalogEntry).where(CatalogEntry.fy == fy, col(CatalogEntry.code).in_(codes))
            ).all()
        }
        done = set(
            session.execute(
                select(col(Person.email), col(CatalogEntry.code))
                .join(CreditRecord, col(CreditRecord.person_id) == col(Person.id))
                .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
                .where(CatalogEntry.fy == fy, col(CatalogEntry.code).in_(codes))
            )
        )
    lines, already = [], 0
    for email, code, at, hours, strands in ATTENDANCE:
        if (email, code) in done:
            already += 1
            continue
        day = entries[at].day if at in entries else None
        if code not in entries or day is None or day > ctx.today:
            continue  # the FY's catalog lacks it (an admin's own catalog), or a --today before the first run
        lines.append(f"{email},{code},{day},{hours},{strands}\n")
    if not lines:
        return "", already
    return "email,activity_code,date,hours,strands\n" + "".join(lines), already


def load_demo(ctx: Context) -> list[str]:
    today = ctx.today
    fy = fiscal_year_of(today)
    out: list[str] = []
    roster = _roster(today)
    with ctx.session() as session:
        if not catalog_rows(session, fy) and fy > FIRST_CATALOG_FY:
            rolled = roll_catalog_forward(session, FIRST_CATALOG_FY, fy)
            session.commit()
            out.append(rolled.summary(FIRST_CATALOG_FY, fy))
        on_roster = set(session.exec(select(Person.email).where(col(Person.email).in_(list(roster)))).all())
        loaded = entry_by_code(session, fy, MARKER) is not None
    new_people = [line for email, line in roster.items() if email not in on_roster]
    if new_people:
        data = "email,name,district,role_start,cto_completed,roles\n" + "\n".join(new_people) + "\n"
        out.append(import_bytes(ctx, "roster", data.encode(), "demo-roster.csv", actor="demo").summary())
    else:
        out.append("roster import: 0 added (the demo people are already on the roster, left as they are).")
    if not loaded:
        data = _catalog(today, fy)
        out.append(import_bytes(ctx, "catalog", data.encode(), "demo-catalog.csv", fy=fy, actor="demo").summary())
    else:
        out.append(f"catalog import: 0 added (the FY{fy} demo activities are already there, their dates kept).")
    attendance, already = _attendance(ctx, fy)
    if attendance:
        out.append(import_bytes(ctx, "attendance", attendance.encode(), "demo-attendance.csv", actor="demo").summary())
    elif already:
        out.append(f"attendance import: 0 added (the FY{fy} demo attendance is already recorded, {already} rows).")
    else:
        out.append(f"attendance import: 0 added (the FY{fy} catalog lacks the demo activities).")
    out.append("")
    out.append(f"Talk to the bot as the demo director:  ceu-bot chat --as {DIRECTOR}")
    out.append(f"A compliant director: {COMPLETE}; a reviewer: riley.reviewer@alet.example")
    return out
