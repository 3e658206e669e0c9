"""Catalog entries as the JSON lines `ceu-bot catalog --json` prints (SPEC §5)."""

from __future__ import annotations

from typing import Any

from rules.hours import as_number
from rules.policy import CatalogItem
from rules.strands import numbers_of


def catalog_json(item: CatalogItem) -> dict[str, Any]:
    return {
        "fy": item.fy,
        "code": item.code,
        "title": item.title,
        "kind": item.kind.value,
        "date": item.day.isoformat() if item.day else None,
        "end": item.end.isoformat() if item.end else None,
        "hours": as_number(item.cap),
        "up_to": item.up_to,
        "per_unit": item.per_unit,
        "counts_for_td": item.counts_for_td,
        "evidence": item.evidence.value,
        "earliest": item.earliest.isoformat() if item.earliest else None,
        "once": item.once,
        "strands": numbers_of(item.strands),
    }
