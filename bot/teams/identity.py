"""Who is writing on Teams: the roster person behind a Teams user, found by their member e-mail / UPN
(TeamsInfo.get_member, one Bot Connector call) the first time and cached in chat_identity (platform "teams",
external_id = aadObjectId, tenant id, the personal chat's conversation reference) after that.

People not on the roster get nothing recorded. The conversation reference is refreshed on every personal message.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity
from sqlalchemy.exc import IntegrityError

from bot.runner import off_loop
from bot.teams.conversations import is_personal, reference_json, reference_of, tenant_of, user_key
from handlers.context import Actor, Context
from handlers.people import actor_of
from storage.people import Seen, active_caller_seen, by_email, forget_conversation, link_identity
from storage.tables import Person

log = logging.getLogger("ceu.teams")

PLATFORM = "teams"
REFRESH_AFTER = timedelta(hours=1)  # an unchanged identity is written again (last seen) at most this often


@dataclass(frozen=True)
class Caller:
    """The Teams user of a turn: the roster actor (None for people not on the roster), their e-mail as Teams
    knows it, and whether the member look-up itself failed (Teams unreachable)."""

    actor: Actor | None
    email: str | None
    key: str | None
    lookup_failed: bool = False


def _link(ctx: Context, person_id: int, key: str, activity: Activity) -> None:
    ref = reference_json(reference_of(activity)) if is_personal(activity) else None
    for attempt in range(2):  # two first messages at once both insert: the loser retries as an update
        with ctx.session() as session:
            row = session.get(Person, person_id)
            if row is None:
                return
            link_identity(session, row, PLATFORM, key, tenant_id=tenant_of(activity), conversation_ref=ref)
            try:
                session.commit()
                return
            except IntegrityError:
                session.rollback()
                if attempt:
                    raise


async def member_email(turn: TurnContext) -> tuple[str | None, str | None]:
    """(e-mail or UPN, aadObjectId) of the activity's sender from the Bot Connector's member look-up."""
    sender = turn.activity.from_property
    if sender is None or not sender.id:
        return None, None
    member = await TeamsInfo.get_member(turn, sender.id)
    email = getattr(member, "email", None) or getattr(member, "user_principal_name", None)
    return (str(email) if email else None), (getattr(member, "aad_object_id", None) or None)


def known_caller(ctx: Context, key: str, activity: Activity) -> Caller | None:
    """The caller from chat_identity (one query; their reference written again only when it changed), or None
    when the Teams user is not linked yet."""
    with ctx.session() as session:
        found = active_caller_seen(session, PLATFORM, key)
    if found is None:
        return None
    (person_id, email, name, roles), seen = found
    if needs_refresh(seen, activity, ctx.now):
        _link(ctx, person_id, key, activity)
    return Caller(Actor(person_id, email, name, roles, PLATFORM), email, key)


def needs_refresh(row: Seen, activity: Activity, now: datetime) -> bool:
    """Whether the stored identity must be written again: another tenant or conversation reference (the id of the
    message it was taken from aside), or last written more than REFRESH_AFTER ago (updated_at says when the account
    was last seen). A known caller's message otherwise writes nothing."""
    tenant = tenant_of(activity)
    if tenant and row.tenant_id != tenant:
        return True
    if row.updated_at is None or now - _aware(row.updated_at) > REFRESH_AFTER:
        return True
    if not is_personal(activity):
        return False
    return _without_id(row.conversation_ref) != _without_id(reference_json(reference_of(activity)))


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _without_id(ref: str | None) -> object:
    try:
        data = json.loads(ref) if ref else None
    except ValueError:
        return None
    if isinstance(data, dict):
        data.pop("activityId", None)
    return data


def _by_email(ctx: Context, email: str, key: str | None, turn: TurnContext) -> Caller:
    """The caller found by their member e-mail, linked to their Teams user for next time."""
    with ctx.session() as session:
        person = by_email(session, email)
    if person is None or not person.active:
        return Caller(None, email, key)
    if key:
        assert person.id is not None
        _link(ctx, person.id, key, turn.activity)
    return Caller(actor_of(person, PLATFORM), person.email, key)


async def resolve_caller(turn: TurnContext, ctx: Context) -> Caller:
    """The roster actor behind the turn's sender (cached identity first, else the member look-up by e-mail); the
    database work on a worker thread, the Bot Connector call on the event loop."""
    key = user_key(turn.activity.from_property)
    if key:
        known = await off_loop(known_caller, ctx, key, turn.activity)
        if known is not None:
            return known
    try:
        email, aad_id = await member_email(turn)
    except Exception as exc:  # the Bot Connector is unreachable or refuses: say so, record nothing
        log.warning("Teams member look-up failed: %s", exc)
        return Caller(None, None, key, lookup_failed=True)
    key = key or aad_id
    if not email:
        return Caller(None, None, key)
    return await off_loop(_by_email, ctx, email, key, turn)


def forget_caller(turn: TurnContext, ctx: Context) -> bool:
    """The app was uninstalled from the sender's personal scope: drop their stored conversation reference, keeping
    only the Bot Connector address (their tenant and aadObjectId stay) to open a 1:1 chat if the app comes back
    for their team or organisation."""
    key = user_key(turn.activity.from_property)
    if not key:
        return False
    service_url = turn.activity.service_url
    keep = json.dumps({"serviceUrl": service_url}) if service_url else None
    with ctx.session() as session:
        changed = forget_conversation(session, PLATFORM, key, keep=keep)
        if changed:
            session.commit()
    return changed
