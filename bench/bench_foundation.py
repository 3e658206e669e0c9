"""Foundation figures over 13,000 directors x 40 records: one status, the year-end report, and importing
100,000 attendance rows, each beside a floor measured in the same run (a plain SQL query / CSV parse)."""

from __future__ import annotations

import csv
import io
import random
import statistics
import tempfile
from functools import partial
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from bench.data import FY, TODAY, alet_day, cached_sqlite, email_of, make_dataset
from bench.timing import machine, summary_ms, timed
from handlers.context import Context
from handlers.imports import import_bytes
from handlers.report import write_report
from handlers.status import build_status
from storage.db import open_database
from storage.people import by_email

CACHE = Path(tempfile.gettempdir()) / "ceu-bench" / "ceu.sqlite3"


def floor_query(s: Session, email: str) -> None:
    sql = (
        "SELECT c.quarters, c.strands FROM credit_record c JOIN person p ON p.id = c.person_id "
        "WHERE p.email = :e AND c.fy = :fy"
    )
    s.execute(text(sql), {"e": email, "fy": FY}).all()


def bench_status(ctx: Context, emails: list[str]) -> None:
    rng = random.Random(7)
    picks = [rng.choice(emails) for _ in range(2000)]
    status_times: list[float] = []
    floor_times: list[float] = []
    with Session(ctx.engine) as s:
        for email in picks[:200]:  # warm-up
            p = by_email(s, email)
            assert p is not None
            build_status(s, p, FY, TODAY)
        for email in picks:

            def run(email: str = email) -> None:
                p = by_email(s, email)
                assert p is not None
                build_status(s, p, FY, TODAY)

            status_times.append(timed(run))
            floor_times.append(timed(partial(floor_query, s, email)))
    ratio = statistics.median(status_times) / statistics.median(floor_times)
    print(f"status (one director, full SPEC status incl. suggestions): {summary_ms(status_times)}  [target < 5 ms]")
    print(f"  floor: plain SELECT of that director's rows: {summary_ms(floor_times)}; ratio {ratio:.1f}x")


def bench_report(ctx: Context) -> None:
    with tempfile.TemporaryDirectory() as out:
        t = timed(lambda: write_report(ctx, FY, Path(out)))
    with Session(ctx.engine) as s:
        floor = timed(
            lambda: s.execute(
                text("SELECT person_id, SUM(quarters) FROM credit_record WHERE fy = :fy GROUP BY person_id"),
                {"fy": FY},
            ).all()
        )
    print(f"year-end report, 13,000 TDs (CSV + XLSX + completers): {t:.2f} s  [target < 3 s]")
    print(f"  floor: one GROUP BY over the same rows: {floor:.2f} s; ratio {t / floor:.1f}x")


def attendance_file(rows: int, directors: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["email", "activity_code", "date", "hours", "strands"])
    per = rows // directors + 1
    n = 0
    for i in range(directors):
        for j in range(per):
            if n >= rows:
                break
            k = (i * 7 + j * 13) % 300
            # attended on the activity's date (a live ALET event counts only on its own date)
            w.writerow([email_of(i), f"ALET-{k:04d}", alet_day(k).isoformat(), "1", "" if j % 2 else "1;5"])
            n += 1
    return buf.getvalue().encode()


def bench_import() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/import.sqlite3"
        make_dataset(url, directors=13_000, records=0)
        data = attendance_file(100_000, 13_000)
        engine = open_database(url)
        ctx = Context(engine, TODAY, evidence_dir=Path(tmp) / "evidence")
        floor = timed(lambda: list(csv.DictReader(io.StringIO(data.decode()))))
        t = timed(lambda: import_bytes(ctx, "attendance", data, "bench.csv"))
        again = timed(lambda: import_bytes(ctx, "attendance", data, "bench.csv"))
        engine.dispose()
    print(f"import 100,000 attendance rows (checked, all-or-nothing, one transaction): {t:.2f} s  [target < 10 s]")
    print(f"  re-import of the same file (adds nothing): {again:.2f} s")
    print(f"  floor: csv.DictReader over the same file: {floor:.2f} s; ratio {t / floor:.1f}x")


def main() -> None:
    print(f"machine: {machine()}")
    ds = cached_sqlite(CACHE)
    engine = open_database(ds.url)
    ctx = Context(engine, TODAY, evidence_dir=CACHE.parent / "evidence")
    print(f"data: {ds.directors:,} directors x {ds.records} records (SQLite, WAL) at {CACHE}")
    bench_status(ctx, ds.emails)
    bench_report(ctx)
    engine.dispose()
    bench_import()


if __name__ == "__main__":
    main()
