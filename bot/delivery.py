"""The outbox delivery loop of `serve`: drains storage.outbox through handlers.review_flow.ReviewFlow.settle every
POLL_SECONDS, and at once when this process has just written rows (ReviewFlow.nudge). Started and stopped with the
app; at shutdown the pass under way may finish (bounded), what is left waits for the next start or another replica.
CEU_OUTBOX_DELIVERY=false leaves delivery to other replicas."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from aiohttp import web

from bot.outage import database_outage, outage_summary

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger("ceu.delivery")
POLL_SECONDS = 1.5
STOP_SECONDS = 20.0  # at shutdown, how long a pass under way may take to finish


class DeliveryLoop:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.wake = asyncio.Event()
        self.stopping = False
        self.passes = 0

    def nudge(self) -> None:
        self.wake.set()

    async def run(self) -> None:
        flow = self.services.flow
        away = False  # the database out of reach: one line when it goes, one when it is back, no tracebacks
        while not self.stopping:
            self.wake.clear()
            try:
                await flow.settle(self.services.context())
                if away:
                    log.info("outbox delivery: the database answers again")
                away = False
            except Exception as exc:  # the database is away, a bug: logged, tried again on the next tick
                if not database_outage(exc):
                    log.exception("outbox delivery pass failed")
                elif not away:
                    log.warning("outbox delivery paused: database unreachable (%s)", outage_summary(exc))
                away = away or database_outage(exc)
            self.passes += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), POLL_SECONDS)


def install_delivery(app: web.Application, services: Services) -> None:
    if not services.settings.outbox_delivery:
        log.info("outbox delivery is off in this process (CEU_OUTBOX_DELIVERY=false)")
        return

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        loop = DeliveryLoop(services)
        services.flow.nudge = loop.nudge
        task = asyncio.get_running_loop().create_task(loop.run(), name="ceu: outbox delivery")
        yield
        loop.stopping = True
        loop.nudge()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_SECONDS)
        except TimeoutError:
            log.warning("outbox delivery still running after %s s at shutdown: stopped", STOP_SECONDS)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.cleanup_ctx.append(lifetime)
