"""dbt docs: the Tableau dashboard is an exposure on the marts, and the docs site shows it (headless Chromium)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml
from browser import dump_dom, serve_directory
from conftest import ROOT, Warehouse, run_dbt

EXPOSURE = "exposure.ops_sla.sla_dashboard"
EXPOSURE_LABEL = "SLA dashboard (Tableau)"
DASHBOARD_MARTS = ["sla_daily", "sla_by_tier_case_type", "driver_stage_durations", "scenario_results", "case_sla",
                   "sla_by_team", "sla_at_risk_queue"]


@pytest.fixture(scope="module")
def docs_target(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt docs generate` on a copy of the test warehouse, into its own target folder."""
    base = tmp_path_factory.mktemp("docs")
    db, target = base / "ops_sla.duckdb", base / "target"
    shutil.copyfile(warehouse.db, db)
    run_dbt(["docs", "generate"], warehouse.env(OPS_SLA_DB=str(db), DBT_TARGET_PATH=str(target),
                                                DBT_LOG_PATH=str(target / "logs")))
    for name in ("index.html", "manifest.json", "catalog.json"):
        assert (target / name).is_file(), name
    return target


def test_exposure_declared_on_the_marts(docs_target: Path) -> None:
    manifest = json.loads((docs_target / "manifest.json").read_text())
    exposure = manifest["exposures"][EXPOSURE]
    assert exposure["type"] == "dashboard"
    assert exposure["label"] == EXPOSURE_LABEL
    assert exposure["owner"]["name"] and exposure["owner"]["email"]
    assert exposure["url"] and exposure["description"]
    assert sorted(exposure["depends_on"]["nodes"]) == sorted(f"model.ops_sla.{m}" for m in DASHBOARD_MARTS)
    for mart in DASHBOARD_MARTS:  # lineage: the exposure is a child of every mart it reads
        assert EXPOSURE in manifest["child_map"][f"model.ops_sla.{mart}"]
        assert manifest["nodes"][f"model.ops_sla.{mart}"]["schema"] == "marts"
    catalog = json.loads((docs_target / "catalog.json").read_text())
    assert {f"model.ops_sla.{m}" for m in DASHBOARD_MARTS} <= set(catalog["nodes"])


def test_exposure_link_reaches_the_dashboard_from_the_docs_site() -> None:
    """`make docs` writes the site to <publish>/docs/ and publishing writes the dashboard to
    <publish>/dashboard/: the exposure's link, followed from the site, must reach it."""
    exposures = yaml.safe_load((ROOT / "models" / "marts" / "_exposures.yml").read_text())["exposures"]
    url = next(e["url"] for e in exposures if e["name"] == EXPOSURE.rsplit(".", 1)[1])
    site = "http://localhost:8080/docs/index.html"  # the publish folder served, as the README says
    assert urljoin(site, url) == "http://localhost:8080/dashboard/index.html", url


def test_docs_site_shows_exposure_and_marts(docs_target: Path) -> None:
    # the docs SPA loads manifest.json and catalog.json by XHR: it must be served over http
    with serve_directory(docs_target) as base:
        exposure_dom = dump_dom(f"{base}/index.html#!/exposure/{EXPOSURE}", budget_ms=15_000)
        model_dom = dump_dom(f"{base}/index.html#!/model/model.ops_sla.sla_daily", budget_ms=15_000)
    # rendered from the manifest (not the page's templates): the label, the description and
    # links to every mart the exposure depends on
    assert EXPOSURE_LABEL in exposure_dom
    assert "replaced only after a passing" in exposure_dom
    linked = set(re.findall(r'href="#!/model/model\.ops_sla\.([a-z_0-9]+)"', exposure_dom))
    assert set(DASHBOARD_MARTS) <= linked, linked
    # the project tree of the docs site lists the exposure and the marts
    tree = set(re.findall(r'data-nav-unique-id="([^"]+)"', model_dom))
    assert EXPOSURE in tree
    assert {f"model.ops_sla.{m}" for m in DASHBOARD_MARTS} <= tree
