"""A build killed midway leaves the published warehouse as it was; the next run recovers alone."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, Warehouse, dbt_env, run_dbt, run_dbt_killed
from marts_compare import mart_differences

_KILL_AFTER_MODELS = 8  # of the ~20 tables and incremental models a full build writes


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _publish(db: Path, target: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "ops_sla.publish",
            "--db",
            str(db),
            "--target-path",
            str(target),
            "--publish-dir",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_killed_build_keeps_last_good_publish_and_next_run_recovers(warehouse: Warehouse, tmp_path: Path) -> None:
    # a good build, published
    db = tmp_path / "build" / "ops_sla.duckdb"
    db.parent.mkdir()
    shutil.copy(warehouse.db, db)
    target = tmp_path / "target"
    shutil.copytree(warehouse.target, target, ignore=shutil.ignore_patterns("logs"))
    out = tmp_path / "publish"
    assert _publish(db, target, out).returncode == 0
    published = out / "ops_sla.duckdb"
    before = _sha256(published)

    # a rebuild killed while it is writing the warehouse
    env = dbt_env(warehouse.raw, db, target)
    run_dbt_killed(["build", "--full-refresh"], env, after_models=_KILL_AFTER_MODELS)

    # publishing now refuses (run_results.json is not a complete passing build) ...
    refused = _publish(db, target, out)
    assert refused.returncode != 0
    assert "interrupted build" in refused.stdout + refused.stderr
    # ... and Tableau's file is untouched
    assert _sha256(published) == before

    # the next run needs no manual cleanup: it builds, passes and publishes
    run_dbt(["build", "--full-refresh"], env)
    assert _publish(db, target, out).returncode == 0
    assert mart_differences(warehouse.db, published) == {}
