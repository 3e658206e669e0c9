"""Issue 14's wording, asserted on the payloads: no doubled label ("Date: Date …"), "1 hour" not "1 hours", the
event's name where a director reads it (not its catalog code), strands by name in history, evidence not called
"(optional)" when every event needs it, and picker labels that lead with the acronym, the amount as a note."""

from __future__ import annotations

from datetime import date

from bot.slack.modals import form_view
from bot.teams.forms import form_card
from handlers.context import Context
from handlers.forms import Validation, errors_reply, submit_form
from handlers.history import history_line
from handlers.reminders.text import reminder_words
from handlers.review import review_reply
from handlers.submit import create_submission
from rules.hours import PER_HOUR
from storage.policy_data import policy_for
from storage.records import HistoryRow
from tests.conftest import seed_basic
from tests.fakes.teams_harness import texts
from tests.review.test_workflow_review import GOOD, submit
from tests.review.test_workflow_submit import TD, actor, pdf


def test_a_field_error_does_not_repeat_its_label() -> None:
    v = Validation(errors={"date": "Date 2025-03-10 is in the future.", "hours": "Hours must be positive."})
    reply = errors_reply("Not saved", v, {"date": "Date", "hours": "Hours"})
    assert reply.sections[0].items == ["Date: 2025-03-10 is in the future.", "Hours: must be positive."]


def test_one_pending_hour_is_singular_and_the_event_has_its_name(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    sid = submit(any_ctx, hours="1")
    facts = {f.label: f.value for s in review_reply(any_ctx, "submission", sid).sections for f in s.facts}
    assert facts["Pending"] == "1 hour"
    saved = create_submission(
        any_ctx, actor(any_ctx, TD), {**GOOD, "date": "2025-01-11"}, pdf(), client_key="S2", platform="slack"
    )
    shown = {f.label: f.value for s in saved.sections for f in s.facts}  # what the director reads back
    assert shown["Event"] == "International Society for Technology in Education annual conference (ISTE)"


def test_history_names_strands_and_no_catalog_code(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    with any_ctx.session() as session:
        strands = policy_for(session, 2025).strands
    row = HistoryRow(
        7,
        date(2025, 1, 10),
        "EXT-ISTE",
        "ISTE Live",
        "external",
        "",
        False,
        2 * PER_HOUR,
        0b11,
        "pending",
        True,
        "",
        "submission",
    )
    line = history_line(row, strands)
    assert f"strands {strands[1]}; {strands[2]}" in line and "EXT-ISTE" not in line and "[" not in line


def test_evidence_is_not_optional_when_every_event_needs_it(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    form = submit_form(any_ctx, actor(any_ctx, "td@a.k12.al.us"))
    assert form.field("evidence").required  # every shipped external event needs a file
    view = form_view(form)
    (block,) = [b for b in view["blocks"] if b.get("block_id") == "evidence"]
    assert block.get("optional") in (None, False)  # Slack writes "(optional)" next to an optional input
    assert "Evidence of attendance (optional)" not in texts(form_card(form))


def test_slack_event_options_lead_with_the_acronym_and_note_the_amount(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    view = form_view(submit_form(any_ctx, actor(any_ctx, "td@a.k12.al.us")))
    (block,) = [b for b in view["blocks"] if b.get("block_id") == "event"]
    options = {o["value"]: o for o in block["element"]["options"]}
    iste = options["2025:EXT-ISTE"]
    assert iste["text"]["text"] == "ISTE: International Society for Technology in Education annual conference"
    assert iste["description"]["text"] == "up to 6 h"
    assert all(len(o["text"]["text"]) <= 75 and len(o["description"]["text"]) <= 75 for o in options.values())


def test_the_digest_names_reminders_in_words() -> None:
    assert reminder_words("fy_complete", "complete") == "the congratulations on a complete year"
    assert reminder_words("fy_deadline", "30d") == "the hours reminder, 30 days before the deadline"
    assert reminder_words("cto_academy", "overdue-2") == "the CTO Academy reminder, second notice after the deadline"
