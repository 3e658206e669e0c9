"""A personal-chat message read straight from its JSON, for the direct `status` reply (issue 15): msrest's
Activity().deserialize walks every field of the body with its type table (a large share of a request's CPU), so
the fast path reads the few fields it needs itself and leaves msrest to the full botbuilder turn.

`inbound_message(body)` is an Inbound only for bodies msrest would read the same way: a `message` in a personal
chat, every top-level key and every account key one of a short list with the JSON type msrest expects, no
attachment but Teams' text/html copy of the text, no value, no mention entity (botbuilder strips mentions with
its own rules), an id, a sender key and a quick command as text. Anything else is None and takes the full path,
which answers it (or 400) as before.

The accounts are read with msrest's own keys and case (ConversationAccount's tenant is `tenantID`: a `tenantId`
sent by Teams is dropped by msrest and so here; the tenant then comes from channelData), and the reply JSON is what
`TurnContext.apply_conversation_reference` plus msrest's serialize give for the same body
(tests/teams/test_teams_fast_inbound.py compares the two).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from msrest.serialization import Deserializer

from bot.teams.conversations import is_personal, tenant_of, user_key
from handlers.quick import is_quick

# msrest key -> (attribute, JSON type) of the accounts; `properties` (an object) is left to the full path
_ACCOUNT = {"id": "id", "name": "name", "aadObjectId": "aad_object_id", "role": "role"}
_CONVERSATION = {**_ACCOUNT, "conversationType": "conversation_type", "tenantID": "tenant_id"}
_TEXT_KEYS = frozenset(
    ("type", "id", "serviceUrl", "channelId", "text", "textFormat", "locale", "localTimezone", "replyToId")
)
_TIME_KEYS = frozenset(("timestamp", "localTimestamp"))
_OTHER_KEYS = frozenset(("from", "conversation", "recipient", "entities", "channelData", "attachments"))
# a date and time in years 1000-2999 with at most 7 decimals and a Z or +hh:mm offset up to 14 h: isodate reads
# every such text a datetime accepts (and msrest's UTC conversion cannot leave years 1-9999)
_TEAMS_TIME = re.compile(
    r"([12]\d{3})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,7})?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)", re.ASCII
)
_NO_REPLY_TO = ("directline", "webchat")  # TurnContext.get_conversation_reference leaves activity_id out for these

_OTHER_REPLY_FIELDS = tuple(a for a in Activity._attribute_map if a not in ("type", "summary", "attachments"))

Json = dict[str, Any]


@dataclass(frozen=True)
class Inbound:
    """The fields of a message the direct reply needs, and its reply's address."""

    body: Json
    key: str  # the sender's user key (aadObjectId, else id)
    text: str  # the command text, stripped
    sender: Json  # the accounts as msrest would serialise them again
    bot: Json
    conversation: Json
    activity: Activity = field(compare=False)  # the same fields as a plain Activity (no msrest walk)

    @property
    def tenant(self) -> str | None:
        return tenant_of(self.activity)

    @property
    def reply_url(self) -> str:
        base = str(self.body["serviceUrl"]).rstrip("/")
        conversation, message = quote(self.conversation["id"], safe=""), quote(str(self.body["id"]), safe="")
        return f"{base}/v3/conversations/{conversation}/activities/{message}"

    def reply_json(self, reply: Activity) -> Json | None:
        """`reply` (a card activity: type, summary, attachments) addressed as a reply to this message, as the
        Bot Connector takes it; None when the reply has other fields (then msrest serialises it)."""
        if any(getattr(reply, a) is not None for a in _OTHER_REPLY_FIELDS):
            return None
        if getattr(reply, "additional_properties", None):
            return None
        body: Json = {"type": reply.type} if reply.type is not None else {}
        for key, value in (
            ("serviceUrl", self.body.get("serviceUrl")),
            ("channelId", self.body.get("channelId")),
            ("from", self.bot),
            ("conversation", self.conversation),
            ("recipient", self.sender),
            ("locale", self.body.get("locale")),
            ("summary", reply.summary),
        ):
            if value is not None:
                body[key] = value
        if self.body.get("id") and self.body.get("channelId") not in _NO_REPLY_TO:
            body["replyToId"] = self.body["id"]
        if reply.attachments:
            body["attachments"] = [{"contentType": a.content_type, "content": a.content} for a in reply.attachments]
        return body


