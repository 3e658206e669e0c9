"""Slack and Teams at once: an item is posted to both reviewers' channels, a decision taken on Teams updates the
Slack post in place too, and the submitter hears on the platform where they are known — over HTTP into the real
server, with the fake Bot Connector and the fake Slack Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from handlers.payloads import Submitted
from handlers.people import actor_of
from handlers.submit import create_submission
from storage.evidence import check_evidence
from storage.people import by_email, link_identity
from storage.tables import ReviewPost
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.teams_harness import REVIEW_CHANNEL, REVIEWER, Teams, running_teams
from tests.teams.test_teams_workflow import CHANNEL, execute, review_posts, submitted_with_file

SLACK_REVIEW = "C0REVIEWERS"
PDF = b"%PDF-1.7\n" + b"certificate of attendance " * 40


@pytest.fixture
async def both(tmp_path: Path) -> AsyncIterator[tuple[Teams, FakeSlackApi]]:
    slack = FakeSlackApi()
    await slack.start()
    try:
        async with running_teams(
            tmp_path,
            CEU_EVIDENCE_MAX_BYTES=4096,
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_SIGNING_SECRET="not-used-here",
            SLACK_API_URL=slack.api_url,
            SLACK_REVIEW_CHANNEL=SLACK_REVIEW,
        ) as teams:
            yield teams, slack
    finally:
        await slack.close()


def posts(t: Teams) -> list[tuple[str, str, str | None]]:
    with t.services.context().session() as session:
        rows = session.exec(select(ReviewPost)).all()
        return sorted((r.platform, r.channel, r.message_id) for r in rows)


def slack_posts(slack: FakeSlackApi, method: str, channel: str) -> list[dict[str, Any]]:
    return [p for p in slack.calls_to(method) if p.get("channel") == channel]


async def test_a_teams_submission_reaches_both_channels_and_a_teams_decision_updates_slack(
    both: tuple[Teams, FakeSlackApi],
) -> None:
    teams, slack = both
    sub_id = await submitted_with_file(teams)
    (teams_post,) = review_posts(teams)
    (slack_post,) = slack_posts(slack, "chat.postMessage", SLACK_REVIEW)
    assert "Alex Director" in str(slack_post.get("text"))
    assert [p[0] for p in posts(teams)] == ["slack", "teams"]

    await teams.press(
        REVIEWER,
        "review.approve",
        execute(teams_post.body["attachments"][0]["content"], "review.approve"),
        conversation=CHANNEL,
    )
    (update,) = slack_posts(slack, "chat.update", SLACK_REVIEW)
    slack_ts = next(p[2] for p in posts(teams) if p[0] == "slack")
    assert update["ts"] == slack_ts
    assert "Robin Reviewer" in str(update.get("blocks")) and "Approved" in str(update.get("blocks"))
    assert "review.approve" not in str(update.get("blocks"))  # no buttons once decided
    # the submitter wrote on Teams: told there, not on Slack
    assert not slack.calls_to("users.lookupByEmail")
    assert sub_id


async def test_a_slack_only_submitter_hears_on_slack_when_a_teams_reviewer_decides(
    both: tuple[Teams, FakeSlackApi],
) -> None:
    teams, slack = both
    await teams.say(REVIEWER, "help")  # the bot has heard from Teams: it knows its Bot Connector's address
    slack.add_user("U0ALEX", "td@a.k12.al.us", "Alex Director")
    ctx = teams.services.context()
    with ctx.session() as session:
        person = by_email(session, "td@a.k12.al.us")
        assert person is not None
        link_identity(session, person, "slack", "U0ALEX")
        session.commit()
        actor = actor_of(person, "slack")
    values: dict[str, str | list[str]] = {
        "event": "2025:EXT-SDE-REGION",
        "date": "2025-02-01",
        "hours": "3",
        "strands": ["1", "2"],
    }
    reply = create_submission(
        ctx, actor, values, check_evidence(PDF, "cert.pdf", 4096), client_key="V1", platform="slack"
    )
    assert reply.ok, reply.to_text()
    sub_id = reply.expect(Submitted).submission_id
    assert await teams.services.flow.post(ctx, "submission", sub_id) == 2
    assert await teams.services.flow.post(ctx, "submission", sub_id) == 0  # once per platform

    (teams_post,) = [c for c in teams.connector.of("send") if c.conversation_id == REVIEW_CHANNEL]
    await teams.press(
        REVIEWER,
        "review.approve",
        execute(teams_post.body["attachments"][0]["content"], "review.approve"),
        conversation=CHANNEL,
    )
    dms = [p for p in slack.calls_to("chat.postMessage") if p.get("channel") != SLACK_REVIEW]
    assert len(dms) == 1 and "approved" in str(dms[0].get("text")).lower()
    assert len(slack_posts(slack, "chat.update", SLACK_REVIEW)) == 1
