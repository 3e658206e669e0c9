"""Running `ceu-bot` in tests: in-process with click's CliRunner against bot.cli.main, and as the real console
script in a subprocess; both with CEU_DATA_DIR in a temporary folder. Also the checks that hold for every command:
a clear message and a non-zero status on bad input, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import func, select

from bot.cli import main
from storage.db import open_database

SCRIPT = Path(sys.executable).with_name("ceu-bot")

ROSTER = """email,name,district,role_start,cto_completed,roles
td@a.k12.al.us,Alex Director,Alpha County,2024-10-15,,director
old@b.k12.al.us,Blair Veteran,Beta City,2010-08-01,,
done@c.k12.al.us,Casey Done,Gamma City,2025-01-06,2025-06-30,director
rev@alet.org,Robin Reviewer,ALET,,,reviewer;admin
"""

CATALOG = """code,title,kind,date,hours,strands,up_to,per_unit,counts_for_td,evidence,earliest
FALL24,ALET Fall Conference 2024,conference,2024-11-05,6,1;5,true,,,,
CAMP25,ALET Cyber Camp Spring,cyber_camp,2025-02-20,6,5,true,,,,
REGION25,ALET Region Meeting,region_meeting,2025-04-10,2,1;6,true,,,,
TALENT-DATA,TD-Talent Data Governance,talent_online,,1.5,6,false,,,,
TALENT-INTRO,TD-Talent Welcome,talent_online,,1,1,true,,false,,
EXT-LATE,A late external event,external,,3,2,true,,,file,2025-01-15
"""


@dataclass
class Run:
    code: int
    out: str  # stdout
    err: str  # stderr
    exception: BaseException | None = None

    @property
    def text(self) -> str:
        return self.out + self.err


def assert_clean(run: Run) -> None:
    """No traceback: neither printed nor escaped from the command."""
    assert "Traceback" not in run.text, run.text
    if run.exception is not None:
        assert isinstance(run.exception, SystemExit), repr(run.exception)


@dataclass
class Cli:
    """`ceu-bot` bound to one data folder."""

    data_dir: Path
    today: str | None = None  # CEU_TODAY: a fixed today for the commands without --today (imports)

    @property
    def env(self) -> dict[str, str | None]:
        return {"CEU_DATA_DIR": str(self.data_dir), "CEU_DATABASE_URL": "", "CEU_TODAY": self.today}

    def __call__(self, *args: str, input: str | None = None) -> Run:
        result = CliRunner().invoke(main, list(args), env=self.env, input=input)
        run = Run(result.exit_code, result.stdout, result.stderr, result.exception)
        assert_clean(run)
        return run

    def ok(self, *args: str) -> Run:
        run = self(*args)
        assert run.code == 0, run.text
        return run

    def script(self, *args: str) -> Run:
        """The installed console script, in a subprocess."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CEU_")}
        env |= {k: v for k, v in self.env.items() if v is not None}
        proc = subprocess.run(
            [str(SCRIPT), *args], capture_output=True, text=True, env=env, cwd=self.data_dir, timeout=120
        )
        run = Run(proc.returncode, proc.stdout, proc.stderr)
        assert_clean(run)
        return run

    def file(self, name: str, text: str | bytes) -> str:
        path = self.data_dir / name
        if isinstance(text, str):
            path.write_text(text, encoding="utf-8")
        else:
            path.write_bytes(text)
        return str(path)

    def load(self, kind: str, text: str, *extra: str) -> Run:
        return self.ok("import", kind, self.file(f"{kind}.csv", text), *extra)

    def seed(self) -> None:
        self.load("roster", ROSTER)
        self.load("catalog", CATALOG, "--fy", "2025")

    def engine(self) -> Engine:
        return open_database(f"sqlite:///{self.data_dir / 'ceu.sqlite3'}")

    def count(self, table: type) -> int:
        from sqlmodel import Session

        eng = self.engine()
        try:
            with Session(eng) as s:
                return int(s.exec(select(func.count()).select_from(table)).one())
        finally:
            eng.dispose()


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    yield Cli(tmp_path)


