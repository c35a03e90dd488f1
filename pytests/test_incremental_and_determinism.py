"""Incremental runs, idempotence and machine independence of the built marts (issue 6).

Each test builds the small data set into its own DuckDB file and compares every mart with a
reference build: row-for-row (multiset) equality, floating-point columns included.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import (
    DAILY_COMMAND,
    DBT,
    ROOT,
    SMALL_ARGS,
    Warehouse,
    damage_values_not_schema,
    dbt_env,
    dbt_named,
    run_daily,
    run_dbt,
    run_dbt_killed,
    run_generator,
    run_killed,
    state_of,
    with_state,
)
from marts_compare import mart_differences

from ops_sla import publish as pub

# a reference build to compare marts with: `make build` but for the unit tests, which check code
# on rows of their own and change no mart (about a fifth of a small build's time)
REFERENCE = ("--full-refresh", "--exclude", "resource_type:unit_test")


def _build(raw: Path, base: Path, *args: str, **env: str) -> Path:
    db = base / "ops_sla.duckdb"
    run_dbt(["build", *args], dbt_env(raw, db, base / "target", **env))
    return db


def _daily(raw: Path, base: Path) -> Path:
    """The daily run (`make daily`'s command) on the warehouse in `base`."""
    db = base / "ops_sla.duckdb"
    run_daily(dbt_env(raw, db, base / "target"))
    return db


def _daily_fails(raw: Path, db: Path, target: Path, *extra: str) -> str:
    """Run the daily build, expect it to fail, return dbt's output."""
    proc = run_daily(dbt_env(raw, db, target), *extra, check=False)
    assert proc.returncode != 0, "the daily run passed"
    return proc.stdout + proc.stderr


def _daily_fails_on_a_copy(warehouse: Warehouse, raw: Path, base: Path) -> tuple[Path, str]:
    """A daily run on `raw` over a copy of the shared warehouse that must fail: (the copy, dbt's output)."""
    copy = base / "ops_sla.duckdb"
    shutil.copy(warehouse.db, copy)
    return copy, _daily_fails(raw, copy, base / "target")


def _daily_refused(raw: Path, db: Path, target: Path, *extra: str) -> str:
    """Run the daily build, expect the guard to refuse it, return dbt's output."""
    output = _daily_fails(raw, db, target, *extra)
    assert "Run a full build and publish it: `make build && make publish`" in output, output[-3000:]
    return output


def _copy_raw(raw: Path, to: Path) -> Path:
    """A copy of a generated raw folder with its ground truth beside it (the generator's
    incremental mode reads both)."""
    shutil.copytree(raw, to)
    shutil.copytree(raw.parent / "raw_ground_truth", to.parent / "raw_ground_truth")
    return to


def _next_day(warehouse: Warehouse, base: Path) -> Path:
    """A copy of the shared warehouse's raw folder with the next day (2026-01-01) appended."""
    raw = _copy_raw(warehouse.raw, base / "data" / "raw")
    run_generator(raw, "--mode", "incremental", "--days", "1")
    return raw


def _last_logged_status(db: Path) -> tuple[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select status from ops_sla_meta.build_log order by started_at desc limit 1").fetchone()


def _with_new_event_ids(events: pa.Table) -> pa.Table:
    """Events copied from a delivered file, under ids of their own (the file still holds them)."""
    ids = events["event_id"]
    return events.set_column(events.schema.get_field_index("event_id"), "event_id",
                             pc.add(ids, pa.scalar(10**12, ids.type)))


def _reasons(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select reason_code, count(*) from marts.quarantined_events group by all").fetchall())


def test_daily_incremental_runs_equal_a_full_refresh(tmp_path: Path) -> None:
    """Three daily deliveries with what real exports bring besides new days: a cases file a
    day late (its events quarantined as UNKNOWN_CASE until it comes), an events file
    delivered again, a case delivered again with another intake, an event stamped past the
    calendar's end (brought in range when the calendar grows at new year). Each makes the
    daily run re-classify events it loaded earlier; the marts must equal a full refresh."""
    raw = tmp_path / "raw"
    small = [a if a != "2025-12-31" else "2025-12-30" for a in SMALL_ARGS]
    run_generator(raw, *small)
    inc = tmp_path / "incremental"
    _build(raw, inc, "--full-refresh")
    calendar = raw / "calendar_dim" / "calendar_dim.parquet"
    calendar_before = calendar.read_bytes()

    # 12-31: its cases file is held back a day; one event is stamped in 2027, after the
    # calendar's last day (2026-12-31)
    run_generator(raw, "--mode", "incremental", "--days", "1")
    late = raw / "cases" / "intake_date=2025-12-31"
    held = tmp_path / "held"
    shutil.move(late, held)
    events = pq.read_table(raw / "events_log" / "ingestion_date=2025-12-31" / "part-0.parquet")
    future = events.slice(0, 1).to_pylist()[0]
    future.update(event_id=10**12, event_ts=datetime(2027, 1, 4, 18, tzinfo=UTC))
    # (written by pandas: nanosecond instants, a column type the loaded table does not have)
    nanoseconds = {"event_ts": "datetime64[ns, UTC]", "ingestion_ts": "datetime64[ns, UTC]"}
    pd.DataFrame([future]).astype(nanoseconds).to_parquet(
        raw / "events_log" / "ingestion_date=2025-12-31" / "part-1.parquet", index=False)
    db = _daily(raw, inc)
    before = _reasons(db)
    assert before.get("UNKNOWN_CASE", 0) > 0 and before.get("TS_OUT_OF_RANGE") == 1, before

    # 01-01: the late cases file; an events file of December again; the calendar grows a year
    shutil.move(held, late)
    run_generator(raw, "--mode", "incremental", "--days", "1")
    shutil.copy(raw / "events_log" / "ingestion_date=2025-12-15" / "part-0.parquet",
                raw / "events_log" / "ingestion_date=2026-01-01" / "part-1.parquet")
    assert calendar.read_bytes() != calendar_before
    db = _daily(raw, inc)
    after = _reasons(db)
    assert "UNKNOWN_CASE" not in after and "TS_OUT_OF_RANGE" not in after, after

    # 01-02: a December case delivered again, its intake 30 hours earlier
    run_generator(raw, "--mode", "incremental", "--days", "1")
    cases = pq.read_table(raw / "cases" / "intake_date=2025-12-10" / "part-0.parquet")
    again = cases.slice(0, 1).to_pylist()[0]
    again.update(intake_ts=again["intake_ts"] - timedelta(hours=30))
    pd.DataFrame([again]).astype({"intake_ts": "datetime64[ns, UTC]"}).to_parquet(  # nanoseconds again
        raw / "cases" / "intake_date=2026-01-02" / "part-1.parquet", index=False)
    # ... and the whole day's delivery in nanoseconds: the run reads no microsecond file
    for day_file in [*raw.glob("cases/intake_date=2026-01-02/*.parquet"),
                     *raw.glob("events_log/ingestion_date=2026-01-02/*.parquet")]:
        table = pq.read_table(day_file)
        for i, field in enumerate(table.schema):
            if pa.types.is_timestamp(field.type):
                table = table.set_column(i, field.name, table[field.name].cast(pa.timestamp("ns", tz="UTC")))
        pq.write_table(table, day_file)
    db = _daily(raw, inc)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select delivered_copies from marts.case_sla where case_id = ?",
                           [again["case_id"]]).fetchone() == (2,)

    full = _build(raw, tmp_path / "full", *REFERENCE)
    assert mart_differences(db, full) == {}
    # the runs really were incremental: four loads appended to the raw table, not a rebuild
    with duckdb.connect(str(db), read_only=True) as con:
        loads = con.execute("select count(distinct loaded_at) from raw.raw_events_log").fetchone()[0]
    assert loads == 4


def _fails_after_the_event_models(env: dict[str, str]) -> None:
    """A daily run that fails midway: the SLA targets it reads are missing, so int_case_sla
    fails and case_sla is skipped, after the raw loads, the event models, the refresh scope
    and the other case models were written."""
    db = env["OPS_SLA_DB"]
    with duckdb.connect(db) as con:
        con.execute("alter table reference.sla_targets rename to sla_targets_away")
    proc = run_daily(env, check=False)
    with duckdb.connect(db) as con:
        con.execute("alter table reference.sla_targets_away rename to sla_targets")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "ERROR creating sql incremental model intermediate.int_case_sla" in out, out[-3000:]
    assert " OK created sql incremental model intermediate.int_case_milestones" in out, out[-3000:]
    assert _last_logged_status(Path(db)) == ("failed",)


def _daily_run_killed(env: dict[str, str]) -> None:
    """A daily run SIGKILLed once it has written some models (the raw loads and some of the
    calendar, event and case models: which, depends on thread timing)."""
    run_killed([*DAILY_COMMAND], env, after_models=6)
    assert _last_logged_status(Path(env["OPS_SLA_DB"])) == ("started",)


@dataclass
class DiedRunSetup:
    raw: Path  # generated up to 2025-12-29, and fully built into `built`
    built: Path
    reference: Path  # a full build of `raw` with the two next days appended


@pytest.fixture(scope="module")
def died_run_setup(tmp_path_factory: pytest.TempPathFactory) -> DiedRunSetup:
    """What both runs that died start from and are compared with (built once for both)."""
    base = tmp_path_factory.mktemp("died")
    raw = base / "raw"
    run_generator(raw, *[a if a != "2025-12-31" else "2025-12-29" for a in SMALL_ARGS])
    built = _build(raw, base / "built", "--full-refresh")
    later = _copy_raw(raw, base / "later" / "raw")
    run_generator(later, "--mode", "incremental", "--days", "2")
    return DiedRunSetup(raw, built, _build(later, base / "reference", *REFERENCE))


@pytest.mark.parametrize("dies", [_fails_after_the_event_models, _daily_run_killed], ids=["failed-run", "killed"])
def test_daily_run_redoes_the_work_of_a_run_that_died(died_run_setup: DiedRunSetup, tmp_path: Path, dies) -> None:
    """A run that stopped midway leaves some rows loaded or classified and their cases not
    re-derived; the next daily run must pick them up: each model's watermark comes from its
    own table, so a model the run did not reach takes in what its upstream models wrote."""
    raw = _copy_raw(died_run_setup.raw, tmp_path / "raw")
    inc = tmp_path / "incremental"
    inc.mkdir()
    shutil.copy(died_run_setup.built, inc / "ops_sla.duckdb")
    run_generator(raw, "--mode", "incremental", "--days", "1")
    dies(dbt_env(raw, inc / "ops_sla.duckdb", inc / "target"))
    run_generator(raw, "--mode", "incremental", "--days", "1")
    db = _daily(raw, inc)
    assert mart_differences(db, died_run_setup.reference) == {}


def _with_duckdb_threads(base: Path, threads: int) -> Path:
    """A profiles folder like the project's, with DuckDB's own thread count fixed (the
    `threads` of the profile is dbt's: how many models run at once)."""
    text = (ROOT / "profiles.yml").read_text()
    anchor = "      settings:\n"
    assert anchor in text
    base.mkdir(parents=True, exist_ok=True)
    (base / "profiles.yml").write_text(text.replace(anchor, f"{anchor}        threads: {threads}\n"))
    return base


def _marts_read_in(db: Path, time_zone: str, out: Path) -> Path:
    """The marts as a reader in `time_zone` sees them (most marts are views, evaluated when
    read), copied into tables of a new file."""
    with duckdb.connect(str(out)) as con:
        con.execute(f"set TimeZone = '{time_zone}'")
        con.execute(f"attach '{db}' as built (read_only)")
        con.execute("create schema marts")
        for (name,) in con.execute("select table_name from information_schema.tables "
                                   "where table_catalog = 'built' and table_schema = 'marts'").fetchall():
            con.execute(f"create table marts.{name} as select * from built.marts.{name}")
    return out


@pytest.mark.parametrize(
    "env, duckdb_threads",
    [
        ({"TZ": "America/Los_Angeles", "OPS_SLA_SESSION_TZ": "America/Los_Angeles", "OPS_SLA_THREADS": "4"}, 4),
        ({"TZ": "Asia/Kolkata", "OPS_SLA_SESSION_TZ": "Pacific/Chatham", "OPS_SLA_THREADS": "1", "LC_ALL": "C"}, 1),
    ],
    ids=["los-angeles-4-threads", "kolkata-chatham-1-thread"],
)
def test_marts_do_not_depend_on_time_zone_or_threads(warehouse: Warehouse, tmp_path: Path,
                                                     env: dict[str, str], duckdb_threads: int) -> None:
    """Built under another TZ, session time zone, locale, dbt thread count and DuckDB thread
    count, and read by a reader in another time zone: the same marts. (Each is a second
    full build of the shared warehouse's data, so this is also the check that building again
    gives the same marts.)"""
    # ... nor on where the raw folder lives (a path with a space and a quote, given with a
    # trailing slash)
    raw = tmp_path / "ops team's raw"
    shutil.copytree(warehouse.raw, raw)
    profiles = _with_duckdb_threads(tmp_path / "profiles", duckdb_threads)
    env = {**env, "DBT_PROFILES_DIR": str(profiles), "OPS_SLA_RAW_DIR": f"{raw}/"}  # (a trailing slash too)
    other = _build(raw, tmp_path, "--full-refresh", **env)
    shown = run_dbt(["show", "--inline", "select current_setting('threads') as duckdb_threads", "--output", "json"],
                    dbt_env(raw, other, tmp_path / "show-target", **env)).stdout
    assert f'"duckdb_threads": {duckdb_threads}' in shown, shown[-2000:]
    reference = _marts_read_in(warehouse.db, "UTC", tmp_path / "marts_read_a.duckdb")
    seen = _marts_read_in(other, env["OPS_SLA_SESSION_TZ"], tmp_path / "marts_read_b.duckdb")
    assert mart_differences(reference, seen) == {}


def test_incremental_run_without_new_data_changes_nothing(warehouse: Warehouse, tmp_path: Path) -> None:
    copy = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, copy)
    env = dbt_env(warehouse.raw, copy, tmp_path / "target")
    run_daily(env)
    assert mart_differences(warehouse.db, copy) == {}
    # the run is logged, complete: the next run's watermark and publish depend on it (a hook
    # that left a transaction open once lost this row silently)
    invocation = json.loads((tmp_path / "target" / "run_results.json").read_text())["metadata"]["invocation_id"]
    with duckdb.connect(str(copy), read_only=True) as con:
        logged = con.execute("select status, complete from ops_sla_meta.build_log where invocation_id = ?",
                             [invocation]).fetchall()
    assert logged == [("success", True)]
    # and dbt's own run_results.json of the run is what publish accepts
    assert pub.publish(copy, tmp_path / "published", tmp_path / "target" / "run_results.json").row_counts["case_sla"]


@pytest.mark.parametrize("args", [["build"], ["run", "--select", "int_case_sla"],
                                  ["build", "--selector", "daily_nodes"]], ids=["build", "run-select", "daily-nodes"])
def test_incremental_run_outside_the_daily_selector_is_refused(warehouse: Warehouse, tmp_path: Path,
                                                               args: list[str]) -> None:
    """Only the daily selector compares the code with the last full build (state:modified):
    any other incremental command on a built warehouse is refused before it writes, saying
    what to run instead."""
    copy = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, copy)
    proc = run_dbt(args, dbt_env(warehouse.raw, copy, tmp_path / "target"), check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert f"an incremental `dbt {args[0]}` (without --full-refresh) re-derives only part of the warehouse" in out
    assert "New data: `make daily` (dbt build --selector daily --state" in out
    assert "`make build && make publish`" in out, out[-3000:]
    assert mart_differences(warehouse.db, copy) == {}


def test_daily_run_needs_a_full_build(warehouse: Warehouse, tmp_path: Path) -> None:
    out = _daily_refused(warehouse.raw, tmp_path / "ops_sla.duckdb", tmp_path / "target")
    assert "has no successful full build" in out


def test_daily_selector_with_full_refresh_is_no_daily_run(warehouse: Warehouse, tmp_path: Path) -> None:
    """The guards that make a daily run complete do not run under --full-refresh, and dbt
    cannot be told to refuse it: `dbt build --selector daily --full-refresh` (which rebuilds
    part of the warehouse from scratch) is logged incomplete, so it is not published and the
    next incremental run asks for a full build."""
    raw = _next_day(warehouse, tmp_path)
    db = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, db)
    env = dbt_env(raw, db, tmp_path / "target")
    run_daily(env, "--full-refresh")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select complete from ops_sla_meta.build_log order by started_at desc limit 1"
                           ).fetchone() == (False,)
    with pytest.raises(pub.PublishError, match="partial"):
        pub.publish(db, tmp_path / "out", tmp_path / "target" / "run_results.json")
    assert "a full refresh of part of the warehouse ran" in _daily_refused(raw, db, tmp_path / "target")


