"""Logs an operator can trust (issue 9), from a real `ceu-bot serve` subprocess: one access line per HTTP
request (request id, route, status, outcome, time; personal data only as ids), no request body or query string
ever written, user-supplied text escaped so no line can be forged, CEU_LOG_FORMAT=json lines that all parse as
JSON, and a bad CEU_LOG_FORMAT / CEU_LOG_LEVEL stopped with one clear line.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.logs import escape
from storage.db import open_database
from tests.conftest import TODAY, make_ctx, seed_basic
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import USERS
from tests.served import SCRIPT, Served, free_port, serve_env, serving
from tests.slack_attacks import MARKER
from tests.slack_signing import SECRET, command_body, signed_headers

FORGED = "2026-01-01 00:00:00,000 ERROR ceu.forged: FORGED LINE"
TEXT_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+( \[\w+\])?: ")
ACCESS_FIELDS = {"request_id", "method", "route", "status", "outcome", "duration_ms"}


@dataclass
class Bot:
    served: Served
    fake: FakeSlackApi
    http: aiohttp.ClientSession

    @property
    def log(self) -> Path:
        return self.served.log

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        async with self.http.post(self.served.url + path, data=body, headers=headers) as resp:
            await resp.read()
            return resp.status

    async def get(self, path: str) -> int:
        async with self.http.get(self.served.url + path) as resp:
            await resp.read()
            return resp.status


@asynccontextmanager
async def running(tmp_path: Path, log_format: str) -> AsyncIterator[Bot]:
    """A real `ceu-bot serve` (tests/served.py) with Slack on, its Web API the fake, logging in `log_format`."""
    fake = FakeSlackApi()
    await fake.start()
    for user_id, email in USERS.items():
        fake.add_user(user_id, email)
    db_url = f"sqlite:///{tmp_path / 'ceu.sqlite3'}"
    engine = open_database(db_url)
    seed_basic(make_ctx(engine, tmp_path))
    engine.dispose()
    settings = {
        "CEU_DATA_DIR": str(tmp_path / "data"), "CEU_DATABASE_URL": db_url, "CEU_TODAY": TODAY.isoformat(),
        "CEU_SCHEDULER": "false", "CEU_LOG_FORMAT": log_format, "CEU_PUBLIC_URL": "https://ceu.example.org",
        "CEU_EVIDENCE_LINK_SECRET": "link-secret", "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url, "SLACK_REVIEW_CHANNEL": "CREVIEW",
    }  # fmt: skip
    try:
        async with serving(settings, tmp_path / "serve") as served, aiohttp.ClientSession() as http:
            yield Bot(served, fake, http)
    finally:
        await fake.close()


async def exercise(served: Bot) -> int:
    """Requests carrying the MARKER and a forged log line in the places an attacker controls; returns how many
    requests were sent (each must have exactly one access line)."""
    forged = f"{MARKER}\n{FORGED}\r\n{FORGED}"
    text = f"status {forged}"
    body = command_body(text, user_id="UTD", response_url=served.fake.response_url("cmd")).encode()
    assert await served.post("/slack/events", body, signed_headers(body.decode())) == 200
    await _reply(served)
    unsigned = json.dumps({"type": "event_callback", "event": {"text": "x"}}, indent=1).replace("x", forged).encode()
    assert await served.post("/slack/events", unsigned, {"Content-Type": "application/json"}) == 401
    assert await served.get("/evidence/" + "a" * 64 + f"?exp=1&sig={MARKER}") == 403  # the query stays out
    assert await served.get("/no-such/%0A" + FORGED.replace(" ", "%20") + "%1b[31m") == 404
    assert await served.post("/api/messages", forged.encode(), {"Content-Type": "application/json"}) == 404
    return 5


async def _reply(served: Bot) -> dict[str, Any]:
    for _ in range(200):  # the reply comes after the ack
        replies = served.fake.calls_to("response_url")
        if replies:
            return replies[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no reply: {served.fake.methods()}")


def access_lines(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The access lines of the requests the test sent (not of the /readyz polls that waited for the start)."""
    return [e for e in entries if e.get("logger") == "ceu.access" and e.get("route") != "/readyz"]


async def test_json_logs_parse_carry_one_access_line_per_request_and_no_body(tmp_path: Path) -> None:
    async with running(tmp_path, "json") as served:
        sent = await exercise(served)
    text = served.log.read_text()
    lines = text.splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(isinstance(e, dict) and {"time", "level", "logger", "message"} <= e.keys() for e in entries)
    access = access_lines(entries)
    assert len(access) == sent, access
    assert all(a.keys() >= ACCESS_FIELDS for a in access)
    assert len({a["request_id"] for a in access}) == len(access)
    by_route = {(a["route"], a["status"]): a for a in access}
    assert by_route[("/slack/events", 200)]["who"] == "slack:UTD"  # an id, never a name or e-mail
    assert by_route[("/slack/events", 401)]["outcome"] == "refused: signature headers missing"
    assert ("/evidence/{sha256}", 403) in by_route
    assert MARKER not in text  # never a body, never a query string
    assert "td@a.k12.al.us" not in text and "Alex" not in text
    assert "Traceback" not in text


async def test_text_logs_escape_forged_lines(tmp_path: Path) -> None:
    async with running(tmp_path, "text") as served:
        sent = await exercise(served)
    text = served.log.read_text()
    lines = text.splitlines()
    assert lines and all(TEXT_LINE.match(line) or line.startswith("  | ") for line in lines), text
    assert not any(line.startswith(FORGED) for line in lines)  # the forged record never stands on its own line
    access = [line for line in lines if " ceu.access [" in line and " /readyz " not in line]
    assert len(access) == sent, access
    [missing] = [line for line in access if " 404 " in line and "/no-such/" in line]
    assert "/no-such/\\n2026-01-01" in missing and "\\x1b[31m" in missing  # escaped, on its own line
    assert MARKER not in text and "Traceback" not in text


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CEU_LOG_FORMAT", "xml", "Error: CEU_LOG_FORMAT must be json or text, not 'xml'"),
        (
            "CEU_LOG_LEVEL",
            "loud",
            "Error: CEU_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'loud'",
        ),
        ("CEU_LOG_LEVEL", "info\x1b[2J", "Error: CEU_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ],
)
def test_a_bad_log_setting_is_one_clear_line(tmp_path: Path, name: str, value: str, message: str) -> None:
    run = subprocess.run(
        [str(SCRIPT), "serve", "--port", str(free_port())],
        cwd=tmp_path, env=serve_env({name: value, "CEU_DATA_DIR": str(tmp_path / "data")}),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1
    assert run.stderr.startswith(message) and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "\x1b" not in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "data").exists()  # stopped before anything was opened


def test_escape_puts_any_text_on_one_line() -> None:
    assert escape("a\nb\r\tc\x00\x1b[2J\x7f\x85\u2028\u2029é") == "a\\nb\\r\\tc\\x00\\x1b[2J\\x7f\\x85\\u2028\\u2029é"
