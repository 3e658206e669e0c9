"""The Slack app manifest: valid against Slack's published schema, and declaring the command, the events and a
scope for every Web API method bot/slack calls."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.slack.listeners import BOT_EVENTS, COMMAND

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "manifest" / "slack" / "manifest.yaml"
SCHEMA = ROOT.parent / "shared" / "schemas" / "slack-app-manifest.schema.1.0.0.json"

# Web API method -> the bot scope it needs (None: no scope needed).
SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "users.info": "users:read",
    "users.lookupByEmail": "users:read.email",
    "conversations.open": "im:write",
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "views.open": None,
    "views.update": None,
    "files.info": "files:read",
    "files.upload_v2": "files:write",  # files.getUploadURLExternal + files.completeUploadExternal
}
CALL = re.compile(r"\.(auth|chat|users|conversations|views|files)_([A-Za-z]+(?:_v2)?)\(")


def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(data, dict)
    return data


def called_methods() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "bot" / "slack").glob("*.py"):
        found |= {f"{a}.{b}" for a, b in CALL.findall(path.read_text())}
    return found


def test_manifest_matches_slack_schema() -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA} (../shared/schemas is absent here)")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(manifest(), schema)


def test_code_finds_the_calls_it_makes() -> None:
    methods = called_methods()
    assert {"users.info", "chat.postMessage", "chat.update", "views.open", "files.info", "files.upload_v2"} <= methods
    assert "files.upload" not in methods  # the retired upload method: files_upload_v2 only


def test_every_called_method_has_a_declared_scope() -> None:
    declared = set(manifest()["oauth_config"]["scopes"]["bot"])
    for method in sorted(called_methods() | {"auth.test"}):
        assert method in SCOPES, f"{method}: add its scope to SCOPES and the manifest"
        scope = SCOPES[method]
        assert scope is None or scope in declared, f"{method} needs {scope}"
    # the profile e-mail in users.info needs users:read.email; the command needs `commands`
    assert {"commands", "users:read.email"} <= declared
    if "message.im" in BOT_EVENTS:
        assert "im:history" in declared
    if "files.info" in called_methods():
        assert "files:read" in declared


def test_command_events_and_interactivity_declared() -> None:
    m = manifest()
    assert [c["command"] for c in m["features"]["slash_commands"]] == [COMMAND]
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) == set(BOT_EVENTS)
    assert m["settings"]["interactivity"]["is_enabled"] is True
    urls = {m["settings"]["interactivity"]["request_url"], m["settings"]["event_subscriptions"]["request_url"]}
    urls |= {c["url"] for c in m["features"]["slash_commands"]}
    assert all(u.endswith("/slack/events") for u in urls)


def test_no_scope_is_declared_without_use() -> None:
    declared = set(manifest()["oauth_config"]["scopes"]["bot"])
    used = {s for m, s in SCOPES.items() if m in called_methods() and s} | {"commands", "users:read.email"}
    if "message.im" in BOT_EVENTS:
        used.add("im:history")
    assert declared == used
