"""`python -m bench.profile_top FILE [N] [PREFIX ...]`: the top entries of a py-spy raw (collapsed-stack) profile,
as written by CEU_BENCH_PROFILE=py-spy:FILE (bench/served_bot.py): the functions holding the most samples
inclusively (anywhere on the stack) and by themselves (the leaf), in percent of the busy samples (idle threads
and start-up imports left out). PREFIX limits the
inclusive list to frames whose file path contains one of them (e.g. bot/ handlers/ storage/ rules/)."""

from __future__ import annotations

import re
import sys
from collections import Counter

IDLE = ("_worker (concurrent/futures/thread.py)", "EpollSelector.select (selectors.py)")  # waiting, not working
FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def short(frame: str) -> str:
    found = FRAME.match(frame.strip())
    if not found:
        return frame.strip()
    path = found["file"]
    for marker in ("site-packages/", "python3.11/", "/wt/replyspeed/", "/rs_main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{found['func']} ({path})"


def main(argv: list[str]) -> None:
    path, n = argv[0], int(argv[1]) if len(argv) > 1 else 25
    prefixes = tuple(argv[2:])
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = 0
    with open(path) as fh:
        for line in fh:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = [short(f) for f in stack.split(";") if not f.startswith(("thread (", "process "))]
            if not frames or frames[-1] in IDLE or any("_find_and_load" in f for f in frames):
                continue  # idle threads and start-up imports: not the requests' time
            k = int(count)
            total += k
            leaf[frames[-1]] += k
            for frame in set(frames):
                inclusive[frame] += k
    print(f"{total} busy samples")
    print("inclusive:")
    shown = [(f, c) for f, c in inclusive.most_common() if not prefixes or any(p in f for p in prefixes)]
    for frame, hits in shown[:n]:
        print(f"  {100 * hits / total:5.1f}%  {frame}")
    print("self:")
    for frame, hits in leaf.most_common(n):
        print(f"  {100 * hits / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main(sys.argv[1:])
