"""Demo data for a first look (`ceu-bot demo`): a few people, this FY's ALET activities and some attendance,
loaded through the same CSV imports ALET uses. Idempotent: running it twice adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from handlers.context import Context
from handlers.imports import import_bytes
from rules.fiscal import fiscal_year_bounds, fiscal_year_of
from storage.catalog import catalog_rows, roll_forward

DIRECTOR = "td.demo@demo.k12.al.us"


def _clamp(day: date, start: date, end: date) -> date:
    return min(max(day, start), end)


def load_demo(ctx: Context) -> list[str]:
    today = ctx.today
    fy = fiscal_year_of(today)
    start, end = fiscal_year_bounds(fy)
    past = _clamp(today - timedelta(days=30), start, today)
    past2 = _clamp(today - timedelta(days=10), start, today)
    soon = _clamp(today + timedelta(days=21), start, end)
    later = _clamp(today + timedelta(days=60), start, end)
    out: list[str] = []
    with ctx.session() as session:
        if not catalog_rows(session, fy) and fy > 2025:
            added, _ = roll_forward(session, 2025, fy)
            session.commit()
            out.append(f"FY{fy} catalog: {added} approved external events rolled forward from FY2025.")
    roster = (
        "email,name,district,role_start,cto_completed,roles\n"
        f"{DIRECTOR},Dana Demo,Demo County Schools,{today - relativedelta(months=22)},,director\n"
        f"casey.complete@demo-city.k12.al.us,Casey Complete,Demo City Schools,2015-07-01,,director\n"
        "riley.reviewer@alet.example,Riley Reviewer,ALET,,,reviewer;admin\n"
        "sam.sde@alsde.example,Sam SDE,Alabama State Department of Education,,,sde\n"
    )
    catalog = (
        "code,title,kind,date,hours,strands,up_to,counts_for_td\n"
        f"DEMO-FALL-CONF,ALET Fall Conference,conference,{past},6,1;3;5,true,true\n"
        f"DEMO-CYBER-CAMP,ALET Cyber Camp,cyber_camp,{soon},6,5;4,true,true\n"
        f"DEMO-REGION,ALET Region Meeting,region_meeting,{later},2,1;6,true,true\n"
        f"DEMO-TALENT-DATA,TD-Talent: Data Governance Basics,talent_online,{past2},1.5,6,false,true\n"
        f"DEMO-TALENT-INTRO,TD-Talent: Welcome to ALET (does not count),talent_online,,1,1,true,false\n"
    )
    attendance = (
        "email,activity_code,date,hours,strands\n"
        f"{DIRECTOR},DEMO-FALL-CONF,{past},3,1;5\n"
        f"casey.complete@demo-city.k12.al.us,DEMO-FALL-CONF,{past},6,\n"
        f"casey.complete@demo-city.k12.al.us,DEMO-TALENT-DATA,{past2},1.5,\n"
        f"casey.complete@demo-city.k12.al.us,EXT-ISTE,{past2},4.5,2\n"
    )
    for kind, data, fy_arg in (
        ("roster", roster, None),
        ("catalog", catalog, fy),
        ("attendance", attendance, None),
    ):
        result = import_bytes(ctx, kind, data.encode(), f"demo-{kind}.csv", fy=fy_arg, actor="demo")
        out.append(result.summary())
    out.append("")
    out.append(f"Talk to the bot as the demo director:  ceu-bot chat --as {DIRECTOR}")
    out.append("A compliant director: casey.complete@demo-city.k12.al.us; a reviewer: riley.reviewer@alet.example")
    return out
