"""Submit -> evidence file -> review card -> approve / reject on Teams, over HTTP into the real server with the fake
Bot Connector: card forms with field errors, idempotent presses, reviewers only, one decision, cards updated in place,
proactive messages to the submitter, and evidence downloads (too big, wrong type, bad addresses)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from storage.tables import CatalogEntry, EventRequest, ReviewPost, Submission
from tests.fakes.bot_connector import TeamsUser, card_title, channel_conversation, file_attachment, message
from tests.fakes.teams_harness import (
    REVIEW_CHANNEL,
    REVIEWER,
    SDE,
    TD,
    Teams,
    actions,
    inputs,
    running_teams,
    texts,
)

PDF = b"%PDF-1.7\n" + b"certificate of attendance " * 40
CHANNEL = channel_conversation(REVIEW_CHANNEL, "72f988bf-0000-4000-8000-000000000001")
ANSWERS = {"event": "2025:EXT-SDE-REGION", "date": "2025-02-01", "hours": "3", "strands": "1,2"}


@pytest.fixture
async def teams(tmp_path: Path) -> AsyncIterator[Teams]:
    async with running_teams(tmp_path, CEU_EVIDENCE_MAX_BYTES=4096) as harness:
        yield harness


def execute(card: dict[str, Any], verb: str) -> dict[str, Any]:
    """The data of the card's Action.Execute with `verb` (what Teams sends back, before the inputs are merged)."""
    for action in actions(card):
        if action["type"] == "Action.Execute" and action["verb"] == verb:
            return dict(action["data"])
    raise AssertionError(f"no Action.Execute {verb!r} in {texts(card)}")


def rows(t: Teams, table: Any) -> list[Any]:
    with t.services.context().session() as session:
        return list(session.exec(select(table)).all())


def review_posts(t: Teams) -> list[Any]:
    return [c for c in t.connector.of("send") if c.conversation_id == REVIEW_CHANNEL]


async def submit(t: Teams, who: TeamsUser = TD, **answers: str) -> dict[str, Any]:
    form = await t.say(who, "submit")
    return await t.press(who, "form.submit", {**execute(form, "form.submit"), **ANSWERS, **answers})


async def send_file(t: Teams, who: TeamsUser, name: str, data: bytes, url: str | None = None) -> dict[str, Any]:
    url = url or t.connector.add_file(name, data)
    return await t.say(who, "", attachments=[file_attachment(name, url)])


async def submitted_with_file(t: Teams) -> int:
    await submit(t)
    card = await send_file(t, TD, "cert.pdf", PDF)
    assert "Sent for review" in texts(card), texts(card)
    (sub,) = rows(t, Submission)
    return int(sub.id)


async def test_submit_review_approve_changes_status(teams: Teams) -> None:
    before = await teams.say(TD, "status")
    saved = await submit(teams)
    assert "now send your evidence file" in texts(saved)
    assert review_posts(teams) == []  # not in front of the reviewers before its file
    (sub,) = rows(teams, Submission)
    assert sub.status == "pending" and sub.platform == "teams" and sub.evidence_sha256 is None

    sent = await send_file(teams, TD, "cert.pdf", PDF)
    assert "Sent for review" in texts(sent)
    (sub,) = rows(teams, Submission)
    assert sub.evidence_sha256 == hashlib.sha256(PDF).hexdigest() and sub.evidence_type == "application/pdf"
    stored = teams.services.settings.evidence_dir / sub.evidence_sha256[:2] / f"{sub.evidence_sha256}.pdf"
    assert stored.read_bytes() == PDF
    pending = await teams.say(TD, "status")
    assert texts(pending) != texts(before) and "3 h" in texts(pending)

    (post,) = review_posts(teams)
    review_card = post.body["attachments"][0]["content"]
    assert "Alex Director" in texts(review_card) and "AL SDE EdTech Region Meetings" in texts(review_card)
    assert "reason" in inputs(review_card)  # the Reject button opens the reason form
    (recorded,) = rows(teams, ReviewPost)
    assert (recorded.platform, recorded.channel) == ("teams", REVIEW_CHANNEL) and recorded.message_id

    clicked = await teams.press(
        REVIEWER, "review.approve", execute(review_card, "review.approve"), conversation=CHANNEL
    )
    assert "Approved" in texts(clicked) and "Robin Reviewer" in texts(clicked)
    assert not [a for a in actions(clicked) if a.get("verb") == "review.approve"]  # no buttons once decided
    (update,) = teams.connector.of("update")
    assert (update.conversation_id, update.activity_id) == (REVIEW_CHANNEL, recorded.message_id)
    assert "Approved" in texts(update.body["attachments"][0]["content"])
    dm = [c for c in teams.connector.of("send") if c.conversation_id == TD.conversation_id]
    assert len(dm) == 1 and "approved" in card_title(dm[0].body).lower()
    (sub,) = rows(teams, Submission)
    assert sub.status == "approved"

    after = await teams.say(TD, "status")
    assert "Credited" in texts(after) and texts(after) != texts(pending)


