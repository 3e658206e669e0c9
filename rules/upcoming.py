"""Which dated activities to suggest to a TD: those not over yet that would close the largest gap."""

from __future__ import annotations

from datetime import date

from rules.policy import CatalogItem


def upcoming(
    items: list[CatalogItem],
    today: date,
    *,
    need_alet: bool,
    gap_mask: int,
    limit: int,
    need_hours: bool = True,
    external_counts: bool = True,
) -> list[CatalogItem]:
    """Up to `limit` dated activities not over by today (a range counts until its last day) that would close a
    remaining need or a strand gap: an ALET activity while hours are missing (`need_hours`), an external one while
    external hours would still be credited toward them (`external_counts`), any activity covering a missing strand.
    ALET ones first when ALET hours are missing (`need_alet`), then those covering the most missing strands, then
    the most hours, then the soonest."""

    def score(item: CatalogItem) -> tuple[int, int, int, date]:
        covers = bin(item.strands & gap_mask).count("1")
        return (0 if (item.is_alet or not need_alet) else 1, -covers, -item.cap, item.day or date.max)

    def helps(item: CatalogItem) -> bool:
        if item.strands & gap_mask:
            return True
        return need_hours if item.is_alet else external_counts

    open_ = [i for i in items if i.last_day is not None and i.last_day >= today and i.counts_for_td]
    return sorted((i for i in open_ if helps(i)), key=score)[:limit]