def test_daily_run_refused_after_a_var_change(warehouse: Warehouse, tmp_path: Path) -> None:
    """A semantic var other than the last full build's: the daily run names it, with both
    values, and recommends the command that also publishes."""
    copy = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, copy)
    out = _daily_refused(warehouse.raw, copy, tmp_path / "target", "--vars",
                         "{business_day_close: '17:00', business_weekdays: [1, 2, 3, 4]}")
    assert f"changed since the last full build ({_last_full_build(copy)}): " in out, out[-3000:]
    assert 'var business_day_close: "17:00" (the full build had "18:00")' in out, out[-3000:]
    assert "var business_weekdays: [1, 2, 3, 4] (the full build had [1, 2, 3, 4, 5])" in out, out[-3000:]
    assert "var business_time_zone" not in out and "state:modified" not in out  # only what changed
    assert mart_differences(warehouse.db, copy) == {}
    # a full refresh of part of the warehouse with other vars rewrote some rows with them: the
    # daily run with the full build's vars is refused too
    env = dbt_env(warehouse.raw, copy, tmp_path / "target")
    run_dbt(["build", "--full-refresh", "--select", "raw_cases", "--vars", "{business_day_close: '17:00'}"], env)
    assert "a full refresh of part of the warehouse ran" in _daily_refused(warehouse.raw, copy, tmp_path / "target")


