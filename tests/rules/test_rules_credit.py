"""rules.credit: the SPEC §2 credit arithmetic, strand hours and gaps, as tables and as hypothesis properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from rules.credit import Credit, Status, external_parts, tie, totals
from rules.policy import Policy
from rules.strands import mask_of

STRANDS = {
    1: "Roles and Responsibilities",
    2: "Teaching and Learning",
    3: "Technology Planning and Budgeting",
    4: "Ethics, Laws, and Policies",
    5: "IT Management and Cybersecurity",
    6: "Data Management and Governance",
}
POLICY = Policy(fy=2025, required=48, alet_minimum=24, external_maximum=24, strands=STRANDS)
H = 4  # quarters per hour


def alet(hours: float, *strands: int, day: date = date(2024, 11, 5), **kw: object) -> Credit:
    return Credit(alet=True, day=day, quarters=int(hours * H), strands=mask_of(strands), **kw)  # type: ignore[arg-type]


def ext(hours: float, *strands: int, day: date = date(2025, 1, 10), **kw: object) -> Credit:
    return Credit(alet=False, day=day, quarters=int(hours * H), strands=mask_of(strands), **kw)  # type: ignore[arg-type]


def test_nothing_recorded() -> None:
    t = totals([], POLICY)
    assert (t.credited, t.alet, t.external, t.external_credited, t.pending) == (0, 0, 0, 0, 0)
    assert t.remaining == 48
    assert t.remaining_alet == 24
    assert t.compliant is False
    assert t.strand_hours == dict.fromkeys(range(1, 7), 0)
    assert t.strand_gaps == [1, 2, 3, 4, 5, 6]


def test_spec_example() -> None:
    # SPEC §5: credited 10, alet 4, external 8 of which 6 credited, remaining 2, remaining ALET 2, gaps 2, 4, 6.
    t = totals([alet(3, 1), alet(1, 3), ext(6, 5, day=date(2024, 12, 1)), ext(2, 2, day=date(2025, 1, 10))], POLICY)
    assert t.alet == 16
    assert t.external == 32
    assert t.external_credited == 24
    assert t.credited == 40
    assert t.remaining == 8
    assert t.remaining_alet == 8
    assert t.compliant is False
    assert t.strand_hours == {1: 12, 2: 0, 3: 4, 4: 0, 5: 24, 6: 0}
    assert t.strand_gaps == [2, 4, 6]


def test_remaining_is_driven_by_missing_alet_hours() -> None:
    # 12 credited, but only 2 from ALET: 4 more ALET hours still needed although the total is reached.
    t = totals([alet(2, 1), ext(10, 5)], POLICY)
    assert t.credited == 8 * H
    t = totals([alet(6, 1), ext(6, 5)], POLICY)
    assert (t.credited, t.remaining, t.remaining_alet, t.compliant) == (48, 0, 0, True)
    t = totals([alet(4, 1), ext(6, 5), alet(4, 2)], POLICY)
    assert (t.credited, t.remaining, t.compliant) == (56, 0, True)
    t = totals([alet(2, 1), ext(6, 5)], POLICY)
    assert (t.credited, t.remaining, t.remaining_alet) == (32, 16, 16)
    t = totals([alet(11, 1)], POLICY)
    assert (t.credited, t.remaining, t.remaining_alet, t.compliant) == (44, 4, 0, False)


def test_alet_hours_have_no_cap() -> None:
    t = totals([alet(30, 1)], POLICY)
    assert (t.alet, t.credited, t.remaining, t.remaining_alet, t.compliant) == (120, 120, 0, 0, True)


def test_external_hours_beyond_six_are_recorded_not_credited() -> None:
    t = totals([ext(4, 5), ext(4, 5, day=date(2025, 2, 1)), ext(3, 2, day=date(2025, 3, 1))], POLICY)
    assert t.external == 44
    assert t.external_credited == 24
    assert t.credited == 24


def test_external_strand_hours_are_credited_in_date_order() -> None:
    # 4 h on strand 5 (Jan), then 4 h on strand 2 (Feb): only 2 h of the February one count, toward strand 2.
    later = ext(4, 2, day=date(2025, 2, 1), order=tie("EXT-A", ""))
    earlier = ext(4, 5, day=date(2025, 1, 1), order=tie("EXT-B", ""))
    t = totals([later, earlier], POLICY)
    assert t.strand_hours[5] == 16
    assert t.strand_hours[2] == 8
    # the same day: activity code, then unit decide (never the order the records were recorded in)
    a = ext(4, 3, day=date(2025, 1, 1), order=tie("EXT-K12SIX", ""))
    b = ext(4, 4, day=date(2025, 1, 1), order=tie("EXT-AETC", ""))
    for records in ([a, b], [b, a]):
        t = totals(records, POLICY)
        assert (t.strand_hours[4], t.strand_hours[3]) == (16, 8)
    part1 = ext(4, 1, day=date(2025, 1, 1), order=tie("EXT-AETC", "hour 1"))
    part2 = ext(4, 6, day=date(2025, 1, 1), order=tie("EXT-AETC", "hour 2"))
    # two parts of EXT-AETC that day come first (code), hour 1 before hour 2 (unit); hour 2 crosses the maximum
    t = totals([part2, part1, a, earlier], POLICY)
    assert (t.strand_hours[1], t.strand_hours[6], t.strand_hours[5], t.strand_hours[3]) == (16, 8, 0, 0)
    assert external_parts([part2, part1, a, earlier], 24) == [8, 16, 0, 0]


def test_an_hour_on_two_strands_counts_once_in_the_total_and_toward_both() -> None:
    t = totals([alet(3, 1, 5)], POLICY)
    assert t.credited == 12
    assert t.strand_hours[1] == 12
    assert t.strand_hours[5] == 12
    assert t.strand_gaps == [2, 3, 4, 6]


def test_pending_and_rejected_are_apart_and_never_counted() -> None:
    t = totals(
        [
            alet(6, 1),
            ext(3, 2, status=Status.PENDING),
            ext(2, 3, status=Status.REJECTED),
            alet(5, 4, status=Status.PENDING),
        ],
        POLICY,
    )
    assert t.credited == 24
    assert t.pending == 32
    assert t.external == 0
    assert t.strand_gaps == [2, 3, 4, 5, 6]


def test_uncounted_records_earn_nothing() -> None:
    t = totals([alet(1.5, 6, counted=False), alet(1, 6)], POLICY)
    assert t.alet == 4
    assert t.strand_hours[6] == 4


def test_full_strand_coverage_when_the_policy_requires_it() -> None:
    strict = replace(POLICY, require_all_strands=True)
    credits = [alet(6, 1, 2, 3), ext(6, 4, 5)]
    assert totals(credits, POLICY).compliant is True
    t = totals(credits, strict)
    assert t.remaining == 0
    assert t.strand_gaps == [6]
    assert t.compliant is False
    assert totals([*credits, alet(0.25, 6)], strict).compliant is True


def test_policy_numbers_are_data() -> None:
    other = replace(POLICY, required=40, alet_minimum=8, external_maximum=32)
    t = totals([alet(2, 1), ext(9, 5)], other)
    assert (t.external_credited, t.credited, t.remaining, t.remaining_alet, t.compliant) == (32, 40, 0, 0, True)


# --- properties ------------------------------------------------------------------------------------------------

strand_masks = st.integers(min_value=1, max_value=63)
days = st.dates(min_value=date(2024, 10, 1), max_value=date(2025, 9, 30))
statuses = st.sampled_from([Status.APPROVED, Status.APPROVED, Status.APPROVED, Status.PENDING, Status.REJECTED])
credit = st.builds(
    Credit,
    alet=st.booleans(),
    day=days,
    quarters=st.integers(min_value=1, max_value=80),
    strands=strand_masks,
    status=statuses,
    counted=st.sampled_from([True, True, True, False]),
    order=st.text("AB", max_size=4),
)
credit_lists = st.lists(credit, max_size=30)


def approved(alet: st.SearchStrategy[bool], status: Status = Status.APPROVED) -> st.SearchStrategy[Credit]:
    """One counted record of the given status (every field pinned: builds() would draw the defaulted ones too)."""
    return st.builds(
        Credit,
        alet=alet,
        day=days,
        quarters=st.integers(1, 80),
        strands=strand_masks,
        status=st.just(status),
        counted=st.just(True),
        order=st.text("AB", max_size=4),
    )


def _approved(cs: list[Credit]) -> list[Credit]:
    return [c for c in cs if c.status is Status.APPROVED and c.counted]


@given(credit_lists)
def test_credited_is_alet_plus_capped_external(cs: list[Credit]) -> None:
    t = totals(cs, POLICY)
    live = _approved(cs)
    alet_q = sum(c.quarters for c in live if c.alet)
    ext_q = sum(c.quarters for c in live if not c.alet)
    assert t.alet == alet_q
    assert t.external == ext_q
    assert t.external_credited == min(ext_q, 24)
    assert t.credited == alet_q + min(ext_q, 24)
    assert t.remaining_alet == max(0, 24 - alet_q)
    assert t.remaining == max(0, 48 - t.credited, t.remaining_alet)
    assert t.remaining >= t.remaining_alet
    assert t.compliant == (alet_q >= 24 and t.credited >= 48)
    assert t.compliant == (t.remaining == 0)
    assert t.pending == sum(c.quarters for c in cs if c.status is Status.PENDING and c.counted)


@given(credit_lists, approved(st.just(True)))
def test_an_approved_alet_record_never_lowers_credited(cs: list[Credit], extra: Credit) -> None:
    before = totals(cs, POLICY)
    after = totals([*cs, extra], POLICY)
    assert after.credited == before.credited + extra.quarters
    assert after.remaining <= before.remaining
    assert after.remaining_alet <= before.remaining_alet
    assert not (before.compliant and not after.compliant)
    assert all(after.strand_hours[n] >= before.strand_hours[n] for n in STRANDS)


@given(credit_lists, approved(st.booleans()))
def test_any_approved_record_never_lowers_credited(cs: list[Credit], extra: Credit) -> None:
    assert totals([*cs, extra], POLICY).credited >= totals(cs, POLICY).credited


@given(credit_lists, approved(st.booleans(), Status.PENDING))
def test_pending_never_changes_credited(cs: list[Credit], extra: Credit) -> None:
    before = totals(cs, POLICY)
    after = totals([*cs, extra], POLICY)
    assert after.pending == before.pending + extra.quarters
    assert replace(after, pending=before.pending) == before


@given(credit_lists)
def test_strand_hours_never_exceed_credited_and_cover_it(cs: list[Credit]) -> None:
    t = totals(cs, POLICY)
    assert set(t.strand_hours) == set(STRANDS)
    assert all(0 <= q <= t.credited for q in t.strand_hours.values())
    assert sum(t.strand_hours.values()) >= t.credited  # every credit here has at least one strand
    assert t.strand_gaps == [n for n in STRANDS if t.strand_hours[n] == 0]


@given(credit_lists)
def test_order_of_the_records_does_not_matter(cs: list[Credit]) -> None:
    # distinct orders make the date-then-code-and-unit crediting order total (as the unique record key makes it)
    cs = [c._replace(order=f"{i:04d}") for i, c in enumerate(cs)]
    assert totals(list(reversed(cs)), POLICY) == totals(cs, POLICY)
