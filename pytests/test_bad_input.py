"""The bad-input catalogue (DECISIONLOG.md, "Bad input catalogue"): one test per kind of bad input.

Each test corrupts its own copy of one small generated raw folder (pyarrow), runs what
`make build` runs (`dbt build --full-refresh`) but for the unit tests, and checks what a user
would see. (Unit tests check the models' code on rows of their own, never the raw folder: the
suite's shared warehouse runs them. Leaving them out makes each build here about a fifth
quicker.)

* either the build stops at a raw-file check (tests/raw_files/: a test on the model
  raw_file_inventory, whose failing rows name the file(s), column(s) or date(s) and what to
  do, printed after the build by the on-run-end hook report_failed_checks): no raw table is
  loaded, nothing downstream is built, no Python traceback; or, for a case row the clocks
  cannot measure, at the test on raw_cases that names file, row and value, before any mart;
* or it passes, the bad rows are in `marts.quarantined_events` with their reason, every raw
  event row is accounted for (`marts.event_reconciliation.is_reconciled`) and every raw case
  is in `marts.case_sla`.

A missing raw *root* folder is tested in test_dbt_build.py; here, a raw table's folder.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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
    return Build(raw, where / db.name, where, proc.returncode, proc.stdout + proc.stderr)


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


def assert_nothing_lost(b: Build, quarantined: set[tuple[str, int, str]]) -> None:
    """The build passed; exactly these rows are quarantined (file, row, reason); every raw
    event row has one outcome per file; every raw case is in case_sla."""
    assert b.returncode == 0, b.output[-4000:]
    got = set(b.query("select source_file, cast(source_row as integer), reason_code from marts.quarantined_events"))
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
    assert_stopped_early(b, "raw_table_without_files", f"no raw parquet files for {table}", str(raw), "make data")


def test_missing_partition_fails_naming_the_dates(raw: Path, tmp_path: Path) -> None:
    """Error, not warning: a date missing inside the range is a lost delivery, and it would
    change the numbers silently (cases missing from every rate, events of them quarantined as
    UNKNOWN_CASE, cases whose events are lost looking open and breached)."""
    shutil.rmtree(raw / f"events_log/ingestion_date={DAY}")
    for d in ("2025-10-20", "2025-10-21", "2025-10-22"):
        shutil.rmtree(raw / f"cases/intake_date={d}")
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "raw_partition_date_missing",
        f"events_log: no partition folder for {DAY} between the first (2025-10-01) and the last (2025-11-30)",
        "cases: no partition folder for 2025-10-20..2025-10-22 (3 days)",
        "partition_dates_allowed_missing",
    )


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


def test_misfiled_partition_fails_naming_the_file(raw: Path, tmp_path: Path) -> None:
    (raw / EVENTS).rename(raw / "events_log" / "extra.parquet")  # not in a partition folder: never read
    (raw / "cases" / DAY).mkdir()
    (raw / CASES).rename(raw / "cases" / DAY / "part-0.parquet")  # read, but no intake_date key
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "raw_file_not_read",
        "events_log/extra.parquet: not read: the models read only events_log/ingestion_date=YYYY-MM-DD/",
        f"cases/{DAY}/part-0.parquet: partition folder {DAY} is not intake_date=YYYY-MM-DD",
    )


def test_file_with_missing_column_fails_naming_file_and_column(raw: Path, tmp_path: Path) -> None:
    write(raw, EVENTS, read(raw, EVENTS).drop_columns(["ingestion_ts"]))
    write(raw, CASES, read(raw, CASES).drop_columns(["tier", "team_tz"]))
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "raw_file_breaks_the_contract",
        f"{EVENTS}: column ingestion_ts is missing (expected timestamp with time zone)",
        f"{CASES}: column team_tz is missing (expected varchar)",
        f"{CASES}: column tier is missing (expected varchar)",
    )


def test_column_with_wrong_type_fails_naming_file_column_and_types(raw: Path, tmp_path: Path) -> None:
    ev2, ev3 = EVENTS.replace("10-15", "10-16"), EVENTS.replace("10-15", "10-17")
    t = read(raw, EVENTS)
    write(raw, EVENTS, set_column(t, "event_ts", pc.cast(t["event_ts"], pa.string())))  # ISO strings
    t = read(raw, ev2)
    write(raw, ev2, set_column(t, "event_id", pc.cast(t["event_id"], pa.string())))
    t = read(raw, ev3)  # epoch seconds as DOUBLE, NaN where the time is missing
    seconds = [float("nan") if v is None else v.timestamp() for v in t["ingestion_ts"].to_pylist()]
    write(raw, ev3, set_column(t, "ingestion_ts", pa.array(seconds, pa.float64())))
    t = read(raw, CASES)  # naive local time: ambiguous
    write(raw, CASES, set_column(t, "intake_ts", pc.cast(t["intake_ts"], pa.timestamp("us"))))
    t = read(raw, CALENDAR)
    write(raw, CALENDAR, set_column(t, "is_holiday", pc.cast(t["is_holiday"], pa.string())))
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "raw_file_breaks_the_contract",
        f"{EVENTS}: column event_ts is VARCHAR, expected timestamp with time zone",
        f"{ev2}: column event_id is VARCHAR, expected bigint",
        f"{ev3}: column ingestion_ts is DOUBLE, expected timestamp with time zone",
        f"{CASES}: column intake_ts is TIMESTAMP, expected timestamp with time zone (an instant, UTC-adjusted",
        f"{CALENDAR}: column is_holiday is VARCHAR, expected boolean",
    )


def test_columns_the_models_cannot_tell_apart_fail_naming_file_and_columns(raw: Path, tmp_path: Path) -> None:
    """DuckDB binds column names ignoring case, so an extra CASE_ID next to case_id could be
    read as the case id (depending on column order); an extra `filename` or `file_row_number`
    clashes with the columns the models add when reading. Both stop the build."""
    t = read(raw, EVENTS)
    shifted = pa.array(t["case_id"].to_pylist()[1:] + t["case_id"].to_pylist()[:1])
    write(raw, EVENTS, t.add_column(0, "CASE_ID", shifted))  # before case_id: it would win
    t = read(raw, CASES)
    write(raw, CASES, t.append_column("file_row_number", pa.array(range(t.num_rows), pa.int64())))
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "raw_file_breaks_the_contract",
        f"{EVENTS}: columns CASE_ID and case_id differ only in letter case",
        f"{CASES}: column file_row_number has a name the models add when they read the file",
    )


def test_case_without_tier_case_type_or_zone_fails_naming_file_and_column(raw: Path, tmp_path: Path) -> None:
    """A NULL tier or case type would reach the marts as a group of its own (colliding with the
    roll-up rows), a daily run included: every run stops and names the file and the column."""
    set_rows(raw, CASES, {0: {"tier": None}, 1: {"case_type": " "}, 2: {"team_tz": None}})
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "raw_case_not_measurable",
        f"{CASES} row 0: column tier is NULL or blank - every case needs one",
        f"{CASES} row 1: column case_type is NULL or blank - every case needs one (value:  )",
        f"{CASES} row 2: column team_tz is NULL or blank",
        "fix the case in the export", loaded=True,
    )


def test_unknown_case_type_or_tier_fails_naming_file_row_value_and_seed(raw: Path, tmp_path: Path) -> None:
    """A case type or tier not in the seeds (a typo, or one the team did not list yet) would
    be a group of its own in the marts with no SLA target: the build fails (so it is logged
    incomplete and nothing is published), naming the file, the row, the value (as staged: upper
    case, trimmed) and the seed to add it to. (The test depends on the seed too, so dbt does not
    skip the models downstream of the cases that do not read the seed.)"""
    set_rows(raw, CASES, {0: {"case_type": "audit "}, 1: {"tier": "TIER_4"}})
    b = build(raw, tmp_path)
    assert b.returncode != 0 and "Traceback" not in b.output
    for test, line in [
        ("stg_cases_case_type_is_in_seed_case_types",
         f"{CASES} row 0: case_type 'AUDIT' is not in seeds/case_types.csv - add it there if it is one of the"
         " team's, or fix the case in the export and re-deliver the file"),
        ("stg_cases_tier_is_in_seed_tiers", f"{CASES} row 1: tier 'TIER_4' is not in seeds/tiers.csv - add it there"),
    ]:
        assert f"Failure in test {test} " in b.output and f"Failure in {test} (" in b.output, b.output[-4000:]
        assert line in b.output, b.output[-4000:]


def test_unknown_team_fails_naming_file_row_and_team(raw: Path, tmp_path: Path) -> None:
    """A case naming a team missing from seeds/team_schedules.csv would have no schedule to be
    measured on: the build fails, naming the file, the row, the team and the seed to add it to.
    (The file gains the optional column team_id, as a team's export with teams has it.)"""
    t = read(raw, CASES)
    teams = [None] * t.num_rows
    teams[2] = "nowhere"
    write(raw, CASES, t.append_column("team_id", pa.array(teams, pa.string())))
    b = build(raw, tmp_path)
    assert b.returncode != 0 and "Traceback" not in b.output
    test = "stg_cases_team_id_is_in_seed_team_schedules"
    assert f"Failure in test {test} " in b.output and f"Failure in {test} (" in b.output, b.output[-4000:]
    assert f"{CASES} row 2: team_id 'nowhere' is not in seeds/team_schedules.csv" in b.output, b.output[-4000:]


def test_case_of_a_team_in_another_zone_fails_naming_file_row_and_zone(raw: Path, tmp_path: Path) -> None:
    """A case without a team runs on the `default` schedule (var business_time_zone): a team_tz
    elsewhere means the export and the configuration disagree, and the case would be measured on
    the wrong clock. The build stops before the clocks, naming the file, the row, the case, both
    zones and what to do."""
    (case_id,) = read(raw, CASES)["case_id"].to_pylist()[3:4]
    set_rows(raw, CASES, {3: {"team_tz": "America/New_York"}})
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "assert_cases_use_their_team_time_zone",
        f"{CASES} row 3: case {case_id} has team_tz 'America/New_York', but its clocks run in"
        " America/Los_Angeles (var business_time_zone: the case has no team_id)",
        "fix team_tz in the export and re-deliver the file", loaded=True,
    )


