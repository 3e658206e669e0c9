"""storage.bulk.credits_by_person sums approved ALET hours per TD in SQL (in all and per strand, one AletSum a TD):
the totals it gives equal those of each TD's records one by one (storage.records.credits_of), on both databases,
over random records of every status, counted or not, on strands in and out of the policy; and the same TDs have
credits at all. rules.credit.totals reads an AletSum as the ALET records it sums."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from sqlmodel import col, select

from handlers.context import Context
from rules.credit import AletSum, Credit, Status, totals
from rules.strands import strand_tuple
from storage.bulk import credits_by_person
from storage.policy_data import policy_for
from storage.records import credits_of
from storage.tables import CatalogEntry, CreditRecord, Person
from tests.conftest import seed_basic
from tests.rules.test_rules_credit import POLICY, credit_lists


def _summed(cs: list[Credit]) -> list[Credit | AletSum]:
    """The approved counted ALET records replaced by one AletSum, per strand 1..7 (7 is not a policy strand)."""
    summed = [c for c in cs if c.alet and c.counted and c.status is Status.APPROVED]
    per = {n: sum(c.quarters for c in summed if n in strand_tuple(c.strands)) for n in range(1, 8)}
    rest: list[Credit | AletSum] = [c for c in cs if c not in summed]
    return [*rest, AletSum(sum(c.quarters for c in summed), per)]


@given(credit_lists)
def test_an_alet_sum_totals_as_the_records_it_sums(cs: list[Credit]) -> None:
    cs = [c._replace(strands=c.strands | (64 if i % 3 == 0 else 0)) for i, c in enumerate(cs)]
    assert totals(_summed(cs), POLICY) == totals(cs, POLICY)


STATUSES = ["approved"] * 5 + ["pending", "rejected", "voided"]


def _records(ctx: Context, people: int, seed: int = 15) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with ctx.session() as s:
        entries = list(s.exec(select(CatalogEntry).where(CatalogEntry.fy == 2025)).all())
        for i in range(people):
            s.add(Person(email=f"td{i}@bulk.k12.al.us", name=f"TD {i}", roles="director"))
        s.commit()
        ids = s.exec(select(Person.id).where(col(Person.email).like("%@bulk.k12.al.us"))).all()
        for pid in ids:
            for j in range(rng.randrange(0, 12)):
                entry = rng.choice(entries)
                assert pid is not None and entry.id is not None
                s.add(
                    CreditRecord(
                        person_id=pid,
                        fy=2025,
                        catalog_id=entry.id,
                        alet=rng.random() < 0.7,
                        day=date(2024, 10, 1) + timedelta(days=j),
                        unit=rng.choice(["", "a", "b"]),
                        quarters=rng.randrange(1, 30),
                        strands=rng.randrange(1, 128),  # strand 7 is no strand of the policy
                        status=rng.choice(STATUSES),
                        counted=rng.random() < 0.9,
                        source="attendance",
                        created_at=now,
                    )
                )
        s.commit()


def test_bulk_totals_equal_one_by_one(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    _records(any_ctx, 60)
    with any_ctx.session() as s:
        policy = policy_for(s, 2025)
        bulk = credits_by_person(s, 2025, policy.strands)
        assert credits_by_person(s, 2025).keys() == bulk.keys()  # the policy's strands unless given
        ids = s.exec(select(Person.id)).all()
        with_credits = 0
        for pid in ids:
            assert pid is not None
            mine = credits_of(s, pid, 2025)
            assert totals(bulk.get(pid, ()), policy) == totals(mine, policy), pid
            live = any(c.counted and c.status in (Status.APPROVED, Status.PENDING) for c in mine)
            assert (pid in bulk) == live, pid
            with_credits += live
    assert with_credits > 40
