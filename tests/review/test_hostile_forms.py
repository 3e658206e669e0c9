"""Hostile bytes in chat forms (issue 9): a NUL byte or an escape sequence typed into a Slack modal or a Teams card
form is a field error on that field, through the real servers, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from storage.tables import EventRequest, Submission
from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import running_bot
from tests.fakes.teams_harness import REVIEWER, SDE, inputs, running_teams, texts
from tests.slack.test_slack_workflow import request_values, submissions, submit_and_post
from tests.teams.test_teams_workflow import CHANNEL, execute, review_posts, rows, submitted_with_file


async def test_a_nul_in_a_slack_modal_field_is_that_fields_error(tmp_path: Path, sqlite_url: str) -> None:
    async with running_bot(tmp_path, sqlite_url, today=TODAY) as bot:
        seed_basic(bot.ctx())
        values = request_values(title="Cyber\x00Day")
        values["organiser"]["organiser"]["value"] = "Council\x1b[2J"
        body = (await bot.submit_view("request", values, user="UOLD")).json()
        assert body["response_action"] == "errors", body
        assert set(body["errors"]) == {"title", "organiser"}
        assert "NUL byte" in body["errors"]["title"] and "ESC" in body["errors"]["organiser"]
        assert "\x00" not in json.dumps(body["errors"]) and "\x1b" not in json.dumps(body["errors"])
        with bot.ctx().session() as s:
            assert s.exec(select(EventRequest)).all() == []


async def test_an_escape_sequence_in_a_teams_form_field_is_that_fields_error(tmp_path: Path) -> None:
    async with running_teams(tmp_path) as teams:
        form = await teams.say(SDE, "request")
        answers = {
            "title": "Alabama Cyber Summit",
            "organiser": "ALSDE\x1b]0;owned\x07",
            "start": "2025-02-01",
            "end": "2025-02-01",
            "hours": "4",
            "strands": "5",
        }
        card = await teams.press(SDE, "form.request", {**execute(form, "form.request"), **answers})
        assert "Nothing was saved" in texts(card)
        assert "control character ESC" in texts(card)
        assert "organiser" in inputs(card)
        with teams.services.context().session() as s:
            assert s.exec(select(EventRequest)).all() == []


async def test_a_nul_in_a_slack_reject_reason_is_the_reasons_error(tmp_path: Path, db_url: str) -> None:
    async with running_bot(tmp_path, db_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=4096) as bot:
        seed_basic(bot.ctx())
        item_id, ts = await submit_and_post(bot)
        await bot.click("review.reject", f"submission:{item_id}", ts=ts)
        [opened] = await bot.fake.wait_for("views.open")
        meta = opened["view"]["private_metadata"]
        reason = {"reason": {"reason": {"type": "plain_text_input", "value": "No date\x00 on it"}}}
        answer = await bot.submit_view("reject_reason", reason, user="UREV", private_metadata=meta, view_id="VREJ")
        body = answer.json()
        assert body["response_action"] == "errors" and "NUL byte" in body["errors"]["reason"], body
        assert [s.status for s in submissions(bot)] == ["pending"]


async def test_an_escape_sequence_in_a_teams_reject_reason_is_the_reasons_error(tmp_path: Path) -> None:
    async with running_teams(tmp_path, CEU_EVIDENCE_MAX_BYTES=4096) as teams:
        await submitted_with_file(teams)
        (post,) = review_posts(teams)
        reject = execute(post.body["attachments"][0]["content"], "form.reject_reason")
        card = await teams.press(
            REVIEWER, "form.reject_reason", {**reject, "reason": "late\x1b[2J\x00"}, conversation=CHANNEL
        )
        assert "control character ESC" in texts(card) and "reason" in inputs(card)
        assert rows(teams, Submission)[0].status == "pending"
