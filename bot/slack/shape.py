"""The shape of a verified Slack payload: the fields bolt and our listeners read have the types Slack sends.

Slack never sends `"user": 5`, a string for `actions` or a view without a type; a payload that does is answered
400 with one log line instead of failing deep inside bolt or a listener (a traceback). Only the fields something
reads are described; any other field is left alone, and a field that is absent or null is fine unless required.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Obj:
    fields: Mapping[str, Spec] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    or_str: bool = False  # Slack sends some of these as a bare id ("user": "U123" in events)


@dataclass(frozen=True)
class ListOf:
    item: Spec
    non_empty: bool = False


@dataclass(frozen=True)
class MapOf:
    value: Spec


Spec = type | tuple[type, ...] | Obj | ListOf | MapOf

ID = Obj({"id": str, "team_id": str, "enterprise_id": str, "domain": str})  # our listeners read .id
ID_OR_STR = Obj(ID.fields, or_str=True)  # bolt alone reads these, and takes a bare id too
ACTION_STATE = Obj(
    {
        "type": str,
        "value": str,
        "selected_option": Obj({"value": str}),
        "selected_options": ListOf(Obj({"value": str})),
        "selected_date": str,
        "files": ListOf(Obj({"id": str})),
    }
)
VIEW = Obj(
    {
        "id": str,
        "type": str,
        "callback_id": str,
        "private_metadata": str,
        "hash": str,
        "team_id": str,
        "blocks": ListOf(Obj({"type": str, "block_id": str})),
        "state": Obj({"values": MapOf(MapOf(ACTION_STATE))}),
    },
)
EVENT = Obj(
    {
        "type": str,
        "subtype": str,
        "user": str,
        "text": str,
        "channel": str,
        "channel_type": str,
        "bot_id": str,
        "ts": str,
        "thread_ts": str,
        "team": str,
        "user_team": str,
        "tab": str,
    }
)
COMMON: dict[str, Spec] = {
    "type": str,
    "token": str,
    "team_id": str,
    "user_id": str,
    "channel_id": str,
    "enterprise_id": str,
    "api_app_id": str,
    "command": str,
    "text": str,
    "response_url": str,
    "trigger_id": str,
    "event_id": str,
    "callback_id": str,
    "is_enterprise_install": (bool, str),
    "is_ext_shared_channel": bool,
    "team": ID,
    "user": ID,
    "channel": ID,
    "enterprise": ID_OR_STR,
    "container": Obj({"type": str, "channel_id": str, "message_ts": str, "view_id": str}),
    "message": Obj({"ts": str, "text": str, "user": ID_OR_STR, "thread_ts": str}),
    "previous_message": Obj({"ts": str, "user": ID_OR_STR}),
    "item": Obj({"channel": ID_OR_STR}),
    "assistant_thread": Obj({"channel_id": str}),
    "actions": ListOf(Obj({"action_id": str, "block_id": str, "value": str, "type": str})),
    "view": VIEW,
    "event": EVENT,
    "authorizations": ListOf(Obj({"team_id": str, "user_id": str, "enterprise_id": str, "is_bot": bool})),
    "response_urls": ListOf(Obj({"response_url": str, "channel_id": str, "block_id": str, "action_id": str})),
}
REQUIRED: dict[str | None, tuple[str, ...]] = {  # by payload type (a slash command has none)
    "block_actions": ("actions", "user"),
    "view_submission": ("view", "user"),
    "view_closed": ("view", "user"),
    "event_callback": ("event",),
}
VIEW_REQUIRED = ("id", "type", "callback_id")


def problem(body: dict[str, Any]) -> str | None:
    """What is wrong with a verified payload's shape (a short text naming the field), or None."""
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        return "type is not a string"
    found = _problem(body, Obj(COMMON, required=REQUIRED.get(kind, ())), "")
    if found is None and kind in ("view_submission", "view_closed"):
        found = _problem(body["view"], Obj(required=VIEW_REQUIRED), "view")
    if found is None and kind == "block_actions":
        found = _problem(body["actions"], ListOf(Obj(), non_empty=True), "actions")
    return found


def _problem(value: Any, spec: Spec, path: str) -> str | None:
    where = path or "body"
    if isinstance(spec, Obj):
        if spec.or_str and isinstance(value, str):
            return None
        if not isinstance(value, dict):
            return f"{where} is not an object"
        for key in spec.required:
            if value.get(key) in (None, ""):
                return f"{_join(path, key)} is missing"
        for key, sub in spec.fields.items():
            if value.get(key) is not None and (found := _problem(value[key], sub, _join(path, key))):
                return found
        return None
    if isinstance(spec, ListOf):
        if not isinstance(value, list) or (spec.non_empty and not value):
            return f"{where} is not a{' non-empty' if spec.non_empty else ''} list"
        return next((p for i, v in enumerate(value) if (p := _problem(v, spec.item, f"{where}[{i}]"))), None)
    if isinstance(spec, MapOf):
        if not isinstance(value, dict):
            return f"{where} is not an object"
        return next((p for k, v in value.items() if (p := _problem(v, spec.value, _join(path, str(k))))), None)
    return None if isinstance(value, spec) else f"{where} has the wrong type"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
