"""`python -m bench [NAME ...]` runs bench/bench_NAME.py's main() (all of them without a name) and prints figures:
slack_status and teams_status (time-to-reply, issue 15), foundation, sweep, ..."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main(argv: list[str]) -> None:
    names = argv or sorted(
        m.name.removeprefix("bench_") for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== bench {name} ==", flush=True)
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
