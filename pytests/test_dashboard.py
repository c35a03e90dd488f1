"""Dashboard: six PNGs and one offline HTML page, rendered from the published marts; checked in Chromium.

The shared warehouse is the default world (one team): its by-team chart is one line saying so.
The by-team chart itself is checked on a small `--world global` build (five teams, hand-offs).
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from browser import colored_fraction, dump_dom, read_png, screenshot
from conftest import ROOT, Warehouse, dbt_env, run_dbt, run_generator

from ops_sla import dashboard
from ops_sla import publish as pub

CHART_NAMES = [c.name for c in dashboard.CHARTS]
BY_TEAM = "sla_by_team"
# a small global world: five teams on their own schedules, hand-offs between them
GLOBAL_ARGS = ["--world", "global", "--cases", "1500", "--start", "2025-10-01", "--end", "2025-11-10"]


def _publish_with_dashboard(db: Path, target: Path, out: Path) -> str:
    """Publish the warehouse to `out` and render the dashboard from it; returns the dashboard's stdout."""
    pub.publish(db, out, target / "run_results.json")
    proc = subprocess.run([sys.executable, "-m", "ops_sla.dashboard", "--db", str(out / pub.PUBLISHED_NAME),
                           "--out", str(out / "dashboard")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def published(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("publish")
    (out / "stdout.txt").write_text(_publish_with_dashboard(warehouse.db, warehouse.target, out))
    return out


@pytest.fixture(scope="module")
def global_published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Published with its dashboard after a full build of a small `--world global` export."""
    base = tmp_path_factory.mktemp("global_world")
    run_generator(base / "raw", *GLOBAL_ARGS)
    env = dbt_env(base / "raw", base / "ops_sla.duckdb", base / "target")
    run_dbt(["build", "--full-refresh"], env)
    out = base / "publish"
    _publish_with_dashboard(base / "ops_sla.duckdb", base / "target", out)
    return out


@pytest.fixture(scope="module")
def page(published: Path) -> Path:
    return published / "dashboard" / "index.html"


def test_six_charts_as_png(published: Path) -> None:
    folder = published / "dashboard"
    assert sorted(p.stem for p in folder.glob("*.png")) == sorted(CHART_NAMES)
    for name in CHART_NAMES:
        if name == BY_TEAM:  # one team: one line (test_one_team_is_one_line)
            continue
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
    assert len(re.findall(r'<div class="chart"', text)) == len(CHART_NAMES)
    assert not re.search(r"<script[^>]+src=", text), "scripts must be inlined"
    assert not re.search(r"<link[^>]+href=", text)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "no external resources (machine is offline)"
    assert "vegaEmbed" in text


def _assert_marks(name: str, section: str) -> None:
    marks = re.findall(r'<g class="mark-(rect|line|rule|text|symbol)[^"]*role-mark', section)
    data_paths = re.findall(r"<path[^>]+d=\"M", section)
    assert len(marks) >= 2 and len(data_paths) >= 5, f"{name}: no chart marks ({len(marks)}, {len(data_paths)})"


def _drawn_text(section: str) -> str:
    return html.unescape(" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", section)))


def _sections(dom: str) -> dict[str, str]:
    parts = re.split(r'<section id="', dom)[1:]
    return {part.split('"', 1)[0]: part.split("</section>", 1)[0] for part in parts}


def test_page_renders_in_headless_chromium(page: Path, tmp_path: Path) -> None:
    url = page.resolve().as_uri()
    dom = dump_dom(url)
    assert 'data-rendered="error"' not in dom
    sections = _sections(dom)
    assert sorted(sections) == sorted(CHART_NAMES)
    for name, section in sections.items():
        assert "Chart failed" not in section, section[:2000]
        assert 'data-rendered="true"' in section, f"{name} did not render"
        assert "<svg" in section, f"{name}: no SVG"
        if name == BY_TEAM:  # one team: one line of text (test_one_team_is_one_line)
            continue
        _assert_marks(name, section)
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


# --- the by-team chart ----------------------------------------------------------------------


def _teams(db: Path) -> pd.DataFrame:
    with pub.connect_read_only(db) as con:
        return con.execute("select * from marts.sla_by_team where grain = 'team' order by cases desc").df()


def test_one_team_is_one_line(published: Path) -> None:
    """The default world (no team column): one team, so the by-team chart is one line saying so."""
    db = published / pub.PUBLISHED_NAME
    teams = _teams(db)
    assert teams["intake_team_id"].tolist() == ["default"]
    line = (f"This export has one team, {teams.team_name[0]}, with {teams.cases[0]:,} cases: "
            "there is nothing to compare by team.")
    spec = dashboard.build_specs(db)[BY_TEAM]
    assert dashboard.one_line(spec) == line and dashboard.not_enough_data(spec) is None
    assert "title" not in spec, "one line, no chart title"
    assert f"dashboard: {BY_TEAM}: {line}" in (published / "stdout.txt").read_text()
    pixels = read_png(published / "dashboard" / f"{BY_TEAM}.png")
    assert pixels.shape[0] < 80 and colored_fraction(pixels) == 0, "one line of text, no chart"
    page = (published / "dashboard" / "index.html").read_text()
    assert f'<section id="{BY_TEAM}" data-one-line="{html.escape(line)}">' in page
    assert ", 1 intake team)" in re.search(r"<header>(.*?)</header>", page, re.S).group(1)
    section = _sections(dump_dom((published / "dashboard" / "index.html").resolve().as_uri()))[BY_TEAM]
    assert 'data-rendered="true"' in section and _drawn_text(section) == line


def test_by_team_chart_of_a_global_world(global_published: Path, tmp_path: Path) -> None:
    """Five teams from the seed: their names, SLA A (both policies) and SLA B breach rates, cases and
    the share handed off are the mart's; the title names the team breaching SLA A most."""
    db = global_published / pub.PUBLISHED_NAME
    teams = _teams(db)
    assert len(teams) == 5 and teams["handed_off_cases"].sum() > 0
    spec = dashboard.build_specs(db)[BY_TEAM]
    assert dashboard.one_line(spec) is None and dashboard.not_enough_data(spec) is None
    worst = teams.loc[teams["sla_a_breach_rate_including_wait"].idxmax()]
    assert spec["title"]["text"].startswith(f"{worst.team_name} breaches SLA A most: "
                                            f"{worst.sla_a_breach_rate_including_wait:.1%}")
    with pub.connect_read_only(db) as con:
        handed, cases = con.execute("select handed_off_cases, cases from marts.sla_by_team where grain = 'all'"
                                    ).fetchone()
    assert f"{handed:,} of {cases:,} cases ({handed / cases:.1%}) were handed off" in " ".join(
        spec["title"]["subtitle"])

    page = (global_published / "dashboard" / "index.html").resolve().as_uri()
    dom = dump_dom(page)
    sections = _sections(dom)
    assert sorted(sections) == sorted(CHART_NAMES)
    for name, section in sections.items():
        assert 'data-rendered="true"' in section and "not enough data" not in section.lower(), name
        _assert_marks(name, section)
    drawn = _drawn_text(sections[BY_TEAM])
    for team in teams.itertuples():
        assert team.team_name in drawn
        for rate in ("sla_a_breach_rate_including_wait", "sla_a_breach_rate_paused_wait", "sla_b_breach_rate"):
            assert f"{getattr(team, rate):.1%}" in drawn, (team.team_name, rate, drawn)
        assert f"{team.cases:,} ({team.handed_off_cases / team.cases:.0%})" in drawn
    header = re.search(r"<header>(.*?)</header>", dom, re.S)
    assert header and "1,500 cases, 5 intake teams)" in header.group(1)

    pixels = read_png(global_published / "dashboard" / f"{BY_TEAM}.png")
    height, width = pixels.shape[:2]
    assert 750 <= width <= 1000 and 300 <= height <= 480 and colored_fraction(pixels) > 0.01, (width, height)
    # the page's last section, in a window tall enough for the six charts
    shot = read_png(screenshot(page, tmp_path / "dashboard.png", height=3300))
    assert colored_fraction(shot[-900:]) > 0.01, "the by-team chart at the bottom of the page is blank"
