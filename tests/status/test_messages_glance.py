"""Messages read at a glance (issue 14): `whatif` changes nothing and says what a claim would do; the status
headline carries the deadline, drops rows that say nothing, lists strand hours as facts and gaps with "; ";
decided reviews say their outcome first; Slack help names `/ceu`; unknown text says what was not understood;
Teams titles are never warning-yellow and list items are bullets, the reject confirm is destructive."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from sqlalchemy import func
from sqlmodel import select

from bot.slack.blocks import reply_blocks
from bot.teams.cards import reply_card
from bot.teams.forms import form_sub_card
from handlers.chat import handle_text
from handlers.context import Context
from handlers.forms import reject_form
from handlers.payloads import StatusPayload
from handlers.reply import Outcome, Reply, Section
from handlers.review import decide, review_reply
from handlers.status import build_status
from rules.strands import numbers_of
from storage.people import by_email
from storage.policy_data import policy_for
from storage.tables import AuditLog, CreditRecord, Submission
from tests.conftest import ROSTER, load, seed_basic
from tests.review.test_workflow_review import submit
from tests.review.test_workflow_submit import actor

TD = "td@a.k12.al.us"
ATTENDANCE = """email,activity_code,date,hours,strands
td@a.k12.al.us,FALL24,2024-11-05,3,1
td@a.k12.al.us,EXT-ISTE,2024-12-01,5,5
"""


def _counts(ctx: Context) -> tuple[int, int, int]:
    with ctx.session() as s:
        return tuple(  # type: ignore[return-value]
            s.exec(select(func.count()).select_from(t)).one() for t in (CreditRecord, Submission, AuditLog)
        )


def test_whatif_says_what_a_claim_would_do_and_writes_nothing(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    load(any_ctx, "attendance", ATTENDANCE)
    before = _counts(any_ctx)
    reply = handle_text(any_ctx, TD, "console", "whatif EXT-AETC 2")
    text = reply.to_text()
    assert reply.ok, text
    # 3 ALET + 5 external today; 2 more external: only 1 counts (the 6-hour maximum)
    assert "this would bring you to 9 of 12 hours" in text
    assert "still 3 hours from ALET" in text
    assert "only 1 of its 2 hours would count" in text
    assert "Nothing has been recorded" in text
    region = handle_text(any_ctx, TD, "console", "whatif region25").to_text()
    assert "this would bring you to 10 of 12 hours" in region and "still 1 hour from ALET" in region
    assert "closes the Data Management and Governance gap" in region
    assert _counts(any_ctx) == before


def test_whatif_refusals(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    before = _counts(any_ctx)
    assert handle_text(any_ctx, TD, "console", "whatif").outcome is Outcome.INVALID
    assert handle_text(any_ctx, TD, "console", "whatif EXT-AETC 4").outcome is Outcome.INVALID  # cap 3
    assert handle_text(any_ctx, TD, "console", "whatif EXT-AETC lots").outcome is Outcome.INVALID
    near = handle_text(any_ctx, TD, "console", "whatif iste")
    assert near.outcome is Outcome.NOT_FOUND and "EXT-ISTE" in near.to_text()
    staff = handle_text(any_ctx, "sde@alsde.edu", "console", "whatif EXT-AETC")
    assert staff.outcome is Outcome.REFUSED
    assert _counts(any_ctx) == before


def test_status_headline_and_rows(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    load(any_ctx, "attendance", ATTENDANCE)
    reply = handle_text(any_ctx, TD, "console", "status")
    text = reply.to_text()
    assert "you need 4 more hours for FY2025 by September 30, 2025 (211 days), 3 of them from ALET." in text
    assert "Remaining:" not in text and "Days to September 30" not in text and "Pending review" not in text
    strands = next(s for s in reply.sections if s.heading == "Strands")
    labels = [f.label for f in strands.facts]  # the strands with hours; the gaps once, in the sentence (no "0 h" rows)
    assert labels[0] == "1. Roles and Responsibilities" and all(f.value != "0 h" for f in strands.facts), labels
    assert "Teaching and Learning; Technology Planning and Budgeting; Ethics, Laws, and Policies" in strands.text
    assert not any("Teaching and Learning" in label for label in labels)
    assert "Period: October 1, 2024 to September 30, 2025" in text  # one long date style, as in the headline
    assert "External hours: 5 (up to 6 count)" in text and "at most" not in text
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), text  # no ISO dates in what a director reads
    # Alex took the role on 2024-11-15: the CTO Academy is on track, after the strands
    headings = [s.heading for s in reply.sections]
    assert headings.index("Strands") < headings.index("CTO Academy")


def test_help_wording_per_platform_and_unknown_text(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    slack = handle_text(any_ctx, TD, "slack", "help").to_text()
    assert "/ceu status [FY]" in slack and "/ceu whatif CODE [HOURS]" in slack
    teams = handle_text(any_ctx, TD, "teams", "help").to_text()
    assert "- status [FY]" in teams and "/ceu" not in teams
    unknown = handle_text(any_ctx, TD, "teams", "frobnicate the widgets")
    assert unknown.title == "Sorry, I didn't understand “frobnicate the widgets”"
    assert "`" not in handle_text(any_ctx, "nobody@x.org", "teams", "help").to_text()


def test_decided_review_says_the_outcome_first(any_ctx: Context) -> None:
    """Through a real decide, then the review message as the channel shows it again (review_reply): the outcome
    first, in the title and a toned section; no "Pending: 0 hours" row; the event's name once (the title)."""
    seed_basic(any_ctx)
    load(any_ctx, "roster", ROSTER)
    first, second = submit(any_ctx, "S1"), submit(any_ctx, "S2", date="2025-01-11")
    pending = review_reply(any_ctx, "submission", first)
    assert pending.title.startswith(f"Submission #{first}: ") and pending.sections[-1].text == "Waiting for review"
    rev = actor(any_ctx, "rev@alet.org")
    assert decide(any_ctx, rev, "submission", first, True).outcome is Outcome.OK
    assert decide(any_ctx, rev, "submission", second, False, "No date on it").outcome is Outcome.OK
    approved = review_reply(any_ctx, "submission", first)
    assert approved.title.startswith(f"Approved: Submission #{first}: Alex Director") and approved.buttons == []
    assert approved.sections[0].tone == "good" and approved.sections[0].text.startswith("Approved by Robin")
    card = reply_card(approved)
    assert card["body"][1]["type"] == "Container" and card["body"][1]["style"] == "good"
    blocks = [b.to_dict() for b in reply_blocks(approved)]
    assert blocks[1]["type"] == "context" and "Approved by Robin" in blocks[1]["elements"][0]["text"]
    facts = {f.label: f.value for s in approved.sections for f in s.facts}
    assert "Pending" not in facts and "Pending:" not in approved.to_text()  # nothing waits: the row is gone
    name = "International Society for Technology in Education annual conference (ISTE)"
    assert approved.to_text().count(name) == 1 and name in approved.title and facts["Event"] == "EXT-ISTE"
    rejected = review_reply(any_ctx, "submission", second)
    assert rejected.title.startswith(f"Rejected: Submission #{second}: ")
    assert rejected.sections[0].tone == "attention" and "(No date on it)" in rejected.sections[0].text


