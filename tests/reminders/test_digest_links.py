"""The reviewers' digest links each waiting item to its review post (issue 14), asserted on what the fakes received:

- Slack: the digest posted through the real SlackNotifier to the fake Slack API carries `<permalink|Event request
  #N>` (chat.getPermalink, asked when the digest is sent) for each item whose post exists, one the same sweep posted
  again included; an item whose permalink Slack refuses (the message is gone) or that has no post is listed without
  a link, and the digest still says how to find the items.
- Teams: the stored conversation id and activity id do not make a documented channel-message deep link (it also
  needs the team's group id, team name and channel name), so the digest card carries no link and keeps saying how
  to find the items; the fake Bot Connector holds the card to the Adaptive Card 1.5 schema.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.runner import off_loop
from bot.scheduler import app_notifiers, review_channels
from bot.slack.blocks import message_payload
from bot.teams.cards import reply_card
from handlers.context import Context
from handlers.payloads import Digest, PostRef, Requested
from handlers.people import find_actor
from handlers.reminders.delivery import sweep
from handlers.reminders.text import STATUS_LISTS, digest_reply, find_items, with_item_links
from handlers.request import create_request
from handlers.review_flow import ReviewFlow
from storage.reviews import PendingItem
from tests.fakes.bot_connector import schema_problems
from tests.fakes.slack_harness import REVIEW_CHANNEL
from tests.fakes.teams_harness import TD, running_teams, texts
from tests.reminders import test_reminders_retries as retries
from tests.reminders.test_reminders_decide import SEP_2
from tests.reminders.test_reminders_retries import REQUEST_VALUES, World

world = retries.world  # the fixture: Slack through the fake Web API, on SQLite and PostgreSQL
PERMALINK = re.compile(r"^https://test\.slack\.com/archives/CREVIEW/p\d{16}$")


def old_request(ctx: Context, title: str, platform: str) -> int:
    """An event request by Alex made five days ago: waiting more than the policy's three days."""
    ctx.now = datetime.now(UTC) - timedelta(days=5)
    actor = find_actor(ctx, "td@a.k12.al.us", platform)
    assert actor is not None
    values = {**REQUEST_VALUES, "title": title}
    reply = create_request(ctx, actor, values, client_key=f"req-{title}", platform=platform)
    assert reply.ok, reply.to_text()
    return reply.expect(Requested).request_id


def digest_post(w: World) -> dict[str, Any]:
    (post,) = w.posts_of("waiting more than", REVIEW_CHANNEL)
    return post


def mrkdwn(post: dict[str, Any]) -> str:
    blocks = post["blocks"] if isinstance(post["blocks"], list) else json.loads(post["blocks"])
    return "\n".join(str(b["text"]["text"]) for b in blocks if b.get("type") == "section")


async def test_the_slack_digest_links_each_waiting_item_to_its_post(world: World) -> None:
    w = world
    linked = old_request(w.ctx(), "Alabama Cyber Summit", "slack")
    gone = old_request(w.ctx(), "ALET Spring Conference", "slack")
    never = old_request(w.ctx(), "AETC Summer Institute", "slack")
    assert await w.fanout().post(w.ctx(), "request", linked) == 1
    assert await w.fanout().post(w.ctx(), "request", gone) == 1
    (_, gone_ts) = [m for m in sorted(w.fake.messages)][-1]
    w.fake.messages.discard((REVIEW_CHANNEL, gone_ts))  # deleted in Slack: chat.getPermalink says message_not_found
    reposted = old_request(w.ctx(), "ISTE Live", "slack")
    w.fake.fail("chat.postMessage", "internal_error", times=3)  # the first posts, and the sweep's repost of `never`
    assert await w.fanout().post(w.ctx(), "request", never) == 0
    assert await w.fanout().post(w.ctx(), "request", reposted) == 0
    w.fake.reset_calls()

    report = await w.sweep()
    assert report.reposted == 1  # `reposted` is posted by the sweep before the digest; `never` stays without a post
    asked = [(p["channel"], p["message_ts"]) for p in w.fake.calls_to("chat.getPermalink")]
    assert len(asked) == 3 and (REVIEW_CHANNEL, gone_ts) in asked  # the items that have a post, asked today
    text = mrkdwn(digest_post(w))
    links = dict((label, url) for url, label in re.findall(r"<([^|>]+)\|([^>]+)>", text))
    assert set(links) == {f"Event request #{linked}", f"Event request #{reposted}"}, text
    assert all(PERMALINK.match(url) for url in links.values()), links
    assert f"• Event request #{gone}: ALET Spring Conference" in text  # listed, without a link
    assert f"• Event request #{never}: AETC Summer Institute" in text
    assert "a linked number opens its post; for the others, search the channel for the number" in text
    assert text.index(f"Event request #{never}:") < text.index("Approve or reject them")  # the list first


