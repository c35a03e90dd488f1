"""A daily incremental run at full scale next to a full build of the same data, in one run.

Six months are generated up to 2025-12-30 and built; one more day is appended with the
generator's incremental mode and built incrementally. The full build is a --full-refresh of
the very same final raw data.
"""

from __future__ import annotations

from ops_sla.bench.common import Context, Row
from ops_sla.bench.dbt_runs import dbt, dbt_env, generate, run_results

GOAL_RATIO = 0.25


def run(ctx: Context) -> list[Row]:
    raw = ctx.work / "incremental" / "raw"
    generate(raw, "--end", "2025-12-30")
    inc_db = ctx.work / "incremental" / "ops_sla.duckdb"
    full_db = ctx.work / "incremental-full" / "ops_sla.duckdb"
    full_db.parent.mkdir(parents=True, exist_ok=True)
    # one target folder per warehouse, kept between commands, as `make daily` keeps target/:
    # dbt then re-parses only what changed (partial parsing), like a real daily job
    inc_env = dbt_env(raw, inc_db, ctx.work / "inc-target")
    full_env = dbt_env(raw, full_db, ctx.work / "full-target")
    dbt(["build", "--full-refresh"], inc_env)
    dbt(["parse"], full_env)
    generate(raw, "--mode", "incremental", "--days", "1")

    inc_build = dbt(["build"], inc_env)
    inc_elapsed = run_results(ctx.work / "inc-target")["elapsed_time"]
    full_build = dbt(["build", "--full-refresh"], full_env)
    full_elapsed = run_results(ctx.work / "full-target")["elapsed_time"]
    inc_run = dbt(["run"], inc_env)
    inc_run_elapsed = run_results(ctx.work / "inc-target")["elapsed_time"]
    full_run = dbt(["run", "--full-refresh"], full_env)
    full_run_elapsed = run_results(ctx.work / "full-target")["elapsed_time"]
    startup = dbt(["ls", "-s", "raw_cases", "--quiet"], full_env)

    def ratio_row(measure: str, inc: float, full: float, goal: bool) -> Row:
        r = inc / full
        return Row("incremental", measure, f"{inc:.1f} s / {full:.1f} s = {r:.0%}",
                   f"<= {GOAL_RATIO:.0%}" if goal else "", (r <= GOAL_RATIO) if goal else None)

    return [
        ratio_row("dbt build: incremental / full, wall", inc_build.seconds, full_build.seconds, True),
        ratio_row("dbt build: incremental / full, dbt execution", inc_elapsed, full_elapsed, False),
        ratio_row("dbt run (models only): incremental / full, wall", inc_run.seconds, full_run.seconds, False),
        Row("incremental", "dbt start-up alone (dbt ls), wall", f"{startup.seconds:.1f} s", "", None,
            "fixed cost in every dbt command (Python imports, partial parse)"),
        ratio_row("dbt run (models only): incremental / full, dbt execution", inc_run_elapsed, full_run_elapsed,
                  False),
    ]
