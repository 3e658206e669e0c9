"""The Teams test harness: our real app (bot.app.build_app) on a local port, the fake Bot Connector as the
activities' serviceUrl, and the check every card goes through (Adaptive Card 1.5 structure, Teams' size limit;
tests/teams/test_card_check.py shows the check itself can fail).

    seen = await teams.ask("td", "status")   # Alex Director's message: the card Alex sees (tests.fakes.seen.Seen)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.app import Services, build_app, build_services
from bot.settings import Settings
from bot.teams.bot import CeuTeamsBot
from bot.teams.mount import MessagesEndpoint
from tests.conftest import TODAY, seed_basic
from tests.fakes.bot_connector import (
    CARD,
    AppServer,
    FakeBotConnector,
    TeamsUser,
    card_action,
    card_problems,
    message,
    user,
)
from tests.fakes.outbox import drain
from tests.fakes.seen import Seen, teams_seen

REVIEW_CHANNEL = "19:reviewers@thread.tacv2"
TD = user(1, "Alex Director")
REVIEWER = user(2, "Robin Reviewer")
SDE = user(3, "Sasha SDE")
STRANGER = user(9, "Pat Stranger")
TEAMS_USERS = {"td": TD, "reviewer": REVIEWER, "sde": SDE, "stranger": STRANGER}
MEMBERS = {TD: "td@a.k12.al.us", REVIEWER: "rev@alet.org", SDE: "sde@alsde.edu", STRANGER: "pat@nowhere.example"}


def teams_settings(tmp_path: Path, today: date = TODAY, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "CEU_DATA_DIR": tmp_path,
        "CEU_DATABASE_URL": "",
        "CEU_TODAY": today,
        "MICROSOFT_APP_ID": "",
        "MICROSOFT_APP_PASSWORD": "",
        "MICROSOFT_APP_TENANT_ID": "",
        "TEAMS_ALLOWED_TENANTS": "",
        "TEAMS_REVIEW_CHANNEL": REVIEW_CHANNEL,
        "TEAMS_OPENID_METADATA_URL": "",
        "TEAMS_TOKEN_URL": "",
        "TEAMS_SERVICE_URL": "",
        "SLACK_BOT_TOKEN": "",
        "SLACK_SIGNING_SECRET": "",
        "SLACK_APP_TOKEN": "",
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Teams:
    """Our server, the fake Bot Connector, and the services behind them."""

    server: AppServer
    connector: FakeBotConnector
    services: Services
    invoke_cards: list[dict[str, Any]] = field(default_factory=list)

    @property
    def service_url(self) -> str:
        return self.connector.url

    @property
    def endpoint(self) -> MessagesEndpoint:
        """Our handler of POST /api/messages (the route's handler is the endpoint's bound __call__)."""
        for route in self.server.app.router.routes():
            handler = getattr(route.handler, "__self__", route.handler)
            if isinstance(handler, MessagesEndpoint):
                return handler
        raise AssertionError("no Teams endpoint mounted")

    @property
    def bot(self) -> CeuTeamsBot:
        """Our bot behind POST /api/messages."""
        return self.endpoint.bot

    async def settle(self) -> None:
        """Wait for what the bot does after its answer (review posts; the outbox: posts' updates, DMs)."""
        await self.bot.background.settle()
        await drain(self.services)

    async def post(self, activity: dict[str, Any], *, token: str | None = None, settle: bool = True) -> tuple[int, Any]:
        """POST an activity; unless `settle=False`, also wait for the work the bot started after answering."""
        status, body = await self.server.post("/api/messages", activity, token=token)
        if settle and status < 400:
            await self.settle()
        if isinstance(body, dict) and body.get("type") == CARD:
            problems = card_problems(body.get("value"))
            assert not problems, problems
            self.invoke_cards.append(body["value"])
        return status, body

    async def say(self, who: TeamsUser, text: str, **kw: Any) -> dict[str, Any]:
        """Send a message; the one card the bot answered it with (its reply to that activity)."""
        activity = message(who, self.service_url, text, **kw)
        status, _ = await self.post(activity)
        assert status == 200
        replies = [c for c in self.connector.of("reply") if c.activity_id == activity["id"]]
        assert len(replies) == 1, f"expected one reply, got {len(replies)}"
        attachments = replies[0].body.get("attachments") or []
        assert len(attachments) == 1 and attachments[0]["contentType"] == CARD
        return dict(attachments[0]["content"])

    async def ask(self, who: str | TeamsUser, text: str) -> Seen:
        """A message from `who` (a role of tests.fakes.seen.WHO, or a TeamsUser); the card they see in reply."""
        return teams_seen(await self.say(TEAMS_USERS[who] if isinstance(who, str) else who, text))

    async def press(self, who: TeamsUser, verb: str, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
        """Press an Action.Execute button; the card of the invoke response."""
        status, body = await self.post(card_action(who, self.service_url, verb, data, **kw))
        assert status == 200, body
        assert body["statusCode"] == 200 and body["type"] == CARD, body
        return dict(body["value"])


async def start_teams(tmp_path: Path, connector: FakeBotConnector, settings: Settings, *, dev: bool) -> Teams:
    services = build_services(settings)
    seed_basic(services.context())
    for who, email in MEMBERS.items():
        connector.add_member(who.user_id, email, aad_id=who.aad_id, name=who.name)
    server = await AppServer(build_app(services, dev=dev)).start()
    return Teams(server, connector, services)


@asynccontextmanager
async def running_teams(tmp_path: Path, *, dev: bool = True, **overrides: Any) -> AsyncIterator[Teams]:
    """Our server in --dev mode (no token needed; any tenant) or, with dev=False and credentials in `overrides`,
    authenticated; on leaving, every card the bot sent must have passed Teams' checks."""
    connector = await FakeBotConnector().start()
    harness = await start_teams(tmp_path, connector, teams_settings(tmp_path, **overrides), dev=dev)
    try:
        yield harness
    finally:
        await harness.server.close()
        harness.services.engine.dispose()
        await connector.close()
    assert not connector.card_errors, connector.card_errors


def texts(card: dict[str, Any]) -> str:
    """Every text of a card (TextBlocks, facts, sub-cards) and the addresses its buttons open, one per line."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label", "placeholder", "url"):  # url: Action.OpenUrl
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(out)


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action.") and "fallback" not in str(node.get("id", "")):
                found.append(node)
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found
