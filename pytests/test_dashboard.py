"""Dashboard: five PNGs and one offline HTML page, rendered from the published marts; checked in Chromium."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser import colored_fraction, dump_dom, read_png, screenshot
from conftest import ROOT, Warehouse

from ops_sla import dashboard
from ops_sla import publish as pub

CHART_NAMES = [c.name for c in dashboard.CHARTS]


@pytest.fixture(scope="module")
def published(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("publish")
    pub.publish(warehouse.db, out, warehouse.target / "run_results.json")
    proc = subprocess.run([sys.executable, "-m", "ops_sla.dashboard", "--db", str(out / pub.PUBLISHED_NAME),
                           "--out", str(out / "dashboard")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def page(published: Path) -> Path:
    return published / "dashboard" / "index.html"


def test_five_charts_as_png(published: Path) -> None:
    folder = published / "dashboard"
    assert sorted(p.stem for p in folder.glob("*.png")) == sorted(CHART_NAMES)
    for name in CHART_NAMES:
        pixels = read_png(folder / f"{name}.png")
        height, width = pixels.shape[:2]
        assert 750 <= width <= 1000 and 300 <= height <= 480, (name, width, height)
        assert colored_fraction(pixels) > 0.01, f"{name}.png shows (almost) no chart marks"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_titles_state_findings_from_the_marts(published: Path) -> None:
    specs = dashboard.build_specs(published / pub.PUBLISHED_NAME)
    with pub.connect_read_only(published / pub.PUBLISHED_NAME) as con:
        stage, p95 = con.execute("select stage, p95_business_minutes from marts.driver_stage_durations "
                                 "where grain = 'tier' and tier = 'TIER_3' and is_bottleneck").fetchone()
        top_scenario = con.execute("select scenario_id from marts.scenario_results "
                                   "order by total_hours_saved desc limit 1").fetchone()[0]
        overall = con.execute("select sla_a_breach_rate_including_wait from marts.sla_by_tier_case_type "
                              "where grain = 'all'").fetchone()[0]
    bottleneck_title = specs["tier3_stage_bottleneck"]["title"]["text"]
    assert bottleneck_title.startswith(dashboard.STAGE_LABELS[stage]) and f"{p95:,.0f}" in bottleneck_title
    assert specs["scenario_impact"]["title"]["text"].startswith(top_scenario)
    assert f"{overall:.1%}" in specs["breach_heatmap"]["title"]["text"]
    # the trend's headline peak is read from closed cohorts, not from the still-open tail
    with pub.connect_read_only(published / pub.PUBLISHED_NAME) as con:
        trend = con.execute(dashboard.TREND_SQL).df()
    closed_peak = trend.loc[~trend["censored"], "sla_b"].max()
    assert f"peak at {closed_peak:.0%} " in specs["sla_breach_trend"]["title"]["text"]


def test_html_is_self_contained(page: Path) -> None:
    text = page.read_text()
    assert len(re.findall(r'<div class="chart"', text)) == 5
    assert not re.search(r"<script[^>]+src=", text), "scripts must be inlined"
    assert not re.search(r"<link[^>]+href=", text)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "no external resources (machine is offline)"
    assert "vegaEmbed" in text


def _sections(dom: str) -> dict[str, str]:
    parts = re.split(r'<section id="', dom)[1:]
    return {part.split('"', 1)[0]: part.split("</section>", 1)[0] for part in parts}


def test_page_renders_in_headless_chromium(page: Path, tmp_path: Path) -> None:
    url = page.resolve().as_uri()
    dom = dump_dom(url)
    assert 'data-rendered="error"' not in dom
    sections = _sections(dom)
    assert sorted(sections) == sorted(CHART_NAMES)
    for name, html in sections.items():
        assert "Chart failed" not in html, html[:2000]
        assert 'data-rendered="true"' in html, f"{name} did not render"
        assert "<svg" in html, f"{name}: no SVG"
        marks = re.findall(r'<g class="mark-(rect|line|rule|text|symbol)[^"]*role-mark', html)
        data_paths = re.findall(r"<path[^>]+d=\"M", html)
        assert len(marks) >= 2 and len(data_paths) >= 5, f"{name}: no chart marks ({len(marks)}, {len(data_paths)})"
    assert "bottleneck" in sections["tier3_stage_bottleneck"]

    shot = screenshot(url, tmp_path / "dashboard.png")
    pixels = read_png(shot)
    half = pixels.shape[0] // 2
    assert colored_fraction(pixels[:half]) > 0.02, "top half of the page is blank"
    assert colored_fraction(pixels[half:]) > 0.02, "bottom half of the page is blank"


def test_cli_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "ops_sla.dashboard", "--help"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0 and "--db" in proc.stdout and "--out" in proc.stdout
