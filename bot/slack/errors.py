"""Our typed Slack-side errors and the one bolt error handler that turns any failure into a polite reply.

A `PoliteError` carries the Reply to show; anything else is logged with its traceback on the server and the user
gets a short apology. Nothing else ever reaches a chat user. In a modal's view_submission a PoliteError is shown
as a field error on the first input (the modal and the typed answers stay); only an unexpected error replaces
the modal with the apology.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import message_payload, message_view
from handlers.reply import Outcome, Reply, Section

log = logging.getLogger("ceu.slack")


class PoliteError(Exception):
    """An error whose reply is fit for the user (the message says what happened and what to do)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.title)
        self.reply = reply


class SlackLookupFailed(PoliteError):
    """Slack did not tell us who the caller is (users.info failed)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            Reply(
                title="I could not look you up in Slack just now",
                sections=[Section(text="Nothing was recorded. Please try again in a minute.")],
                outcome=Outcome.ERROR,
            )
        )
        self.detail = detail


def apology() -> Reply:
    return Reply(
        title="Sorry, something went wrong on my side",
        sections=[
            Section(text="Please try again in a minute. If it keeps happening, tell ALET (alet.org) what you tried.")
        ],
        outcome=Outcome.ERROR,
    )


def reply_for(error: Exception) -> Reply:
    if isinstance(error, PoliteError):
        return error.reply
    return apology()


async def handle_error(
    error: Exception,
    body: dict[str, Any],
    respond: AsyncRespond | None,
    client: AsyncWebClient,
    logger: logging.Logger,
) -> BoltResponse:
    """The @app.error handler: log, then answer the user politely wherever they are; Slack gets a 200."""
    if isinstance(error, PoliteError):
        log.warning("slack: %s: %s", type(error).__name__, error)
    else:
        log.error("slack: unexpected error", exc_info=error)
    reply = reply_for(error)
    kind = body.get("type")
    if kind == "view_submission" and isinstance(error, PoliteError):
        field = _first_input(body)
        if field:  # keep the modal and what was typed in it; say what happened on a field
            message = " ".join([reply.title, *(s.text for s in reply.sections if s.text)])
            return BoltResponse(
                status=200,
                body=json.dumps({"response_action": "errors", "errors": {field: message[:2000]}}),
                headers={"content-type": "application/json"},
            )
    if kind == "view_submission":
        return BoltResponse(
            status=200,
            body=json.dumps({"response_action": "update", "view": message_view(reply, title="Sorry")}),
            headers={"content-type": "application/json"},
        )
    try:
        if respond is not None and respond.response_url:
            await respond(response_type="ephemeral", replace_original=False, **message_payload(reply))
        else:
            user = body.get("user_id") or (body.get("user") or {}).get("id") or (body.get("event") or {}).get("user")
            if user:
                await client.chat_postMessage(channel=user, **message_payload(reply))
    except Exception:  # noqa: BLE001 - the apology itself failed; the log has the original error
        log.exception("slack: could not deliver the error reply")
    return BoltResponse(status=200, body="")


def _first_input(body: dict[str, Any]) -> str:
    """The block id of the submitted modal's first input (where an error about the whole form is shown)."""
    view = body.get("view") or {}
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return next(iter((view.get("state") or {}).get("values") or {}), "")  # the inputs' block ids, in order