def test_files_of_one_table_with_different_accepted_types_keep_their_values(
        raw: Path, tmp_path: Path, baseline: Build) -> None:
    """Files are read by column name with a common type (union_by_name): a first file with
    whole-number agents or shrinkage must not round the other files' fractions (DuckDB would
    otherwise cast every file to the first file's types)."""
    staffing = raw / "staffing_schedule"
    (only,) = list(staffing.glob("*.parquet"))
    t = pq.read_table(only)
    only.unlink()
    first = t.slice(0, 2)
    first = set_column(first, "effective_agents", pc.cast(pc.round(first["effective_agents"]), pa.int32()))
    first = set_column(first, "shrinkage", pa.array([0, 0], pa.int8()))
    pq.write_table(first, staffing / "a_first.parquet")
    pq.write_table(t.slice(2), staffing / "b_rest.parquet")
    b = build(raw, tmp_path)
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


def test_implausible_staffing_numbers_fail_the_build(raw: Path, tmp_path: Path) -> None:
    """Negative or NULL agents, a NULL or NaN shrinkage, more effective than planned agents, a
    shift delivered twice: the build fails at the staging tests that check them, before
    congestion_daily is built, naming the file, the row, the values and what to do."""
    (rel,) = [str(f.relative_to(raw)) for f in (raw / "staffing_schedule").glob("*.parquet")]
    set_rows(raw, rel, {0: {"planned_agents": -5, "effective_agents": -4.0}, 1: {"shrinkage": None},
                        2: {"effective_agents": 99.0}, 3: {"shrinkage": float("nan")}})
    t = read(raw, rel)
    write(raw, rel, pa.concat_tables([t, t.slice(5, 1)]))  # row 5 again, as the last row
    day, shift = t["schedule_date"][5].as_py(), t["shift"][5].as_py()
    b = build(raw, tmp_path)
    assert b.returncode != 0 and "Traceback" not in b.output
    assert "FAIL 4 staffing_numbers_are_plausible" in b.output, b.output[-3000:]
    fix = "- fix the row in the staffing export and re-deliver the file"
    for row, values in [(0, "(planned_agents -5, shrinkage "), (1, "shrinkage NULL"), (2, "effective_agents 99.0)"),
                        (3, "shrinkage nan")]:
        line = next((x for x in b.output.splitlines() if f"{rel} row {row}: staffing numbers out of range" in x), "")
        assert values in line and line.endswith(fix), (row, line, b.output[-3000:])
    assert (f"schedule_date {day}, shift {shift} is delivered 2 times ({rel} row 5, {rel} row {t.num_rows})"
            " - deliver it once") in b.output, b.output[-3000:]
    assert "congestion_daily" not in b.query("select table_name from information_schema.tables")


