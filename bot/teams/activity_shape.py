"""The shape an activity must have before botbuilder sees it: a signed activity can still be malformed (a number
where Teams sends text, an account that is not an object, a NUL byte in an id that the reply's URL or a PostgreSQL
query would carry). `shape_problem(body)` names the first such problem (the endpoint answers 400) or None."""

from __future__ import annotations

from typing import Any

from handlers.control_chars import first_refused

TEXTS = ("type", "id", "serviceUrl", "channelId", "name", "replyToId", "locale", "text", "timestamp", "action")
IDS = ("type", "id", "serviceUrl", "channelId", "name", "replyToId")  # these reach URLs, queries and log lines
ACCOUNTS = ("from", "conversation", "recipient")
ACCOUNT_IDS = ("id", "aadObjectId", "tenantId")
LISTS = ("attachments", "entities", "membersAdded", "membersRemoved")


def _text_problem(node: dict[str, Any], key: str, where: str, *, is_id: bool) -> str | None:
    value = node.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        return f"{where}{key} is not text"
    if is_id and first_refused(value):
        return f"{where}{key} holds a control character"
    return None


def shape_problem(body: dict[str, Any]) -> str | None:
    for key in TEXTS:
        problem = _text_problem(body, key, "", is_id=key in IDS)
        if problem:
            return problem
    for key in ACCOUNTS:
        account = body.get(key)
        if account is None:
            continue
        if not isinstance(account, dict):
            return f"{key} is not an object"
        for sub in (*ACCOUNT_IDS, "name"):
            problem = _text_problem(account, sub, f"{key}.", is_id=sub in ACCOUNT_IDS)
            if problem:
                return problem
    for key in LISTS:
        items = body.get(key)
        if items is not None and not (isinstance(items, list) and all(isinstance(i, dict) for i in items)):
            return f"{key} is not a list of objects"
    channel_data = body.get("channelData")
    if channel_data is not None:
        if not isinstance(channel_data, dict):
            return "channelData is not an object"
        tenant = channel_data.get("tenant")
        if tenant is not None and not isinstance(tenant, dict):
            return "channelData.tenant is not an object"
        if isinstance(tenant, dict):
            return _text_problem(tenant, "id", "channelData.tenant.", is_id=True)
    return None
