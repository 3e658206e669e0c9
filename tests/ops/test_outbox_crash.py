"""A decision's effects survive a crash, and two replicas deliver them once (issue 9), with real `ceu-bot serve`
subprocesses on SQLite and PostgreSQL and the fake Slack Web API:

- a reviewer approves through a serve process whose delivery loop is off (CEU_OUTBOX_DELIVERY=false, the setting a
  replica that leaves delivery to others runs with): the decision and its outbox rows are committed, nothing is
  sent yet. That process is killed with SIGKILL; a serve started after it sends exactly one DM to the submitter
  and updates the review post once (no buttons, who decided).
- two serve processes on one PostgreSQL database drain the same outbox of several decisions: every post update
  and every DM exactly once.
Every wait is bounded in time and count; nothing is asserted about timing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from bot.runner import off_loop
from bot.slack.client import make_client
from bot.slack.notifier import SlackNotifier
from handlers.context import Context
from handlers.payloads import Requested
from handlers.people import find_actor
from handlers.request import create_request
from handlers.review import decide
from handlers.review_flow import ReviewFlow
from storage.db import open_database
from storage.reviews import posts_for
from storage.tables import EventRequest, Outbox
from tests.conftest import TODAY, seed_basic
from tests.dbs import database_url
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import REVIEW_CHANNEL, USERS, settings_for
from tests.review.test_workflow_request import GOOD as REQUEST
from tests.slack_signing import SECRET, block_action, interaction_body, signed_headers

CEU_BOT = str(Path(sys.executable).with_name("ceu-bot"))
WAIT = 30.0  # seconds: the bound of every wait below


@dataclass
class World:
    tmp: Path
    url: str
    fake: FakeSlackApi
    engine: Engine

    def ctx(self) -> Context:
        return Context(self.engine, TODAY, evidence_dir=self.tmp / "data" / "evidence")

    def env(self, *, delivery: bool) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CEU_", "SLACK_", "MICROSOFT_", "TEAMS_"))}
        env.update(
            CEU_DATA_DIR=str(self.tmp / "data"),
            CEU_DATABASE_URL=self.url,
            CEU_TODAY=TODAY.isoformat(),
            CEU_SCHEDULER="false",
            CEU_OUTBOX_DELIVERY="true" if delivery else "false",
            SLACK_BOT_TOKEN="xoxb-test-token",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=self.fake.api_url,
            SLACK_REVIEW_CHANNEL=REVIEW_CHANNEL,
        )
        return env

    def effects(self) -> list[Outbox]:
        with self.ctx().session() as s:
            return list(s.exec(select(Outbox).order_by(col(Outbox.id))).all())

    def dms(self) -> list[dict[str, Any]]:
        return [p for p in self.fake.calls_to("chat.postMessage") if p.get("channel") != REVIEW_CHANNEL]

    def updates(self) -> list[dict[str, Any]]:
        return self.fake.calls_to("chat.update")


@pytest.fixture(params=["sqlite", "postgres"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@asynccontextmanager
async def world_of(kind: str, tmp_path: Path) -> AsyncIterator[World]:
    with database_url(kind, tmp_path) as url:
        fake = FakeSlackApi()
        await fake.start()
        for user_id, email in USERS.items():
            fake.add_user(user_id, email)
        engine = open_database(url)
        try:
            w = World(tmp_path, url, fake, engine)
            seed_basic(w.ctx())
            yield w
        finally:
            engine.dispose()
            await fake.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Serve:
    proc: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def start_serve(w: World, *, delivery: bool) -> Serve:
    port = free_port()
    log = open(w.tmp / f"serve-{port}.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [CEU_BOT, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=w.env(delivery=delivery),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    serve = Serve(proc, port)
    async with aiohttp.ClientSession() as http:
        for _ in range(int(WAIT / 0.1)):
            if proc.poll() is not None:
                raise AssertionError((w.tmp / f"serve-{port}.log").read_text())
            try:
                async with http.get(serve.url + "/healthz") as resp:
                    if resp.status == 200:
                        return serve
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    proc.kill()
    raise AssertionError("serve did not start")


def stop(serve: Serve, sig: int = signal.SIGTERM) -> None:
    if serve.proc.poll() is None:
        serve.proc.send_signal(sig)
    serve.proc.wait(timeout=WAIT)


async def until(what: str, check: Any) -> None:
    for _ in range(int(WAIT / 0.05)):
        if await off_loop(check):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def post_all(w: World, ids: list[int]) -> dict[int, str]:
    flow = ReviewFlow(offload=off_loop)
    settings = settings_for(w.tmp, w.url, w.fake.api_url, today=TODAY)
    flow.add(SlackNotifier(make_client(settings), w.engine, w.ctx().evidence_store()), REVIEW_CHANNEL)
    for rid in ids:
        assert await flow.post(w.ctx(), "request", rid) == 1
    posts = {p["text"]: p for p in w.fake.calls_to("chat.postMessage")}
    assert len(posts) == len(ids)
    with w.ctx().session() as s:
        return {rid: posts_for(s, "request", rid)[0].message_id or "" for rid in ids}


def make_requests(w: World, n: int) -> list[int]:
    ctx = w.ctx()
    actor = find_actor(ctx, "td@a.k12.al.us", "slack")
    assert actor is not None
    ids = []
    for i in range(n):
        reply = create_request(ctx, actor, {**REQUEST, "title": f"Cyber Day {i}"}, client_key=f"r{i}", platform="slack")
        assert reply.ok, reply.to_text()
        ids.append(reply.expect(Requested).request_id)
    return ids


async def click_approve(serve: Serve, request_id: int, ts: str, w: World) -> None:
    payload = block_action(
        user_id="UREV",
        action_id="review.approve",
        value=f"request:{request_id}",
        channel=REVIEW_CHANNEL,
        message_ts=ts,
        response_url=w.fake.response_url("click"),
    )
    body = interaction_body(payload)
    headers = signed_headers(body)
    async with aiohttp.ClientSession() as http, http.post(serve.url + "/slack/events", data=body, headers=headers) as r:
        assert r.status == 200


def all_done(w: World) -> bool:
    rows = w.effects()
    return bool(rows) and all(r.done_at is not None for r in rows)


def approved(w: World, request_id: int) -> bool:
    with w.ctx().session() as s:
        req = s.get(EventRequest, request_id)
        return req is not None and req.status == "approved"


async def test_sigkill_between_commit_and_send_then_restart_sends_once(kind: str, tmp_path: Path) -> None:
    async with world_of(kind, tmp_path) as w:
        (rid,) = make_requests(w, 1)
        ts = (await post_all(w, [rid]))[rid]
        w.fake.reset_calls()
        first = await start_serve(w, delivery=False)
        try:
            await click_approve(first, rid, ts, w)
            await until("the presser's notice", lambda: bool(w.fake.calls_to("response_url")))
            assert approved(w, rid)
            # committed with the decision: the post's update, the DM, and the App Home of Robin (the queue changed)
            assert sorted(r.kind for r in w.effects()) == ["dm", "home", "update"]
            assert all(r.done_at is None and r.claimed_at is None for r in w.effects())
            assert w.dms() == [] and w.updates() == []  # ... and nothing sent
        finally:
            stop(first, signal.SIGKILL)
        assert first.proc.returncode == -signal.SIGKILL

        second = await start_serve(w, delivery=True)
        try:
            await until("the outbox to drain", lambda: all_done(w))
        finally:
            stop(second)
        (dm,) = w.dms()
        assert "was approved" in str(dm.get("text"))
        (update,) = w.updates()
        assert (update["channel"], update["ts"]) == (REVIEW_CHANNEL, ts)
        assert "Approved by Robin Reviewer" in str(update.get("text")) + str(update.get("blocks"))
        assert "review.approve" not in str(update.get("blocks"))  # no buttons any more
        assert [r.attempts for r in w.effects()] == [1, 1, 1]
        assert [p["user_id"] for p in w.fake.calls_to("views.publish")] == ["UREV"]


async def test_two_replicas_on_postgres_deliver_each_effect_once(tmp_path: Path) -> None:
    async with world_of("postgres", tmp_path) as w:
        ids = make_requests(w, 6)
        posts = await post_all(w, ids)
        ctx = w.ctx()
        reviewer = find_actor(ctx, "rev@alet.org", "slack")
        assert reviewer is not None
        for rid in ids:  # decided (and their outbox rows committed) with no delivery loop running
            assert decide(ctx, reviewer, "request", rid, True, with_dm=False).ok
        w.fake.reset_calls()
        replicas = [await start_serve(w, delivery=True), await start_serve(w, delivery=True)]
        try:
            await until("the outbox to drain", lambda: all_done(w))
        finally:
            for r in replicas:
                stop(r)
        assert sorted(u["ts"] for u in w.updates()) == sorted(posts.values())  # each post once
        told = sorted(str(d.get("text")) for d in w.dms())
        assert len(told) == len(ids) and len(set(told)) == len(ids)  # each DM once
        assert all(r.attempts == 1 for r in w.effects())
