"""Every mart built on Spark equals the same mart built on DuckDB, row for row (issue 31).

Two worlds: the default (one team, the vars' schedule) and the global one (five teams on their
own schedules, hand-offs between them). Business time is compared to the microsecond: instants
exactly, minutes as the same DOUBLE; only the interpolated quantiles may differ in the last bit
(spark_tests/parity.py)."""

from __future__ import annotations

import os
import subprocess

import duckdb
from conftest import ROOT, SPARK_DBT, Builds
from parity import QUANTILE_REL_TOL, compare_marts, compare_rows

MARTS = {
    "case_sla", "congestion_daily", "data_as_of", "driver_stage_durations", "event_reconciliation",
    "quarantined_events", "scenario_results", "sla_at_risk_queue", "sla_by_team",
    "sla_by_tier_case_type", "sla_clock_status", "sla_daily", "sla_warning_lead_time",
}


def test_every_mart_is_equal_on_spark(builds: Builds) -> None:
    results = compare_marts(builds.duckdb_file, builds.spark_dir)
    assert {result.mart for result in results} == MARTS
    unequal = [result.describe() for result in results if not result.equal]
    assert not unequal, f"{builds.world} world: marts differ between DuckDB and Spark:\n" + "\n".join(unequal)


def test_the_marts_compared_are_not_empty(builds: Builds) -> None:
    """The comparison is not vacuous: the core marts have rows on both engines."""
    with duckdb.connect(str(builds.duckdb_file), read_only=True) as con:
        counts = dict(con.execute(
            "select 'case_sla', count(*) from marts.case_sla union all "
            "select 'sla_clock_status', count(*) from marts.sla_clock_status union all "
            "select 'scenario_results', count(*) from marts.scenario_results"
        ).fetchall())
    assert counts["case_sla"] == 2000
    assert counts["sla_clock_status"] > 0 and counts["scenario_results"] > 0
    results = {result.mart: result for result in compare_marts(builds.duckdb_file, builds.spark_dir)}
    assert results["case_sla"].spark_rows == 2000


def test_the_comparison_finds_a_changed_value_a_missing_row_and_a_quantile_off_by_more_than_rounding() -> None:
    columns = ["case_id", "business_minutes", "p95_business_minutes"]
    rows = [("A", 1.5, 100.0), ("B", 2.25, 200.0)]
    assert compare_rows("m", columns, rows, list(rows)).equal
    assert not compare_rows("m", columns, rows, [("A", 1.5, 100.0), ("B", 2.2500000000000004, 200.0)]).equal
    assert not compare_rows("m", columns, rows, rows[:1]).equal
    last_bit = 200.0 * (1 + QUANTILE_REL_TOL / 4)
    assert compare_rows("m", columns, rows, [("A", 1.5, 100.0), ("B", 2.25, last_bit)]).equal
    assert not compare_rows("m", columns, rows, [("A", 1.5, 100.0), ("B", 2.25, 200.001)]).equal


def test_a_relative_raw_folder_stops_the_spark_build_with_a_message(tmp_path) -> None:
    """Spark names the files it reads by absolute path, which the raw models make relative to the
    raw folder: a folder given relative would match no file, so the build stops first."""
    env = {**os.environ, "OPS_SLA_RAW_DIR": "data/raw", "OPS_SLA_SPARK_DIR": str(tmp_path / "spark"),
           "DBT_PROFILES_DIR": str(ROOT), "DBT_TARGET_PATH": str(tmp_path / "target"),
           "DBT_LOG_PATH": str(tmp_path / "logs"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run([str(SPARK_DBT), "compile", "-s", "raw_file_listing", "--target", "spark"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    out = done.stdout + done.stderr
    assert done.returncode != 0
    assert "ops-sla on Spark: OPS_SLA_RAW_DIR=data/raw is a relative path" in out, out[-2000:]
    assert not (tmp_path / "spark").exists()  # stopped before Spark started
