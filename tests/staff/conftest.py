"""Fixtures of the staff tests (overview, lookup, report): both platforms with one director's attendance loaded,
so an overview has someone on track and someone behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import TODAY, load, seed_basic
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.fakes.teams_harness import Teams, running_teams

ATTENDANCE = "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\n"


@pytest.fixture
async def slack(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackBot]:
    async with running_bot(tmp_path, sqlite_url, today=TODAY) as b:
        seed_basic(b.ctx())
        load(b.ctx(), "attendance", ATTENDANCE)
        yield b


@pytest.fixture
async def teams(tmp_path: Path) -> AsyncIterator[Teams]:
    async with running_teams(tmp_path) as harness:
        load(harness.services.context(), "attendance", ATTENDANCE)
        yield harness
