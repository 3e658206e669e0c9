"""Adaptive Card rendering: every kind of reply and form passes the card check, long lists are trimmed to stay under
Teams' ~28 KB message limit with a "... and N more" note, and form answers come back as handler values."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.teams.cards import PAYLOAD_BUDGET, card_activity, payload_size, reply_activity
from bot.teams.forms import form_card, form_values
from bot.teams.render import card_with_notice, render
from handlers.context import Actor, Context
from handlers.forms import Values, reject_form, request_form, submit_form
from handlers.reply import Button, Fact, Outcome, Reply, Section
from tests.fakes.bot_connector import activity_problems, card_problems
from tests.fakes.teams_harness import inputs, texts

TD = Actor(1, "td@a.k12.al.us", "Alex Director", frozenset({"director"}), "teams")


def card_of(activity: Any) -> dict[str, Any]:
    return dict(activity.attachments[0].content)


def test_a_huge_reply_is_trimmed_under_the_budget() -> None:
    items = [
        f"2025-01-{i % 28 + 1:02d}: a very long activity title number {i} with strands and notes" for i in range(3000)
    ]
    reply = Reply(title="History FY2025", sections=[Section(heading="Records", items=items)], summary="History")
    activity = reply_activity(reply)
    assert payload_size(activity) <= PAYLOAD_BUDGET
    body = activity.serialize()
    assert activity_problems(body) == []
    shown = texts(card_of(activity))
    assert "… and " in shown and "more" in shown
    kept = shown.count("a very long activity title")
    assert 10 < kept < 3000
    assert f"… and {3000 - kept} more" in shown


def test_a_small_reply_is_untouched() -> None:
    reply = Reply(title="Status", sections=[Section(items=["a", "b"], facts=[Fact("Credited", "3 h")])])
    card = card_of(reply_activity(reply))
    assert "\u2022 a" in texts(card) and "… and" not in texts(card)
    assert card_problems(card) == []


def test_every_outcome_and_button_style_renders() -> None:
    for outcome in Outcome:
        reply = Reply(
            title=str(outcome),
            sections=[Section(heading="h", text="t", facts=[Fact("a", "b")], items=["x"], more="… and 2 more")],
            buttons=[
                Button("x.go", "Go", "1", "primary"),
                Button("x.no", "No", "2", "danger"),
                Button("x.m", "M", "3"),
            ],
            outcome=outcome,
        )
        activity = render(reply)
        assert activity_problems(activity.serialize()) == []
        styles = [a.get("style") for a in card_of(activity)["actions"]]
        assert styles == ["positive", "destructive", None]


def test_review_card_opens_the_reject_reason_form() -> None:
    reply = Reply(
        title="Submission #12",
        buttons=[
            Button("review.approve", "Approve", "submission:12"),
            Button("review.reject", "Reject", "submission:12"),
        ],
    )
    card = card_of(render(reply))
    assert card_problems(card) == []
    approve, reject = card["actions"]
    assert approve["type"] == "Action.Execute" and approve["data"] == {
        "_verb": "review.approve",
        "_value": "submission:12",
    }
    assert approve["fallback"]["type"] == "Action.Submit" and approve["fallback"]["data"] == approve["data"]
    assert reject["type"] == "Action.ShowCard"
    inner = reject["card"]["actions"][0]
    assert inner["verb"] == "form.reject_reason" and inner["data"]["_ctx"] == "submission:12" and inner["data"]["_key"]
    noticed = card_with_notice(reply, Reply(title="Only ALET reviewers can approve or reject", outcome=Outcome.REFUSED))
    assert noticed["body"][1]["type"] == "Container" and card_problems(noticed) == []


def test_forms_render_with_values_and_errors(ctx: Context) -> None:
    from tests.conftest import seed_basic

    seed_basic(ctx)
    for form in (submit_form(ctx, TD), request_form(ctx, TD), reject_form("request", 3)):
        card = form_card(form)
        assert card_problems(card) == [], form.id
        assert activity_problems(card_activity(card, form.title).serialize()) == []
    form = submit_form(ctx, TD)
    values: Values = {"event": "2025:EXT-COSN", "hours": "2.5", "strands": ["1", "5"]}
    card = form_card(form, values=values, errors={"hours": "Too many hours.", "other": "Something else."}, key="k1")
    fields = inputs(card)
    assert fields["strands"]["value"] == "1,5" and fields["hours"]["value"] == "2.5"
    assert fields["date"]["value"] == date(2025, 3, 3).isoformat()  # the form's initial date: today
    assert "Too many hours." in texts(card) and "Something else." in texts(card)
    assert card["actions"][0]["data"]["_key"] == "k1"


def test_form_values_from_action_data(ctx: Context) -> None:
    form = request_form(ctx, TD)
    data = {"_verb": "form.request", "title": "Summit", "strands": "1,3", "in_person": "false", "stray": "x"}
    assert form_values(data, form) == {"title": "Summit", "strands": ["1", "3"], "in_person": "false"}
