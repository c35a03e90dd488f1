"""Shared fixtures: a small generated data set and a dbt-built warehouse on it.

The whole suite runs on one small data set (SMALL_ARGS): generated once per session into a
temporary folder and built with `dbt build` into a temporary DuckDB file, so tests never
touch `data/` or the published warehouse.
"""

from __future__ import annotations

import json
import os
import re
import shutil
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


# ---------------------------------------------------------------- one parse shared by the tests
#
# dbt parses the project anew for every command whose profile differs from the one its target
# folder last parsed with (partial_parse.msgpack), and the warehouse path is part of the profile:
# with one warehouse per test, every command used to parse in full (~8 s of its ~15 s). So each
# dbt command runs in its warehouse's folder, with the warehouse and the raw folder named
# relative to it (a link `RAW_LINK` to the raw folder when it lies elsewhere): the same profile
# for every test. A new target folder starts from the parse of an earlier command run with the
# same settings. dbt checks that parse as it checks any target's (dbt version, profile, vars,
# each file's checksum and the env vars it read) and parses again what differs, so reusing it
# can cost a full parse, never a stale one.

RAW_LINK = "raw_folder"
_DBT_SETTINGS = ("OPS_SLA_", "DBT_")
_NOT_PARSE_SETTINGS = {"DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_STATE", "OPS_SLA_THREADS"}
_PARSES: dict[tuple, bytes] = {}


def dbt_process(env: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """(working folder, environment) a dbt command with `env` runs with: the warehouse's folder,
    and the warehouse and raw folder named relative to it. An unusual spelling of either path
    (relative, a trailing slash: what a test may be checking) is passed on as it is."""
    db, raw = env.get("OPS_SLA_DB", ""), env.get("OPS_SLA_RAW_DIR", "")
    if not (os.path.isabs(db) and os.path.isabs(raw) and str(Path(raw)) == raw and Path(raw).is_dir()):
        return ROOT, env
    home = Path(db).parent
    home.mkdir(parents=True, exist_ok=True)
    if Path(raw).parent == home:
        relative_raw = Path(raw).name
    else:
        # (re-pointed when this folder's warehouse was built from another raw folder before: a
        # worker runs its dbt commands one at a time, each folder is one worker's)
        link = home / RAW_LINK
        if link.is_symlink() and os.readlink(link) != raw:
            link.unlink()
        if not link.is_symlink():
            link.symlink_to(raw, target_is_directory=True)
        relative_raw = RAW_LINK
    return home, {"DBT_PROJECT_DIR": str(ROOT), **env, "OPS_SLA_DB": Path(db).name, "OPS_SLA_RAW_DIR": relative_raw}


def dbt_named(env: dict[str, str], variable: str) -> str:
    """The value of `variable` (OPS_SLA_DB, OPS_SLA_RAW_DIR) a dbt command with `env` is given:
    what dbt's messages name."""
    return dbt_process(env)[1][variable]


def _parse_key(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith(_DBT_SETTINGS) and k not in _NOT_PARSE_SETTINGS))


class _DbtProcess:
    """A dbt command's working folder and environment (dbt_process), its target folder started
    from the last parse of a command with the same settings; `done()` keeps the command's own."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.cwd, self.env = dbt_process(env)
        # (a copy of the project is another project: its parse must not start from this one's)
        project = command[command.index("--project-dir") + 1] if "--project-dir" in command else self.env.get(
            "DBT_PROJECT_DIR", str(ROOT))
        self._key = (project, *_parse_key(self.env))
        self._parse = Path(self.env.get("DBT_TARGET_PATH", self.cwd / "target")) / "partial_parse.msgpack"
        if not self._parse.exists() and self._key in _PARSES:
            self._parse.parent.mkdir(parents=True, exist_ok=True)
            self._parse.write_bytes(_PARSES[self._key])

    def done(self) -> None:
        if self._parse.exists():
            _PARSES[self._key] = self._parse.read_bytes()


def run_in_dbt_process(command: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run of a dbt command in its _DbtProcess."""
    where = _DbtProcess(command, env)
    proc = subprocess.run(command, cwd=where.cwd, env=where.env, **kwargs)
    where.done()
    return proc


