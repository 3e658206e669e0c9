"""Who is this Slack user? The roster person with the e-mail of their Slack profile (users.info), cached in
storage as a chat identity (platform "slack", external id = the user id), so a known user costs no Slack call.

Someone whose e-mail is not on the roster gets `Caller.actor is None` and nothing is written for them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import IntegrityError

from bot.runner import off_loop
from bot.slack.errors import SlackLookupFailed
from handlers.context import Actor, Context
from handlers.people import actor_of
from storage.people import by_email, by_identity, identity, link_identity

PLATFORM = "slack"
log = logging.getLogger("ceu.slack")


@dataclass(frozen=True)
class Caller:
    user_id: str
    email: str | None  # from the roster (cached) or the Slack profile; None when Slack shows none
    actor: Actor | None  # None: not on the roster (or inactive)


def cached(ctx: Context, user_id: str) -> Caller | None:
    """The caller from the stored identity alone (no Slack call), or None when we never saw them."""
    with ctx.session() as session:
        person = by_identity(session, PLATFORM, user_id)
        if person is None or not person.active:
            return None
        return Caller(user_id, person.email, actor_of(person, PLATFORM))


async def profile_email(client: AsyncWebClient, user_id: str) -> str | None:
    try:
        resp = await client.users_info(user=user_id)
    except SlackApiError as exc:
        raise SlackLookupFailed(str(exc.response.get("error", exc))) from exc
    except Exception as exc:  # network trouble reaching Slack
        raise SlackLookupFailed(repr(exc)) from exc
    user = resp.get("user") or {}
    email = (user.get("profile") or {}).get("email")
    return str(email) if email else None


async def resolve(ctx: Context, client: AsyncWebClient, user_id: str, team_id: str | None = None) -> Caller:
    """The caller as a roster Actor (linking the Slack account on first sight), or a Caller without actor."""
    known = await off_loop(cached, ctx, user_id)
    if known is not None:
        return known
    return await first_sight(ctx, client, user_id, team_id)


async def first_sight(ctx: Context, client: AsyncWebClient, user_id: str, team_id: str | None) -> Caller:
    """Ask Slack for the profile e-mail of a user we never saw, and link them to the roster person with it."""
    email = await profile_email(client, user_id)
    if not email:
        return Caller(user_id, None, None)
    return await off_loop(link, ctx, user_id, email, team_id)


def link(ctx: Context, user_id: str, email: str, team_id: str | None) -> Caller:
    with ctx.session() as session:
        person = by_email(session, email)
        if person is None or not person.active:
            return Caller(user_id, email, None)
        actor = actor_of(person, PLATFORM)
        link_identity(session, person, PLATFORM, user_id, tenant_id=team_id)
        try:
            session.commit()
        except IntegrityError:  # a concurrent request linked the same account first
            session.rollback()
        return Caller(user_id, person.email, actor)


def remember_dm(ctx: Context, caller: Caller, channel: str) -> None:
    """Store the DM channel a known caller wrote from (the notifier then needs no conversations.open)."""
    if caller.actor is None:
        return
    with ctx.session() as session:
        row = identity(session, PLATFORM, caller.user_id)
        if row is None or row.dm_channel == channel:
            return
        row.dm_channel = channel
        session.add(row)
        session.commit()
