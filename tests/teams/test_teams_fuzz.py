"""A Hypothesis fuzz of Teams message text (issue 9) through the real /api/messages with real Activity JSON and
the fake Bot Connector: whatever a director or a reviewer types (commands with odd arguments, Markdown links,
<at> mentions, control characters, long or empty text), the bot always answers, never a 5xx, logs
no traceback or error, and nothing it sends carries a Markdown link or a tag Teams would render (every card text
Teams reads as Markdown, and each activity's own text)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.bot_connector import BOT_ID, CARD, message
from tests.fakes.teams_harness import REVIEWER, SDE, STRANGER, TD, Teams, running_teams
from tests.teams.test_teams_user_text import LINK, TAG, markdown_texts

COMMANDS = (
    "",
    "status",
    "history",
    "history 2025",
    "events",
    "help",
    "snooze",
    "whatif",
    "whatif EXT-FETC",
    "lookup",
    "overview",
    "report",
    "import",
    "submit",
    "request",
    "status 2024",
    "@TD-CEU status",
)
NASTY = (
    "[Free pizza](https://evil.example/login)",
    "<at>everyone</at>",
    "<https://evil.example|click>",
    "![img](https://evil.example/x.png)",
    "[x]\n(https://evil.example)",
    "**bold** _it_ `code` ```block```",
    "&lt;at&gt;",
    "\x00",
    "\x1b[2J",
    "\u202e",
    "\r\n",
    "td@a.k12.al.us",
    "' OR 1=1 --",
    "%s %(name)s {0}",
)
PEOPLE = (TD, REVIEWER, SDE, STRANGER)
AT_BOT = "<at>TD-CEU</at>"
MENTIONS: tuple[list[dict[str, Any]] | None, ...] = (
    None,
    [{"type": "mention", "mentioned": {"id": BOT_ID, "name": "TD-CEU"}, "text": AT_BOT}],  # as Teams sends it
    [{"type": "mention", "mentioned": {"id": "29:user-9", "name": "Pat"}, "text": "<at>Pat</at>"}],
    [{"type": "mention", "mentioned": "TD-CEU", "text": 5}],  # a mention of the wrong shape
    [{"type": "clientInfo", "locale": "en-US"}],
)
text_strategy = st.builds(
    lambda command, parts: " ".join([command, *parts]).strip() if parts else command,
    st.sampled_from(COMMANDS),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=40)), max_size=4),
)


class Problems(logging.Handler):
    """Every log record with a traceback or at ERROR and above."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)


@pytest.fixture(scope="module")
def problems() -> Iterator[Problems]:
    handler = Problems()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def teams(tmp_path_factory: pytest.TempPathFactory, problems: Problems) -> AsyncIterator[Teams]:
    async with running_teams(tmp_path_factory.mktemp("fuzz"), CEU_SCHEDULER=False) as harness:
        yield harness


def markup_in(activity: dict[str, Any]) -> list[str]:
    found = [t for t in [str(activity.get("text") or "")] if LINK.search(t) or TAG.search(t)]
    for attachment in activity.get("attachments") or []:
        if attachment.get("contentType") == CARD:
            found += [t for t in markdown_texts(attachment["content"]) if LINK.search(t) or TAG.search(t)]
    return found


@pytest.mark.asyncio(loop_scope="module")
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=text_strategy, who=st.sampled_from(PEOPLE), mentions=st.sampled_from(MENTIONS))
async def test_any_message_text_gets_a_clean_reply(
    teams: Teams, problems: Problems, text: str, who: Any, mentions: list[dict[str, Any]] | None
) -> None:
    problems.records.clear()
    before = len(teams.connector.calls)
    activity = message(who, teams.service_url, f"{AT_BOT} {text}" if mentions else text)
    if mentions:
        activity["entities"] = mentions
    status, body = await teams.post(activity)
    assert status == 200, (status, body)
    replies = [c for c in teams.connector.of("reply") if c.activity_id == activity["id"]]
    assert replies, text  # always an answer (`report` also sends its files)
    sent = [c.body for c in teams.connector.calls[before:] if isinstance(c.body, dict)]
    marked = [m for body_ in sent for m in markup_in(body_)]
    assert not marked, (text, marked)
    assert not problems.records, [f"{r.name}: {r.getMessage()}" for r in problems.records]
