"""Attendance rows and a TD's own chat submissions (SQLite and PostgreSQL). ALET's attendance is the official
record: a row for the same activity and day as a *pending* submission replaces it (approved, ALET's hours and
strands, the review closed with the reason), so a reviewer's later rejection cannot drop ALET's attendance; an
*approved* submission with the same hours is already recorded, and other hours are refused naming the source."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from handlers.context import Actor, Context
from handlers.csv_rows import ImportRefused
from handlers.imports import PENDING_REPLACED, import_bytes
from handlers.payloads import Submitted
from handlers.people import find_actor
from handlers.reply import Outcome
from handlers.review import decide
from handlers.status import build_status, status_json
from handlers.submit import create_submission
from storage.evidence import check_evidence
from storage.people import by_email
from storage.tables import CreditRecord, Submission
from tests.conftest import seed_basic
from tests.storage.test_workflow_evidence import pdf_bytes

TD = "td@a.k12.al.us"
HEAD = "email,activity_code,date,hours,strands\n"
CLAIM: dict[str, str | list[str]] = {"event": "2025:EXT-ISTE", "date": "2025-01-10", "hours": "2.5", "strands": ["2"]}


def _actor(ctx: Context, email: str) -> Actor:
    a = find_actor(ctx, email, "slack")
    assert a is not None
    return a


def _submit(ctx: Context, values: dict[str, str | list[str]] = CLAIM, key: str = "K1") -> int:
    ev = check_evidence(pdf_bytes(), "certificate.pdf", 1024 * 1024)
    reply = create_submission(ctx, _actor(ctx, TD), values, ev, client_key=key, platform="slack")
    assert reply.outcome is Outcome.OK, reply.to_text()
    sid = reply.expect(Submitted).submission_id
    assert isinstance(sid, int)
    return sid


def _records(ctx: Context) -> list[tuple[str, str, int, int]]:
    with ctx.session() as s:
        return [
            (r.status, r.source, r.quarters, r.strands)
            for r in s.exec(select(CreditRecord).order_by(col(CreditRecord.id))).all()
        ]


def _status(ctx: Context) -> dict[str, object]:
    with ctx.session() as s:
        person = by_email(s, TD)
        assert person is not None
        return status_json(build_status(s, person, 2025, ctx.today))


@pytest.fixture
def wctx(any_ctx: Context) -> Context:
    seed_basic(any_ctx)
    any_ctx.now = datetime(2025, 3, 3, 16, 0, tzinfo=UTC)
    return any_ctx


def test_attendance_replaces_a_pending_submission_of_the_same_day(wctx: Context) -> None:
    sid = _submit(wctx)
    assert _status(wctx)["pending_hours"] == 2.5
    rows = HEAD + f"{TD},EXT-ISTE,2025-01-10,3,5\n"  # ALET recorded 3 hours, strand 5
    result = import_bytes(wctx, "attendance", rows.encode(), "iste.csv")
    assert (result.added, result.skipped, result.confirmed) == (1, 0, 1)
    assert "replaces pending chat submission for the same activity and day" in result.summary()
    assert _records(wctx) == [("approved", "attendance", 12, 0b10000)]  # one record: ALET's
    st = _status(wctx)
    assert (st["pending_hours"], st["external_hours"]) == (0.0, 3.0)
    with wctx.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None
        assert (sub.status, sub.reason, sub.decided_by) == ("approved", PENDING_REPLACED, None)
    # the reviewer's later press changes nothing: ALET's attendance stays
    d = decide(wctx, _actor(wctx, "rev@alet.org"), "submission", sid, False, "no certificate")
    assert d.outcome is Outcome.ALREADY
    assert _records(wctx) == [("approved", "attendance", 12, 0b10000)]
    # the same file again adds nothing
    again = import_bytes(wctx, "attendance", rows.encode(), "iste.csv")
    assert (again.added, again.skipped, again.confirmed) == (0, 1, 0)


def test_the_cap_counts_the_replaced_claim_once(wctx: Context) -> None:
    _submit(wctx, {**CLAIM, "hours": "6"})  # ISTE: up to 6 hours
    import_bytes(wctx, "attendance", (HEAD + f"{TD},EXT-ISTE,2025-01-10,6,\n").encode(), "iste.csv")
    assert [r[:3] for r in _records(wctx)] == [("approved", "attendance", 24)]


def test_an_approved_submission_is_already_recorded_or_named_in_the_refusal(wctx: Context) -> None:
    sid = _submit(wctx)
    assert decide(wctx, _actor(wctx, "rev@alet.org"), "submission", sid, True).outcome is Outcome.OK
    same = import_bytes(wctx, "attendance", (HEAD + f"{TD},EXT-ISTE,2025-01-10,2.5,\n").encode(), "a.csv")
    assert (same.added, same.skipped) == (0, 1)
    with pytest.raises(ImportRefused) as refused:
        import_bytes(wctx, "attendance", (HEAD + f"{TD},EXT-ISTE,2025-01-10,3,\n").encode(), "b.csv")
    assert refused.value.problems == [
        f"line 2: {TD} already has 2.5 hours of EXT-ISTE on 2025-01-10 from an approved chat submission "
        "(two parts of one activity on one day need each its own “unit”)"
    ]
    assert _records(wctx) == [("approved", "submission", 10, 0b10)]


def test_a_bad_row_elsewhere_leaves_the_pending_submission_untouched(wctx: Context) -> None:
    sid = _submit(wctx)
    rows = HEAD + f"{TD},EXT-ISTE,2025-01-10,3,\n{TD},NOPE,2025-01-10,1,\n"
    with pytest.raises(ImportRefused):
        import_bytes(wctx, "attendance", rows.encode(), "bad.csv")
    assert _records(wctx) == [("pending", "submission", 10, 0b10)]
    with wctx.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.status == "pending"
