"""The Slack App Home (issue 14): signed app_home_opened events through the real server, views.publish recorded by
the fake Slack Web API; a director's numbers and buttons, a reviewer's waiting items with Approve / Reject, the
submitter's Home published again after a decision (the outbox), strangers, forged events, and the 100-block limit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from bot.slack.home import MAX_HOME_BLOCKS, home_view
from bot.slack.mount import SLACK_KEY
from handlers.home import home_for
from handlers.people import find_actor
from handlers.request import create_request
from handlers.status import build_status, headline
from handlers.void import void_record
from storage.people import by_email
from storage.tables import AuditLog, ChatIdentity, CreditRecord, Outbox, Person, Submission
from tests.conftest import TODAY, load, seed_basic
from tests.fakes.outbox import drain
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.review.test_workflow_request import GOOD as REQUEST
from tests.slack.test_slack_workflow import MAX_BYTES, submit_and_post
from tests.slack_signing import SECRET, event_body, home_opened, signed_headers

TD, REV = "td@a.k12.al.us", "rev@alet.org"


@pytest.fixture
async def bot(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackBot]:
    async with running_bot(tmp_path, sqlite_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES) as b:
        seed_basic(b.ctx())
        yield b


async def settle(bot: SlackBot) -> None:
    """The work started after the acks, then the outbox (home refreshes, DMs, post updates)."""
    surface = bot.server.app[SLACK_KEY]
    for _ in range(50):
        if not surface.tasks:
            break
        await asyncio.wait(set(surface.tasks), timeout=5)
    await drain(bot.services)


def published(bot: SlackBot, user: str) -> list[dict[str, Any]]:
    """The views published to `user`'s Home, oldest first."""
    views = [p["view"] for p in bot.fake.calls_to("views.publish") if p.get("user_id") == user]
    return [v if isinstance(v, dict) else json.loads(v) for v in views]


def view_text(view: dict[str, Any]) -> str:
    parts: list[str] = []
    for block in view.get("blocks") or []:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text["text"])
        parts.extend(e.get("text", "") for e in block.get("elements") or [] if isinstance(e.get("text"), str))
    return "\n".join(parts)


def actions(view: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["action_id"], e["value"]) for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


def headline_of(bot: SlackBot, email: str) -> str:
    ctx = bot.ctx()
    with ctx.session() as s:
        person = by_email(s, email)
        assert person is not None
        return headline(build_status(s, person, 2025, ctx.today))


async def test_a_directors_home_shows_their_status_and_the_command_buttons(bot: SlackBot) -> None:
    answer = await bot.open_home("UTD")
    assert answer.status == 200
    [view] = await bot.fake.wait_for("views.publish")
    assert view["user_id"] == "UTD" and view["view"]["type"] == "home"
    text = view_text(view["view"])
    # the same Reply as /ceu status: 12 hours remaining, 6 from ALET, the deadline with the days left
    assert "Alex, you need 12 more hours for FY2025 by September 30, 2025 (211 days), 6 of them from ALET." in text
    assert headline_of(bot, TD) in text
    assert "*Credited:* 0 of 12 hours" in text and "CTO Academy" in text
    assert actions(view["view"]) == [
        ("home.submit", "submit"),
        ("home.request", "request"),
        ("home.history", "history"),
    ]
    await bot.command("status", key="st")
    status = await bot.wait_response("st")
    status_lines = [b["text"]["text"] for b in status["blocks"] if isinstance(b.get("text"), dict)]
    assert all(line in text for line in status_lines)  # every line of the status answer is on the Home


async def test_opening_the_home_leaves_the_status_answer_as_it_was(bot: SlackBot) -> None:
    await bot.open_home("UTD")  # builds, and keeps, the status the Home shows
    await bot.fake.wait_for("views.publish")
    status = await bot.ask("UTD", "status")
    assert "TD-CEU status, FY2025" in status
    assert [b for b in status.raw["blocks"] if b["type"] == "actions"] == []  # the Home's buttons stay on the Home


