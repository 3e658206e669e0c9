"""Hostile bytes in chat forms (issue 9): a NUL byte or an escape sequence typed into a Slack modal or a Teams card
form is a field error on that field, through the real servers, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from storage.tables import EventRequest
from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import running_bot
from tests.test_slack_workflow import request_values
from tests.test_teams_harness import SDE, inputs, running_teams, texts
from tests.test_teams_workflow import execute


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
