"""Fixtures of the Teams adapter's tests: the whole bot in --dev mode with the fake Bot Connector
(tests/fakes/teams_harness.py), seeded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.teams_harness import Teams, running_teams


@pytest.fixture
async def teams(tmp_path: Path) -> AsyncIterator[Teams]:
    """Our server with the shared roster and catalog and the four Teams members (a test module that needs other
    settings, e.g. real authentication, defines its own `teams`)."""
    async with running_teams(tmp_path) as harness:
        yield harness
