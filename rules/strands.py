"""Strand sets as small bit masks (strand n <-> bit n-1) and their parsing."""

from __future__ import annotations

import re
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
    """'1;5' (or '1,5' or '1 5'), or strand names ('IT Management and Cybersecurity;Data Management and
    Governance', any case) -> mask. Refuses empty text and what is not a strand of the policy, listing them."""
    numbers: list[int] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        if _NUMBERS.fullmatch(part):
            numbers.extend(int(n) for n in part.replace(",", " ").split())
            continue
        number = _by_name(known).get(_name_key(part))
        if number is None:
            raise StrandError(f"strand '{part}' is not a strand number or name; the strands are {_listing(known)}")
        numbers.append(number)
    if not numbers:
        raise StrandError("no strand given")
    for n in numbers:
        if n not in known:
            raise StrandError(
                f"strand {n} is not one of {', '.join(str(k) for k in sorted(known))} ({_listing(known)})"
            )
    return mask_of(numbers)


_NUMBERS = re.compile(r"[\d\s,]+")


def _name_key(name: str) -> str:
    return " ".join(name.replace("&", "and").lower().split())


def _by_name(known: Mapping[int, str]) -> dict[str, int]:
    return {_name_key(name): n for n, name in known.items()}


def _listing(known: Mapping[int, str]) -> str:
    return "; ".join(f"{n} {name}" for n, name in sorted(known.items()))


def check_mask(mask: int, known: Mapping[int, str]) -> None:
    if mask == 0:
        raise StrandError("no strand given")
    unknown = [n for n in numbers_of(mask) if n not in known]
    if unknown:
        raise StrandError(f"strand {unknown[0]} is not one of {', '.join(str(k) for k in sorted(known))}")


def fmt_strands(mask: int, known: Mapping[int, str]) -> str:
    """Strand names joined with "; " (a name may hold commas: "Ethics, Laws, and Policies")."""
    return "; ".join(known.get(n, f"strand {n}") for n in numbers_of(mask))
