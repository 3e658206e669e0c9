"""Review messages open the evidence and the agenda by a labelled link, never a raw long URL (issue 14): Teams gets
`Action.OpenUrl` buttons ("Open evidence", "Open agenda (host)"), Slack `<url|label>` links and "(file in this
thread)" once the file is uploaded there; without CEU_PUBLIC_URL the message says how to get the file instead."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.slack.blocks import message_payload
from bot.teams.render import render_card
from handlers.context import Context
from handlers.payloads import Requested
from handlers.request import create_request
from handlers.review import review_reply
from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import running_bot
from tests.fakes.teams_harness import actions, running_teams, texts
from tests.review.test_workflow_request import GOOD as REQUEST
from tests.review.test_workflow_submit import actor
from tests.slack.test_slack_workflow import MAX_BYTES, message_text, submit_and_post
from tests.teams.test_teams_workflow import review_posts, submitted_with_file

PUBLIC = "https://ceu.example.org"
EVIDENCE_URL = re.compile(r"^https://ceu\.example\.org/evidence/[0-9a-f]{64}\?exp=\d+&sig=[0-9a-f]{64}$")


def posted_card(call: Any) -> dict[str, Any]:
    return dict(call.body["attachments"][0]["content"])


def fact_values(card: dict[str, Any]) -> list[str]:
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "FactSet":
                out.extend(f["value"] for f in node["facts"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return out


async def test_a_teams_review_card_opens_the_evidence_with_a_button(tmp_path: Path) -> None:
    async with running_teams(tmp_path, CEU_PUBLIC_URL=PUBLIC, CEU_EVIDENCE_MAX_BYTES=4096) as teams:
        await submitted_with_file(teams)
        (post,) = review_posts(teams)
        card = posted_card(post)
        (opener,) = [a for a in actions(card) if a["type"] == "Action.OpenUrl"]
        assert opener["title"] == "Open evidence" and EVIDENCE_URL.match(opener["url"]), opener
        assert not [v for v in fact_values(card) if "/evidence/" in v]  # no raw URL fact overflowing a phone
        assert "SHA-256" not in texts(card)
        (reject,) = [a for a in actions(card) if a["type"] == "Action.ShowCard"]  # the reason form names the item
        assert reject["card"]["body"][0]["text"].startswith("Rejecting Alex Director's 3 hours of AL SDE EdTech")


async def test_the_teams_reject_form_says_which_item_it_rejects(tmp_path: Path) -> None:
    async with running_teams(tmp_path, CEU_EVIDENCE_MAX_BYTES=4096) as teams:
        sub_id = await submitted_with_file(teams)
        card = posted_card(review_posts(teams)[0])
        (reject,) = [a for a in actions(card) if a["type"] == "Action.ShowCard"]
        first = reject["card"]["body"][0]["text"]
        assert first == f"Rejecting Alex Director's 3 hours of AL SDE EdTech Region Meetings (submission #{sub_id})"


async def test_without_a_public_url_the_teams_card_says_how_to_get_the_file(tmp_path: Path) -> None:
    async with running_teams(tmp_path, CEU_EVIDENCE_MAX_BYTES=4096) as teams:
        sub_id = await submitted_with_file(teams)
        card = posted_card(review_posts(teams)[0])
        assert not [a for a in actions(card) if a["type"] == "Action.OpenUrl"]
        shown = texts(card)
        assert "CEU_PUBLIC_URL is not set" in shown and f"“ceu-bot evidence {sub_id}”" in shown
        assert "ask the submitter" in shown


async def test_a_slack_review_post_links_the_evidence_and_points_at_the_thread(tmp_path: Path, sqlite_url: str) -> None:
    async with running_bot(
        tmp_path, sqlite_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES, CEU_PUBLIC_URL=PUBLIC
    ) as bot:
        seed_basic(bot.ctx())
        await submit_and_post(bot)
        [post] = bot.fake.calls_to("chat.postMessage")
        text = message_text(post)
        link = re.search(r"<(https://ceu\.example\.org/evidence/[^|>]+)\|Open evidence>", text)
        assert link and EVIDENCE_URL.match(link.group(1)), text
        assert "certificate.pdf) (file in this thread)" in text
        await bot.fake.wait_for("files.completeUploadExternal")
        assert len(bot.fake.uploads) == 1 and bot.fake.uploads[0]["thread_ts"]  # the file is in the post's thread
        assert bot.fake.calls_to("chat.update") == []  # said so in the post itself: no second call


async def test_a_failed_upload_takes_back_the_file_in_this_thread(tmp_path: Path, sqlite_url: str) -> None:
    async with running_bot(tmp_path, sqlite_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES) as bot:
        seed_basic(bot.ctx())
        bot.fake.fail("files.getUploadURLExternal", "ratelimited", times=5)
        sub_id, _ = await submit_and_post(bot)
        [update] = await bot.fake.wait_for("chat.update")
        text = message_text(update)
        assert "(file in this thread)" not in text
        assert f"“ceu-bot evidence {sub_id}”" in text  # no link and no file beside it: how to get the file


def test_an_event_request_opens_its_agenda_on_both_platforms(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    made = create_request(any_ctx, actor(any_ctx, "td@a.k12.al.us"), REQUEST, client_key="k1", platform="slack")
    reply = review_reply(any_ctx, "request", made.expect(Requested).request_id)
    card = render_card(reply)
    (opener,) = [a for a in actions(card) if a["type"] == "Action.OpenUrl"]
    assert opener == {"type": "Action.OpenUrl", "title": "Open agenda (example.org)", "url": REQUEST["agenda_url"]}
    assert REQUEST["agenda_url"] not in fact_values(card)
    slack = message_payload(reply)
    assert "<https://example.org/agenda|Open agenda (example.org)>" in message_text(slack)