def test_staffing_schedule_missing_business_days_fails_naming_them(raw: Path, tmp_path: Path) -> None:
    """A business day on which cases arrived but the staffing schedule has no row would show
    in congestion_daily with no agents: the build fails at the test whose rows are the
    dates. A weekend day without a schedule is fine (a team that does not work weekends)."""
    (rel,) = [str(f.relative_to(raw)) for f in (raw / "staffing_schedule").glob("*.parquet")]
    t = read(raw, rel)
    tuesdays, saturday = [date(2025, 10, 14), date(2025, 10, 21)], date(2025, 10, 18)
    gone = [*tuesdays, saturday]
    write(raw, rel, t.filter(pc.invert(pc.is_in(t["schedule_date"], pa.array(gone)))))
    assert raw_query(raw, """select count(distinct cast(timezone('America/Los_Angeles', intake_ts) as date))
        from {cases} where list_contains(?, cast(timezone('America/Los_Angeles', intake_ts) as date))""",
                     [gone]) == [(3,)]  # cases arrived on each of them
    b = build(raw, tmp_path)
    assert b.returncode != 0 and "Traceback" not in b.output
    assert "FAIL 2 assert_staffing_covers_data" in b.output, b.output[-3000:]
    for day in tuesdays:
        assert (f"staffing_schedule has no row for business day {day}, on which cases arrived - add the day's"
                " shifts to the staffing export") in b.output, b.output[-3000:]
    with duckdb.connect(str(b.db), read_only=True) as con:
        sql = (_SHARED["target"] / "compiled/ops_sla/tests/assert_staffing_covers_data.sql").read_text()
        assert [r[0] for r in con.execute(sql).fetchall()] == tuesdays


