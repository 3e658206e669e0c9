"""The one place handlers leave the event loop: handlers are plain functions whose database work blocks, so every
adapter (Slack, Teams, the evidence route) runs them here, on one small shared worker pool."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

WORKERS = 2  # threads for database work: more only fight the event loop for the GIL

P = ParamSpec("P")
T = TypeVar("T")
_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="ceu-worker")


async def off_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a synchronous function (a handler, a query, a rendering) on the worker pool; the loop stays free."""
    loop = asyncio.get_running_loop()
    if kwargs:
        return await loop.run_in_executor(_pool, lambda: fn(*args, **kwargs))
    return await loop.run_in_executor(_pool, fn, *args)
