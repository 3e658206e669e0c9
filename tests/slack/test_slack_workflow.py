"""Submit -> review -> decision on Slack, over signed HTTP into the real server with the fake Slack Web API:
the modal's field errors, evidence download and checks, the review post and its buttons, approve / reject with
a reason, non-reviewers, double clicks and retries, and event requests landing in the catalog."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from storage.tables import AuditLog, CatalogEntry, EventRequest, ReviewPost, Submission
from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import REVIEW_CHANNEL, SlackBot, running_bot

PDF = b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 20
MAX_BYTES = 4096


@pytest.fixture
async def bot(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackBot]:
    async with running_bot(tmp_path, sqlite_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES) as b:
        seed_basic(b.ctx())
        yield b


def submit_values(
    *,
    event: str = "2025:EXT-FETC",
    day: str = "2025-02-10",
    hours: str = "4",
    strands: tuple[str, ...] = ("2", "5"),
    file_id: str | None = "F1",
    assignment: str | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        "event": {"event": {"type": "static_select", "selected_option": {"value": event}}},
        "date": {"date": {"type": "datepicker", "selected_date": day}},
        "hours": {"hours": {"type": "plain_text_input", "value": hours}},
        "strands": {"strands": {"type": "multi_static_select", "selected_options": [{"value": s} for s in strands]}},
        "evidence": {"evidence": {"type": "file_input", "files": [{"id": file_id, "name": "x"}] if file_id else []}},
        "assignment": {"assignment": {"type": "plain_text_input", "value": assignment}},
    }


def request_values(
    title: str = "Alabama Cyber Defense Day", start: str = "2025-04-15", end: str = ""
) -> dict[str, Any]:
    return {
        "title": {"title": {"type": "plain_text_input", "value": title}},
        "organiser": {"organiser": {"type": "plain_text_input", "value": "Alabama Cyber Council"}},
        "start": {"start": {"type": "datepicker", "selected_date": start}},
        "end": {"end": {"type": "datepicker", "selected_date": end or start}},
        "in_person": {"in_person": {"type": "checkboxes", "selected_options": [{"value": "in_person"}]}},
        "hours": {"hours": {"type": "plain_text_input", "value": "3"}},
        "strands": {"strands": {"type": "multi_static_select", "selected_options": [{"value": "5"}]}},
        "agenda_url": {"agenda_url": {"type": "url_text_input", "value": "https://example.org/agenda"}},
    }


def message_text(msg: dict[str, Any]) -> str:
    parts = [str(msg.get("text", ""))]
    for block in msg.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
    return "\n".join(parts)


def buttons(msg: dict[str, Any]) -> dict[str, str]:
    return {
        e["action_id"]: e["value"] for b in msg.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]
    }


def submissions(bot: SlackBot) -> list[Submission]:
    with bot.ctx().session() as s:
        return list(s.exec(select(Submission)).all())


def audit_actions(bot: SlackBot) -> list[str]:
    with bot.ctx().session() as s:
        return [a.action for a in s.exec(select(AuditLog).order_by(col(AuditLog.id))).all()]


def stored_files(bot: SlackBot) -> list[Path]:
    root = bot.services.settings.evidence_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def submit_and_post(bot: SlackBot, view_id: str = "VSUB1") -> tuple[int, str]:
    """A good submission; returns (submission id, ts of its review post)."""
    bot.fake.add_file("F1", PDF, name="certificate.pdf", mimetype="application/pdf")
    answer = await bot.submit_view("submit", submit_values(), view_id=view_id)
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["response_action"] == "update", body
    [post] = await bot.fake.wait_for("chat.postMessage")
    assert post["channel"] == REVIEW_CHANNEL
    value = buttons(post)["review.approve"]
    item_id = int(value.split(":")[1])
    await _recorded(bot, item_id)
    with bot.ctx().session() as s:
        row = s.exec(select(ReviewPost).where(ReviewPost.item_id == item_id)).one()
    assert row.message_id
    return item_id, row.message_id


async def _recorded(bot: SlackBot, item_id: int) -> None:
    import asyncio

    for _ in range(400):
        with bot.ctx().session() as s:
            if s.exec(select(ReviewPost).where(ReviewPost.item_id == item_id)).first():
                return
        await asyncio.sleep(0.005)
    raise AssertionError("the review post was not recorded")


async def status_text(bot: SlackBot, key: str) -> str:
    await bot.command("status", key=key)
    return message_text(await bot.wait_response(key))


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_submit_review_approve_changes_status(tmp_path: Path, kind: str) -> None:
    from tests.dbs import database_url

    with database_url(kind, tmp_path) as url:
        async with running_bot(tmp_path, url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES) as bot:
            seed_basic(bot.ctx())
            before = await status_text(bot, "before")
            assert "Pending review" not in before

            item_id, ts = await submit_and_post(bot)
            # evidence: fetched via files.info with the bot token, stored by content hash, never by its name
            assert [c["file"] for c in bot.fake.calls_to("files.info")] == ["F1"]
            assert bot.fake.file_downloads == [("F1", "Bearer xoxb-test-token")]
            assert bot.services.evidence.read(hashlib.sha256(PDF).hexdigest(), "application/pdf") == PDF
            files = stored_files(bot)  # on PostgreSQL the evidence is kept in the database by default
            assert len(files) == (1 if kind == "sqlite" else 0) and all("certificate" not in str(f) for f in files)
            [post] = bot.fake.calls_to("chat.postMessage")
            assert "Alex Director" in message_text(post) and post["text"]
            assert "Pending review: 4 hours" in await status_text(bot, "pending")

            assert (await bot.click("review.approve", f"submission:{item_id}", ts=ts)).status == 200
            notice = await bot.wait_response("click")
            assert notice["response_type"] == "ephemeral"
            [update] = await bot.fake.wait_for("chat.update")
            assert (update["channel"], update["ts"]) == (REVIEW_CHANNEL, ts)
            assert "Approved by Robin Reviewer" in message_text(update)
            assert "review.approve" not in buttons(update)
            dm = (await bot.fake.wait_for("chat.postMessage", 2))[1]
            assert dm["channel"] == "DUTD"  # users.lookupByEmail -> conversations.open
            assert [c["email"] for c in bot.fake.calls_to("users.lookupByEmail")] == ["td@a.k12.al.us"]
            assert "submission.approve" in audit_actions(bot)
            after = await status_text(bot, "after")
            assert "External hours: 4 (up to 6 count)" in after
            [sub] = submissions(bot)
            assert sub.status == "approved"


async def test_double_click_and_retry_change_nothing(bot: SlackBot) -> None:
    item_id, ts = await submit_and_post(bot)
    await bot.click("review.approve", f"submission:{item_id}", ts=ts, key="first")
    await bot.wait_response("first")
    await bot.fake.wait_for("chat.postMessage", 2)  # the DM
    audits = audit_actions(bot)
    [sub] = submissions(bot)
    decided_at = sub.decided_at

    await bot.click("review.approve", f"submission:{item_id}", ts=ts, key="second")
    second = await bot.wait_response("second")
    await bot.click("review.reject", f"submission:{item_id}", ts=ts, key="retry", retry_num=1)
    retry = await bot.wait_response("retry")
    for msg in (second, retry):
        assert msg["response_type"] == "ephemeral"
        assert "Robin Reviewer" in message_text(msg), message_text(msg)
    assert audit_actions(bot) == audits
    [sub] = submissions(bot)
    assert (sub.status, sub.decided_at) == ("approved", decided_at)
    assert len(bot.fake.calls_to("chat.postMessage")) == 2  # the review post and one DM, no more
    assert bot.fake.calls_to("views.open") == []  # no reason form for a decided item


async def test_reject_asks_a_reason_then_updates_and_dms(bot: SlackBot) -> None:
    item_id, ts = await submit_and_post(bot)
    await bot.click("review.reject", f"submission:{item_id}", ts=ts)
    [opened] = await bot.fake.wait_for("views.open")
    view = opened["view"]
    assert view["callback_id"] == "reject_reason"
    intro = view["blocks"][0]  # the modal names what is being rejected: who, what, hours
    assert intro["type"] == "section" and intro["text"]["text"] == (
        f"Rejecting Alex Director's 4 hours of Future of Educational Technology Conference, Florida "
        f"(submission #{item_id})"
    )
    meta = view["private_metadata"]
    assert json.loads(meta)["item"] == f"submission:{item_id}"

    empty = await bot.submit_view("reject_reason", {}, user="UREV", private_metadata=meta, view_id="VREJ")
    assert empty.json()["response_action"] == "errors"
    assert submissions(bot)[0].status == "pending"

    reason = {"reason": {"reason": {"type": "plain_text_input", "value": "The certificate shows no date."}}}
    answer = await bot.submit_view("reject_reason", reason, user="UREV", private_metadata=meta, view_id="VREJ")
    assert answer.json()["response_action"] == "update"
    [update] = await bot.fake.wait_for("chat.update")
    assert (update["channel"], update["ts"]) == (REVIEW_CHANNEL, ts)
    assert "Rejected by Robin Reviewer" in message_text(update)
    assert "The certificate shows no date." in message_text(update)
    dm = (await bot.fake.wait_for("chat.postMessage", 2))[1]
    assert "The certificate shows no date." in message_text(dm)
    [sub] = submissions(bot)
    assert (sub.status, sub.reason) == ("rejected", "The certificate shows no date.")
    assert "submission.reject" in audit_actions(bot)


@pytest.mark.parametrize("action", ["review.approve", "review.reject"])
async def test_non_reviewer_click_is_refused(bot: SlackBot, action: str) -> None:
    item_id, ts = await submit_and_post(bot)
    audits = audit_actions(bot)
    await bot.click(action, f"submission:{item_id}", user="UOLD", ts=ts)
    msg = await bot.wait_response("click")
    assert msg["response_type"] == "ephemeral"
    assert "Only ALET reviewers" in message_text(msg)
    assert submissions(bot)[0].status == "pending"
    assert audit_actions(bot) == audits
    assert bot.fake.calls_to("chat.update") == [] and bot.fake.calls_to("views.open") == []


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        (submit_values(hours="7"), "hours", "6"),
        (submit_values(day="2025-03-04"), "date", "future"),
        (submit_values(day="2024-09-30"), "date", "FY2025"),
        (submit_values(file_id=None), "evidence", ""),
        (submit_values(strands=()), "strands", ""),
    ],
)
async def test_bad_values_get_field_errors_and_nothing_is_written(
    bot: SlackBot, values: dict[str, Any], field: str, words: str
) -> None:
    bot.fake.add_file("F1", PDF, name="certificate.pdf", mimetype="application/pdf")
    answer = await bot.submit_view("submit", values)
    body = answer.json()
    assert body["response_action"] == "errors", body
    assert field in body["errors"], body
    assert words.lower() in body["errors"][field].lower(), body
    assert submissions(bot) == []
    assert bot.fake.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n" + b"x" * (MAX_BYTES + 10), "at most"),
        (b"MZ\x90\x00 this is a windows program, not a certificate", "not a PDF"),
    ],
)
async def test_oversized_or_wrong_type_evidence_is_refused(bot: SlackBot, data: bytes, words: str) -> None:
    bot.fake.add_file("F1", data, name="certificate.pdf", mimetype="application/pdf")
    answer = await bot.submit_view("submit", submit_values())
    body = answer.json()
    assert body["response_action"] == "errors"
    assert words in body["errors"]["evidence"], body
    assert submissions(bot) == [] and stored_files(bot) == []


async def test_evidence_redirect_to_another_host_is_not_followed(bot: SlackBot) -> None:
    bot.fake.add_file("F1", PDF, name="c.pdf", mimetype="application/pdf", redirect_to="http://127.0.0.2:9/steal")
    body = (await bot.submit_view("submit", submit_values())).json()
    assert body["response_action"] == "errors"
    assert "could not fetch" in body["errors"]["evidence"]
    assert submissions(bot) == []


async def test_same_view_submitted_twice_is_one_submission(bot: SlackBot) -> None:
    await submit_and_post(bot, view_id="VSAME")
    again = await bot.submit_view("submit", submit_values(), view_id="VSAME")
    assert again.json()["response_action"] == "update"
    await bot.command("help", key="sync")
    await bot.wait_response("sync")
    assert len(submissions(bot)) == 1
    assert len(bot.fake.calls_to("chat.postMessage")) == 1


async def test_unknown_user_submitting_is_told_whom_to_contact(bot: SlackBot) -> None:
    bot.fake.add_file("F1", PDF, name="certificate.pdf", mimetype="application/pdf")
    body = (await bot.submit_view("submit", submit_values(), user="UNOBODY")).json()
    assert body["response_action"] == "update"
    assert "not on the TD-CEU roster" in json.dumps(body["view"])
    assert submissions(bot) == [] and bot.fake.calls_to("files.info") == []


async def test_request_review_approve_adds_to_catalog(bot: SlackBot) -> None:
    answer = await bot.submit_view("request", request_values(), user="UOLD", view_id="VREQ")
    assert answer.json()["response_action"] == "update", answer.text
    [post] = await bot.fake.wait_for("chat.postMessage")
    value = buttons(post)["review.approve"]
    assert value.startswith("request:")
    await _recorded(bot, int(value.split(":")[1]))
    with bot.ctx().session() as s:
        ts = s.exec(select(ReviewPost)).one().message_id
    assert ts
    await bot.click("review.approve", value, ts=ts)
    await bot.fake.wait_for("chat.update")
    with bot.ctx().session() as s:
        req = s.exec(select(EventRequest)).one()
        assert req.status == "approved" and req.catalog_id is not None
        entry = s.get(CatalogEntry, req.catalog_id)
        assert entry is not None and entry.title == "Alabama Cyber Defense Day" and entry.fy == 2025


async def test_request_with_bad_dates_gets_field_errors(bot: SlackBot) -> None:
    body = (await bot.submit_view("request", request_values(start="2025-04-15", end="2025-04-10"), user="UOLD")).json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) & {"start", "end"}
    with bot.ctx().session() as s:
        assert s.exec(select(EventRequest)).all() == []


async def test_request_refused_for_a_reviewer_in_the_modal_too(bot: SlackBot) -> None:
    body = (await bot.submit_view("request", request_values(), user="UREV")).json()
    assert body["response_action"] == "update"
    assert "Only technology directors and SDE staff" in json.dumps(body["view"])
    with bot.ctx().session() as s:
        assert s.exec(select(EventRequest)).all() == []
