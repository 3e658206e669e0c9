"""`serve` started on a sweep day after the sweep time (the process was down at 09:00) runs the sweep once at
startup; before the sweep time, or on a day without a sweep, it only schedules the next one. The clock is injected."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.scheduler import CATCH_UP_JOB_ID, JOB_ID, SCHEDULER_KEY, catch_up_now, install, missed_today, trigger_of
from tests.reminders.test_scheduler_wiring import settings

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY = datetime(2025, 9, 2, tzinfo=CHICAGO)


def at(hour: int, minute: int = 0, day: datetime = TUESDAY) -> datetime:
    return day.replace(hour=hour, minute=minute)


def test_missed_today_on_a_sweep_day_after_the_sweep_time(tmp_path: Path) -> None:
    s = settings(tmp_path)
    assert not missed_today(s, at(8, 59))
    assert missed_today(s, at(9, 0))
    assert missed_today(s, at(23, 59))
    assert missed_today(s, at(15).astimezone(ZoneInfo("UTC")))  # read in CEU_TIMEZONE whatever the clock's zone
    assert not missed_today(s, at(10, day=datetime(2025, 9, 6, tzinfo=CHICAGO)))  # a Saturday
    custom = settings(tmp_path, CEU_REMINDER_HOUR=7, CEU_REMINDER_DAYS="mon,wed")
    assert not missed_today(custom, at(8))  # Tuesday is not a sweep day there
    assert missed_today(custom, at(7, day=datetime(2025, 9, 3, tzinfo=CHICAGO)))


async def started(tmp_path: Path, now: datetime) -> list[str]:
    """Start an app with the scheduler installed at `now`; the names of the sweeps that ran."""
    runs: list[str] = []

    async def job() -> None:
        runs.append("sweep")

    app = web.Application()
    install(app, settings(tmp_path), job, clock=lambda: now)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        scheduler = app[SCHEDULER_KEY]
        if scheduler.get_job(CATCH_UP_JOB_ID) is not None:  # added on startup, runs on the loop right after
            for _ in range(200):
                if runs:
                    break
                await asyncio.sleep(0.01)
        await asyncio.sleep(0)
        assert scheduler.get_job(JOB_ID) is not None  # the daily job stays
        assert scheduler.get_job(CATCH_UP_JOB_ID) is None  # a one-off: gone once it ran (or never added)
    finally:
        await server.close()
    return runs


async def test_started_after_the_sweep_time_runs_the_sweep_once(tmp_path: Path) -> None:
    assert await started(tmp_path, at(10, 30)) == ["sweep"]


async def test_started_before_the_sweep_time_or_on_a_weekend_runs_nothing(tmp_path: Path) -> None:
    assert await started(tmp_path, at(8, 30)) == []
    assert await started(tmp_path, at(10, day=datetime(2025, 9, 7, tzinfo=CHICAGO))) == []  # Sunday


def test_catch_up_only_within_working_hours(tmp_path: Path) -> None:
    s = settings(tmp_path)
    assert catch_up_now(s, at(9, 0)) and catch_up_now(s, at(16, 59))
    assert not catch_up_now(s, at(17, 0)) and not catch_up_now(s, at(20, 0)) and not catch_up_now(s, at(23, 59))
    assert not catch_up_now(s, at(8, 59))
    assert not catch_up_now(s, at(3).astimezone(ZoneInfo("UTC")))  # 03:00 Chicago is 08:00 UTC: still night there


async def test_started_in_the_evening_waits_for_the_next_weekday_morning(tmp_path: Path) -> None:
    """A `serve` started at 20:00 sends nothing that evening; its first sweep is the next weekday at 09:00 (Friday
    evening: Monday)."""
    assert await started(tmp_path, at(20, 0)) == []
    friday = datetime(2025, 9, 5, tzinfo=CHICAGO)
    assert await started(tmp_path, at(20, 0, day=friday)) == []
    s = settings(tmp_path)
    monday_nine = datetime(2025, 9, 8, 9, 0, tzinfo=CHICAGO)
    assert trigger_of(s).get_next_fire_time(None, at(20, 0, day=friday)) == monday_nine
    wednesday_nine = datetime(2025, 9, 3, 9, 0, tzinfo=CHICAGO)
    assert trigger_of(s).get_next_fire_time(None, at(20, 0)) == wednesday_nine


async def test_started_late_in_the_afternoon_still_catches_up(tmp_path: Path) -> None:
    assert await started(tmp_path, at(16, 30)) == ["sweep"]