async def test_non_reviewer_and_double_clicks_change_nothing(teams: Teams) -> None:
    sub_id = await submitted_with_file(teams)
    data = {"_verb": "review.approve", "_value": f"submission:{sub_id}"}
    refused = await teams.press(SDE, "review.approve", data, conversation=CHANNEL)
    assert "Only ALET reviewers" in texts(refused)
    assert rows(teams, Submission)[0].status == "pending"
    assert teams.connector.of("update") == []

    await teams.press(REVIEWER, "review.approve", data, conversation=CHANNEL)
    sends = len(teams.connector.of("send"))
    again = await teams.press(REVIEWER, "review.approve", data, conversation=CHANNEL)
    assert "already decided" in texts(again) and "Robin Reviewer" in texts(again)
    rejected = await teams.press(
        REVIEWER, "form.reject_reason", {"_ctx": f"submission:{sub_id}", "_key": "k", "reason": "late"}
    )
    assert "already decided" in texts(rejected)
    assert len(teams.connector.of("update")) == 1 and len(teams.connector.of("send")) == sends
    assert rows(teams, Submission)[0].status == "approved"


async def test_reject_needs_a_reason_and_tells_the_submitter(teams: Teams) -> None:
    sub_id = await submitted_with_file(teams)
    (post,) = review_posts(teams)
    reject = execute(post.body["attachments"][0]["content"], "form.reject_reason")
    empty = await teams.press(REVIEWER, "form.reject_reason", {**reject, "reason": "  "}, conversation=CHANNEL)
    assert "needs a reason" in texts(empty)
    assert rows(teams, Submission)[0].status == "pending"
    done = await teams.press(
        REVIEWER, "form.reject_reason", {**reject, "reason": "The certificate has no date"}, conversation=CHANNEL
    )
    assert "Rejected" in texts(done) and "The certificate has no date" in texts(done)
    assert rows(teams, Submission)[0].status == "rejected" and sub_id
    dm = [c for c in teams.connector.of("send") if c.conversation_id == TD.conversation_id]
    assert "The certificate has no date" in texts(dm[-1].body)


async def test_action_submit_fallback_works_like_execute(teams: Teams) -> None:
    """A client without Universal Actions sends a message with the button's data (replyToId = the clicked card):
    the decision is taken and the review post updated in place, with no new public message in the channel."""
    sub_id = await submitted_with_file(teams)
    (recorded,) = rows(teams, ReviewPost)
    value = {"_verb": "review.approve", "_value": f"submission:{sub_id}"}
    activity = message(REVIEWER, teams.service_url, "", value=value, conversation=CHANNEL)
    activity["replyToId"] = recorded.message_id
    status, _ = await teams.post(activity)
    assert status == 200
    assert rows(teams, Submission)[0].status == "approved"
    (update,) = teams.connector.of("update")  # the post, once (it is the clicked card)
    assert (update.conversation_id, update.activity_id) == (REVIEW_CHANNEL, recorded.message_id)
    assert "Approved" in texts(update.body["attachments"][0]["content"])
    in_channel = [c for c in teams.connector.of("send", "reply") if c.conversation_id == REVIEW_CHANNEL]
    assert len(in_channel) == 1  # only the review post itself


async def test_form_errors_are_shown_in_the_card_and_nothing_is_written(teams: Teams) -> None:
    form = await teams.say(TD, "submit")
    data = execute(form, "form.submit")
    card = await teams.press(
        TD, "form.submit", {**data, "event": "2025:EXT-SDE-REGION", "date": "2025-02-01", "hours": "lots"}
    )
    assert "Nothing was saved yet" in texts(card)
    assert "strand" in texts(card).lower()
    fields = inputs(card)
    assert fields["hours"]["value"] == "lots" and fields["event"]["value"] == "2025:EXT-SDE-REGION"
    assert execute(card, "form.submit")["_key"] == data["_key"]  # the same form, the same idempotency key
    future = await teams.press(TD, "form.submit", {**data, **ANSWERS, "date": "2025-12-01"})
    assert "Nothing was saved yet" in texts(future)
    assert rows(teams, Submission) == []


async def test_pressing_send_twice_records_one_submission(teams: Teams) -> None:
    form = await teams.say(TD, "submit")
    data = {**execute(form, "form.submit"), **ANSWERS}
    await teams.press(TD, "form.submit", data)
    await teams.press(TD, "form.submit", data)
    assert len(rows(teams, Submission)) == 1


