"""What a claim would do to a TD's year, nothing recorded: the totals before and after adding it (SPEC §3
`whatif`). Pure: the caller passes the TD's credits, the policy and the hypothetical record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rules.credit import Credit, Totals, totals
from rules.policy import Policy


@dataclass(frozen=True)
class Effect:
    before: Totals
    after: Totals
    claimed: int  # quarter-hours of the claim
    counted: int  # quarter-hours of it that would be credited (less when over the external maximum)
    closes: list[int]  # strand gaps the claim would close

    @property
    def completes(self) -> bool:
        return self.after.compliant and not self.before.compliant


def effect(credits: Sequence[Credit], claim: Credit, policy: Policy) -> Effect:
    """The TD's totals with and without `claim` (an approved, counted record), and what changes."""
    before = totals(credits, policy)
    after = totals([*credits, claim], policy)
    closes = [n for n in before.strand_gaps if n not in after.strand_gaps]
    return Effect(before, after, claim.quarters, after.credited - before.credited, closes)