async def test_a_slack_digest_without_any_permalink_keeps_saying_how_to_find_them(world: World) -> None:
    w = world
    item = old_request(w.ctx(), "Alabama Cyber Summit", "slack")
    assert await w.fanout().post(w.ctx(), "request", item) == 1
    w.fake.fail("chat.getPermalink", "ratelimited")
    w.fake.reset_calls()
    report = await w.sweep()
    assert report.failed == 0  # no link is no error
    text = mrkdwn(digest_post(w))
    assert "<" not in text.replace("&lt;", "") and f"• Event request #{item}: Alabama Cyber Summit" in text
    assert find_items(1).replace("“", "").replace("”", "") in text.replace("“", "").replace("”", "")
    assert "Approve or reject it with the buttons on its post" in text and "linked" not in text


async def test_the_teams_digest_card_says_how_to_find_the_items(tmp_path: Path) -> None:
    async with running_teams(tmp_path) as teams:
        await teams.say(TD, "help")  # the Bot Connector's address is known once someone has talked to the bot
        ctx = teams.services.context()
        item = old_request(ctx, "Alabama Cyber Summit", "teams")
        app = teams.server._server.app
        notifiers = app_notifiers(app, teams.services)
        flow = ReviewFlow(offload=off_loop)
        for n, (_, channel) in zip(notifiers, review_channels(teams.services.settings), strict=True):
            flow.add(n, channel)
        assert await flow.post(teams.services.context(), "request", item) == 1
        teams.connector.calls.clear()
        sweep_ctx = teams.services.context()
        sweep_ctx.today = SEP_2
        await sweep(sweep_ctx, notifiers, review_channels(teams.services.settings))
        (digest,) = [
            c.body for c in teams.connector.of("send") if "waiting more than" in json.dumps(c.body, ensure_ascii=False)
        ]
        card = digest["attachments"][0]["content"]  # held to the 1.5 schema by the fake Bot Connector
        shown = texts(card)
        assert f"Event request #{item}: Alabama Cyber Summit" in shown
        assert "search the channel for the number" in shown
        assert "teams.microsoft.com/l/message" not in json.dumps(card) and "](" not in shown


def test_a_linked_item_renders_as_a_link_on_both_platforms_and_plain_text() -> None:
    """The item link itself (handlers.reply.Section.item_links), as each renderer draws it: Slack `<url|label>`,
    Teams a Markdown link in the item's TextBlock (a valid 1.5 card), the plain text the address after the item."""
    waiting = [
        PendingItem("request", 7, "Alex Director", "td@a.k12.al.us", "Cyber [Summit](x)", 12, datetime.now(UTC)),
        PendingItem("submission", 8, "Alex Director", "td@a.k12.al.us", "ALET Spring", 4, datetime.now(UTC)),
    ]
    posts = {("request", 7): PostRef("CREVIEW", "1700000001.000100"), ("submission", 8): None}
    reply = digest_reply(SEP_2, 3, waiting, [], posts)
    assert reply.expect(Digest).posts == (PostRef("CREVIEW", "1700000001.000100"), None)
    url = "https://test.slack.com/archives/CREVIEW/p1700000001000100"
    linked = with_item_links(reply, [url, None])
    assert find_items(2) in reply.to_text() and find_items(2, 1) in linked.to_text()
    assert "for the others, search the channel" in linked.to_text()
    every = with_item_links(reply, [url, url.replace("1700000001", "1700000002")])
    assert find_items(2, 2) in every.to_text() and "for the others" not in every.to_text()
    assert "a linked number opens its post" in every.to_text()
    assert (
        f"- Event request #7: Cyber [Summit](x) (3 hours) from Alex Director, waiting 0 days ({url})"
        in linked.to_text()
    )
    assert "- Submission #8: ALET Spring (1 hour) from Alex Director" in linked.to_text()
    assert linked.to_text().rstrip().endswith(STATUS_LISTS)  # the instruction after the list, short
    slack = json.dumps(message_payload(linked)["blocks"])
    assert f"<{url}|Event request #7>: Cyber [Summit](x)" in slack and "|Submission #8>" not in slack
    card = reply_card(linked)
    assert not schema_problems(card)
    items = [b["text"] for b in card["body"] if b.get("type") == "TextBlock" and b["text"].startswith("\u2022")]
    assert items[0].startswith(f"\u2022 [Event request #7]({url}): Cyber [Summit]\u2060(x)"), items  # user text plain
    assert "](" not in items[1]


def test_the_digest_counts_the_days_waited_from_the_local_date() -> None:
    """Sent at 22:00 on August 30 in Chicago (03:00 UTC on the 31st): on September 2 it has waited 3 days in
    CEU_TIMEZONE, not the 2 its UTC date would say; one item reads in the singular."""
    sent = datetime(2025, 8, 31, 3, 0, tzinfo=UTC)
    waiting = [PendingItem("submission", 8, "Alex Director", "td@a.k12.al.us", "ALET Spring", 4, sent)]
    text = digest_reply(SEP_2, 3, waiting, []).to_text()
    assert "- Submission #8: ALET Spring (1 hour) from Alex Director, waiting 3 days" in text, text
    assert "waiting 2 days" in digest_reply(SEP_2, 3, waiting, [], zone="UTC").to_text()
    assert "Approve or reject it with the buttons on its post in this channel" in text and "them" not in text