def test_intake_after_the_last_folder_date_needs_no_staffing_yet(raw: Path, tmp_path: Path) -> None:
    """The contract accepts an intake up to the day after its folder's date; the staffing
    schedule is delivered up to the newest folder's date. Such a case must not fail the
    build for want of the next day's schedule: that day shows in congestion_daily with no
    agents."""
    last_folder = "2025-11-30"
    (rel,) = [str(f.relative_to(raw)) for f in (raw / "staffing_schedule").glob("*.parquet")]
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


def test_instants_written_at_nanosecond_precision_are_accepted(raw: Path, tmp_path: Path, baseline: Build) -> None:
    """pandas writes datetime64[ns, UTC] as a UTC-adjusted nanosecond timestamp (DuckDB type
    TIMESTAMPTZ_NS): an instant like any other, read to the microsecond. (A naive one is
    refused: see the wrong-type test.)"""
    t = read(raw, EVENTS)
    for name in ("event_ts", "ingestion_ts"):
        t = set_column(t, name, pc.cast(t[name], pa.timestamp("ns", tz="UTC")))
    write(raw, EVENTS, t)
    t = read(raw, CASES)
    write(raw, CASES, set_column(t, "intake_ts", pc.cast(t["intake_ts"], pa.timestamp("ns", tz="UTC"))))
    assert "TIMESTAMPTZ_NS" in {r[0] for r in raw_query(
        raw, f"select duckdb_type from parquet_schema('{raw / EVENTS}') where name = 'event_ts'")}
    b = build(raw, tmp_path)
    assert_nothing_lost(b, set())
    pd.testing.assert_frame_equal(case_sla(b), case_sla(baseline))


def test_unknown_status_is_quarantined(raw: Path, tmp_path: Path, baseline: Build) -> None:
    rows = clean_rows(baseline, EVENTS, 3)
    set_rows(raw, EVENTS, dict(zip(rows, [{"status": "ESCALATED_TO_MARS"}, {"status": None}, {"status": ""}],
                                   strict=True)))
    b = build(raw, tmp_path)
    assert_nothing_lost(b, {(EVENTS, r, "UNKNOWN_STATUS") for r in rows})


def test_events_for_unknown_cases_are_quarantined(raw: Path, tmp_path: Path, baseline: Build) -> None:
    rows = clean_rows(baseline, EVENTS, 3)
    set_rows(raw, EVENTS, dict(zip(rows, [{"case_id": "SR-NO-SUCH-CASE"}, {"case_id": None}, {"case_id": "  "}],
                                   strict=True)))
    b = build(raw, tmp_path)
    assert_nothing_lost(b, {(EVENTS, r, "UNKNOWN_CASE") for r in rows})


