"""The what-if preview in the submit form, before anything is sent (issue 14): the same line as `whatif`
("If you claim 4 hours of …: this would bring you to … of 12 hours; …") computed from the form's answers so far; on
Slack the modal is updated when the event is picked (dispatch_action -> views.update), on Teams a Preview button
answers with the form and the preview. Nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

from bot.slack.modals import form_view
from handlers.context import Context
from handlers.forms import Values, submit_form
from handlers.whatif import PICK_FIRST, form_preview
from storage.tables import Submission
from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import running_bot
from tests.fakes.teams_harness import TD as TEAMS_TD
from tests.fakes.teams_harness import running_teams, texts
from tests.review.test_workflow_submit import TD, actor, counts
from tests.slack.test_slack_workflow import MAX_BYTES
from tests.slack_signing import interaction_body
from tests.teams.test_teams_workflow import ANSWERS, rows

ISTE: Values = {"event": "2025:EXT-ISTE", "date": "2025-01-10", "hours": "3", "strands": ["2", "5"]}


def test_the_preview_tells_what_the_answers_would_do_and_writes_nothing(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    before = counts(any_ctx)
    line = form_preview(any_ctx, actor(any_ctx, TD), ISTE)
    assert line.startswith("If you claim 3 hours of International Society for Technology in Education")
    assert "this would bring you to" in line and "of 12 hours" in line
    assert form_preview(any_ctx, actor(any_ctx, TD), {}) == PICK_FIRST
    too_much = form_preview(any_ctx, actor(any_ctx, TD), {**ISTE, "hours": "9"})
    assert too_much.startswith("As it stands this would not be recorded") and "over the cap" in too_much
    assert counts(any_ctx) == before


def picked(view: dict[str, object], event: str) -> str:
    state = {"values": {"event": {"event": {"type": "static_select", "selected_option": {"value": event}}}}}
    payload = {
        "type": "block_actions",
        "team": {"id": "T0TEST", "domain": "test"},
        "user": {"id": "UTD", "team_id": "T0TEST"},
        "api_app_id": "ATEST",
        "trigger_id": "1337.43.abcdef",
        "view": {**view, "id": "VSUB1", "hash": "h1", "state": state},
        "actions": [{"type": "static_select", "action_id": "event", "block_id": "event"}],
    }
    return interaction_body(payload)


async def test_slack_updates_the_modal_with_the_preview_when_the_event_is_picked(
    tmp_path: Path, sqlite_url: str
) -> None:
    async with running_bot(tmp_path, sqlite_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES) as bot:
        seed_basic(bot.ctx())
        view = form_view(submit_form(bot.ctx(), actor(bot.ctx(), TD)))
        (event,) = [b for b in view["blocks"] if b.get("block_id") == "event"]
        assert event["dispatch_action"] is True  # Slack tells us when the event is picked
        before = counts(bot.ctx())
        answer = await bot.signed(picked(view, "2025:EXT-ISTE"))
        assert answer.status == 200
        [update] = await bot.fake.wait_for("views.update")
        assert update["view_id"] == "VSUB1" and update["hash"] == "h1"
        shown = update["view"] if isinstance(update["view"], dict) else json.loads(update["view"])
        (preview,) = [b for b in shown["blocks"] if b.get("block_id") == "whatif"]
        text = preview["elements"][0]["text"]
        assert "If you claim 6 hours of International Society for Technology in Education" in text
        assert "this would bring you to" in text
        assert counts(bot.ctx()) == before


async def test_teams_preview_answers_the_form_with_the_preview_and_sends_nothing(tmp_path: Path) -> None:
    async with running_teams(tmp_path) as teams:
        form = await teams.say(TEAMS_TD, "submit")
        (preview_button,) = [a for a in form["actions"] if a["title"] == "Preview"]
        data = {**preview_button["data"], **ANSWERS}
        again = await teams.press(TEAMS_TD, "form.submit", data)
        assert "Preview: If you claim 3 hours of AL SDE EdTech Region Meetings" in texts(again)
        assert "this would bring you to" in texts(again)
        assert rows(teams, Submission) == []  # nothing sent, nothing written
        assert {a["title"] for a in again["actions"]} == {"Send for review", "Preview"}  # the form, answers kept
