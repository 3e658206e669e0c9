"""`ceu-bot doctor` (the real console script in a subprocess) against the local fakes: Slack's Web API at
SLACK_API_URL (auth.test, conversations.info) and Entra ID's token endpoint at TEAMS_TOKEN_URL. A healthy setup is
all ok (exit 0); each problem is one row of the table, one line, no traceback (exit 1)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import text

from bot.app import Services, build_app
from bot.settings import Settings
from storage.db import open_database
from tests.fakes.bot_connector import TENANT, FakeEntraID
from tests.fakes.slack_api import FakeSlackApi

SCRIPT = Path(sys.executable).with_name("ceu-bot")
APP_ID = "0b5f6f5e-1111-4222-8333-444455556666"
TEAMS_CHANNEL = "19:a1b2c3d4e5f6@thread.tacv2"


@dataclass
class Doctor:
    code: int
    out: str
    err: str

    def rows(self) -> list[list[str]]:
        """The table's rows as [check, result, detail] (each finding on one line of the output)."""
        found = []
        for line in self.out.splitlines():
            cells = [c.strip() for c in line.strip().strip("│").split("│")]
            if len(cells) == 3 and cells[1] in ("ok", "warning", "problem", "skipped"):
                found.append(cells)
        return found

    def level(self, check: str) -> list[tuple[str, str]]:
        return [(r[1], r[2]) for r in self.rows() if r[0] == check]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi()
    await fake.start()
    fake.add_channel("CREVIEW", "td-ceu-reviews", member=True)
    fake.add_channel("COUTSIDE", "general", member=False)
    yield fake
    await fake.close()


@pytest.fixture
def entra() -> Iterator[FakeEntraID]:
    fake = FakeEntraID().start()
    fake.client_secret = "the-right-secret"
    yield fake
    fake.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy_env(tmp_path: Path, slack: FakeSlackApi, entra: FakeEntraID) -> dict[str, str]:
    return {
        "CEU_DATA_DIR": str(tmp_path / "data"),
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": "s3cret",
        "SLACK_API_URL": slack.api_url,
        "SLACK_REVIEW_CHANNEL": "CREVIEW",
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": "the-right-secret",
        "MICROSOFT_APP_TENANT_ID": TENANT,
        "TEAMS_TOKEN_URL": entra.token_url,
        "TEAMS_REVIEW_CHANNEL": TEAMS_CHANNEL,
        "CEU_PUBLIC_URL": "https://ceu.example.org",  # reviewers get evidence links
    }


async def doctor(cwd: Path, env: dict[str, str], port: int | None = None) -> Doctor:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CEU_", "SLACK_", "MICROSOFT_", "TEAMS_"))}
    args = ["doctor", "--host", "127.0.0.1", "--port", str(port or free_port())]
    proc = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        *args,
        cwd=cwd,
        env=base | env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)  # the fakes keep answering meanwhile
    result = Doctor(proc.returncode or 0, out.decode(), err.decode())
    assert "Traceback" not in result.out + result.err, result.out + result.err
    return result


async def test_a_healthy_setup_is_all_ok(tmp_path: Path, slack: FakeSlackApi, entra: FakeEntraID) -> None:
    open_database(f"sqlite:///{tmp_path / 'data' / 'ceu.sqlite3'}").dispose()
    result = await doctor(tmp_path, healthy_env(tmp_path, slack, entra))
    assert result.code == 0, result.out + result.err
    assert {r[1] for r in result.rows()} == {"ok"}, result.out
    assert result.level("Slack auth.test") == [("ok", f"ceu-bot in Test (HTTP, {slack.api_url})")]
    assert result.level("Slack reviewers' channel") == [("ok", "#td-ceu-reviews (CREVIEW), the bot is a member")]
    assert result.level("Teams token")[0][0] == "ok"
    assert result.level("database")[0][1].endswith(": answers; migrations current")
    assert [c[0] for c in slack.calls] == ["auth.test", "conversations.info"]
    assert entra.token_requests[-1]["client_id"] == APP_ID


async def test_a_missing_status_trigger_is_a_problem(tmp_path: Path, slack: FakeSlackApi, entra: FakeEntraID) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'ceu.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER sv_person_update"))  # as a SQLite table rebuild would
    engine.dispose()
    result = await doctor(tmp_path, healthy_env(tmp_path, slack, entra))
    assert result.code == 1, result.out + result.err
    ((level, message),) = result.level("database")
    assert level == "problem" and "the status triggers sv_person_update are missing" in message, message


