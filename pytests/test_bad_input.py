"""The bad-input catalogue (DECISIONLOG.md, "Bad input catalogue"): one test per kind of bad input.

Tests corrupt copies of one small generated raw folder (pyarrow), run what `make build` runs
(`dbt build --full-refresh`) but for the unit tests, and check what a user would see. (Unit
tests check the models' code on rows of their own, never the raw folder: the suite's shared
warehouse runs them. Leaving them out makes each build here about a fifth quicker.)

* either the build stops at a raw-file check (tests/raw_files/: a test on the model
  raw_file_inventory, whose failing rows name the file(s), column(s) or date(s) and what to
  do, printed after the build by the on-run-end hook report_failed_checks): no raw table is
  loaded, nothing downstream is built, no Python traceback; or, for a case row the clocks
  cannot measure, at the test on raw_cases that names file, row and value, before any mart;
* or it passes, the bad rows are in `marts.quarantined_events` with their reason, every raw
  event row is accounted for (`marts.event_reconciliation.is_reconciled`) and every raw case
  is in `marts.case_sla`.

Corruptions that stop the build at the same stage, or that the build must take the same way,
share one build (a `Batch`): each corrupts files of partition dates of its own (DAYS), so
each check's failing rows, or each file's quarantined rows, are those of one test, and each
test asserts them for its files. A build per bad input proved nothing more - the checks are
rows per file - and cost the module most of its time (docs/testing.md).

A missing raw *root* folder is tested in test_dbt_build.py; here, a raw table's folder.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import (
    ROOT,
    damage_values_not_schema,
    dbt_env,
    dbt_named,
    duckdb_error,
    garble_footer,
    run_daily,
    run_dbt,
    run_generator,
)

SMALL = ["--cases", "1500", "--start", "2025-10-01", "--end", "2025-11-30"]
DAY = "2025-10-15"
EVENTS = f"events_log/ingestion_date={DAY}/part-0.parquet"
CASES = f"cases/intake_date={DAY}/part-0.parquet"
CALENDAR = "calendar_dim/calendar_dim.parquet"


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------- builds


@dataclass
class Build:
    raw: Path
    db: Path
    target: Path
    returncode: int
    output: str
    raw_named: str  # the raw folder as dbt was given it (OPS_SLA_RAW_DIR), as its messages name it

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def df(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.sql(sql).df()


# One warehouse path and target folder for every build of the module (dbt then re-parses
# only what changed); each build's warehouse is moved to the test's own folder afterwards.
_SHARED: dict[str, Path] = {}


def build(raw: Path, where: Path, *extra: str, unit_tests: bool = False, raw_dir: str | None = None) -> Build:
    """What `make build` runs, on `raw`, into a warehouse of its own (moved to `where`); without
    the unit tests unless asked. (Such a build selects part of the project, so it is no complete
    full build an incremental run may follow: ask for the unit tests before one.) `raw_dir`:
    another spelling of `raw` for OPS_SLA_RAW_DIR."""
    db, target = _SHARED["db"], _SHARED["target"]
    db.unlink(missing_ok=True)
    (target / "run_results.json").unlink(missing_ok=True)
    selection = [] if unit_tests else ["--exclude", "resource_type:unit_test"]
    env = dbt_env(raw, db, target, **({"OPS_SLA_RAW_DIR": raw_dir} if raw_dir else {}))
    proc = run_dbt(["build", "--full-refresh", *selection, *extra], env, check=False)
    where.mkdir(parents=True, exist_ok=True)
    if db.exists():
        db.rename(where / db.name)
    results = target / "run_results.json"
    if results.exists():
        shutil.copy(results, where / results.name)
    return Build(raw, where / db.name, where, proc.returncode, proc.stdout + proc.stderr,
                 dbt_named(env, "OPS_SLA_RAW_DIR"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("bad_input")
    _SHARED.update(db=base / "build" / "ops_sla.duckdb", target=base / "build" / "target")
    raw = base / "raw"
    run_generator(raw, *SMALL)
    return raw


@pytest.fixture(scope="module")
def baseline(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The uncorrupted data, built once: the generator writes no quarantinable row."""
    b = build(generated, tmp_path_factory.mktemp("baseline"))
    assert b.returncode == 0, b.output[-3000:]
    assert b.query("select count(*) from marts.quarantined_events") == [(0,)]
    return b


@pytest.fixture
def raw(generated: Path, tmp_path: Path) -> Path:
    """This test's own copy of the generated raw folder, to corrupt."""
    copy = tmp_path / "raw"
    shutil.copytree(generated, copy)
    return copy


def read(raw: Path, rel: str) -> pa.Table:
    return pq.read_table(raw / rel)


def write(raw: Path, rel: str, table: pa.Table) -> None:
    (raw / rel).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, raw / rel)


def set_column(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, values)


def set_rows(raw: Path, rel: str, changes: dict[int, dict[str, object]]) -> None:
    """Overwrite some values of some rows, keeping the file's schema and row order."""
    t = read(raw, rel)
    rows = t.to_pylist()
    for i, values in changes.items():
        rows[i].update(values)
    write(raw, rel, pa.Table.from_pylist(rows, schema=t.schema))


