"""`dbt build` on the small data set passes every model, data test and unit test."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from conftest import Warehouse, dbt_env, dbt_named, run_dbt


def _results(wh: Warehouse) -> list[dict]:
    return json.loads((wh.target / "run_results.json").read_text())["results"]


def test_build_passes_every_node(warehouse: Warehouse) -> None:
    results = _results(warehouse)
    # exposures have nothing to run: dbt reports them as no-op
    bad = [(r["unique_id"], r["status"]) for r in results
           if r["status"] not in ("success", "pass") and not (r["unique_id"].startswith("exposure.")
                                                            and r["status"] == "no-op")]
    assert not bad
    kinds = Counter(r["unique_id"].split(".")[0] for r in results)
    # the build really ran models, seeds, data tests and unit tests (not an empty selection)
    assert kinds["model"] >= 20 and kinds["seed"] >= 4
    assert kinds["test"] >= 80
    assert kinds["unit_test"] >= 3


def test_marts_are_not_empty(warehouse: Warehouse) -> None:
    for mart in ("case_sla", "sla_daily", "sla_by_tier_case_type", "driver_stage_durations",
                 "congestion_daily", "scenario_results", "event_reconciliation"):
        (n,) = warehouse.query(f"select count(*) from marts.{mart}")[0]
        assert n > 0, mart


def test_case_sla_has_every_generated_case(warehouse: Warehouse) -> None:
    manifest = json.loads((warehouse.truth / "manifest.json").read_text())
    (n,) = warehouse.query("select count(*) from marts.case_sla")[0]
    assert n == manifest["rows"]["cases"]


def _build_fails_with(raw: Path, tmp_path: Path) -> str:
    """The output of building raw_cases and what it depends on (the raw file inventory, whose
    test raw_table_without_files names the missing files): the build fails, no traceback."""
    env = dbt_env(raw, tmp_path / "ops_sla.duckdb", tmp_path / "target")
    proc = run_dbt(["build", "-s", "+raw_cases"], env, check=False)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "Failure in test raw_table_without_files " in out and "Traceback" not in out
    return out


def test_missing_raw_folder_fails_with_path_and_fix(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    out = _build_fails_with(missing, tmp_path)
    assert str(missing) in out
    assert "make data" in out and "ops-sla-generate" in out


def test_empty_raw_folder_fails_with_path_and_fix(tmp_path: Path) -> None:
    empty = tmp_path / "raw"
    (empty / "cases").mkdir(parents=True)
    out = _build_fails_with(empty, tmp_path)
    # the folder as dbt was given it (run_dbt names it relative to the warehouse's folder)
    named = dbt_named(dbt_env(empty, tmp_path / "ops_sla.duckdb", tmp_path / "target"), "OPS_SLA_RAW_DIR")
    assert "no raw parquet files for cases" in out and f"OPS_SLA_RAW_DIR={named}" in out


def test_as_of_may_move_later_never_earlier(warehouse: Warehouse, tmp_path: Path) -> None:
    """var `as_of` later than the data (an export older than today) measures open cases up to
    it; an earlier one would be a mixed snapshot (events after it still count), so the
    build stops at the data test that says so."""
    ((latest,),) = warehouse.query("select data_latest_at from intermediate.int_data_as_of")
    later = latest + timedelta(days=2)
    # without an offset: wall-clock time in the business zone, whatever the session zone
    naive = later.astimezone(ZoneInfo("America/Los_Angeles")).replace(tzinfo=None).isoformat(sep=" ")
    outcomes = {}
    for name, when, session_tz in (("later", later.isoformat(), "UTC"), ("naive", naive, "Asia/Tokyo"),
                                   ("earlier", (latest - timedelta(days=2)).isoformat(), "UTC")):
        env = dbt_env(warehouse.raw, tmp_path / name / "ops_sla.duckdb", tmp_path / name / "target",
                      OPS_SLA_SESSION_TZ=session_tz)
        proc = run_dbt(["build", "--full-refresh", "-s", "+int_data_as_of", "--indirect-selection", "cautious",
                        "--vars", json.dumps({"as_of": when})], env, check=False)
        outcomes[name] = (proc.returncode, proc.stdout)
    for name in ("later", "naive"):
        rc, out = outcomes[name]
        assert rc == 0, out[-3000:]
        with duckdb.connect(str(tmp_path / name / "ops_sla.duckdb"), read_only=True) as con:
            ((as_of,),) = con.execute("select as_of_at from intermediate.int_data_as_of").fetchall()
        assert as_of == later, name
    rc, out = outcomes["earlier"]
    assert rc != 0
    assert "FAIL 1" in out and "as_of_is_not_before_the_data" in out
