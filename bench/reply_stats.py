"""Time-to-reply statistics shared by the Slack and Teams benches: per-request ack and reply times, errors (a
non-200 answer, a wrong reply) and lost replies (none within the bound), and the lines that print them beside a
floor measured in the same run."""

from __future__ import annotations

import asyncio
import itertools
import statistics
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from bench.timing import percentile

LOST_AFTER = 10.0  # seconds: a reply not there by then counts as lost (Slack itself gives up after 3 s)


@dataclass
class Sample:
    ack: float  # seconds until the HTTP answer was read in full
    reply: float  # seconds until the reply reached "Slack" / "the Bot Connector" (the ack when it carried it)


@dataclass
class Run:
    label: str
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lost: int = 0

    @property
    def replies(self) -> list[float]:
        return [s.reply for s in self.samples]

    @property
    def acks(self) -> list[float]:
        return [s.ack for s in self.samples]

    def p50(self) -> float:
        return statistics.median(self.replies) * 1000 if self.samples else float("nan")

    def p99(self) -> float:
        return percentile(self.replies, 99) * 1000 if self.samples else float("nan")

    def ack_p99(self) -> float:
        return percentile(self.acks, 99) * 1000 if self.samples else float("nan")

    def line(self, floor: Run | None = None) -> str:
        text = (
            f"  {self.label:<50} reply p50 {self.p50():7.2f} ms  p99 {self.p99():7.2f} ms"
            f"  | ack p99 {self.ack_p99():7.2f} ms  n={len(self.samples)} errors={len(self.errors)} lost={self.lost}"
        )
        if floor is not None and floor.samples:
            text += f"  | p50 ratio {self.p50() / floor.p50():.2f}x"
        return text

    def problems(self) -> str:
        return "; ".join(sorted(set(self.errors))[:3])


Once = Callable[[str], Awaitable[Sample | str | None]]  # one request by a user: a sample, an error, None = lost


async def _record(run: Run, once: Once, user: str) -> None:
    try:
        got = await once(user)
    except Exception as exc:  # a bench counts failures instead of stopping at the first
        got = f"{type(exc).__name__}: {exc}"[:200]
    if got is None:
        run.lost += 1
    elif isinstance(got, str):
        run.errors.append(got)
    else:
        run.samples.append(got)


async def sequential(label: str, once: Once, users: Iterable[str], n: int) -> Run:
    run = Run(label)
    for user in itertools.islice(itertools.cycle(users), n):
        await _record(run, once, user)
    return run


async def in_flight(label: str, once: Once, users: Iterable[str], n: int, width: int) -> Run:
    """`n` requests, `width` of them in flight at any time."""
    run = Run(label)
    todo = iter(itertools.islice(itertools.cycle(users), n))

    async def worker() -> None:
        for user in todo:
            await _record(run, once, user)

    await asyncio.gather(*(worker() for _ in range(width)))
    return run


def verdicts(ours: dict[str, Run], floor: dict[str, Run]) -> list[str]:
    """The issue's targets, each with its figure: sequential p50 <= 1.5x the floor, 50 in flight p50 <= 3x and
    p99 < 100 ms, ack p99 < 100 ms, nothing lost or failed."""
    seq, par = ours["sequential"], ours["in flight"]
    checks = [
        ("sequential p50 <= 1.5x floor", seq.p50() / floor["sequential"].p50(), 1.5, "x"),
        ("in flight p50 <= 3x floor", par.p50() / floor["in flight"].p50(), 3.0, "x"),
        ("in flight p99 < 100 ms", par.p99(), 100.0, " ms"),
        ("ack p99 < 100 ms", max(seq.ack_p99(), par.ack_p99()), 100.0, " ms"),
        ("nothing lost or failed", float(sum(len(r.errors) + r.lost for r in ours.values())), 0.0, ""),
    ]
    out = []
    for name, value, bound, unit in checks:
        ok = value <= bound if unit != " ms" else value < bound
        out.append(f"  {'met   ' if ok else 'MISSED'} {name}: {value:.2f}{unit}")
    return out