async def test_the_messages_tab_publishes_nothing(bot: SlackBot) -> None:
    assert (await bot.open_home("UTD", tab="messages")).status == 200
    await settle(bot)
    assert bot.fake.calls_to("views.publish") == []


async def test_home_buttons_do_what_the_commands_do(bot: SlackBot) -> None:
    await bot.home_click("home.history", "history", "UTD")
    [history] = await bot.fake.wait_for("views.open")
    assert history["trigger_id"] == "1337.45.home" and history["view"]["type"] == "modal"
    assert "FY2025" in view_text(history["view"])
    await bot.home_click("home.submit", "submit", "UTD")
    opened_views = await bot.fake.wait_for("views.open", 2)
    assert opened_views[1]["view"]["callback_id"] == "submit"  # the /ceu submit modal itself
    await bot.home_click("home.history", "history", "USDE")  # not a director: the command's refusal
    refusal = (await bot.fake.wait_for("views.open", 3))[2]
    assert "technology directors" in view_text(refusal["view"])


async def test_reviewer_sees_waiting_items_with_buttons_and_an_approve_republishes_the_submitters_home(
    bot: SlackBot,
) -> None:
    item_id, _ = await submit_and_post(bot)
    await bot.open_home("UTD", event_id="Ev1")
    await bot.open_home("UREV", event_id="Ev2")
    await settle(bot)
    before = published(bot, "UTD")[-1]
    assert "*Pending review:* 4 hours" in view_text(before)
    rev = published(bot, "UREV")[-1]
    rev_text = view_text(rev)
    assert f"Submission #{item_id}: " in rev_text and "from Alex Director" in rev_text
    assert ("review.approve", f"submission:{item_id}") in actions(rev)
    assert ("review.reject", f"submission:{item_id}") in actions(rev)
    assert "TD-CEU overview, FY2025" in rev_text  # Robin is an admin too: both parts
    td_views, rev_views = len(published(bot, "UTD")), len(published(bot, "UREV"))

    answer = await bot.home_click("review.approve", f"submission:{item_id}", "UREV")
    assert answer.status == 200
    await settle(bot)
    with bot.ctx().session() as s:
        sub = s.get(Submission, item_id)
        assert sub is not None and sub.status == "approved"
    notice = bot.fake.calls_to("views.open")[-1]  # the presser's answer: a modal (no message to answer under)
    assert "Approved" in view_text(notice["view"])
    after = published(bot, "UTD")
    assert len(after) > td_views  # published again through the outbox, with the new numbers
    text = view_text(after[-1])
    assert "you need 8 more hours for FY2025 by September 30, 2025 (211 days), 6 of them from ALET" in text
    assert "*Credited:* 4 of 12 hours" in text and "Pending review" not in text
    assert len(published(bot, "UREV")) > rev_views
    assert "Nothing is waiting for review" in view_text(published(bot, "UREV")[-1])
    with bot.ctx().session() as s:
        open_rows = s.exec(select(func.count()).select_from(Outbox).where(Outbox.done_at == None)).one()  # noqa: E711
        assert open_rows == 0


async def test_reject_on_the_home_asks_the_reason_then_the_submitters_home_shows_the_hours_freed(bot: SlackBot) -> None:
    item_id, _ = await submit_and_post(bot)
    await bot.open_home("UTD")
    await settle(bot)
    assert "*Pending review:* 4 hours" in view_text(published(bot, "UTD")[-1])
    await bot.home_click("review.reject", f"submission:{item_id}", "UREV")
    [form] = await bot.fake.wait_for("views.open")
    assert form["view"]["callback_id"] == "reject_reason"
    reason = {"reason": {"reason": {"type": "plain_text_input", "value": "The certificate shows no date"}}}
    meta = form["view"]["private_metadata"]
    answer = await bot.submit_view("reject_reason", reason, user="UREV", private_metadata=meta, view_id="VREJ")
    assert answer.status == 200 and "Rejected" in answer.text
    await settle(bot)
    with bot.ctx().session() as s:
        sub = s.get(Submission, item_id)
        assert sub is not None and sub.status == "rejected"
    text = view_text(published(bot, "UTD")[-1])
    assert "Pending review" not in text and "you need 12 more hours" in text


