"""Fixtures of the Spark parity test: one small generated data set per world, built with the same
`dbt build` (seeds and models) on DuckDB and on Spark (session mode, local)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = Path(sys.executable).parent / "ops-sla-generate"
DUCKDB_DBT = Path(sys.executable).parent / "dbt"
# dbt with dbt-spark and pyspark: a virtualenv of its own (requirements-spark.txt, make venv-spark)
SPARK_DBT = Path(os.environ.get("OPS_SLA_SPARK_DBT", ROOT / ".venv-spark" / "bin" / "dbt"))

# small, and still over a DST change (Nov 2) and a holiday (Thanksgiving)
DATA_ARGS = ["--cases", "2000", "--start", "2025-10-01", "--end", "2025-11-30"]
# seeds and models: the parity test compares what the models compute; the data tests and unit
# tests are DuckDB's (make test)
BUILD = ["build", "--exclude-resource-type", "test", "unit_test"]


@dataclass
class Builds:
    world: str
    raw: Path
    duckdb_file: Path
    spark_dir: Path


def run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        raise AssertionError(f"{what} failed (exit {done.returncode}):\n{tail}")


@pytest.fixture(scope="module", params=["default", "global"])
def builds(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Builds:
    world = request.param
    base = tmp_path_factory.mktemp(f"spark_parity_{world}")
    raw = base / "raw"
    run([str(GENERATOR), "--out", str(raw), "--no-progress", "--world", world, *DATA_ARGS],
        dict(os.environ), f"ops-sla-generate --world {world}")
    common = {
        **os.environ,
        "OPS_SLA_RAW_DIR": str(raw),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    duckdb_file = base / "duckdb" / "ops_sla.duckdb"
    duckdb_file.parent.mkdir()
    run([str(DUCKDB_DBT), *BUILD],
        {**common, "OPS_SLA_DB": str(duckdb_file), "DBT_TARGET_PATH": str(base / "target_duckdb"),
         "DBT_LOG_PATH": str(base / "target_duckdb" / "logs")},
        f"dbt build on DuckDB ({world} world)")
    if not SPARK_DBT.exists():
        raise AssertionError(f"{SPARK_DBT} not found: `make venv-spark` installs dbt-spark (or set OPS_SLA_SPARK_DBT)")
    spark_dir = base / "spark"
    run([str(SPARK_DBT), *BUILD, "--target", "spark"],
        {**common, "OPS_SLA_SPARK_DIR": str(spark_dir), "DBT_TARGET_PATH": str(base / "target_spark"),
         "DBT_LOG_PATH": str(base / "target_spark" / "logs")},
        f"dbt build --target spark ({world} world)")
    return Builds(world, raw, duckdb_file, spark_dir)
