"""The whole bot on a real local port with Slack switched on, its SLACK_API_URL pointed at FakeSlackApi, and
helpers that send correctly signed requests to POST /slack/events (or deliberately broken ones).

    seen = await bot.ask("td", "status")   # /ceu status as Alex Director: what Alex sees (tests.fakes.seen.Seen)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from bot.app import Services, build_app, build_services
from bot.settings import Settings
from handlers.context import Context
from tests.fakes.seen import Seen, slack_seen
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_limits import answer_problems
from tests.slack_signing import (
    SECRET,
    block_action,
    command_body,
    event_body,
    home_action,
    home_opened,
    interaction_body,
    signed_headers,
    view_submission,
)

REVIEW_CHANNEL = "CREVIEW"
# Slack users of the test workspace, matching tests.conftest.ROSTER (plus one stranger).
USERS = {
    "UTD": "td@a.k12.al.us",
    "UOLD": "old@b.k12.al.us",
    "UREV": "rev@alet.org",
    "USDE": "sde@alsde.edu",
    "UNOBODY": "stranger@example.org",
}
SLACK_USERS = {"td": "UTD", "old": "UOLD", "reviewer": "UREV", "sde": "USDE", "stranger": "UNOBODY"}


@dataclass
class Answer:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


@dataclass
class SlackBot:
    fake: FakeSlackApi
    services: Services
    server: TestServer
    http: aiohttp.ClientSession
    _asks: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    acked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # messages carried by acks, by key

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/slack/events"

    def ctx(self) -> Context:
        return self.services.context()

    async def post(self, body: str, headers: dict[str, str]) -> Answer:
        async with self.http.post(self.url, data=body.encode(), headers=headers) as resp:
            answer = Answer(resp.status, await resp.text())
        with contextlib.suppress(ValueError):  # an ack's message or response_action view, held to Slack's limits
            self.fake.payload_errors.extend(answer_problems(answer.json()))
        return answer

    async def signed(self, body: str, *, content_type: str = "application/x-www-form-urlencoded", **kw: Any) -> Answer:
        return await self.post(body, signed_headers(body, SECRET, content_type=content_type, **kw))

    async def command(self, text: str, user: str = "UTD", *, key: str = "cmd", **kw: Any) -> Answer:
        """Send a slash command; a message carried by the ack itself counts as a response on `key` (marked
        "_in_ack"), like a later post to the response_url."""
        body = command_body(text, user_id=user, response_url=self.fake.response_url(key))
        answer = await self.signed(body, **kw)
        carried = answer.json() if answer.status == 200 and answer.text.startswith("{") else None
        if isinstance(carried, dict) and (carried.get("text") or carried.get("blocks")):
            self.acked.setdefault(key, []).append({**carried, "_key": key, "_in_ack": True})
        return answer

    async def ask(self, who: str, text: str) -> Seen:
        """`/ceu text` typed by `who` (a role of tests.fakes.seen.WHO, or a Slack user id); what they see: the
        reply in the ack, else the one on the command's response_url, else the modal the command opened."""
        key = f"ask{next(self._asks)}"
        opened = len(self.fake.calls_to("views.open"))
        answer = await self.command(text, user=SLACK_USERS.get(who, who), key=key)
        assert answer.status == 200, answer
        body = answer.json()
        if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            return slack_seen(body)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5.0  # work after the ack lands a little later; a bound, not a timed assertion
        while not self.responses(key) and len(self.fake.calls_to("views.open")) == opened:
            assert loop.time() < deadline, f"no reply to {text!r}: {self.fake.methods()}"
            await asyncio.sleep(0.005)
        if self.responses(key):
            [reply] = self.responses(key)
            return slack_seen(reply)
        return slack_seen(self.fake.calls_to("views.open")[opened]["view"])

    async def click(
        self, action_id: str, value: str, user: str = "UREV", *, ts: str, key: str = "click", **kw: Any
    ) -> Answer:
        payload = block_action(
            user_id=user,
            action_id=action_id,
            value=value,
            channel=REVIEW_CHANNEL,
            message_ts=ts,
            response_url=self.fake.response_url(key),
        )
        return await self.signed(interaction_body(payload), **kw)

    async def home_click(self, action_id: str, value: str, user: str = "UTD", **kw: Any) -> Answer:
        """A button on the App Home tab (answered in a modal: no response_url)."""
        payload = home_action(user_id=user, action_id=action_id, value=value)
        return await self.signed(interaction_body(payload), **kw)

    async def open_home(self, user: str = "UTD", *, tab: str = "home", event_id: str = "EvHome", **kw: Any) -> Answer:
        return await self.event(home_opened(user, tab), event_id=event_id, **kw)

    async def submit_view(
        self,
        callback_id: str,
        values: dict[str, dict[str, dict[str, Any]]],
        user: str = "UTD",
        *,
        view_id: str = "V00001",
        private_metadata: str = "",
        **kw: Any,
    ) -> Answer:
        payload = view_submission(
            user_id=user, callback_id=callback_id, values=values, view_id=view_id, private_metadata=private_metadata
        )
        return await self.signed(interaction_body(payload), **kw)

    async def event(self, event: dict[str, Any], *, event_id: str = "Ev0001", **kw: Any) -> Answer:
        return await self.signed(event_body(event, event_id=event_id), content_type="application/json", **kw)

    def responses(self, key: str = "cmd") -> list[dict[str, Any]]:
        """The messages answering `key`: carried by acks first, then posted to the response_url."""
        posted = [p for p in self.fake.calls_to("response_url") if p.get("_key") == key]
        return [*self.acked.get(key, []), *posted]

    async def wait_response(self, key: str = "cmd", count: int = 1, timeout: float = 5.0) -> dict[str, Any]:
        """The `count`-th post to the response_url named `key` (work after the ack lands a little later)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.responses(key)) < count:
            if loop.time() > deadline:
                raise AssertionError(f"no response #{count} on {key}: {self.fake.methods()}")
            await asyncio.sleep(0.005)
        return self.responses(key)[count - 1]


def settings_for(
    tmp_path: Path, db_url: str, api_url: str, *, today: date, max_bytes: int = 1024 * 1024, **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "CEU_DATA_DIR": str(tmp_path / "data"),
        "CEU_DATABASE_URL": db_url,
        "CEU_TODAY": today,
        "CEU_EVIDENCE_MAX_BYTES": max_bytes,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": api_url,
        "SLACK_REVIEW_CHANNEL": REVIEW_CHANNEL,
        "SLACK_HTTP_TIMEOUT": 5,
        "CEU_SCHEDULER": False,  # no stray sweep if a test happens to run at 09:00 Chicago; tests opt in
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def running_bot(tmp_path: Path, db_url: str, *, today: date, **extra: Any) -> AsyncIterator[SlackBot]:
    fake = FakeSlackApi()
    await fake.start()
    for user_id, email in USERS.items():
        fake.add_user(user_id, email)
    services = build_services(settings_for(tmp_path, db_url, fake.api_url, today=today, **extra))
    server = TestServer(build_app(services), host="127.0.0.1")
    await server.start_server()
    http = aiohttp.ClientSession()
    try:
        yield SlackBot(fake, services, server, http)
    finally:
        await http.close()
        await server.close()
        await fake.close()
        services.engine.dispose()
