"""The roster's life cycle: `active` in the roster CSV and `ceu-bot roster deactivate|activate`; an inactive person
gets no reminders, is refused by the bot with whom to contact, and is left out of the report of every FY they were
off the roster for the whole of, while staying in the report of a FY they were on it in. Records stay."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from handlers.chat import handle_text
from handlers.context import Context
from handlers.imports import ImportRefused, import_bytes
from handlers.reminders.plan import decide
from handlers.reply import Outcome
from handlers.report import report_rows
from handlers.roster import set_roster_active
from storage.tables import AuditLog, CreditRecord, Person, RosterAbsence
from tests.conftest import ROSTER, load, seed_basic
from tests.reminders.test_reminders_cli import RemindCli

TD = "td@a.k12.al.us"
OLD = "old@b.k12.al.us"


def _on(ctx: Context, day: date) -> Context:
    return replace(ctx, today=day)


def _emails(ctx: Context, fy: int, today: date) -> list[str]:
    with ctx.session() as session:
        _policy, rows = report_rows(session, fy, today)
    return [r.email for r in rows]


def _person(ctx: Context, email: str) -> Person:
    with ctx.session() as session:
        person = session.exec(select(Person).where(Person.email == email)).one()
    return person


def test_deactivate_and_activate_record_spans_and_audit(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    reply = set_roster_active(_on(any_ctx, date(2025, 3, 3)), "cli", TD, False)
    assert reply.ok and "off the roster" in reply.title
    assert not _person(any_ctx, TD).active
    again = set_roster_active(_on(any_ctx, date(2025, 3, 4)), "cli", TD, False)
    assert again.outcome is Outcome.ALREADY
    assert set_roster_active(_on(any_ctx, date(2026, 11, 1)), "cli", TD, True).ok
    assert _person(any_ctx, TD).active
    with any_ctx.session() as session:
        spans = session.exec(select(RosterAbsence)).all()
        actions = session.exec(select(AuditLog.action, AuditLog.subject).order_by(col(AuditLog.id))).all()
    assert [(s.first_day, s.last_day) for s in spans] == [(date(2025, 3, 3), date(2026, 10, 31))]
    assert [a for a in actions if a[0].startswith("roster.")] == [("roster.deactivate", TD), ("roster.activate", TD)]
    missing = set_roster_active(any_ctx, "cli", "nobody@x.k12.al.us", False)
    assert missing.outcome is Outcome.NOT_FOUND


def test_report_lists_the_people_on_the_roster_during_the_fy(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    load(any_ctx, "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\n")
    set_roster_active(_on(any_ctx, date(2025, 3, 3)), "cli", TD, False)  # off during FY2025
    set_roster_active(_on(any_ctx, date(2025, 10, 1)), "cli", OLD, False)  # off from FY2026's first day
    set_roster_active(_on(any_ctx, date(2026, 11, 1)), "cli", TD, True)  # back in FY2027
    today = date(2027, 3, 1)
    assert TD in _emails(any_ctx, 2025, today) and OLD in _emails(any_ctx, 2025, today)
    assert TD not in _emails(any_ctx, 2026, today) and OLD not in _emails(any_ctx, 2026, today)
    assert TD in _emails(any_ctx, 2027, today) and OLD not in _emails(any_ctx, 2027, today)
    with any_ctx.session() as session:  # the records stay
        assert session.exec(select(func.count()).select_from(CreditRecord)).one() == 1


def test_same_day_off_and_on_leaves_no_span(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    set_roster_active(any_ctx, "cli", TD, False)
    set_roster_active(any_ctx, "cli", TD, True)
    with any_ctx.session() as session:
        assert session.exec(select(func.count()).select_from(RosterAbsence)).one() == 0


def test_inactive_people_get_no_reminders(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    today = date(2025, 9, 2)
    now = datetime(2025, 9, 2, 14, tzinfo=UTC)
    with any_ctx.session() as session:
        before = {d.email for d in decide(session, today, now).direct}
    assert {TD, OLD} <= before
    set_roster_active(_on(any_ctx, date(2025, 8, 1)), "cli", TD, False)
    with any_ctx.session() as session:
        after = {d.email for d in decide(session, today, now).direct}
    assert after == before - {TD}


def test_inactive_person_is_told_whom_to_contact_and_nothing_is_recorded(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    set_roster_active(any_ctx, "cli", TD, False)
    with any_ctx.session() as session:
        audit_rows = session.exec(select(func.count()).select_from(AuditLog)).one()
    reply = handle_text(any_ctx, TD, "slack", "status")
    assert reply.outcome is Outcome.UNKNOWN_USER
    assert "no longer on the TD-CEU roster" in reply.title
    assert "contact" in reply.to_text() and "records are kept" in reply.to_text()
    stranger = handle_text(any_ctx, "who@x.k12.al.us", "slack", "status")
    assert "not on the TD-CEU roster yet" in stranger.title
    with any_ctx.session() as session:
        assert session.exec(select(func.count()).select_from(AuditLog)).one() == audit_rows


def test_roster_csv_active_column(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    off = ROSTER.replace("roles\n", "roles,active\n", 1).replace(",director\n", ",director,false\n", 1)
    off += "new@n.k12.al.us,Nell New,Nu County,,,director,no\n"
    result = import_bytes(any_ctx, "roster", off.encode(), "roster.csv")
    assert result.added == 1 and result.updated == 1
    assert not _person(any_ctx, TD).active and not _person(any_ctx, "new@n.k12.al.us").active
    assert _person(any_ctx, OLD).active
    load(any_ctx, "roster", ROSTER)  # no `active` column: everyone listed is on the roster
    assert _person(any_ctx, TD).active
    with any_ctx.session() as session:
        actions = session.exec(select(AuditLog.action).where(col(AuditLog.action).like("roster.%"))).all()
    assert sorted(actions) == ["roster.activate", "roster.deactivate", "roster.deactivate"]
    bad = ROSTER.replace("roles\n", "roles,active\n", 1).replace(",director\n", ",director,maybe\n", 1)
    with pytest.raises(ImportRefused) as refused:
        import_bytes(any_ctx, "roster", bad.encode(), "roster.csv")
    assert refused.value.problems == ["line 2: active 'maybe' is not true or false"]


def test_cli_deactivate_then_remind_dry_run_leaves_them_out(tmp_path: Path) -> None:
    cli = RemindCli(tmp_path, today="2025-09-02")
    cli.seed()
    listed = cli.ok("remind", "--dry-run", "--today", "2025-09-02", "--json")
    assert TD in {json.loads(line)["email"] for line in listed.out.splitlines()}
    run = cli.ok("roster", "deactivate", TD.upper())
    assert "is now off the roster" in run.out
    after = cli.ok("remind", "--dry-run", "--today", "2025-09-02", "--json")
    assert TD not in {json.loads(line)["email"] for line in after.out.splitlines()}
    assert "already off the roster" in cli.ok("roster", "deactivate", TD).out
    assert "is now on the roster" in cli.ok("roster", "activate", TD).out
    unknown = cli("roster", "activate", "nobody@x.k12.al.us")
    assert unknown.code == 1 and "nobody@x.k12.al.us is not on the roster" in unknown.err
    with Session(eng := cli.engine()) as s:
        assert s.exec(select(Person.active).where(Person.email == TD)).one() is True
    eng.dispose()
