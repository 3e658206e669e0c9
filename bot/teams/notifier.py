"""TeamsNotifier: handlers.notify.Notifier for Microsoft Teams (proactive messages through the Bot Connector).

- send_dm: into the person's stored personal-chat reference (continue_conversation); without one, but with their
  aadObjectId and tenant known, it creates the 1:1 conversation (works where the app is installed for the team or
  organisation) and stores the new reference; otherwise Delivery UNREACHABLE.
- post_channel / update_message: the reviewers' channel (TEAMS_REVIEW_CHANNEL, a channel conversation id).
- 429 / 5xx / network / token errors -> FAILED (the caller retries later); 403 / 404 -> UNREACHABLE. Never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import BotAdapter, CloudAdapterBase, TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters, ConversationReference

from bot.teams.conversations import (
    TEAMS_CHANNEL,
    channel_reference,
    reference_from_json,
    reference_json,
    service_url_of,
)
from bot.teams.render import render
from handlers.context import Context
from handlers.notify import Delivery, DeliveryStatus, Recipient
from handlers.reply import Reply
from storage.people import identity_on, latest_conversation_ref

log = logging.getLogger("ceu.teams.notify")

PLATFORM = "teams"
PUBLIC_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
ContextFactory = Callable[[], Context]


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of a Bot Connector error (msrest HttpOperationError), if it carries one."""
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


def delivery_error(exc: BaseException, channel: str = "") -> Delivery:
    code = status_of(exc)
    status = DeliveryStatus.UNREACHABLE if code in (403, 404) else DeliveryStatus.FAILED
    detail = f"HTTP {code}" if code else f"{type(exc).__name__}: {exc}"
    log.warning("Teams delivery %s to %s: %s", status.value, channel or "?", detail)
    return Delivery(status, PLATFORM, channel=channel, error=detail[:300])


