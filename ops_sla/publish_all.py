"""After `dbt build`: publish the warehouse for Tableau, then write the extracts and the dashboard.

    ops-sla-publish [--db DB] [--publish-dir DIR] [--target-path DIR | --run-results FILE]
                    [--allow-partial] [--scale S]

Runs, in order and stopping at the first failure:
  1. ops_sla.publish   - audit the build (target/run_results.json and the warehouse's build
                         log), write the marts and reference seeds of $OPS_SLA_DB as tables
                         to $OPS_SLA_PUBLISH_DIR/ops_sla.duckdb, swapped in atomically (+ manifest.json)
  2. ops_sla.extracts  - every mart as .hyper and .csv under $OPS_SLA_PUBLISH_DIR/extracts/
  3. ops_sla.dashboard - six PNGs and index.html under $OPS_SLA_PUBLISH_DIR/dashboard/
Steps 2 and 3 read the published file, never the one dbt writes. A refused publish (exit 1)
leaves everything previously published as it was.
"""

from __future__ import annotations

import argparse
import sys

from ops_sla import dashboard, extracts, publish
from ops_sla.paths import publish_dir


def main(argv: list[str] | None = None) -> int:
    # the publish step's own options (python -m ops_sla.publish), forwarded to it as given
    parser = publish.add_publish_arguments(
        argparse.ArgumentParser(prog="ops-sla-publish", description=__doc__.split("\n\n")[0]))
    parser.add_argument("--scale", default="1", help="dashboard PNG scale factor (default 1)")
    args = parser.parse_args(argv)

    out = args.publish_dir = args.publish_dir or publish_dir()
    published = str(out / publish.PUBLISHED_NAME)
    steps = [
        (publish.main, publish.publish_argv(args)),
        (extracts.main, ["--db", published, "--out", str(out / "extracts")]),
        (dashboard.main, ["--db", published, "--out", str(out / "dashboard"), "--scale", args.scale]),
    ]
    for step, step_args in steps:
        rc = step(step_args)
        if rc:
            return rc
    return 0


if __name__ == "__main__":
    sys.exit(main())
