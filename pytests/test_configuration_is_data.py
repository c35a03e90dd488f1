"""Configuration is data (issue 27, 1): after a team changes a setting the README tells it
to set, or brings data of another period, the documented full build - unit tests included -
passes. Unit tests pin their own settings and inputs (overrides, given rows), so they hold
whatever dbt_project.yml says.

Each case is one full `dbt build --full-refresh` on 1,500 generated cases; the settings a
team changes (zone, opening and closing time, weekdays, holidays, period) are spread over two
builds.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, dbt_env, run_dbt, run_generator
from team_export import team_project


@dataclass(frozen=True)
class Setting:
    generator_args: tuple[str, ...]
    vars: dict
    zone: str
    open_close: tuple[str, str]
    weekdays: tuple[int, ...]


SMALL = ("--cases", "1500", "--start", "2025-10-01", "--end", "2025-11-30")
# Each setting a team changes is changed in one of two builds (a build per setting cost ~70 s
# each; a unit test that read any of them from the warehouse fails the build it is changed in)
SETTINGS = {
    # another zone, other opening and closing times, other weekdays, another period
    "new_york_9_to_5_mon_to_thu_2026_q1": Setting(
        ("--cases", "1500", "--start", "2026-01-05", "--end", "2026-03-31", "--team-tz", "America/New_York"),
        {"business_time_zone": "America/New_York", "business_day_open": "09:00", "business_day_close": "17:00",
         "business_weekdays": [1, 2, 3, 4]},
        "America/New_York", ("09:00", "17:00"), (1, 2, 3, 4)),
    # another zone across the Atlantic, its own holidays, only the closing time changed
    "london_close_17": Setting(
        (*SMALL, "--team-tz", "Europe/London", "--holiday-country", "GB", "--holiday-subdiv", "ENG"),
        {"business_time_zone": "Europe/London", "business_day_close": "17:00"},
        "Europe/London", ("08:00", "17:00"), (1, 2, 3, 4, 5)),
}


@pytest.mark.parametrize("name", list(SETTINGS))
def test_full_build_passes_after_a_settings_change(name: str, tmp_path: Path) -> None:
    setting = SETTINGS[name]
    raw, db, target = tmp_path / "raw", tmp_path / "ops_sla.duckdb", tmp_path / "target"
    run_generator(raw, *setting.generator_args)
    env = dbt_env(raw, db, target, OPS_SLA_THREADS="1")
    run_dbt(["build", "--full-refresh", "--vars", json.dumps(setting.vars)], env)

    results = json.loads((target / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 8 and {r["status"] for r in unit_tests} == {"pass"}, unit_tests

    # the settings reached the business calendar
    with duckdb.connect(str(db), read_only=True) as con:
        hours = con.execute(
            "select distinct strftime(timezone(?, open_at), '%H:%M'), strftime(timezone(?, close_at), '%H:%M')"
            " from intermediate.int_business_calendar where is_business_day", [setting.zone, setting.zone]).fetchall()
        weekdays = con.execute("select distinct iso_weekday from intermediate.int_business_calendar"
                               " where is_business_day order by 1").fetchall()
        zones = con.execute("select distinct time_zone from marts.data_as_of").fetchall()
    assert hours == [setting.open_close]
    assert tuple(w for (w,) in weekdays) == setting.weekdays
    assert zones == [(setting.zone,)]
    shutil.rmtree(raw)


def test_index_fixture_equals_the_models_index(warehouse, tmp_path: Path) -> None:
    """The unit tests' business-time index (macro business_time_index_fixture) is the index
    the models build, for the same calendar (here the small data set's whole calendar)."""
    with warehouse.connect() as con:
        first, last, holidays = con.execute(
            "select min(calendar_date)::varchar, max(calendar_date)::varchar,"
            " list(calendar_date::varchar order by calendar_date) filter (where is_holiday)"
            " from intermediate.int_business_calendar").fetchone()
    call = (f"{{{{ ops_sla.business_time_index_fixture('{first}', '{last}', 'America/Los_Angeles', "
            f"'08:00', '18:00', [1, 2, 3, 4, 5], {holidays!r}) }}}}")
    proc = run_dbt(["compile", "--quiet", "--inline", call], warehouse.env(DBT_TARGET_PATH=str(tmp_path / "target")))
    sql = proc.stdout.strip()
    with warehouse.connect() as con:
        con.execute(f"create temp table fixture as {sql}")
        only_fixture = con.execute(
            "select count(*) from (from fixture except all"
            " from intermediate.int_business_time_index where schedule_id = 'default')").fetchone()
        only_model = con.execute(
            "select count(*) from (from intermediate.int_business_time_index where schedule_id = 'default'"
            " except all from fixture)").fetchone()
        rows = con.execute("select count(*), min(bucket_count) from fixture").fetchone()
    assert rows[0] == 1 and rows[1] > 50_000
    assert (only_fixture, only_model) == ((0,), (0,))


def test_settings_file_of_an_earlier_version_stops_the_build_naming_its_missing_column(
        warehouse, tmp_path: Path) -> None:
    """A team's sla_targets.csv written before effective dating (no valid_from column): the
    seed's check names the file and the column, and the models that read it are skipped, not
    failed with a binder error (the seed's tests that name the column fail with one: tests, not
    models)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    rows = (ROOT / "seeds" / "sla_targets.csv").read_text().splitlines()
    assert rows[0].endswith(",valid_from")
    (seeds / "sla_targets.csv").write_text("\n".join(row.rsplit(",", 1)[0] for row in rows) + "\n")
    project = team_project(tmp_path / "project", {}, seeds)
    env = dbt_env(warehouse.raw, tmp_path / "ops_sla.duckdb", tmp_path / "target",
                  DBT_PROJECT_DIR=str(project), DBT_PROFILES_DIR=str(project))
    proc = run_dbt(["build", "--full-refresh"], env, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "seed sla_targets (seeds/sla_targets.csv) has no column valid_from" in out, out[-3000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    status = {r["unique_id"]: r["status"] for r in results}
    failed = {node for node, s in status.items() if s in ("fail", "error")}
    assert any(node.startswith("test.ops_sla.seed_has_its_columns_sla_targets") for node in failed), failed
    assert status["model.ops_sla.int_case_sla"] == "skipped"
    assert not any(node.startswith("model.") for node in failed), failed
