"""Benchmarks of ops-sla at full scale, printed as one table (see README, "Performance").

From the repository root, with the virtualenv's Python (what `make bench` runs):

    python -m benchmarks                    # everything
    python -m benchmarks --only generator business_time
    python -m benchmarks --only scale --scales 1 10   # scale: 1x, 10x, 30x unless told
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import tempfile
from pathlib import Path

from benchmarks.common import Context, Row, print_table

SUITES = ("generator", "business_time", "build", "incremental", "schedules", "scale")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", nargs="+", choices=SUITES, default=list(SUITES), help="suites to run")
    p.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary folder)")
    p.add_argument("--scales", nargs="+", type=int, default=None,
                   help="suite scale: the multiples of the default data set to generate and build (default: 1 10 30)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ops-sla-bench-") as tmp:
        ctx = Context(work=args.work or Path(tmp))
        ctx.work.mkdir(parents=True, exist_ok=True)
        if args.scales:
            ctx.extra["scales"] = tuple(args.scales)
        rows: list[Row] = []
        for suite in SUITES:
            if suite not in args.only:
                continue
            module = importlib.import_module(f"benchmarks.{suite}")
            print(f"running {suite} ...", file=sys.stderr, flush=True)
            rows.extend(module.run(ctx))
        print()
        # every command the benchmarks time runs on this interpreter (the virtualenv's)
        print(f"python {platform.python_version()} ({sys._base_executable}), {os.cpu_count()} CPUs")
        print_table(rows)
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
