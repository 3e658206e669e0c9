"""A hypothesis fuzz of `/ceu` command text through correctly signed requests into the real aiohttp server (issue
9): whoever asks (director, reviewer + admin, SDE, someone not on the roster) and whatever they type (commands,
mentions, disguised links, mrkdwn, control characters, NUL, RTL marks, digits that are not ASCII, "payload"),
Slack gets its empty ack, the caller gets a reply (or the form opens), nothing reaching the fake Slack carries an
unescaped <!channel>, <@U…>, <#C…> or <url|label>, and the log holds no traceback.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.slack_attacks import tracebacks

TOKENS = [
    "status", "history", "events", "submit", "request", "snooze", "help", "whatif", "lookup", "overview", "report",
    "import", "2025", "2024", "1999", "FALL24", "EXT-FETC", "td@a.k12.al.us", "Alex", "<!channel>", "<!here>",
    "<!everyone>", "<@U123>", "<@UREV|robin>", "<#C123|general>", "<https://evil.example|alet.org>",
    "<mailto:x@evil.example|ALET>", "&", "&lt;", "&amp;", "*", "_", "~", "`", "```", ">", "\n", "\r\n", "\t", "\x00",
    "\x1b[2J", "\u2028", "\u202e", "payload", "payload=%7B", "٣", "²", "9" * 30, "-1", "0.25", "%0A", "%FF", "ﬀ", "İ",
    "ß", "😀", " ", "",
]  # fmt: skip
TEXTS = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=6).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=6).map("".join),
    st.text(max_size=80),
)
USERS = st.sampled_from(["UTD", "UREV", "USDE", "UNOBODY"])
UNESCAPED = re.compile(r"<[!@#]|<(https?|mailto):")
EXAMPLES = 60
_keys = itertools.count()


@pytest.fixture
async def bot(tmp_path: Path, db_url: str) -> AsyncIterator[SlackBot]:
    """On SQLite and PostgreSQL (which cannot hold a NUL even in a query's parameter)."""
    async with running_bot(tmp_path, db_url, today=TODAY) as b:
        seed_basic(b.ctx())
        yield b


def shown(params: dict[str, Any]) -> str:
    """Every text of an outbound call that Slack parses for mentions and links: the message's `text` fallback, a
    file's comment and every mrkdwn object (plain_text, like a header, is never parsed), as one string."""
    found = [str(params[k]) for k in ("text", "initial_comment") if isinstance(params.get(k), str)]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk([params.get("blocks"), params.get("view"), params.get("attachments")])
    return "\n".join(found)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure is reproducible, the suite's time is steady
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXTS, user=USERS)
@example(text="payload", user="UTD")  # bolt's parser took any form containing "payload" for an empty interaction
@example(text="lookup td\x00@a", user="UREV")  # PostgreSQL: "text fields cannot contain NUL" (a traceback)
@example(text="lookup <!here> <@UREV>", user="USDE")
@example(text="whatif <https://evil.example|FALL24> 2", user="UTD")
async def test_any_command_text_gets_a_reply_and_nothing_unescaped(
    bot: SlackBot, caplog: pytest.LogCaptureFixture, text: str, user: str
) -> None:
    caplog.set_level(logging.INFO)
    key = f"fuzz{next(_keys)}"
    forms = len(bot.fake.calls_to("views.open"))
    sent = len(bot.fake.calls)
    answer = await bot.command(text, user=user, key=key)
    assert answer.status == 200, (text, answer)
    if answer.text:  # a known caller's status is the ack's own body (issue 15): escaped like every message
        assert bot.responses(key) and not UNESCAPED.search(shown(answer.json())), (text, answer.text[:300])
    for _ in range(400):  # else the reply comes after the ack (on the response_url, or the form): ~10 s at most
        if bot.responses(key) or len(bot.fake.calls_to("views.open")) > forms:
            break
        await asyncio.sleep(0.025)
    assert bot.responses(key) or len(bot.fake.calls_to("views.open")) > forms, (text, user, bot.fake.methods()[sent:])
    for method, params in bot.fake.calls[sent:]:
        assert not UNESCAPED.search(shown(params)), (text, method, shown(params)[:300])
    assert tracebacks(caplog.records) == [], (text, user)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], (text, user)
