"""`history [FY]`: the transcript of a TD's credited, pending and rejected records for a FY. External hours beyond
the FY's external maximum are shown as recorded but not credited (the record that crosses it is partly credited),
and the header sums credited hours exactly as `status` does (rules.credit)."""

from __future__ import annotations

from handlers.context import Actor, Context
from handlers.fy_arg import fy_from_args
from handlers.reply import Reply, Section, trimmed
from rules.credit import Credit, Status, external_parts, tie, totals
from rules.hours import fmt_hours, fmt_hours_unit
from rules.strands import fmt_strands, numbers_of
from storage.policy_data import policy_for
from storage.records import HistoryRow, history_of

MAX_ROWS = 40


def history_line(row: HistoryRow, strands: dict[int, str], credited: int | None = None, maximum: int = 0) -> str:
    """One record; `credited`: the quarter-hours an approved external record is credited within the maximum."""
    where = "ALET" if row.alet else "external"
    state = {"approved": "credited", "pending": "pending review", "rejected": "rejected"}.get(row.status, row.status)
    if row.status == "voided":
        state = f"voided, no credit ({row.void_reason})" if row.void_reason else "voided, no credit"
    elif row.status == "approved" and not row.counted:
        state = f"recorded, no credit ({row.note or 'does not count'})"
    elif credited is not None and credited == 0:
        state = f"recorded, not credited (beyond the {fmt_hours(maximum)}-hour external maximum)"
    elif credited is not None and credited < row.quarters:
        state = (
            f"partly credited: {fmt_hours(credited)} h (the rest is beyond the {fmt_hours(maximum)}-hour "
            "external maximum)"
        )
    hours = fmt_hours(row.quarters)
    what = f"{row.title}, {where}, {hours} h, {_strands_named(row.strands, strands)}"
    return f"{row.day.isoformat()}  {what}: {state} (record {row.id})"


def _strands_named(mask: int, strands: dict[int, str]) -> str:
    """ "strand Ethics, Laws, and Policies" / "strands Leadership; Cybersecurity": names, as everywhere else."""
    return ("strand " if len(numbers_of(mask)) == 1 else "strands ") + fmt_strands(mask, strands)


def _credit(row: HistoryRow) -> Credit:
    return Credit(
        row.alet, row.day, row.quarters, row.strands, Status(row.status), row.counted, tie(row.code, row.unit)
    )


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
    credits = [_credit(r) for r in rows]
    external = [i for i, c in enumerate(credits) if not c.alet and c.counted and c.status is Status.APPROVED]
    parts = dict(zip(external, external_parts([credits[i] for i in external], policy.external_maximum), strict=True))
    maximum = policy.external_maximum
    lines = [history_line(r, policy.strands, parts.get(i), maximum) for i, r in enumerate(rows)]
    shown, more = trimmed(lines, MAX_ROWS, "more records (see the year-end report)")
    credited = totals(credits, policy).credited
    return Reply(
        title=f"TD-CEU history, FY{fy}",
        sections=[
            Section(
                text=f"{len(rows)} record{'' if len(rows) == 1 else 's'}; {fmt_hours_unit(credited)} credited.",
                items=shown,
                more=more,
            )
        ],
        summary=f"{len(rows)} TD-CEU records for FY{fy}",
    )
