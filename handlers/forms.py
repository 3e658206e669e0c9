"""Platform-neutral forms for submit / request / reject: Slack renders a `Form` as a modal, Teams as an Adaptive
Card form, from the same spec. The adapter sends the user's answers back as `values: dict[field_id, str | list[str]]`
(multiselect and checkbox groups as a list of option values; a checkbox also accepts "true"/"false"; a date as
YYYY-MM-DD; empty answers may be left out) to handlers.submit / handlers.request / handlers.review.

- `submit_form(ctx, actor) -> Form`, `request_form(ctx, actor) -> Form`, `reject_form(item_type, item_id) -> Form`.
  `Form.context` is an opaque string to round-trip (Slack private_metadata, Teams Action.Submit data), e.g.
  "submission:12" for the reject form.
- `form_refusal(ctx, actor, form_id) -> Reply | None`: call before opening a form; a Reply means "show this instead"
  (not allowed for the role, or no approved external events this FY to pick from).
- `Validation`: `errors` by field id (Slack: response_action "errors"; Teams: show next to the inputs) and
  `warnings` (allowed, shown to the user).

Limits kept for Slack: form titles and button labels at most 24 characters, option labels at most 75.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from handlers.context import Actor, Context
from handlers.fy_arg import FIRST_FY
from handlers.payloads import FormErrors
from handlers.reply import Outcome, Reply, Section
from rules.fiscal import fiscal_year_of
from rules.hours import fmt_hours
from rules.policy import CatalogItem, Kind, Policy
from storage.catalog import catalog
from storage.policy_data import policy_for

OPTION_LABEL_MAX = 75
PREVIEW_FIELDS = ("event", "hours", "strands")  # the submit form's answers that change its what-if preview
PREVIEW_BLOCK = "whatif"  # the preview's place in a form (Slack block id)


class FieldKind(StrEnum):
    SELECT = "select"
    MULTISELECT = "multiselect"
    DATE = "date"
    HOURS = "hours"
    TEXT = "text"
    LONG_TEXT = "long_text"
    URL = "url"
    CHECKBOX = "checkbox"
    FILE = "file"


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    kind: FieldKind
    required: bool = True
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    notes: tuple[tuple[str, str], ...] = ()  # (value, a short line about that option: Slack's option description)
    initial: str | list[str] | None = None
    hint: str = ""
    max_length: int | None = None


@dataclass(frozen=True)
class Form:
    id: str  # submit | request | reject_reason
    title: str
    submit_label: str
    fields: tuple[Field, ...]
    context: str = ""  # round-tripped by the adapter
    style: str = "primary"  # the send button: "primary", or "danger" where it takes something back (reject)
    intro: str = ""  # a line above the fields (the reject form: which item, whose, how many hours)
    preview: tuple[str, ...] = ()  # fields whose answers update the what-if preview (handlers.whatif.form_preview)

    def field(self, field_id: str) -> Field:
        return next(f for f in self.fields if f.id == field_id)


@dataclass
class Validation:
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


Values = dict[str, str | list[str]]


def text_value(values: Values, key: str) -> str:
    """A single answer as stripped text ('' when missing; the first entry of a list)."""
    raw = values.get(key)
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    return (raw or "").strip()


def list_value(values: Values, key: str) -> list[str]:
    """A multi-answer as a list (a single text is split on ',' / ';')."""
    raw = values.get(key)
    if raw is None:
        return []
    parts = raw if isinstance(raw, list) else raw.replace(";", ",").split(",")
    return [p.strip() for p in parts if p and p.strip()]


def bool_value(values: Values, key: str) -> bool:
    raw = values.get(key)
    if isinstance(raw, list):
        return any(v.strip().lower() not in ("", "false", "no", "0", "off") for v in raw)
    return (raw or "").strip().lower() in ("true", "yes", "1", "on", key)


def errors_reply(title: str, v: Validation, labels: dict[str, str] | None = None) -> Reply:
    """The INVALID reply listing every field problem (its FormErrors payload keeps them by field id)."""
    labels = labels or {}
    items = [_labelled(labels.get(k, k), msg) for k, msg in v.errors.items()]
    return Reply(
        title=title,
        sections=[Section(text="Nothing was saved. Please fix:", items=items)],
        outcome=Outcome.INVALID,
        summary=f"{title}: " + "; ".join(v.errors.values()),
        payload=FormErrors(dict(v.errors), tuple(v.warnings)),
    )


def _labelled(label: str, message: str) -> str:
    """ "Date: 2025-03-10 is in the future." — not "Date: Date 2025-03-10 …" when the message starts with its label."""
    if message.lower().startswith(label.lower() + " "):
        message = message[len(label) + 1 :]
    return f"{label}: {message}"


def _clip(text: str, limit: int = OPTION_LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def event_value(item: CatalogItem) -> str:
    """The option value of a catalog event: "FY:CODE" (codes repeat across fiscal years)."""
    return f"{item.fy}:{item.code}"


_ACRONYM = re.compile(r"^(?P<rest>.+?)\s*\((?P<acronym>[A-Za-z0-9+&-]{2,12})\)\s*$")


def event_label(item: CatalogItem) -> str:
    """The event's name as a picker shows it, the distinguishing acronym first ("ISTE: International Society for
    Technology in Education annual conference"): Slack cuts option text at 75 characters, and what tells two long
    titles apart must survive the cut. The amount is the option's note (`event_note`)."""
    found = _ACRONYM.match(item.title)
    acronym = found.group("acronym") if found else ""
    if found and sum(c.isupper() for c in acronym) >= 2:
        return _clip(f"{acronym}: {found.group('rest')}")
    return _clip(item.title)