async def test_only_directors_submit(teams: Teams) -> None:
    card = await teams.say(SDE, "submit")
    assert "Only technology directors" in texts(card) and inputs(card) == {}


async def test_request_is_posted_and_approval_adds_the_event(teams: Teams) -> None:
    form = await teams.say(SDE, "request")
    answers = {
        "title": "Alabama Cyber Summit",
        "organiser": "ALSDE",
        "start": "2025-04-01",
        "end": "2025-04-02",
        "in_person": "in_person",
        "hours": "4",
        "strands": "5",
        "agenda_url": "https://example.org/agenda",
    }
    sent = await teams.press(SDE, "form.request", {**execute(form, "form.request"), **answers})
    assert "Request sent" in texts(sent)
    (req,) = rows(teams, EventRequest)
    (post,) = review_posts(teams)
    await teams.press(REVIEWER, "review.approve", execute(post.body["attachments"][0]["content"], "review.approve"))
    assert rows(teams, EventRequest)[0].status == "approved"
    assert any(e.title == "Alabama Cyber Summit" for e in rows(teams, CatalogEntry))
    assert [c for c in teams.connector.of("send") if c.conversation_id == SDE.conversation_id]
    assert req.in_person is True


# -- evidence files ---------------------------------------------------------------------------------------


async def test_a_file_too_big_is_refused_and_nothing_is_written(teams: Teams) -> None:
    await submit(teams)
    card = await send_file(teams, TD, "cert.pdf", b"%PDF-1.7\n" + b"x" * 5000)
    assert "at most 4 KB" in texts(card) and "Nothing was recorded" in texts(card)
    assert rows(teams, Submission)[0].evidence_sha256 is None
    assert not teams.services.settings.evidence_dir.exists() or not any(
        teams.services.settings.evidence_dir.rglob("*.pdf")
    )
    assert review_posts(teams) == []


async def test_a_file_of_the_wrong_type_is_refused(teams: Teams) -> None:
    await submit(teams)
    card = await send_file(teams, TD, "cert.pdf", b"MZ\x90\x00 this is a program, not a certificate")
    assert "not a PDF" in texts(card)
    assert rows(teams, Submission)[0].evidence_sha256 is None


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/files/cert.pdf",  # plain http to a remote host
        "ftp://127.0.0.1/cert.pdf",
        "file:///etc/passwd",
    ],
)
async def test_file_addresses_other_than_https_are_refused_without_fetching(teams: Teams, url: str) -> None:
    await submit(teams)
    card = await send_file(teams, TD, "cert.pdf", PDF, url=url)
    assert "cannot download" in texts(card)
    assert teams.connector.of("file") == []
    assert rows(teams, Submission)[0].evidence_sha256 is None


async def test_a_redirect_to_another_host_is_refused(teams: Teams) -> None:
    await submit(teams)
    teams.connector.add_file("cert.pdf", PDF)
    other = teams.connector.url.replace("127.0.0.1", "localhost") + "files/cert.pdf"
    card = await send_file(teams, TD, "cert.pdf", PDF, url=f"{teams.connector.url}redirect/cert.pdf?to={other}")
    assert "another address" in texts(card)
    assert len(teams.connector.of("file")) == 1  # the redirect itself, not its target
    same = await send_file(teams, TD, "cert.pdf", PDF, url=f"{teams.connector.url}redirect/cert.pdf")
    assert "Sent for review" in texts(same)


async def test_a_file_with_nothing_waiting_is_not_kept(teams: Teams) -> None:
    card = await send_file(teams, TD, "cert.pdf", PDF)
    assert "No submission is waiting" in texts(card)
    assert not teams.services.settings.evidence_dir.exists() or not any(teams.services.settings.evidence_dir.rglob("*"))


async def test_files_in_a_channel_are_not_kept(teams: Teams) -> None:
    await submit(teams)
    url = teams.connector.add_file("cert.pdf", PDF)
    card = await teams.say(TD, "", attachments=[file_attachment("cert.pdf", url)], conversation=CHANNEL)
    assert "personal chat" in texts(card)
    assert rows(teams, Submission)[0].evidence_sha256 is None


async def test_a_pasted_image_asks_for_a_file(teams: Teams) -> None:
    pasted = {"contentType": "image/*", "contentUrl": "https://smba.example/v3/attachments/x/views/original"}
    status, _ = await teams.post(message(TD, teams.service_url, "", attachments=[pasted]))
    assert status == 200
    assert "as a file" in texts(teams.connector.last_card())
