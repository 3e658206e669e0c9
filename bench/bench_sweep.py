"""Deciding the daily reminder sweep for 13,000 directors x 40 records (target < 2 s), beside the floor measured in
the same run: one plain aggregate SQL query over the same credit rows. Also the parts of the decision (everyone's
credits, the rest) and the claim cost per reminder. SQLite always; PostgreSQL too when CEU_BENCH_POSTGRES_URL names
a server (a fresh schema is made and dropped). Prints figures, asserts nothing."""

from __future__ import annotations

import os
import statistics
import tempfile
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from bench.data import FY, TODAY, cached_sqlite, make_dataset
from bench.timing import machine, timed
from handlers.reminders.plan import Plan, decide
from storage.bulk import credits_by_person
from storage.db import open_database
from storage.reminders import Key, claim, mark_sent

CACHE = Path(tempfile.gettempdir()) / "ceu-bench" / "ceu.sqlite3"
RUNS = 5
CHANNELS = [("slack", "C0REVIEW")]


def floor(engine: Engine) -> None:
    with Session(engine) as s:
        s.execute(
            text("SELECT person_id, SUM(quarters) FROM credit_record WHERE fy = :fy GROUP BY person_id"), {"fy": FY}
        ).all()


def decide_once(engine: Engine) -> Plan:
    with Session(engine) as s:
        return decide(s, TODAY, datetime.now(UTC), CHANNELS)


def credits_once(engine: Engine) -> None:
    with Session(engine) as s:
        credits_by_person(s, FY)


def bench_claims(engine: Engine, n: int = 500) -> float:
    keys = [Key("bench", f"td{i}@bench", FY, uuid.uuid4().hex[:12]) for i in range(n)]
    now = datetime.now(UTC)

    def run() -> None:
        for k in keys:
            claim(engine, k, None, now)
            mark_sent(engine, k, now)

    return timed(run) / n


def bench(engine: Engine, label: str) -> None:
    decide_once(engine)  # warm-up: caches, query plans
    floors: list[float] = []
    decides: list[float] = []
    credits: list[float] = []
    plans: list[Plan] = []
    for _ in range(RUNS):
        floors.append(timed(lambda: floor(engine)))
        credits.append(timed(lambda: credits_once(engine)))
        decides.append(timed(lambda: plans.append(decide_once(engine))))
    plan = plans[-1]
    kinds = Counter(d.kind for d in plan.due)
    d, f, c = statistics.median(decides), statistics.median(floors), statistics.median(credits)
    print(f"[{label}] deciding the sweep on {TODAY} for every director: {d:.2f} s (median of {RUNS})  [target < 2 s]")
    print(f"  due: {dict(kinds)}; snoozed {len(plan.snoozed)}; already sent {plan.already}")
    print(f"  of which everyone's credits (storage.bulk.credits_by_person): {c:.2f} s; the rest {d - c:.2f} s")
    print(f"  floor: one plain GROUP BY over the same credit rows: {f:.2f} s; ratio {d / f:.1f}x")
    written = timed(lambda: [due.reply for due in plan.due])
    print(
        f"  writing the text of all {len(plan.due):,} messages (done as each is sent, paced, or in a dry run): "
        f"{written:.2f} s, {written / max(1, len(plan.due)) * 1000:.3f} ms each"
    )
    per = bench_claims(engine)
    print(f"  claim + mark sent, one reminder (two transactions): {per * 1000:.2f} ms")


def postgres(base: str) -> None:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        load = timed(lambda: make_dataset(url))
        print(f"[postgresql] data set loaded in {load:.0f} s (schema {schema})")
        engine = open_database(url)
        bench(engine, "postgresql")
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    print(f"machine: {machine()}")
    ds = cached_sqlite(CACHE)
    print(f"data: {ds.directors:,} directors x {ds.records} records (SQLite, WAL) at {CACHE}")
    engine = open_database(ds.url)
    with engine.begin() as conn:  # claims from an earlier run would count as "already sent"
        conn.execute(text("DELETE FROM reminder_log"))
    bench(engine, "sqlite")
    engine.dispose()
    pg = os.environ.get("CEU_BENCH_POSTGRES_URL", "")
    if pg:
        postgres(pg)
    else:
        print("(set CEU_BENCH_POSTGRES_URL=postgresql+psycopg://... to measure PostgreSQL too)")


if __name__ == "__main__":
    main()
