"""The reminder scheduler: APScheduler wiring only, plus the notifiers the sweep delivers through.

`ceu-bot serve` runs one AsyncIOScheduler with one job, the daily reminder sweep (handlers.reminders.delivery.sweep) at
CEU_REMINDER_HOUR:00 in CEU_TIMEZONE on CEU_REMINDER_DAYS (default 09:00 America/Chicago, mon-fri). The job store is
in memory: nothing is persisted by the scheduler, because the reminder log in the database already makes a sweep
exactly-once, and a sweep missed while the bot was down is caught up: when `serve` starts on a sweep day after the
sweep time but still within working hours (before WORKDAY_END, 17:00 in CEU_TIMEZONE), it runs the sweep once at once
(whatever was already sent that day is not sent again); started later (20:00), on a day without a sweep, or before the
sweep time, it waits for the next sweep (the next weekday morning), which sends the latest missed step of each series.
No reminder DM goes out in the evening or at night. Every option that matters is explicit (misfire grace,
coalescing, one instance), never a default.

The sweep sends through its own Slack client (more 429 retries, honouring Retry-After, than the interactive one) and
paces its sends (handlers/reminders/pacing.py): at most one a second into any one channel (a DM is its own channel),
within a workspace-wide budget per platform (CEU_SLACK_MESSAGES_PER_MINUTE, default 300; CEU_TEAMS_MESSAGES_PER_MINUTE,
default 1200); a 429 from Slack pauses every Slack send of the sweep for its Retry-After. Deciding is never paced.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aiohttp import web
from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.outage import database_outage, outage_summary
from bot.settings import Settings
from handlers.notify import Notifier
from handlers.reminders.delivery import SweepReport, sweep
from handlers.reminders.pacing import Limits, Pace, PacedNotifier

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.app import Services

log = logging.getLogger("ceu.scheduler")

JOB_ID = "reminder-sweep"
CATCH_UP_JOB_ID = "reminder-sweep-catch-up"
PER_CHANNEL_SECONDS = 1.0  # Slack: ~1 message per second per channel; Teams: a few a second per conversation
SWEEP_RATE_LIMIT_RETRIES = 10  # the sweep's Slack client: 429s retried (after Retry-After) this many times
MISFIRE_GRACE_SECONDS = 6 * 3600  # a sweep delayed (busy loop, slow start) still runs the same day
# every job's options, explicit (never APScheduler's defaults): one in-memory store, one run at a time
JOB_OPTIONS: dict[str, Any] = {
    "jobstore": "default",
    "executor": "default",
    "coalesce": True,
    "max_instances": 1,
    "misfire_grace_time": MISFIRE_GRACE_SECONDS,
    "replace_existing": True,
}
SCHEDULER_KEY = web.AppKey("reminder_scheduler", AsyncIOScheduler)

Job = Callable[[], Awaitable[object]]


def trigger_of(settings: Settings) -> CronTrigger:
    """The daily sweep's trigger: weekdays (or CEU_REMINDER_DAYS) at CEU_REMINDER_HOUR:00 local time."""
    if not 0 <= settings.reminder_hour <= 23:
        raise ValueError(f"CEU_REMINDER_HOUR must be 0..23, not {settings.reminder_hour}")
    return CronTrigger(
        day_of_week=settings.reminder_days,
        hour=settings.reminder_hour,
        minute=0,
        second=0,
        timezone=ZoneInfo(settings.timezone),
    )


def build_scheduler(settings: Settings, job: Job) -> AsyncIOScheduler:
    """A scheduler (not started) holding exactly one job, the daily sweep."""
    zone = ZoneInfo(settings.timezone)
    scheduler = AsyncIOScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": AsyncIOExecutor()},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        timezone=zone,
    )
    scheduler.add_job(job, trigger=trigger_of(settings), id=JOB_ID, name="daily reminder sweep", **JOB_OPTIONS)
    return scheduler


