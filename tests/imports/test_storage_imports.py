"""Imports against real databases (SQLite and PostgreSQL): all-or-nothing, idempotent, rules applied."""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from handlers.context import Context
from handlers.csv_rows import ImportRefused
from handlers.status import build_status, status_json
from storage.people import by_email
from storage.tables import AuditLog, CreditRecord
from tests.conftest import load, seed_basic


def _count(ctx: Context) -> int:
    with ctx.session() as s:
        return int(s.exec(select(func.count()).select_from(CreditRecord)).one())


def _status(ctx: Context, email: str) -> dict[str, object]:
    with ctx.session() as s:
        person = by_email(s, email)
        assert person is not None
        return status_json(build_status(s, person, 2025, ctx.today))


def test_attendance_import_credits_and_is_idempotent(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    rows = (
        "email,activity_code,date,hours,strands\n"
        "td@a.k12.al.us,FALL24,2024-11-05,4,\n"
        "TD@a.k12.al.us,CAMP25,2025-02-20,3.5,5;4\n"
        "td@a.k12.al.us,EXT-ISTE,2024-12-01,5,2\n"
        "td@a.k12.al.us,EXT-CBT-SECURITY-PLUS,2025-01-10,4,5\n"
    )
    load(any_ctx, "attendance", rows)
    load(any_ctx, "attendance", rows)  # the same file again adds nothing
    assert _count(any_ctx) == 4
    st = _status(any_ctx, "td@a.k12.al.us")
    assert st["alet_hours"] == 7.5
    assert st["external_hours"] == 9.0
    assert st["external_credited_hours"] == 6.0
    assert st["credited_hours"] == 13.5
    assert st["compliant"] is True
    assert st["strand_gaps"] == [3, 6]


def test_one_bad_row_refuses_the_file_and_lists_every_bad_line(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    rows = (
        "email,activity_code,date,hours,strands\n"
        "td@a.k12.al.us,FALL24,2024-11-05,4,\n"  # good
        "nobody@x.org,FALL24,2024-11-05,4,\n"  # unknown e-mail
        "td@a.k12.al.us,NOPE,2024-11-05,4,\n"  # unknown activity
        "td@a.k12.al.us,CAMP25,2025-02-20,7,\n"  # over the cap
        "td@a.k12.al.us,REGION25,2025-04-10,1,\n"  # in the future (today is 2025-03-03)
        "td@a.k12.al.us,CAMP25,2025-02-20,0.3,\n"  # not a quarter hour
        "td@a.k12.al.us,CAMP25,2025-02-20,1,9\n"  # unknown strand
    )
    with pytest.raises(ImportRefused) as err:
        load(any_ctx, "attendance", rows)
    lines = [p.split(":")[0] for p in err.value.problems]
    assert lines == ["line 3", "line 4", "line 5", "line 6", "line 7", "line 8"]
    assert _count(any_ctx) == 0
    with any_ctx.session() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "import.attendance")).first() is None


def test_online_course_repeat_in_a_later_fy_earns_nothing(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    load(any_ctx, "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,TALENT-DATA,2025-01-15,1.5\n")
    any_ctx.today = any_ctx.today.replace(year=2026)
    load(
        any_ctx,
        "catalog",
        "code,title,kind,date,hours,strands,up_to\nTALENT-DATA,TD-Talent Data Governance,talent_online,,1.5,6,false\n",
        fy=2026,
    )
    load(any_ctx, "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,TALENT-DATA,2025-11-15,1.5\n")
    with any_ctx.session() as s:
        rows = s.exec(select(CreditRecord).order_by(col(CreditRecord.fy))).all()
    assert [(r.fy, r.counted) for r in rows] == [(2025, True), (2026, False)]


def test_online_course_retaken_in_the_same_fy_is_recorded_without_credit(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    load(
        any_ctx,
        "attendance",
        "email,activity_code,date,hours\n"
        "td@a.k12.al.us,TALENT-DATA,2025-01-15,1.5\n"
        "td@a.k12.al.us,TALENT-DATA,2025-02-15,1.5\n",
    )
    with any_ctx.session() as s:
        rows = s.exec(select(CreditRecord).order_by(col(CreditRecord.day))).all()
    assert [(r.day.month, r.counted, r.note) for r in rows] == [
        (1, True, ""),
        (2, False, "repeat of a course already credited"),
    ]
    assert _status(any_ctx, "td@a.k12.al.us")["alet_hours"] == 1.5


def test_two_imports_of_one_file_at_once_write_it_once(any_ctx: Context) -> None:
    import threading

    seed_basic(any_ctx)
    rows = (
        "email,activity_code,date,hours\n"
        + "".join(f"td@a.k12.al.us,FALL24,2024-11-05,{h}\n" for h in ["4"])
        + "old@b.k12.al.us,CAMP25,2025-02-20,3\n"
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            load(any_ctx, "attendance", rows)
            outcomes.append("ok")
        except ImportRefused as exc:
            outcomes.append("refused: " + exc.problems[0])

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and "ok" in outcomes  # the other one succeeded too (skipping) or was refused cleanly
    assert _count(any_ctx) == 2
