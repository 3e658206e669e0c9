"""Two ways to run the same import scenario, for table tests: the import code itself (handlers.imports on a
Context) and the `ceu-bot` command (click's runner), each on SQLite or PostgreSQL. A driver loads files, rolls a
catalog forward, and reads back a status object, a history text, the stored records and the audit actions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from sqlmodel import Session, col, select

from handlers.chat import handle_text
from handlers.context import Context
from handlers.csv_rows import ImportRefused
from handlers.imports import import_bytes
from handlers.status import build_status, status_json
from storage.catalog import roll_catalog_forward
from storage.db import open_database
from storage.people import by_email
from storage.tables import AuditLog, CatalogEntry, CreditRecord, Person
from tests.cli.test_cli_run import Cli, Run
from tests.dbs import database_url


class Refused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


Record = tuple[str, str, str, str, float, bool]  # email, code, day, unit, hours, counted


class Driver(Protocol):
    today: date

    def load(self, kind: str, text: str, fy: int | None = None) -> str: ...
    def roll(self, from_fy: int, to_fy: int) -> None: ...
    def status(self, email: str, fy: int) -> dict[str, Any]: ...
    def history(self, email: str, fy: int) -> str: ...
    def session(self) -> AbstractContextManager[Session]: ...


def records(driver: Driver) -> list[Record]:
    with driver.session() as s:
        rows = s.execute(
            select(
                col(Person.email),
                col(CatalogEntry.code),
                col(CreditRecord.day),
                col(CreditRecord.unit),
                col(CreditRecord.quarters),
                col(CreditRecord.counted),
            )
            .join(Person, col(Person.id) == col(CreditRecord.person_id))
            .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
            .order_by(col(Person.email), col(CatalogEntry.code), col(CreditRecord.day), col(CreditRecord.unit))
        )
        return [(e, c, d.isoformat(), u, q / 4, bool(k)) for e, c, d, u, q, k in rows]


def audit_actions(driver: Driver) -> list[str]:
    with driver.session() as s:
        return list(s.exec(select(AuditLog.action).order_by(col(AuditLog.id))).all())


@dataclass
class CodeDriver:
    """handlers.imports and the chat handlers on a Context."""

    ctx: Context
    today: date = field(init=False)

    def __post_init__(self) -> None:
        self.today = self.ctx.today

    def load(self, kind: str, text: str, fy: int | None = None) -> str:
        self.ctx.today = self.today
        try:
            return import_bytes(self.ctx, kind, text.encode(), f"{kind}.csv", fy=fy).summary()
        except ImportRefused as exc:
            raise Refused(exc.problems) from None

    def roll(self, from_fy: int, to_fy: int) -> None:
        with self.ctx.session() as s:
            roll_catalog_forward(s, from_fy, to_fy)
            s.commit()

    def status(self, email: str, fy: int) -> dict[str, Any]:
        with self.ctx.session() as s:
            person = by_email(s, email)
            assert person is not None
            return status_json(build_status(s, person, fy, self.today))

    def history(self, email: str, fy: int) -> str:
        self.ctx.today = self.today
        return handle_text(self.ctx, email, "console", f"history {fy}").to_text()

    def session(self) -> AbstractContextManager[Session]:
        return self.ctx.session()


@dataclass
class CliDriver:
    """The `ceu-bot` command against a database URL (SQLite file or a PostgreSQL schema)."""

    data_dir: Path
    url: str
    today: date

    def _cli(self) -> Cli:
        cli = _UrlCli(self.data_dir, today=self.today.isoformat())
        cli.url = self.url
        return cli

    def _run(self, *args: str) -> Run:
        return self._cli()(*args)

    def load(self, kind: str, text: str, fy: int | None = None) -> str:
        cli = self._cli()
        run = cli("import", kind, cli.file(f"{kind}.csv", text), *(("--fy", str(fy)) if fy else ()))
        if run.code != 0:
            assert "refused, nothing was written" in run.err, run.text
            lines = run.err.splitlines()
            start = next(n for n, line in enumerate(lines) if "refused, nothing was written" in line) + 1
            raise Refused([line.strip() for line in lines[start:] if line.strip()])
        return run.out.strip()

    def roll(self, from_fy: int, to_fy: int) -> None:
        run = self._run("roll-forward", "--from", str(from_fy), "--to", str(to_fy))
        assert run.code == 0, run.text

    def status(self, email: str, fy: int) -> dict[str, Any]:
        run = self._run("status", email, "--fy", str(fy), "--today", self.today.isoformat(), "--json")
        assert run.code == 0, run.text
        data: dict[str, Any] = json.loads(run.out)
        return data

    def history(self, email: str, fy: int) -> str:
        run = self._run("chat", "--as", email, "--today", self.today.isoformat(), "history", str(fy))
        assert run.code == 0, run.text
        return run.out

    @contextmanager
    def session(self) -> Iterator[Session]:
        engine = open_database(self.url)
        try:
            with Session(engine) as s:
                yield s
        finally:
            engine.dispose()


@dataclass
class _UrlCli(Cli):
    url: str = ""

    @property
    def env(self) -> dict[str, str | None]:
        return {**super().env, "CEU_DATABASE_URL": self.url}


@contextmanager
def driver_for(how: str, db: str, tmp_path: Path, today: date) -> Iterator[Driver]:
    """`how`: "code" or "cli"; `db`: "sqlite" or "postgres"."""
    with database_url(db, tmp_path) as url:
        if how == "cli":
            yield CliDriver(tmp_path, url, today)
            return
        engine = open_database(url)
        try:
            yield CodeDriver(Context(engine, today, evidence_dir=tmp_path / "evidence"))
        finally:
            engine.dispose()
