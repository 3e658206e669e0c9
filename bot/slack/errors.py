"""Our typed Slack-side errors and the one bolt error handler that turns any failure into a polite reply.

A `PoliteError` carries the Reply to show; the database out of reach is one log line and a "try again" reply;
anything else is logged with its traceback on the server and the user gets a short apology. Nothing else ever
reaches a chat user. In a modal's view_submission the reply is shown as a field error on the first input (the
modal and the typed answers stay). Only verified requests are ever answered (`bolt_error`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.outage import database_outage, outage_summary
from bot.slack.blocks import message_payload, message_view
from handlers.reply import Reply
from handlers.texts import apology, lookup_failed, records_unavailable

log = logging.getLogger("ceu.slack")
VERIFIED = "ceu_verified"  # set in the bolt context of a request that passed bot/slack/verify.py


class PoliteError(Exception):
    """An error whose reply is fit for the user (the message says what happened and what to do)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.title)
        self.reply = reply


class SlackLookupFailed(PoliteError):
    """Slack did not tell us who the caller is (users.info failed)."""

    def __init__(self, detail: str) -> None:
        super().__init__(lookup_failed("Slack"))
        self.detail = detail


def reply_for(error: Exception) -> Reply:
    if isinstance(error, PoliteError):
        return error.reply
    if database_outage(error):
        return records_unavailable()
    return apology()


def trusted(request: AsyncBoltRequest) -> bool:
    """Did this request come through verification (our HTTP front door), or over Socket Mode's own connection?"""
    return request.mode == "socket_mode" or request.context.get(VERIFIED) is True


async def bolt_error(
    error: Exception,
    body: dict[str, Any],
    respond: AsyncRespond | None,
    client: AsyncWebClient,
    logger: logging.Logger,
    request: AsyncBoltRequest,
) -> BoltResponse:
    """The @app.error handler bolt calls. It answers only verified requests: nothing of any other body (its
    response_url, user, channel) is used. An unhandled request is acknowledged and left alone."""
    if not trusted(request):
        log.warning("slack: an error on an unverified request (%s); nothing answered", type(error).__name__)
        return BoltResponse(status=401, body="")
    if isinstance(error, BoltUnhandledRequestError):
        log.info("slack: nothing handles %s", describe(body))
        return BoltResponse(status=200, body="")
    return await handle_error(error, body, respond, client, logger)


def describe(body: dict[str, Any]) -> str:
    """A request named by its kind only (type, command, callback or action id, event type), never its content."""
    view, event, actions = body.get("view"), body.get("event"), body.get("actions")
    view = view if isinstance(view, dict) else {}
    event = event if isinstance(event, dict) else {}
    action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    parts = [body.get("type"), body.get("command"), view.get("callback_id"), action.get("action_id"), event.get("type")]
    return " ".join(str(p)[:60] for p in parts if p) or "an untyped request"


async def handle_error(
    error: Exception,
    body: dict[str, Any],
    respond: AsyncRespond | None,
    client: AsyncWebClient,
    logger: logging.Logger,
) -> BoltResponse:
    """Log, then answer the user politely wherever they are; Slack gets a 200. `body` is a verified request's."""
    if isinstance(error, PoliteError):
        log.warning("slack: %s: %s", type(error).__name__, error)
    elif database_outage(error):
        log.warning("slack: database unreachable (%s) answering %s", outage_summary(error), describe(body))
    else:
        log.error("slack: unexpected error answering %s", describe(body), exc_info=error)
    reply = reply_for(error)
    if body.get("type") == "view_submission":
        return _modal_answer(body, reply)
    try:
        if respond is not None and respond.response_url:
            await respond(response_type="ephemeral", replace_original=False, **message_payload(reply))
        else:
            user = body.get("user_id") or (body.get("user") or {}).get("id") or (body.get("event") or {}).get("user")
            if user:
                await client.chat_postMessage(channel=user, **message_payload(reply))
    except Exception as exc:  # the apology itself failed; the log has the original error
        log.warning("slack: could not deliver the error reply: %s", type(exc).__name__)
    return BoltResponse(status=200, body="")


def _modal_answer(body: dict[str, Any], reply: Reply) -> BoltResponse:
    """A failed view_submission keeps the modal and what was typed in it: the reply is shown on its first input.
    Only a modal without inputs is replaced by the reply."""
    field = _first_input(body)
    if field:
        message = " ".join([reply.title, *(s.text for s in reply.sections if s.text)])
        answer: dict[str, Any] = {"response_action": "errors", "errors": {field: message[:2000]}}
    else:
        answer = {"response_action": "update", "view": message_view(reply, title="Sorry")}
    return BoltResponse(status=200, body=json.dumps(answer), headers={"content-type": "application/json"})


def _first_input(body: dict[str, Any]) -> str:
    """The block id of the submitted modal's first input (where an error about the whole form is shown)."""
    view = body.get("view") or {}
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return next(iter((view.get("state") or {}).get("values") or {}), "")  # the inputs' block ids, in order