def next_sweep(scheduler: AsyncIOScheduler) -> datetime | None:
    job = scheduler.get_job(JOB_ID)
    if job is None:
        return None
    if scheduler.running:
        return job.next_run_time
    return job.trigger.get_next_fire_time(None, datetime.now(ZoneInfo("UTC")))


def wall_clock() -> datetime:
    return datetime.now(UTC)


def missed_today(settings: Settings, now: datetime) -> bool:
    """Today (in CEU_TIMEZONE) is a sweep day and its sweep time has passed by `now`."""
    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date(), time(0), tzinfo=zone)
    fire: datetime | None = trigger_of(settings).get_next_fire_time(None, midnight)
    return fire is not None and fire.date() == local.date() and fire <= local


WORKDAY_END = time(17, 0)  # a catch-up sweep starts no later than this, local time: no reminder DMs in the evening


def catch_up_now(settings: Settings, now: datetime) -> bool:
    """Whether a `serve` starting at `now` runs today's missed sweep at once: it is a sweep day, the sweep time has
    passed, and it is still working hours (before WORKDAY_END in CEU_TIMEZONE)."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    return missed_today(settings, now) and local.time() < WORKDAY_END


def install(
    app: web.Application, settings: Settings, job: Job, *, clock: Callable[[], datetime] = wall_clock
) -> AsyncIOScheduler:
    """Start the scheduler with the app (on_startup) and stop it with the app (on_cleanup). Started on a sweep day
    after the sweep time (the process was down at 09:00) and before WORKDAY_END, it also runs the sweep once now."""
    scheduler = build_scheduler(settings, job)
    app[SCHEDULER_KEY] = scheduler

    async def start(_app: web.Application) -> None:
        scheduler.start()
        log.info("reminder sweep scheduled; next run %s", next_sweep(scheduler))
        now = clock()
        if catch_up_now(settings, now):
            log.info("today's reminder sweep time has passed: running the sweep once now")
            # no trigger: once, now
            scheduler.add_job(job, id=CATCH_UP_JOB_ID, name="reminder sweep catch-up", **JOB_OPTIONS)
        elif missed_today(settings, now):
            log.info("today's sweep was missed but working hours are over: the next sweep sends what is due")

    async def stop(_app: web.Application) -> None:
        if scheduler.running:
            scheduler.shutdown(wait=False)  # AsyncIOScheduler queues this on the loop (call_soon_threadsafe) ...
            await asyncio.sleep(0)  # ... so let it run before the app (and its engine) go away

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return scheduler


def review_channels(settings: Settings) -> list[tuple[str, str]]:
    """The reviewers' channels the daily digest goes to, per platform."""
    pairs = (("slack", settings.slack_review_channel), ("teams", settings.teams_review_channel))
    return [(platform, channel) for platform, channel in pairs if channel]


def sweep_limits(settings: Settings) -> dict[str, Limits]:
    """The sweep's pace per platform: one send a second per channel within the workspace's budget a minute."""
    return {
        "slack": Limits(PER_CHANNEL_SECONDS, settings.slack_messages_per_minute),
        "teams": Limits(PER_CHANNEL_SECONDS, settings.teams_messages_per_minute),
    }


def make_notifiers(services: Services, pace: Pace | None = None) -> list[Notifier]:
    """Notifiers for a sweep outside the server (`ceu-bot remind`): Slack with SLACK_BOT_TOKEN, Teams with its
    three MICROSOFT_APP_* settings; a platform without them is left out. A 429 from Slack pauses `pace`."""
    from bot.slack.notifier import SlackNotifier
    from bot.teams.proactive import teams_notifier

    settings = services.settings
    out: list[Notifier] = []
    if settings.slack_bot_token:
        out.append(SlackNotifier(sweep_slack_client(settings, pace), services.engine, services.evidence))
    teams = teams_notifier(settings, services.context)
    if teams is not None:
        out.append(teams)
    return out