def compile_inline(calls: dict[str, str], env: dict[str, str], *args: str) -> dict[str, str]:
    """The SQL each Jinja call of `calls` (name -> call) compiles to, by name: one `dbt compile
    --inline` of them all (one dbt start-up), its output split at a marker before each call.
    `args` go to dbt compile (e.g. --project-dir)."""
    inline = "\n".join(f"/*@@{name}@@*/ {call}" for name, call in calls.items()) + "\n/*@@end@@*/"
    proc = run_in_dbt_process([str(DBT), "compile", "--quiet", *args, "--inline", inline], env,
                              capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"dbt compile failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}")
    parts = re.split(r"/\*@@(\w+)@@\*/", proc.stdout)
    compiled = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2) if parts[i] != "end"}
    missing = set(calls) - set(compiled)
    if missing:
        raise AssertionError(f"dbt compile output lacks {sorted(missing)}:\n{proc.stdout[-4000:]}")
    return compiled


def _run(command: list[str], env: dict[str, str], check: bool, what: str) -> subprocess.CompletedProcess:
    proc = run_in_dbt_process(command, env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{what} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}")
    return proc


def run_dbt(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    if "daily" in args and "--selector" in args:
        env = with_state(env)
    proc = _run([str(DBT), *args], env, check, f"dbt {' '.join(args)}")
    if args[:1] == ["build"] and proc.returncode == 0:
        _save_state(Path(env["DBT_TARGET_PATH"]))
    return proc


# The manifest of each passing `dbt build` a test ran, by invocation id: `make build` saves a
# full build's to $OPS_SLA_STATE_DIR, and the daily run compares its code with it (--state)
_STATES: dict[str, Path] = {}


def _save_state(target: Path) -> None:
    invocation = json.loads((target / "run_results.json").read_text())["metadata"]["invocation_id"]
    state = target.parent / f"state-{invocation}"
    state.mkdir(exist_ok=True)
    shutil.copy(target / "manifest.json", state / "manifest.json")
    _STATES[invocation] = state


def state_of(db: Path) -> Path:
    """The saved manifest folder of the warehouse's last complete full build (as the daily
    run's guard finds it in build_log); of any build when there is none (the guard refuses)."""
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            row = con.execute(
                "select invocation_id from ops_sla_meta.build_log where complete and status = 'success'"
                " and selection is null and (full_refresh or started_at = (select min(started_at)"
                " from ops_sla_meta.build_log)) order by started_at desc limit 1").fetchone()
    except duckdb.Error:
        row = None
    if row is not None and row[0] in _STATES:
        return _STATES[row[0]]
    return next(iter(_STATES.values()))


def with_state(env: dict[str, str]) -> dict[str, str]:
    """`env` with DBT_STATE (dbt's --state) set to the warehouse's last full build's manifest."""
    return env if "DBT_STATE" in env else {**env, "DBT_STATE": str(state_of(Path(env["OPS_SLA_DB"])))}


# what `make daily` runs: `dbt build --selector daily --state $OPS_SLA_STATE_DIR` (here the
# state comes from DBT_STATE, set by run_daily)
DAILY_COMMAND = (str(DBT), "build", "--selector", "daily")


def run_daily(env: dict[str, str], *extra: str, check: bool = True) -> subprocess.CompletedProcess:
    """The daily run, as `make daily` runs it; `extra` goes to `dbt build`."""
    return _run([*DAILY_COMMAND, *extra], with_state(env), check, "the daily run")


_MODEL_WRITTEN = re.compile(r"\d+ of \d+ OK created sql (table|incremental) model")


def run_dbt_killed(args: list[str], env: dict[str, str], after_models: int) -> None:
    """`dbt <args>`, killed by run_killed."""
    run_killed([str(DBT), *args], env, after_models)


def run_killed(command: list[str], env: dict[str, str], after_models: int) -> None:
    """Start a dbt command and SIGKILL it once it has written `after_models` tables or
    incremental models (not after a fixed sleep: a slow start-up would be killed before it
    touched anything, and a fast machine could finish first)."""
    if "daily" in command:
        env = with_state(env)
    where = _DbtProcess(command, env)
    proc = subprocess.Popen(command, cwd=where.cwd, env=where.env, stdout=subprocess.PIPE,
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
