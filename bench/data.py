"""The benchmark data set: N directors x M credit records in FY2025 (default 13,000 x 40), written with bulk inserts.

`make_dataset(url)` builds it into any database URL (fresh schema expected); `cached_sqlite(path)` builds a SQLite
file once and reuses it while its parameters match. Deterministic (seeded).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, text
from sqlmodel import Session, col, select

from storage.db import open_database
from storage.tables import CatalogEntry, CreditRecord, Person

FY = 2025
TODAY = date(2025, 9, 1)
ALET_EVENTS = 300


@dataclass(frozen=True)
class Dataset:
    url: str
    directors: int
    records: int
    emails: list[str]


def email_of(i: int) -> str:
    return f"td{i:05d}@district{i % 137:03d}.k12.al.us"


def alet_day(i: int) -> date:
    """The date of ALET activity i (ALET-0000 ... ALET-0299), spread over the FY up to late August."""
    return date(FY - 1, 10, 1) + timedelta(days=(i * 37) % 330)


def make_dataset(url: str, directors: int = 13_000, records: int = 40, seed: int = 2025) -> Dataset:
    rng = random.Random(seed)
    engine = open_database(url)
    start = date(FY - 1, 10, 1)
    kinds = ["conference", "cyber_camp", "region_meeting", "talent_online"]
    with Session(engine, expire_on_commit=False) as session:
        session.execute(
            insert(CatalogEntry),
            [
                {
                    "fy": FY,
                    "code": f"ALET-{i:04d}",
                    "title": f"ALET session {i}",
                    "kind": kinds[i % 4],
                    "day": alet_day(i),
                    "cap": 4 * (1 + i % 6),
                    "up_to": True,
                    "per_unit": False,
                    "counts_for_td": True,
                    "evidence": "none",
                    "earliest": None,
                    "strands": 1 << (i % 6) | (1 << ((i + 2) % 6) if i % 3 == 0 else 0),
                }
                for i in range(ALET_EVENTS)
            ],
        )
        session.commit()
        alet = list(session.exec(select(CatalogEntry).where(CatalogEntry.kind != "external")).all())
        external = list(session.exec(select(CatalogEntry).where(CatalogEntry.kind == "external")).all())
        session.execute(
            insert(Person),
            [
                {
                    "email": email_of(i),
                    "name": f"Director {i}",
                    "district": f"District {i % 137}",
                    "role_start": date(2024, 10, 1) + timedelta(days=i % 700) if i % 5 == 0 else date(2015, 7, 1),
                    "cto_completed": None,
                    "roles": "director",
                    "active": True,
                }
                for i in range(directors)
            ],
        )
        session.commit()
        ids = list(session.exec(select(Person.id).order_by(col(Person.id))).all())
    now = datetime.now(UTC)
    batch: list[dict[str, object]] = []
    with engine.begin() as conn:
        for pid in ids:
            n_ext = min(4, records // 10)
            picks = rng.sample(alet, records - n_ext) + rng.sample(external, n_ext)
            for j, entry in enumerate(picks):
                day = entry.day or (start + timedelta(days=rng.randrange(330)))
                status = "pending" if j % 17 == 0 else "approved"
                batch.append(
                    {
                        "person_id": pid,
                        "fy": FY,
                        "catalog_id": entry.id,
                        "alet": entry.kind != "external",
                        "day": min(day, TODAY),
                        "unit": "",
                        # every other director has only quarter-hour records: not compliant, with gaps to remind
                        "quarters": 1 if (pid or 0) % 2 == 0 else (rng.randint(1, 4) if entry.up_to else entry.cap),
                        "strands": entry.strands,
                        "status": status,
                        "counted": True,
                        "note": "",
                        "source": "attendance",
                        "created_at": now,
                    }
                )
            if len(batch) >= 20_000:
                conn.execute(insert(CreditRecord), batch)
                batch.clear()
        if batch:
            conn.execute(insert(CreditRecord), batch)
        if url.startswith("postgresql"):
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return Dataset(url, directors, records, [email_of(i) for i in range(directors)])


def cached_sqlite(path: Path, directors: int = 13_000, records: int = 40) -> Dataset:
    """A SQLite data set at `path`, built once and reused while directors/records match."""
    marker = path.with_suffix(f".{directors}x{records}.v2.ok")
    url = f"sqlite:///{path}"
    if path.exists() and marker.exists():
        return Dataset(url, directors, records, [email_of(i) for i in range(directors)])
    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    ds = make_dataset(url, directors, records)
    marker.touch()
    return ds


def engine_of(ds: Dataset) -> Engine:
    return open_database(ds.url)
