"""A one-time activity claimed in chat (SQLite and PostgreSQL): approving an earlier-dated submission moves the
credit from a later-dated attendance record of it, as the attendance import does; the chat form's problems arrive
on their fields (rules.claims.Problem), among them the event's dates."""

from __future__ import annotations

from sqlmodel import select

from handlers.context import Context
from handlers.payloads import Submitted
from handlers.review import decide
from handlers.submit import create_submission, validate_submission
from storage.tables import CreditRecord
from tests.conftest import load, seed_basic
from tests.review.test_workflow_submit import NOW, TD, actor, pdf

CLAIM: dict[str, str | list[str]] = {
    "event": "2025:EXT-CBT-SECURITY-PLUS",
    "date": "2025-01-10",
    "hours": "4",
    "strands": ["5"],
}


def test_approving_an_earlier_once_submission_moves_the_credit(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    any_ctx.now = NOW
    load(any_ctx, "attendance", f"email,activity_code,date,hours\n{TD},EXT-CBT-SECURITY-PLUS,2025-02-20,4\n")
    reply = create_submission(any_ctx, actor(any_ctx, TD), CLAIM, pdf(), client_key="once-1", platform="slack")
    assert reply.ok, reply.to_text()
    sid = reply.expect(Submitted).submission_id
    assert isinstance(sid, int)
    assert decide(any_ctx, actor(any_ctx, "rev@alet.org"), "submission", sid, True).outcome.value == "ok"
    with any_ctx.session() as s:
        rows = sorted((r.day.isoformat(), r.source, r.counted) for r in s.exec(select(CreditRecord)).all())
    assert rows == [("2025-01-10", "submission", True), ("2025-02-20", "attendance", False)]


def test_the_form_shows_each_problem_on_its_field(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    values = {**CLAIM, "event": "2025:EXT-AASA-AI-2025", "date": "2025-02-03", "hours": "9", "strands": ["5"]}
    v = validate_submission(any_ctx, actor(any_ctx, TD), values, pdf())
    assert v.errors["date"] == (
        "Date 2025-02-03 is not during EXT-AASA-AI-2025, which took place from 2025-01-30 to 2025-01-31."
    )
    assert v.errors["hours"].startswith("9 hours is over the cap of 3 for AASA AI Summit, January 30/31, 2025")
    assert "strands" not in v.errors
