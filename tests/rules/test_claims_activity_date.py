"""rules.check_claim and the activity's own dates: every dated activity (live ALET event, dated online course,
one-off external event) counts from its date to its end (its date alone without an end), an undated one any day of
its FY; a claim outside the range is refused saying the event's dates. The chat form and the attendance import both
get the problem from this one check."""

from __future__ import annotations

from datetime import date

import pytest

from rules.claims import Claim, check_claim
from rules.policy import CatalogItem, Kind
from tests.rules.test_rules_credit import POLICY

TODAY = date(2025, 3, 3)
CONF = CatalogItem(2025, "FALL24", "Fall Conference", Kind.CONFERENCE, 24, 1, day=date(2024, 11, 5))
CAMP = CatalogItem(2025, "CAMP25", "Cyber Camp", Kind.CYBER_CAMP, 24, 1, day=date(2025, 2, 20))
REGION = CatalogItem(2025, "REG", "Region meeting", Kind.REGION_MEETING, 8, 1, day=date(2025, 1, 9))
COURSE = CatalogItem(2025, "TAL", "Dated course", Kind.TALENT_ONLINE, 6, 1, day=date(2024, 12, 2), up_to=False)
EXTERNAL = CatalogItem(2025, "EXT-AI", "AI summit", Kind.EXTERNAL, 12, 1, day=date(2025, 1, 30))
UNDATED = CatalogItem(2025, "EXT-ISTE", "ISTE", Kind.EXTERNAL, 24, 1)
# a Cyber Camp of "a day and a half" and a two-day summit: each day's attendance on its own date
CAMP_RANGE = CatalogItem(
    2025, "CAMP-FALL", "Cyber Camp", Kind.CYBER_CAMP, 24, 1, day=date(2024, 11, 13), end=date(2024, 11, 14)
)
SUMMIT_RANGE = CatalogItem(
    2025, "EXT-AASA", "AASA AI Summit", Kind.EXTERNAL, 12, 1, day=date(2025, 1, 30), end=date(2025, 1, 31)
)


def problems(item: CatalogItem, day: date, hours: float = 1) -> list[str]:
    return [p.text for p in check_claim(Claim(item, day, int(hours * 4), 1), POLICY, TODAY)]


@pytest.mark.parametrize("item", [CONF, CAMP, REGION])
def test_a_live_alet_event_counts_only_on_its_date(item: CatalogItem) -> None:
    assert item.day is not None
    assert problems(item, item.day) == []
    for other in (date.fromordinal(item.day.toordinal() - 1), date.fromordinal(item.day.toordinal() + 1)):
        (msg,) = problems(item, other)
        assert msg == f"date {other} is not the day of {item.code}, which took place on {item.day}"


def test_a_dated_external_event_or_course_counts_on_its_date_only() -> None:
    assert problems(EXTERNAL, date(2025, 1, 30)) == []
    # a one-day event dated 2025-01-30 is no longer accepted weeks later
    assert problems(EXTERNAL, date(2025, 2, 14)) == [
        "date 2025-02-14 is not the day of EXT-AI, which took place on 2025-01-30"
    ]
    assert problems(EXTERNAL, date(2025, 1, 29)) == [
        "date 2025-01-29 is not the day of EXT-AI, which took place on 2025-01-30"
    ]
    assert problems(COURSE, date(2024, 12, 2), 1.5) == []
    assert problems(COURSE, date(2025, 2, 1), 1.5) == [
        "date 2025-02-01 is not the day of TAL, which took place on 2024-12-02"
    ]


@pytest.mark.parametrize("item", [CAMP_RANGE, SUMMIT_RANGE])
@pytest.mark.parametrize(
    ("offset", "ok"),
    [(-1, False), (0, True), (1, True), (2, False)],  # the day before, both days, the day after
)
def test_a_range_counts_on_every_day_from_date_to_end(item: CatalogItem, offset: int, ok: bool) -> None:
    assert item.day is not None and item.end is not None
    day = date.fromordinal(item.day.toordinal() + offset)
    found = problems(item, day)
    if ok:
        assert found == []
    else:
        assert found == [f"date {day} is not during {item.code}, which took place from {item.day} to {item.end}"]


def test_an_undated_activity_counts_any_day_of_its_fy() -> None:
    assert problems(UNDATED, date(2024, 10, 1)) == []
    assert problems(UNDATED, date(2025, 3, 3)) == []


def test_exact_cap_wording_is_singular_for_one_hour() -> None:
    one = CatalogItem(2025, "EXT-W", "Workshop", Kind.EXTERNAL, 4, 1, up_to=False)
    assert problems(one, date(2025, 1, 5), 2) == ["EXT-W counts exactly 1 hour, not 2"]
    three = CatalogItem(2025, "EXT-E", "Boot camp", Kind.EXTERNAL, 12, 1, up_to=False)
    assert problems(three, date(2025, 1, 5), 2) == ["EXT-E counts exactly 3 hours, not 2"]
