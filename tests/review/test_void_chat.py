"""The Void button under `lookup` (reviewers and admins) on Slack and Teams: the lookup shows the approved records
with one Void button each; a press opens the reason form; answering it voids the record through
handlers.void.void_record (it stops counting; the audit log has who). An SDE sees no Void buttons, a pressed
button of someone who may not void, or of a record voided meanwhile, changes nothing. Real signed Slack requests
into the server with the fake Web API; Bot Framework invokes with the fake Bot Connector."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from handlers.void import CLI_ACTOR, void_record
from storage.tables import AuditLog, CreditRecord
from tests.conftest import TODAY, load, seed_basic
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.fakes.teams_harness import REVIEWER, SDE, Teams, actions, running_teams, texts
from tests.slack.test_slack_commands import texts as slack_texts

ATTENDANCE = "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\ntd@a.k12.al.us,CAMP25,2025-02-20,2\n"


def _records(engine: Any) -> dict[str, tuple[int, str]]:
    with Session(engine) as s:
        return {str(r.day): (r.id or 0, r.status) for r in s.exec(select(CreditRecord)).all()}


def _void_audit(engine: Any) -> list[tuple[str, str]]:
    with Session(engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.action == "record.void")).all()
        return [(a.actor, a.subject) for a in rows]


def _slack_buttons(msg: dict[str, Any]) -> dict[str, str]:
    return {
        e["action_id"]: e["value"] for b in msg.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]
    }


@pytest.fixture
async def slack(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackBot]:
    async with running_bot(tmp_path, sqlite_url, today=TODAY) as b:
        seed_basic(b.ctx())
        load(b.ctx(), "attendance", ATTENDANCE)
        yield b


@pytest.fixture
async def teams(tmp_path: Path) -> AsyncIterator[Teams]:
    async with running_teams(tmp_path) as harness:
        load(harness.services.context(), "attendance", ATTENDANCE)
        yield harness


async def test_slack_void_from_lookup_asks_a_reason_and_voids(slack: SlackBot) -> None:
    engine = slack.ctx().engine
    camp, _ = _records(engine)["2025-02-20"]
    await slack.command("lookup td@a.k12.al.us", user="UREV", key="look")
    look = await slack.wait_response("look")
    buttons = _slack_buttons(look)
    assert buttons[f"record.void:{camp}"] == f"record:{camp}" and len(buttons) == 2
    assert f"record {camp}: 2025-02-20 ALET Cyber Camp Spring [CAMP25], 2 h" in slack_texts(look)
    await slack.command("lookup td@a.k12.al.us", user="USDE", key="sde")
    assert _slack_buttons(await slack.wait_response("sde")) == {}  # SDE staff look, they do not void

    await slack.click(f"record.void:{camp}", f"record:{camp}", user="USDE", ts="1.1", key="sdeclick")
    assert "Only ALET reviewers and admins" in slack_texts(await slack.wait_response("sdeclick"))
    assert slack.fake.calls_to("views.open") == []

    await slack.click(f"record.void:{camp}", f"record:{camp}", user="UREV", ts="1.1", key="revclick")
    [opened] = await slack.fake.wait_for("views.open")
    view = opened["view"]
    assert view["callback_id"] == "void_reason" and view["private_metadata"] == f"record:{camp}"
    empty = await slack.submit_view("void_reason", {}, user="UREV", private_metadata=view["private_metadata"])
    assert empty.json()["response_action"] == "errors" and _records(engine)["2025-02-20"][1] == "approved"
    reason = {"reason": {"reason": {"type": "plain_text_input", "value": "Wrong director."}}}
    done = await slack.submit_view("void_reason", reason, user="UREV", private_metadata=view["private_metadata"])
    answer = done.json()
    assert answer["response_action"] == "update"
    assert f"Record {camp} voided" in json.dumps(answer["view"])
    assert _records(engine)["2025-02-20"] == (camp, "voided")
    assert _void_audit(engine) == [("rev@alet.org", f"record {camp}")]
    again = await slack.submit_view("void_reason", reason, user="UREV", private_metadata=view["private_metadata"])
    assert "already voided" in json.dumps(again.json()["view"])
    assert len(_void_audit(engine)) == 1


async def test_teams_void_from_lookup_asks_a_reason_and_voids(teams: Teams) -> None:
    engine = teams.services.context().engine
    camp, _ = _records(engine)["2025-02-20"]
    card = await teams.say(REVIEWER, "lookup td@a.k12.al.us")
    void = [a for a in actions(card) if str(a.get("verb", "")).startswith("record.void")]
    assert [a["title"] for a in void] == [f"Void record {camp}", f"Void record {camp - 1}"]
    assert not [a for a in actions(await teams.say(SDE, "lookup td@a.k12.al.us")) if "record.void" in str(a)]

    refused = await teams.press(SDE, void[0]["verb"], void[0]["data"])
    assert "Only ALET reviewers and admins" in texts(refused)
    form = await teams.press(REVIEWER, void[0]["verb"], void[0]["data"])
    assert "Void record" in texts(form)
    (submit,) = [a for a in actions(form) if a.get("verb") == "form.void_reason"]
    blank = await teams.press(REVIEWER, submit["verb"], {**submit["data"], "reason": "  "})
    assert "A reason is needed" in texts(blank) and _records(engine)["2025-02-20"][1] == "approved"
    done = await teams.press(REVIEWER, submit["verb"], {**submit["data"], "reason": "Imported twice."})
    assert f"Record {camp} voided" in texts(done) and "Imported twice." in texts(done)
    assert _records(engine)["2025-02-20"] == (camp, "voided")
    assert _void_audit(engine) == [("rev@alet.org", f"record {camp}")]
    after = await teams.press(REVIEWER, void[0]["verb"], void[0]["data"])  # a stale button: already voided
    assert "already voided" in texts(after)


async def test_a_voided_record_leaves_the_lookup_buttons(teams: Teams) -> None:
    ctx = teams.services.context()
    camp, _ = _records(ctx.engine)["2025-02-20"]
    assert void_record(ctx, CLI_ACTOR, camp, "duplicate").ok
    card = await teams.say(REVIEWER, "lookup td@a.k12.al.us")
    titles = [a["title"] for a in actions(card) if str(a.get("verb", "")).startswith("record.void")]
    assert titles == [f"Void record {camp - 1}"]