def test_file_delivered_twice_counts_once(raw: Path, tmp_path: Path, baseline: Build) -> None:
    """The events file again in the next day's partition, the cases file again in its own."""
    again = EVENTS.replace(f"{DAY}/part-0", "2025-10-16/part-1")
    shutil.copy(raw / EVENTS, raw / again)
    shutil.copy(raw / CASES, raw / CASES.replace("part-0", "part-1"))
    b = build(raw, tmp_path)
    assert_nothing_lost(b, set())
    n = read(raw, EVENTS).num_rows
    assert b.query("select raw_rows, clean_rows, duplicate_rows from marts.event_reconciliation "
                   "where source_file = ?", [again]) == [(n, 0, n)]
    # not one number moves; the cases of the file say they were delivered twice
    pd.testing.assert_frame_equal(case_sla(b, "delivered_copies"), case_sla(baseline, "delivered_copies"))
    twice = {r[0] for r in b.query("select case_id from marts.case_sla where delivered_copies = 2")}
    assert twice == set(read(raw, CASES)["case_id"].to_pylist())
    for mart in ("sla_daily", "sla_by_tier_case_type", "driver_stage_durations"):
        sql = f"select * from marts.{mart} order by all"
        pd.testing.assert_frame_equal(b.df(sql), baseline.df(sql), obj=mart)


def test_partition_folders_linked_from_elsewhere_are_loaded(raw: Path, tmp_path: Path, baseline: Build) -> None:
    """A partition folder that is a symbolic link (DuckDB's `*` follows it, its `**` does not)
    is listed, checked and loaded like any other: the build equals the one without links."""
    for rel in (EVENTS, CASES):
        folder = (raw / rel).parent
        moved = tmp_path / "elsewhere" / folder.parent.name / folder.name
        moved.parent.mkdir(parents=True)
        shutil.move(folder, moved)
        folder.symlink_to(moved, target_is_directory=True)
    b = build(raw, tmp_path / "build")
    assert_nothing_lost(b, set())
    assert b.query("select count(*) from raw.raw_events_log where source_file = ?", [EVENTS]) != [(0,)]
    pd.testing.assert_frame_equal(case_sla(b), case_sla(baseline))


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
    (staffing,) = [str(f.relative_to(raw)) for f in (raw / "staffing_schedule").glob("*.parquet")]
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


def test_implausible_event_timestamps_are_quarantined_or_imputed(raw: Path, tmp_path: Path, baseline: Build) -> None:
    rows = clean_rows(baseline, EVENTS, 5)
    ingested = read(raw, EVENTS)["ingestion_ts"][rows[4]].as_py()
    set_rows(raw, EVENTS, {
        rows[0]: {"event_ts": _utc(1970, 1, 1)},                       # epoch zero
        rows[1]: {"event_ts": _utc(2100, 1, 1)},                       # far future
        rows[2]: {"event_ts": None},                                   # NaT: imputed from ingestion
        rows[3]: {"event_ts": None, "ingestion_ts": None},             # NaT twice: nothing to go on
        rows[4]: {"event_ts": ingested + timedelta(days=2), "ingestion_ts": ingested},  # after ingestion
    })
    b = build(raw, tmp_path)
    assert_nothing_lost(b, {(EVENTS, rows[0], "TS_OUT_OF_RANGE"), (EVENTS, rows[1], "TS_OUT_OF_RANGE"),
                            (EVENTS, rows[3], "MISSING_TIMESTAMPS"), (EVENTS, rows[4], "EVENT_AFTER_INGESTION")})
    sql = "select imputed_time_rows from marts.event_reconciliation where source_file = ?"
    assert b.query(sql, [EVENTS])[0][0] == baseline.query(sql, [EVENTS])[0][0] + 1


