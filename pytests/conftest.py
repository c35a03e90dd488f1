"""Shared fixtures: a small generated data set and a dbt-built warehouse on it.

The whole suite runs on one small data set (SMALL_ARGS): generated once per session into a
temporary folder and built with `dbt build` into a temporary DuckDB file, so tests never
touch `data/` or the published warehouse.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
# the project's commands, installed beside the interpreter ([project.scripts] in pyproject.toml)
GENERATOR = Path(sys.executable).parent / "ops-sla-generate"
DBT = Path(sys.executable).parent / "dbt"

# small but covers what matters: DST end (Nov 2), Thanksgiving, a quarter end, December staffing
SMALL_ARGS = ["--cases", "6000", "--start", "2025-09-15", "--end", "2025-12-31"]


def run_generator(out: Path, *args: str, env: dict[str, str] | None = None,
                  check: bool = True) -> subprocess.CompletedProcess:
    cmd = [str(GENERATOR), "--out", str(out), "--no-progress", *args]
    return subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          check=check)


@dataclass
class Warehouse:
    raw: Path
    truth: Path
    db: Path
    target: Path

    def env(self, **extra: str) -> dict[str, str]:
        """dbt environment for this warehouse. Commands other than a build must pass their own
        DBT_TARGET_PATH: the publish tests read this warehouse's run_results.json."""
        return dbt_env(self.raw, self.db, self.target, **extra)

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.db), read_only=True)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with self.connect() as con:
            return con.execute(sql, params or []).fetchall()


def dbt_env(raw: Path, db: Path, target: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "OPS_SLA_RAW_DIR": str(raw),
        "OPS_SLA_DB": str(db),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **extra,
    }


def _run(command: list[str], env: dict[str, str], check: bool, what: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{what} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}")
    return proc


def run_dbt(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    return _run([str(DBT), *args], env, check, f"dbt {' '.join(args)}")


# what `make daily` runs
DAILY_COMMAND = (str(DBT), "build", "--selector", "daily")


def run_daily(env: dict[str, str], *extra: str, check: bool = True) -> subprocess.CompletedProcess:
    """The daily run, as `make daily` runs it; `extra` goes to `dbt build`."""
    return _run([*DAILY_COMMAND, *extra], env, check, "the daily run")


_MODEL_WRITTEN = re.compile(r"\d+ of \d+ OK created sql (table|incremental) model")


def run_dbt_killed(args: list[str], env: dict[str, str], after_models: int) -> None:
    """`dbt <args>`, killed by run_killed."""
    run_killed([str(DBT), *args], env, after_models)


def run_killed(command: list[str], env: dict[str, str], after_models: int) -> None:
    """Start a dbt command and SIGKILL it once it has written `after_models` tables or
    incremental models (not after a fixed sleep: a slow start-up would be killed before it
    touched anything, and a fast machine could finish first)."""
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert proc.stdout is not None
    written = 0
    for line in proc.stdout:
        written += bool(_MODEL_WRITTEN.search(line))
        if written == after_models:
            break
    assert written == after_models, "the command ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()


@pytest.fixture(scope="session")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(raw folder, ground-truth folder) of the small data set."""
    base = tmp_path_factory.mktemp("small")
    raw = base / "raw"
    run_generator(raw, *SMALL_ARGS)
    return raw, base / "raw_ground_truth"


@pytest.fixture(scope="session")
def warehouse(small_raw: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """`dbt build --full-refresh` (all models, data tests and unit tests) on the small data set."""
    raw, truth = small_raw
    base = tmp_path_factory.mktemp("warehouse")
    wh = Warehouse(raw=raw, truth=truth, db=base / "ops_sla.duckdb", target=base / "target")
    run_dbt(["build", "--full-refresh"], wh.env())
    return wh


# --------------------------------------------------------------------------- damaged parquet


def footer_start(data: bytes) -> int:
    """Where a parquet file's footer metadata starts (its length is stored before the final PAR1)."""
    return len(data) - 8 - int.from_bytes(data[-8:-4], "little")


def garble_footer(data: bytes) -> bytes:
    """The file with 20 bytes of its footer metadata overwritten; PAR1 bytes and length intact."""
    start = footer_start(data)
    return data[: start + 10] + b"\xff" * 20 + data[start + 30:]


def duckdb_error(sql: str, path: Path) -> str | None:
    """DuckDB's error for running `sql` with the path as its parameter, or None."""
    with duckdb.connect() as con:
        try:
            con.execute(sql, [str(path)]).fetchall()
        except duckdb.Error as exc:
            return str(exc)
    return None


def damage_values_not_schema(path: Path) -> None:
    """Flip the first footer byte whose change leaves the schema readable but not the values
    (a column chunk's offset or size): what DuckDB then says names no file."""
    data = path.read_bytes()
    for offset in range(footer_start(data), len(data) - 8):
        path.write_bytes(data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1:])
        if duckdb_error("select * from parquet_schema(?)", path) is None and duckdb_error(
                "select * from read_parquet(?)", path) is not None:
            return
    raise AssertionError(f"no footer byte of {path} breaks its values but not its schema")
