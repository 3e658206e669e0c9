"""Submitting external hours (SPEC §2) on SQLite and PostgreSQL: pending hours, every validation error writing
nothing, idempotency by client key, the external-maximum warning, roles, and evidence sent later (Teams)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from handlers.context import Actor, Context
from handlers.forms import form_refusal, submit_form
from handlers.payloads import FormErrors, Submitted
from handlers.people import find_actor
from handlers.reply import Outcome
from handlers.review import decide
from handlers.status import build_status, status_json
from handlers.submit import attach_evidence, create_submission, validate_submission
from storage.evidence import EvidenceFile, check_evidence
from storage.people import by_email
from storage.tables import AuditLog, CreditRecord, Submission
from tests.conftest import load, seed_basic
from tests.storage.test_workflow_evidence import jpeg_bytes, pdf_bytes, png_bytes

TD = "td@a.k12.al.us"
NOW = datetime(2025, 3, 3, 16, 0, tzinfo=UTC)


def actor(ctx: Context, email: str) -> Actor:
    a = find_actor(ctx, email, "slack")
    assert a is not None
    return a


def pdf() -> EvidenceFile:
    return check_evidence(pdf_bytes(), "certificate.pdf", 1024 * 1024)


def counts(ctx: Context) -> tuple[int, int, int]:
    with ctx.session() as s:
        return (
            int(s.exec(select(func.count()).select_from(Submission)).one()),
            int(s.exec(select(func.count()).select_from(CreditRecord)).one()),
            int(
                s.exec(
                    select(func.count()).select_from(AuditLog).where(col(AuditLog.action).startswith("submission"))
                ).one()
            ),
        )


def status(ctx: Context, email: str = TD) -> dict[str, object]:
    with ctx.session() as s:
        person = by_email(s, email)
        assert person is not None
        return status_json(build_status(s, person, 2025, ctx.today))


def evidence_files(ctx: Context) -> list[Path]:
    return [p for p in ctx.evidence_dir.rglob("*") if p.is_file()] if ctx.evidence_dir.exists() else []


GOOD: dict[str, str | list[str]] = {
    "event": "2025:EXT-ISTE",
    "date": "2025-01-10",
    "hours": "2.5",
    "strands": ["2", "5"],
}


@pytest.fixture
def wctx(any_ctx: Context) -> Context:
    seed_basic(any_ctx)
    any_ctx.now = NOW
    return any_ctx


def test_valid_submission_is_pending_and_shows_in_status(wctx: Context) -> None:
    td = actor(wctx, TD)
    f = pdf()
    reply = create_submission(wctx, td, GOOD, f, client_key="V1", platform="slack")
    assert reply.outcome is Outcome.OK, reply.to_text()
    assert "Sent for review" in reply.title
    sid = reply.expect(Submitted).submission_id
    assert isinstance(sid, int)
    assert reply.expect(Submitted).ready_for_review is True
    st = status(wctx)
    assert st["pending_hours"] == 2.5
    assert st["credited_hours"] == 0.0
    with wctx.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None
        assert (sub.evidence_sha256, sub.evidence_type, sub.evidence_size) == (f.sha256, "application/pdf", f.size)
        assert sub.evidence_name == "certificate.pdf"
        assert sub.platform == "slack"
        credit = s.get(CreditRecord, sub.credit_id)
        assert credit is not None
        assert (credit.status, credit.source, credit.quarters, credit.strands, credit.alet) == (
            "pending",
            "submission",
            10,
            0b10010,
            False,
        )
    assert evidence_files(wctx) == [wctx.evidence_dir / f.sha256[:2] / f"{f.sha256}.pdf"]
    assert counts(wctx) == (1, 1, 1)


def test_a_bare_code_is_found_in_the_fy_of_the_date(wctx: Context) -> None:
    values = {**GOOD, "event": "ext-iste"}
    assert validate_submission(wctx, actor(wctx, TD), values, pdf()).ok


BAD_CASES = [
    ({"event": "2025:NOPE"}, "event", "not an approved external event"),
    ({"event": "2025:FALL24"}, "event", "not an approved external event"),  # an ALET activity
    ({"event": ""}, "event", "Pick"),
    ({"date": "10/01/2025"}, "date", "not a date"),
    ({"date": ""}, "date", "Give the date"),
    ({"date": "2024-09-20"}, "date", "outside FY2025"),
    ({"date": "2025-03-04"}, "date", "in the future"),
    (
        {"event": "2025:EXT-AASA-AI-2025", "hours": "2", "date": "2025-01-20"},
        "date",
        "which took place from 2025-01-30 to 2025-01-31",
    ),
    ({"event": "2025:EXT-LATE", "hours": "1", "date": "2024-12-01"}, "date", "on or after 2025-01-01"),
    ({"hours": "1.3"}, "hours", "multiple of 0.25"),
    ({"hours": "0"}, "hours", "positive"),
    ({"hours": "-2"}, "hours", "positive"),
    ({"hours": "lots"}, "hours", "not a number"),
    ({"hours": "6.25"}, "hours", "over the cap of 6"),
    ({"event": "2025:EXT-CBT-SECURITY-PLUS", "hours": "3"}, "hours", "exactly 4"),
    ({"strands": []}, "strands", "at least one strand"),
    ({"strands": ["9"]}, "strands", "not one of the strands"),
    ({"evidence": "none"}, "evidence", "needs evidence"),
    ({"event": "2025:EXT-ATIM-PLUACLD1185", "hours": "3"}, "assignment", "needs its assignment"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_CASES)
def test_each_validation_error_writes_nothing(
    wctx: Context, change: dict[str, str | list[str]], field: str, message: str
) -> None:
    load(
        wctx,
        "catalog",
        "code,title,kind,date,hours,strands,earliest\nEXT-LATE,Late course,external,,2,5,2025-01-01\n",
        fy=2025,
    )
    td = actor(wctx, TD)
    values = {**GOOD, **{k: v for k, v in change.items() if k != "evidence"}}
    evidence = None if change.get("evidence") == "none" else pdf()
    v = validate_submission(wctx, td, values, evidence)
    assert field in v.errors, v.errors
    assert message in v.errors[field]
    reply = create_submission(wctx, td, values, evidence, client_key="K", platform="slack")
    assert reply.outcome is Outcome.INVALID
    assert reply.expect(FormErrors).errors == v.errors
    assert message in reply.to_text()
    assert counts(wctx) == (0, 0, 0)
    assert evidence_files(wctx) == []


def test_hours_already_claimed_count_against_the_cap(wctx: Context) -> None:
    td = actor(wctx, TD)
    assert create_submission(wctx, td, {**GOOD, "hours": "4"}, pdf(), client_key="A", platform="slack").ok
    values = {**GOOD, "date": "2025-01-11", "hours": "2.5"}
    reply = create_submission(wctx, td, values, pdf(), client_key="B", platform="slack")
    assert reply.outcome is Outcome.INVALID
    assert "4 already recorded" in str(reply.expect(FormErrors).errors)
    assert "at most 2 more" in str(reply.expect(FormErrors).errors)
    same_day = create_submission(wctx, td, {**GOOD, "hours": "1"}, pdf(), client_key="C", platform="slack")
    assert same_day.outcome is Outcome.INVALID
    assert "already have hours" in str(same_day.expect(FormErrors).errors)
    assert counts(wctx) == (1, 1, 1)


def test_same_client_key_returns_the_same_submission_and_writes_nothing(wctx: Context) -> None:
    td = actor(wctx, TD)
    first = create_submission(wctx, td, GOOD, pdf(), client_key="view-123", platform="slack")
    again = create_submission(wctx, td, GOOD, pdf(), client_key="view-123", platform="slack")
    other = create_submission(wctx, td, {**GOOD, "hours": "1"}, pdf(), client_key="view-123", platform="slack")
    ids = [r.expect(Submitted).submission_id for r in (first, again, other)]
    assert ids[0] == ids[1] == ids[2]
    assert first.expect(Submitted).duplicate is False
    assert again.expect(Submitted).duplicate is True and again.ok
    assert counts(wctx) == (1, 1, 1)
    assert status(wctx)["pending_hours"] == 2.5


def test_warning_when_external_hours_would_pass_the_maximum(wctx: Context) -> None:
    load(wctx, "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,EXT-COSN,2024-12-02,5\n")
    td = actor(wctx, TD)
    v = validate_submission(wctx, td, GOOD, pdf())
    assert v.ok
    assert len(v.warnings) == 1 and "7.5 external hours" in v.warnings[0] and "at most 6 count" in v.warnings[0]
    small = validate_submission(wctx, td, {**GOOD, "hours": "1"}, pdf())
    assert small.ok and small.warnings == []
    reply = create_submission(wctx, td, GOOD, pdf(), client_key="W", platform="teams")
    assert reply.ok
    assert "at most 6 count" in reply.to_text()


def test_only_directors_submit(wctx: Context) -> None:
    for email in ("rev@alet.org", "sde@alsde.edu"):
        who = actor(wctx, email)
        reply = create_submission(wctx, who, GOOD, pdf(), client_key=f"R-{email}", platform="slack")
        assert reply.outcome is Outcome.REFUSED
        assert "tdceu@alet.org" in reply.to_text()
        refused = form_refusal(wctx, who, "submit")
        assert refused is not None and refused.outcome is Outcome.REFUSED
    assert counts(wctx) == (0, 0, 0)
    assert form_refusal(wctx, actor(wctx, TD), "submit") is None


def test_submit_form_lists_this_fys_external_events_with_caps(wctx: Context) -> None:
    form = submit_form(wctx, actor(wctx, TD))
    assert form.id == "submit" and len(form.title) <= 24 and len(form.submit_label) <= 24
    events = dict(form.field("event").options)
    notes = dict(form.field("event").notes)  # the amount: Slack's option description, after the title on Teams
    assert len(events) == 20 and set(notes) == set(events)
    assert notes["2025:EXT-ISTE"] == "up to 6 h"
    assert notes["2025:EXT-CBT-SECURITY-PLUS"] == "4 h"
    assert notes["2025:EXT-COSN-CTO-WORKSHOP"] == "1 h each"
    assert events["2025:EXT-ISTE"] == "ISTE: International Society for Technology in Education annual conference"
    assert events["2025:EXT-K12SIX"].startswith("K12SIX: National K-12")  # the acronym survives Slack's 75 cut
    assert events["2025:EXT-COSN"].startswith("CoSN: Consortium of School Networking")
    assert all(len(label) <= 75 for label in events.values())
    assert "2025:FALL24" not in events
    assert [v for v, _ in form.field("strands").options] == ["1", "2", "3", "4", "5", "6"]
    assert form.field("evidence").kind == "file"
    assert form.field("unit").required is False
    wctx.today = datetime(2026, 11, 23).date()  # FY2027: nothing approved yet
    nothing = form_refusal(wctx, actor(wctx, TD), "submit")
    assert nothing is not None and nothing.outcome is Outcome.NOT_FOUND
    assert submit_form(wctx, actor(wctx, TD)).field("event").options == ()


def test_per_unit_events_are_capped_per_workshop(wctx: Context) -> None:
    td = actor(wctx, TD)
    w = {**GOOD, "event": "2025:EXT-COSN-CTO-WORKSHOP", "hours": "1", "strands": ["1"]}
    assert create_submission(wctx, td, {**w, "unit": "Budgeting"}, pdf(), client_key="U1", platform="slack").ok
    assert create_submission(wctx, td, {**w, "unit": "Cyber"}, pdf(), client_key="U2", platform="slack").ok
    again = create_submission(wctx, td, {**w, "unit": "budgeting "}, pdf(), client_key="U3", platform="slack")
    assert again.outcome is Outcome.INVALID
    assert status(wctx)["pending_hours"] == 2.0


def test_evidence_sent_later_completes_the_submission(wctx: Context) -> None:
    td = actor(wctx, TD)
    rev = actor(wctx, "rev@alet.org")
    none = attach_evidence(wctx, td, check_evidence(png_bytes(), "a.png", 10**6))
    assert none.outcome is Outcome.NOT_FOUND
    saved = create_submission(wctx, td, GOOD, None, client_key="T1", platform="teams", evidence_to_follow=True)
    assert saved.ok and saved.expect(Submitted).ready_for_review is False
    assert "send your evidence file" in saved.title
    sid = saved.expect(Submitted).submission_id
    assert isinstance(sid, int)
    early = decide(wctx, rev, "submission", sid, True)
    assert early.outcome is Outcome.INVALID
    photo = check_evidence(jpeg_bytes(), "IMG_1.jpg", 10**6)
    attached = attach_evidence(wctx, td, photo)
    assert attached.ok, attached.to_text()
    assert attached.payload == Submitted(submission_id=sid, ready_for_review=True, duplicate=False, warnings=())
    assert "JPEG image" in attached.to_text()
    twice = attach_evidence(wctx, td, photo)
    assert twice.outcome is Outcome.ALREADY
    other = attach_evidence(wctx, td, check_evidence(png_bytes(), "b.png", 10**6))
    assert other.outcome is Outcome.NOT_FOUND
    with wctx.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.evidence_sha256 == photo.sha256
    assert decide(wctx, rev, "submission", sid, True).outcome is Outcome.OK
