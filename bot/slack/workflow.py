"""Submit, request and review on Slack: the modals, their view_submission answers and the reviewers' buttons.

- `/ceu submit` / `/ceu request` open a modal (views.open with the command's trigger_id) built from
  handlers.forms. On view_submission the answers are validated at once (evidence fetched and checked too) and
  bad values answered with `response_action="errors"`; a good one is written (idempotency key: the view id), the
  modal shows the confirmation (warnings included), and after the ack the item is posted to SLACK_REVIEW_CHANNEL
  (handlers.review.review_reply) with Approve / Reject buttons; storage.reviews.record_post remembers channel + ts.
- Approve and Reject are handlers.review_flow.press with (actor, item, clicked message); Reject without a reason
  opens the reason modal, whose answer presses again with it. The presser gets the notice (ephemeral); the
  decision's outbox rows (every post's update on every platform, the submitter's DM) go out through the delivery
  loop, woken at once. A second click, a retry or a click on an item decided meanwhile changes nothing: the answer
  is "already decided by ...", and this platform's posts of it are brought up to date.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.runner import off_loop
from bot.slack.blocks import message_payload, message_view
from bot.slack.client import ack_client
from bot.slack.files import fetch_evidence
from bot.slack.identity import PLATFORM, Caller, resolve
from bot.slack.modals import field_errors, form_view, read_state
from bot.slack.surface import Incoming, SlackSurface, after_ack
from handlers.context import Actor, Context
from handlers.control_chars import field_problem
from handlers.forms import Form, form_refusal, request_form, submit_form, text_value
from handlers.payloads import FormErrors
from handlers.people import unknown_user
from handlers.reply import Outcome, Reply, Section
from handlers.request import create_request, validate_request
from handlers.review import parse_item
from handlers.review_flow import Post, Pressed, press
from handlers.submit import create_submission, validate_submission
from handlers.texts import stale_button, stale_form
from storage.evidence import EvidenceError, EvidenceFile
from storage.reviews import request_by_key, submission_by_key

log = logging.getLogger("ceu.slack")


def register_workflow(surface: SlackSurface) -> None:
    app = surface.bolt

    async def submit_view(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await on_submit(surface, ack, body, client)

    async def request_view(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await on_request(surface, ack, body, client)

    async def reject_view(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await on_reject_reason(surface, ack, body, client)

    async def approve(inc: Incoming) -> None:
        await on_button(surface, inc, approve=True)

    async def reject(inc: Incoming) -> None:
        await on_button(surface, inc, approve=False)

    app.view("submit")(submit_view)
    app.view("request")(request_view)
    app.view("reject_reason")(reject_view)
    app.action("review.approve")(after_ack(surface, approve))
    app.action("review.reject")(after_ack(surface, reject))


# --- opening forms ---------------------------------------------------------------------------------------------


async def open_form(surface: SlackSurface, inc: Incoming, actor: Actor, form_id: str) -> Reply | None:
    """Open the submit / request modal; a Reply instead when it may not be opened (role, empty catalog, DM)."""
    ctx = surface.context()
    refusal = form_refusal(ctx, actor, form_id)
    if refusal is not None:
        return refusal
    trigger_id = inc.body.get("trigger_id")
    if not trigger_id:
        return Reply(
            title=f"Use /ceu {form_id} to open the form",
            sections=[Section(text=f"Slack opens forms from the slash command: type `/ceu {form_id}`.")],
        )
    form = submit_form(ctx, actor) if form_id == "submit" else request_form(ctx, actor)
    await inc.client.views_open(trigger_id=str(trigger_id), view=form_view(form))
    return None


# --- view submissions (answered in the ack: Slack waits for field errors) --------------------------------------


async def _caller(surface: SlackSurface, ctx: Context, body: dict[str, Any], client: AsyncWebClient) -> Caller:
    """In the ack path: a first-sight users.info gets the short, retry-free client (a failure is a field error)."""
    user = body.get("user") or {}
    return await resolve(ctx, ack_client(client), str(user.get("id", "")), str(user.get("team_id") or "") or None)


async def _actor_or_refused(
    surface: SlackSurface, ctx: Context, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
) -> Actor | None:
    """The roster person submitting a modal, or None after the modal has said whom to contact."""
    caller = await _caller(surface, ctx, body, client)
    if caller.actor is None:
        await _show(ack, unknown_user(ctx, caller.email))
    return caller.actor


async def _show(ack: AsyncAck, reply: Reply, title: str = "TD-CEU") -> None:
    await ack(response_action="update", view=message_view(reply, title=title))


async def on_submit(surface: SlackSurface, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    ctx = surface.context()
    actor = await _actor_or_refused(surface, ctx, ack, body, client)
    if actor is None:
        return
    view = body.get("view") or {}
    values, files = read_state(view)
    form = submit_form(ctx, actor)
    key = str(view.get("id", ""))
    if _seen(ctx, "submission", key):  # Slack re-sent this view: answer with the first submission, write nothing
        reply = create_submission(ctx, actor, values, None, client_key=key, platform=PLATFORM)
        await _answer_created(surface, ack, body, form, reply)
        return
    evidence: EvidenceFile | None = None
    evidence_error = ""
    if files:
        try:
            evidence = await fetch_evidence(
                ack_client(client),  # Slack waits for this answer: short timeout, no retries
                files[0],
                max_bytes=surface.services.settings.evidence_max_bytes,
                timeout=min(surface.services.settings.slack_http_timeout, 2.0),
            )
        except EvidenceError as exc:
            evidence_error = str(exc)
    validation = validate_submission(ctx, actor, values, evidence)
    errors = dict(validation.errors)
    if evidence_error:
        errors["evidence"] = evidence_error
    if errors:
        await ack(response_action="errors", errors=field_errors(form, errors))
        return
    reply = create_submission(ctx, actor, values, evidence, client_key=key, platform=PLATFORM)
    await _answer_created(surface, ack, body, form, reply)


async def on_request(surface: SlackSurface, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    ctx = surface.context()
    actor = await _actor_or_refused(surface, ctx, ack, body, client)
    if actor is None:
        return
    view = body.get("view") or {}
    values, _ = read_state(view)
    form = request_form(ctx, actor)
    refusal = form_refusal(ctx, actor, "request")
    if refusal is not None:
        await _show(ack, refusal)
        return
    key = str(view.get("id", ""))
    if not _seen(ctx, "request", key):
        validation = validate_request(ctx, actor, values)
        if validation.errors:
            await ack(response_action="errors", errors=field_errors(form, validation.errors))
            return
    reply = create_request(ctx, actor, values, client_key=key, platform=PLATFORM)
    await _answer_created(surface, ack, body, form, reply)


def _seen(ctx: Context, item_type: str, client_key: str) -> bool:
    """Was this view (the idempotency key) submitted before?"""
    with ctx.session() as session:
        find = submission_by_key if item_type == "submission" else request_by_key
        return find(session, client_key) is not None


async def _answer_created(surface: SlackSurface, ack: AsyncAck, body: dict[str, Any], form: Form, reply: Reply) -> None:
    invalid = reply.payload_as(FormErrors)
    if reply.outcome is Outcome.INVALID and invalid is not None and invalid.errors:
        await ack(response_action="errors", errors=field_errors(form, dict(invalid.errors)))
        return
    item = reply.review_item
    if item is not None:
        await _show(ack, reply, title="Sent")
        # after the ack: post it to the reviewers' channels
        surface.later(post_review(surface, surface.context(), *item), body, None)
        return
    await _show(ack, reply, title="Sent" if reply.ok else "TD-CEU")


async def on_reject_reason(surface: SlackSurface, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    ctx = surface.context()
    view = body.get("view") or {}
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except (ValueError, RecursionError):
        meta = {}
    if not isinstance(meta, dict):  # our own metadata is an object; anything else points at nothing
        meta = {}
    item = parse_item(str(meta.get("item", "")))
    actor = await _actor_or_refused(surface, ctx, ack, body, client)
    if actor is None:
        return
    if item is None:
        await _show(ack, stale_form())
        return
    values, _ = read_state(view)
    reason = text_value(values, "reason")
    if not reason:
        await ack(response_action="errors", errors={"reason": "Please give the reason; the submitter will see it."})
        return
    problem = field_problem(reason)
    if problem:  # a NUL byte or an escape sequence typed in: the field's error, nothing changed
        await ack(response_action="errors", errors={"reason": problem})
        return
    clicked = (PLATFORM, str(meta["channel"]), str(meta["ts"])) if meta.get("channel") and meta.get("ts") else None
    pressed = await off_loop(press, ctx, actor, item[0], item[1], False, reason, clicked)
    if pressed.outcome is Outcome.INVALID:
        await ack(response_action="errors", errors={"reason": pressed.notice.title})
        return
    await _show(ack, pressed.notice, title="Review")
    surface.later(settled(surface, pressed, clicked), body, None)  # after the ack


# --- review buttons ---------------------------------------------------------------------------------------------


def _clicked_message(body: dict[str, Any]) -> Post | None:
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return (PLATFORM, str(channel), str(ts)) if channel and ts else None


async def on_button(surface: SlackSurface, inc: Incoming, *, approve: bool) -> None:
    """A click turned into (actor, item, clicked message); what comes back is rendered. Reject without a reason
    opens the reason modal when the presser could reject now."""
    ctx = surface.context()
    action = (inc.body.get("actions") or [{}])[0]
    item = parse_item(str(action.get("value", "")))
    caller = await resolve(ctx, inc.client, inc.user_id, inc.team_id)
    if caller.actor is None:
        await _tell(inc, unknown_user(ctx, caller.email))
        return
    if item is None:
        await _tell(inc, stale_button())
        return
    clicked = _clicked_message(inc.body)
    pressed = await off_loop(press, ctx, caller.actor, item[0], item[1], approve, None, clicked)
    if pressed.form is not None:
        meta = {
            "item": pressed.form.context,
            "channel": clicked[1] if clicked else "",
            "ts": clicked[2] if clicked else "",
        }
        view = form_view(pressed.form, json.dumps(meta))
        await inc.client.views_open(trigger_id=str(inc.body.get("trigger_id")), view=view)
        return
    await _tell(inc, pressed.notice)
    await settled(surface, pressed, clicked)


async def _tell(inc: Incoming, reply: Reply) -> None:
    """An answer only the presser sees: ephemeral under the post, or a modal when pressed on the App Home tab
    (no message to answer under)."""
    if inc.respond.response_url is None and inc.body.get("trigger_id"):
        from bot.slack.home import show_modal

        await show_modal(inc, message_payload(reply), title="Review")
        return
    await inc.respond(response_type="ephemeral", replace_original=False, **message_payload(reply))


async def settled(surface: SlackSurface, pressed: Pressed, clicked: Post | None) -> None:
    """After the presser's answer: the outbox's delivery woken, or this platform's posts refreshed."""
    await surface.services.flow.refresh(PLATFORM, pressed, clicked)


async def post_review(surface: SlackSurface, ctx: Context, item_type: str, item_id: int) -> None:
    """Post an item to the reviewers' channels once (Slack's and, when configured, Teams'): a retried submission
    finds its posts already there."""
    await surface.services.flow.post(ctx, item_type, item_id)
