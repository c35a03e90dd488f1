"""The analyst's questions in analyses/ compile and run against the built warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Warehouse, run_dbt

ANALYSES = ["bottleneck_deep_dive", "policy_sensitivity"]


def compiled_sql(warehouse: Warehouse, name: str, target: Path) -> str:
    # own target path: the shared warehouse's run_results.json must stay the build's
    run_dbt(["compile", "--select", name], warehouse.env(DBT_TARGET_PATH=str(target)))
    return next((target / "compiled").rglob(f"{name}.sql")).read_text()


@pytest.mark.parametrize("name", ANALYSES)
def test_analysis_runs(warehouse: Warehouse, name: str, tmp_path: Path) -> None:
    rows = warehouse.query(compiled_sql(warehouse, name, tmp_path))
    assert rows, f"{name} returned no rows"


def test_policy_sensitivity_matches_the_mart(warehouse: Warehouse, tmp_path: Path) -> None:
    sql = compiled_sql(warehouse, "policy_sensitivity", tmp_path)
    got = {(t, c): (n, inc, paused) for t, c, n, inc, paused, *_ in warehouse.query(sql)}
    mart = warehouse.query(
        "select tier, case_type, resolved_cases, sla_a_breach_rate_including_wait, sla_a_breach_rate_paused_wait "
        "from marts.sla_by_tier_case_type where not is_rollup")
    assert len(mart) == len(got)
    for tier, case_type, n, inc, paused in mart:
        g = got[(tier, case_type)]
        assert g[0] == n and abs(g[1] - inc) < 1e-12 and abs(g[2] - paused) < 1e-12


def test_bottleneck_deep_dive_reads_its_tier_from_the_seed_or_the_var(warehouse: Warehouse, tmp_path: Path) -> None:
    """No literal tier: by default the last tier of seed tiers by display_order (a team's own
    tiers work), or the tier var deep_dive_tier names."""
    (last,) = warehouse.query("select tier from reference.tiers order by display_order desc limit 1")[0]
    sql = compiled_sql(warehouse, "bottleneck_deep_dive", tmp_path / "default")
    assert "'TIER_" not in sql  # no literal tier (the comments may name the demo's)
    assert {row[0] for row in warehouse.query(sql)} == {last}
    run_dbt(["compile", "--select", "bottleneck_deep_dive", "--vars", "{deep_dive_tier: tier_1}"],
            warehouse.env(DBT_TARGET_PATH=str(tmp_path / "var")))
    sql = next((tmp_path / "var" / "compiled").rglob("bottleneck_deep_dive.sql")).read_text()
    assert {row[0] for row in warehouse.query(sql)} == {"TIER_1"}