def event_note(item: CatalogItem) -> str:
    """What an event counts: "up to 6 h", "4 h", "1 h each" (per workshop)."""
    amount = f"up to {fmt_hours(item.cap)} h" if item.up_to else f"{fmt_hours(item.cap)} h"
    return amount + " each" if item.per_unit else amount


def strand_options(policy: Policy) -> tuple[tuple[str, str], ...]:
    return tuple((str(n), _clip(f"{n}. {name}")) for n, name in sorted(policy.strands.items()))


def external_events(ctx: Context, fy: int) -> list[CatalogItem]:
    with ctx.session() as session:
        return [i for i in catalog(session, fy) if i.kind is Kind.EXTERNAL]


def _policy(ctx: Context, fy: int) -> Policy:
    with ctx.session() as session:
        return policy_for(session, max(fy, FIRST_FY))


def submit_form(ctx: Context, actor: Actor) -> Form:
    fy = fiscal_year_of(ctx.today)
    events = sorted(external_events(ctx, fy), key=lambda i: i.title.lower())
    policy = _policy(ctx, fy)
    fields = [
        Field(
            "event",
            "Approved external event",
            FieldKind.SELECT,
            options=tuple((event_value(i), event_label(i)) for i in events),
            notes=tuple((event_value(i), event_note(i)) for i in events),
            hint=f"FY{fy}'s approved external events; “events” lists them. Use “request” to propose a new one.",
        ),
        Field("date", "Date you attended", FieldKind.DATE, initial=ctx.today.isoformat()),
        Field("hours", "Hours", FieldKind.HOURS, hint="Quarter hours, e.g. 1.5 or 2.75", max_length=6),
        Field(
            "strands",
            "Strands this training aligns to",
            FieldKind.MULTISELECT,
            options=strand_options(policy),
            hint="Pick one or more",
        ),
        _evidence_field(events),
        Field(
            "assignment",
            "Assignment",
            FieldKind.LONG_TEXT,
            required=False,
            hint="Only for events whose catalog entry asks for an assignment",
            max_length=3000,
        ),
    ]
    if any(i.per_unit for i in events):
        fields.append(
            Field(
                "unit",
                "Workshop name (per-workshop events)",
                FieldKind.TEXT,
                required=False,
                hint="For events counted per workshop (CoSN CTO Academy): which workshop",
                max_length=200,
            )
        )
    return Form("submit", "Submit external hours", "Send for review", tuple(fields), preview=PREVIEW_FIELDS)


