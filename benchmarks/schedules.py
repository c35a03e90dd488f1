"""Several business schedules (issue 29): the `--world global` full build (five teams on their
own schedules, hand-offs between them) against the single-schedule build of the same size,
timed in turns in this run (default, global, default, global: the best of each counts)."""

from __future__ import annotations

from benchmarks.common import Context, Row
from benchmarks.dbt_runs import dbt, dbt_env, generate

GOAL_RATIO = 1.3
TURNS = 2


def run(ctx: Context) -> list[Row]:
    raws = {world: ctx.work / f"schedules-{world}" / "raw" for world in ("default", "global")}
    for world, raw in raws.items():
        generate(raw, "--world", world)
    best: dict[str, float] = {}
    for turn in range(TURNS):
        for world, raw in raws.items():
            db = ctx.work / f"schedules-{world}" / f"turn{turn}.duckdb"
            m = dbt(["build", "--full-refresh"], dbt_env(raw, db, ctx.work / f"schedules-{world}" / "target"))
            best[world] = min(best.get(world, m.seconds), m.seconds)
            db.unlink()
    ratio = best["global"] / best["default"]
    return [
        Row("schedules", "dbt build --full-refresh, one schedule (300,000 cases)", f"{best['default']:.1f} s",
            "", None, f"best of {TURNS}, in turns with the global world"),
        Row("schedules", "dbt build --full-refresh, --world global (300,000 cases)", f"{best['global']:.1f} s",
            "", None, "five schedules, hand-offs"),
        Row("schedules", "global / one schedule", f"{ratio:.2f}x", f"<= {GOAL_RATIO}x", ratio <= GOAL_RATIO),
    ]
