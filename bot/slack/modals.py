"""handlers.forms.Form <-> Slack modal: the view for views.open, and the submitted view state read back as the
neutral `Values` (plus the ids of uploaded files). Block ids and action ids are the form's field ids, so field
errors map straight onto `response_action="errors"`.

A select holds at most 100 options; a longer list (the event picker of a large catalog) goes into option groups
of 100 (labelled "1-100: <first> … <last>"; at most 100 groups, so 10,000 options), which Slack's select still
filters as the user types: every event can be picked."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UrlInputElement,
)
from slack_sdk.models.blocks.block_elements import FileInputElement
from slack_sdk.models.views import View

from bot.slack.blocks import clip, escape
from handlers.forms import PREVIEW_BLOCK, Field, FieldKind, Form, Values
from handlers.whatif import PICK_FIRST

MAX_OPTIONS = 100  # static selects hold at most 100 options (or 100 groups of 100)
MAX_GROUPS = 100
EVIDENCE_FILETYPES = ["pdf", "png", "jpg", "jpeg", "heic", "docx"]


def _option(value: str, label: str, notes: dict[str, str]) -> Option:
    """One option: its label (75 characters at most) and, when the field has one, its note as the description
    shown under it (also at most 75)."""
    note = notes.get(value)
    description = PlainTextObject(text=clip(note, 75)) if note else None
    return Option(value=value[:150], label=clip(label, 75), description=description)


def _options(field: Field) -> list[Option]:
    notes = dict(field.notes)
    return [_option(value, label, notes) for value, label in field.options[:MAX_OPTIONS]]


def _all_options(field: Field) -> list[Option]:
    limit = MAX_OPTIONS * MAX_GROUPS if field.kind in (FieldKind.SELECT, FieldKind.MULTISELECT) else MAX_OPTIONS
    notes = dict(field.notes)
    return [_option(value, label, notes) for value, label in field.options[:limit]]


def _groups(field: Field, options: list[Option]) -> list[OptionGroup] | None:
    """Option groups of 100 when there are more than 100 options; None when a plain list fits."""
    if len(options) <= MAX_OPTIONS:
        return None
    groups: list[OptionGroup] = []
    for i in range(0, len(options), MAX_OPTIONS):
        chunk = options[i : i + MAX_OPTIONS]
        first, last = (_text(o) for o in (chunk[0], chunk[-1]))
        label = f"{i + 1}-{i + len(chunk)}: {clip(first, 32)} … {clip(last, 32)}"
        groups.append(OptionGroup(label=clip(label, 75), options=chunk))
    return groups


def _text(option: Option) -> str:
    return str(option.label or option.value or "")


def _initial(field: Field, options: list[Option]) -> list[Option]:
    wanted = field.initial if isinstance(field.initial, list) else [field.initial] if field.initial else []
    return [o for o in options if o.value in wanted]


def element(field: Field) -> InputInteractiveElement:
    kind = field.kind
    if kind is FieldKind.SELECT:
        options = _all_options(field)
        initial = _initial(field, options)
        groups = _groups(field, options)
        return StaticSelectElement(
            action_id=field.id,
            options=None if groups else options,
            option_groups=groups,
            initial_option=initial[0] if initial else None,
            placeholder=PlainTextObject(text="Choose one (type to search)" if groups else "Choose one"),
        )
    if kind is FieldKind.MULTISELECT:
        options = _all_options(field)
        groups = _groups(field, options)
        return StaticMultiSelectElement(
            action_id=field.id,
            options=None if groups else options,
            option_groups=groups,
            initial_options=_initial(field, options) or None,
            placeholder=PlainTextObject(text="Choose one or more"),
        )
    if kind is FieldKind.CHECKBOX:
        options = _options(field)
        return CheckboxesElement(action_id=field.id, options=options, initial_options=_initial(field, options) or None)
    if kind is FieldKind.DATE:
        initial_date = field.initial if isinstance(field.initial, str) and field.initial else None
        return DatePickerElement(action_id=field.id, initial_date=initial_date)
    if kind is FieldKind.FILE:
        return FileInputElement(action_id=field.id, filetypes=EVIDENCE_FILETYPES, max_files=1)
    if kind is FieldKind.URL:
        return UrlInputElement(action_id=field.id)
    initial_value = field.initial if isinstance(field.initial, str) else None
    return PlainTextInputElement(
        action_id=field.id,
        multiline=kind is FieldKind.LONG_TEXT,
        max_length=field.max_length,
        initial_value=initial_value,
    )


def input_block(field: Field, dispatch: bool = False) -> InputBlock:
    """One field; `dispatch`: Slack sends a block action when it changes (the what-if preview follows it)."""
    return InputBlock(
        block_id=field.id,
        label=PlainTextObject(text=clip(field.label, 2000)),
        element=element(field),
        hint=PlainTextObject(text=clip(field.hint, 2000)) if field.hint else None,
        optional=not field.required,
        dispatch_action=True if dispatch else None,
    )


def form_view(form: Form, private_metadata: str = "", preview: str = "") -> dict[str, Any]:
    """The modal for views.open: callback_id = form id, private_metadata = the form's context (or ours). A form with
    preview fields shows the what-if `preview` (handlers.whatif.form_preview) under its first field, updated
    (views.update, bot/slack/preview.py) when one of those fields changes."""
    blocks: list[Block] = [input_block(f, f.id in form.preview) for f in form.fields]
    if form.preview:
        text = f":crystal_ball: {preview or PICK_FIRST}"
        blocks.insert(
            1, ContextBlock(block_id=PREVIEW_BLOCK, elements=[MarkdownTextObject(text=clip(escape(text), 2000))])
        )
    if form.intro:  # what the form is about (the reject form: whose item, which event, how many hours)
        blocks.insert(0, SectionBlock(text=PlainTextObject(text=clip(form.intro, 3000), emoji=False)))
    return View(
        type="modal",
        callback_id=form.id,
        title=PlainTextObject(text=clip(form.title, 24)),
        submit=PlainTextObject(text=clip(form.submit_label, 24)),
        close=PlainTextObject(text="Cancel"),
        private_metadata=(private_metadata or form.context)[:3000],
        blocks=blocks,
    ).to_dict()


def _state_value(action: dict[str, Any]) -> str | list[str] | None:
    kind = action.get("type")
    if kind == "static_select":
        option = action.get("selected_option") or {}
        return str(option.get("value", "")) or None
    if kind in ("multi_static_select", "checkboxes"):
        return [str(o.get("value", "")) for o in action.get("selected_options") or []]
    if kind == "datepicker":
        return action.get("selected_date") or None
    if kind == "file_input":
        return None
    value = action.get("value")
    return str(value) if value is not None else None


def read_state(view: dict[str, Any]) -> tuple[Values, list[str]]:
    """The answers by field id, and the ids of uploaded files (file_input)."""
    values: Values = {}
    files: list[str] = []
    state = (view.get("state") or {}).get("values") or {}
    for block_id, actions in state.items():
        for action in (actions or {}).values():
            if action.get("type") == "file_input":
                files.extend(str(f.get("id")) for f in action.get("files") or [] if f.get("id"))
                continue
            value = _state_value(action)
            if value is not None and value != "":
                values[str(block_id)] = value
    return values, files


def field_errors(form: Form, errors: dict[str, str]) -> dict[str, str]:
    """Errors keyed by block id for response_action="errors" (Slack allows 2000 characters each); an error for
    a field the modal does not show is put on the first field so it is never lost."""
    ids = {f.id for f in form.fields}
    out: dict[str, str] = {}
    for key, msg in errors.items():
        target = key if key in ids else form.fields[0].id
        out[target] = clip(f"{out[target]} {msg}" if target in out else msg, 2000)
    return out
