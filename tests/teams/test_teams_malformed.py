"""Signed but malformed Teams activities (issue 9): wrong types, missing fields, a value that is not a dict, bad
JSON. Each gets a polite answer or a 4xx through the real /api/messages: never a 500 and never a traceback (nor an
error line) in the log."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.dbs import database_url
from tests.fakes.bot_connector import FakeEntraID, card_action, message
from tests.fakes.teams_harness import TD, running_teams
from tests.teams.test_teams_auth import APP_ID, credentials

FILE_INFO = "application/vnd.microsoft.teams.file.download.info"
Change = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Change:
    def change(activity: dict[str, Any]) -> None:
        node = activity
        *parents, last = path.split(".")
        for key in parents:
            node = node[key]
        node[last] = value

    return change


def _drop(path: str) -> Change:
    def change(activity: dict[str, Any]) -> None:
        node = activity
        *parents, last = path.split(".")
        for key in parents:
            node = node[key]
        node.pop(last, None)

    return change


MESSAGE_CASES: dict[str, Change] = {
    "text is a number": _set("text", 12),
    "text is a list": _set("text", ["status"]),
    "text is an object": _set("text", {"a": 1}),
    "text is null": _set("text", None),
    "text holds NUL": _set("text", "status\x00"),
    "value is a string": _set("value", "review.approve"),
    "value is a list": _set("value", [1, 2]),
    "value verb is a number": _set("value", {"_verb": 5}),
    "value verb unknown": _set("value", {"_verb": "nope", "_key": 3}),
    "value form without key": _set("value", {"_verb": "form.submit"}),
    "value form data wrong types": _set("value", {"_verb": "form.request", "_key": "k", "title": 5, "strands": {}}),
    "value approve id not a number": _set("value", {"_verb": "review.approve", "_item": "submission:abc"}),
    "value approve item object": _set("value", {"_verb": "review.approve", "_item": {"x": 1}}),
    "value reject reason form bad ctx": _set("value", {"_verb": "form.reject_reason", "_key": "k", "_ctx": "x"}),
    "attachments is a string": _set("attachments", "file"),
    "attachments hold a string": _set("attachments", ["file"]),
    "attachment without content": _set("attachments", [{"contentType": FILE_INFO}]),
    "attachment content wrong types": _set(
        "attachments",
        [
            {
                "contentType": FILE_INFO,
                "name": 3,
                "content": {"downloadUrl": 4},
            }
        ],
    ),
    "entities is a string": _set("entities", "mention"),
    "entities hold junk": _set("entities", [{"type": "mention", "mentioned": "x", "text": 3}]),
    "from is missing": _drop("from"),
    "from is a string": _set("from", "29:user-1"),
    "from id is a number": _set("from.id", 1),
    "from id holds NUL": _set("from.id", "29:user\x00-1"),
    "aad id holds NUL": _set("from.aadObjectId", "aad\x00"),
    "conversation id is a number": _set("conversation.id", 7),
    "conversation type unknown": _set("conversation.conversationType", 5),
    "conversation id holds NUL": _set("conversation.id", "a:per\x00sonal"),
    "channelData is a string": _set("channelData", "x"),
    "tenant is a string": _set("channelData.tenant", "t"),
    "tenant id is a number": _set("channelData.tenant", {"id": 5}),
    "recipient missing": _drop("recipient"),
    "timestamp not a date": _set("timestamp", "yesterday"),
    "type is a number": _set("type", 3),
    "type unknown": _set("type", "hacking"),
    "service url not a url": _set("serviceUrl", "javascript:alert(1)"),
    "service url a number": _set("serviceUrl", 5),
    "id is an object": _set("id", {"a": 1}),
    "locale is a number": _set("locale", 3),
}

INVOKE_CASES: dict[str, Change] = {
    "value is a string": _set("value", "x"),
    "value is a list": _set("value", []),
    "action is a string": _set("value.action", "Action.Execute"),
    "verb is a number": _set("value.action.verb", 3),
    "verb missing": _drop("value.action.verb"),
    "data is a list": _set("value.action.data", [1]),
    "data item a number": _set("value.action.data", {"_item": 12}),
    "data item bad id": _set("value.action.data", {"_item": "submission:99999999999999999999999"}),
    "data item negative": _set("value.action.data", {"_item": "request:-1"}),
    "form data wrong types": _set("value.action.data", {"_key": ["k"], "_ctx": {"a": 1}, "event": 5, "hours": []}),
    "unknown invoke name": _set("name", "task/fetch"),
    "name is a number": _set("name", 7),
    "search value junk": _set("name", "application/search"),
}

SEARCH_JUNK: dict[str, Any] = {
    "search options a string": {"queryText": 5, "dataset": ["submit.event"], "queryOptions": "all"},
    "search skip a string": {"queryText": "a", "dataset": "submit.event", "queryOptions": {"skip": "x", "top": -5}},
}


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.exc_info or r.levelno >= logging.ERROR or "Traceback" in r.getMessage()
    ]


async def _check(teams: Any, activity: Any, caplog: pytest.LogCaptureFixture) -> int:
    caplog.clear()
    token = teams.entra.token(app_id=APP_ID, service_url=teams.service_url)  # signed by the (fake) Bot Framework
    status, body = await teams.post(activity, token=token)
    assert status != 500 and status < 500, (status, body)
    assert not _errors(caplog), _errors(caplog)
    return status


@pytest.fixture(params=["sqlite"])
async def teams(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """Our server with real Bot Framework authentication (signed activities); `postgres` where a test asks."""
    entra = FakeEntraID().start()
    with database_url(request.param, tmp_path) as url:
        async with running_teams(
            tmp_path, dev=False, CEU_DATABASE_URL=url, CEU_SCHEDULER=False, **credentials(entra)
        ) as harness:
            harness.entra = entra  # type: ignore[attr-defined]
            yield harness
    entra.close()


@pytest.mark.parametrize("name", sorted(MESSAGE_CASES))
async def test_a_malformed_message_gets_a_polite_answer_or_a_4xx(
    teams: Any, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    activity = message(TD, teams.service_url, "status")
    MESSAGE_CASES[name](activity)
    await _check(teams, activity, caplog)


@pytest.mark.parametrize("name", sorted(INVOKE_CASES) + sorted(SEARCH_JUNK))
async def test_a_malformed_invoke_gets_a_polite_answer_or_a_4xx(
    teams: Any, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    activity = card_action(TD, teams.service_url, "review.approve", {"_item": "submission:1"})
    if name in SEARCH_JUNK:
        activity["name"] = "application/search"
        activity["value"] = copy.deepcopy(SEARCH_JUNK[name])
    else:
        INVOKE_CASES[name](activity)
    await _check(teams, activity, caplog)


@pytest.mark.parametrize("teams", ["postgres"], indirect=True)
@pytest.mark.parametrize("name", ["from id holds NUL", "aad id holds NUL", "conversation id holds NUL"])
async def test_nul_bytes_in_ids_are_a_4xx_on_postgresql(
    teams: Any, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    activity = message(TD, teams.service_url, "status")
    MESSAGE_CASES[name](activity)
    assert 400 <= await _check(teams, activity, caplog) < 500


@pytest.mark.parametrize(
    "raw",
    [b"{", b"[]", b"null", b'"text"', b"\xff\xfe", b'{"type": "message"}', b'{"type": []}', b"1e999999"],
)
async def test_bad_json_is_a_4xx(teams: Any, caplog: pytest.LogCaptureFixture, raw: bytes) -> None:
    caplog.clear()
    status, _ = await teams.server.post("/api/messages", raw=raw)
    assert 400 <= status < 500
    assert not _errors(caplog)
