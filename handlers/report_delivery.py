"""`report [FY]` in chat (SDE staff, admins): the year-end report's files (handlers.report builds them) for the
platform to deliver into the caller's personal chat. The handler answers with the progress note at once and a
`ReportOrder` payload (handlers.payloads); the adapter then builds the files (`report_files`, off the event loop),
sends them (Slack: files_upload_v2 into the DM; Teams: file-consent cards, or signed download links when
CEU_PUBLIC_URL is set) and says so with `sent_reply` (or `failed_reply`)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from handlers.context import Actor, Context
from handlers.fy_arg import fy_from_args
from handlers.payloads import ReportOrder
from handlers.reply import Outcome, Reply, Section
from handlers.status import long_date

REPORT_ROLES = frozenset({"sde", "admin"})
MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
}


@dataclass(frozen=True)
class ReportFile:
    name: str
    data: bytes

    @property
    def mime(self) -> str:
        return MIME.get(Path(self.name).suffix.lower(), "application/octet-stream")


def handle_report(ctx: Context, actor: Actor, args: list[str]) -> Reply:
    fy, problem = fy_from_args(args, ctx.today)
    if problem:
        return problem
    return Reply(
        title=f"Building the FY{fy} report…",
        sections=[
            Section(
                text="The spreadsheet (XLSX) and the CSV files come here in our personal chat in a moment: one row "
                "per director with hours, strands, compliance and CTO Academy, and the completers list."
            )
        ],
        summary=f"Building the FY{fy} report…",
        payload=ReportOrder(fy),
    )


def order_of(reply: Reply) -> ReportOrder | None:
    return reply.payload_as(ReportOrder) if reply.ok else None


def allowed(actor: Actor) -> bool:
    return bool(actor.roles & REPORT_ROLES)


def report_files(ctx: Context, fy: int, actor: str) -> list[ReportFile]:
    """The report's files as bytes (written to a private temporary folder, read back, then removed)."""
    from handlers.report import write_report

    with tempfile.TemporaryDirectory(prefix="ceu-report-") as tmp:
        paths = write_report(ctx, fy, Path(tmp), actor=actor)
        return [ReportFile(p.name, p.read_bytes()) for p in paths]


def file_named(files: list[ReportFile], name: str) -> ReportFile | None:
    return next((f for f in files if f.name == name), None)


def report_title(fy: int, today: date) -> str:
    """The one title the report's files carry on both platforms (Slack's upload comment, Teams' consent card)."""
    return f"TD-CEU year-end report, FY{fy}, as of {long_date(today)}"


def sent_reply(fy: int, names: list[str], where: str) -> Reply:
    return Reply(
        title=f"The FY{fy} report is {where}",
        sections=[Section(items=names)],
        summary=f"The FY{fy} report is {where}",
    )


def failed_reply(fy: int) -> Reply:
    return Reply(
        title=f"I could not deliver the FY{fy} report",
        sections=[
            Section(
                text="Nothing is lost; please try “report” again in a minute. If it keeps failing, "
                "the ALET admins can run “ceu-bot report” on the server."
            )
        ],
        outcome=Outcome.ERROR,
    )
