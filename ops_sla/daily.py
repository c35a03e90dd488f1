"""The daily run's dbt command: `dbt build --selector daily`, without rewriting the manifest.

    python -m ops_sla.daily                 # what `make daily` runs before publish (demo-daily: after the generator)
    python -m ops_sla.daily --threads 1     # extra arguments go to `dbt build`

dbt writes target/manifest.json (~1.5 MB) twice per command, once after loading the project
and once at the end, plus graph.gpickle: ~0.5 s of a ~5-6 s daily run. A daily run needs none of
it: its on-run-start guard refuses to run unless the code is the code of the last full build
(DECISIONLOG "The daily run does not rewrite the manifest"). So this runs the build in-process
with dbt's `--no-write-json` and then writes the one artefact the next step reads,
target/run_results.json, from the result dbt returns (the same object dbt's own writer
serialises, so publish audits it exactly as it audits a `dbt build`'s). The run_results.json of
an earlier command is removed first: a run that dies before writing its own leaves none behind
for publish to mistake for it.

Like every dbt command the Makefile runs (ops_sla/dbt_cli.py), it collects garbage less often
than Python's defaults and reuses the Python code Jinja generated for the same templates in
earlier commands (DECISIONLOG "dbt commands collect garbage less often", "dbt commands reuse
compiled Jinja").

Exit status as dbt's: 0 every node passed, 1 some node failed, 2 dbt stopped with an error.
"""

from __future__ import annotations

import argparse
import os
import sys

from ops_sla import jinja_cache
from ops_sla.dbt_cli import collect_less_often, freeze_what_is_alive
from ops_sla.paths import dbt_target_path_of

RUN_RESULTS = "run_results.json"
DAILY_BUILD = ("build", "--selector", "daily", "--no-write-json")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops_sla.daily",
        description="The daily incremental run: `dbt build --selector daily` in-process, without "
                    "rewriting target/manifest.json; writes target/run_results.json for publish.",
        usage="python -m ops_sla.daily [-h] [dbt build arguments ...]",
        epilog="Any other argument goes to `dbt build` (e.g. --threads 1, -q); --full-refresh is "
               "refused (`make build` is the full build). Run it from the "
               "project folder with the environment `make daily` sets (OPS_SLA_RAW_DIR, OPS_SLA_DB, "
               "DBT_PROFILES_DIR).")
    return parser


def _asks_for_full_refresh(dbt_args: list[str]) -> bool:
    """dbt's --full-refresh, its -f, or its environment variable DBT_FULL_REFRESH."""
    flag = os.environ.get("DBT_FULL_REFRESH", "").strip().lower() in ("1", "true", "t", "yes", "y", "on")
    return flag or any(arg in ("--full-refresh", "-f") for arg in dbt_args)


def main(argv: list[str] | None = None) -> int:
    _, dbt_args = build_parser().parse_known_args(argv)
    if _asks_for_full_refresh(dbt_args):
        # the guards that make a daily run complete do not run under --full-refresh, and it
        # would rebuild the selector's tables from scratch under the others
        print("ops-sla daily: the daily run is incremental; for a full refresh run `make build` "
              "(dbt build --full-refresh)", file=sys.stderr)
        return 2
    target = dbt_target_path_of(dbt_args)
    results = target / RUN_RESULTS
    results.unlink(missing_ok=True)

    collect_less_often()
    jinja_cache.install(target)
    from dbt.cli.main import dbtRunner  # dbt's imports take ~1 s: not for --help

    freeze_what_is_alive()
    outcome = dbtRunner().invoke([*DAILY_BUILD, *dbt_args])
    if outcome.result is not None and hasattr(outcome.result, "write"):
        results.parent.mkdir(parents=True, exist_ok=True)
        outcome.result.write(str(results))
    if outcome.exception is not None:
        # dbt has logged the error itself ("Encountered an error: ...")
        print(f"ops-sla daily: dbt stopped with an error ({type(outcome.exception).__name__}), "
              "nothing to publish", file=sys.stderr)
        return 2
    return 0 if outcome.success else 1


if __name__ == "__main__":
    sys.exit(main())