def inbound_message(body: Json) -> Inbound | None:
    """The Inbound of a body already through activity_shape.shape_problem, or None (take the full path)."""
    if body.get("type") != "message" or not _only_html(body.get("attachments")) or body.get("value") is not None:
        return None
    for key, value in body.items():
        if value is None:
            continue
        if key in _TEXT_KEYS:
            if not isinstance(value, str):
                return None
        elif key in _TIME_KEYS:
            if not _is_time(value):
                return None
        elif key not in _OTHER_KEYS:
            return None  # a field msrest would type-check or convert: the full path reads it
    service_url, channel_data = body.get("serviceUrl"), body.get("channelData")
    if not isinstance(service_url, str) or not service_url.startswith(("https://", "http://")) or not body.get("id"):
        return None
    if channel_data is not None and not isinstance(channel_data, dict):
        return None
    if not _plain_entities(body.get("entities")):
        return None
    sender, bot = _account(body.get("from"), _ACCOUNT), _account(body.get("recipient"), _ACCOUNT)
    conversation = _account(body.get("conversation"), _CONVERSATION, is_group=True)
    if not (sender and bot and conversation) or not (sender.get("id") and bot.get("id") and conversation.get("id")):
        return None  # the full path reads (or refuses) a message without its accounts
    activity = _plain_activity(body, sender, bot, conversation)
    sender_key = user_key(activity.from_property)
    text = str(body.get("text") or "").strip()
    if not sender_key or not is_personal(activity) or not is_quick(text):
        return None
    return Inbound(body, sender_key, text, sender, bot, conversation, activity)


def _is_time(value: object) -> bool:
    """Whether msrest reads the value as an ISO 8601 time: Teams' form (e.g. 2025-03-03T15:04:05.1234567Z) checked
    here, any other form by msrest itself."""
    match = _TEAMS_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        try:
            year, month, day, hour, minute, second = (int(g) for g in match.groups())
            datetime(year, month, day, hour, minute, second)
            return True
        except ValueError:
            pass  # msrest decides
    try:
        Deserializer.deserialize_iso(value)
    except Exception:  # msrest's DeserializationError and what isodate raises
        return False
    return True


def _only_html(attachments: object) -> bool:
    """No attachments, or only the text/html copy of the text Teams adds to a typed message (the full turn reads
    no file and no inline image from those: bot/teams/files.py)."""
    if attachments is None or attachments == []:
        return True
    if not isinstance(attachments, list):
        return False
    return all(
        isinstance(a, dict) and a.get("contentType") == "text/html" and isinstance(a.get("content", ""), str)
        for a in attachments
    )


def _plain_entities(entities: object) -> bool:
    """No entities, or only ones with a text type other than a mention (TurnContext.get_mentions' test)."""
    if entities is None:
        return True
    if not isinstance(entities, list):
        return False
    typed = all(isinstance(e, dict) and isinstance(e.get("type"), str) for e in entities)
    return typed and all(e["type"].lower() != "mention" for e in entities)


def _account(node: object, keys: dict[str, str], *, is_group: bool = False) -> Json | None:
    """The account's msrest-known keys (text values only; isGroup a bool); None for any other shape."""
    if not isinstance(node, dict):
        return None
    out: Json = {}
    for key, value in node.items():
        if value is None:
            continue
        if (key in keys and isinstance(value, str)) or (is_group and key == "isGroup" and isinstance(value, bool)):
            out[key] = value
        elif key in keys or key in ("properties", "isGroup"):
            return None  # a value msrest would convert or an object: the full path
        # any other key: msrest drops it, so do we
    return out


def _plain_activity(body: Json, sender: Json, bot: Json, conversation: Json) -> Activity:
    """An Activity with the fields of the reply's address, built directly (no msrest deserialisation)."""
    return Activity(
        type=body.get("type"),
        id=body.get("id"),
        channel_id=body.get("channelId"),
        service_url=body.get("serviceUrl"),
        locale=body.get("locale"),
        text=body.get("text"),
        channel_data=body.get("channelData"),
        from_property=ChannelAccount(**{_ACCOUNT[k]: v for k, v in sender.items()}),
        recipient=ChannelAccount(**{_ACCOUNT[k]: v for k, v in bot.items()}),
        conversation=ConversationAccount(
            **{("is_group" if k == "isGroup" else _CONVERSATION[k]): v for k, v in conversation.items()}
        ),
    )
