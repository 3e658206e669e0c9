"""Small timing helpers for the benchmarks: percentiles and a one-line description of the machine."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()}"


def reference_loop() -> float:
    """Seconds for a fixed pure-Python loop: how fast this machine runs Python right now (shared machines vary
    by 2x from one hour to the next), so figures from different runs can be compared."""
    start = time.perf_counter()
    sum(range(30_000_000))
    return time.perf_counter() - start


def machine() -> str:
    return f"{_machine()}; reference loop sum(range(30M)) {reference_loop():.2f} s"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def summary_ms(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return f"p50 {statistics.median(ms):.2f} ms, p99 {percentile(ms, 99):.2f} ms, n={len(ms)}"
