"""Composition root: settings -> engine -> services -> platform adapters -> one aiohttp Application."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from aiohttp import web
from sqlalchemy import Engine

from bot.access_log import access_log, add_request_id
from bot.delivery import install_delivery
from bot.evidence_link import mount_evidence_links
from bot.health import mount_health
from bot.report_link import mount_report_links
from bot.runner import off_loop
from bot.scheduler import install_sweep, review_channels
from bot.settings import Settings
from bot.slack.home import SlackHome
from bot.slack.mount import mount_slack
from bot.teams.mount import mount_teams
from handlers.context import Context, today_local
from handlers.notify import Notifier
from handlers.review_flow import ReviewFlow
from handlers.status_cache import StatusCache
from storage.db import open_database
from storage.evidence import EvidenceLinks
from storage.evidence_store import EvidenceStore, open_store
from storage.known_caller import LoopReader

log = logging.getLogger("ceu.app")


@dataclass
class Services:
    settings: Settings
    engine: Engine
    flow: ReviewFlow = field(default_factory=lambda: ReviewFlow(offload=off_loop))  # reviews on every platform
    statuses: StatusCache = field(default_factory=StatusCache)  # built statuses, current by their versions
    links: EvidenceLinks | None = None  # signed evidence download links (set by mount_evidence_links)
    _reader: LoopReader | None = field(default=None, init=False, repr=False)

    def loop_reader(self) -> LoopReader | None:
        """The event loop's own read-only SQLite connection (storage/known_caller.py), opened at start-up; None
        on other databases or when it could not be opened (the callers then take their worker-thread path)."""
        return self._reader

    def open_loop_reader(self) -> None:
        """Blocking: open the loop's reader (the server's start-up runs it on a worker thread)."""
        if self._reader is not None:
            return
        try:
            self._reader = LoopReader.open(self.engine)
        except Exception as exc:  # the worker path serves every request as before
            log.warning("no loop reader for this database (%s); known callers are answered off the loop", exc)

    def close_loop_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    @cached_property
    def evidence(self) -> EvidenceStore:
        """The evidence store CEU_EVIDENCE_STORE chooses (the database on PostgreSQL, files on SQLite by default),
        chosen once: every request's context carries it."""
        return open_store(self.settings.evidence_store_kind, self.engine, self.settings.evidence_dir)

    @cached_property
    def evidence_dir(self) -> Path:
        return self.settings.evidence_dir

    def context(self) -> Context:
        """A handler context for one request: today and the zone (CEU_TIMEZONE, or the fixed CEU_TODAY), the
        evidence store and links; the adapter adds the caller (`Context.as_actor`) once it has resolved them."""
        zone = self.settings.timezone
        today = self.settings.today or today_local(zone)
        return Context(
            self.engine,
            today,
            evidence_dir=self.evidence_dir,
            evidence=self.evidence,
            statuses=self.statuses,
            zone=zone,
            links=self.links,
        )


def route_reviews(flow: ReviewFlow, notifiers: Iterable[Notifier], settings: Settings) -> ReviewFlow:
    """The one wiring of the review flow, for the server and for a sweep (bot/scheduler.run_sweep): each platform's
    notifier with its reviewers' channel ("" where none is set: that platform only sends DMs)."""
    channels = dict(review_channels(settings))
    for notifier in notifiers:
        flow.add(notifier, channels.get(notifier.platform, ""))
    return flow


def build_services(settings: Settings) -> Services:
    return Services(settings, open_database(settings.db_url))


def build_app(services: Services, *, dev: bool = False) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024, middlewares=[access_log])  # one log line per request
    app.on_response_prepare.append(add_request_id)
    mount_health(app, services)  # /healthz (the process is up) and /readyz (the database answers, schema current)
    mount_evidence_links(app, services)  # signed evidence links in review messages, when CEU_PUBLIC_URL is set
    mount_report_links(app, services)  # signed report download links for Teams' `report`, when CEU_PUBLIC_URL is set
    slack = mount_slack(app, services)
    if slack is not None:
        services.flow.homes = [SlackHome(slack.client)]  # the App Home tab, refreshed through the outbox
    teams = mount_teams(app, services, dev=dev)
    notifiers: list[Notifier] = [n for n in (slack.notifier if slack else None, teams) if n is not None]
    route_reviews(services.flow, notifiers, services.settings)
    install_delivery(app, services)  # the outbox: a decision's post updates and DMs, exactly once
    install_sweep(app, services)  # the daily reminder sweep, started and stopped with the app
    app.on_startup.append(lambda _: off_loop(services.open_loop_reader))
    app.on_cleanup.append(lambda _: _close_reader(services))
    return app


async def _close_reader(services: Services) -> None:
    services.close_loop_reader()