def test_implausible_intake_timestamps_fail_naming_file_and_column(raw: Path, tmp_path: Path) -> None:
    """A case has no quarantine (every raw case must reach case_sla) and no clock without a
    plausible intake: the build stops and names the file, the column and an example (an intake
    after the day following its file's date too: it would become the as-of instant)."""
    set_rows(raw, CASES, {0: {"intake_ts": _utc(1970, 1, 1)}, 1: {"intake_ts": _utc(2100, 1, 1)},
                          2: {"intake_ts": None}, 3: {"intake_ts": _utc(2026, 3, 1, 12)}})
    set_rows(raw, CASES.replace("10-15", "10-16"), {0: {"case_id": "   "}})
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "raw_case_not_measurable",
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


def test_case_filed_far_from_its_intake_date_fails_naming_file_row_case_and_dates(raw: Path, tmp_path: Path) -> None:
    """A case filed under an intake_date months after its intake (a late delivery filed under
    the day it was sent, or a wrong stamp) would open a day months back in every mart and ask
    for staffing nobody delivered: the build stops at the raw check, naming the file, the row,
    the case, both dates and the fix. The day before the folder's date is tolerated (folders
    dated in UTC put Los Angeles' evening intakes under the next date), and so is a case
    delivered again under a later date (a re-delivery: its first copy is filed under its own)."""
    case_ids = read(raw, CASES)["case_id"].to_pylist()
    set_rows(raw, CASES, {0: {"intake_ts": _utc(2025, 6, 2, 16)},        # 09:00 in Los Angeles, June 2
                          1: {"intake_ts": _utc(2025, 10, 15, 3, 30)}})  # 20:30 in Los Angeles, Oct 14
    earlier = "cases/intake_date=2025-10-02/part-0.parquet"
    redelivered = CASES.replace("part-0", "part-1")
    write(raw, redelivered, read(raw, earlier).slice(0, 1))
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "raw_case_not_measurable",
        f"{CASES} row 0: column intake_ts is before the day preceding the file's intake_date ({DAY}) "
        f"(value: 2025-06-02 16:00:00+00): case {case_ids[0]} opened on 2025-06-02 (America/Los_Angeles), "
        f"135 days before its folder's date {DAY} - file the case under cases/intake_date=2025-06-02/ "
        "(in a new file), or fix its intake_ts, and re-deliver it",
        loaded=True,
    )
    assert f"{CASES} row 1:" not in b.output and redelivered not in b.output, b.output[-4000:]
    assert "FAIL 1 raw_case_not_measurable" in b.output, b.output[-4000:]


def test_event_ingested_in_2100_is_quarantined(raw: Path, tmp_path: Path, baseline: Build) -> None:
    """A plausible event time but an ingestion time beyond the calendar: the row is
    implausible as a whole - quarantined, and it does not become the data's as-of instant."""
    (row,) = clean_rows(baseline, EVENTS, 1)
    set_rows(raw, EVENTS, {row: {"ingestion_ts": _utc(2100, 1, 1)}})
    b = build(raw, tmp_path)
    assert_nothing_lost(b, {(EVENTS, row, "TS_OUT_OF_RANGE")})
    assert b.query("select as_of_ts_local from marts.data_as_of") == baseline.query(
        "select as_of_ts_local from marts.data_as_of")


def test_event_stamped_months_after_its_file_date_is_quarantined(raw: Path, tmp_path: Path,
                                                                  baseline: Build) -> None:
    """Event and ingestion time five months after the data (inside the calendar, so no range
    check rejects them) in a file filed under an earlier date: a bad stamp, quarantined - it
    would otherwise become the as-of instant and age every open case by five months."""
    (row,) = clean_rows(baseline, EVENTS, 1)
    (latest,) = raw_query(raw, "select max(ingestion_ts) from {events}")[0]
    future = latest + timedelta(days=150)
    set_rows(raw, EVENTS, {row: {"event_ts": future, "ingestion_ts": future}})
    b = build(raw, tmp_path)
    assert_nothing_lost(b, {(EVENTS, row, "TS_AFTER_FILE_DATE")})
    assert b.query("select as_of_ts_local from marts.data_as_of") == baseline.query(
        "select as_of_ts_local from marts.data_as_of")


