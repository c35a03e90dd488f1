"""The `dbt` command with Python's garbage collector set for one short-lived command.

    python -m ops_sla.dbt_cli build --full-refresh    # what `make build` runs
    python -m ops_sla.dbt_cli docs generate           # any dbt command and its arguments

The same command-line interface, output and exit status as `dbt` (it calls dbt's own
command group). Two things differ, neither what dbt does: the Python code Jinja generates
for a template is kept in the target folder and reused by later commands (ops_sla/jinja_cache.py,
DECISIONLOG "dbt commands reuse compiled Jinja"), and memory held in reference cycles is reclaimed
less often (DECISIONLOG "dbt commands collect garbage less often"): dbt allocates millions of small
objects per command, and with Python's defaults the cyclic collector runs every 700 net
allocations, walking them again and again; ~1 s of a full build and ~0.3 s of a daily run
here. `collect_less_often()` raises that to every 20,000, and once dbt's command line is
imported, the modules, classes and functions it loaded (alive until the process ends) are
frozen out of every later collection. `python -m ops_sla.daily` (the daily run) does the same.
"""

from __future__ import annotations

import gc
import sys
from typing import NoReturn

from ops_sla import jinja_cache
from ops_sla.paths import dbt_target_path_of

# net allocations between two collections of the youngest generation (Python's default: 700);
# the older generations keep their thresholds
YOUNG_GENERATION_THRESHOLD = 20_000


def collect_less_often() -> None:
    """Collect the youngest generation every YOUNG_GENERATION_THRESHOLD allocations: call it
    first thing in a process that will run one dbt command."""
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])


def freeze_what_is_alive() -> None:
    """Leave every object alive now (after the imports: modules, classes, functions) out of
    every later collection."""
    gc.freeze()


def main(argv: list[str] | None = None) -> NoReturn:
    """Run one dbt command (`argv`, default the command line); exits with dbt's status."""
    if argv is not None:
        sys.argv = ["dbt", *argv]  # dbt also reads sys.argv itself (its flags, the logged command)
    collect_less_often()
    jinja_cache.install(dbt_target_path_of(sys.argv[1:]))
    from dbt.cli.main import cli  # dbt's imports take ~1 s

    freeze_what_is_alive()
    cli.main(args=sys.argv[1:], prog_name="dbt")  # dbt's own entry point: raises SystemExit
    raise SystemExit(0)  # (click always exits first)


if __name__ == "__main__":
    main()
