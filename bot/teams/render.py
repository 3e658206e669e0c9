"""Replies as the Teams bot sends them: review cards get their Reject button as a sub-card with the reason form,
a notice for the person who pressed a button goes on top of the card it updates, and invoke responses carry
a card (or a short message) for Action.Execute."""

from __future__ import annotations

from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity

from bot.teams.cards import CARD_CONTENT_TYPE, Card, card_activity, fitted, reply_activity, reply_card, text_block
from bot.teams.forms import form_sub_card
from handlers.context import Context
from handlers.forms import reject_form
from handlers.payloads import ReviewItem
from handlers.reply import Outcome, Reply
from handlers.review import parse_item

REVIEW_APPROVE = "review.approve"
REVIEW_REJECT = "review.reject"

_NOTICE_STYLE = {Outcome.OK: "good", Outcome.ALREADY: "warning", Outcome.NOT_FOUND: "warning"}


def show_cards(reply: Reply) -> dict[str, Card]:
    """The Reject button opens the reason form (a sub-card) instead of acting at once."""
    cards: dict[str, Card] = {}
    for button in reply.buttons:
        if button.action == REVIEW_REJECT:
            item = parse_item(button.value)
            post = reply.payload_as(ReviewItem)
            about = post.about if post is not None else ""
            if item is not None:
                cards[button.action] = form_sub_card(reject_form(*item, about))
    return cards


def render(reply: Reply) -> Activity:
    """The message activity of a reply (card within the payload budget, summary line, no text repeating it)."""
    return reply_activity(reply, show_cards=show_cards(reply))


def render_kept(ctx: Context, reply: Reply) -> Activity:
    """`render(reply)`, its card and summary kept beside a reply the context's status cache holds (built once per
    version; the Activity itself is new each time, as botbuilder fills it in when sending)."""
    if ctx.statuses is None:
        return render(reply)
    card, summary = ctx.statuses.rendered(reply, "teams", _card_and_summary)
    return card_activity(card, summary)


def _card_and_summary(reply: Reply) -> tuple[Card, str]:
    activity = render(reply)
    return activity.attachments[0].content, str(activity.summary)


def render_card(reply: Reply, notice: Reply | None = None) -> Card:
    """The card of a reply within the payload budget, measured as sent: with the reject reason sub-card and, when
    given, the notice for the presser under the title."""

    def build(r: Reply) -> Card:
        card = reply_card(r, show_cards=show_cards(r))
        if notice is not None:
            card["body"].insert(1, notice_container(notice))
        return card

    return build(fitted(reply, build))


def notice_container(notice: Reply) -> Card:
    items = [text_block(notice.title, weight="Bolder")]
    items.extend(text_block(s.text) for s in notice.sections if s.text)
    return {"type": "Container", "style": _NOTICE_STYLE.get(notice.outcome, "attention"), "items": items}


def card_with_notice(reply: Reply, notice: Reply) -> Card:
    """`reply`'s card with `notice` (what happened to the presser's click) right under the title."""
    return render_card(reply, notice)


def card_invoke_response(card: Card) -> InvokeResponse:
    """The Universal Actions answer that replaces the card for the person who pressed."""
    return InvokeResponse(status=200, body={"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card})


def message_invoke_response(text: str) -> InvokeResponse:
    return InvokeResponse(
        status=200, body={"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}
    )
