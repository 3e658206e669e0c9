"""Waiting for the outbox in tests: deliver what is due now (beside the server's own delivery loop, whose claims keep
each row to one sender) until nothing due is left. Bounded in passes and time, never a timed assertion."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.app import Services
from storage.outbox import due_now

PASSES = 2000


async def drain(services: Services) -> None:
    """Until every outbox row due now is done (or waits out a backoff after a failure)."""
    ctx = services.context()
    for _ in range(PASSES):
        await services.flow.settle(ctx)
        if due_now(services.engine, datetime.now(UTC)) == 0:
            return
        await asyncio.sleep(0.01)  # a row claimed by the server's loop: let it finish
    raise AssertionError("the outbox did not drain")
