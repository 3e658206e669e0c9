"""rules.claims: per-activity caps ("up to" vs exact), per-unit events, earliest dates, the FY window, future
dates, strands, and no repeats of online courses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.claims import Claim, Problem, cap_key, check_claim, earns_credit, is_repeat, unit_key
from rules.policy import CatalogItem, Kind
from tests.rules.test_rules_credit import POLICY

TODAY = date(2025, 3, 3)
UP_TO_3 = CatalogItem(2025, "EXT-AETC", "AETC", Kind.EXTERNAL, 12, 0b10, up_to=True)
EXACT_3 = CatalogItem(2025, "EXT-ERATE", "E-Rate Boot Camp", Kind.EXTERNAL, 12, 0b1100, up_to=False)
WORKSHOP = CatalogItem(2025, "EXT-COSN-CTO", "CoSN CTO workshop", Kind.EXTERNAL, 4, 0b1, up_to=False, per_unit=True)
GOOGLE = CatalogItem(2025, "EXT-GOOGLE", "Google L1", Kind.EXTERNAL, 12, 0b10, up_to=False, earliest=date(2024, 11, 15))
COURSE = CatalogItem(2025, "TALENT-DATA", "Data Governance", Kind.TALENT_ONLINE, 6, 0b100000, up_to=False)
NOT_COUNTING = CatalogItem(2025, "TALENT-INTRO", "Welcome", Kind.TALENT_ONLINE, 4, 1, counts_for_td=False)


def problems(item: CatalogItem, day: date, hours: float, strands: int = 1, already: float = 0) -> list[str]:
    return [p.text for p in check_claim(Claim(item, day, int(hours * 4), strands), POLICY, TODAY, int(already * 4))]


@pytest.mark.parametrize("hours", [0.25, 1, 2.75, 3])
def test_up_to_accepts_any_quarter_hour_amount_up_to_the_cap(hours: float) -> None:
    assert problems(UP_TO_3, date(2025, 1, 10), hours) == []


def test_up_to_refuses_above_the_cap_also_in_total() -> None:
    assert "over the cap of 3" in problems(UP_TO_3, date(2025, 1, 10), 3.25)[0]
    assert problems(UP_TO_3, date(2025, 1, 10), 1, already=2) == []
    (msg,) = problems(UP_TO_3, date(2025, 1, 10), 1.25, already=2)
    assert "2 already recorded" in msg and "at most 1 more" in msg


def test_exact_cap_events_take_exactly_the_cap_once() -> None:
    assert problems(EXACT_3, date(2025, 1, 10), 3) == []
    assert "exactly 3 hours, not 2" in problems(EXACT_3, date(2025, 1, 10), 2)[0]
    assert "exactly 3 hours, not 4" in problems(EXACT_3, date(2025, 1, 10), 4)[0]
    assert "already recorded" in problems(EXACT_3, date(2025, 2, 10), 3, already=3)[0]


def test_per_unit_events_one_hour_each_unit() -> None:
    assert problems(WORKSHOP, date(2025, 1, 10), 1) == []
    assert problems(WORKSHOP, date(2025, 1, 10), 2) != []
    assert problems(WORKSHOP, date(2025, 1, 10), 1, already=1) != []
    # units are told apart by their label, else their date
    assert unit_key(WORKSHOP, date(2025, 1, 10)) == "2025-01-10"
    assert unit_key(WORKSHOP, date(2025, 1, 10), " Workshop B ") == "workshop b"
    assert unit_key(EXACT_3, date(2025, 1, 10), " Part 2 ") == "part 2"  # parts of any activity
    assert unit_key(EXACT_3, date(2025, 1, 10)) == ""
    assert cap_key(WORKSHOP, "workshop b") == "workshop b"  # capped per unit
    assert cap_key(EXACT_3, "part 2") == ""  # the parts share the activity's cap


def test_earliest_date() -> None:
    assert "only on or after 2024-11-15" in problems(GOOGLE, date(2024, 11, 14), 3)[0]
    assert problems(GOOGLE, date(2024, 11, 15), 3) == []


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        (date(2024, 9, 30), False),
        (date(2024, 10, 1), True),
        (date(2024, 12, 31), True),
        (date(2025, 1, 1), True),
        (date(2025, 3, 3), True),  # today
        (date(2025, 3, 4), False),  # tomorrow
    ],
)
def test_window_and_future(day: date, ok: bool) -> None:
    assert (problems(UP_TO_3, day, 1) == []) is ok


def test_fy_window_at_the_end_of_the_year() -> None:
    late = check_claim(Claim(UP_TO_3, date(2025, 9, 30), 4, 1), POLICY, date(2025, 12, 1))
    assert late == []
    outside = check_claim(Claim(UP_TO_3, date(2025, 10, 1), 4, 1), POLICY, date(2025, 12, 1))
    assert outside == [Problem("date", "date 2025-10-01 is outside FY2025 (2024-10-01 to 2025-09-30) of EXT-AETC")]


def test_strands_are_required_and_known() -> None:
    assert problems(UP_TO_3, date(2025, 1, 10), 1, strands=0) == ["no strand given"]
    assert problems(UP_TO_3, date(2025, 1, 10), 1, strands=1 << 6) == ["strand 7 is not a strand of FY2025"]
    assert problems(UP_TO_3, date(2025, 1, 10), 1, strands=0b111111) == []


def test_hours_must_be_positive() -> None:
    assert problems(UP_TO_3, date(2025, 1, 10), 0) == ["hours must be positive"]


def test_every_problem_is_listed() -> None:
    found = problems(EXACT_3, date(2025, 10, 1), 2, strands=0)
    assert len(found) == 4  # outside the FY, in the future, not exactly the cap, no strand


def test_every_problem_names_its_form_field() -> None:
    found = check_claim(Claim(GOOGLE, date(2024, 11, 1), 2, 1 << 6), POLICY, TODAY)
    assert [(p.field, p.text) for p in found] == [
        ("date", "EXT-GOOGLE counts only on or after 2024-11-15"),
        ("hours", "EXT-GOOGLE counts exactly 3 hours, not 0.5"),
        ("strands", "strand 7 is not a strand of FY2025"),
    ]
    assert [p.field for p in check_claim(Claim(UP_TO_3, date(2025, 10, 1), 0, 0), POLICY, TODAY)] == [
        "date",
        "date",
        "hours",
        "strands",
    ]


def test_a_part_of_an_exact_cap_event_takes_any_amount_the_sum_held_to_the_cap() -> None:
    part = check_claim(Claim(EXACT_3, date(2025, 1, 10), 4, 1, part=True), POLICY, TODAY, 4)
    assert part == []
    over = check_claim(Claim(EXACT_3, date(2025, 1, 10), 8, 1, part=True), POLICY, TODAY, 8)
    assert [p.text for p in over] == [
        "2 hours is over the cap of 3 for E-Rate Boot Camp (2 already recorded); at most 1 more"
    ]


def test_online_course_repeats_and_courses_that_do_not_count() -> None:
    assert is_repeat(COURSE, credited_before=True)
    assert not is_repeat(COURSE, credited_before=False)
    assert not is_repeat(EXACT_3, credited_before=True)  # only online courses and `once` activities
    assert is_repeat(replace(EXACT_3, once=True), credited_before=True)
    assert not earns_credit(NOT_COUNTING)
    assert earns_credit(COURSE)


@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=40))
def test_up_to_never_lets_the_total_pass_the_cap(quarters: int, already: int) -> None:
    found = check_claim(Claim(UP_TO_3, date(2025, 1, 10), quarters, 1), POLICY, TODAY, already)
    assert (found == []) == (quarters + already <= UP_TO_3.cap)
