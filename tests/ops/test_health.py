"""/healthz and /readyz on the real aiohttp server: ready on a current database (SQLite and PostgreSQL); 503 with
the reason when the migrations are behind, when the database is unreachable, and when it is blocked (a lock held
by another session: no answer within a second); /healthz stays 200 throughout."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import Engine, create_engine, text

from bot.app import Services, build_app
from bot.settings import Settings
from storage.db import head_revision, make_engine, open_database
from tests.dbs import postgres_schema_url


def quiet_settings(tmp_path: Path) -> Settings:
    return Settings(CEU_DATA_DIR=tmp_path, CEU_SCHEDULER=False, _env_file=None)  # type: ignore[call-arg]


@asynccontextmanager
async def served(engine: Engine, tmp_path: Path) -> AsyncIterator[tuple[TestServer, aiohttp.ClientSession]]:
    server = TestServer(build_app(Services(quiet_settings(tmp_path), engine)), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            yield server, http
    finally:
        await server.close()


async def get(server: TestServer, http: aiohttp.ClientSession, path: str) -> tuple[int, Any]:
    async with http.get(f"http://127.0.0.1:{server.port}{path}") as resp:
        return resp.status, await resp.json()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_ready_on_a_current_database(db_url: str, tmp_path: Path) -> None:
    engine = open_database(db_url)
    try:
        async with served(engine, tmp_path) as (server, http):
            assert await get(server, http, "/healthz") == (200, {"ok": True})
            assert await get(server, http, "/readyz") == (200, {"ok": True})
    finally:
        engine.dispose()


async def test_not_ready_when_the_migrations_are_behind(db_url: str, tmp_path: Path) -> None:
    engine = open_database(db_url)
    head = head_revision()
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
        async with served(engine, tmp_path) as (server, http):
            status, body = await get(server, http, "/readyz")
            assert status == 503 and body["ok"] is False
            assert body["reason"] == (f"migrations not current: the database is at 0002, this code expects {head}")
            assert await get(server, http, "/healthz") == (200, {"ok": True})
    finally:
        engine.dispose()


async def test_not_ready_when_the_database_is_unreachable(tmp_path: Path) -> None:
    engine = make_engine(f"postgresql+psycopg://ceu@127.0.0.1:{closed_port()}/ceu")
    try:
        async with served(engine, tmp_path) as (server, http):
            status, body = await get(server, http, "/readyz")
            assert status == 503
            assert body["reason"].startswith("the database does not answer: OperationalError"), body
            assert "Traceback" not in body["reason"]
            assert await get(server, http, "/healthz") == (200, {"ok": True})
    finally:
        engine.dispose()


@pytest.mark.postgres
async def test_not_ready_when_the_database_is_blocked(tmp_path: Path) -> None:
    """Another session holds an exclusive lock on the schema's revision table: the check cannot finish, /readyz
    answers 503 after its one-second budget, and ready again once the lock is released."""
    with postgres_schema_url() as url:
        engine = open_database(url)
        blocker = create_engine(url)
        conn = blocker.connect()
        try:
            tx = conn.begin()
            conn.execute(text("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"))
            async with served(engine, tmp_path) as (server, http):
                status, body = await get(server, http, "/readyz")
                assert (status, body["reason"]) == (503, "the database did not answer within 1 s")
                tx.rollback()
                for _ in range(10):  # the held check finishes once the lock is gone; a slow machine may need a retry
                    status, body = await get(server, http, "/readyz")
                    if status == 200:
                        break
                assert (status, body) == (200, {"ok": True})
        finally:
            conn.close()
            blocker.dispose()
            engine.dispose()
