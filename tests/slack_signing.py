"""Building Slack requests as Slack sends them: bodies of slash commands, interactions and events, signed with the
signing secret exactly as slack_sdk.signature.SignatureVerifier checks them (v0:timestamp:body, HMAC-SHA256)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SECRET = "test-signing-secret-0123456789abcdef"
FORM = "application/x-www-form-urlencoded"


def signed_headers(
    body: str,
    secret: str = SECRET,
    *,
    timestamp: int | None = None,
    content_type: str = FORM,
    retry_num: int | None = None,
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return headers


def command_body(
    text: str,
    *,
    user_id: str,
    response_url: str,
    team_id: str = "T0TEST",
    command: str = "/ceu",
    trigger_id: str = "1337.42.abcdef",
    channel_id: str = "D0DIRECT",
) -> str:
    return urlencode(
        {
            "token": "legacy-unused",
            "team_id": team_id,
            "team_domain": "test",
            "channel_id": channel_id,
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": "ATEST",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def interaction_body(payload: dict[str, Any]) -> str:
    """Interactivity (block_actions, view_submission): form-encoded `payload=<json>`."""
    return urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any], *, team_id: str = "T0TEST", event_id: str = "Ev0001") -> str:
    return json.dumps(
        {
            "token": "legacy-unused",
            "team_id": team_id,
            "api_app_id": "ATEST",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team_id, "user_id": "UBOT", "is_bot": True}],
        }
    )


def block_action(
    *,
    user_id: str,
    action_id: str,
    value: str,
    channel: str,
    message_ts: str,
    response_url: str,
    team_id: str = "T0TEST",
    trigger_id: str = "1337.43.abcdef",
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "test"},
        "user": {"id": user_id, "team_id": team_id},
        "api_app_id": "ATEST",
        "trigger_id": trigger_id,
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "message_ts": message_ts},
        "message": {"ts": message_ts, "text": ""},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "review", "value": value}],
    }


def home_action(
    *, user_id: str, action_id: str, value: str, team_id: str = "T0TEST", trigger_id: str = "1337.45.home"
) -> dict[str, Any]:
    """A button pressed on the App Home tab: the container is the home view; there is no response_url."""
    return {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "test"},
        "user": {"id": user_id, "team_id": team_id},
        "api_app_id": "ATEST",
        "trigger_id": trigger_id,
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home", "team_id": team_id, "callback_id": "", "hash": "1.h"},
        "actions": [{"type": "button", "action_id": action_id, "block_id": f"review:{value}", "value": value}],
    }


def home_opened(user_id: str, tab: str = "home") -> dict[str, Any]:
    """The app_home_opened event (Slack sends it for the Messages tab too, with tab "messages")."""
    return {"type": "app_home_opened", "user": user_id, "channel": f"D{user_id}", "tab": tab, "event_ts": "1.1"}


def view_submission(
    *,
    user_id: str,
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    view_id: str = "V00001",
    private_metadata: str = "",
    team_id: str = "T0TEST",
) -> dict[str, Any]:
    """`values` is Slack's view.state.values: {block_id: {action_id: {"type": ..., <value key>: ...}}}."""
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "test"},
        "user": {"id": user_id, "team_id": team_id},
        "api_app_id": "ATEST",
        "trigger_id": "1337.44.abcdef",
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
            "hash": "1.abc",
        },
    }