async def test_an_import_that_credits_a_director_and_a_void_republish_their_home(bot: SlackBot) -> None:
    await bot.open_home("UTD")
    await settle(bot)
    assert "*Credited:* 0 of 12 hours" in view_text(published(bot, "UTD")[-1])
    load(bot.ctx(), "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,4\n")
    await settle(bot)
    assert "*Credited:* 4 of 12 hours" in view_text(published(bot, "UTD")[-1])
    ctx = bot.ctx()
    with ctx.session() as s:
        rid = s.exec(select(CreditRecord.id)).one()
    admin = find_actor(ctx, REV, "cli")
    assert admin is not None and rid is not None
    assert void_record(ctx, admin, rid, "entered for the wrong director").ok
    await settle(bot)
    assert "*Credited:* 0 of 12 hours" in view_text(published(bot, "UTD")[-1])
    assert [p["user_id"] for p in bot.fake.calls_to("views.publish")] == ["UTD"] * 3  # Robin has no Slack account


async def test_someone_not_on_the_roster_is_told_whom_to_contact_and_nothing_is_written(bot: SlackBot) -> None:
    before = counts(bot)
    await bot.open_home("UNOBODY")
    [view] = await bot.fake.wait_for("views.publish")
    text = view_text(view["view"])
    assert view["user_id"] == "UNOBODY" and "You are not on the TD-CEU roster yet" in text
    assert "stranger@example.org" in text and "Please contact" in text
    assert actions(view["view"]) == []
    await settle(bot)
    assert counts(bot) == before


def counts(bot: SlackBot) -> tuple[int, ...]:
    with bot.ctx().session() as s:
        return tuple(
            int(s.exec(select(func.count()).select_from(t)).one()) for t in (ChatIdentity, AuditLog, Outbox, Person)
        )


@pytest.mark.parametrize("forgery", ["wrong secret", "stale", "not json"])
async def test_forged_or_broken_events_publish_and_write_nothing(bot: SlackBot, forgery: str) -> None:
    before = counts(bot)
    body = event_body(home_opened("UTD"))
    if forgery == "wrong secret":
        headers = signed_headers(body, "not-the-secret", content_type="application/json")
    elif forgery == "stale":
        headers = signed_headers(body, SECRET, content_type="application/json", timestamp=1_000_000_000)
    else:
        body = body[:-5]
        headers = signed_headers(body, SECRET, content_type="application/json")
    answer = await bot.post(body, headers)
    assert answer.status in (400, 401)
    await settle(bot)
    assert bot.fake.calls == [] and counts(bot) == before


def test_a_long_queue_is_trimmed_to_slacks_100_blocks_with_a_more_line(any_ctx: Any) -> None:
    seed_basic(any_ctx)
    load(any_ctx, "roster", "email,name,district,role_start,cto_completed,roles\n" + BOTH)
    director = find_actor(any_ctx, TD, "slack")
    assert director is not None
    for n in range(60):
        reply = create_request(any_ctx, director, {**REQUEST, "title": f"Summit {n}"}, client_key=f"K{n}", platform="x")
        assert reply.ok, reply.to_text()
    both = find_actor(any_ctx, "boss@c.k12.al.us", "slack")
    assert both is not None
    home = home_for(any_ctx, both)
    assert home.waiting_total == 60
    view = home_view(home)
    assert len(view["blocks"]) <= MAX_HOME_BLOCKS
    text = view_text(view)
    assert "Casey, you need" in text and "60 items waiting for review" in text  # a director and a reviewer: both
    shown = sum(1 for a, _ in actions(view) if a == "review.approve")
    assert 10 <= shown < 60 and f"… and {60 - shown} more waiting" in text
    assert ("home.submit", "submit") in actions(view)


BOTH = "boss@c.k12.al.us,Casey Both,Gamma County,2015-07-01,,director;reviewer\n"
