"""A daily incremental run at full scale next to a full build of the same data, in one run.

Six months are generated up to 2025-12-30 and fully built; one more day is appended with the
generator's incremental mode. The daily run (`dbt build --selector daily`, what `make daily`
runs) is timed on copies of that built warehouse, the full build (`dbt build --full-refresh`)
on the very same final raw data. Each is repeated and the median taken: on a 2-core machine
single runs of a few seconds vary by +-0.5 s.

Every dbt command also pays a fixed cost (Python imports, loading the parsed project,
connecting, the on-run-start hooks, interpreter teardown). The smallest possible `dbt build`
(one one-row model and its test) measures it, so the table also shows how the work that
depends on the data compares.
"""

from __future__ import annotations

import os
import shutil
import statistics
from collections.abc import Callable
from pathlib import Path

from ops_sla.bench.common import Context, Measured, Row
from ops_sla.bench.dbt_runs import dbt, dbt_env, generate, run_results

SUITE = "incremental"
GOAL_RATIO = 0.25
REPEATS = 3


def _sync_copy(src: Path, dst: Path) -> None:
    """Copy a warehouse and flush it to disk, so its write-back does not land in the timing."""
    shutil.copyfile(src, dst)
    with dst.open("rb+") as fh:
        os.fsync(fh.fileno())


def _median_of(runs: int, once: Callable[[], Measured]) -> tuple[float, list[float]]:
    seconds = [once().seconds for _ in range(runs)]
    return statistics.median(seconds), seconds


def run(ctx: Context) -> list[Row]:
    base = ctx.work / "incremental"
    raw = base / "raw"
    generate(raw, "--end", "2025-12-30")
    built = base / "built.duckdb"
    daily_db = base / "ops_sla.duckdb"
    full_db = ctx.work / "incremental-full" / "ops_sla.duckdb"
    full_db.parent.mkdir(parents=True, exist_ok=True)
    # one target folder per warehouse, kept between commands, as `make daily` keeps target/:
    # dbt then re-parses only what changed (partial parsing), like a real daily job
    daily_target, full_target = ctx.work / "inc-target", ctx.work / "full-target"
    daily_env = dbt_env(raw, daily_db, daily_target)
    full_env = dbt_env(raw, full_db, full_target)
    dbt(["build", "--full-refresh"], daily_env)
    shutil.move(daily_db, built)
    dbt(["parse"], full_env)
    generate(raw, "--mode", "incremental", "--days", "1")

    def daily_once() -> Measured:
        _sync_copy(built, daily_db)
        return dbt(["build", "--selector", "daily"], daily_env)

    daily, daily_all = _median_of(REPEATS, daily_once)
    daily_nodes = len(run_results(daily_target)["results"])
    daily_exec = run_results(daily_target)["elapsed_time"]
    full, full_all = _median_of(REPEATS, lambda: dbt(["build", "--full-refresh"], full_env))
    full_nodes = len(run_results(full_target)["results"])
    full_exec = run_results(full_target)["elapsed_time"]
    floor, floor_all = _median_of(REPEATS, lambda: dbt(["build", "--select", "int_data_as_of"], full_env))
    floor_nodes = len(run_results(full_target)["results"])

    def spread(values: list[float]) -> str:
        return "runs " + ", ".join(f"{v:.1f}" for v in values) + " s"

    ratio = daily / full
    variable = (daily - floor) / (full - floor)
    return [
        Row(SUITE, f"daily run (--selector daily, {daily_nodes} nodes), wall, median of {REPEATS}",
            f"{daily:.1f} s", "", None, spread(daily_all)),
        Row(SUITE, f"full build (--full-refresh, {full_nodes} nodes), wall, median of {REPEATS}",
            f"{full:.1f} s", "", None, spread(full_all)),
        Row(SUITE, "daily / full, wall", f"{ratio:.0%}", f"<= {GOAL_RATIO:.0%}", ratio <= GOAL_RATIO),
        Row(SUITE, "daily / full, dbt execution (run_results, last run)", f"{daily_exec:.1f} s / {full_exec:.1f} s "
            f"= {daily_exec / full_exec:.0%}", "", None, "between the first and the last node"),
        Row(SUITE, f"smallest dbt build ({floor_nodes} nodes), wall, median of {REPEATS}", f"{floor:.1f} s", "", None,
            f"fixed cost of any dbt command = {floor / full:.0%} of the full build"),
        Row(SUITE, "daily / full, wall above that fixed cost", f"{daily - floor:.1f} s / {full - floor:.1f} s "
            f"= {variable:.0%}", "", None, "the part that depends on the data"),
    ]
