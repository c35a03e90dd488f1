"""Helpers shared by the build and incremental benchmarks: run dbt, read run_results."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from benchmarks.common import Measured, run_measured
from ops_sla.paths import ROOT

# the commands as the Makefile runs them
DBT = str(Path(sys.executable).parent / "dbt")
GENERATOR = str(Path(sys.executable).parent / "ops-sla-generate")


def dbt_env(raw: Path, db: Path, target: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "OPS_SLA_RAW_DIR": str(raw), "OPS_SLA_DB": str(db), "DBT_PROFILES_DIR": str(ROOT),
            "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **extra}


def _checked(command: list[str], env: dict[str, str], what: str) -> Measured:
    m = run_measured(command, env=env, cwd=ROOT)
    if m.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{m.stdout[-4000:]}")
    return m


def dbt(args: list[str], env: dict[str, str]) -> Measured:
    return _checked([DBT, *args], env, f"dbt {' '.join(args)}")


# dbt with dbt-spark (make venv-spark), for the Spark target
SPARK_DBT = ROOT / ".venv-spark" / "bin" / "dbt"
# seeds and models, no tests: what the Spark target builds (the tests are DuckDB's)
MODELS_ONLY = ["build", "--exclude-resource-type", "test", "unit_test"]


def spark_dbt(args: list[str], env: dict[str, str]) -> Measured:
    return _checked([str(SPARK_DBT), *args, "--target", "spark"], env, f"dbt {' '.join(args)} --target spark")


def daily(env: dict[str, str]) -> Measured:
    """The daily run as `make daily` runs it: `dbt build --selector daily`."""
    return _checked([DBT, "build", "--selector", "daily"], env, "the daily run")


def generate(out: Path, *args: str) -> Measured:
    m = run_measured([GENERATOR, "--out", str(out), "--no-progress", *args], cwd=ROOT)
    if m.returncode != 0:
        raise RuntimeError(f"generator failed: {m.stderr}")
    return m


def run_results(target: Path) -> dict:
    return json.loads((target / "run_results.json").read_text())


def node_times(results: dict, kind: str = "model") -> list[tuple[str, float]]:
    rows = [(r["unique_id"].split(".")[-1], r["execution_time"]) for r in results["results"]
            if r["unique_id"].startswith(kind + ".")]
    return sorted(rows, key=lambda x: -x[1])
