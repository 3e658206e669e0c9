"""Review messages show their dates in the Context's time zone (CEU_TIMEZONE), the zone "today" follows, not a
hard-coded America/Chicago: a decision taken at 03:00 UTC is the day before in Chicago and that day in Berlin."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from handlers.context import Context
from handlers.payloads import Submitted
from handlers.review import decide, review_reply
from handlers.submit import create_submission
from tests.conftest import seed_basic
from tests.review.test_workflow_submit import GOOD, TD, actor, pdf

AT_NIGHT = datetime(2025, 3, 4, 3, 0, tzinfo=UTC)  # 2025-03-03 21:00 in Chicago, 2025-03-04 04:00 in Berlin


def test_decided_and_submitted_dates_follow_the_context_zone(ctx: Context) -> None:
    seed_basic(ctx)
    night = replace(ctx, now=AT_NIGHT)
    reply = create_submission(night, actor(ctx, TD), GOOD, pdf(), client_key="zone-1", platform="slack")
    sid = reply.expect(Submitted).submission_id
    assert decide(night, actor(ctx, "rev@alet.org"), "submission", sid, True).outcome.value == "ok"

    chicago = review_reply(replace(ctx, zone="America/Chicago"), "submission", sid).to_text()
    berlin = review_reply(replace(ctx, zone="Europe/Berlin"), "submission", sid).to_text()
    assert "on 2025-03-03" in chicago and "Submitted: 2025-03-03" in chicago
    assert "on 2025-03-04" in berlin and "Submitted: 2025-03-04" in berlin