def test_teams_titles_bullets_and_reject_style() -> None:
    for outcome in Outcome:
        card = reply_card(Reply(title="t", outcome=outcome, sections=[Section(items=["1. Roles"])]))
        assert card["body"][0].get("color") != "Warning"
        assert card["body"][1]["text"] == "\u2022 1. Roles"
    confirm = form_sub_card(reject_form("submission", 1))["actions"][0]
    assert confirm["title"] == "Reject" and confirm["style"] == "destructive"


def test_coming_up_lists_only_activities_that_close_a_need_or_a_gap(any_ctx: Context) -> None:
    """12 ALET hours (hours and the ALET minimum met) but strands missing: every suggestion covers a missing strand;
    none is there for hours alone."""
    seed_basic(any_ctx)
    load(
        any_ctx,
        "attendance",
        "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\ntd@a.k12.al.us,CAMP25,2025-02-20,6\n",
    )
    reply = handle_text(any_ctx, TD, "console", "status")
    status = reply.expect(StatusPayload).status
    gaps = set(status["strand_gaps"])
    assert status["credited_hours"] == 12.0 and gaps, status
    with any_ctx.session() as session:
        person = by_email(session, TD)
        assert person is not None
        view = build_status(session, person, 2025, any_ctx.today)
        strands = policy_for(session, 2025).strands
    assert view.suggestions and any(i.code == "REGION25" for i in view.suggestions)  # closes the strand 6 gap
    assert all(set(numbers_of(i.strands)) & gaps for i in view.suggestions), [i.code for i in view.suggestions]
    coming = next(s for s in reply.sections if s.heading == "Coming up that would help")
    assert len(coming.items) == len(view.suggestions)
    assert all(any(strands[n] in line for n in gaps) for line in coming.items), coming.items


def test_a_cto_academy_due_soon_or_overdue_stands_above_the_strands(any_ctx: Context) -> None:
    """The Academy is due 24 months after the role began (required since October 1, 2024): due within 90 days or
    overdue, it comes before the strands in the attention tone (Teams: an attention Container); on track, after."""
    seed_basic(any_ctx)
    people = "soon@c.k12.al.us,Casey Soon,Gamma County,2024-10-15,,director\n"
    load(any_ctx, "roster", ROSTER + people + "late@d.k12.al.us,Dana Late,Delta City,2024-10-01,,director\n")
    cases = (
        ("soon@c.k12.al.us", date(2026, 9, 1), "Due soon: complete it by October 15, 2026 (44 days left)"),
        ("late@d.k12.al.us", date(2026, 10, 5), "OVERDUE: the deadline was October 1, 2026 (4 days ago)"),
    )
    for email, today, words in cases:
        reply = handle_text(replace(any_ctx, today=today), email, "console", "status")
        headings = [s.heading for s in reply.sections]
        assert headings.index("CTO Academy") < headings.index("Strands"), headings
        cto = reply.sections[headings.index("CTO Academy")]
        assert cto.tone == "attention" and cto.text == words, cto.text
        card = reply_card(reply)
        assert any(b.get("type") == "Container" and b.get("style") == "attention" for b in card["body"]), card
    on_track = handle_text(any_ctx, TD, "console", "status")
    headings = [s.heading for s in on_track.sections]
    assert headings.index("Strands") < headings.index("CTO Academy")
    assert on_track.sections[headings.index("CTO Academy")].tone == ""
