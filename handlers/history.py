"""`history [FY]`: the transcript of a TD's credited, pending and rejected records for a FY."""

from __future__ import annotations

from handlers.context import Actor, Context
from handlers.fy_arg import fy_from_args
from handlers.reply import Reply, Section, trimmed
from rules.hours import fmt_hours
from rules.strands import numbers_of
from storage.policy_data import policy_for
from storage.records import HistoryRow, history_of

MAX_ROWS = 40


def history_line(row: HistoryRow, strands: dict[int, str]) -> str:
    where = "ALET" if row.alet else "external"
    nums = ",".join(str(n) for n in numbers_of(row.strands))
    state = {"approved": "credited", "pending": "pending review", "rejected": "rejected"}.get(row.status, row.status)
    if row.status == "voided":
        state = f"voided, no credit ({row.void_reason})" if row.void_reason else "voided, no credit"
    elif row.status == "approved" and not row.counted:
        state = f"recorded, no credit ({row.note or 'does not count'})"
    hours = fmt_hours(row.quarters)
    what = f"{row.title} [{row.code}], {where}, {hours} h, strands {nums}"
    return f"{row.day.isoformat()}  {what}: {state} (record {row.id})"


def handle_history(ctx: Context, actor: Actor, args: list[str]) -> Reply:
    fy, problem = fy_from_args(args, ctx.today)
    if problem:
        return problem
    with ctx.session() as session:
        policy = policy_for(session, fy)
        rows = history_of(session, actor.person_id, fy)
    if not rows:
        return Reply(
            title=f"TD-CEU history, FY{fy}",
            sections=[Section(text=f"No records for FY{fy} yet. ALET uploads live-event attendance after each event.")],
        )
    lines = [history_line(r, policy.strands) for r in rows]
    shown, more = trimmed(lines, MAX_ROWS, "more records (see the year-end report)")
    credited = sum(r.quarters for r in rows if r.status == "approved" and r.counted)
    return Reply(
        title=f"TD-CEU history, FY{fy}",
        sections=[
            Section(
                text=f"{len(rows)} record{'' if len(rows) == 1 else 's'}; {fmt_hours(credited)} hours approved.",
                items=shown,
                more=more,
            )
        ],
        summary=f"{len(rows)} TD-CEU records for FY{fy}",
    )
