"""What people type (event titles, organisers, rejection reasons) is shown as written on Teams cards: TextBlock and
FactSet read Markdown, so a `[text](url)` must not become a link nor `<at>` a mention. Over HTTP into the real
server with the fake Bot Connector, and on the card renderer."""

from __future__ import annotations

import re
from typing import Any

from bot.teams.cards import WORD_JOINER, plain, reply_activity
from handlers.reply import Fact, Reply, Section
from tests.fakes.bot_connector import TENANT, channel_conversation
from tests.fakes.teams_harness import REVIEW_CHANNEL, REVIEWER, SDE, Teams, texts
from tests.teams.test_teams_workflow import execute, review_posts

LINK = re.compile(r"\]\s*\(")  # what Teams' card Markdown reads as [text](url)
TAG = re.compile(r"<[A-Za-z/]")  # <at>, <https://…>, HTML
EVIL_TITLE = "[Free pizza](https://evil.example/login) for <at>everyone</at>"


def markdown_texts(card: Any) -> list[str]:
    """The texts of a card that Teams reads as Markdown: TextBlock.text and FactSet titles and values."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                out.append(node["text"])
            if node.get("type") == "FactSet":
                out.extend(t for f in node["facts"] for t in (f["title"], f["value"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return out


def no_markup(card: Any) -> None:
    for text in markdown_texts(card):
        assert not LINK.search(text) and not TAG.search(text), text


async def test_a_request_title_with_a_link_is_shown_as_text_to_the_reviewers(teams: Teams) -> None:
    form = await teams.say(SDE, "request")
    answers = {
        "title": EVIL_TITLE,
        "organiser": "[ALSDE](https://evil.example/)",
        "start": "2025-04-01",
        "end": "2025-04-02",
        "in_person": "in_person",
        "hours": "4",
        "strands": "5",
        "agenda_url": "https://example.org/agenda",
    }
    sent = await teams.press(SDE, "form.request", {**execute(form, "form.request"), **answers})
    no_markup(sent)
    (post,) = review_posts(teams)
    card = post.body["attachments"][0]["content"]
    no_markup(card)
    shown = texts(card).replace(WORD_JOINER, "")
    assert EVIL_TITLE in shown and "[ALSDE](https://evil.example/)" in shown  # as typed, only not a link

    reject = execute(card, "form.reject_reason")
    channel = channel_conversation(REVIEW_CHANNEL, TENANT)
    done = await teams.press(
        REVIEWER,
        "form.reject_reason",
        {**reject, "reason": "see [our rules](https://evil.example)"},
        conversation=channel,
    )
    no_markup(done)
    for sent_card in teams.connector.cards():  # the updated post and the requester's DM too
        no_markup(sent_card)
    assert "see [our rules](https://evil.example)" in texts(done).replace(WORD_JOINER, "")


def test_plain_leaves_ordinary_text_alone() -> None:
    for text in ("Approved by Robin (ALET) on 2025-03-03", "3 h [ALET]", "a < b and c > d", "x](", "FY2025: 12 h"):
        assert plain(text).replace(WORD_JOINER, "") == text
    assert plain("Approved by Robin (ALET) on 2025-03-03") == "Approved by Robin (ALET) on 2025-03-03"
    assert LINK.search(plain("[a](b)")) is None and TAG.search(plain("<b>x</b>")) is None


def test_every_text_of_a_reply_card_is_neutralised() -> None:
    reply = Reply(
        title="[t](https://e.example)",
        sections=[
            Section(
                heading="[h](u)",
                text="[x](y)",
                facts=[Fact("[l](u)", "[v](u)")],
                items=["[i](u)"],
            )
        ],
    )
    card = reply_activity(reply).attachments[0].content
    assert len(markdown_texts(card)) == 6
    no_markup(card)