def _evidence_field(events: list[CatalogItem]) -> Field:
    """The evidence file: required (never shown "(optional)") when every listed event needs one; otherwise optional,
    with the hint saying which kind of event needs it. The handler checks the chosen event's own rule either way."""
    kinds = "PDF, PNG, JPEG, HEIC or Word (.docx)"
    if all(i.evidence.needs_file for i in events):
        return Field(
            "evidence", "Evidence of attendance", FieldKind.FILE, hint=f"Certificate or proof of attendance: {kinds}."
        )
    return Field(
        "evidence",
        "Evidence of attendance",
        FieldKind.FILE,
        required=False,
        hint=f"Certificate or proof of attendance: {kinds}. Needed for every event except those whose catalog entry "
        "asks for none.",
    )


def request_form(ctx: Context, actor: Actor) -> Form:
    policy = _policy(ctx, fiscal_year_of(ctx.today))
    fields = (
        Field("title", "Event title", FieldKind.TEXT, max_length=300),
        Field("organiser", "Organiser", FieldKind.TEXT, max_length=200),
        Field("start", "Start date", FieldKind.DATE),
        Field("end", "End date", FieldKind.DATE, hint="The same as the start date for a one-day event"),
        Field(
            "in_person",
            "Format",
            FieldKind.CHECKBOX,
            required=False,
            options=(("in_person", "In person"),),
            hint="Leave unticked for an online event",
        ),
        Field("hours", "Hours asked", FieldKind.HOURS, hint="Quarter hours, e.g. 3 or 4.5", max_length=6),
        Field("strands", "Strands it covers", FieldKind.MULTISELECT, options=strand_options(policy)),
        Field(
            "agenda_url",
            "Agenda link",
            FieldKind.URL,
            required=False,
            hint="An http(s) link to the agenda or event page",
            max_length=500,
        ),
    )
    return Form("request", "Request an event", "Send request", fields)


def reject_form(item_type: str, item_id: int, about: str = "") -> Form:
    """The reason form; `about` (handlers.review.item_summary) names the item being rejected above the field."""
    what = "submission" if item_type == "submission" else "request"
    return Form(
        "reject_reason",
        f"Reject {what}",
        "Reject",
        (
            Field(
                "reason",
                "Reason (sent to the submitter)",
                FieldKind.LONG_TEXT,
                hint="e.g. the certificate does not show the date",
                max_length=1000,
            ),
        ),
        context=f"{item_type}:{item_id}",
        style="danger",
        intro=f"Rejecting {about}" if about else "",
    )


def form_refusal(ctx: Context, actor: Actor, form_id: str) -> Reply | None:
    """A Reply to show instead of opening the form, or None when the form may be opened."""
    if form_id == "submit":
        if not actor.has("director"):
            return refusal(ctx, "Only technology directors submit TD-CEU hours", "submit")
        fy = fiscal_year_of(ctx.today)
        if not external_events(ctx, fy):
            return Reply(
                title=f"No approved external events for FY{fy} yet",
                sections=[
                    Section(
                        text="There is nothing to submit hours for yet. Use “request” to ask ALET to approve an "
                        "event; ALET hours are recorded from their attendance lists without a submission."
                    )
                ],
                outcome=Outcome.NOT_FOUND,
            )
    elif form_id == "request" and not (actor.has("director") or actor.has("sde")):
        return refusal(ctx, "Only technology directors and SDE staff request external events", "request")
    return None


def refusal(ctx: Context, title: str, action: str) -> Reply:
    """A polite role refusal naming whom to contact (nothing is recorded)."""
    contact = _policy(ctx, max(fiscal_year_of(ctx.today), FIRST_FY)).contact
    return Reply(
        title=title,
        sections=[
            Section(
                text=f"Your roster entry does not allow “{action}”, so nothing was recorded. If you think it should, "
                f"please contact {contact}."
            )
        ],
        outcome=Outcome.REFUSED,
    )