async def test_without_a_public_url_the_doctor_says_reviewers_get_no_evidence_link(
    tmp_path: Path, slack: FakeSlackApi, entra: FakeEntraID
) -> None:
    open_database(f"sqlite:///{tmp_path / 'data' / 'ceu.sqlite3'}").dispose()
    env = {k: v for k, v in healthy_env(tmp_path, slack, entra).items() if k != "CEU_PUBLIC_URL"}
    result = await doctor(tmp_path, env)
    assert result.code == 0, result.out + result.err  # a warning, not a problem
    ((level, detail),) = result.level("evidence links")
    assert level == "warning" and "CEU_PUBLIC_URL is not set" in detail and "ceu-bot evidence" in detail


async def test_every_problem_is_one_line(tmp_path: Path, slack: FakeSlackApi, entra: FakeEntraID) -> None:
    closed = free_port()
    env = healthy_env(tmp_path, slack, entra) | {
        "CEU_REMINDER_HOUR": "25",
        "CEU_TIMEZONE": "Mars/Olympus_Mons",
        "CEU_DATABASE_URL": f"postgres://ceu:hunter2@127.0.0.1:{closed}/ceu",
        "SLACK_REVIEW_CHANNEL": "COUTSIDE",
        "MICROSOFT_APP_PASSWORD": "a-wrong-secret",
    }
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = await doctor(tmp_path, env, port)
    assert result.code == 1
    problems = [r for r in result.rows() if r[1] == "problem"]
    assert [r[0] for r in problems] == [
        "settings",
        "settings",
        "port",
        "database",
        "Slack reviewers' channel",
        "Teams token",
    ], result.out
    assert problems[0][2] == "CEU_REMINDER_HOUR=25: must be an hour from 0 to 23"
    assert problems[1][2] == "CEU_TIMEZONE=Mars/Olympus_Mons: not a known time zone (like America/Chicago)"
    assert problems[2][2].startswith(f"port {port} on 127.0.0.1 is in use")
    assert problems[3][2].startswith(f"postgresql+psycopg://ceu:***@127.0.0.1:{closed}/ceu: the database does not")
    assert problems[4][2] == "the bot is not in #general (COUTSIDE): type /invite @ceu-bot in that channel"
    assert problems[5][2] == f"token endpoint answered 401: invalid_client (from {entra.token_url})"
    accepted = result.level("settings")[-1]  # postgres:// accepted as PostgreSQL
    assert accepted == (
        "ok",
        f"CEU_DATABASE_URL postgres://ceu:***@127.0.0.1:{closed}/ceu read as "
        f"postgresql+psycopg://ceu:***@127.0.0.1:{closed}/ceu",
    )
    assert "hunter2" not in result.out + result.err
    assert result.err.strip() == "6 problem(s)"


async def test_refused_token_unknown_channel_and_old_migrations(
    tmp_path: Path, slack: FakeSlackApi, entra: FakeEntraID
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'ceu.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    engine.dispose()
    env = healthy_env(tmp_path, slack, entra) | {"SLACK_BOT_TOKEN": "xoxb-revoked", "TEAMS_REVIEW_CHANNEL": "reviews"}
    result = await doctor(tmp_path, env)
    assert result.code == 1
    assert result.level("Slack auth.test") == [("problem", f"invalid_auth (at {slack.api_url})")]
    assert result.level("Teams reviewers' channel") == [
        ("problem", "reviews: not a channel's conversation id (19:...@thread.tacv2)")
    ]
    (database,) = result.level("database")
    assert database[0] == "warning" and "migrations not current: the database is at 0002" in database[1]

    env = healthy_env(tmp_path, slack, entra) | {"SLACK_REVIEW_CHANNEL": "CGONE0000"}
    result = await doctor(tmp_path, env)
    assert result.level("Slack reviewers' channel") == [
        (
            "problem",
            "CGONE0000: channel_not_found (no such channel, or a private channel the bot is not in: "
            "invite it with /invite @ceu-bot)",
        )
    ]


async def test_nothing_configured_says_so_beside_a_running_bot(tmp_path: Path) -> None:
    """No platform configured is a warning; the port taken by a ceu-bot that answers /healthz is no problem (the
    doctor run beside the service); and the doctor creates nothing."""
    engine = open_database(f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}")
    settings = Settings(CEU_DATA_DIR=tmp_path / "elsewhere", CEU_SCHEDULER=False, _env_file=None)  # type: ignore[call-arg]
    server = TestServer(build_app(Services(settings, engine)), host="127.0.0.1")
    await server.start_server()
    port = server.port
    try:
        result = await doctor(tmp_path, {"CEU_DATA_DIR": str(tmp_path / "data")}, port)
    finally:
        await server.close()
        engine.dispose()
    assert result.code == 0, result.out
    assert result.level("port") == [("ok", f"127.0.0.1:{port} is taken by a running ceu-bot (its /healthz answers)")]
    assert result.level("Slack")[0][0] == "skipped" and result.level("Teams")[0][0] == "skipped"
    assert result.level("platforms") == [("warning", "neither Slack nor Teams is configured: nobody can reach the bot")]
    assert not (tmp_path / "data").exists()  # the doctor creates nothing
