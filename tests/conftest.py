"""Shared fixtures: real databases (SQLite file, and PostgreSQL where configured), contexts and CSV helpers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings
from sqlalchemy import Engine

from handlers.context import Context
from handlers.imports import import_bytes
from storage.db import open_database
from tests.dbs import database_url
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi

if TYPE_CHECKING:
    from tests.fakes.chat import Ask

# Property tests assert what holds, never how fast: Hypothesis' per-example deadline (200 ms) is a timed assertion
# that a loaded 2-core CI machine trips at random, so it is off for the whole suite.
settings.register_profile("ceu", deadline=None)
settings.load_profile("ceu")

# A developer's .env (CEU_ENV_FILE, bot/settings.py) must not reach the tests: no settings file unless a test names one.
os.environ["CEU_ENV_FILE"] = ""

TODAY = date(2025, 3, 3)  # a Monday in FY2025


def _refused() -> dict[int, tuple[object, list[str]]]:
    """Each live fake's list of what Slack / Teams would have refused, by the fake's id."""
    out: dict[int, tuple[object, list[str]]] = {}
    for slack in list(FakeSlackApi.live):
        out[id(slack)] = (slack, slack.payload_errors)
    for teams in list(FakeBotConnector.live):
        out[id(teams)] = (teams, teams.card_errors)
    return out


@pytest.fixture(autouse=True)
def platforms_accept_every_payload() -> Iterator[None]:
    """A test fails when something it made the bot send would be refused by Slack (blocks and views parsed back
    through slack_sdk.models, Slack's limits) or Teams (the published Adaptive Card 1.5 schema, Teams' size limit),
    whatever else it checks. Fakes made by wider-scoped fixtures count from where this test began."""
    before = {key: len(errors) for key, (_, errors) in _refused().items()}
    yield
    new = [e for key, (_, errors) in _refused().items() for e in errors[before.get(key, 0) :]]
    if new:
        pytest.fail("Slack or Teams would refuse what the bot sent:\n" + "\n".join(new[:20]), pytrace=False)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Both database kinds: use in storage and reminder tests."""
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ceu.sqlite3'}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    eng = open_database(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture
def any_engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
async def ask(tmp_path: Path) -> AsyncIterator[Ask]:
    """`await ask(platform, who, text)`: what `who` sees after sending `text` on Slack or Teams (tests/fakes/chat)."""
    from tests.fakes.chat import Chats  # the harnesses import this module's seed data

    async with Chats(tmp_path) as chats:
        yield chats.ask


def make_ctx(engine: Engine, tmp_path: Path, today: date = TODAY) -> Context:
    return Context(engine, today, evidence_dir=tmp_path / "evidence")


@pytest.fixture
def ctx(engine: Engine, tmp_path: Path) -> Context:
    return make_ctx(engine, tmp_path)


@pytest.fixture
def any_ctx(any_engine: Engine, tmp_path: Path) -> Context:
    return make_ctx(any_engine, tmp_path)


ROSTER = """email,name,district,role_start,cto_completed,roles
td@a.k12.al.us,Alex Director,Alpha County,2024-11-15,,director
old@b.k12.al.us,Blair Veteran,Beta City,2010-08-01,,
rev@alet.org,Robin Reviewer,ALET,,,reviewer;admin
sde@alsde.edu,Sasha SDE,ALSDE,,,sde
"""

ALET_CATALOG = """code,title,kind,date,hours,strands,up_to,per_unit,counts_for_td,evidence,earliest
FALL24,ALET Fall Conference 2024,conference,2024-11-05,6,1;5,true,,,,
CAMP25,ALET Cyber Camp Spring,cyber_camp,2025-02-20,6,5,true,,,,
REGION25,ALET Region Meeting,region_meeting,2025-04-10,2,1;6,true,,,,
TALENT-DATA,TD-Talent Data Governance,talent_online,,1.5,6,false,,,,
TALENT-INTRO,TD-Talent Welcome,talent_online,,1,1,true,,false,,
"""


def load(ctx: Context, kind: str, text: str, fy: int | None = None) -> None:
    import_bytes(ctx, kind, text.encode(), f"{kind}.csv", fy=fy)


def seed_basic(ctx: Context) -> None:
    """The roster above and the ALET catalog of FY2025 (the shipped external events are already there)."""
    load(ctx, "roster", ROSTER)
    load(ctx, "catalog", ALET_CATALOG, fy=2025)