def sweep_slack_client(settings: Settings, pace: Pace | None = None) -> AsyncWebClient:
    """The sweep's own Slack client: the interactive one's settings with a larger 429 budget (Retry-After honoured),
    so a burst of first-time users.lookupByEmail (Tier 3) waits instead of failing until the next sweep; each 429
    also pauses every Slack send of `pace` for its Retry-After (the whole workspace waits, not just that call)."""
    from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

    from bot.slack.client import PausingRateLimitHandler, make_client

    client = make_client(settings)
    pause = (lambda seconds: pace.pause("slack", seconds)) if pace is not None else None
    client.retry_handlers[:] = [
        h for h in client.retry_handlers if not isinstance(h, AsyncRateLimitErrorRetryHandler)
    ] + [PausingRateLimitHandler(max_retry_count=SWEEP_RATE_LIMIT_RETRIES, on_retry_after=pause)]
    return client


def app_notifiers(app: web.Application, services: Services, pace: Pace | None = None) -> list[Notifier]:
    """The notifiers of the platforms the server switched on (Slack first); Slack's with the sweep's own client
    (a 429 pauses `pace`)."""
    from bot.slack.mount import SLACK_KEY
    from bot.slack.notifier import SlackNotifier
    from bot.teams.mount import NOTIFIER_KEY

    out: list[Notifier] = []
    surface = app.get(SLACK_KEY)
    if surface is not None:
        out.append(SlackNotifier(sweep_slack_client(services.settings, pace), services.engine, services.evidence))
    teams = app.get(NOTIFIER_KEY)
    if teams is not None:
        out.append(teams)
    return out


async def run_sweep(
    services: Services, notifiers: list[Notifier] | None = None, today: date | None = None, *, pace: Pace | None = None
) -> SweepReport:
    """One sweep now, for today in America/Chicago (or CEU_TODAY, or `today`): the daily job and `ceu-bot remind`.
    Every send is paced (`pace`, by default the settings' `sweep_limits`); review posts that had failed go out
    through a ReviewFlow over the same paced notifiers, which then also delivers every open outbox row (a decision's
    post updates and DMs still waiting out a backoff, or left by a process that had no delivery loop)."""
    from bot.app import route_reviews
    from bot.runner import off_loop
    from handlers.review_flow import ReviewFlow

    settings = services.settings
    pace = pace if pace is not None else Pace(sweep_limits(settings))
    if notifiers is None:
        notifiers = make_notifiers(services, pace)
    paced: list[Notifier] = [PacedNotifier(n, pace) for n in notifiers]
    channels = review_channels(settings)
    flow = route_reviews(ReviewFlow(offload=off_loop), paced, settings)
    ctx = services.context()
    if today is not None:
        ctx.today = today
    report = await sweep(ctx, paced, channels, post_review=flow.post)
    report.outbox = await flow.settle(ctx, force=True, limit=10_000)
    return report


def install_sweep(app: web.Application, services: Services) -> AsyncIOScheduler | None:
    """The build_app hook: the daily sweep runs while the app is served (off with CEU_SCHEDULER=false)."""
    if not services.settings.scheduler:
        log.info("reminder scheduler switched off (CEU_SCHEDULER=false, or serve --dev without --sweep)")
        return None

    async def job() -> None:
        pace = Pace(sweep_limits(services.settings))
        notifiers = app_notifiers(app, services, pace)
        if not notifiers:
            log.warning("reminder sweep skipped: neither Slack nor Teams is on")
            return
        try:
            await run_sweep(services, notifiers, pace=pace)
        except Exception as exc:  # the next day's sweep retries whatever this one could not do
            if database_outage(exc):
                log.warning("reminder sweep failed: database unreachable (%s)", outage_summary(exc))
            else:
                log.exception("reminder sweep failed")

    return install(app, services.settings, job, clock=wall_clock)
