"""Reviewing (SPEC §3) on SQLite and PostgreSQL: the review message, approve / reject with their effects on the
credit and the catalog, refusals, exactly-once decisions (also two concurrent clicks), and the review queries."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, func, select

from handlers.context import Context
from handlers.forms import reject_form
from handlers.payloads import Decided, Requested, Submitted
from handlers.reply import Outcome
from handlers.request import create_request
from handlers.review import Decision, decide, parse_item, review_reply
from handlers.submit import create_submission
from storage.catalog import entry_by_code
from storage.reviews import pending_older_than, posts_for, record_post
from storage.tables import AuditLog, CreditRecord, EventRequest, ReviewPost, Submission
from tests.conftest import ROSTER, load, seed_basic
from tests.review.test_workflow_request import GOOD as REQUEST
from tests.review.test_workflow_submit import GOOD, TD, actor, pdf, status

NOW = datetime(2025, 3, 3, 16, 0, tzinfo=UTC)
MORE_PEOPLE = (
    "kim@alet.org,Kim Second,ALET,,,reviewer\nboss@c.k12.al.us,Casey Both,Gamma County,2015-07-01,,director;reviewer\n"
)


@pytest.fixture
def wctx(any_ctx: Context) -> Context:
    seed_basic(any_ctx)
    load(any_ctx, "roster", ROSTER + MORE_PEOPLE)
    any_ctx.now = NOW
    return any_ctx


def submit(ctx: Context, key: str = "S1", email: str = TD, **change: str | list[str]) -> int:
    values = {**GOOD, "assignment": "I learned to segment the network.", **change}
    reply = create_submission(ctx, actor(ctx, email), values, pdf(), client_key=key, platform="slack")
    assert reply.ok, reply.to_text()
    sid = reply.expect(Submitted).submission_id
    assert isinstance(sid, int)
    return sid


def request(ctx: Context, key: str = "R1", email: str = TD) -> int:
    reply = create_request(ctx, actor(ctx, email), REQUEST, client_key=key, platform="teams")
    assert reply.ok, reply.to_text()
    rid = reply.expect(Requested).request_id
    assert isinstance(rid, int)
    return rid


def audits(ctx: Context, action: str) -> int:
    with ctx.session() as s:
        return int(s.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == action)).one())


def test_pending_review_message_shows_everything_a_reviewer_needs(wctx: Context) -> None:
    load(wctx, "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,4\n")
    sid = submit(wctx)
    wctx.now = NOW + timedelta(days=2, hours=1)
    reply = review_reply(wctx, "submission", sid)
    text = reply.to_text()
    for expected in (
        "Alex Director",
        "Alpha County",
        "td@a.k12.al.us",
        "International Society for Technology in Education annual conference (ISTE)",  # the title names it
        "Event: EXT-ISTE",  # the row the code only: the name once
        "2025-01-10",
        "2.5",
        "Teaching and Learning; IT Management and Cybersecurity",
        "Credited: 4 of 12 hours",
        "ALET: 4",
        "External credited: 0",
        "Pending: 2.5",
        "PDF",
        "certificate.pdf",
        "I learned to segment the network.",
        "Waiting: 2 days",
    ):
        assert expected in text, expected
    assert "SHA-256" not in text  # a hash prefix tells a reviewer nothing (Slack's thread upload names it)
    assert (
        "no public address (CEU_PUBLIC_URL is not set). An admin can write the file to disk with "
        f"“ceu-bot evidence {sid}”" in text
    )
    assert [(b.action, b.style, b.value) for b in reply.buttons] == [
        ("review.approve", "primary", f"submission:{sid}"),
        ("review.reject", "danger", f"submission:{sid}"),
    ]
    assert parse_item(reply.buttons[0].value) == ("submission", sid)
    assert parse_item("submission:x") is None and parse_item("other:1") is None
    missing = review_reply(wctx, "submission", 999)
    assert missing.outcome is Outcome.NOT_FOUND


def test_approve_credits_the_hours_and_updates_message_and_dm(wctx: Context) -> None:
    sid = submit(wctx)
    with wctx.session() as s:
        record_post(s, "submission", sid, "slack", "C123", "1700000000.000100")
        s.commit()
    rev = actor(wctx, "rev@alet.org")
    wctx.now = NOW + timedelta(hours=3)
    d = decide(wctx, rev, "submission", sid, True)
    assert d.outcome is Outcome.OK
    st = status(wctx)
    assert (st["pending_hours"], st["external_credited_hours"], st["credited_hours"]) == (0.0, 2.5, 2.5)
    assert d.review is not None and d.review.buttons == []
    assert "Approved by Robin Reviewer on 2025-03-03" in d.review.to_text()
    assert d.dm is not None and d.recipient is not None
    assert d.recipient.email == TD
    assert "Approved: 2.5 hours" in d.dm.title
    assert "you need 9.5 more hours for FY2025 by September 30, 2025 (211 days), 6 of them from ALET" in d.dm.to_text()
    assert [(p.platform, p.channel, p.message_id) for p in d.posts] == [("slack", "C123", "1700000000.000100")]
    with wctx.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.status == "approved" and sub.decided_by == rev.person_id
        credit = s.get(CreditRecord, sub.credit_id)
        assert credit is not None and credit.status == "approved"
    assert audits(wctx, "submission.approve") == 1


def test_reject_needs_a_reason_and_frees_the_hours(wctx: Context) -> None:
    sid = submit(wctx, hours="6")
    rev = actor(wctx, "rev@alet.org")
    form = reject_form("submission", sid)
    assert form.id == "reject_reason" and form.context == f"submission:{sid}" and form.fields[0].required
    no_reason = decide(wctx, rev, "submission", sid, False, "   ")
    assert no_reason.outcome is Outcome.INVALID
    assert review_reply(wctx, "submission", sid).buttons  # still pending
    d = decide(wctx, rev, "submission", sid, False, "The certificate shows no date")
    assert d.outcome is Outcome.OK
    assert d.review is not None
    assert "Rejected by Robin Reviewer on 2025-03-03 (The certificate shows no date)" in d.review.to_text()
    assert d.dm is not None and "Reason: The certificate shows no date" in d.dm.to_text()
    assert "free to claim again" in d.dm.to_text()
    assert status(wctx)["pending_hours"] == 0.0
    again = submit(wctx, key="S2", hours="6")  # the same event, date and hours may be claimed again
    assert again != sid
    assert status(wctx)["pending_hours"] == 6.0
    assert audits(wctx, "submission.reject") == 1


def test_non_reviewers_and_own_items_are_refused_and_nothing_changes(wctx: Context) -> None:
    sid = submit(wctx)
    for email in (TD, "sde@alsde.edu"):
        d = decide(wctx, actor(wctx, email), "submission", sid, True)
        assert d.outcome is Outcome.REFUSED
        assert "Only ALET reviewers" in d.notice.title
        assert d.dm is None
    own = submit(wctx, key="S-boss", email="boss@c.k12.al.us")
    d = decide(wctx, actor(wctx, "boss@c.k12.al.us"), "submission", own, True)
    assert d.outcome is Outcome.REFUSED and "your own" in d.notice.title
    with wctx.session() as s:
        assert set(s.exec(select(Submission.status)).all()) == {"pending"}
    assert audits(wctx, "submission.approve") == 0
    assert decide(wctx, actor(wctx, "rev@alet.org"), "submission", 4242, True).outcome is Outcome.NOT_FOUND


def test_second_decision_changes_nothing_and_names_the_first_decider(wctx: Context) -> None:
    sid = submit(wctx)
    assert decide(wctx, actor(wctx, "rev@alet.org"), "submission", sid, True).outcome is Outcome.OK
    for approve in (True, False):
        d = decide(wctx, actor(wctx, "kim@alet.org"), "submission", sid, approve, "looks wrong")
        assert d.outcome is Outcome.ALREADY
        assert "Approved by Robin Reviewer on 2025-03-03" in d.notice.to_text()
        assert "Nothing was changed" in d.notice.to_text()
        assert d.dm is None
        assert d.review is not None and d.review.buttons == []
    assert status(wctx)["credited_hours"] == 2.5
    assert audits(wctx, "submission.approve") == 1 and audits(wctx, "submission.reject") == 0


def test_approved_request_enters_that_fys_catalog(wctx: Context) -> None:
    rid = request(wctx)
    pending = review_reply(wctx, "request", rid)
    assert "Alabama Cyber Summit 2025" in pending.to_text() and "2025-05-06 to 2025-05-07" in pending.to_text()
    assert [b.value for b in pending.buttons] == [f"request:{rid}"] * 2
    rev = actor(wctx, "rev@alet.org")
    assert decide(wctx, rev, "request", rid, False).outcome is Outcome.INVALID
    d = decide(wctx, rev, "request", rid, True)
    assert d.outcome is Outcome.OK
    code = f"REQ-{rid}"
    with wctx.session() as s:
        entry = entry_by_code(s, 2025, code)
        assert entry is not None
        assert (entry.kind, entry.cap, entry.up_to, entry.strands, entry.evidence) == ("external", 18, True, 24, "file")
        assert entry.day is not None and entry.day.isoformat() == "2025-05-06"
        req = s.get(EventRequest, rid)
        assert req is not None and req.catalog_id == entry.id and req.status == "approved"
    assert d.dm is not None and code in d.dm.to_text()
    assert d.review is not None and f"in the FY2025 catalog as {code}" in d.review.to_text()
    again = decide(wctx, actor(wctx, "kim@alet.org"), "request", rid, True)
    assert again.outcome is Outcome.ALREADY
    with wctx.session() as s:
        n = s.exec(select(func.count()).select_from(EventRequest).where(col(EventRequest.catalog_id).is_not(None)))
        assert int(n.one()) == 1
    wctx.today = wctx.today.replace(month=5, day=8)
    sid = submit(wctx, key="S-req", event=f"2025:{code}", date="2025-05-07", hours="4.5")
    assert review_reply(wctx, "submission", sid).buttons


def test_review_queries(wctx: Context) -> None:
    old = submit(wctx, key="old")
    wctx.now = NOW + timedelta(minutes=1)
    rid = request(wctx, key="old-r")
    later = create_submission(
        wctx,
        actor(wctx, TD),
        {**GOOD, "date": "2025-01-11", "hours": "1"},
        None,
        client_key="no-file",
        platform="teams",
        evidence_to_follow=True,
    )
    assert later.ok
    wctx.now = NOW + timedelta(days=1)
    decided = submit(wctx, key="decided", date="2025-01-12", hours="1")
    fresh = submit(wctx, key="fresh", date="2025-01-13", hours="1")
    assert decide(wctx, actor(wctx, "rev@alet.org"), "submission", decided, True).ok
    with wctx.session() as s:
        items = pending_older_than(s, NOW + timedelta(hours=12))
        assert [(i.item_type, i.item_id) for i in items] == [("submission", old), ("request", rid)]
        assert items[0].person_email == TD and items[0].quarters == 10 and items[0].created_at == NOW
        everything = pending_older_than(s, NOW + timedelta(days=2))
        assert {(i.item_type, i.item_id) for i in everything} == {
            ("submission", old),
            ("request", rid),
            ("submission", fresh),
        }
        a = record_post(s, "submission", old, "slack", "C1", None)
        b = record_post(s, "submission", old, "slack", "C1", None)
        c = record_post(s, "submission", old, "slack", "C1", "123.456")
        record_post(s, "submission", old, "teams", "19:abc@thread.tacv2", "act-1")
        s.commit()
        assert a.id == b.id == c.id
        posts = posts_for(s, "submission", old)
        assert [(p.platform, p.message_id) for p in posts] == [("slack", "123.456"), ("teams", "act-1")]
        assert int(s.exec(select(func.count()).select_from(ReviewPost)).one()) == 2


def _race(ctx: Context, item_type: str, item_id: int, calls: list[tuple[str, bool, str]]) -> list[Decision]:
    barrier = threading.Barrier(len(calls))
    results: list[Decision | BaseException] = [RuntimeError("not run")] * len(calls)

    def run(i: int, email: str, approve: bool, reason: str) -> None:
        reviewer = actor(ctx, email)
        barrier.wait()
        try:
            results[i] = decide(ctx, reviewer, item_type, item_id, approve, reason)
        except BaseException as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return [r for r in results if isinstance(r, Decision)]


def test_concurrent_clicks_decide_exactly_once(wctx: Context) -> None:
    for n in range(4):
        sid = submit(wctx, key=f"race-{n}", date=f"2025-01-{10 + n:02d}", hours="1")
        calls = [("rev@alet.org", True, ""), ("kim@alet.org", n % 2 == 0, "not this one")]
        results = _race(wctx, "submission", sid, calls)
        outcomes = sorted(r.outcome.value for r in results)
        assert outcomes == ["already", "ok"], outcomes
        winner = next(r for r in results if r.outcome is Outcome.OK)
        with wctx.session() as s:
            sub = s.get(Submission, sid)
            assert sub is not None
            credit = s.get(CreditRecord, sub.credit_id)
            assert credit is not None and credit.status == sub.status
            assert winner.dm is not None and sub.status in winner.dm.expect(Decided).status
    rid = request(wctx, key="race-r")
    results = _race(wctx, "request", rid, [("rev@alet.org", True, ""), ("kim@alet.org", True, "")])
    assert sorted(r.outcome.value for r in results) == ["already", "ok"]
    with wctx.session() as s:
        assert s.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == "request.approve")).one() == 1
        entries = s.exec(select(func.count()).select_from(EventRequest).where(EventRequest.id == rid)).one()
        assert entries == 1
        assert entry_by_code(s, 2025, f"REQ-{rid}") is not None
        assert entry_by_code(s, 2025, f"REQ-{rid}-2") is None
    assert audits(wctx, "submission.approve") + audits(wctx, "submission.reject") == 4
