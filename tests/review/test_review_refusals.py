"""A refused review action shows nothing of the item (issue 9), on both platforms through the real server:
a director, SDE staff member or admin who presses Approve / Reject with an item id of their choosing (Teams'
Action.Execute and the Action.Submit fallback, Slack's buttons and reason modal), a reviewer deciding their own
item, an unknown id and a value of the wrong type get only the refusal: no name, e-mail, district, year totals or
signed evidence link of the submitter, no card update, and nothing changes. A non-reviewer cannot even tell an
existing item from an unknown one. A reviewer's press does show the item (the markers below can be found)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from handlers.context import Actor
from handlers.payloads import Requested
from handlers.request import create_request
from storage.tables import AuditLog, Person, Submission
from tests.conftest import ROSTER, TODAY, load, seed_basic
from tests.fakes.bot_connector import message, user
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.fakes.teams_harness import REVIEWER, SDE, Teams, running_teams, texts
from tests.review.test_workflow_request import GOOD as REQUEST
from tests.slack.test_slack_workflow import MAX_BYTES, message_text, submissions, submit_and_post
from tests.teams.test_teams_workflow import CHANNEL, rows, submitted_with_file

PUBLIC = "https://ceu.example.org"
EXTRA = "adm@alet.org,Ada Admin,ALET,,,admin\nboss@c.k12.al.us,Casey Both,Gamma County,2015-07-01,,director;reviewer\n"
# what of the submitter (Alex Director) and their file must never reach a refused presser
MARKERS = ("Alex Director", "td@a.k12.al.us", "Alpha County", "/evidence/", "so far", "Credited", "SHA-256")
OLD = user(4, "Blair Veteran")
ADMIN = user(5, "Ada Admin")
BOTH = user(6, "Casey Both")


def leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


def decided_nothing(rows_: list[Submission], audits: list[AuditLog]) -> bool:
    return all(s.status == "pending" for s in rows_) and not [a for a in audits if ".approve" in a.action]


# -- Teams ----------------------------------------------------------------------------------------------------


@pytest.fixture
async def teams(tmp_path: Path) -> AsyncIterator[Teams]:
    async with running_teams(tmp_path, CEU_PUBLIC_URL=PUBLIC, CEU_EVIDENCE_MAX_BYTES=4096) as harness:
        load(harness.services.context(), "roster", ROSTER + EXTRA)
        for who, email in ((OLD, "old@b.k12.al.us"), (ADMIN, "adm@alet.org"), (BOTH, "boss@c.k12.al.us")):
            harness.connector.add_member(who.user_id, email, aad_id=who.aad_id, name=who.name)
        yield harness


def sent_since(t: Teams, before: int) -> str:
    return "\n".join(json.dumps(c.body) for c in t.connector.of("send", "reply", "update")[before:])


@pytest.mark.parametrize("verb", ["review.approve", "review.reject"])
async def test_teams_refused_presses_carry_only_the_refusal(teams: Teams, verb: str) -> None:
    sub_id = await submitted_with_file(teams)
    await teams.say(SDE, "help")  # SDE's personal chat is known (a fallback refusal goes there)
    before = len(teams.connector.of("send", "reply", "update"))
    for who in (OLD, SDE, ADMIN):
        for value in (f"submission:{sub_id}", "submission:999999", f"request:{sub_id}"):
            for conversation in (CHANNEL, None):
                card = await teams.press(who, verb, {"_verb": verb, "_value": value}, conversation=conversation)
                assert "Only ALET reviewers" in texts(card), texts(card)  # the same for an unknown id
                assert leaks(texts(card)) == [], (who, value, texts(card))
        refused = await teams.press(
            who, "form.reject_reason", {"_ctx": f"submission:{sub_id}", "_key": "k", "reason": "no"}
        )
        assert "Only ALET reviewers" in texts(refused) and leaks(texts(refused)) == []
    assert leaks(sent_since(teams, before)) == [] and teams.connector.of("update") == []
    assert decided_nothing(rows(teams, Submission), rows(teams, AuditLog))


async def test_teams_fallback_refusals_carry_only_the_refusal(teams: Teams) -> None:
    sub_id = await submitted_with_file(teams)
    before = len(teams.connector.of("send", "reply", "update"))
    for who in (OLD, SDE, ADMIN):
        for conversation in (CHANNEL, None):
            value = {"_verb": "review.approve", "_value": f"submission:{sub_id}"}
            activity = message(who, teams.service_url, "", value=value, conversation=conversation)
            activity["replyToId"] = "msg-clicked-1"
            status, _ = await teams.post(activity)
            assert status == 200
    new = sent_since(teams, before)
    assert "Only ALET reviewers" in new and leaks(new) == [], new
    assert decided_nothing(rows(teams, Submission), rows(teams, AuditLog))


async def test_teams_own_unknown_and_malformed_items_for_a_reviewer(teams: Teams) -> None:
    sub_id = await submitted_with_file(teams)
    own = _own_request(teams)  # Casey is a director and a reviewer: their own event request
    for verb in ("review.approve", "review.reject"):
        card = await teams.press(BOTH, verb, {"_verb": verb, "_value": f"request:{own}"}, conversation=CHANNEL)
        assert "your own" in texts(card) and "Casey Both" not in texts(card) and leaks(texts(card)) == []
    unknown = await teams.press(REVIEWER, "review.approve", {"_value": "submission:999999"}, conversation=CHANNEL)
    assert "was not found" in texts(unknown) and leaks(texts(unknown)) == []
    for bad in ("credit:1", "submission:abc", "", f"submission:{sub_id};drop"):
        card = await teams.press(REVIEWER, "review.approve", {"_value": bad}, conversation=CHANNEL)
        assert "out of date" in texts(card) and leaks(texts(card)) == []
    assert decided_nothing(rows(teams, Submission), rows(teams, AuditLog))
    # the markers are real: the reviewer's press shows the submitter and the signed link
    shown = await teams.press(REVIEWER, "review.approve", {"_value": f"submission:{sub_id}"}, conversation=CHANNEL)
    assert "Alex Director" in texts(shown) and re.search(r"/evidence/[0-9a-f]{64}\?exp=", texts(shown))


def _own_request(t: Teams) -> int:
    ctx = t.services.context()
    with ctx.session() as s:
        boss = s.exec(select(Person).where(Person.email == "boss@c.k12.al.us")).one()
    assert boss.id is not None
    actor = Actor(boss.id, boss.email, boss.name, frozenset({"director", "reviewer"}), "teams")
    reply = create_request(ctx, actor, REQUEST, client_key="own-1", platform="teams")
    assert reply.ok, reply.to_text()
    rid = reply.expect(Requested).request_id
    assert isinstance(rid, int)
    return rid


# -- Slack ----------------------------------------------------------------------------------------------------


@pytest.fixture
async def slack(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackBot]:
    async with running_bot(
        tmp_path, sqlite_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES, CEU_PUBLIC_URL=PUBLIC
    ) as b:
        seed_basic(b.ctx())
        load(b.ctx(), "roster", ROSTER + EXTRA)
        b.fake.add_user("UADM", "adm@alet.org")
        yield b


def slack_calls(bot: SlackBot) -> str:
    return "\n".join(json.dumps(bot.fake.calls_to(m)) for m in sorted(set(bot.fake.methods())))


@pytest.mark.parametrize("action", ["review.approve", "review.reject"])
async def test_slack_refused_clicks_carry_only_the_refusal(slack: SlackBot, action: str) -> None:
    item_id, ts = await submit_and_post(slack)
    assert "Alex Director" in message_text(slack.fake.calls_to("chat.postMessage")[0])  # the markers are real
    slack.fake.reset_calls()
    n = 0
    for user_id in ("UOLD", "USDE", "UADM"):
        for value in (f"submission:{item_id}", "submission:999999", f"request:{item_id}"):
            n += 1
            await slack.click(action, value, user=user_id, ts=ts, key=f"c{n}")
            msg = await slack.wait_response(f"c{n}")
            assert msg["response_type"] == "ephemeral" and "Only ALET reviewers" in message_text(msg)
            assert leaks(json.dumps(msg)) == [], msg
    assert slack.fake.calls_to("chat.update") == [] and slack.fake.calls_to("views.open") == []
    assert leaks(slack_calls(slack)) == []
    assert all(s.status == "pending" for s in submissions(slack))


async def test_slack_refused_reason_modal_carries_only_the_refusal(slack: SlackBot) -> None:
    item_id, ts = await submit_and_post(slack)
    slack.fake.reset_calls()
    meta = json.dumps({"item": f"submission:{item_id}", "channel": "CREVIEW", "ts": ts})
    reason = {"reason": {"reason": {"type": "plain_text_input", "value": "No date."}}}
    for user_id in ("UOLD", "USDE", "UADM"):
        answer = await slack.submit_view("reject_reason", reason, user=user_id, private_metadata=meta)
        assert answer.status == 200 and "Only ALET reviewers" in answer.text
        assert leaks(answer.text) == [], answer.text
    assert slack.fake.calls_to("chat.update") == [] and leaks(slack_calls(slack)) == []
    assert all(s.status == "pending" for s in submissions(slack))


async def test_slack_unknown_and_malformed_items(slack: SlackBot) -> None:
    item_id, ts = await submit_and_post(slack)
    slack.fake.reset_calls()
    cases = [("UREV", "submission:999999", "was not found"), ("UREV", "credit:1", "no longer points")]
    cases += [("UREV", "submission:abc", "no longer points"), ("UOLD", "", "no longer points")]
    for n, (user_id, value, words) in enumerate(cases):
        await slack.click("review.approve", value, user=user_id, ts=ts, key=f"u{n}")
        msg = await slack.wait_response(f"u{n}")
        assert words in message_text(msg) and leaks(json.dumps(msg)) == [], msg
    assert slack.fake.calls_to("chat.update") == []
    assert all(s.status == "pending" for s in submissions(slack))
