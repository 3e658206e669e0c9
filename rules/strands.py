"""Strand sets as small bit masks (strand n <-> bit n-1) and their parsing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache


class StrandError(ValueError):
    """Missing or unknown strands."""


def mask_of(numbers: Iterable[int]) -> int:
    mask = 0
    for n in numbers:
        if n < 1 or n > 62:
            raise StrandError(f"strand {n} is out of range")
        mask |= 1 << (n - 1)
    return mask


def numbers_of(mask: int) -> list[int]:
    """Strand numbers in a mask, ascending."""
    return list(strand_tuple(mask))


@cache
def strand_tuple(mask: int) -> tuple[int, ...]:
    """Strand numbers in a mask, ascending, memoised (there are only 63 six-strand masks; hot in bulk totals)."""
    out: list[int] = []
    n = 1
    while mask:
        if mask & 1:
            out.append(n)
        mask >>= 1
        n += 1
    return tuple(out)


def parse_strands(text: str, known: Mapping[int, str]) -> int:
    """'1;5' (or '1,5' or '1 5') -> mask. Refuses empty text and numbers that are not strands of the policy."""
    parts = [p for p in text.replace(",", ";").replace(" ", ";").split(";") if p.strip()]
    if not parts:
        raise StrandError("no strand given")
    numbers: list[int] = []
    for part in parts:
        try:
            n = int(part.strip())
        except ValueError:
            raise StrandError(f"strand '{part.strip()}' is not a number") from None
        if n not in known:
            raise StrandError(f"strand {n} is not one of {', '.join(str(k) for k in sorted(known))}")
        numbers.append(n)
    return mask_of(numbers)


def check_mask(mask: int, known: Mapping[int, str]) -> None:
    if mask == 0:
        raise StrandError("no strand given")
    unknown = [n for n in numbers_of(mask) if n not in known]
    if unknown:
        raise StrandError(f"strand {unknown[0]} is not one of {', '.join(str(k) for k in sorted(known))}")


def fmt_strands(mask: int, known: Mapping[int, str]) -> str:
    return ", ".join(known.get(n, f"strand {n}") for n in numbers_of(mask))