def test_events_file_filed_under_an_earlier_date_fails(raw: Path, tmp_path: Path) -> None:
    """A whole events file ingested three days after its folder's date is misfiled, not a
    few bad stamps: the build fails at the test that names it, instead of quarantining the
    day's events and publishing SLA numbers without them."""
    t = pq.read_table(raw / EVENTS)
    later = {name: pc.add(t[name], pa.scalar(timedelta(days=3), pa.duration("us")))
             for name in ("event_ts", "ingestion_ts")}
    for name, col in later.items():
        t = t.set_column(t.schema.get_field_index(name), name, col)
    pq.write_table(t, raw / EVENTS)
    b = build(raw, tmp_path)
    assert b.returncode != 0 and "Traceback" not in b.output
    assert "FAIL 1 assert_event_files_are_filed_under_their_date" in b.output
    assert f"- {EVENTS}: " in b.output, b.output[-3000:]
    assert (f" of its {t.num_rows} rows were ingested after the day following its folder's ingestion_date - the"
            " file is filed under the wrong date: move it to the folder") in b.output, b.output[-3000:]


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


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "garbled_footer", "damaged_values"])
def test_corrupt_parquet_file_fails_naming_the_file(raw: Path, tmp_path: Path, damage: str) -> None:
    rel = {"truncated": EVENTS, "garbage": CASES, "empty": "staffing_schedule/staffing_schedule.parquet",
           "garbled_footer": CASES, "damaged_values": EVENTS}[damage]
    data = (raw / rel).read_bytes()
    if damage == "damaged_values":
        damage_values_not_schema(raw / rel)
    else:
        (raw / rel).write_bytes({"truncated": data[: len(data) // 2], "garbage": b"<html>502 Bad Gateway</html>",
                                 "empty": b"", "garbled_footer": garble_footer(data)}[damage])
    if damage in ("garbled_footer", "damaged_values"):  # DuckDB's own error for it names no file
        error = duckdb_error("select * from read_parquet(?)", raw / rel)
        assert error is not None and rel not in error
    b = build(raw, tmp_path)
    assert_stopped_early(b, "raw_file_unreadable", f"{rel}: not a readable parquet file", "deliver it again")


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
    proc = run_dbt(["build", "--full-refresh"], {**dbt_env(raw, db, target), "DBT_PROFILES_DIR": str(profiles)},
                   check=False)
    b = Build(raw, db, target, proc.returncode, proc.stdout + proc.stderr)
    assert b.returncode != 0 and "Traceback" not in b.output
    assert "Compilation Error in model raw_file_listing" in b.output
    for said in ("the dbt profile does not load the plugin ops_sla.duckdb_plugin",
                 "the function ops_sla_check_parquet_files", "add plugins: [{module: ops_sla.duckdb_plugin}]"):
        assert said in b.output, b.output[-3000:]
    assert set(built_models(b)) <= SEED_VIEWS  # the inventory stopped at compilation


def test_calendar_not_covering_the_data_fails_naming_both_ranges(raw: Path, tmp_path: Path) -> None:
    t = read(raw, CALENDAR)
    write(raw, CALENDAR, t.filter(pc.less(t["calendar_date"], pa.scalar(date(2025, 11, 1)))))
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "raw_calendar_does_not_cover_partitions",
        "calendar_dim covers 2024-12-01..2025-10-31 but the events_log partitions run 2025-10-01..2025-11-30",
        "extend calendar_dim", loaded=True,
    )


def test_as_of_outside_the_calendar_fails_naming_it(generated: Path, tmp_path: Path) -> None:
    """An as-of instant the business calendar does not cover (var as_of past calendar_dim's last
    date) leaves open cases without a clock: the build fails at assert_calendar_covers_data,
    whose printed rows name the instant, its local date, the calendar's dates and what to do
    (not a bare count)."""
    b = build(generated, tmp_path, "--vars", '{as_of: "2027-02-01 10:00"}')
    assert b.returncode != 0 and "Traceback" not in b.output
    assert "Failure in assert_calendar_covers_data (1 rows in " in b.output, b.output[-4000:]
    assert ("- var as_of (2027-02-01 10:00) is 2027-02-01 18:00:00+00 (local date 2027-02-01 in America/Los_Angeles),"
            " outside the business calendar (calendar_dim as loaded: 2024-12-01..2026-12-31) - set var as_of inside"
            " the calendar, or deliver calendar_dim rows up to 2027-02-01 (then `make build`)") in b.output, \
        b.output[-4000:]


