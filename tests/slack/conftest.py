"""Fixtures of the Slack adapter's tests: the whole bot with Slack on (tests/fakes/slack_harness.py), seeded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import SlackBot, running_bot


@pytest.fixture
async def bot(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackBot]:
    """Our server on SQLite with the fake Slack Web API, the shared roster and catalog loaded (a test module that
    needs other settings defines its own `bot`)."""
    async with running_bot(tmp_path, sqlite_url, today=TODAY) as b:
        seed_basic(b.ctx())
        yield b
