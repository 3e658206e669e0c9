"""Voiding a record recorded by mistake (`ceu-bot void RECORD_ID --reason`, handlers.void.void_record): it stops
counting in status, the report, the reminders and the bulk queries; history shows it voided with the reason; the
audit log keeps it; the same row may then be imported again. Refusals change nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import col, func, select

from handlers.context import Actor, Context
from handlers.history import handle_history
from handlers.reminders.plan import decide
from handlers.reply import Outcome, message
from handlers.report import report_rows
from handlers.status import build_status
from handlers.void import CLI_ACTOR, void_record
from handlers.void_chat import BUTTONS_SHOWN, add_void_buttons
from storage.people import by_email
from storage.tables import AuditLog, CreditRecord
from tests.cli.test_cli_run import Cli
from tests.conftest import load, seed_basic

TD = "td@a.k12.al.us"
DONE = """email,activity_code,date,hours
td@a.k12.al.us,FALL24,2024-11-05,6
td@a.k12.al.us,CAMP25,2025-02-20,6
"""
REVIEWER = Actor(
    person_id=3, email="rev@alet.org", name="Robin Reviewer", roles=frozenset({"reviewer"}), platform="slack"
)


def _record(ctx: Context, code_day: date) -> int:
    with ctx.session() as session:
        rid = session.exec(select(CreditRecord.id).where(CreditRecord.day == code_day)).one()
    assert rid is not None
    return rid


def _credited(ctx: Context) -> tuple[int, bool]:
    with ctx.session() as session:
        person = by_email(session, TD)
        assert person is not None
        t = build_status(session, person, 2025, ctx.today).totals
    return t.credited, t.compliant


def test_a_voided_record_stops_counting_everywhere(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    load(any_ctx, "attendance", DONE)
    assert _credited(any_ctx) == (48, True)  # quarter-hours
    camp = _record(any_ctx, date(2025, 2, 20))
    reply = void_record(any_ctx, REVIEWER, camp, "  imported for the wrong   director ")
    assert reply.ok, reply.to_text()
    assert "no longer counts" in reply.to_text() and "Reason: imported for the wrong director" in reply.to_text()
    assert _credited(any_ctx) == (24, False)
    with any_ctx.session() as session:
        _policy, rows = report_rows(session, 2025, any_ctx.today)
        row = next(r for r in rows if r.email == TD)
        assert row.compliant is False
        audit = session.exec(select(AuditLog).where(AuditLog.action == "record.void")).one()
    assert audit.actor == "rev@alet.org" and audit.subject == f"record {camp}"
    assert '"code": "CAMP25"' in audit.detail and "wrong director" in audit.detail
    with any_ctx.session() as session:
        person = by_email(session, TD)
        assert person is not None and person.id is not None
    actor = Actor(person.id, TD, "Alex Director", frozenset({"director"}), "slack")
    history = handle_history(any_ctx, actor, ["2025"]).to_text()
    assert f"voided, no credit (imported for the wrong director) (record {camp})" in history
    now = datetime(2025, 9, 2, 14, tzinfo=UTC)
    with any_ctx.session() as session:  # not compliant any more: the FY reminder is due again
        due = {(d.kind, d.email) for d in decide(session, date(2025, 9, 2), now).direct}
    assert ("fy_deadline", TD) in due


def test_void_is_once_and_refusals_change_nothing(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    load(any_ctx, "attendance", DONE)
    camp = _record(any_ctx, date(2025, 2, 20))
    assert void_record(any_ctx, CLI_ACTOR, camp, "wrong day").ok
    again = void_record(any_ctx, REVIEWER, camp, "twice")
    assert again.outcome is Outcome.ALREADY and "wrong day" in again.to_text()
    director = replace(REVIEWER, roles=frozenset({"director"}))
    fall = _record(any_ctx, date(2024, 11, 5))
    assert void_record(any_ctx, director, fall, "mine").outcome is Outcome.REFUSED
    assert void_record(any_ctx, REVIEWER, fall, "   ").outcome is Outcome.INVALID
    nul = void_record(any_ctx, REVIEWER, fall, "wrong\x00day")  # a control character: refused, nothing written
    assert nul.outcome is Outcome.INVALID and "NUL" in nul.to_text()
    assert void_record(any_ctx, REVIEWER, 99999, "x").outcome is Outcome.NOT_FOUND
    with any_ctx.session() as session:
        row = session.get(CreditRecord, fall)
        assert row is not None
        row.status = "pending"  # as a chat submission waiting for review
        session.add(row)
        session.commit()
    pending = void_record(any_ctx, REVIEWER, fall, "x")
    assert pending.outcome is Outcome.INVALID and "Reject it" in pending.to_text()
    with any_ctx.session() as session:
        statuses = sorted(session.exec(select(CreditRecord.status)).all())
        voids = session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == "record.void")).one()
    assert statuses == ["pending", "voided"] and voids == 1


def test_the_row_may_be_imported_again_after_a_void(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    load(any_ctx, "attendance", DONE)
    camp = _record(any_ctx, date(2025, 2, 20))
    void_record(any_ctx, CLI_ACTOR, camp, "hours were wrong")
    load(any_ctx, "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,CAMP25,2025-02-20,5\n")
    assert _credited(any_ctx) == (44, False)
    with any_ctx.session() as session:
        rows = session.exec(select(CreditRecord.status).where(col(CreditRecord.day) == date(2025, 2, 20))).all()
    assert sorted(rows) == ["approved", "voided"]


def test_cli_void(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "data")
    cli.data_dir.mkdir()
    cli.seed()
    cli.load("attendance", DONE)
    with cli.engine().connect() as conn:
        rid = conn.execute(select(CreditRecord.id).where(CreditRecord.day == date(2025, 2, 20))).scalar_one()
    run = cli.ok("void", str(rid), "--reason", "duplicate upload")
    assert f"Record {rid} voided" in run.out
    assert "already voided" in cli.ok("void", str(rid), "--reason", "again").out
    missing = cli("void", "424242", "--reason", "x")
    assert missing.code == 1 and "No record 424242" in missing.err
    no_reason = cli("void", str(rid))
    assert no_reason.code == 2 and "--reason" in no_reason.err
    status = cli.ok("status", TD, "--fy", "2025", "--today", "2025-03-03", "--json")
    assert '"alet_hours": 6.0' in status.out


def test_voiding_the_credited_take_of_a_course_credits_the_later_one(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    twice = (
        "email,activity_code,date,hours\n"
        "td@a.k12.al.us,TALENT-DATA,2024-12-01,1.5\n"
        "td@a.k12.al.us,TALENT-DATA,2025-01-10,1.5\n"
    )
    load(any_ctx, "attendance", twice)
    with any_ctx.session() as session:
        rows = session.exec(select(CreditRecord).order_by(col(CreditRecord.day))).all()
    assert [r.counted for r in rows] == [True, False]  # the later take is a repeat
    assert void_record(any_ctx, CLI_ACTOR, rows[0].id or 0, "attended by a colleague").ok
    with any_ctx.session() as session:
        later = session.get(CreditRecord, rows[1].id)
        audit = session.exec(select(AuditLog).where(AuditLog.action == "record.void")).one()
    assert later is not None and later.counted and later.note == ""
    assert f'"credit_moved": [[{rows[1].id}, true]]' in audit.detail
    assert _credited(any_ctx) == (6, False)


def test_already_voided_says_the_local_date_of_the_void(any_ctx: Context) -> None:
    """03:30 UTC on March 1 is still February 28 in Chicago (CEU_TIMEZONE): the refusal says the local date; a Context
    in another zone says its own."""
    seed_basic(any_ctx)
    load(any_ctx, "attendance", DONE)
    camp = _record(any_ctx, date(2025, 2, 20))
    late_evening = replace(any_ctx, now=datetime(2025, 3, 1, 3, 30, tzinfo=UTC))
    assert void_record(late_evening, CLI_ACTOR, camp, "wrong day").ok
    again = void_record(any_ctx, REVIEWER, camp, "twice")
    assert "Voided 2025-02-28: wrong day" in again.to_text(), again.to_text()
    tokyo = void_record(replace(any_ctx, zone="Asia/Tokyo"), REVIEWER, camp, "twice")
    assert "Voided 2025-03-01: wrong day" in tokyo.to_text(), tokyo.to_text()


def test_more_approved_records_than_buttons_name_the_command_in_quotes(any_ctx: Context) -> None:
    """Past the tenth Void button the list says how to void the rest, in “…” quotes as the other chat texts do (no
    backticks, which Teams shows literally)."""
    seed_basic(any_ctx)
    load(any_ctx, "attendance", DONE)
    camp = _record(any_ctx, date(2025, 2, 20))
    with any_ctx.session() as session:
        row = session.get(CreditRecord, camp)
        assert row is not None
        for n in range(BUTTONS_SHOWN):
            fields = row.model_dump(exclude={"id"})
            session.add(CreditRecord(**{**fields, "day": date(2025, 3, 1 + n)}))
        session.commit()
        reply = message("Records")
        add_void_buttons(session, reply, row.person_id, 2025)
    assert len(reply.buttons) == BUTTONS_SHOWN
    assert reply.sections[-1].more == "… and 2 more records (void them with “ceu-bot void RECORD_ID”)"
    assert "`" not in reply.to_text()
