"""The Teams ActivityHandler: text commands, card forms (Action.Execute invokes and the Action.Submit fallback),
evidence files, review buttons, and the install / uninstall events that keep conversation references.

Every turn works on a fresh handlers.context.Context; the person comes from bot.teams.identity (nothing is
recorded for people not on the roster). Replies are Adaptive Cards (bot.teams.render)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.outage import database_outage
from bot.runner import off_loop
from bot.settings import Settings
from bot.teams import cards
from bot.teams.background import Background
from bot.teams.conversations import is_personal, tenant_of
from bot.teams.files import download, file_offers, has_inline_files
from bot.teams.forms import FORM_VERB_PREFIX, PREVIEW, form_card, form_values
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
    render_kept,
)
from bot.teams.staff import FILE_CONSENT, TeamsStaff
from handlers.chat import handle_text
from handlers.chat_import import IMPORT_FORM, IMPORT_VERBS, is_import_file
from handlers.chat_import import press as press_import
from handlers.commands import help_reply, parse
from handlers.context import Actor, Context
from handlers.control_chars import control_errors
from handlers.forms import Form, form_refusal, reject_form, request_form, submit_form
from handlers.notify import DeliveryStatus, Recipient
from handlers.payloads import FormErrors, FormRequest
from handlers.people import unknown_user
from handlers.reply import Outcome, Reply, Section
from handlers.request import create_request
from handlers.review import parse_item
from handlers.review_flow import Pressed, ReviewFlow, press
from handlers.submit import attach_evidence, create_submission
from handlers.texts import apology, file_not_taken, lookup_failed, records_unavailable, stale_button, stale_form
from handlers.void import void_record
from handlers.void_chat import VOID_FORM, is_void_action, parse_record, void_form, void_refusal
from handlers.whatif import form_preview
from storage.evidence import EvidenceError, check_evidence

log = logging.getLogger("ceu.teams")

PLATFORM = "teams"
ADAPTIVE_CARD_ACTION = "adaptiveCard/action"
CHANNEL_COMMANDS = frozenset({"help", "events"})  # what the bot answers outside the personal chat


@dataclass
class Answer:
    """What a card action produced.

    `card` and `summary`: for the presser (the invoke response; in the personal chat also what the Action.Submit
    fallback puts in place of the clicked card). In a shared conversation the fallback cannot answer the presser
    alone: `public` is the clicked card as everyone may now see it (a review card as it stands; None to leave it)
    and `private` what only the presser should hear (sent to their personal chat). `decision` and `review_item`
    are what happens after the answer (see CeuTeamsBot.start_effects)."""

    card: cards.Card
    summary: str
    public: cards.Card | None = None
    private: Reply | None = None
    pressed: Pressed | None = None
    review_item: tuple[str, int] | None = None

    @classmethod
    def of(cls, reply: Reply) -> Answer:
        return cls(render_card(reply), reply.notification(), private=reply)

    @property
    def updated_posts(self) -> set[str]:
        """The Teams messages the decision's outbox rows update (the fallback need not update them again)."""
        if self.pressed is None or not self.pressed.decided:
            return set()
        return {message_id for platform, _, message_id in self.pressed.posts if platform == PLATFORM and message_id}


def lookup_failed_reply() -> Reply:
    return lookup_failed("Teams")


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


def error_reply(error: BaseException | None = None) -> Reply:
    """What a failed turn tells the user: the records out of reach, or the apology (the same words as Slack)."""
    return records_unavailable() if error is not None and database_outage(error) else apology()