def _last_full_build(db: Path) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select invocation_id from ops_sla_meta.build_log where full_refresh and complete"
                           " order by started_at desc limit 1").fetchone()[0]


def test_plain_build_on_an_empty_warehouse_is_a_full_build(tmp_path: Path, warehouse: Warehouse) -> None:
    """The first command on an empty warehouse builds everything, so the guards let a plain
    `dbt build` through, and the daily run may build on it."""
    db = _build(warehouse.raw, tmp_path)
    assert mart_differences(warehouse.db, db) == {}
    run_daily(dbt_env(warehouse.raw, db, tmp_path / "target"))
    assert mart_differences(warehouse.db, db) == {}


def test_first_build_counts_as_full_only_when_complete(warehouse: Warehouse, tmp_path: Path) -> None:
    """A first build killed midway, or one that built a selection, is no full build: the
    incremental commands after it are refused until `make build`."""
    killed = tmp_path / "killed"
    env = dbt_env(warehouse.raw, killed / "ops_sla.duckdb", killed / "target")
    run_dbt_killed(["build"], env, after_models=3)
    proc = run_dbt(["build"], env, check=False)
    assert proc.returncode != 0 and "has no successful full build" in proc.stdout + proc.stderr
    selected = tmp_path / "selected"
    env = dbt_env(warehouse.raw, selected / "ops_sla.duckdb", selected / "target")
    run_dbt(["build", "--select", "+int_cases", "--indirect-selection", "cautious"], env)
    assert "has no successful full build" in _daily_refused(warehouse.raw, selected / "ops_sla.duckdb",
                                                            selected / "target")


