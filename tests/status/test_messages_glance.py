"""Messages read at a glance (issue 14): `whatif` changes nothing and says what a claim would do; the status
headline carries the deadline, drops rows that say nothing, lists strand hours as facts and gaps with "; ";
decided reviews say their outcome first; Slack help names `/ceu`; unknown text says what was not understood;
Teams titles are never warning-yellow and list items are bullets, the reject confirm is destructive."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from bot.slack.blocks import reply_blocks
from bot.teams.cards import reply_card
from bot.teams.forms import form_sub_card
from handlers.chat import handle_text
from handlers.context import Context
from handlers.forms import reject_form
from handlers.reply import Outcome, Reply, Section
from storage.tables import AuditLog, CreditRecord, Submission
from tests.conftest import load, seed_basic

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
    assert [f.label for f in strands.facts][:2] == ["1. Roles and Responsibilities", "2. Teaching and Learning"]
    assert "Teaching and Learning; Technology Planning and Budgeting; Ethics, Laws, and Policies" in strands.text
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


def test_decided_review_says_the_outcome_first() -> None:
    from handlers.review import _with_state

    reply = _with_state("Submission #3: Alex", "approved", "Approved by Robin on 2025-03-03", [Section()], [], None)
    assert reply.title.startswith("Approved: ") and reply.sections[0].tone == "good"
    card = reply_card(reply)
    assert card["body"][1]["type"] == "Container" and card["body"][1]["style"] == "good"
    blocks = [b.to_dict() for b in reply_blocks(reply)]
    assert blocks[1]["type"] == "context" and "Approved by Robin" in blocks[1]["elements"][0]["text"]
    rejected = _with_state("Request #4", "rejected", "Rejected by Robin (no agenda)", [], [], None)
    assert rejected.title.startswith("Rejected: ") and rejected.sections[0].tone == "attention"
    pending = _with_state("Request #5", "pending", "Waiting for review", [], [], None)
    assert pending.title == "Request #5" and pending.sections[-1].text == "Waiting for review"


def test_teams_titles_bullets_and_reject_style() -> None:
    for outcome in Outcome:
        card = reply_card(Reply(title="t", outcome=outcome, sections=[Section(items=["1. Roles"])]))
        assert card["body"][0].get("color") != "Warning"
        assert card["body"][1]["text"] == "\u2022 1. Roles"
    confirm = form_sub_card(reject_form("submission", 1))["actions"][0]
    assert confirm["title"] == "Reject" and confirm["style"] == "destructive"
