"""The neutral Reply rendered as an Adaptive Card 1.5, and the Bot Framework message activity that carries it
(with a one-line summary for notifications and the plain text as the card's fallback).

Buttons become `Action.Execute` (verb = the Button's action, data = its value) with an `Action.Submit` fallback for
clients without Universal Actions; a button may instead open a sub-card (`Action.ShowCard`, e.g. the reject reason).
Texts (titles, event names, reasons people typed) never become Markdown links or mentions (`plain`).
A card is kept under Teams' ~28 KB message limit by trimming the longest lists (with a "… and N more" note).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from handlers.reply import Button, Link, Outcome, Reply, Section

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
PAYLOAD_BUDGET = 27 * 1024  # bytes of the whole activity JSON; Teams refuses messages over ~28 KB
FALLBACK_TEXT_MAX = 2000

# Action data keys (inputs' ids never start with "_")
VERB = "_verb"
VALUE = "_value"
FORM = "_form"
CONTEXT = "_ctx"
KEY = "_key"

Card = dict[str, Any]

# Title colours: "Warning" (yellow on white, about 1.5:1 contrast) is unreadable in Teams' light theme; what is
# not an error keeps the default colour, errors and refusals use "Attention" (red, readable on both themes).
_OUTCOME_COLOUR = {
    Outcome.OK: "Default",
    Outcome.UNKNOWN_USER: "Default",
    Outcome.REFUSED: "Attention",
    Outcome.INVALID: "Attention",
    Outcome.ALREADY: "Default",
    Outcome.NOT_FOUND: "Default",
    Outcome.ERROR: "Attention",
}
BULLET = "\u2022"  # a list item is its own TextBlock starting with a bullet: "- " Markdown lists render badly
_STYLE = {"primary": "positive", "danger": "destructive"}


WORD_JOINER = "\u2060"  # invisible; splits what Teams' card Markdown would read as a link or a mention
_LINKISH = re.compile(r"\]\s*\(|<(?=[A-Za-z/])")


def plain(text: str) -> str:
    """`text` shown as written: TextBlock and FactSet read Markdown, so a user's `[click](https://…)` would become
    a link and `<at>…</at>` or `<https://…>` something else. A word joiner goes after the `]` of `](` and after a
    `<` before a letter or `/`; everything else (and what the reader sees) is unchanged."""
    return _LINKISH.sub(lambda m: m.group(0)[0] + WORD_JOINER + m.group(0)[1:], text)


def text_block(text: str, **props: Any) -> Card:
    """A wrapping TextBlock; its text is never read as a link (see `plain`)."""
    return {"type": "TextBlock", "text": plain(text), "wrap": True, **props}


def fact_set(facts: list[tuple[str, str]]) -> Card:
    return {"type": "FactSet", "facts": [{"title": plain(label), "value": plain(value)} for label, value in facts]}


def execute_action(title: str, verb: str, data: Mapping[str, Any], style: str = "") -> Card:
    """`Action.Execute` (Universal Actions) with an `Action.Submit` fallback carrying the same verb and data."""
    payload = {VERB: verb, **data}
    action: Card = {"type": "Action.Execute", "title": title, "verb": verb, "data": payload}
    submit: Card = {"type": "Action.Submit", "title": title, "data": payload}
    if style in _STYLE:
        action["style"] = _STYLE[style]
        submit["style"] = _STYLE[style]
    action["fallback"] = submit
    return action


def button_action(button: Button) -> Card:
    return execute_action(button.label, button.action, {VALUE: button.value}, button.style)


def section_body(section: Section) -> list[Card]:
    if section.tone in ("good", "attention"):
        plain_section = replace(section, tone="")
        return [{"type": "Container", "style": section.tone, "items": section_body(plain_section)}]
    body: list[Card] = []
    if section.heading:
        body.append(text_block(section.heading, weight="Bolder", spacing="Medium"))
    if section.text:
        body.append(text_block(section.text))
    if section.facts:
        body.append(fact_set([(f.label, f.value) for f in section.facts]))
    body.extend(item_block(item, section.item_link(n)) for n, item in enumerate(section.items))
    if section.more:
        body.append(text_block(section.more, isSubtle=True, spacing="Small"))
    if section.links:  # buttons that open the address: no raw URL overflowing a phone's width
        body.append({"type": "ActionSet", "actions": [open_url(link) for link in section.links]})
    return body


def item_block(item: str, link: Link | None) -> Card:
    """A list item; with a link, its label (how the item starts) becomes a Markdown link to our own address (the
    rest stays `plain`), else the link follows the item."""
    if link is None:
        return text_block(f"{BULLET} {item}", spacing="None")
    url = "".join(c for c in link.url if c not in "()<> ")
    linked = f"[{plain(link.label)}]({url})"
    text = (
        f"{BULLET} {linked}{plain(item[len(link.label) :])}"
        if item.startswith(link.label)
        else f"{BULLET} {plain(item)} {linked}"
    )
    return {"type": "TextBlock", "text": text, "wrap": True, "spacing": "None"}


def open_url(link: Link) -> Card:
    return {"type": "Action.OpenUrl", "title": link.label, "url": link.url}


def adaptive_card(body: list[Card], actions: list[Card] | None = None, fallback_text: str = "") -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    if fallback_text:
        card["fallbackText"] = fallback_text[:FALLBACK_TEXT_MAX]
    return card


def reply_body(reply: Reply) -> list[Card]:
    body: list[Card] = [
        text_block(reply.title, size="Medium", weight="Bolder", color=_OUTCOME_COLOUR.get(reply.outcome, "Default"))
    ]
    for section in reply.sections:
        body.extend(section_body(section))
    return body


def reply_card(
    reply: Reply, *, show_cards: Mapping[str, Card] | None = None, extra_body: list[Card] | None = None
) -> Card:
    """The card of a Reply. `show_cards` maps a button action to a sub-card it opens instead of acting at once."""
    show_cards = show_cards or {}
    actions: list[Card] = []
    for button in reply.buttons:
        sub = show_cards.get(button.action)
        if sub is not None:
            actions.append({"type": "Action.ShowCard", "title": button.label, "card": sub})
        else:
            actions.append(button_action(button))
    return adaptive_card(reply_body(reply) + (extra_body or []), actions, reply.to_text())


def sub_card(body: list[Card], actions: list[Card]) -> Card:
    """A card shown inside Action.ShowCard (no version/$schema of its own)."""
    return {"type": "AdaptiveCard", "body": body, "actions": actions}


def card_attachment(card: Card) -> Attachment:
    return Attachment(content_type=CARD_CONTENT_TYPE, content=card)


def card_activity(card: Card, summary: str) -> Activity:
    """A message activity carrying one card and no `text` (Teams would show a text above the card, repeating it);
    `summary` is what card-less clients show (Bot Framework: "text to display if the channel cannot render
    cards")."""
    return Activity(type=ActivityTypes.message, attachments=[card_attachment(card)], summary=summary)


def payload_size(activity: Activity) -> int:
    return len(json.dumps(activity.serialize(), ensure_ascii=False).encode("utf-8"))


def fitted(reply: Reply, build: Callable[[Reply], Card] | None = None) -> Reply:
    """The Reply with its longest lists trimmed until its card fits PAYLOAD_BUDGET (the same reply when it fits).
    `build` makes the card that is measured (default `reply_card`; pass the one actually sent, with its sub-cards
    and notices, so they count too)."""
    build = build or reply_card
    current = reply
    for _ in range(200):
        if payload_size(card_activity(build(current), current.notification())) <= PAYLOAD_BUDGET:
            return current
        sections = list(current.sections)
        longest = max(range(len(sections)), key=lambda i: len(sections[i].items), default=-1)
        if longest < 0 or not sections[longest].items:
            # nothing left to trim but long texts: cut every text to a screenful
            sections = [replace(s, text=s.text[:1000], facts=s.facts[:20]) for s in sections]
            return replace(current, sections=sections[:10])
        section = sections[longest]
        keep = max(0, len(section.items) - max(1, len(section.items) // 5))
        dropped = len(section.items) - keep + _count_more(section.more)
        sections[longest] = replace(section, items=section.items[:keep], more=f"… and {dropped} more")
        current = replace(current, sections=sections)
    return current


def _count_more(note: str) -> int:
    """The N of an earlier "… and N more" note (0 when there is none)."""
    words = note.split()
    for word in words:
        if word.isdigit():
            return int(word)
    return 0


def reply_activity(reply: Reply, *, show_cards: Mapping[str, Card] | None = None) -> Activity:
    """The message activity for a Reply: its card (fitted to the payload budget) and its notification line."""
    fit = fitted(reply, lambda r: reply_card(r, show_cards=show_cards))
    return card_activity(reply_card(fit, show_cards=show_cards), fit.notification())
