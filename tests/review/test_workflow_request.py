"""Event requests (SPEC §2) on SQLite and PostgreSQL: who may request, one-FY dates, hours, strands, agenda link,
nothing written on bad input, idempotency by client key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from handlers.context import Context
from handlers.forms import form_refusal, request_form
from handlers.payloads import FormErrors, Requested
from handlers.reply import Outcome
from handlers.request import create_request, validate_request
from storage.tables import AuditLog, EventRequest
from tests.conftest import seed_basic
from tests.review.test_workflow_submit import actor

GOOD: dict[str, str | list[str]] = {
    "title": "Alabama Cyber Summit 2025",
    "organiser": "Alabama Cyber Alliance",
    "start": "2025-05-06",
    "end": "2025-05-07",
    "in_person": ["in_person"],
    "hours": "4.5",
    "strands": ["4", "5"],
    "agenda_url": "https://example.org/agenda",
}


@pytest.fixture
def wctx(any_ctx: Context) -> Context:
    seed_basic(any_ctx)
    any_ctx.now = datetime(2025, 3, 3, 16, 0, tzinfo=UTC)
    return any_ctx


def counts(ctx: Context) -> tuple[int, int]:
    with ctx.session() as s:
        return (
            int(s.exec(select(func.count()).select_from(EventRequest)).one()),
            int(s.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == "request.create")).one()),
        )


@pytest.mark.parametrize("email", ["td@a.k12.al.us", "sde@alsde.edu"])
def test_directors_and_sde_staff_request(wctx: Context, email: str) -> None:
    reply = create_request(wctx, actor(wctx, email), GOOD, client_key=f"k-{email}", platform="teams")
    assert reply.outcome is Outcome.OK, reply.to_text()
    rid = reply.expect(Requested).request_id
    assert isinstance(rid, int)
    with wctx.session() as s:
        req = s.get(EventRequest, rid)
        assert req is not None
        assert (req.fy, req.quarters, req.strands, req.in_person, req.status) == (2025, 18, 0b11000, True, "pending")
        assert (req.start_day.isoformat(), req.end_day.isoformat()) == ("2025-05-06", "2025-05-07")
    assert counts(wctx) == (1, 1)
    assert "IT Management and Cybersecurity" in reply.to_text()


def test_reviewers_are_refused_politely_and_nothing_is_written(wctx: Context) -> None:
    rev = actor(wctx, "rev@alet.org")
    reply = create_request(wctx, rev, GOOD, client_key="r", platform="slack")
    assert reply.outcome is Outcome.REFUSED
    assert "directors and SDE staff" in reply.title
    assert counts(wctx) == (0, 0)
    refused = form_refusal(wctx, rev, "request")
    assert refused is not None and refused.outcome is Outcome.REFUSED
    assert form_refusal(wctx, actor(wctx, "sde@alsde.edu"), "request") is None


BAD = [
    ({"title": "  "}, "title", "title"),
    ({"organiser": ""}, "organiser", "organises"),
    ({"start": "May 6"}, "start", "not a date"),
    ({"end": "2025-05-01"}, "end", "before the start date"),
    ({"start": "2025-09-29", "end": "2025-10-02"}, "end", "inside one fiscal year"),
    ({"start": "2024-05-01", "end": "2024-05-02"}, "start", "before the TD-CEU requirement"),
    ({"hours": "0"}, "hours", "positive"),
    ({"hours": "2.1"}, "hours", "multiple of 0.25"),
    ({"strands": []}, "strands", "at least one strand"),
    ({"strands": ["7"]}, "strands", "not one of the strands"),
    ({"agenda_url": "ftp://example.org/a"}, "agenda_url", "https://"),
    ({"agenda_url": "javascript:alert(1)"}, "agenda_url", "https://"),
    ({"agenda_url": "example.org"}, "agenda_url", "https://"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD)
def test_bad_requests_write_nothing(
    wctx: Context, change: dict[str, str | list[str]], field: str, message: str
) -> None:
    td = actor(wctx, "td@a.k12.al.us")
    values = {**GOOD, **change}
    v = validate_request(wctx, td, values)
    assert field in v.errors, v.errors
    assert message in v.errors[field]
    reply = create_request(wctx, td, values, client_key="bad", platform="slack")
    assert reply.outcome is Outcome.INVALID
    assert reply.expect(FormErrors).errors == v.errors
    assert counts(wctx) == (0, 0)


def test_optional_fields_and_online_events(wctx: Context) -> None:
    values = {**GOOD, "agenda_url": "", "in_person": [], "end": "2025-05-06"}
    reply = create_request(wctx, actor(wctx, "td@a.k12.al.us"), values, client_key="o", platform="slack")
    assert reply.ok
    assert "online" in reply.to_text()
    assert "2025-05-06 (FY2025)" in reply.to_text()


def test_same_client_key_returns_the_same_request(wctx: Context) -> None:
    td = actor(wctx, "td@a.k12.al.us")
    first = create_request(wctx, td, GOOD, client_key="activity-1", platform="teams")
    again = create_request(wctx, td, {**GOOD, "title": "Changed"}, client_key="activity-1", platform="teams")
    assert first.expect(Requested).request_id == again.expect(Requested).request_id
    assert again.expect(Requested).duplicate is True and again.ok
    assert counts(wctx) == (1, 1)


def test_request_form_fields(wctx: Context) -> None:
    form = request_form(wctx, actor(wctx, "sde@alsde.edu"))
    assert form.id == "request" and len(form.title) <= 24
    assert [f.id for f in form.fields] == [
        "title",
        "organiser",
        "start",
        "end",
        "in_person",
        "hours",
        "strands",
        "agenda_url",
    ]
    assert form.field("agenda_url").required is False
    assert form.field("in_person").kind == "checkbox"
