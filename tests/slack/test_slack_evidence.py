"""Reviewers see the evidence on Slack: the stored file is uploaded (files_upload_v2 against the fake Slack Web API:
getUploadURLExternal -> the upload URL -> completeUploadExternal) into the thread of its review post, exactly once
per post, and a failed upload neither fails the post nor is lost (the next update of the post retries it)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.slack.client import make_client
from bot.slack.notifier import UPLOAD_KIND, SlackNotifier
from handlers.notify import DeliveryStatus
from handlers.payloads import EvidenceRef, ReviewItem
from handlers.reply import Reply, Section
from storage.evidence import check_evidence, evidence_path, store_evidence
from storage.evidence_store import FileStore
from storage.tables import ReminderLog
from tests.conftest import TODAY, make_ctx, seed_basic
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import REVIEW_CHANNEL, running_bot, settings_for
from tests.slack.test_slack_workflow import MAX_BYTES, PDF, submit_and_post


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi()
    await api.start()
    yield api
    await api.close()


@pytest.fixture
def notifier(fake: FakeSlackApi, engine: Engine, tmp_path: Path) -> SlackNotifier:
    seed_basic(make_ctx(engine, tmp_path))
    settings = settings_for(tmp_path, "sqlite://", fake.api_url, today=TODAY)
    return SlackNotifier(make_client(settings), engine, FileStore(tmp_path / "evidence"))


def review_with_file(tmp_path: Path, item_id: int = 7) -> Reply:
    ev = check_evidence(PDF, "certificate.pdf")
    sha = store_evidence(tmp_path / "evidence", ev)
    return Reply(
        title=f"Submission #{item_id}",
        sections=[Section(text="Waiting for review")],
        payload=ReviewItem("submission", item_id, "pending", EvidenceRef(sha, ev.mime, ev.name, ev.size)),
    )


async def test_review_post_gets_the_file_in_its_thread(
    fake: FakeSlackApi, notifier: SlackNotifier, tmp_path: Path
) -> None:
    reply = review_with_file(tmp_path)
    sent = await notifier.post_channel(REVIEW_CHANNEL, reply)
    assert sent.status is DeliveryStatus.SENT
    assert fake.methods() == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    [up] = fake.uploads
    assert up["data"] == PDF and up["filename"] == "certificate.pdf"
    assert (up["channel"], up["thread_ts"]) == (REVIEW_CHANNEL, sent.message_id)
    assert "submission #7" in up["initial_comment"]
    assert all(h == "Bearer xoxb-test-token" for h in fake.auth_headers if h)

    # the same post again (a retried fan-out, another replica, the decision's update): never a second upload
    assert await notifier.share_evidence(REVIEW_CHANNEL, sent.message_id, reply) is False
    updated = await notifier.update_message(REVIEW_CHANNEL, sent.message_id, reply)
    assert updated.status is DeliveryStatus.SENT
    assert len(fake.uploads) == 1
    assert fake.calls_to("files.getUploadURLExternal") == [fake.calls_to("files.getUploadURLExternal")[0]]
    with Session(notifier.engine) as s:
        [row] = s.exec(select(ReminderLog).where(ReminderLog.kind == UPLOAD_KIND)).all()
        assert row.sent_at is not None and row.step == "submission:7"


async def test_failed_upload_keeps_the_post_and_is_retried_on_update(
    fake: FakeSlackApi, notifier: SlackNotifier, tmp_path: Path
) -> None:
    reply = review_with_file(tmp_path)
    fake.fail("files.completeUploadExternal", "internal_error")
    sent = await notifier.post_channel(REVIEW_CHANNEL, reply)
    assert sent.status is DeliveryStatus.SENT  # the post stands; only the upload failed
    assert fake.uploads == []
    with Session(notifier.engine) as s:
        [row] = s.exec(select(ReminderLog).where(ReminderLog.kind == UPLOAD_KIND)).all()
        assert row.sent_at is None and "internal_error" in row.last_error
    await notifier.update_message(REVIEW_CHANNEL, sent.message_id, reply)
    assert [u["thread_ts"] for u in fake.uploads] == [sent.message_id]
    await notifier.update_message(REVIEW_CHANNEL, sent.message_id, reply)
    assert len(fake.uploads) == 1


async def test_reply_without_evidence_uploads_nothing(fake: FakeSlackApi, notifier: SlackNotifier) -> None:
    request = Reply(title="Event request #3", payload=ReviewItem("request", 3, "pending"))
    await notifier.post_channel(REVIEW_CHANNEL, request)
    assert fake.methods() == ["chat.postMessage"]


async def test_missing_stored_file_is_logged_not_raised(
    fake: FakeSlackApi, notifier: SlackNotifier, tmp_path: Path
) -> None:
    reply = review_with_file(tmp_path)
    evidence_path(tmp_path / "evidence", hashlib.sha256(PDF).hexdigest(), "application/pdf").unlink()
    sent = await notifier.post_channel(REVIEW_CHANNEL, reply)
    assert sent.status is DeliveryStatus.SENT and fake.uploads == []


async def test_submitted_evidence_lands_in_the_review_thread(tmp_path: Path, sqlite_url: str) -> None:
    """Over signed HTTP into the real server: submit with a file -> review post -> the file in its thread."""
    async with running_bot(tmp_path, sqlite_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES) as bot:
        seed_basic(bot.ctx())
        item_id, ts = await submit_and_post(bot)
        [complete] = await bot.fake.wait_for("files.completeUploadExternal")
        assert (complete["channel_id"], complete["thread_ts"]) == (REVIEW_CHANNEL, ts)
        [up] = bot.fake.uploads
        assert up["data"] == PDF and up["filename"] == "certificate.pdf"
        # the decision updates the post in place; the file is not uploaded again
        await bot.click("review.approve", f"submission:{item_id}", ts=ts)
        await bot.fake.wait_for("chat.update")
        await bot.fake.wait_for("chat.postMessage", 2)  # the DM comes after the update
        assert len(bot.fake.uploads) == 1
        assert not bot.fake.calls_to("files.upload")