def raw_query(raw: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Query the raw parquet directly ({events}, {cases}), independently of dbt."""
    with duckdb.connect() as con:
        return con.execute(sql.format(
            events=f"read_parquet('{raw}/events_log/*/*.parquet', filename = true, file_row_number = true)",
            cases=f"read_parquet('{raw}/cases/*/*.parquet', filename = true, file_row_number = true)",
        ), params or []).fetchall()


def events(day: str) -> str:
    """The events file of a partition date."""
    return f"events_log/ingestion_date={day}/part-0.parquet"


def cases(day: str) -> str:
    """The cases file of a partition date."""
    return f"cases/intake_date={day}/part-0.parquet"


def staffing_file(raw: Path) -> str:
    """The generated export's one staffing file, relative to `raw`."""
    (rel,) = [str(f.relative_to(raw)) for f in (raw / "staffing_schedule").glob("*.parquet")]
    return rel


# --------------------------------------------------------------------------- batches

# A corruption changes files of its own partition dates in a copy of the raw folder, and
# returns what its test needs to know (files, rows, values); some take the baseline build too.
Corruption = Callable[..., Any]


@dataclass
class Batch:
    """One build of a raw folder that several corruptions changed, files of their own each."""
    build: Build
    made: dict[str, Any]

    def of(self, corruption: Corruption) -> Any:
        """What `corruption` returned when it changed the folder."""
        return self.made[corruption.__name__]


def build_batch(generated: Path, where: Path, corruptions: list[Corruption], *context: object) -> Batch:
    """Copy the generated raw folder to `where`, apply each corruption in turn (given
    `context` after the folder), and build the result once."""
    raw = where / "raw"
    shutil.copytree(generated, raw)
    made = {c.__name__: c(raw, *context) for c in corruptions}
    return Batch(build(raw, where / "build"), made)


# --------------------------------------------------------------------------- outcomes


def built_models(b: Build) -> list[str]:
    """The models the build built (success), schema.name, from its run_results.json."""
    results = b.target / "run_results.json"
    if not results.exists():
        return []
    return sorted(r["relation_name"].replace('"', "").split(".", 1)[1]
                  for r in json.loads(results.read_text())["results"]
                  if r["unique_id"].startswith("model.") and r["status"] == "success")


# views of the seeds and vars only: they read no raw file, so a check of the raw files does not stop them
SEED_VIEWS = {"intermediate.int_schedules", "intermediate.int_team_schedule_periods"}


def assert_stopped_early(b: Build, test: str, *expected: str, loaded: bool = False) -> None:
    """The build failed at the raw-file check `test`, whose failing rows (printed after the
    build) say each of `expected`; no raw table was loaded (only raw_file_listing and
    raw_file_inventory were built)
    or, with `loaded` (a check of loaded rows), no mart and no case-grain table was built
    (models that depend only on the raw tables the check does not test may be)."""
    assert b.returncode != 0, "the build passed"
    assert f"Failure in test {test} " in b.output, b.output[-4000:]
    assert f"Failure in {test} (" in b.output, b.output[-4000:]  # the rows, by report_failed_checks
    missing = [e for e in expected if e not in b.output]
    assert not missing, f"{missing} not in the output:\n{b.output[-4000:]}"
    assert "Traceback" not in b.output
    built = built_models(b)
    if loaded:
        clocks = ("intermediate.int_case_milestones", "intermediate.int_case_sla")
        assert not [m for m in built if m.startswith("marts.") or m in clocks], built
    else:
        assert set(built) <= {"raw.raw_file_listing", "raw.raw_file_inventory", *SEED_VIEWS}, built


def _quarantined(b: Build) -> set[tuple[str, int, str]]:
    return set(b.query("select source_file, cast(source_row as integer), reason_code from marts.quarantined_events"))


def assert_nothing_lost(b: Build, quarantined: set[tuple[str, int, str]], files: Iterable[str] | None = None) -> None:
    """The build passed; exactly these rows are quarantined (file, row, reason) - of `files`
    when given (a batch: the other files are other tests'); every raw event row has one
    outcome per file; every raw case is in case_sla."""
    assert b.returncode == 0, b.output[-4000:]
    got = _quarantined(b)
    if files is not None:
        got = {row for row in got if row[0] in set(files)}
    assert got == quarantined
    assert b.query("select count(*) from marts.event_reconciliation where not is_reconciled") == [(0,)]
    (raw_rows,) = raw_query(b.raw, "select count(*) from {events}")[0]
    assert b.query("select sum(raw_rows) from marts.event_reconciliation") == [(raw_rows,)]
    raw_cases = {r[0] for r in raw_query(b.raw, "select distinct trim(case_id) from {cases}")}
    assert {r[0] for r in b.query("select case_id from marts.case_sla")} == raw_cases
    assert b.query("select count(*) = count(distinct case_id) from marts.case_sla") == [(True,)]


def clean_rows(baseline: Build, rel: str, n: int) -> list[int]:
    """Rows of a file that are clean, with their recorded time, in the uncorrupted build (the
    copy kept of an event id, so a corruption shows on that row, not on another copy)."""
    return [int(r) for (r,) in baseline.query(
        "select source_row from intermediate.int_events_classified where source_file = ? "
        "and disposition = 'clean' and event_time_source = 'recorded' order by source_row limit ?", [rel, n])]


def case_sla(b: Build, exclude: str = "") -> pd.DataFrame:
    """case_sla without refreshed_at_utc (the start of the run that derived a row: it differs
    between any two builds), and without the columns in `exclude`."""
    cols = f" exclude (refreshed_at_utc{', ' + exclude if exclude else ''})"
    return b.df(f"select *{cols} from marts.case_sla order by case_id").reset_index(drop=True)


# --------------------------------------------------------------------------- the catalogue


@pytest.mark.parametrize("table, how", [("events_log", "missing folder"), ("calendar_dim", "empty folder")])
def test_missing_or_empty_raw_table_folder_fails_naming_it(raw: Path, tmp_path: Path, table: str, how: str) -> None:
    shutil.rmtree(raw / table)
    if how == "empty folder":
        (raw / table).mkdir()
        (raw / table / "README.txt").write_text("not parquet\n")
    b = build(raw, tmp_path)
    assert_stopped_early(b, "raw_table_without_files", f"no raw parquet files for {table}",
                         f"OPS_SLA_RAW_DIR={b.raw_named}", "make data")


# --- files the inventory's checks stop: one build (the batch `unusable_files`)


def _missing_partitions(raw: Path) -> None:
    shutil.rmtree(raw / f"events_log/ingestion_date={DAY}")
    for d in ("2025-10-20", "2025-10-21", "2025-10-22"):
        shutil.rmtree(raw / f"cases/intake_date={d}")


def test_missing_partition_fails_naming_the_dates(unusable_files: Batch) -> None:
    """Error, not warning: a date missing inside the range is a lost delivery, and it would
    change the numbers silently (cases missing from every rate, events of them quarantined as
    UNKNOWN_CASE, cases whose events are lost looking open and breached)."""
    assert_stopped_early(
        unusable_files.build, "raw_partition_date_missing",
        f"events_log: no partition folder for {DAY} between the first (2025-10-01) and the last (2025-11-30)",
        "cases: no partition folder for 2025-10-20..2025-10-22 (3 days)",
        "partition_dates_allowed_missing",
    )


def _misfiled_partitions(raw: Path) -> str:
    day = "2025-10-25"
    (raw / events(day)).rename(raw / "events_log" / "extra.parquet")  # not in a partition folder: never read
    (raw / "cases" / day).mkdir()
    (raw / cases(day)).rename(raw / "cases" / day / "part-0.parquet")  # read, but no intake_date key
    return day


def test_misfiled_partition_fails_naming_the_file(unusable_files: Batch) -> None:
    day = unusable_files.of(_misfiled_partitions)
    assert_stopped_early(
        unusable_files.build, "raw_file_not_read",
        "events_log/extra.parquet: not read: the models read only events_log/ingestion_date=YYYY-MM-DD/",
        f"cases/{day}/part-0.parquet: partition folder {day} is not intake_date=YYYY-MM-DD",
    )


def _missing_columns(raw: Path) -> tuple[str, str]:
    ev, ca = events("2025-10-28"), cases("2025-10-28")
    write(raw, ev, read(raw, ev).drop_columns(["ingestion_ts"]))
    write(raw, ca, read(raw, ca).drop_columns(["tier", "team_tz"]))
    return ev, ca


def test_file_with_missing_column_fails_naming_file_and_column(unusable_files: Batch) -> None:
    ev, ca = unusable_files.of(_missing_columns)
    assert_stopped_early(
        unusable_files.build, "raw_file_breaks_the_contract",
        f"{ev}: column ingestion_ts is missing (expected timestamp with time zone)",
        f"{ca}: column team_tz is missing (expected varchar)",
        f"{ca}: column tier is missing (expected varchar)",
    )


def _columns_of_wrong_types(raw: Path) -> tuple[str, str, str, str]:
    ev, ev2, ev3, ca = events("2025-11-03"), events("2025-11-04"), events("2025-11-05"), cases("2025-11-03")
    t = read(raw, ev)
    write(raw, ev, set_column(t, "event_ts", pc.cast(t["event_ts"], pa.string())))  # ISO strings
    t = read(raw, ev2)
    write(raw, ev2, set_column(t, "event_id", pc.cast(t["event_id"], pa.string())))
    t = read(raw, ev3)  # epoch seconds as DOUBLE, NaN where the time is missing
    seconds = [float("nan") if v is None else v.timestamp() for v in t["ingestion_ts"].to_pylist()]
    write(raw, ev3, set_column(t, "ingestion_ts", pa.array(seconds, pa.float64())))
    t = read(raw, ca)  # naive local time: ambiguous
    write(raw, ca, set_column(t, "intake_ts", pc.cast(t["intake_ts"], pa.timestamp("us"))))
    t = read(raw, CALENDAR)
    write(raw, CALENDAR, set_column(t, "is_holiday", pc.cast(t["is_holiday"], pa.string())))
    return ev, ev2, ev3, ca


def test_column_with_wrong_type_fails_naming_file_column_and_types(unusable_files: Batch) -> None:
    ev, ev2, ev3, ca = unusable_files.of(_columns_of_wrong_types)
    assert_stopped_early(
        unusable_files.build, "raw_file_breaks_the_contract",
        f"{ev}: column event_ts is VARCHAR, expected timestamp with time zone",
        f"{ev2}: column event_id is VARCHAR, expected bigint",
        f"{ev3}: column ingestion_ts is DOUBLE, expected timestamp with time zone",
        f"{ca}: column intake_ts is TIMESTAMP, expected timestamp with time zone (an instant, UTC-adjusted",
        f"{CALENDAR}: column is_holiday is VARCHAR, expected boolean",
    )


def _columns_alike(raw: Path) -> tuple[str, str]:
    ev, ca = events("2025-11-07"), cases("2025-11-07")
    t = read(raw, ev)
    shifted = pa.array(t["case_id"].to_pylist()[1:] + t["case_id"].to_pylist()[:1])
    write(raw, ev, t.add_column(0, "CASE_ID", shifted))  # before case_id: it would win
    t = read(raw, ca)
    write(raw, ca, t.append_column("file_row_number", pa.array(range(t.num_rows), pa.int64())))
    return ev, ca


def test_columns_the_models_cannot_tell_apart_fail_naming_file_and_columns(unusable_files: Batch) -> None:
    """DuckDB binds column names ignoring case, so an extra CASE_ID next to case_id could be
    read as the case id (depending on column order); an extra `filename` or `file_row_number`
    clashes with the columns the models add when reading. Both stop the build."""
    ev, ca = unusable_files.of(_columns_alike)
    assert_stopped_early(
        unusable_files.build, "raw_file_breaks_the_contract",
        f"{ev}: columns CASE_ID and case_id differ only in letter case",
        f"{ca}: column file_row_number has a name the models add when they read the file",
    )


DAMAGED = {"truncated": events("2025-11-10"), "garbage": cases("2025-11-10"),
           "empty": "staffing_schedule/staffing_schedule.parquet", "garbled_footer": cases("2025-11-12"),
           "damaged_values": events("2025-11-12")}


def _damaged_files(raw: Path) -> None:
    for damage, rel in DAMAGED.items():
        data = (raw / rel).read_bytes()
        if damage == "damaged_values":
            damage_values_not_schema(raw / rel)
        else:
            (raw / rel).write_bytes({"truncated": data[: len(data) // 2], "garbage": b"<html>502 Bad Gateway</html>",
                                     "empty": b"", "garbled_footer": garble_footer(data)}[damage])


@pytest.mark.parametrize("damage", list(DAMAGED))
def test_corrupt_parquet_file_fails_naming_the_file(unusable_files: Batch, damage: str) -> None:
    rel = DAMAGED[damage]
    if damage in ("garbled_footer", "damaged_values"):  # DuckDB's own error for it names no file
        error = duckdb_error("select * from read_parquet(?)", unusable_files.build.raw / rel)
        assert error is not None and rel not in error
    assert_stopped_early(unusable_files.build, "raw_file_unreadable", f"{rel}: not a readable parquet file",
                         "deliver it again")


def _files_not_read(raw: Path) -> dict[str, str]:
    ev, ca = events("2025-11-14"), cases("2025-11-14")
    named = {ca.replace("part-0.parquet", "part-1.PARQUET"): "not read",
             ev.replace("part-0.parquet", "part-1.pq"): "not read",
             "notes.csv": "not read",
             ev.replace("part-0.parquet", "extra/part-2.parquet"): "not read",
             "cases/_SUCCESS": "ignored",
             "events_log/.DS_Store": "ignored"}
    shutil.copy(raw / ca, raw / ca.replace("part-0.parquet", "part-1.PARQUET"))
    shutil.copy(raw / ev, raw / ev.replace("part-0.parquet", "part-1.pq"))
    (raw / "notes.csv").write_text("a,b\n")
    deeper = raw / ev.replace("part-0.parquet", "extra/part-2.parquet")
    deeper.parent.mkdir()
    shutil.copy(raw / ev, deeper)
    (raw / "cases" / "_SUCCESS").write_text("")
    (raw / "events_log" / ".DS_Store").write_bytes(b"\0")
    return named


def test_every_file_under_the_raw_folder_is_loaded_or_named(unusable_files: Batch) -> None:
    """No file is left out silently (issue 27): a `.PARQUET` or `.pq` file the models would not
    read, a stray file at the root, one a level too deep each fail the build naming it and the
    fix; a file ignored on purpose (a name starting with `_` or `.`) is named by a warning."""
    b, named = unusable_files.build, unusable_files.of(_files_not_read)
    upper, pq_file, _, deeper, *_ = named
    assert_stopped_early(
        b, "raw_file_not_read",
        f"{upper}: not read: the models read only files named <name>.parquet (lower case) - rename it to "
        "part-1.parquet",
        f"{pq_file}: not read: the models read only files named <name>.parquet (lower case) - rename it to "
        "part-1.parquet",
        "notes.csv: not read: the raw folder holds only the folders cases, events_log, staffing_schedule and "
        "calendar_dim",
        f"{deeper}: not read: the models read only events_log/ingestion_date=YYYY-MM-DD/<name>.parquet",
    )
    assert "Warning in test raw_file_ignored " in b.output
    for ignored in ("cases/_SUCCESS", "events_log/.DS_Store"):
        assert f"{ignored}: ignored (its name or a folder's starts with . or _)" in b.output
    rows = b.query("select source_file, disposition from raw.raw_file_inventory where list_contains(?, source_file)",
                   [list(named)])
    assert dict(rows) == named


def _invalid_utf8(raw: Path) -> str:
    ev = events("2025-11-17")
    write(raw, ev, _with_invalid_utf8(read(raw, ev), "status", 3))
    return ev


def test_invalid_utf8_stops_the_build_naming_file_and_column(unusable_files: Batch) -> None:
    ev = unusable_files.of(_invalid_utf8)
    assert_stopped_early(unusable_files.build, "raw_file_unreadable", f"{ev}: not a readable parquet file (column "
                         "status holds text that is not valid UTF-8")


@pytest.fixture(scope="module")
def unusable_files(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Files the inventory's checks refuse, each test's on dates of its own: one build."""
    return build_batch(generated, tmp_path_factory.mktemp("unusable_files"), [
        _missing_partitions, _misfiled_partitions, _missing_columns, _columns_of_wrong_types, _columns_alike,
        _damaged_files, _files_not_read, _invalid_utf8])


def test_acknowledged_missing_partition_builds_and_quarantines_orphan_events(raw: Path, tmp_path: Path,
                                                                            baseline: Build) -> None:
    """A date listed in var partition_dates_allowed_missing is accepted; nothing is lost:
    the events of the cases that are not there are quarantined as UNKNOWN_CASE."""
    orphans = raw_query(raw, f"""
        select replace(e.filename, '{raw}/', ''), e.file_row_number
        from {{events}} as e
        where trim(e.case_id) in (select trim(case_id) from {{cases}} where filename like '%intake_date={DAY}/%')""")
    duplicates = set(baseline.query(
        "select source_file, source_row from intermediate.int_events_classified where disposition = 'duplicate'"))
    orphans = [o for o in orphans if o not in duplicates]
    assert orphans
    shutil.rmtree(raw / f"cases/intake_date={DAY}")
    b = build(raw, tmp_path, "--vars", json.dumps({"partition_dates_allowed_missing": [DAY]}))
    assert_nothing_lost(b, {(f, int(r), "UNKNOWN_CASE") for f, r in orphans})


# --- case rows the clocks cannot measure: one build (the batch `unmeasurable_rows`; the check
# reads the loaded raw tables)


def _cases_without_tier_type_or_zone(raw: Path) -> str:
    ca = cases("2025-10-06")
    set_rows(raw, ca, {0: {"tier": None}, 1: {"case_type": " "}, 2: {"team_tz": None}})
    return ca


def test_case_without_tier_case_type_or_zone_fails_naming_file_and_column(unmeasurable_rows: Batch) -> None:
    """A NULL tier or case type would reach the marts as a group of its own (colliding with the
    roll-up rows), a daily run included: every run stops and names the file and the column."""
    ca = unmeasurable_rows.of(_cases_without_tier_type_or_zone)
    assert_stopped_early(
        unmeasurable_rows.build, "raw_case_not_measurable",
        f"{ca} row 0: column tier is NULL or blank - every case needs one",
        f"{ca} row 1: column case_type is NULL or blank - every case needs one (value:  )",
        f"{ca} row 2: column team_tz is NULL or blank",
        "fix the case in the export", loaded=True,
    )


def _implausible_intakes(raw: Path) -> None:
    set_rows(raw, CASES, {0: {"intake_ts": _utc(1970, 1, 1)}, 1: {"intake_ts": _utc(2100, 1, 1)},
                          2: {"intake_ts": None}, 3: {"intake_ts": _utc(2026, 3, 1, 12)}})
    set_rows(raw, CASES.replace("10-15", "10-16"), {0: {"case_id": "   "}})


def test_implausible_intake_timestamps_fail_naming_file_and_column(unmeasurable_rows: Batch) -> None:
    """A case has no quarantine (every raw case must reach case_sla) and no clock without a
    plausible intake: the build stops and names the file, the column and an example (an intake
    after the day following its file's date too: it would become the as-of instant)."""
    assert_stopped_early(
        unmeasurable_rows.build, "raw_case_not_measurable",
        f"{CASES} row 2: column intake_ts is NULL (NaT)",
        f"{CASES} row 0: column intake_ts is before earliest_plausible_ts (2000-01-01 00:00:00+00) "
        "(value: 1970-01-01 00:00:00+00)",
        f"{CASES} row 1: column intake_ts is outside calendar_dim (2024-12-01..2026-12-31) - extend calendar_dim "
        "(value: 2100-01-01 00:00:00+00)",
        # inside the calendar, but months after the file's date: it would become the as-of instant
        f"{CASES} row 3: column intake_ts is after the day following the file's intake_date ({DAY}) "
        "(value: 2026-03-01 12:00:00+00)",
        f"{CASES.replace('10-15', '10-16')} row 0: column case_id is NULL or blank",
        loaded=True,
    )


def _cases_filed_far_from_their_intake(raw: Path) -> tuple[str, list[str], str]:
    day = "2025-10-22"
    ca = cases(day)
    case_ids = read(raw, ca)["case_id"].to_pylist()
    set_rows(raw, ca, {0: {"intake_ts": _utc(2025, 6, 2, 16)},        # 09:00 in Los Angeles, June 2
                       1: {"intake_ts": _utc(2025, 10, 22, 3, 30)}})  # 20:30 in Los Angeles, Oct 21
    redelivered = ca.replace("part-0", "part-1")
    write(raw, redelivered, read(raw, cases("2025-10-02")).slice(0, 1))
    return ca, case_ids, redelivered


def test_case_filed_far_from_its_intake_date_fails_naming_file_row_case_and_dates(unmeasurable_rows: Batch) -> None:
    """A case filed under an intake_date months after its intake (a late delivery filed under
    the day it was sent, or a wrong stamp) would open a day months back in every mart and ask
    for staffing nobody delivered: the build stops at the raw check, naming the file, the row,
    the case, both dates and the fix. The day before the folder's date is tolerated (folders
    dated in UTC put Los Angeles' evening intakes under the next date), and so is a case
    delivered again under a later date (a re-delivery: its first copy is filed under its own)."""
    b = unmeasurable_rows.build
    ca, case_ids, redelivered = unmeasurable_rows.of(_cases_filed_far_from_their_intake)
    assert_stopped_early(
        b, "raw_case_not_measurable",
        f"{ca} row 0: column intake_ts is before the day preceding the file's intake_date (2025-10-22) "
        f"(value: 2025-06-02 16:00:00+00): case {case_ids[0]} opened on 2025-06-02 (America/Los_Angeles), "
        "142 days before its folder's date 2025-10-22 - file the case under cases/intake_date=2025-06-02/ "
        "(in a new file), or fix its intake_ts, and re-deliver it",
        loaded=True,
    )
    assert f"{ca} row 1:" not in b.output and redelivered not in b.output, b.output[-4000:]


@pytest.fixture(scope="module")
def unmeasurable_rows(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return build_batch(generated, tmp_path_factory.mktemp("unmeasurable_rows"), [
        _cases_without_tier_type_or_zone, _implausible_intakes, _cases_filed_far_from_their_intake])


# --- cases that disagree with the configuration (the seeds, the schedules): one build (the
# batch `cases_the_seeds_do_not_know`; the checks are tests on the staged cases)


def _unknown_case_type_and_tier(raw: Path) -> str:
    ca = cases("2025-10-09")
    set_rows(raw, ca, {0: {"case_type": "audit "}, 1: {"tier": "TIER_4"}})
    return ca


def test_unknown_case_type_or_tier_fails_naming_file_row_value_and_seed(cases_the_seeds_do_not_know: Batch) -> None:
    """A case type or tier not in the seeds (a typo, or one the team did not list yet) would
    be a group of its own in the marts with no SLA target: the build fails (so it is logged
    incomplete and nothing is published), naming the file, the row, the value (as staged: upper
    case, trimmed) and the seed to add it to. (The test depends on the seed too, so dbt does not
    skip the models downstream of the cases that do not read the seed.)"""
    b, ca = cases_the_seeds_do_not_know.build, cases_the_seeds_do_not_know.of(_unknown_case_type_and_tier)
    assert b.returncode != 0 and "Traceback" not in b.output
    for test, line in [
        ("stg_cases_case_type_is_in_seed_case_types",
         f"{ca} row 0: case_type 'AUDIT' is not in seeds/case_types.csv - add it there if it is one of the"
         " team's, or fix the case in the export and re-deliver the file"),
        ("stg_cases_tier_is_in_seed_tiers", f"{ca} row 1: tier 'TIER_4' is not in seeds/tiers.csv - add it there"),
    ]:
        assert f"Failure in test {test} " in b.output and f"Failure in {test} (" in b.output, b.output[-4000:]
        assert line in b.output, b.output[-4000:]


def _unknown_team(raw: Path) -> str:
    ca = cases("2025-10-10")
    t = read(raw, ca)
    teams = [None] * t.num_rows
    teams[2] = "nowhere"
    write(raw, ca, t.append_column("team_id", pa.array(teams, pa.string())))
    return ca


def test_unknown_team_fails_naming_file_row_and_team(cases_the_seeds_do_not_know: Batch) -> None:
    """A case naming a team missing from seeds/team_schedules.csv would have no schedule to be
    measured on: the build fails, naming the file, the row, the team and the seed to add it to.
    (The file gains the optional column team_id, as a team's export with teams has it.)"""
    b, ca = cases_the_seeds_do_not_know.build, cases_the_seeds_do_not_know.of(_unknown_team)
    assert b.returncode != 0 and "Traceback" not in b.output
    test = "stg_cases_team_id_is_in_seed_team_schedules"
    assert f"Failure in test {test} " in b.output and f"Failure in {test} (" in b.output, b.output[-4000:]
    assert f"{ca} row 2: team_id 'nowhere' is not in seeds/team_schedules.csv" in b.output, b.output[-4000:]


def _case_in_another_zone(raw: Path) -> tuple[str, str]:
    ca = cases("2025-10-08")
    (case_id,) = read(raw, ca)["case_id"].to_pylist()[3:4]
    set_rows(raw, ca, {3: {"team_tz": "America/New_York"}})
    return ca, case_id


def test_case_of_a_team_in_another_zone_fails_naming_file_row_and_zone(cases_the_seeds_do_not_know: Batch) -> None:
    """A case without a team runs on the `default` schedule (var business_time_zone): a team_tz
    elsewhere means the export and the configuration disagree, and the case would be measured on
    the wrong clock. The build stops before the clocks, naming the file, the row, the case, both
    zones and what to do."""
    ca, case_id = cases_the_seeds_do_not_know.of(_case_in_another_zone)
    assert_stopped_early(
        cases_the_seeds_do_not_know.build, "assert_cases_use_their_team_time_zone",
        f"{ca} row 3: case {case_id} has team_tz 'America/New_York', but its clocks run in"
        " America/Los_Angeles (var business_time_zone: the case has no team_id)",
        "fix team_tz in the export and re-deliver the file", loaded=True,
    )


@pytest.fixture(scope="module")
def cases_the_seeds_do_not_know(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return build_batch(generated, tmp_path_factory.mktemp("cases_the_seeds_do_not_know"), [
        _unknown_case_type_and_tier, _unknown_team, _case_in_another_zone])


# --- a staffing schedule the staging tests refuse, and an events file the classified events
# show to be filed under the wrong date: one build (the batch `staffing_and_misdated_events`)


def _staffing_without_some_days(raw: Path) -> tuple[list[date], date]:
    rel = staffing_file(raw)
    t = read(raw, rel)
    tuesdays, saturday = [date(2025, 10, 14), date(2025, 10, 21)], date(2025, 10, 18)
    gone = [*tuesdays, saturday]
    write(raw, rel, t.filter(pc.invert(pc.is_in(t["schedule_date"], pa.array(gone)))))
    assert raw_query(raw, """select count(distinct cast(timezone('America/Los_Angeles', intake_ts) as date))
        from {cases} where list_contains(?, cast(timezone('America/Los_Angeles', intake_ts) as date))""",
                     [gone]) == [(3,)]  # cases arrived on each of them
    return tuesdays, saturday


def _implausible_staffing_numbers(raw: Path) -> tuple[str, int, object, str]:
    rel = staffing_file(raw)
    set_rows(raw, rel, {0: {"planned_agents": -5, "effective_agents": -4.0}, 1: {"shrinkage": None},
                        2: {"effective_agents": 99.0}, 3: {"shrinkage": float("nan")}})
    t = read(raw, rel)
    write(raw, rel, pa.concat_tables([t, t.slice(5, 1)]))  # row 5 again, as the last row
    return rel, t.num_rows, t["schedule_date"][5].as_py(), t["shift"][5].as_py()


def test_implausible_staffing_numbers_fail_the_build(staffing_and_misdated_events: Batch) -> None:
    """Negative or NULL agents, a NULL or NaN shrinkage, more effective than planned agents, a
    shift delivered twice: the build fails at the staging tests that check them, before
    congestion_daily is built, naming the file, the row, the values and what to do."""
    b = staffing_and_misdated_events.build
    rel, rows, day, shift = staffing_and_misdated_events.of(_implausible_staffing_numbers)
    assert b.returncode != 0 and "Traceback" not in b.output
    assert "FAIL 4 staffing_numbers_are_plausible" in b.output, b.output[-3000:]
    fix = "- fix the row in the staffing export and re-deliver the file"
    for row, values in [(0, "(planned_agents -5, shrinkage "), (1, "shrinkage NULL"), (2, "effective_agents 99.0)"),
                        (3, "shrinkage nan")]:
        line = next((x for x in b.output.splitlines() if f"{rel} row {row}: staffing numbers out of range" in x), "")
        assert values in line and line.endswith(fix), (row, line, b.output[-3000:])
    assert (f"schedule_date {day}, shift {shift} is delivered 2 times ({rel} row 5, {rel} row {rows})"
            " - deliver it once") in b.output, b.output[-3000:]
    assert "congestion_daily" not in b.query("select table_name from information_schema.tables")


def test_staffing_schedule_missing_business_days_fails_naming_them(staffing_and_misdated_events: Batch) -> None:
    """A business day on which cases arrived but the staffing schedule has no row would show
    in congestion_daily with no agents: the build fails at the test whose rows are the
    dates. A weekend day without a schedule is fine (a team that does not work weekends)."""
    b = staffing_and_misdated_events.build
    tuesdays, _ = staffing_and_misdated_events.of(_staffing_without_some_days)
    assert b.returncode != 0 and "Traceback" not in b.output
    assert "FAIL 2 assert_staffing_covers_data" in b.output, b.output[-3000:]
    for day in tuesdays:
        assert (f"staffing_schedule has no row for business day {day}, on which cases arrived - add the day's"
                " shifts to the staffing export") in b.output, b.output[-3000:]
    with duckdb.connect(str(b.db), read_only=True) as con:
        sql = (_SHARED["target"] / "compiled/ops_sla/tests/assert_staffing_covers_data.sql").read_text()
        assert [r[0] for r in con.execute(sql).fetchall()] == tuesdays


def _events_filed_under_an_earlier_date(raw: Path) -> tuple[str, int]:
    ev = events("2025-11-03")
    t = pq.read_table(raw / ev)
    later = {name: pc.add(t[name], pa.scalar(timedelta(days=3), pa.duration("us")))
             for name in ("event_ts", "ingestion_ts")}
    for name, col in later.items():
        t = t.set_column(t.schema.get_field_index(name), name, col)
    pq.write_table(t, raw / ev)
    return ev, t.num_rows


def test_events_file_filed_under_an_earlier_date_fails(staffing_and_misdated_events: Batch) -> None:
    """A whole events file ingested three days after its folder's date is misfiled, not a
    few bad stamps: the build fails at the test that names it, instead of quarantining the
    day's events and publishing SLA numbers without them."""
    b = staffing_and_misdated_events.build
    ev, rows = staffing_and_misdated_events.of(_events_filed_under_an_earlier_date)
    assert b.returncode != 0 and "Traceback" not in b.output
    assert "FAIL 1 assert_event_files_are_filed_under_their_date" in b.output
    assert f"- {ev}: " in b.output, b.output[-3000:]
    assert (f" of its {rows} rows were ingested after the day following its folder's ingestion_date - the"
            " file is filed under the wrong date: move it to the folder") in b.output, b.output[-3000:]


@pytest.fixture(scope="module")
def staffing_and_misdated_events(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    # the days go first: the rows of the numbers' test are counted in the file as it ends up
    return build_batch(generated, tmp_path_factory.mktemp("staffing_and_misdated_events"),
                       [_staffing_without_some_days, _implausible_staffing_numbers,
                        _events_filed_under_an_earlier_date])


def test_intake_after_the_last_folder_date_needs_no_staffing_yet(raw: Path, tmp_path: Path) -> None:
    """The contract accepts an intake up to the day after its folder's date; the staffing
    schedule is delivered up to the newest folder's date. Such a case must not fail the
    build for want of the next day's schedule: that day shows in congestion_daily with no
    agents."""
    last_folder = "2025-11-30"
    rel = staffing_file(raw)
    assert raw_query(raw, f"select max(schedule_date) from read_parquet('{raw / rel}')") == [(date(2025, 11, 30),)]
    folder = f"cases/intake_date={last_folder}/part-0.parquet"
    set_rows(raw, folder, {0: {"intake_ts": _utc(2025, 12, 1, 17)}})  # Monday 09:00 in Los Angeles
    b = build(raw, tmp_path)
    assert b.returncode == 0, b.output[-3000:]
    assert b.query("select is_business_day, effective_agents from marts.congestion_daily "
                   "where calendar_date = date '2025-12-01'") == [(True, None)]


def test_daily_run_checks_loaded_intakes_against_the_calendar_as_delivered_now(raw: Path, tmp_path: Path) -> None:
    """The calendar may lose dates that loaded cases' intakes fall on: a daily run stops (the
    guard on loaded calendar dates, or the test raw_case_not_measurable, which reads the loaded
    cases from the warehouse against the calendar delivered now), and the full build it asks
    for stops at that test, naming the loaded file, row and value."""
    folder = "cases/intake_date=2025-11-30/part-0.parquet"
    set_rows(raw, folder, {0: {"intake_ts": _utc(2025, 12, 1, 17)}})  # the day after the folder's date
    b = build(raw, tmp_path / "full", unit_tests=True)  # a complete full build: the daily run follows it
    assert b.returncode == 0, b.output[-3000:]
    t = read(raw, CALENDAR)
    write(raw, CALENDAR, t.filter(pc.less_equal(t["calendar_date"], pa.scalar(date(2025, 11, 30)))))
    target = tmp_path / "daily-target"
    proc = run_daily(dbt_env(raw, b.db, target), check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stdout + proc.stderr
    again = build(raw, tmp_path / "again")
    assert_stopped_early(again, "raw_case_not_measurable",
                         f"{folder} row 0: column intake_ts is outside calendar_dim (2024-12-01..2025-11-30)",
                         "(value: 2025-12-01 17:00:00+00)", loaded=True)


# --- input the build must take as if it were clean - other encodings, layouts and copies of
# the same data: one build (the batch `same_data_otherwise_delivered`), whose numbers equal the
# baseline's


def _nanosecond_instants(raw: Path) -> str:
    ev, ca = events("2025-10-15"), cases("2025-10-15")
    t = read(raw, ev)
    for name in ("event_ts", "ingestion_ts"):
        t = set_column(t, name, pc.cast(t[name], pa.timestamp("ns", tz="UTC")))
    write(raw, ev, t)
    t = read(raw, ca)
    write(raw, ca, set_column(t, "intake_ts", pc.cast(t["intake_ts"], pa.timestamp("ns", tz="UTC"))))
    return ev


def test_instants_written_at_nanosecond_precision_are_accepted(same_data_otherwise_delivered: Batch,
                                                                baseline: Build) -> None:
    """pandas writes datetime64[ns, UTC] as a UTC-adjusted nanosecond timestamp (DuckDB type
    TIMESTAMPTZ_NS): an instant like any other, read to the microsecond. (A naive one is
    refused: see the wrong-type test.)"""
    b, ev = same_data_otherwise_delivered.build, same_data_otherwise_delivered.of(_nanosecond_instants)
    assert "TIMESTAMPTZ_NS" in {r[0] for r in raw_query(
        b.raw, f"select duckdb_type from parquet_schema('{b.raw / ev}') where name = 'event_ts'")}
    assert_nothing_lost(b, set())
    pd.testing.assert_frame_equal(case_sla(b, "delivered_copies"), case_sla(baseline, "delivered_copies"))


def _partition_folders_linked(raw: Path) -> str:
    ev = events("2025-10-20")
    for rel in (ev, cases("2025-10-20")):
        folder = (raw / rel).parent
        moved = raw.parent / "elsewhere" / folder.parent.name / folder.name
        moved.parent.mkdir(parents=True)
        shutil.move(folder, moved)
        folder.symlink_to(moved, target_is_directory=True)
    return ev


def test_partition_folders_linked_from_elsewhere_are_loaded(same_data_otherwise_delivered: Batch,
                                                           baseline: Build) -> None:
    """A partition folder that is a symbolic link (DuckDB's `*` follows it, its `**` does not)
    is listed, checked and loaded like any other: the build equals the one without links."""
    b, ev = same_data_otherwise_delivered.build, same_data_otherwise_delivered.of(_partition_folders_linked)
    assert (b.raw / ev).parent.is_symlink()
    assert_nothing_lost(b, set())
    assert b.query("select count(*) from raw.raw_events_log where source_file = ?", [ev]) != [(0,)]
    pd.testing.assert_frame_equal(case_sla(b, "delivered_copies"), case_sla(baseline, "delivered_copies"))


def _files_ignored_on_purpose(raw: Path) -> str:
    (raw / "cases" / "_SUCCESS").write_text("")
    crc = "events_log/ingestion_date=2025-10-24/.part-0.parquet.crc"
    (raw / crc).write_bytes(b"\1\2")
    return crc


def test_files_ignored_on_purpose_only_warn(same_data_otherwise_delivered: Batch, baseline: Build) -> None:
    b, crc = same_data_otherwise_delivered.build, same_data_otherwise_delivered.of(_files_ignored_on_purpose)
    assert_nothing_lost(b, set())
    assert "Warning in test raw_file_ignored " in b.output
    assert f"{crc}: ignored" in b.output and "cases/_SUCCESS: ignored" in b.output
    pd.testing.assert_frame_equal(case_sla(b, "delivered_copies"), case_sla(baseline, "delivered_copies"))


def _files_delivered_twice(raw: Path) -> tuple[str, str, int, set[str]]:
    """The events file again in the next day's partition, the cases file again in its own."""
    ev, ca = events("2025-10-27"), cases("2025-10-29")
    again = ev.replace("10-27/part-0", "10-28/part-1")
    shutil.copy(raw / ev, raw / again)
    shutil.copy(raw / ca, raw / ca.replace("part-0", "part-1"))
    return ev, again, read(raw, ev).num_rows, set(read(raw, ca)["case_id"].to_pylist())


def test_file_delivered_twice_counts_once(same_data_otherwise_delivered: Batch, baseline: Build) -> None:
    b = same_data_otherwise_delivered.build
    _, again, n, cases_again = same_data_otherwise_delivered.of(_files_delivered_twice)
    assert_nothing_lost(b, set())
    assert b.query("select raw_rows, clean_rows, duplicate_rows from marts.event_reconciliation "
                   "where source_file = ?", [again]) == [(n, 0, n)]
    # not one number moves; the cases of the file say they were delivered twice
    pd.testing.assert_frame_equal(case_sla(b, "delivered_copies"), case_sla(baseline, "delivered_copies"))
    copies = dict(b.query("select case_id, delivered_copies from marts.case_sla"))
    assert {c for c, n in copies.items() if n != 1} == cases_again and {copies[c] for c in cases_again} == {2}
    assert set(baseline.query("select distinct delivered_copies from marts.case_sla")) == {(1,)}
    for mart in ("sla_daily", "sla_by_tier_case_type", "driver_stage_durations"):
        sql = f"select * from marts.{mart} order by all"
        pd.testing.assert_frame_equal(b.df(sql), baseline.df(sql), obj=mart)


def _staffing_in_files_of_different_types(raw: Path) -> pa.Table:
    staffing = raw / "staffing_schedule"
    (only,) = list(staffing.glob("*.parquet"))
    t = pq.read_table(only)
    only.unlink()
    first = t.slice(0, 2)
    first = set_column(first, "effective_agents", pc.cast(pc.round(first["effective_agents"]), pa.int32()))
    first = set_column(first, "shrinkage", pa.array([0, 0], pa.int8()))
    pq.write_table(first, staffing / "a_first.parquet")
    pq.write_table(t.slice(2), staffing / "b_rest.parquet")
    return first


def test_files_of_one_table_with_different_accepted_types_keep_their_values(
        same_data_otherwise_delivered: Batch, baseline: Build) -> None:
    """Files are read by column name with a common type (union_by_name): a first file with
    whole-number agents or shrinkage must not round the other files' fractions (DuckDB would
    otherwise cast every file to the first file's types)."""
    b = same_data_otherwise_delivered.build
    first = same_data_otherwise_delivered.of(_staffing_in_files_of_different_types)
    assert b.returncode == 0, b.output[-3000:]
    query = ("select schedule_date, shift, shrinkage, effective_agents from staging.stg_ops_export__staffing "
             "order by all")
    got, before = b.df(query), baseline.df(query)
    def key(day: object, shift: str) -> tuple[date, str]:
        return pd.Timestamp(day).date(), shift.strip().upper()

    changed = {key(d, sh) for d, sh in zip(first["schedule_date"].to_pylist(), first["shift"].to_pylist(), strict=True)}

    def others(df: pd.DataFrame) -> pd.DataFrame:
        keep = [key(d, sh) not in changed for d, sh in zip(df["schedule_date"], df["shift"], strict=True)]
        return df[keep].reset_index(drop=True)

    assert len(others(got)) == len(got) - 2
    pd.testing.assert_frame_equal(others(got), others(before))


@pytest.fixture(scope="module")
def same_data_otherwise_delivered(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return build_batch(generated, tmp_path_factory.mktemp("same_data_otherwise_delivered"), [
        _nanosecond_instants, _partition_folders_linked, _files_ignored_on_purpose, _files_delivered_twice,
        _staffing_in_files_of_different_types])


@pytest.mark.parametrize("spelling", ["absolute", "relative"])
def test_raw_folder_spelled_with_dots_and_slashes_builds_the_same(generated: Path, tmp_path: Path,
                                                                  baseline: Build, spelling: str) -> None:
    """OPS_SLA_RAW_DIR with `./`, `x/..`, `//` or a trailing slash names the same folder: DuckDB
    names its files without them, and so does the build (the source files relative to it)."""
    odd = {"absolute": f"{generated.parent}/./{generated.name}/../{generated.name}//",
           "relative": "./" + os.path.relpath(generated, ROOT) + "//"}[spelling]
    b = build(generated, tmp_path, raw_dir=odd)
    assert b.returncode == 0, b.output[-3000:]
    files = "select distinct source_file from raw.raw_events_log order by source_file"
    assert b.query(files) == baseline.query(files)
    pd.testing.assert_frame_equal(case_sla(b), case_sla(baseline))


# --- event rows the build quarantines: one build (the batch `quarantined_rows`); each test's
# rows are the quarantined rows of its file


def _bad_values(raw: Path, baseline: Build, day: str, column: str, values: list[object]) -> tuple[str, list[int]]:
    """The day's events file with `values` in `column` of as many clean rows: (file, rows)."""
    ev = events(day)
    rows = clean_rows(baseline, ev, len(values))
    set_rows(raw, ev, {row: {column: value} for row, value in zip(rows, values, strict=True)})
    return ev, rows


def _unknown_statuses(raw: Path, baseline: Build) -> tuple[str, list[int]]:
    return _bad_values(raw, baseline, "2025-10-06", "status", ["ESCALATED_TO_MARS", None, ""])


def test_unknown_status_is_quarantined(quarantined_rows: Batch) -> None:
    ev, rows = quarantined_rows.of(_unknown_statuses)
    assert_nothing_lost(quarantined_rows.build, {(ev, r, "UNKNOWN_STATUS") for r in rows}, files=[ev])


def _events_of_unknown_cases(raw: Path, baseline: Build) -> tuple[str, list[int]]:
    return _bad_values(raw, baseline, "2025-10-08", "case_id", ["SR-NO-SUCH-CASE", None, "  "])


def test_events_for_unknown_cases_are_quarantined(quarantined_rows: Batch) -> None:
    ev, rows = quarantined_rows.of(_events_of_unknown_cases)
    assert_nothing_lost(quarantined_rows.build, {(ev, r, "UNKNOWN_CASE") for r in rows}, files=[ev])


def _implausible_event_times(raw: Path, baseline: Build) -> tuple[str, list[int]]:
    ev = events("2025-10-10")
    rows = clean_rows(baseline, ev, 5)
    ingested = read(raw, ev)["ingestion_ts"][rows[4]].as_py()
    set_rows(raw, ev, {
        rows[0]: {"event_ts": _utc(1970, 1, 1)},                       # epoch zero
        rows[1]: {"event_ts": _utc(2100, 1, 1)},                       # far future
        rows[2]: {"event_ts": None},                                   # NaT: imputed from ingestion
        rows[3]: {"event_ts": None, "ingestion_ts": None},             # NaT twice: nothing to go on
        rows[4]: {"event_ts": ingested + timedelta(days=2), "ingestion_ts": ingested},  # after ingestion
    })
    return ev, rows


def test_implausible_event_timestamps_are_quarantined_or_imputed(quarantined_rows: Batch, baseline: Build) -> None:
    b = quarantined_rows.build
    ev, rows = quarantined_rows.of(_implausible_event_times)
    assert_nothing_lost(b, {(ev, rows[0], "TS_OUT_OF_RANGE"), (ev, rows[1], "TS_OUT_OF_RANGE"),
                            (ev, rows[3], "MISSING_TIMESTAMPS"), (ev, rows[4], "EVENT_AFTER_INGESTION")}, files=[ev])
    sql = "select imputed_time_rows from marts.event_reconciliation where source_file = ?"
    assert b.query(sql, [ev])[0][0] == baseline.query(sql, [ev])[0][0] + 1


def _event_ingested_in_2100(raw: Path, baseline: Build) -> tuple[str, int]:
    ev = events("2025-10-14")
    (row,) = clean_rows(baseline, ev, 1)
    set_rows(raw, ev, {row: {"ingestion_ts": _utc(2100, 1, 1)}})
    return ev, row


def test_event_ingested_in_2100_is_quarantined(quarantined_rows: Batch, baseline: Build) -> None:
    """A plausible event time but an ingestion time beyond the calendar: the row is
    implausible as a whole - quarantined, and it does not become the data's as-of instant."""
    b = quarantined_rows.build
    ev, row = quarantined_rows.of(_event_ingested_in_2100)
    assert_nothing_lost(b, {(ev, row, "TS_OUT_OF_RANGE")}, files=[ev])
    assert b.query("select as_of_ts_local from marts.data_as_of") == baseline.query(
        "select as_of_ts_local from marts.data_as_of")


def _event_stamped_months_after_its_file_date(raw: Path, baseline: Build) -> tuple[str, int]:
    ev = events("2025-10-17")
    (row,) = clean_rows(baseline, ev, 1)
    (latest,) = raw_query(baseline.raw, "select max(ingestion_ts) from {events}")[0]  # of the data as generated
    future = latest + timedelta(days=150)
    set_rows(raw, ev, {row: {"event_ts": future, "ingestion_ts": future}})
    return ev, row


def test_event_stamped_months_after_its_file_date_is_quarantined(quarantined_rows: Batch, baseline: Build) -> None:
    """Event and ingestion time five months after the data (inside the calendar, so no range
    check rejects them) in a file filed under an earlier date: a bad stamp, quarantined - it
    would otherwise become the as-of instant and age every open case by five months."""
    b = quarantined_rows.build
    ev, row = quarantined_rows.of(_event_stamped_months_after_its_file_date)
    assert_nothing_lost(b, {(ev, row, "TS_AFTER_FILE_DATE")}, files=[ev])
    assert b.query("select as_of_ts_local from marts.data_as_of") == baseline.query(
        "select as_of_ts_local from marts.data_as_of")


@pytest.fixture(scope="module")
def quarantined_rows(generated: Path, baseline: Build, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    batch = build_batch(generated, tmp_path_factory.mktemp("quarantined_rows"), [
        _unknown_statuses, _events_of_unknown_cases, _implausible_event_times, _event_ingested_in_2100,
        _event_stamped_months_after_its_file_date], baseline)
    # every quarantined row is in one of the batch's files (each test checks its own file's)
    files = {made[0] for made in batch.made.values()}
    assert {source_file for source_file, _, _ in _quarantined(batch.build)} <= files
    return batch


def test_calendar_file_delivered_twice_fails_naming_the_column(raw: Path, tmp_path: Path) -> None:
    shutil.copy(raw / CALENDAR, raw / "calendar_dim" / "calendar_dim (1).parquet")
    b = build(raw, tmp_path)
    assert_stopped_early(b, "raw_calendar_date_repeated",
                         "calendar_date 2024-12-01 is delivered 2 times (calendar_dim/calendar_dim (1).parquet row 0, "
                         f"{CALENDAR} row 0) - deliver each date once", loaded=True)


def test_calendar_gap_and_rows_without_keys_fail_naming_file_and_row(raw: Path, tmp_path: Path) -> None:
    """A date missing from calendar_dim would count as non-business time; a calendar row
    without its holiday flag, a staffing row without its shift, cannot be used: the build
    stops before the clocks, naming the file, the row and what to do."""
    t = read(raw, CALENDAR)
    dates = t["calendar_date"].to_pylist()
    before = dates.index(date(2025, 10, 14))
    write(raw, CALENDAR, t.filter(pc.not_equal(t["calendar_date"], pa.scalar(date(2025, 10, 15)))))
    set_rows(raw, CALENDAR, {before + 5: {"is_holiday": None}})
    staffing = staffing_file(raw)
    set_rows(raw, staffing, {4: {"shift": None}})
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "assert_calendar_is_contiguous",
        f"{CALENDAR} row {before}: calendar_dim has no date between 2025-10-14 and 2025-10-16 (missing 2025-10-15)"
        " - deliver a calendar_dim row for every date", loaded=True,
    )
    assert "Failure in raw_calendar_row_without_date_or_holiday_flag (" in b.output, b.output[-4000:]
    assert (f"{CALENDAR} row {before + 5}: a calendar row needs a calendar_date and an is_holiday flag"
            f" (calendar_date {dates[before + 6]}, is_holiday NULL) - fix the row in the calendar export") in b.output
    assert "Failure in raw_staffing_row_without_date_or_shift (" in b.output, b.output[-4000:]
    assert f"{staffing} row 4: a staffing row needs a schedule_date and a shift" in b.output, b.output[-4000:]
    assert ", shift NULL) - fix the row in the staffing export" in b.output, b.output[-4000:]


def test_calendar_not_covering_the_data_fails_naming_both_ranges(raw: Path, tmp_path: Path) -> None:
    t = read(raw, CALENDAR)
    write(raw, CALENDAR, t.filter(pc.less(t["calendar_date"], pa.scalar(date(2025, 11, 1)))))
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "raw_calendar_does_not_cover_partitions",
        "calendar_dim covers 2024-12-01..2025-10-31 but the events_log partitions run 2025-10-01..2025-11-30",
        "extend calendar_dim", loaded=True,
    )


def test_intake_after_its_resolution_keeps_the_case_flagged(raw: Path, tmp_path: Path, baseline: Build) -> None:
    """The clocks ignore events stamped before intake, so the case has no resolution any more:
    it stays in case_sla, open, and events_before_intake says why."""
    (case_id, clean_events) = baseline.query(
        "select case_id, clean_event_count from marts.case_sla where case_status = 'resolved' "
        "and events_before_intake = 0 order by case_id limit 1")[0]
    file, row, last_ingested = raw_query(raw, f"""
        select replace(c.filename, '{raw}/', ''), c.file_row_number,
               (select max(greatest(e.event_ts, e.ingestion_ts)) from {{events}} as e where e.case_id = c.case_id)
        from {{cases}} as c where c.case_id = ?""", [case_id])[0]
    set_rows(raw, file, {row: {"intake_ts": last_ingested + timedelta(hours=1)}})
    b = build(raw, tmp_path)
    assert_nothing_lost(b, set())
    got = b.query("select case_status, first_resolution_ts_local, clean_event_count, events_before_intake "
                  "from marts.case_sla where case_id = ?", [case_id])
    assert got == [("open", None, 0, clean_events)]
    assert b.query("select count(*) from marts.case_sla where events_before_intake > 0") == [(1,)]


ODD_IDS = ["SR-'; drop table marts.case_sla; --", "SR-ünïcødé-✓-🚀", 'SR,"quoted";\ttab', "SR-new\nline",
           "  SR-padded  "]


def test_case_ids_with_odd_characters_keep_their_events(raw: Path, tmp_path: Path, baseline: Build) -> None:
    """Quotes, unicode, separators, control characters: the case keeps its events and its
    numbers (leading/trailing spaces are trimmed on both sides). An id that differs by an
    invisible character (not a space) is a different id: UNKNOWN_CASE."""
    originals = [r[0] for r in baseline.query(
        "select case_id from marts.case_sla where case_status = 'resolved' order by case_id limit 5")]
    renamed = dict(zip(originals, ODD_IDS, strict=True))
    files = raw_query(raw, f"""
        select distinct replace(filename, '{raw}/', '') from {{events}} where list_contains(?, case_id)
        union select distinct replace(filename, '{raw}/', '') from {{cases}} where list_contains(?, case_id)""",
        [originals, originals])
    for (rel,) in files:
        t = read(raw, rel)
        ids = [renamed.get(c, c) for c in t["case_id"].to_pylist()]
        if rel.startswith("events_log/"):
            ids = [c.strip() if c in ODD_IDS else c for c in ids]  # events carry the unpadded id
        write(raw, rel, set_column(t, "case_id", pa.array(ids, pa.string())))
    t = read(raw, EVENTS)
    row = next(i for i in clean_rows(baseline, EVENTS, 50) if t["case_id"][i].as_py() not in ODD_IDS
               and t["case_id"][i].as_py().strip() not in [c.strip() for c in ODD_IDS])
    set_rows(raw, EVENTS, {row: {"case_id": t["case_id"][row].as_py() + "\u200b"}})  # zero-width space
    b = build(raw, tmp_path)
    assert_nothing_lost(b, {(EVENTS, row, "UNKNOWN_CASE")})
    mine = case_sla(b).set_index("case_id").loc[[renamed[c].strip() for c in originals]]
    theirs = case_sla(baseline).set_index("case_id").loc[originals]
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), theirs.reset_index(drop=True))


def test_profile_without_the_plugin_fails_saying_so(raw: Path, tmp_path: Path) -> None:
    """raw_file_listing needs the function of ops_sla.duckdb_plugin; a profile that does
    not load it gets a message saying what to add, not a binder error."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    profile = yaml.safe_load((Path(__file__).resolve().parent.parent / "profiles.yml").read_text())
    plugins = profile["ops_sla"]["outputs"]["dev"]["plugins"]
    assert {"module": "ops_sla.duckdb_plugin"} in plugins
    plugins.remove({"module": "ops_sla.duckdb_plugin"})
    (profiles / "profiles.yml").write_text(yaml.safe_dump(profile))
    db, target = tmp_path / "ops_sla.duckdb", tmp_path / "target"
    env = {**dbt_env(raw, db, target), "DBT_PROFILES_DIR": str(profiles)}
    proc = run_dbt(["build", "--full-refresh"], env, check=False)
    b = Build(raw, db, target, proc.returncode, proc.stdout + proc.stderr, dbt_named(env, "OPS_SLA_RAW_DIR"))
    assert b.returncode != 0 and "Traceback" not in b.output
    assert "Compilation Error in model raw_file_listing" in b.output
    for said in ("the dbt profile does not load the plugin ops_sla.duckdb_plugin",
                 "the function ops_sla_check_parquet_files", "add plugins: [{module: ops_sla.duckdb_plugin}]"):
        assert said in b.output, b.output[-3000:]
    assert set(built_models(b)) <= SEED_VIEWS  # the inventory stopped at compilation


def test_as_of_outside_the_calendar_fails_naming_it(generated: Path, tmp_path: Path) -> None:
    """An as-of instant the business calendar does not cover (var as_of past calendar_dim's last
    date) leaves open cases without a clock: the build fails at assert_calendar_covers_data,
    whose printed rows name the instant, its local date, the calendar's dates and what to do
    (not a bare count). The date to deliver up to is the instant's latest local date over the
    schedules: 2027-02-02 in Sydney (seed schedule apac), a day ahead of Los Angeles."""
    b = build(generated, tmp_path, "--vars", '{as_of: "2027-02-01 10:00"}')
    assert b.returncode != 0 and "Traceback" not in b.output
    assert "Failure in assert_calendar_covers_data (1 rows in " in b.output, b.output[-4000:]
    assert ("- var as_of (2027-02-01 10:00) is 2027-02-01 18:00:00+00 (local date 2027-02-01 in America/Los_Angeles),"
            " outside the business calendar (calendar_dim as loaded: 2024-12-01..2026-12-31) - set var as_of inside"
            " the calendar, or deliver calendar_dim rows up to 2027-02-02 (then `make build`)") in b.output, \
        b.output[-4000:]


def _with_invalid_utf8(table: pa.Table, column: str, row: int) -> pa.Table:
    """`table` with the text of `column` at `row` replaced by bytes that are not UTF-8."""
    values = [v.encode() if v is not None else b"" for v in table[column].to_pylist()]
    values[row] = b"\xff\xfe" + values[row]
    offsets = pa.py_buffer(np.cumsum([0] + [len(v) for v in values]).astype(np.int32).tobytes())
    text = pa.StringArray.from_buffers(len(values), offsets, pa.py_buffer(b"".join(values)))
    return set_column(table, column, text)


def test_invalid_utf8_in_a_new_file_stops_the_daily_run_before_anything_is_rebuilt(
        raw: Path, tmp_path: Path) -> None:
    """A daily delivery with text that is not UTF-8: the run stops at the inventory's check,
    naming file and column; no raw table loads the file and no mart changes."""
    b = build(raw, tmp_path / "full", unit_tests=True)  # a complete full build: the daily run follows it
    assert b.returncode == 0, b.output[-3000:]
    before = {m: b.df(f"select * from marts.{m} order by all") for m in ("case_sla", "sla_daily")}
    (events_before,) = b.query("select count(*) from raw.raw_events_log")[0]
    new = EVENTS.replace(DAY, "2025-12-01")
    t = read(raw, EVENTS.replace(DAY, "2025-11-30"))
    write(raw, new, _with_invalid_utf8(t, "case_id", 0))
    target = tmp_path / "daily-target"
    env = dbt_env(raw, b.db, target)
    proc = run_daily(env, check=False)
    daily = Build(raw, b.db, target, proc.returncode, proc.stdout + proc.stderr, dbt_named(env, "OPS_SLA_RAW_DIR"))
    assert_stopped_early(daily, "raw_file_unreadable",
                         f"{new}: not a readable parquet file (column case_id holds text that is not valid UTF-8")
    assert daily.query("select count(*) from raw.raw_events_log") == [(events_before,)]
    for mart, df in before.items():
        pd.testing.assert_frame_equal(daily.df(f"select * from marts.{mart} order by all"), df, obj=mart)
