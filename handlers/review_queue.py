"""What a reviewer's `status` shows: the submissions and event requests waiting for review, oldest first."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from handlers.context import TIMEZONE, Context
from handlers.payloads import Waiting
from handlers.reply import Reply, Section, trimmed
from rules.fiscal import local_date
from rules.hours import fmt_hours
from storage.reviews import SUBMISSION, PendingItem, pending_older_than

SHOWN = 20
EVERYTHING = datetime(9999, 12, 31, tzinfo=UTC)  # a cutoff after every item: all of them, oldest first


def all_waiting(session: Session) -> list[PendingItem]:
    """Every submission (with its evidence) and event request waiting for a decision, oldest first."""
    return pending_older_than(session, EVERYTHING)


def waiting_line(item: PendingItem, today: date, zone: str = TIMEZONE) -> str:
    what = "Submission" if item.item_type == SUBMISSION else "Event request"
    days = max(0, (today - local_date(item.created_at, zone)).days)
    waited = "since today" if days == 0 else f"waiting {days} day{'s' if days != 1 else ''}"
    return (
        f"{what} #{item.item_id}: {item.title} ({fmt_hours(item.quarters)} h) "
        f"from {item.person_name or item.person_email}, {waited}"
    )


def review_queue_reply(ctx: Context) -> Reply:
    with ctx.session() as session:
        waiting = all_waiting(session)
    if not waiting:
        return Reply(
            title="Nothing is waiting for review",
            sections=[Section(text="New submissions and event requests appear in the reviewers' channel.")],
            summary="Nothing is waiting for review",
            payload=Waiting(0),
        )
    n = len(waiting)
    title = f"{n} item{'s' if n != 1 else ''} waiting for review"
    items, more = trimmed([waiting_line(w, ctx.today, ctx.zone) for w in waiting], SHOWN)
    return Reply(
        title=title,
        sections=[
            Section(
                text="Oldest first. Approve or reject each one with the buttons on its post in the reviewers' "
                "channel; “overview” shows the state at a glance.",
                items=items,
                more=more,
            )
        ],
        summary=title,
        payload=Waiting(n),
    )