class TeamsNotifier:
    platform = PLATFORM

    def __init__(
        self,
        adapter: CloudAdapterBase,
        contexts: ContextFactory,
        *,
        app_id: str = "",
        tenant_id: str = "",
        service_url: str = "",
        review_channel: str = "",
    ) -> None:
        self.adapter = adapter
        self.contexts = contexts
        self.app_id = app_id
        self.tenant_id = tenant_id
        self.service_url = service_url
        self.review_channel = review_channel

    @property
    def bot_id(self) -> str:
        return f"28:{self.app_id}" if self.app_id else "bot"

    def _service_url(self, stored: str | None = None) -> str:
        """TEAMS_SERVICE_URL, else the person's stored Bot Connector address, else the latest one seen, else the
        public cloud's global address."""
        if self.service_url:
            return self.service_url
        own = service_url_of(stored)
        if own:
            return own
        with self.contexts().session() as session:
            latest = service_url_of(latest_conversation_ref(session, PLATFORM))
        return latest or PUBLIC_SERVICE_URL

    async def _in_conversation(self, ref: ConversationReference, work: Callable[[TurnContext], Awaitable[str]]) -> str:
        """Run `work` in a proactive turn of `ref`; its result, or its exception re-raised here (the adapter's turn
        error handler is not involved)."""
        outcome: dict[str, object] = {}

        async def callback(turn: TurnContext) -> None:
            try:
                outcome["id"] = await work(turn)
            except Exception as exc:  # handed back to the caller below
                outcome["error"] = exc

        await self.adapter.continue_conversation(ref, callback, bot_app_id=self.app_id)
        error = outcome.get("error")
        if isinstance(error, BaseException):
            raise error
        return str(outcome.get("id") or "")

    @staticmethod
    def _outgoing(turn: TurnContext, reply: Reply) -> Activity:
        """The card alone: no `text` above it repeating its title (the activity's `summary` carries the one-line
        notification for clients that cannot show cards; Teams' own chat preview reads the card's first line)."""
        activity = render(reply)
        ref = TurnContext.get_conversation_reference(turn.activity)
        ref.activity_id = None  # a new message, not a reply to the continuation event
        return TurnContext.apply_conversation_reference(activity, ref)

    async def _send(self, ref: ConversationReference, reply: Reply) -> str:
        async def work(turn: TurnContext) -> str:
            activity = self._outgoing(turn, reply)
            connector = turn.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
            response = await connector.conversations.send_to_conversation(activity.conversation.id, activity)
            return str(getattr(response, "id", "") or "")

        return await self._in_conversation(ref, work)

    async def send_dm(self, recipient: Recipient, reply: Reply) -> Delivery:
        try:
            with self.contexts().session() as session:
                row = identity_on(session, recipient.person_id, PLATFORM)
            if row is None:
                return Delivery(DeliveryStatus.UNREACHABLE, PLATFORM, error="never seen on Teams")
            ref = reference_from_json(row.conversation_ref)
            if ref is not None:
                message_id = await self._send(ref, reply)
                return Delivery(DeliveryStatus.SENT, PLATFORM, message_id=message_id, channel=ref.conversation.id)
            if not row.tenant_id or not row.external_id:
                return Delivery(DeliveryStatus.UNREACHABLE, PLATFORM, error="no conversation and no tenant")
            service_url = self._service_url(row.conversation_ref)
            return await self._create_and_send(row.external_id, row.tenant_id, service_url, recipient, reply)
        except Exception as exc:  # never raise to the reminder sweep or a handler
            return delivery_error(exc, recipient.email)

    async def _create_and_send(
        self, aad_id: str, tenant_id: str, service_url: str, recipient: Recipient, reply: Reply
    ) -> Delivery:
        """Open the 1:1 chat with a user by their aadObjectId (the app must be installed for them), send, and keep
        the new conversation's reference for next time."""
        params = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=self.bot_id),
            members=[ChannelAccount(id=aad_id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
        )
        outcome: dict[str, str] = {}

        async def callback(turn: TurnContext) -> None:
            try:
                ref = TurnContext.get_conversation_reference(turn.activity)
                ref.user = ChannelAccount(id=aad_id, aad_object_id=aad_id)
                ref.activity_id = None
                if ref.conversation is not None:
                    ref.conversation.tenant_id = tenant_id
                    ref.conversation.conversation_type = "personal"
                outcome["ref"] = reference_json(ref)
                outcome["conversation"] = ref.conversation.id if ref.conversation else ""
                activity = self._outgoing(turn, reply)
                connector = turn.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
                response = await connector.conversations.send_to_conversation(outcome["conversation"], activity)
                outcome["id"] = str(getattr(response, "id", "") or "")
            except Exception as exc:  # handed back below
                outcome["error"] = f"{type(exc).__name__}"
                outcome["status"] = str(status_of(exc) or "")

        await self.adapter.create_conversation(
            self.app_id, callback, params, channel_id=TEAMS_CHANNEL, service_url=service_url
        )
        if "error" in outcome:
            code = int(outcome["status"]) if outcome.get("status") else None
            status = DeliveryStatus.UNREACHABLE if code in (403, 404) else DeliveryStatus.FAILED
            return Delivery(status, PLATFORM, error=outcome["error"])
        self._store_reference(recipient.person_id, aad_id, tenant_id, outcome["ref"])
        return Delivery(DeliveryStatus.SENT, PLATFORM, message_id=outcome["id"], channel=outcome["conversation"])

    def _store_reference(self, person_id: int, aad_id: str, tenant_id: str, ref_json: str) -> None:
        from storage.people import link_identity
        from storage.tables import Person

        with self.contexts().session() as session:
            person = session.get(Person, person_id)
            if person is not None:
                link_identity(session, person, PLATFORM, aad_id, tenant_id=tenant_id, conversation_ref=ref_json)
                session.commit()

    def _channel_ref(self, channel: str) -> ConversationReference:
        return channel_reference(self._service_url(), channel, self.tenant_id, self.bot_id)

    async def post_channel(self, channel: str, reply: Reply) -> Delivery:
        channel = channel or self.review_channel
        if not channel:
            return Delivery(DeliveryStatus.UNREACHABLE, PLATFORM, error="no Teams channel configured")
        try:
            message_id = await self._send(self._channel_ref(channel), reply)
        except Exception as exc:
            return delivery_error(exc, channel)
        return Delivery(DeliveryStatus.SENT, PLATFORM, message_id=message_id, channel=channel)

    async def update_message(self, channel: str, message_id: str, reply: Reply) -> Delivery:
        if not channel or not message_id:
            return Delivery(DeliveryStatus.UNREACHABLE, PLATFORM, channel=channel, error="no message to update")

        async def work(turn: TurnContext) -> str:
            activity = self._outgoing(turn, reply)
            activity.id = message_id
            connector = turn.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
            await connector.conversations.update_activity(channel, message_id, activity)
            return message_id

        try:
            await self._in_conversation(self._channel_ref(channel), work)
        except Exception as exc:
            return delivery_error(exc, channel)
        return Delivery(DeliveryStatus.SENT, PLATFORM, message_id=message_id, channel=channel)