def _project_copy(to: Path) -> Path:
    """A copy of the dbt project (no data, virtualenv, build output or tests) to edit."""
    shutil.copytree(ROOT, to, ignore=shutil.ignore_patterns(
        ".git", ".venv", "data", "target", "logs", "publish", ".hypothesis", "__pycache__", "pytests", "docs"))
    return to


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_daily_run_names_the_code_that_changed(warehouse: Warehouse, tmp_path: Path) -> None:
    """The daily selector holds dbt's state:modified against the last full build's manifest:
    a changed model, seed, enforced contract (its column types live in YAML, outside the SQL)
    or macro (the models using it), and a changed view the daily run does not even build, are
    each named, and the run is refused before anything is written. A warehouse file of
    another name and a moved raw folder are no change."""
    project = _project_copy(tmp_path / "project")
    models = project / "models"
    _edit(models / "intermediate" / "cases" / "int_case_refresh_scope.sql", "select * from final",
          "select * from final\n-- edited")
    _edit(models / "marts" / "sla_daily.sql", "select * from final", "select * from final\n-- edited")
    _edit(project / "seeds" / "sla_targets.csv", "SLA_B,,120,", "SLA_B,,90,")
    _edit(project / "macros" / "time_zones.sql", """'{{ var("business_time_zone") }}'""",
          """'{{ var("business_time_zone") | trim }}'""")
    declared = ("      - name: intake_date_local\n"
                "        description: Local date of intake (the cohort date of sla_daily).\n"
                "        data_type: date\n")
    _edit(models / "marts" / "_marts__models.yml", declared,
          declared.replace("data_type: date", "data_type: timestamp"))
    raw = tmp_path / "moved" / "raw"
    shutil.copytree(warehouse.raw, raw)  # (copy2 keeps the modification times the warehouse recorded)
    db = tmp_path / "another name.duckdb"
    shutil.copy(warehouse.db, db)
    env = {**dbt_env(raw, db, tmp_path / "target"), "DBT_PROFILES_DIR": str(project), "DBT_STATE": str(state_of(db))}
    proc = subprocess.run([str(DBT), "build", "--selector", "daily"], cwd=project, env=env,
                          capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    changed = out[out.index("changed since the last full build"):]
    changed = changed[:changed.index("A daily run re-derives")]
    named = changed[changed.index("macro they use): ") + len("macro they use): "):changed.index(";")].split(", ")
    expected = {"model int_case_refresh_scope", "model sla_daily", "seed sla_targets", "model case_sla"}
    assert expected <= set(named), changed
    assert "model int_case_milestones" not in named  # not changed (nor a macro it uses): not named
    assert "project macros changed: business_time_zone." in changed, changed
    assert "`make build && make publish`" in out
    assert " OK created " not in out and mart_differences(warehouse.db, db) == {}


def test_daily_run_needs_the_manifest_of_the_last_full_build(warehouse: Warehouse, tmp_path: Path) -> None:
    """The code is compared with the manifest given with --state, so it must be the manifest
    of the warehouse's last full build: another build's is refused, naming both."""
    other = tmp_path / "other-state"
    other.mkdir()
    manifest = json.loads((state_of(warehouse.db) / "manifest.json").read_text())
    manifest["metadata"]["invocation_id"] = "an-older-full-build"
    (other / "manifest.json").write_text(json.dumps(manifest))
    copy = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, copy)
    proc = run_daily({**dbt_env(warehouse.raw, copy, tmp_path / "target"), "DBT_STATE": str(other)}, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert (f"the manifest of the last full build ({_last_full_build(copy)}), given with --state (or DBT_STATE);"
            f" the manifest in {other} is that of build an-older-full-build") in out, out[-3000:]
    assert "`make build` saves it to $OPS_SLA_STATE_DIR" in out


def test_daily_run_checks_the_new_input(warehouse: Warehouse, tmp_path: Path) -> None:
    """A daily delivery is new input: the data tests on the sources and the staging models
    run on it, as in a full build (a bad tier, a bad case type, a gap in the calendar's new dates)."""
    raw = _next_day(warehouse, tmp_path)  # 2026-01-01: the calendar grows a year
    gap = "2027-06-01"  # a date the warehouse has not loaded yet (it has up to 2026-12-31)
    new_cases = sorted((raw / "cases").glob("intake_date=2026-01-01/*.parquet"))
    calendar = raw / "calendar_dim" / "calendar_dim.parquet"
    assert new_cases
    with duckdb.connect() as con:
        case = new_cases[0]
        con.execute(f"copy (select * exclude (intake_date) replace ("
                    f"case when row_number() over () = 1 then 'TIER_4' else tier end as tier,"
                    f" case when row_number() over () = 2 then 'AUDIT' else case_type end as case_type)"
                    f" from read_parquet('{case}', hive_partitioning = true)) to '{case}.new' (format parquet)")
        assert con.execute(f"select max(calendar_date) > date '{gap}' from read_parquet('{calendar}')").fetchone()[0]
        con.execute(f"copy (select * from read_parquet('{calendar}') where calendar_date <> date '{gap}')"
                    f" to '{calendar}.new' (format parquet)")
    Path(f"{case}.new").replace(case)
    Path(f"{calendar}.new").replace(calendar)
    copy, out = _daily_fails_on_a_copy(warehouse, raw, tmp_path)
    assert "FAIL 1 stg_cases_tier_is_in_seed_tiers" in out, out[-4000:]
    assert "FAIL 1 stg_cases_case_type_is_in_seed_case_types" in out, out[-4000:]
    assert "FAIL 1 assert_calendar_is_contiguous" in out, out[-4000:]
    # each named by file, row, value and fix (report_failed_checks prints the tests' problem rows)
    rel = case.relative_to(raw).as_posix()
    for line in (rf"{re.escape(rel)} row \d+: tier 'TIER_4' is not in seeds/tiers.csv - add it there",
                 rf"{re.escape(rel)} row \d+: case_type 'AUDIT' is not in seeds/case_types.csv - add it there",
                 r"calendar_dim/calendar_dim.parquet row \d+: calendar_dim has no date between 2027-05-31 and"
                 r" 2027-06-02 \(missing 2027-06-01\) - deliver a calendar_dim row for every date"):
        assert re.search(line, out), (line, out[-4000:])
    # nothing is published from it: the run is logged as failed
    assert _last_logged_status(copy) == ("failed",)


def test_daily_reconciliation_reads_whole_files(warehouse: Warehouse, tmp_path: Path) -> None:
    """The daily form of assert_every_raw_event_has_one_outcome checks every row of the files
    the run loaded or re-classified rows of, not only the rows it wrote: an outcome in the new
    events file that no raw row has (left there by something else than this run) fails the
    daily run as it fails a full build."""
    raw = _next_day(warehouse, tmp_path)
    new_events = sorted((raw / "events_log").glob("ingestion_date=2026-01-01/*.parquet"))
    assert new_events
    phantom = str(new_events[0].relative_to(raw))
    copy = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("insert into intermediate.int_events_classified select * replace (? as source_file,"
                    " 999999999 as source_row) from intermediate.int_events_classified"
                    " where disposition = 'clean' limit 1", [phantom])
    out = _daily_fails(raw, copy, tmp_path / "target")
    assert "FAIL 1 assert_every_raw_event_has_one_outcome" in out, out[-4000:]
    assert _last_logged_status(copy) == ("failed",)


def test_daily_run_judges_again_a_file_whose_cases_came_late(warehouse: Warehouse, tmp_path: Path) -> None:
    """An events file filed two days before its rows' ingestion is misfiled; but while its
    cases have not arrived, most of its rows are UNKNOWN_CASE, not TS_AFTER_FILE_DATE, and
    the daily run that loads it passes. The next day's run, which re-classifies them once the
    cases arrive, fails at the test naming the file, as a full build on the same data does."""
    raw = _next_day(warehouse, tmp_path)  # 2026-01-01
    new_cases = raw / "cases" / "intake_date=2026-01-01"
    held = tmp_path / "held"
    shutil.move(new_cases, held)  # the day's cases are a day late
    day = pq.read_table(next((raw / "events_log").glob("ingestion_date=2026-01-01/*.parquet")))
    new_ids = pa.concat_tables(pq.read_table(f) for f in held.glob("*.parquet"))["case_id"]
    of_new = pc.is_in(day["case_id"], value_set=new_ids)
    unknown, known = day.filter(of_new), day.filter(pc.invert(of_new))
    assert unknown.num_rows >= 10, unknown.num_rows  # a holiday: few new cases
    misfiled = pa.concat_tables([unknown, known.slice(0, unknown.num_rows * 4 // 5)])
    late_export = raw / "events_log" / "ingestion_date=2025-12-30" / "late-export.parquet"
    pq.write_table(_with_new_event_ids(misfiled), late_export)
    db = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, db)
    run_daily(dbt_env(raw, db, tmp_path / "target"))  # mostly UNKNOWN_CASE: not judged misfiled
    assert _reasons(db).get("UNKNOWN_CASE", 0) >= unknown.num_rows
    shutil.move(held, new_cases)
    out = _daily_fails(raw, db, tmp_path / "target")
    assert "FAIL 1 assert_event_files_are_filed_under_their_date" in out, out[-4000:]
    assert _last_logged_status(db) == ("failed",)


# `dbt build --selector daily` in-process; when raw_events_log starts (raw_file_listing has
# listed and checked the folder), the file argv[1] is moved to argv[2]
_DELIVERS_DURING_THE_RUN = """
import os, sys, threading
from dbt.cli.main import dbtRunner
moved, lock = [], threading.Lock()
def deliver(event):  # called in dbt's worker threads, two nodes start at once
    if event.info.name == "NodeStart" and event.data.node_info.unique_id == "model.ops_sla.raw_events_log":
        with lock:
            if not moved:
                os.replace(sys.argv[1], sys.argv[2])
                moved.append(True)
outcome = dbtRunner(callbacks=[deliver]).invoke(["build", "--selector", "daily"])
sys.exit(0 if outcome.success and moved else 1)
"""


def test_file_delivered_during_a_run_waits_for_the_next_run(warehouse: Warehouse, tmp_path: Path) -> None:
    """The raw models load the case and event files raw_file_inventory listed and checked at
    the start of the run: an events file (here without its ingestion_ts column) moved in
    while the run goes is not loaded; the next run checks it and names it."""
    raw = _next_day(warehouse, tmp_path)
    day = next((raw / "events_log").glob("ingestion_date=2026-01-01/*.parquet"))
    late = day.with_name("late-delivery.parquet")
    staged = tmp_path / "late-delivery.parquet"
    table = pq.read_table(day).drop_columns(["ingestion_ts"])
    pq.write_table(_with_new_event_ids(table), staged)
    db = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, db)
    env = with_state(dbt_env(raw, db, tmp_path / "target"))
    proc = subprocess.run([sys.executable, "-c", _DELIVERS_DURING_THE_RUN, str(staged), str(late)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert late.exists()
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select count(*) from raw.raw_events_log where source_file like '%late-delivery%'")
        assert rows.fetchone() == (0,)
    out = _daily_fails(raw, db, tmp_path / "target")
    assert f"{late.relative_to(raw)}: column ingestion_ts is missing" in out, out[-3000:]


def test_daily_case_reconciliation_counts_every_case(warehouse: Warehouse, tmp_path: Path) -> None:
    """The daily form of assert_every_raw_case_in_case_sla_once checks the cases the run
    re-derived row by row and every other case by one count: a second case_sla row for an old
    resolved case, which the run does not touch, fails it."""
    raw = _next_day(warehouse, tmp_path)
    copy = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, copy)
    with duckdb.connect(str(copy)) as con:
        old = con.execute("select min(case_id) from marts.case_sla where case_status = 'resolved'").fetchone()[0]
        con.execute("insert into marts.case_sla select * from marts.case_sla where case_id = ?", [old])
    out = _daily_fails(raw, copy, tmp_path / "target")
    assert "FAIL 1 assert_every_raw_case_in_case_sla_once" in out, out[-4000:]
    assert _last_logged_status(copy) == ("failed",)


def test_daily_run_names_a_new_file_it_cannot_read(warehouse: Warehouse, tmp_path: Path) -> None:
    """A new events file whose schema reads but whose values do not (a damaged footer): the
    daily run, which reads only the new files, stops before building anything, naming it."""
    raw = _next_day(warehouse, tmp_path)
    new_events = sorted((raw / "events_log").glob("ingestion_date=2026-01-01/*.parquet"))
    assert new_events
    damage_values_not_schema(new_events[0])
    copy, out = _daily_fails_on_a_copy(warehouse, raw, tmp_path)
    rel = new_events[0].relative_to(raw)
    assert f"{rel}: not a readable parquet file (DuckDB: " in out, out[-4000:]
    assert "Traceback" not in out
    assert out.count(" OK created ") == 2 and "OK created sql table model raw.raw_file_inventory" in out


def test_daily_models_macro_matches_the_selector(warehouse: Warehouse, tmp_path: Path) -> None:
    """build_log calls a daily run complete when it built the models of daily_models(); that
    list must be the selector's."""
    env = dbt_env(warehouse.raw, tmp_path / "ops_sla.duckdb", tmp_path / "target")
    listed = run_dbt(["ls", "-q", "--selector", "daily", "--resource-type", "model", "--output", "json",
                      "--output-keys", "unique_id"], env).stdout
    selector = {line.split('"')[3] for line in listed.splitlines() if line.startswith("{")}
    compiled = run_dbt(["compile", "-q", "--inline", "{{ ops_sla.daily_models() | join(' ') }}"], env).stdout
    assert len(selector) > 10
    assert set(compiled.split()) == selector


def test_daily_run_stops_when_a_loaded_calendar_date_changed(warehouse: Warehouse, tmp_path: Path) -> None:
    """One more holiday on a past business day: the daily run fails at the test that compares
    the delivered calendar with the dates as loaded, whose stored failures name the date, what
    changed and what to do; the business calendar and everything on it are not rebuilt."""
    raw = tmp_path / "raw"
    shutil.copytree(warehouse.raw, raw)
    calendar = raw / "calendar_dim" / "calendar_dim.parquet"
    with duckdb.connect() as con:  # one more holiday, on a past business day; one date dropped
        con.execute(f"""
            copy (
                select * replace (
                    is_holiday or calendar_date = date '2025-10-15' as is_holiday,
                    is_business_day and calendar_date <> date '2025-10-15' as is_business_day)
                from read_parquet('{calendar}')
                where calendar_date <> date '2026-12-31'
            ) to '{calendar}.new' (format parquet)""")
    Path(f"{calendar}.new").replace(calendar)
    copy, out = _daily_fails_on_a_copy(warehouse, raw, tmp_path)
    assert "FAIL 2 assert_loaded_calendar_dates_unchanged" in out, out[-4000:]
    assert 'select * from "ops_sla"."dbt_test__audit"."assert_loaded_calendar_dates_unchanged"' in out, out[-4000:]
    assert "SKIP relation intermediate.int_business_time_index" in out and "SKIP relation marts.case_sla" in out
    with duckdb.connect(str(copy), read_only=True) as con:
        failures = con.execute("select cast(calendar_date as varchar), what_changed, what_to_do"
                               " from dbt_test__audit.assert_loaded_calendar_dates_unchanged order by 1").fetchall()
    what_to_do = ("holidays decide the business minutes of every case: run a full build and publish it"
                  " (`make build && make publish`)")
    assert failures == [
        ("2025-10-15", "delivered with other values than loaded: is_holiday false -> true", what_to_do),
        ("2026-12-31", "a loaded date is no longer delivered", what_to_do),
    ]
    # the lines printed after the run (report_failed_checks) name the date and what to do
    assert f"- calendar_dim date 2026-12-31: a loaded date is no longer delivered - {what_to_do}" in out, out[-4000:]
    assert _last_logged_status(copy) == ("failed",)
    assert mart_differences(warehouse.db, copy) == {}


def test_incremental_run_stops_when_the_calendar_is_delivered_twice(warehouse: Warehouse, tmp_path: Path) -> None:
    """A calendar file delivered twice fails the calendar's uniqueness test (as in a full
    build), not the test for changed dates."""
    raw = tmp_path / "raw"
    shutil.copytree(warehouse.raw, raw)
    shutil.copy(raw / "calendar_dim" / "calendar_dim.parquet", raw / "calendar_dim" / "calendar_dim (1).parquet")
    _, out = _daily_fails_on_a_copy(warehouse, raw, tmp_path)
    assert "FAIL" in out and "raw_calendar_date_repeated" in out and "is delivered 2 times" in out, out[-3000:]
    assert "FAIL 1 assert_loaded_calendar_dates_unchanged" not in out


def test_incremental_run_refused_when_the_clock_went_back(warehouse: Warehouse, tmp_path: Path) -> None:
    """Rows are (re)processed when loaded after the last complete build; a run that starts
    *before* it (clock set back) would take its own rows for old ones, so it stops."""
    copy = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("insert into ops_sla_meta.build_log (invocation_id, started_at, finished_at, status) "
                    "values ('from-the-future', now() + interval 1 day, now() + interval 1 day, 'success')")
    for flags in ([], ["--full-refresh"]):  # a full build keeps the later entry: refused too
        proc = run_dbt(["build", *flags], dbt_env(warehouse.raw, copy, tmp_path / "target"), check=False)
        assert proc.returncode != 0
        out = proc.stdout + proc.stderr
        named = dbt_named(dbt_env(warehouse.raw, copy, tmp_path / "target"), "OPS_SLA_DB")
        assert "is the clock set back?" in out and f"remove the warehouse file ({named})" in out, out[-3000:]
    assert mart_differences(warehouse.db, copy) == {}


def test_incremental_run_refused_when_a_loaded_raw_file_changed(warehouse: Warehouse, tmp_path: Path) -> None:
    """Case and event files are loaded once: a loaded file rewritten in place or deleted would
    leave its old rows in the warehouse, so incremental runs stop and name the files."""
    raw = tmp_path / "raw"
    shutil.copytree(warehouse.raw, raw)  # copy2 keeps the modification times
    events = sorted((raw / "events_log").glob("*/*.parquet"))[10]
    with duckdb.connect() as con:  # a corrected re-export: one row fewer
        con.execute(f"copy (select * exclude (ingestion_date) from read_parquet('{events}', hive_partitioning = true)"
                    f" offset 1) to '{events}.new' (format parquet)")
    Path(f"{events}.new").replace(events)
    cases = sorted((raw / "cases").glob("*/*.parquet"))[5]
    cases.rename(cases.with_name("renamed.parquet"))  # part-0 gone, a new file in its place
    copy = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, copy)
    out = _daily_refused(raw, copy, tmp_path / "target")
    assert "raw files the warehouse has loaded were since changed or deleted" in out
    assert f"{cases.relative_to(raw)}: deleted" in out
    assert f"{events.relative_to(raw)}: changed since it was loaded" in out
    assert out.count(".parquet: ") == 2, out[-3000:]  # the untouched files are not listed
    assert mart_differences(warehouse.db, copy) == {}


def test_incremental_run_checks_a_loaded_file_that_changed(warehouse: Warehouse, tmp_path: Path) -> None:
    """A loaded file truncated since it was loaded stops the daily run, named (by the guard on
    loaded files, before raw_file_inventory would find it unreadable); the loaded files that
    did not change are not listed."""
    raw = tmp_path / "raw"
    shutil.copytree(warehouse.raw, raw)  # copy2 keeps the modification times
    cases = sorted((raw / "cases").glob("*/*.parquet"))[5]
    data = cases.read_bytes()
    cases.write_bytes(data[: len(data) // 2])
    _, out = _daily_fails_on_a_copy(warehouse, raw, tmp_path)
    rel = cases.relative_to(raw)
    assert f"{rel}: " in out, out[-3000:]
    assert out.count(".parquet: ") == 1, out[-3000:]  # the untouched loaded files are not listed


def test_incremental_run_refused_after_a_partial_full_refresh(warehouse: Warehouse, tmp_path: Path) -> None:
    """Reloading only the raw table from a corrected file gets past the raw-file check, but
    the events derived from the old file stay (each file is derived once): after a full
    refresh of part of the warehouse, only a complete full build may follow."""
    raw = tmp_path / "raw"
    shutil.copytree(warehouse.raw, raw)
    events = sorted((raw / "events_log").glob("*/*.parquet"))[10]
    with duckdb.connect() as con:  # a corrected re-export, as many rows: every event an hour later
        con.execute(f"copy (select * exclude (ingestion_date) replace (event_ts + interval 1 hour as event_ts)"
                    f" from read_parquet('{events}', hive_partitioning = true)) to '{events}.new' (format parquet)")
    Path(f"{events}.new").replace(events)
    copy = tmp_path / "ops_sla.duckdb"
    shutil.copy(warehouse.db, copy)
    env = dbt_env(raw, copy, tmp_path / "target")
    run_dbt(["run", "--full-refresh", "--select", "raw_events_log"], env)
    # (event_reconciliation, a view, counts the reloaded raw rows at once)
    before = tmp_path / "before_daily.duckdb"
    shutil.copy(copy, before)
    proc = run_daily(env, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "a full refresh of part of the warehouse ran" in out, out[-3000:]
    assert '(run, select: ["raw_events_log"], success)' in out, out[-3000:]
    assert mart_differences(before, copy) == {}
