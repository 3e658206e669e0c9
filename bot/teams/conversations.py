"""Teams conversation references as stored JSON (tenant id, the user's aadObjectId, serviceUrl), so the bot can
message a person later (reminders, review decisions); and the tenant / user ids read from an activity."""

from __future__ import annotations

import json
import logging

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference

log = logging.getLogger("ceu.teams")

TEAMS_CHANNEL = "msteams"


def tenant_of(activity: Activity) -> str | None:
    """The Microsoft 365 tenant of an activity: conversation.tenantId, else channelData.tenant.id."""
    conversation = activity.conversation
    if conversation is not None and conversation.tenant_id:
        return str(conversation.tenant_id)
    data = activity.channel_data
    if isinstance(data, dict):
        tenant = data.get("tenant")
        if isinstance(tenant, dict) and tenant.get("id"):
            return str(tenant["id"])
    return None


def user_key(account: ChannelAccount | None) -> str | None:
    """The stable id of a Teams user: the Entra ID object id (aadObjectId); the channel user id otherwise
    (the Emulator has no aadObjectId)."""
    if account is None:
        return None
    return account.aad_object_id or account.id or None


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation
    if conversation is None:
        return False
    kind = (conversation.conversation_type or "").lower()
    return kind == "personal" or (not kind and not conversation.is_group)


def reference_of(activity: Activity) -> ConversationReference:
    """The reference to reply into the conversation of `activity`, with the tenant id filled in."""
    ref = TurnContext.get_conversation_reference(activity)
    tenant = tenant_of(activity)
    if ref.conversation is not None and tenant and not ref.conversation.tenant_id:
        ref.conversation.tenant_id = tenant
    return ref


def reference_json(ref: ConversationReference) -> str:
    return json.dumps(ref.serialize(), sort_keys=True)


def reference_from_json(text: str | None) -> ConversationReference | None:
    """A stored reference, or None when there is none or it cannot be read (logged)."""
    if not text:
        return None
    try:
        ref = ConversationReference().deserialize(json.loads(text))
    except (ValueError, TypeError, AttributeError) as exc:
        log.warning("unreadable stored Teams conversation reference: %s", exc)
        return None
    if not ref.service_url or ref.conversation is None or not ref.conversation.id:
        return None
    return ref


def channel_reference(service_url: str, conversation_id: str, tenant_id: str, bot_id: str) -> ConversationReference:
    """A reference to a channel conversation the bot was not messaged in (the reviewers' channel)."""
    return ConversationReference(
        channel_id=TEAMS_CHANNEL,
        service_url=service_url,
        conversation=ConversationAccount(
            id=conversation_id, is_group=True, conversation_type="channel", tenant_id=tenant_id or None
        ),
        bot=ChannelAccount(id=bot_id),
    )


def service_url_of(text: str | None) -> str | None:
    """The Bot Connector address in a stored reference (also in what is kept after an uninstall)."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    url = data.get("serviceUrl") if isinstance(data, dict) else None
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None
