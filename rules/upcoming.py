"""Which dated activities to suggest to a TD: those not over yet that would close the largest gap."""

from __future__ import annotations

from datetime import date

from rules.policy import CatalogItem


def upcoming(items: list[CatalogItem], today: date, *, need_alet: bool, gap_mask: int, limit: int) -> list[CatalogItem]:
    """Up to `limit` dated activities not over by today (a range counts until its last day) that would close the
    largest gap: ALET ones first when ALET hours are missing, then those covering the most missing strands, then
    the most hours, then the soonest."""

    def score(item: CatalogItem) -> tuple[int, int, int, date]:
        covers = bin(item.strands & gap_mask).count("1")
        return (0 if (item.is_alet or not need_alet) else 1, -covers, -item.cap, item.day or date.max)

    open_ = [i for i in items if i.last_day is not None and i.last_day >= today and i.counts_for_td]
    candidates = [i for i in open_ if i.is_alet or not need_alet] or open_
    return sorted(candidates, key=score)[:limit]