def test_every_file_under_the_raw_folder_is_loaded_or_named(raw: Path, tmp_path: Path) -> None:
    """No file is left out silently (issue 27): a `.PARQUET` or `.pq` file the models would not
    read, a stray file at the root, one a level too deep each fail the build naming it and the
    fix; a file ignored on purpose (a name starting with `_` or `.`) is named by a warning."""
    shutil.copy(raw / CASES, raw / CASES.replace("part-0.parquet", "part-1.PARQUET"))
    shutil.copy(raw / EVENTS, raw / EVENTS.replace("part-0.parquet", "part-1.pq"))
    (raw / "notes.csv").write_text("a,b\n")
    deeper = raw / EVENTS.replace("part-0.parquet", "extra/part-2.parquet")
    deeper.parent.mkdir()
    shutil.copy(raw / EVENTS, deeper)
    (raw / "cases" / "_SUCCESS").write_text("")
    (raw / "events_log" / ".DS_Store").write_bytes(b"\0")
    b = build(raw, tmp_path)
    assert_stopped_early(
        b, "raw_file_not_read",
        f"{CASES.replace('part-0.parquet', 'part-1.PARQUET')}: not read: the models read only files named "
        "<name>.parquet (lower case) - rename it to part-1.parquet",
        f"{EVENTS.replace('part-0.parquet', 'part-1.pq')}: not read: the models read only files named "
        "<name>.parquet (lower case) - rename it to part-1.parquet",
        "notes.csv: not read: the raw folder holds only the folders cases, events_log, staffing_schedule and "
        "calendar_dim",
        f"{EVENTS.replace('part-0.parquet', 'extra/part-2.parquet')}: not read: the models read only "
        "events_log/ingestion_date=YYYY-MM-DD/<name>.parquet",
    )
    assert "Warning in test raw_file_ignored " in b.output
    for ignored in ("cases/_SUCCESS", "events_log/.DS_Store"):
        assert f"{ignored}: ignored (its name or a folder's starts with . or _)" in b.output
    # (the generator's own marker, .ops_sla_generator.json, is listed as ignored and not named)
    rows = b.query("select source_file, disposition from raw.raw_file_inventory where disposition <> 'read' "
                   "and source_file <> '.ops_sla_generator.json' order by source_file")
    assert len(rows) == 6 and {d for _, d in rows} == {"ignored", "not read"}


def test_files_ignored_on_purpose_only_warn(raw: Path, tmp_path: Path, baseline: Build) -> None:
    (raw / "cases" / "_SUCCESS").write_text("")
    (raw / "events_log" / f"ingestion_date={DAY}" / ".part-0.parquet.crc").write_bytes(b"\1\2")
    b = build(raw, tmp_path)
    assert_nothing_lost(b, set())
    assert "Warning in test raw_file_ignored " in b.output
    assert f"events_log/ingestion_date={DAY}/.part-0.parquet.crc: ignored" in b.output
    pd.testing.assert_frame_equal(case_sla(b), case_sla(baseline))


def _with_invalid_utf8(table: pa.Table, column: str, row: int) -> pa.Table:
    """`table` with the text of `column` at `row` replaced by bytes that are not UTF-8."""
    values = [v.encode() if v is not None else b"" for v in table[column].to_pylist()]
    values[row] = b"\xff\xfe" + values[row]
    offsets = pa.py_buffer(np.cumsum([0] + [len(v) for v in values]).astype(np.int32).tobytes())
    text = pa.StringArray.from_buffers(len(values), offsets, pa.py_buffer(b"".join(values)))
    return set_column(table, column, text)


def test_invalid_utf8_stops_the_build_naming_file_and_column(raw: Path, tmp_path: Path) -> None:
    write(raw, EVENTS, _with_invalid_utf8(read(raw, EVENTS), "status", 3))
    b = build(raw, tmp_path)
    assert_stopped_early(b, "raw_file_unreadable", f"{EVENTS}: not a readable parquet file (column status holds "
                         "text that is not valid UTF-8")


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
    proc = run_daily(dbt_env(raw, b.db, target), check=False)
    daily = Build(raw, b.db, target, proc.returncode, proc.stdout + proc.stderr)
    assert_stopped_early(daily, "raw_file_unreadable",
                         f"{new}: not a readable parquet file (column case_id holds text that is not valid UTF-8")
    assert daily.query("select count(*) from raw.raw_events_log") == [(events_before,)]
    for mart, df in before.items():
        pd.testing.assert_frame_equal(daily.df(f"select * from marts.{mart} order by all"), df, obj=mart)
