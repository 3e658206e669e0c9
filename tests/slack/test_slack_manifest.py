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
from click.testing import CliRunner

from bot.cli import main
from bot.cli_manifest import SLACK_MANIFEST
from bot.slack.listeners import BOT_EVENTS, COMMAND
from tests.paths import REPO, SHARED

ROOT = REPO
MANIFEST = SLACK_MANIFEST
SCHEMA = SHARED / "schemas" / "slack-app-manifest.schema.1.0.0.json"

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
    "views.publish": None,  # the App Home tab
    "chat.getPermalink": None,  # the digest's links to review posts (Slack lists no scope for it)
    "files.info": "files:read",
    "files.upload_v2": "files:write",  # files.getUploadURLExternal + files.completeUploadExternal
    "conversations.info": "channels:read",  # and groups:read for a private channel (bot/slack/doctor.py)
}
CALL = re.compile(r"\.(auth|chat|users|conversations|views|files)_([A-Za-z]+(?:_v2)?)\(")
PRIVATE_TOO = {"conversations.info": "groups:read"}  # the same method on a private channel needs a second scope


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


def test_the_home_tab_is_on_and_its_event_subscribed() -> None:
    m = manifest()
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in m["settings"]["event_subscriptions"]["bot_events"]
    assert "views.publish" in called_methods()


def test_no_scope_is_declared_without_use() -> None:
    declared = set(manifest()["oauth_config"]["scopes"]["bot"])
    used = {s for m, s in SCOPES.items() if m in called_methods() and s} | {"commands", "users:read.email"}
    if "message.im" in BOT_EVENTS:
        used.add("im:history")
    used |= {scope for method, scope in PRIVATE_TOO.items() if method in called_methods()}
    assert declared == used


def validate(doc: dict[str, Any]) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA} (../shared/schemas is absent here)")
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))


def request_urls(doc: dict[str, Any]) -> list[str | None]:
    s = doc["settings"]
    return [
        s["event_subscriptions"].get("request_url"),
        s["interactivity"].get("request_url"),
        s["interactivity"].get("message_menu_options_url"),
        *(c.get("url") for c in doc["features"]["slash_commands"]),
    ]


def test_cli_builds_the_http_manifest_for_a_url(tmp_path: Path) -> None:
    out = tmp_path / "manifest.json"
    result = CliRunner().invoke(main, ["manifest", "slack", "--url", "https://ceu.example.org/bot/", "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    validate(doc)
    assert request_urls(doc) == ["https://ceu.example.org/bot/slack/events"] * 4
    assert doc["settings"]["socket_mode_enabled"] is False
    assert doc["oauth_config"] == manifest()["oauth_config"]  # scopes unchanged


def test_cli_builds_the_socket_mode_manifest_without_urls(tmp_path: Path) -> None:
    out = tmp_path / "manifest.yaml"
    result = CliRunner().invoke(main, ["manifest", "slack", "--socket-mode", "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(out.read_text())
    validate(doc)
    assert request_urls(doc) == [None] * 4
    assert doc["settings"]["socket_mode_enabled"] is True
    assert doc["settings"]["interactivity"]["is_enabled"] is True
    assert set(doc["settings"]["event_subscriptions"]["bot_events"]) == set(BOT_EVENTS)


def test_cli_prints_the_manifest_without_out() -> None:
    result = CliRunner().invoke(main, ["manifest", "slack", "--url", "https://ceu.example.org"])
    assert result.exit_code == 0, result.output
    assert request_urls(json.loads(result.stdout))[0] == "https://ceu.example.org/slack/events"


@pytest.mark.parametrize(
    "args",
    [
        ["--url", "http://ceu.example.org"],  # Slack calls https only
        ["--url", "ceu.example.org"],
        ["--url", "https://ceu.example.org/?x=1"],
        [],  # neither
        ["--url", "https://ceu.example.org", "--socket-mode"],  # both
    ],
)
def test_cli_refuses_bad_arguments(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "manifest.json"
    result = CliRunner().invoke(main, ["manifest", "slack", *args, "--out", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert not out.exists()
