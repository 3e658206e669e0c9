"""`ceu-bot serve` as an operator meets it (the real console script in a subprocess, started from a folder of its
own): a broken setting or a busy port stops it with one line and exit status 2, no traceback, nothing written;
started, it logs where its data lives (absolute), warns when no platform is on, and `--dev` runs no reminder sweep
unless `--sweep` asks. Every admin command names the database it used on stderr, password hidden; `postgres://` is
accepted as PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from tests.dbs import postgres_schema_url

SCRIPT = Path(sys.executable).with_name("ceu-bot")


def env_for(**values: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CEU_", "SLACK_", "MICROSOFT_", "TEAMS_"))}
    return base | values


def run(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, env=env_for(**env), capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def invoke(cwd: Path, *args: str, **env: str) -> Result:
    """In-process (fast) for the refusals, which start no server: the settings from `env` alone, in `cwd`."""
    prefixes = ("CEU_", "SLACK_", "MICROSOFT_", "TEAMS_")
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith(prefixes)}
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), env=unset | {"CEU_ENV_FILE": None} | env)
    finally:
        os.chdir(previous)
    assert "Traceback" not in result.output and not isinstance(result.exception, Exception), result.output
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"CEU_REMINDER_HOUR": "25"}, "ceu-bot serve: CEU_REMINDER_HOUR=25: must be an hour from 0 to 23"),
        (
            {"CEU_TIMEZONE": "America/Birmingham"},
            "ceu-bot serve: CEU_TIMEZONE=America/Birmingham: not a known time zone (like America/Chicago)",
        ),
        (
            {"CEU_REMINDER_HOUR": "nine"},
            "ceu-bot: CEU_REMINDER_HOUR=nine: Input should be a valid integer, unable to parse string as an integer",
        ),
        ({"CEU_ENV_FILE": "/nonexistent/ceu.env"}, "ceu-bot serve: CEU_ENV_FILE=/nonexistent/ceu.env: no such file"),
        (
            {"CEU_DATABASE_URL": "mysql+nodriver://u@h/db"},
            "ceu-bot serve: CEU_DATABASE_URL=mysql+nodriver://u@h/db: not a database URL "
            "(like postgresql+psycopg://user:password@host/db)",
        ),
    ],
)
def test_a_broken_setting_stops_serve_with_one_line(tmp_path: Path, env: dict[str, str], line: str) -> None:
    result = invoke(tmp_path, "serve", "--port", str(free_port()), **env)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [line]
    assert not (tmp_path / "data").exists()  # nothing written


def test_several_broken_settings_one_line_each(tmp_path: Path) -> None:
    result = invoke(
        tmp_path, "serve", "--port", str(free_port()), CEU_REMINDER_HOUR="25", SLACK_REVIEW_CHANNEL="#reviews"
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("ceu-bot serve: CEU_REMINDER_HOUR=25")
    assert lines[1].startswith("ceu-bot serve: SLACK_REVIEW_CHANNEL=#reviews: must be the channel's id")


def test_a_busy_port_stops_serve_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke(tmp_path, "serve", "--host", "127.0.0.1", "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"ceu-bot serve: port {port} on 127.0.0.1 is in use (another ceu-bot serve? choose one with --port)"
    ]


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as resp:
            return int(resp.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def serve_log(cwd: Path, *args: str, **env: str) -> str:
    """Start `serve`, wait for /readyz (bounded), stop it with SIGINT; its log."""
    port = free_port()
    log = cwd / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(SCRIPT), "serve", "--port", str(port), *args],
            cwd=cwd,
            env=env_for(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(240):
                if ready(port) or proc.poll() is not None:
                    break
                time.sleep(0.5)
            assert ready(port), log.read_text()
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    text = log.read_text()
    assert "Traceback" not in text, text
    return text


def test_serve_logs_where_its_data_lives_and_that_no_platform_is_on(tmp_path: Path) -> None:
    text = serve_log(tmp_path, "--host", "127.0.0.1", CEU_SCHEDULER="false")
    data = tmp_path / "data"
    assert (
        f"data folder {data} (CEU_DATA_DIR unset: ./data of the start folder): database {data / 'ceu.sqlite3'}, "
        f"evidence {data / 'evidence'}"
    ) in text
    assert "WARNING ceu.serve: neither Slack nor Teams is on: nobody can reach this bot" in text
    assert (data / "ceu.sqlite3").is_file()


def test_serve_reads_a_relative_data_folder_from_its_start_folder(tmp_path: Path) -> None:
    text = serve_log(tmp_path, "--host", "127.0.0.1", CEU_SCHEDULER="false", CEU_DATA_DIR="state")
    assert f"data folder {tmp_path / 'state'} (CEU_DATA_DIR)" in text
    assert (tmp_path / "state" / "ceu.sqlite3").is_file()


def test_serve_dev_runs_no_sweep_unless_asked(tmp_path: Path) -> None:
    text = serve_log(tmp_path, "--dev")
    assert "--dev: no reminder sweep (add --sweep to run it)" in text
    assert "reminder sweep scheduled" not in text
    asked = serve_log(tmp_path, "--dev", "--sweep")
    assert "reminder sweep scheduled; next run" in asked


def test_an_admin_command_names_its_database_password_hidden(tmp_path: Path) -> None:
    proc = run(tmp_path, "catalog", "--fy", "2025")
    assert proc.returncode == 0
    assert proc.stderr.splitlines()[0] == f"database: sqlite:///{(tmp_path / 'data' / 'ceu.sqlite3').resolve()}"
    port = free_port()  # nothing listens there
    proc = run(tmp_path, "catalog", CEU_DATABASE_URL=f"postgres://ceu:hunter2@127.0.0.1:{port}/ceu")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == f"database: postgresql+psycopg://ceu:***@127.0.0.1:{port}/ceu"
    assert len(lines) == 2 and lines[1].startswith("Error: cannot open the database: ")
    assert "hunter2" not in proc.stdout + proc.stderr


@pytest.mark.postgres
def test_postgres_scheme_is_accepted_as_postgresql(tmp_path: Path) -> None:
    with postgres_schema_url() as url:
        given = "postgres://" + url.split("://", 1)[1]
        proc = run(tmp_path, "catalog", "--fy", "2025", "--json", CEU_DATABASE_URL=given)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.splitlines()[0].startswith("database: postgresql+psycopg://")
        assert '"code": ' in proc.stdout  # the shipped FY2025 external events, loaded into the new database
