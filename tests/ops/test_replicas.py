"""Two replicas: two real `ceu-bot serve` processes on one PostgreSQL database (a schema of its own), each with its
own, empty data folder, behind the same Slack workspace (the fake Slack API). They share nothing but PostgreSQL:

- both start together on a new database (one migrates, the other waits);
- a director's submission made through replica A (a signed modal submission) is reviewed on replica B: B serves the
  signed evidence link from A's review post (the key and the bytes come from the database), and the reviewer's
  Approve on B updates A's post and makes the evidence upload into its thread that failed on A, with the right bytes;
- two reviewers press Approve at the same moment, one on each replica: one decision, one audit row, one DM;
- a reminder sweep run on both hosts at once sends each reminder once.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import Session, col, func, select

from handlers.context import Context
from storage.db import open_database
from storage.tables import AuditLog, EvidenceBlob, ReminderLog, ReviewPost, Submission
from tests.conftest import ALET_CATALOG, ROSTER, TODAY, load
from tests.dbs import postgres_schema_url
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import REVIEW_CHANNEL, USERS
from tests.served import SCRIPT, Served, serve_env, serving
from tests.slack.test_slack_workflow import PDF, buttons, message_text, submit_values
from tests.slack_signing import SECRET, block_action, interaction_body, signed_headers, view_submission

PUBLIC = "https://ceu.example.org"
LINK = re.compile(re.escape(PUBLIC) + r"(/evidence/[0-9a-f]{64}\?exp=\d+&(?:amp;)?sig=[0-9a-f]{64})")
SECOND_REVIEWER = "kim@alet.org,Kim Second,ALET,,,reviewer\n"
SWEEP_DAY = "2025-09-16"  # 14 days before the FY ends: both directors of the roster are behind


@dataclass
class Replicas:
    fake: FakeSlackApi
    url: str
    a: Served
    b: Served
    settings: dict[str, dict[str, str]]
    http: aiohttp.ClientSession

    def count(self, table: type, *where: Any) -> int:
        engine = open_database(self.url)
        try:
            with Session(engine) as s:
                return int(s.exec(select(func.count()).select_from(table).where(*where)).one())
        finally:
            engine.dispose()

    def one(self, table: type) -> Any:
        engine = open_database(self.url)
        try:
            with Session(engine) as s:
                return s.exec(select(table)).one()
        finally:
            engine.dispose()

    async def slack(self, replica: Served, payload: dict[str, Any]) -> int:
        body = interaction_body(payload)
        async with self.http.post(replica.url + "/slack/events", data=body, headers=signed_headers(body)) as resp:
            return resp.status

    async def until(self, what: str, check: Any, tries: int = 600) -> None:
        for _ in range(tries):  # work after the ack, on another process: bounded polling
            if check():
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"never happened: {what}; Slack calls: {self.fake.methods()}")


def replica_settings(data_dir: Path, url: str, fake: FakeSlackApi) -> dict[str, str]:
    return {
        "CEU_DATA_DIR": str(data_dir),
        "CEU_DATABASE_URL": url,  # CEU_EVIDENCE_STORE unset: the database store, PostgreSQL's default
        "CEU_TODAY": TODAY.isoformat(),
        "CEU_SCHEDULER": "false",
        "CEU_PUBLIC_URL": PUBLIC,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "SLACK_REVIEW_CHANNEL": REVIEW_CHANNEL,
    }


@pytest.fixture
async def replicas(tmp_path: Path) -> AsyncIterator[Replicas]:
    fake = FakeSlackApi()
    await fake.start()
    for user_id, email in {**USERS, "UKIM": "kim@alet.org"}.items():
        fake.add_user(user_id, email)
    try:
        with postgres_schema_url() as url:
            settings = {name: replica_settings(tmp_path / name / "data", url, fake) for name in ("a", "b")}
            async with AsyncExitStack() as stack:
                a, b = await asyncio.gather(  # both start at once on the new, empty database
                    stack.enter_async_context(serving(settings["a"], tmp_path / "a")),
                    stack.enter_async_context(serving(settings["b"], tmp_path / "b")),
                )
                engine = open_database(url)
                try:
                    ctx = Context(engine, TODAY)
                    load(ctx, "roster", ROSTER + SECOND_REVIEWER)
                    load(ctx, "catalog", ALET_CATALOG, fy=2025)
                finally:
                    engine.dispose()
                http = await stack.enter_async_context(aiohttp.ClientSession())
                yield Replicas(fake, url, a, b, settings, http)
    finally:
        await fake.close()


def press(fake: FakeSlackApi, user: str, post: dict[str, Any], ts: str) -> dict[str, Any]:
    return block_action(
        user_id=user,
        action_id="review.approve",
        value=buttons(post)["review.approve"],
        channel=REVIEW_CHANNEL,
        message_ts=ts,
        response_url=fake.response_url(f"click-{user}-{ts}"),
    )


async def submit_on(r: Replicas, replica: Served, user: str, view_id: str) -> tuple[dict[str, Any], str]:
    """A director's modal submission through `replica`: its review post and the post's ts."""
    before = len(r.fake.calls_to("chat.postMessage"))
    submitted = view_submission(user_id=user, callback_id="submit", values=submit_values(), view_id=view_id)
    assert await r.slack(replica, submitted) == 200
    posts = await r.fake.wait_for("chat.postMessage", before + 1, timeout=60)
    post = posts[before]
    assert post["channel"] == REVIEW_CHANNEL
    await r.until("the review post recorded", lambda: r.count(ReviewPost) == before + 1)
    engine = open_database(r.url)
    try:
        with Session(engine) as s:
            ts = s.exec(select(ReviewPost.message_id).order_by(col(ReviewPost.id).desc())).first()
    finally:
        engine.dispose()
    assert ts
    return post, ts


async def test_a_submission_on_one_replica_is_reviewed_on_the_other(replicas: Replicas, tmp_path: Path) -> None:
    r, fake = replicas, replicas.fake
    fake.add_file("F1", PDF, name="certificate.pdf", mimetype="application/pdf")
    fake.fail("files.completeUploadExternal", "internal_error")  # A's upload into the thread fails
    post, ts = await submit_on(r, r.a, "UTD", "VSUB1")
    assert "Alex Director" in message_text(post)
    assert r.count(EvidenceBlob) == 1 and fake.uploads == []
    for replica in ("a", "b"):  # nothing on either host's disk
        assert not (tmp_path / replica / "data" / "evidence").exists()
        assert not (tmp_path / replica / "data" / "evidence-link.key").exists()

    # B serves the link A put in the post: the same key (in the database) and the bytes (in the database)
    found = LINK.search(message_text(post))
    assert found, message_text(post)
    async with r.http.get(r.b.url + found.group(1).replace("&amp;", "&")) as resp:
        assert resp.status == 200 and await resp.read() == PDF

    # A's failed upload takes its post's "(file in this thread)" back with one update
    [retracted] = await fake.wait_for("chat.update", timeout=60)
    assert retracted["ts"] == ts and "file in this thread" not in message_text(retracted)

    # the reviewer approves on B: B updates A's post and makes the upload A could not, with the right bytes
    assert await r.slack(r.b, press(fake, "UREV", post, ts)) == 200
    await r.until("the evidence in the review thread", lambda: len(fake.uploads) >= 1)
    decided = (await fake.wait_for("chat.update", 2, timeout=60))[1]
    assert decided["ts"] == ts and "Approved" in message_text(decided)
    # once B's upload is in the thread, the post says so again, still approved
    final = (await fake.wait_for("chat.update", 3, timeout=60))[2]
    assert final["ts"] == ts and "Approved" in message_text(final) and "file in this thread" in message_text(final)
    [upload] = fake.uploads
    assert upload["data"] == PDF and upload["thread_ts"] == ts
    assert hashlib.sha256(upload["data"]).hexdigest() == r.one(Submission).evidence_sha256
    await r.until("the DM to the director", lambda: len(dms(fake, "DUTD")) >= 1)
    assert r.one(Submission).status == "approved" and len(dms(fake, "DUTD")) == 1


async def test_two_presses_on_two_replicas_at_once_decide_once(replicas: Replicas) -> None:
    r, fake = replicas, replicas.fake
    fake.add_file("F1", PDF, name="certificate.pdf", mimetype="application/pdf")
    post, ts = await submit_on(r, r.b, "UOLD", "VSUB2")
    first, second = press(fake, "UREV", post, ts), press(fake, "UKIM", post, ts)
    assert await asyncio.gather(r.slack(r.a, first), r.slack(r.b, second)) == [200, 200]
    await r.until("both presses answered", lambda: len(fake.calls_to("response_url")) >= 2)
    await r.until("the DM to the director", lambda: len(dms(fake, "DUOLD")) >= 1)
    assert r.one(Submission).status == "approved"
    assert r.count(AuditLog, col(AuditLog.action) == "submission.approve") == 1
    answers = [message_text(p) for p in fake.calls_to("response_url")]
    assert sum("already decided" in a for a in answers) == 1, answers
    assert len(dms(fake, "DUOLD")) == 1
    assert len(fake.uploads) == 1  # the evidence once in the thread, whoever won


def dms(fake: FakeSlackApi, channel: str) -> list[dict[str, Any]]:
    return [p for p in fake.calls_to("chat.postMessage") if p.get("channel") == channel]


async def test_a_sweep_on_both_replicas_at_once_sends_each_reminder_once(replicas: Replicas) -> None:
    r, fake = replicas, replicas.fake
    fake.reset_calls()
    procs = [
        await asyncio.create_subprocess_exec(
            str(SCRIPT),
            "remind",
            "--today",
            SWEEP_DAY,
            env=serve_env(r.settings[name]),
            cwd=r.settings[name]["CEU_DATA_DIR"].rsplit("/", 1)[0],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name in ("a", "b")
    ]
    outputs = [await asyncio.wait_for(p.communicate(), 300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert not any(b"Traceback" in out + err for out, err in outputs), outputs
    sent = [p for p in fake.calls_to("chat.postMessage") if str(p.get("channel", "")).startswith("D")]
    recipients = sorted(p["channel"] for p in sent)
    assert recipients == ["DUOLD", "DUTD"], recipients  # the two directors behind, once each
    assert r.count(ReminderLog, col(ReminderLog.kind) == "fy_deadline", col(ReminderLog.sent_at).is_not(None)) == 2
