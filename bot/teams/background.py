"""Work of a Teams turn that must not hold up its HTTP answer, and synchronous work that must not hold up the event
loop.

- `off_loop(fn, *args)`: a synchronous function (database work, card rendering) on a worker thread.
- `coroutine_off_loop(coro)`: a handler coroutine whose inside is synchronous database work (handlers.chat) on a
  worker thread, in an event loop of its own there.
- `Background.start(coro, what)`: effects after the answer (other posts' updates, the submitter's DM, the post to the
  reviewers' channels) as tasks kept referenced until done; a failure is logged, never shown to anyone.
  `settle()` waits for them (tests, shutdown).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger("ceu.teams")

T = TypeVar("T")


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.to_thread(fn, *args)


async def coroutine_off_loop(coro: Coroutine[Any, Any, T]) -> T:
    return await asyncio.to_thread(asyncio.run, coro)


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