class CeuTeamsBot(ActivityHandler):
    def __init__(
        self, contexts: Callable[[], Context], settings: Settings, notifier: TeamsNotifier, flow: ReviewFlow
    ) -> None:
        self.contexts = contexts
        self.settings = settings
        self.notifier = notifier
        self.flow = flow  # every platform's reviewers' channel, the outbox's deliveries
        self.background = Background()  # effects that run after the answer
        self.staff = TeamsStaff(settings)  # `report`: file-consent cards or download links

    # -- messages -------------------------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        ctx = self.contexts()
        activity = turn_context.activity
        personal = is_personal(activity)
        caller = await resolve_caller(turn_context, ctx)
        if caller.actor is None:
            # in a channel, never name the stranger's e-mail in front of everyone
            if personal and not caller.lookup_failed:
                await turn_context.send_activity(await off_loop(render_stranger, ctx, caller.email))
            else:
                await self._send(turn_context, lookup_failed_reply() if caller.lookup_failed else personal_chat_reply())
            return
        value = activity.value
        if isinstance(value, dict) and isinstance(value.get(cards.VERB), str):  # Action.Submit fallback
            await self.on_card_submit(turn_context, ctx, caller.actor, value[cards.VERB], value)
            return
        offers = file_offers(activity.attachments)
        if offers and is_import_file(caller.actor, offers[0].name):  # a CSV from a reviewer or admin: `import`
            await self._send(turn_context, await self.staff.on_import_file(ctx, caller.actor, activity, offers[0]))
            return
        if offers:
            await self._send(turn_context, await self.on_files(ctx, caller.actor, activity, offers))
            return
        text = text_of(activity)
        if not text and has_inline_files(activity.attachments):
            await self._send(turn_context, self._not_a_file())
            return
        if not personal and parse(text)[0].name not in CHANNEL_COMMANDS:
            await self._send(turn_context, personal_chat_reply())  # status, history, forms: only one to one
            return
        # the handler's database work and the card rendering on a worker thread, the event loop stays free
        answer, reply = await off_loop(self.text_answer, ctx, caller, text)
        await turn_context.send_activity(answer)
        await self.staff.after_reply(turn_context, ctx, caller.actor, reply)  # `report`: its files

    def text_answer(self, ctx: Context, caller: Caller, text: str) -> tuple[Activity, Reply]:
        """The answer to a text command (a form for `submit` / `request`), and its Reply; a worker thread."""
        reply = handle_text(ctx.as_actor(caller.actor), caller.email, PLATFORM, text)  # the caller looked up once
        request = reply.payload_as(FormRequest)
        if request is not None and request.form != IMPORT_FORM and caller.actor is not None:
            return self.open_form(ctx, caller.actor, request.form), reply
        return render_kept(ctx, reply), reply

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
            return render(help_reply(ctx))
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
        if form_id == VOID_FORM:
            record_id = parse_record(context)
            return void_form(record_id) if record_id else None
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
            data = await download(offer.url, offer.name, max_bytes, allow_loopback_http=_local_connector(activity))
            reply = await off_loop(self.keep_evidence, ctx, actor, data, offer.name)
        except EvidenceError as exc:
            return file_not_taken(f"{exc} Nothing was recorded.")
        if reply.review_item is not None:
            self.post_for_review(ctx, *reply.review_item)
        if len(offers) > 1:
            reply.sections.append(Section(text=f"I kept only the first file, {offer.name}; send others one at a time."))
        return reply

    def keep_evidence(self, ctx: Context, actor: Actor, data: bytes, name: str) -> Reply:
        """Check the bytes and attach them to the waiting submission (worker thread: hashing, disk, database)."""
        evidence = check_evidence(data, name, self.settings.evidence_max_bytes)
        return attach_evidence(ctx, actor, evidence)

    # -- card actions -------------------------------------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name == FILE_CONSENT:  # Allow / Decline on a report file's consent card
            return await self.staff.on_file_consent(turn_context, self.contexts())
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
            stranger = lookup_failed_reply() if caller.lookup_failed else None
            card = render_card(stranger) if stranger else await off_loop(stranger_card, ctx, caller.email)
            return card_invoke_response(card)
        answer = await self.on_card_action(ctx.as_actor(caller.actor), caller.actor, verb, data)
        return card_invoke_response(answer.card)  # the effects run on after this answer

    async def on_card_action(self, ctx: Context, actor: Actor, verb: str, data: Mapping[str, Any]) -> Answer:
        """One press of a card button (the same for Action.Execute and the Action.Submit fallback): the database
        work on a worker thread, then its slow effects started in the background."""
        answer = await off_loop(self.act, ctx, actor, verb, data)
        self.start_effects(ctx, answer)
        return answer

    def act(self, ctx: Context, actor: Actor, verb: str, data: Mapping[str, Any]) -> Answer:
        """What a press does to the database and what it answers (worker thread; no network)."""
        if verb in IMPORT_VERBS:  # Confirm / Cancel on an attendance import preview
            return Answer.of(press_import(ctx, actor, verb, str(data.get(cards.VALUE, ""))))
        if verb in (REVIEW_APPROVE, REVIEW_REJECT):
            item = parse_item(str(data.get(cards.VALUE, "")))
            if item is None:
                return Answer.of(stale_button())
            pressed = press(ctx, actor, item[0], item[1], verb == REVIEW_APPROVE)
            if pressed.form is not None:  # Reject without the card's reason sub-card: the reason form
                return Answer(form_card(pressed.form), pressed.form.title, private=_use_the_card_reply())
            return self.on_press(pressed)
        if is_void_action(verb):  # a reviewer's or admin's Void under a lookup: the reason form, or why not
            record_id = parse_record(str(data.get(cards.VALUE, "")))
            if record_id is None:
                return Answer.of(stale_button())
            refusal = void_refusal(ctx, actor, record_id)
            if refusal is not None:
                return Answer.of(refusal)
            form = void_form(record_id)
            return Answer(form_card(form), form.title, private=_use_the_card_reply())
        if verb.startswith(FORM_VERB_PREFIX):
            return self.on_form(ctx, actor, verb.removeprefix(FORM_VERB_PREFIX), data)
        return Answer.of(help_reply(ctx))

    def on_form(self, ctx: Context, actor: Actor, form_id: str, data: Mapping[str, Any]) -> Answer:
        context = str(data.get(cards.CONTEXT, "") or "")
        form = self._form(ctx, actor, form_id, context)
        key = str(data.get(cards.KEY, "") or "")
        if form is None or not key:
            return Answer.of(stale_form())
        values = form_values(data, form)
        typed_controls = control_errors(values)
        if typed_controls:  # a NUL byte or an escape sequence typed in: those fields' errors, nothing written
            return Answer(form_card(form, values=values, errors=typed_controls, key=key), "Please fix the form")
        if form.preview and data.get(PREVIEW):  # Preview: the form again with what it would do; nothing written
            preview = form_preview(ctx, actor, values)
            return Answer(form_card(form, values=values, intro=f"Preview: {preview}", key=key), preview)
        if form.id == "reject_reason":
            item = parse_item(context)
            assert item is not None
            reason = str(values.get("reason", "") or "")
            return self.on_press(press(ctx, actor, item[0], item[1], False, reason))
        if form.id == VOID_FORM:
            record_id = parse_record(context)
            assert record_id is not None
            voided = void_record(ctx, actor, record_id, str(values.get("reason", "") or ""))
            if voided.outcome is Outcome.INVALID:  # no reason given: the form again, saying so
                why = {"reason": voided.title}
                return Answer(form_card(form, values=values, errors=why, key=key), voided.title, private=voided)
            return Answer.of(voided)
        client_key = f"teams:{key}"
        if form.id == "submit":
            reply = create_submission(
                ctx, actor, values, None, client_key=client_key, platform=PLATFORM, evidence_to_follow=True
            )
        else:
            reply = create_request(ctx, actor, values, client_key=client_key, platform=PLATFORM)
        if reply.outcome is Outcome.INVALID:
            invalid = reply.payload_as(FormErrors)
            errors = dict(invalid.errors) if invalid is not None else {}
            return Answer(form_card(form, values=values, errors=errors, key=key), reply.notification(), private=reply)
        answer = Answer.of(reply)
        answer.review_item = reply.review_item
        return answer

    @staticmethod
    def on_press(pressed: Pressed) -> Answer:
        """The presser's card as it now stands with what happened (only the notice for a refusal: nothing of the
        item); a decision taken now updates every post and tells the submitter through the outbox."""
        if pressed.review is None:
            return Answer.of(pressed.notice)
        public = render_card(pressed.review) if pressed.outcome in (Outcome.OK, Outcome.ALREADY) else None
        return Answer(
            card_with_notice(pressed.review, pressed.notice),
            pressed.notice.notification(),
            public=public,
            private=None if pressed.decided else pressed.notice,
            pressed=pressed,
        )

    def start_effects(self, ctx: Context, answer: Answer) -> None:
        """After the answer: wake the outbox delivery for a decision taken now; post a new item for review."""
        if answer.pressed is not None and answer.pressed.decided:
            self.flow.nudge()
        if answer.review_item is not None:
            self.post_for_review(ctx, *answer.review_item)

    def post_for_review(self, ctx: Context, item_type: str, item_id: int) -> None:
        """Post a submission or request to the reviewers' channels once (Teams' and, when configured, Slack's), in
        the background."""
        if item_id:
            self.background.start(self.reviews_post(ctx, item_type, item_id), f"posting {item_type} {item_id}")

    async def reviews_post(self, ctx: Context, item_type: str, item_id: int) -> None:
        await self.flow.post(ctx, item_type, item_id)

    # -- the Action.Submit fallback ----------------------------------------------------------------------------

    async def on_card_submit(
        self, turn_context: TurnContext, ctx: Context, actor: Actor, verb: str, value: Mapping[str, Any]
    ) -> None:
        """A press from a client without Universal Actions. It cannot answer the presser alone, so: in the personal
        chat the clicked card is replaced by the answer; in a channel the clicked card is only brought up to date
        (never a new public message with the decision) and what is for the presser goes to their personal chat."""
        answer = await self.on_card_action(ctx, actor, verb, value)
        activity = turn_context.activity
        clicked = activity.reply_to_id or ""
        if is_personal(activity):
            if not (clicked and await self._replace(turn_context, clicked, answer.card, answer.summary)):
                await turn_context.send_activity(cards.card_activity(answer.card, answer.summary))
            return
        if answer.public is not None and clicked and clicked not in answer.updated_posts:
            await self._replace(turn_context, clicked, answer.public, answer.summary)
        if answer.private is not None:
            recipient = Recipient(actor.person_id, actor.email, actor.name)
            delivery = await self.notifier.send_dm(recipient, answer.private)
            if delivery.status is not DeliveryStatus.SENT:  # unreachable in private: the short notice here
                log.warning("could not tell person %s in private: %s", actor.person_id, delivery.error)
                await self._send(turn_context, answer.private)

    async def _replace(self, turn_context: TurnContext, message_id: str, card: cards.Card, summary: str) -> bool:
        """Update the clicked message in place; False (logged) when the Bot Connector refuses."""
        activity = cards.card_activity(card, summary)
        activity.id = message_id
        try:
            await turn_context.update_activity(activity)
        except Exception as exc:
            log.warning("could not update the clicked card %s: %s", message_id, exc)
            return False
        return True

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
        if caller.actor is not None:
            await self._send(turn_context, help_reply(ctx, actor=caller.actor))
        elif caller.lookup_failed:
            await self._send(turn_context, lookup_failed_reply())
        else:
            await turn_context.send_activity(await off_loop(render_stranger, ctx, caller.email))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        if is_personal(turn_context.activity):
            await resolve_caller(turn_context, self.contexts())  # keeps the reference; the welcome comes with
            # the conversationUpdate Teams sends alongside

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        if is_personal(turn_context.activity):
            await off_loop(forget_caller, turn_context, self.contexts())

    async def on_turn_error(self, turn_context: TurnContext, error: Exception) -> None:
        """Log the failure; the user gets a short apology (an invoke an error card), never a traceback."""
        log.error("Teams turn failed (%s)", turn_context.activity.type, exc_info=error)
        try:
            if turn_context.activity.type == ActivityTypes.invoke:
                response = message_invoke_response(error_reply(error).title)
                await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))
            elif turn_context.activity.type == ActivityTypes.message:
                await self._send(turn_context, error_reply(error))
        except Exception as exc:  # the Bot Connector itself is failing: logging is all we can do
            log.error("could not tell the user about the failure: %s", exc)


def render_stranger(ctx: Context, email: str | None) -> Activity:
    return render(unknown_user(ctx, email))  # reads the policy's contact line: a worker thread


def stranger_card(ctx: Context, email: str | None) -> cards.Card:
    return render_card(unknown_user(ctx, email))


def _use_the_card_reply() -> Reply:
    return Reply(
        title="Reject from the review card",
        sections=[Section(text="Press Reject on the card in the reviewers' channel: it opens the reason form there.")],
        outcome=Outcome.INVALID,
    )


def text_of(activity: Activity) -> str:
    """The message text without the @mention of the bot (a mention entity of the wrong shape: the text as sent)."""
    try:
        text = TurnContext.remove_recipient_mention(activity) if activity.entities else activity.text
    except (AttributeError, TypeError, ValueError, KeyError):
        text = activity.text
    return str(text or "").strip()


def _local_connector(activity: Activity) -> bool:
    """True when the Bot Connector is on this machine (tests, Emulator): then http file links on it are fine."""
    from bot.teams.auth import is_loopback

    return bool(activity.service_url) and is_loopback(activity.service_url or "")
