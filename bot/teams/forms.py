"""A neutral handlers.forms.Form as an Adaptive Card form: one input per field (the file field becomes a note: the
file is sent in the personal chat afterwards), field errors shown under their inputs when the form is re-rendered,
and one `Action.Execute` (verb "form.<id>") whose data round-trips the form id, its context and an idempotency key.

`form_values(data, form)` reads the user's answers back from an action's data (Action.Execute or Action.Submit).

A form card stays within Teams' message size (cards.PAYLOAD_BUDGET): when a picker has too many choices (hundreds of
catalog events), it keeps as many as fit (the chosen one always) in its `filtered` style (Teams filters the list as
the user types), and a text box under it takes the code of one that is not listed ("events WORD" finds it), all valid
Adaptive Card 1.5 (Teams' `choices.data` typeahead is a 1.6 property). The form's answers are checked by the
handlers as always."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

from bot.teams.cards import (
    CONTEXT,
    FORM,
    KEY,
    PAYLOAD_BUDGET,
    Card,
    adaptive_card,
    card_activity,
    execute_action,
    payload_size,
    sub_card,
    text_block,
)
from handlers.forms import Field, FieldKind, Form, Values

FORM_VERB_PREFIX = "form."
FILE_NOTE = "After you send this form, send the file here in this chat (attach it with the paperclip)."
CODE_SUFFIX = "_code"  # the text box under a cut picker: "<field id>_code"


def form_verb(form: Form) -> str:
    return FORM_VERB_PREFIX + form.id


def _initial(field: Field, values: Values | None) -> str | None:
    raw: Any = values.get(field.id) if values and field.id in values else field.initial
    if raw is None:
        return None
    if isinstance(raw, list):
        return ",".join(str(v) for v in raw)
    return str(raw)


def field_input(field: Field, values: Values | None) -> list[Card]:
    """The input element(s) of one field (with its hint); the file field is a note only."""
    label = field.label + ("" if field.required else " (optional)")
    value = _initial(field, values)
    common: Card = {"id": field.id, "label": label, "isRequired": field.required}
    if field.required:
        common["errorMessage"] = f"{field.label} is required"
    element: Card
    notes = dict(field.notes)
    if field.kind in (FieldKind.SELECT, FieldKind.MULTISELECT):
        element = {
            "type": "Input.ChoiceSet",
            **common,
            "choices": [{"title": _choice_title(title, notes.get(val)), "value": val} for val, title in field.options],
            "isMultiSelect": field.kind is FieldKind.MULTISELECT,
            "style": "expanded" if field.kind is FieldKind.MULTISELECT else "filtered",
        }
        if value:
            element["value"] = value
    elif field.kind is FieldKind.DATE:
        element = {"type": "Input.Date", **common}
        if value:
            element["value"] = value
    elif field.kind is FieldKind.CHECKBOX:
        on = field.options[0][0] if field.options else "true"
        title = field.options[0][1] if field.options else field.label
        element = {"type": "Input.Toggle", **common, "title": title, "valueOn": on, "valueOff": "false"}
        element["value"] = on if value and value.lower() not in ("", "false", "no", "0", "off") else "false"
    elif field.kind is FieldKind.FILE:
        return [
            text_block(label, weight="Bolder", spacing="Medium"),
            text_block(f"{field.hint} {FILE_NOTE}".strip(), isSubtle=True, spacing="None"),
        ]
    else:
        element = {"type": "Input.Text", **common}
        if field.kind is FieldKind.LONG_TEXT:
            element["isMultiline"] = True
        if field.kind is FieldKind.URL:
            element["style"] = "Url"
        if field.max_length:
            element["maxLength"] = field.max_length
        if field.hint:
            element["placeholder"] = field.hint[:100]
        if value:
            element["value"] = value
    out = [element]
    if field.hint and field.kind not in (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.URL, FieldKind.HOURS):
        out.append(text_block(field.hint, isSubtle=True, size="Small", spacing="None"))
    return out


def _choice_title(title: str, note: str | None) -> str:
    """A choice's title with its note ("ISTE: … (up to 6 h)"): Teams' choices have no description line."""
    return f"{title} ({note})" if note else title


def form_body(form: Form, values: Values | None = None, errors: Mapping[str, str] | None = None) -> list[Card]:
    errors = errors or {}
    body: list[Card] = []
    for field in form.fields:
        body.extend(field_input(field, values))
        if field.id in errors:
            body.append(text_block(errors[field.id], color="Attention", spacing="None"))
    # errors on ids that are no field (e.g. the whole form) go at the end
    body.extend(text_block(msg, color="Attention") for key, msg in errors.items() if key not in _ids(form))
    return body


def _ids(form: Form) -> set[str]:
    return {f.id for f in form.fields}


PREVIEW = "_preview"  # in a form action's data: show what the answers would do, send nothing


def form_action(form: Form, key: str | None = None) -> Card:
    data = {FORM: form.id, CONTEXT: form.context, KEY: key or uuid.uuid4().hex}
    return execute_action(form.submit_label, form_verb(form), data, form.style)


def form_actions(form: Form, key: str | None = None) -> list[Card]:
    """The send button and, for a form with a what-if preview, "Preview" (the same form again with the preview on
    top, nothing written)."""
    key = key or uuid.uuid4().hex
    actions = [form_action(form, key)]
    if form.preview:
        data = {FORM: form.id, CONTEXT: form.context, KEY: key, PREVIEW: "1"}
        actions.append(execute_action("Preview", form_verb(form), data))
    return actions


def form_card(
    form: Form,
    *,
    values: Values | None = None,
    errors: Mapping[str, str] | None = None,
    intro: str = "",
    key: str | None = None,
) -> Card:
    """The whole form as a card. Re-rendered after a refused answer, it keeps the answers, shows the errors and
    keeps the same idempotency key."""
    head = [text_block(form.title, size="Medium", weight="Bolder")]
    intro = intro or form.intro
    if intro:
        head.append(text_block(intro))
    if errors:
        head.append(text_block("Nothing was saved yet. Please fix what is marked below.", color="Attention"))
    fallback = f"{form.title}: open this message in Microsoft Teams to fill in the form."
    card = adaptive_card(head + form_body(form, values, errors), form_actions(form, key), fallback)
    return fit_form(card, form)


def _fits(card: Card, form: Form) -> bool:
    return payload_size(card_activity(card, form.title)) <= PAYLOAD_BUDGET


def fit_form(card: Card, form: Form) -> Card:
    """`card` itself when it fits the payload budget; else with its longest single-choice picker cut to as many
    choices as fit (the selected one kept first, or, when it is not among them, in the code box), a note under it
    and the code box for one that is not listed."""
    if _fits(card, form):
        return card
    body: list[Card] = card["body"]
    pickers = [
        i
        for i, e in enumerate(body)
        if e.get("type") == "Input.ChoiceSet" and not e.get("isMultiSelect") and len(e.get("choices", [])) > 1
    ]
    if not pickers:
        return card
    at = max(pickers, key=lambda i: len(body[i]["choices"]))
    picker = body[at]
    field = next((f for f in form.fields if f.id == picker["id"]), None)
    if field is None:
        return card
    choices: list[Card] = picker["choices"]
    chosen = [c for c in choices if c["value"] == picker.get("value")]
    ordered = chosen + [c for c in choices if c not in chosen]

    def cut(keep: int) -> Card:
        trimmed = copy.copy(card)
        trimmed["body"] = list(body)
        trimmed["body"][at] = {**picker, "choices": ordered[:keep], "isRequired": False}
        trimmed["body"][at].pop("errorMessage", None)  # the code box below may name the event instead
        note = (
            f"The list shows {keep} of {len(choices)} choices; type in it to filter them. One not listed: type its "
            f"code below (“events WORD” finds codes)."
        )
        code = {
            "type": "Input.Text",
            "id": field.id + CODE_SUFFIX,
            "label": f"Or the code of the {field.label.lower()}",
            "placeholder": "e.g. EXT-ISTE",
            "maxLength": 100,
        }
        if picker.get("value") and not chosen:
            code["value"] = picker["value"]
        trimmed["body"][at + 1 : at + 1] = [text_block(note, isSubtle=True, size="Small", spacing="None"), code]
        return trimmed

    low, high = 0, len(ordered)  # the most choices that fit: binary search
    while low < high:
        middle = (low + high + 1) // 2
        if _fits(cut(middle), form):
            low = middle
        else:
            high = middle - 1
    return cut(low)


def form_sub_card(form: Form) -> Card:
    """The form inside an Action.ShowCard (e.g. the reject reason under a review card), its intro first."""
    intro = [text_block(form.intro, weight="Bolder")] if form.intro else []
    return sub_card(intro + form_body(form), [form_action(form)])


def form_values(data: Mapping[str, Any], form: Form) -> Values:
    """The answers of the form's fields in an action's data; a multi-select comes as "a,b" and becomes a list."""
    values: Values = {}
    for field in form.fields:
        raw = data.get(field.id)
        if field.kind is FieldKind.SELECT and not raw and str(data.get(field.id + CODE_SUFFIX) or "").strip():
            raw = str(data[field.id + CODE_SUFFIX]).strip()  # typed into the code box under a cut picker
        if raw is None or field.kind is FieldKind.FILE:
            continue
        if isinstance(raw, list):
            values[field.id] = [str(v) for v in raw]
        elif field.kind is FieldKind.MULTISELECT:
            values[field.id] = [p.strip() for p in str(raw).split(",") if p.strip()]
        else:
            values[field.id] = str(raw)
    return values
