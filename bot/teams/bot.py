"""The Teams ActivityHandler: text commands, card forms (Action.Execute invokes and the Action.Submit fallback),
evidence files, review buttons, and the install / uninstall events that keep conversation references.

Every turn works on a fresh handlers.context.Context; the person comes from bot.teams.identity (nothing is
recorded for people not on the roster). Replies are Adaptive Cards (bot.teams.render)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.review_fanout import ReviewFanout
from bot.settings import Settings
from bot.teams import cards
from bot.teams.conversations import is_personal, tenant_of
from bot.teams.files import download, file_offers, has_inline_files
from bot.teams.forms import FORM_VERB_PREFIX, form_card, form_values
from bot.teams.identity import Caller, forget_caller, resolve_caller
from bot.teams.notifier import TeamsNotifier
from bot.teams.render import (
    REVIEW_APPROVE,
    REVIEW_REJECT,
    card_invoke_response,
    card_with_notice,
    message_invoke_response,
    render,
    render_card,
)
from handlers.chat import handle_text
from handlers.commands import help_reply, parse
from handlers.context import Actor, Context
from handlers.forms import Form, form_refusal, reject_form, request_form, submit_form
from handlers.people import unknown_user
from handlers.reply import Outcome, Reply, Section
from handlers.request import create_request
from handlers.review import Decision, decide, parse_item
from handlers.submit import attach_evidence, create_submission
from storage.evidence import EvidenceError, check_evidence

log = logging.getLogger("ceu.teams")

PLATFORM = "teams"
ADAPTIVE_CARD_ACTION = "adaptiveCard/action"
CHANNEL_COMMANDS = frozenset({"help", "events"})  # what the bot answers outside the personal chat


class Answer:
    """What a card action produced: a card for the presser (the invoke response, or a new message for the
    Action.Submit fallback) and its one-line summary."""

    def __init__(self, card: cards.Card, summary: str) -> None:
        self.card = card
        self.summary = summary

    @classmethod
    def of(cls, reply: Reply) -> Answer:
        return cls(render_card(reply), reply.notification())


def lookup_failed_reply() -> Reply:
    return Reply(
        title="I could not look up your Teams account just now",
        sections=[Section(text="Nothing was recorded. Please try again in a minute.")],
        outcome=Outcome.ERROR,
    )


def personal_chat_reply() -> Reply:
    return Reply(
        title="Please ask me in our personal chat",
        sections=[
            Section(
                text="Your hours, history, forms and reminders are yours alone, so I answer them only in our "
                "one-to-one chat (open TD-CEU under Apps or Chat). Here in a channel I can show `help` and `events`."
            )
        ],
        outcome=Outcome.REFUSED,
        summary="Please ask me in our personal chat",
    )


def error_reply() -> Reply:
    return Reply(
        title="Sorry, something went wrong on my side",
        sections=[Section(text="Please try again in a minute. If it keeps happening, tell the ALET admins.")],
        outcome=Outcome.ERROR,
    )


class CeuTeamsBot(ActivityHandler):
    def __init__(
        self, contexts: Callable[[], Context], settings: Settings, notifier: TeamsNotifier, reviews: ReviewFanout
    ) -> None:
        self.contexts = contexts
        self.settings = settings
        self.notifier = notifier
        self.reviews = reviews  # every platform's reviewers' channel, and DMs wherever the submitter is known

    # -- messages -------------------------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        ctx = self.contexts()
        activity = turn_context.activity
        personal = is_personal(activity)
        caller = await resolve_caller(turn_context, ctx)
        if caller.actor is None:
            # in a channel, never name the stranger's e-mail in front of everyone
            stranger = self._stranger(ctx, caller) if personal or caller.lookup_failed else personal_chat_reply()
            await self._send(turn_context, stranger)
            return
        value = activity.value
        if isinstance(value, dict) and isinstance(value.get(cards.VERB), str):  # Action.Submit fallback
            answer = await self.on_card_action(ctx, caller.actor, value[cards.VERB], value)
            await turn_context.send_activity(cards.card_activity(answer.card, answer.summary))
            return
        offers = file_offers(activity.attachments)
        if offers:
            await self._send(turn_context, await self.on_files(ctx, caller.actor, activity, offers))
            return
        text = TurnContext.remove_recipient_mention(activity) if activity.entities else (activity.text or "")
        text = (text or "").strip()
        if not text and has_inline_files(activity.attachments):
            await self._send(turn_context, self._not_a_file())
            return
        if not personal and parse(text)[0].name not in CHANNEL_COMMANDS:
            await self._send(turn_context, personal_chat_reply())  # status, history, forms: only one to one
            return
        reply = await handle_text(ctx, caller.email, PLATFORM, text)
        form_id = reply.data.get("form")
        if isinstance(form_id, str):
            await turn_context.send_activity(self.open_form(ctx, caller.actor, form_id))
            return
        await self._send(turn_context, reply)

    @staticmethod
    def _stranger(ctx: Context, caller: Caller) -> Reply:
        return lookup_failed_reply() if caller.lookup_failed else unknown_user(ctx, caller.email)

    @staticmethod
    def _not_a_file() -> Reply:
        return Reply(
            title="Please send the evidence as a file",
            sections=[
                Section(
                    text="Pasted pictures cannot be kept as evidence. Attach the certificate with the paperclip "
                    "(PDF, PNG, JPEG, HEIC or Word .docx) here in this chat."
                )
            ],
            outcome=Outcome.INVALID,
        )

    async def _send(self, turn_context: TurnContext, reply: Reply) -> None:
        await turn_context.send_activity(render(reply))

    def open_form(self, ctx: Context, actor: Actor, form_id: str) -> Activity:
        refused = form_refusal(ctx, actor, form_id)
        if refused is not None:
            return render(refused)
        form = self._form(ctx, actor, form_id)
        if form is None:
            return render(help_reply())
        intro = ""
        if form.id == "submit":
            intro = "Claim hours of an approved external event. The evidence file comes after, here in this chat."
        return cards.card_activity(form_card(form, intro=intro), form.title)

    @staticmethod
    def _form(ctx: Context, actor: Actor, form_id: str, context: str = "") -> Form | None:
        if form_id == "submit":
            return submit_form(ctx, actor)
        if form_id == "request":
            return request_form(ctx, actor)
        if form_id == "reject_reason":
            item = parse_item(context)
            return reject_form(*item) if item else None
        return None

    # -- evidence files -------------------------------------------------------------------------------------

    async def on_files(self, ctx: Context, actor: Actor, activity: Activity, offers: list[Any]) -> Reply:
        if not is_personal(activity):
            return Reply(
                title="Please send evidence in our personal chat",
                sections=[Section(text="Files sent in a channel are not kept. Nothing was recorded.")],
                outcome=Outcome.INVALID,
            )
        offer = offers[0]
        max_bytes = self.settings.evidence_max_bytes
        try:
            data = await download(
                offer.url,
                offer.name,
                max_bytes,
                allow_loopback_http=_local_connector(activity),
            )
            evidence = check_evidence(data, offer.name, max_bytes)
        except EvidenceError as exc:
            return Reply(
                title="I could not take that file",
                sections=[Section(text=f"{exc} Nothing was recorded.")],
                outcome=Outcome.INVALID,
            )
        reply = attach_evidence(ctx, actor, evidence)
        if reply.ok and reply.data.get("ready_for_review"):
            await self.post_for_review(ctx, "submission", _int(reply.data.get("submission_id")))
        if len(offers) > 1:
            reply.sections.append(Section(text=f"I kept only the first file, {offer.name}; send others one at a time."))
        return reply

    # -- card actions -------------------------------------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name != ADAPTIVE_CARD_ACTION:
            return await super().on_invoke_activity(turn_context)
        value: dict[str, Any] = activity.value if isinstance(activity.value, dict) else {}
        raw_action = value.get("action")
        action: dict[str, Any] = raw_action if isinstance(raw_action, dict) else {}
        verb = action.get("verb")
        raw_data = action.get("data")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        if not isinstance(verb, str) or not verb:
            return InvokeResponse(
                status=400,
                body={"statusCode": 400, "type": "application/vnd.microsoft.error", "value": {"message": "no verb"}},
            )
        ctx = self.contexts()
        caller = await resolve_caller(turn_context, ctx)
        if caller.actor is None:
            return card_invoke_response(render_card(self._stranger(ctx, caller)))
        answer = await self.on_card_action(ctx, caller.actor, verb, data)
        return card_invoke_response(answer.card)

    async def on_card_action(self, ctx: Context, actor: Actor, verb: str, data: Mapping[str, Any]) -> Answer:
        """One press of a card button (the same for Action.Execute and the Action.Submit fallback)."""
        if verb in (REVIEW_APPROVE, REVIEW_REJECT):
            item = parse_item(str(data.get(cards.VALUE, "")))
            if item is None:
                return Answer.of(Reply(title="That button is out of date", outcome=Outcome.NOT_FOUND))
            if verb == REVIEW_REJECT:  # a client without ShowCard: open the reason form as a card
                form = reject_form(*item)
                return Answer(form_card(form), form.title)
            return await self.on_decision(ctx, decide(ctx, actor, item[0], item[1], approve=True))
        if verb.startswith(FORM_VERB_PREFIX):
            return await self.on_form(ctx, actor, verb.removeprefix(FORM_VERB_PREFIX), data)
        return Answer.of(help_reply())

    async def on_form(self, ctx: Context, actor: Actor, form_id: str, data: Mapping[str, Any]) -> Answer:
        context = str(data.get(cards.CONTEXT, "") or "")
        form = self._form(ctx, actor, form_id, context)
        key = str(data.get(cards.KEY, "") or "")
        if form is None or not key:
            return Answer.of(Reply(title="That form is out of date; please start again", outcome=Outcome.NOT_FOUND))
        values = form_values(data, form)
        if form.id == "reject_reason":
            item = parse_item(context)
            assert item is not None
            reason = str(values.get("reason", "") or "")
            return await self.on_decision(ctx, decide(ctx, actor, item[0], item[1], approve=False, reason=reason))
        client_key = f"teams:{key}"
        if form.id == "submit":
            reply = create_submission(
                ctx, actor, values, None, client_key=client_key, platform=PLATFORM, evidence_to_follow=True
            )
            item_type, id_key = "submission", "submission_id"
        else:
            reply = create_request(ctx, actor, values, client_key=client_key, platform=PLATFORM)
            item_type, id_key = "request", "request_id"
        if reply.outcome is Outcome.INVALID:
            errors = reply.data.get("errors")
            errors = errors if isinstance(errors, dict) else {}
            return Answer(form_card(form, values=values, errors=errors, key=key), reply.notification())
        if reply.ok and reply.data.get("ready_for_review"):
            await self.post_for_review(ctx, item_type, _int(reply.data.get(id_key)))
        return Answer.of(reply)

    async def on_decision(self, ctx: Context, decision: Decision) -> Answer:
        """Show the presser the card as it now stands with what happened; on a decision update every Teams post of
        the item in place and tell the submitter."""
        if decision.review is None:
            return Answer.of(decision.notice)
        if decision.outcome is Outcome.OK:
            for post in decision.posts:
                if post.platform == PLATFORM and post.message_id:
                    delivery = await self.notifier.update_message(post.channel, post.message_id, decision.review)
                    if delivery.status != "sent":
                        log.warning("could not update review card %s: %s", post.message_id, delivery.error)
            others = [(p.platform, p.channel, p.message_id or "") for p in decision.posts if p.platform != PLATFORM]
            await self.reviews.update(others, decision.review, skip_platform=PLATFORM)
        if decision.dm is not None and decision.recipient is not None:
            await self.reviews.tell(ctx, decision.recipient, decision.dm)
        return Answer(card_with_notice(decision.review, decision.notice), decision.notice.notification())

    async def post_for_review(self, ctx: Context, item_type: str, item_id: int) -> None:
        """Post a submission or request to the reviewers' channels once (Teams' and, when configured, Slack's)."""
        if item_id:
            await self.reviews.post(ctx, item_type, item_id)

    # -- install / uninstall --------------------------------------------------------------------------------

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext) -> None:
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if not any(m.id == bot_id for m in members_added):
            return
        if not is_personal(activity):
            log.info(
                "Teams: added to conversation %s (tenant %s); use it as TEAMS_REVIEW_CHANNEL for the reviewers",
                activity.conversation.id if activity.conversation else "?",
                tenant_of(activity),
            )
            return
        ctx = self.contexts()
        caller = await resolve_caller(turn_context, ctx)
        welcome = help_reply() if caller.actor is not None else self._stranger(ctx, caller)
        await self._send(turn_context, welcome)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        if is_personal(turn_context.activity):
            await resolve_caller(turn_context, self.contexts())  # keeps the reference; the welcome comes with
            # the conversationUpdate Teams sends alongside

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        if is_personal(turn_context.activity):
            forget_caller(turn_context, self.contexts())

    async def on_turn_error(self, turn_context: TurnContext, error: Exception) -> None:
        """Log the failure; the user gets a short apology (an invoke an error card), never a traceback."""
        log.error("Teams turn failed (%s)", turn_context.activity.type, exc_info=error)
        try:
            if turn_context.activity.type == ActivityTypes.invoke:
                response = message_invoke_response(error_reply().title)
                await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))
            elif turn_context.activity.type == ActivityTypes.message:
                await self._send(turn_context, error_reply())
        except Exception as exc:  # the Bot Connector itself is failing: logging is all we can do
            log.error("could not tell the user about the failure: %s", exc)


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _local_connector(activity: Activity) -> bool:
    """True when the Bot Connector is on this machine (tests, Emulator): then http file links on it are fine."""
    from bot.teams.auth import is_loopback

    return bool(activity.service_url) and is_loopback(activity.service_url or "")
