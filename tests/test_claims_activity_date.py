"""rules.check_claim and the activity's own date: a live ALET event counts only on its date, any other dated
activity (external event, dated online course) from its date on; the chat form and the attendance import both
get the problem from this one check."""

from __future__ import annotations

from datetime import date

import pytest

from rules.claims import Claim, check_claim
from rules.policy import CatalogItem, Kind
from tests.test_rules_credit import POLICY

TODAY = date(2025, 3, 3)
CONF = CatalogItem(2025, "FALL24", "Fall Conference", Kind.CONFERENCE, 24, 1, day=date(2024, 11, 5))
CAMP = CatalogItem(2025, "CAMP25", "Cyber Camp", Kind.CYBER_CAMP, 24, 1, day=date(2025, 2, 20))
REGION = CatalogItem(2025, "REG", "Region meeting", Kind.REGION_MEETING, 8, 1, day=date(2025, 1, 9))
COURSE = CatalogItem(2025, "TAL", "Dated course", Kind.TALENT_ONLINE, 6, 1, day=date(2024, 12, 2), up_to=False)
EXTERNAL = CatalogItem(2025, "EXT-AI", "AI summit", Kind.EXTERNAL, 12, 1, day=date(2025, 1, 30))
UNDATED = CatalogItem(2025, "EXT-ISTE", "ISTE", Kind.EXTERNAL, 24, 1)


def problems(item: CatalogItem, day: date, hours: float = 1) -> list[str]:
    return check_claim(Claim(item, day, int(hours * 4), 1), POLICY, TODAY)


@pytest.mark.parametrize("item", [CONF, CAMP, REGION])
def test_a_live_alet_event_counts_only_on_its_date(item: CatalogItem) -> None:
    assert item.day is not None
    assert problems(item, item.day) == []
    for other in (date.fromordinal(item.day.toordinal() - 1), date.fromordinal(item.day.toordinal() + 1)):
        (msg,) = problems(item, other)
        assert msg == f"date {other} is not the day of {item.code}, which took place on {item.day}"


def test_an_external_event_or_dated_course_counts_from_its_date_on() -> None:
    assert problems(EXTERNAL, date(2025, 1, 30)) == []
    assert problems(EXTERNAL, date(2025, 2, 14)) == []
    assert problems(EXTERNAL, date(2025, 1, 29)) == ["date 2025-01-29 is before EXT-AI starts on 2025-01-30"]
    assert problems(COURSE, date(2024, 12, 2), 1.5) == []
    assert problems(COURSE, date(2025, 2, 1), 1.5) == []
    assert problems(COURSE, date(2024, 12, 1), 1.5) == ["date 2024-12-01 is before TAL starts on 2024-12-02"]


def test_an_undated_activity_counts_any_day_of_its_fy() -> None:
    assert problems(UNDATED, date(2024, 10, 1)) == []
    assert problems(UNDATED, date(2025, 3, 3)) == []


def test_exact_cap_wording_is_singular_for_one_hour() -> None:
    one = CatalogItem(2025, "EXT-W", "Workshop", Kind.EXTERNAL, 4, 1, up_to=False)
    assert problems(one, date(2025, 1, 5), 2) == ["EXT-W counts exactly 1 hour, not 2"]
    three = CatalogItem(2025, "EXT-E", "Boot camp", Kind.EXTERNAL, 12, 1, up_to=False)
    assert problems(three, date(2025, 1, 5), 2) == ["EXT-E counts exactly 3 hours, not 2"]