def test_console_script_is_installed_and_answers(cli: Cli) -> None:
    run = cli.script("--help")
    assert run.code == 0
    for command in ("import", "catalog", "status", "report", "demo", "chat", "roll-forward"):
        assert command in run.out


def test_console_script_runs_an_import_and_a_status(cli: Cli) -> None:
    assert cli.script("import", "roster", cli.file("r.csv", ROSTER)).code == 0
    run = cli.script("status", "old@b.k12.al.us", "--fy", "2025", "--today", "2025-03-03", "--json")
    assert run.code == 0, run.text
    assert '"credited_hours": 0.0' in run.out
    assert (cli.data_dir / "ceu.sqlite3").exists()


def test_console_script_refuses_a_bad_file_without_a_traceback(cli: Cli) -> None:
    run = cli.script("import", "roster", cli.file("r.csv", "email,name\nx@y.org,X\n"))
    assert run.code != 0
    assert "missing column" in run.err


@pytest.mark.parametrize(
    "args",
    [
        ("status", "td@a.k12.al.us", "--today", "2025-13-01"),
        ("status", "td@a.k12.al.us", "--today", "yesterday"),
        ("status", "td@a.k12.al.us", "--fy", "twenty"),
        ("status", "td@a.k12.al.us", "--fy", "2019", "--json"),
        ("status", "td@a.k12.al.us", "--today", "2023-05-01", "--json"),
        ("status", "nobody@x.org", "--fy", "2025"),
        ("status", "td@a.k12.al.us", "--fy", "99999"),
        ("status", "td@a.k12.al.us", "--fy", "-5"),
        ("report", "--fy", "2019", "--out", "rep"),
        ("report", "--fy", "99999", "--out", "rep"),
        ("catalog", "--fy", "99999"),
        ("catalog", "--fy", "2019", "--json"),
        ("roll-forward", "--from", "2026", "--to", "2025"),
        ("roll-forward", "--from", "2019", "--to", "2020"),
        ("roll-forward", "--from", "2025", "--to", "99999"),
        ("import", "catalog", "missing.csv", "--fy", "2025"),
        ("import", "catalog", "roster.csv", "--fy", "2019"),
        ("import", "catalog", "roster.csv", "--fy", "99999"),
        ("import", "catalog", "roster.csv"),
        ("import", "badges", "roster.csv"),
        ("chat", "--as", "td@a.k12.al.us", "--today", "2023-05-01", "status"),
        ("chat", "--as", "td@a.k12.al.us", "--today", "2023-05-01", "history"),
        ("chat", "--as", "td@a.k12.al.us", "--today", "2023-05-01", "events"),
        ("chat", "--as", "td@a.k12.al.us", "--today", "2023-05-01", "snooze"),
        ("chat", "--as", "td@a.k12.al.us", "--today", "2100-10-01", "status"),
        ("demo", "--today", "2101-05-01"),
        ("demo", "--today", "2023-05-01"),
        ("nonsense",),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_traceback(cli: Cli, args: tuple[str, ...]) -> None:
    cli.seed()
    cli.file("roster.csv", ROSTER)
    (cli.data_dir / "rep").mkdir(exist_ok=True)
    run = cli(*[str(cli.data_dir / a) if a.endswith(".csv") or a == "rep" else a for a in args])
    assert run.code != 0, run.text
    assert run.err.strip(), run.text  # the message is on stderr
    assert len(run.err.strip().splitlines()) <= 5, run.err


def test_report_into_a_file_path_is_a_clear_error(cli: Cli) -> None:
    cli.seed()
    target = cli.file("not-a-folder", "x")
    run = cli("report", "--fy", "2025", "--out", target)
    assert run.code != 0
    assert "not-a-folder" in run.err


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["status", "x@y.org", "--json"],
        env={"CEU_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "CEU_DATA_DIR": str(tmp_path)},
    )
    run = Run(result.exit_code, result.stdout, result.stderr, result.exception)
    assert_clean(run)
    assert run.code != 0
    assert "cannot open the database" in run.err
