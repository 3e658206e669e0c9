"""bot/scheduler.py: one daily sweep job (09:00 America/Chicago on weekdays by default, or as configured), an
in-memory job store, explicit misfire grace and coalescing; started and stopped with the real aiohttp app; and the
job, when it fires inside the running server, sends the reminders to the server's Slack (through the sweep's own,
paced client); the startup catch-up is tested in test_scheduler_catch_up.py."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestServer
from apscheduler.jobstores.memory import MemoryJobStore

import bot.scheduler as scheduler_module
from bot.app import build_app, build_services
from bot.scheduler import JOB_ID, MISFIRE_GRACE_SECONDS, SCHEDULER_KEY, build_scheduler, review_channels
from bot.settings import Settings
from handlers.reminders.pacing import Pace
from tests.fakes.slack_harness import running_bot
from tests.reminders.test_reminders_decide import SEP_2, seed
from tests.reminders.test_reminders_retries import Clock

CHICAGO = ZoneInfo("America/Chicago")


def settings(tmp_path: Path, **values: Any) -> Settings:
    base: dict[str, Any] = {
        "CEU_DATA_DIR": str(tmp_path / "data"),
        "CEU_DATABASE_URL": "",
        "SLACK_BOT_TOKEN": "",
        "MICROSOFT_APP_ID": "",
        "MICROSOFT_APP_PASSWORD": "",
        "MICROSOFT_APP_TENANT_ID": "",
    }
    return Settings(_env_file=None, **(base | values))  # type: ignore[call-arg]


async def _noop() -> None:
    return None


def _next(sched_settings: Settings, after: datetime) -> datetime:
    job = build_scheduler(sched_settings, _noop).get_job(JOB_ID)
    fire: datetime = job.trigger.get_next_fire_time(None, after)
    return fire


def test_one_job_weekdays_at_nine_in_chicago_with_explicit_options(tmp_path: Path) -> None:
    s = settings(tmp_path)
    scheduler = build_scheduler(s, _noop)
    jobs = scheduler.get_jobs()
    assert [j.id for j in jobs] == [JOB_ID]
    job = jobs[0]
    assert job.coalesce is True
    assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS
    assert job.max_instances == 1
    assert isinstance(scheduler._jobstores["default"], MemoryJobStore)
    assert set(scheduler._jobstores) == {"default"}
    # from Friday 09:00 on, the next run is Monday 09:00 Chicago time (CDT here, 14:00 UTC)
    fire = _next(s, datetime(2025, 9, 5, 9, 0, 1, tzinfo=CHICAGO))
    assert fire == datetime(2025, 9, 8, 9, 0, tzinfo=CHICAGO)
    assert fire.utcoffset() is not None and fire.utcoffset().total_seconds() == -5 * 3600  # type: ignore[union-attr]
    # in winter (CST) it is still 09:00 local
    assert _next(s, datetime(2025, 12, 1, 8, 0, tzinfo=CHICAGO)) == datetime(2025, 12, 1, 9, 0, tzinfo=CHICAGO)
    assert _next(s, datetime(2025, 12, 1, 9, 0, 1, tzinfo=CHICAGO)) == datetime(2025, 12, 2, 9, 0, tzinfo=CHICAGO)


def test_hour_and_days_are_configurable(tmp_path: Path) -> None:
    s = settings(tmp_path, CEU_REMINDER_HOUR=7, CEU_REMINDER_DAYS="mon,wed")
    assert _next(s, datetime(2025, 9, 8, 7, 30, tzinfo=CHICAGO)) == datetime(2025, 9, 10, 7, 0, tzinfo=CHICAGO)


def test_review_channels_from_settings(tmp_path: Path) -> None:
    assert review_channels(settings(tmp_path)) == []
    both = settings(tmp_path, SLACK_REVIEW_CHANNEL="C1", TEAMS_REVIEW_CHANNEL="19:x@thread.tacv2")
    assert review_channels(both) == [("slack", "C1"), ("teams", "19:x@thread.tacv2")]


async def test_the_scheduler_starts_and_stops_with_the_app(tmp_path: Path) -> None:
    services = build_services(settings(tmp_path))
    app = build_app(services)
    scheduler = app[SCHEDULER_KEY]
    assert not scheduler.running
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        assert scheduler.running
        assert [j.id for j in scheduler.get_jobs()] == [JOB_ID]
        assert scheduler.get_job(JOB_ID).next_run_time is not None
    finally:
        await server.close()
        services.engine.dispose()
    assert not scheduler.running


def test_ceu_scheduler_false_runs_no_scheduler(tmp_path: Path) -> None:
    services = build_services(settings(tmp_path, CEU_SCHEDULER="false"))
    try:
        assert SCHEDULER_KEY not in build_app(services)
    finally:
        services.engine.dispose()


async def test_the_daily_job_sends_through_the_servers_slack_settings(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(scheduler_module, "wall_clock", lambda: datetime(2025, 9, 2, 8, 0, tzinfo=CHICAGO))
    monkeypatch.setattr(scheduler_module, "Pace", lambda limits: Pace(limits, sleep=clock.sleep, clock=clock.now))
    # a budget of 60 Slack sends a minute: one a second over the workspace, even to different channels
    async with running_bot(tmp_path, db_url, today=SEP_2, CEU_SCHEDULER=True, CEU_SLACK_MESSAGES_PER_MINUTE=60) as bot:
        ctx = bot.ctx()
        seed(ctx)
        bot.fake.add_user("UDONE", "done@c.k12.al.us")
        scheduler = bot.server.app[SCHEDULER_KEY]
        assert scheduler.running
        scheduler.get_job(JOB_ID).modify(next_run_time=datetime.now(CHICAGO))  # fire now, as at 09:00
        sent = await bot.fake.wait_for("chat.postMessage", 2, timeout=20)
        channels = {str(p["channel"]) for p in sent}
        assert channels == {"DUTD", "DUDONE"}  # Alex's 30-day reminder and Casey's congratulation
        assert scheduler.get_job(JOB_ID).next_run_time > datetime.now(CHICAGO)  # rescheduled, not repeated
        assert clock.sleeps and set(clock.sleeps) == {1.0}  # each send after the first waited its turn (test clock)
