"""Work of a Teams turn that must not hold up its HTTP answer (synchronous work goes through bot.runner.off_loop).

- `Background.start(coro, what)`: work after the answer (a new item's post to the reviewers' channels; a decision's
  updates and DM are outbox rows, bot/delivery.py) as tasks kept referenced until done; a failure is logged,
  never shown to anyone. `settle()` waits for them (tests, shutdown).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("ceu.teams")


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, coro: Coroutine[Any, Any, None], what: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=f"ceu-teams: {what}")
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            log.warning("Teams: %s was cancelled", task.get_name())
            return
        error = task.exception()
        if error is not None:
            log.error("Teams: %s failed", task.get_name(), exc_info=error)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def settle(self) -> None:
        """Wait until every started task (and any they start) is done; their failures stay logged only."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
