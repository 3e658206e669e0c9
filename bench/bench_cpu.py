"""The batch figures (year-end report, deciding the sweep on SQLite, importing 100,000 attendance rows, one status)
as CPU seconds of this process beside the wall time: on a shared machine whose other tenants keep both cores busy,
wall time swings 3x from one minute to the next while the process's own CPU time barely moves, so this is the
figure to compare two versions by (run them one after the other, as bench/RESULTS.md does). SQLite only (a
PostgreSQL server's work is another process's CPU). Prints figures, asserts nothing."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from bench.bench_foundation import CACHE, attendance_file
from bench.data import FY, TODAY, cached_sqlite, make_dataset
from bench.timing import machine
from handlers.context import Context
from handlers.imports import import_bytes
from handlers.report import write_report
from handlers.status import build_status
from storage.db import open_database
from storage.people import by_email


def cpu_and_wall(fn: Callable[[], object], runs: int = 3) -> tuple[float, float]:
    """Medians over `runs` of (CPU seconds of this process, wall seconds)."""
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(runs):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall)


def _decide(engine: Engine) -> None:
    try:
        from handlers.reminders.plan import decide
    except ImportError:  # before handlers/reminders.py became a package
        from handlers.reminders import decide  # type: ignore[attr-defined,no-redef]
    with Session(engine) as s:
        decide(s, TODAY, datetime.now(UTC), [("slack", "C0REVIEW")])


def main() -> None:
    print(f"machine: {machine()}")
    ds = cached_sqlite(CACHE)
    engine = open_database(ds.url)
    ctx = Context(engine, TODAY, evidence_dir=CACHE.parent / "evidence")
    with tempfile.TemporaryDirectory() as out:
        write_report(ctx, FY, Path(out))  # warm-up
        cpu, wall = cpu_and_wall(lambda: write_report(ctx, FY, Path(out)))
    print(f"year-end report: cpu {cpu:.2f} s, wall {wall:.2f} s  [target < 3 s]")
    _decide(engine)
    cpu, wall = cpu_and_wall(lambda: _decide(engine))
    print(f"deciding the sweep (SQLite): cpu {cpu:.2f} s, wall {wall:.2f} s  [target < 2 s]")
    picks = random.Random(7).choices(ds.emails, k=500)
    with Session(engine) as s:

        def statuses() -> None:
            for email in picks:
                person = by_email(s, email)
                assert person is not None
                build_status(s, person, FY, TODAY)

        statuses()
        cpu, wall = cpu_and_wall(statuses, runs=1)
    print(f"one status: cpu {cpu / len(picks) * 1000:.2f} ms, wall {wall / len(picks) * 1000:.2f} ms  [target < 5 ms]")
    engine.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/import.sqlite3"
        make_dataset(url, directors=13_000, records=0)
        data = attendance_file(100_000, 13_000)
        engine = open_database(url)
        ctx = Context(engine, TODAY, evidence_dir=Path(tmp) / "evidence")
        cpu, wall = cpu_and_wall(lambda: import_bytes(ctx, "attendance", data, "bench.csv"), runs=1)
        engine.dispose()
    print(f"import 100,000 attendance rows: cpu {cpu:.2f} s, wall {wall:.2f} s  [target < 10 s]")


if __name__ == "__main__":
    main()
