"""Health endpoints: GET /healthz (the process is up: always 200) and GET /readyz (200 when the database answers
within READY_TIMEOUT_SECONDS and its migrations are current; otherwise 503 with the reason, for load balancers and
orchestrators to stop sending traffic to this replica)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiohttp import web

from bot.runner import off_loop
from storage.db import schema_problem

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger("ceu.health")
READY_TIMEOUT_SECONDS = 1.0


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


class Readiness:
    """/readyz: one database check at a time; callers arriving while it runs share it (a hung database ties up
    one worker thread, not one per probe)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._check: asyncio.Future[str | None] | None = None

    async def __call__(self, _request: web.Request) -> web.Response:
        if self._check is None or self._check.done():
            self._check = asyncio.ensure_future(off_loop(schema_problem, self.services.engine))
        try:
            problem = await asyncio.wait_for(asyncio.shield(self._check), READY_TIMEOUT_SECONDS)
        except TimeoutError:
            problem = f"the database did not answer within {READY_TIMEOUT_SECONDS:g} s"
        if problem is None:
            return web.json_response({"ok": True})
        log.warning("not ready: %s", problem)
        return web.json_response({"ok": False, "reason": problem}, status=503)


def mount_health(app: web.Application, services: Services) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", Readiness(services).__call__)  # a coroutine method: aiohttp deprecates callables
