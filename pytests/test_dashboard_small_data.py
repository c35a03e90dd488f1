"""Publishing works for any size of data: an export of 5 cases over one day, then three days.

What `make build` + `make publish` do (a full build, then ops-sla-publish: the published
file, the extracts, the dashboard), and for three days what `make daily` does (two days
appended, the daily run, publish). A chart whose data is too small for it is drawn as a
placeholder that says what it needs and has; the page's header gives the data's period and
its as-of instant. The at-risk panel holds the numbers of `sla_at_risk_queue`, or says in one
line that no open case is at risk.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pytest
from browser import dump_dom, read_png
from conftest import ROOT, dbt_env, run_daily, run_dbt, run_generator

from ops_sla import dashboard
from ops_sla import publish as pub

CHART_NAMES = [c.name for c in dashboard.CHARTS]


@dataclass
class Published:
    out: Path
    stdout: str
    intake_days: int

    @property
    def db(self) -> Path:
        return self.out / pub.PUBLISHED_NAME

    @property
    def page(self) -> Path:
        return self.out / "dashboard" / "index.html"


def _publish(env: dict[str, str], out: Path, intake_days: int) -> Published:
    """ops-sla-publish, what `make publish` and `make daily` run after the build."""
    publish = Path(sys.executable).parent / "ops-sla-publish"
    proc = subprocess.run([str(publish), "--publish-dir", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return Published(out, proc.stdout, intake_days)


@pytest.fixture(scope="module")
def small_exports(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Published]:
    """Published after a full build of 5 cases on 2025-10-01, and after two more days appended
    and built by the daily run (keyed by intake days)."""
    base = tmp_path_factory.mktemp("small_export")
    raw = base / "raw"
    run_generator(raw, "--cases", "5", "--start", "2025-10-01", "--end", "2025-10-01")
    env = dbt_env(raw, base / "ops_sla.duckdb", base / "target")
    run_dbt(["build", "--full-refresh"], env)
    one = _publish(env, base / "publish_1_day", 1)
    run_generator(raw, "--mode", "incremental", "--days", "2")
    run_daily(env)
    three = _publish(env, base / "publish_3_days", 3)
    return {1: one, 3: three}


@pytest.fixture(scope="module", params=[1, 3], ids=["1_day", "3_days"])
def published(request: pytest.FixtureRequest, small_exports: dict[int, Published]) -> Published:
    return small_exports[request.param]


def _query(db: Path, sql: str) -> tuple:
    with pub.connect_read_only(db) as con:
        return con.execute(sql).fetchone()


def _query_all(db: Path, sql: str) -> list[tuple]:
    with pub.connect_read_only(db) as con:
        return con.execute(sql).fetchall()


def test_everything_is_published(published: Published) -> None:
    assert published.db.is_file()
    assert _query(published.db, "select count(distinct intake_date_local) from marts.sla_daily")[0] \
        == published.intake_days
    extracts = published.out / "extracts"
    assert any(extracts.glob("hyper/*.hyper")) and any(extracts.glob("csv/*.csv"))
    folder = published.out / "dashboard"
    assert sorted(p.stem for p in folder.glob("*.png")) == sorted(CHART_NAMES)
    specs = dashboard.build_specs(published.db)
    for name in CHART_NAMES:
        pixels = read_png(folder / f"{name}.png")
        height, width = pixels.shape[:2]
        # the by-team chart of one team is one line (so is the at-risk panel with no case at risk)
        low = 40 if dashboard.one_line(specs[name]) else 100
        assert 750 <= width <= 1000 and low <= height <= 480, (name, width, height)
        # not blank: text or marks on the white background
        assert float((pixels[..., :3].min(axis=-1) < 200).mean()) > 0.003, f"{name}.png is blank"
    assert published.page.is_file()


def _expected_placeholders(published: Published) -> dict[str, str]:
    """Which charts lack data, from the marts (what each chart needs)."""
    db = published.db
    days = published.intake_days
    expected = {"sla_breach_trend": f"not enough data: needs 7 intake days (one 7-day window), has {days}"}
    resolved = _query(db, "select count(*) from marts.case_sla where first_resolution_ts_local is not null")[0]
    if resolved == 0:
        expected["resolution_tail_by_tier"] = expected["breach_heatmap"] = \
            "not enough data: needs 1 resolved case, has 0"
    tier3 = _query(db, "select count(*) from marts.case_sla "
                       "where first_resolution_ts_local is not null and tier = 'TIER_3'")[0]
    if tier3 == 0:
        expected["tier3_stage_bottleneck"] = "not enough data: needs 1 resolved Tier 3 case, has 0"
    if _query(db, "select sum(eligible_cases) from marts.scenario_results")[0] == 0:
        ids = [r[0] for r in _query_all(db, "select scenario_id from marts.scenario_results "
                                            "order by kind = 'combination', scenario_id")]
        expected["scenario_impact"] = f"not enough data: needs 1 case a scenario ({', '.join(ids)}) applies to, has 0"
    return expected


def test_a_chart_with_too_little_data_says_so(published: Published) -> None:
    expected = _expected_placeholders(published)
    # the one-day export: 5 cases, none of them a resolved Tier 3 case (the generator is
    # deterministic), so at least two charts are placeholders
    assert len(expected) >= (3 if published.intake_days == 1 else 1), expected
    specs = dashboard.build_specs(published.db)
    assert {name: dashboard.not_enough_data(spec) for name, spec in specs.items()
            if dashboard.not_enough_data(spec)} == expected
    # one team (the default): the by-team chart is one line, whatever the size of the data
    assert dashboard.one_line(specs["sla_by_team"]).startswith("This export has one team, ")
    for name, message in expected.items():
        assert f"dashboard: {name}: {message}" in published.stdout, published.stdout
        assert specs[name]["title"]["text"] == "Not enough data for this chart yet"
    page = published.page.read_text()
    for name in CHART_NAMES:
        section = re.search(rf'<section id="{name}"[^>]*>', page).group(0)
        message = expected.get(name)
        assert (f'data-not-enough-data="{html.escape(message)}"' in section) if message \
            else "data-not-enough-data" not in section, section
    # the message is drawn in the chart itself (PNG and page), from its spec
    for name, message in expected.items():
        assert message in json.dumps(specs[name]["datasets"])


def test_header_shows_the_period_and_the_as_of_instant(published: Published) -> None:
    first, last, cases = _query(published.db, "select min(intake_date_local), max(intake_date_local), "
                                              "sum(cases_opened) from marts.sla_daily")
    as_of, zone = _query(published.db, "select as_of_ts_local, time_zone from marts.data_as_of")
    assert str(first) == "2025-10-01" and str(last) == f"2025-10-0{published.intake_days}"
    days = "1 intake day" if published.intake_days == 1 else f"{published.intake_days} intake days"
    header = re.search(r"<header>(.*?)</header>", published.page.read_text(), re.S).group(1)
    assert (f"cases with intake {first} to {last} ({days}, {cases:,} cases, 1 intake team), "
            f"as of {as_of:%Y-%m-%d %H:%M} {zone}"
            in html.unescape(header)), header


def test_page_renders_the_placeholders_in_headless_chromium(published: Published) -> None:
    dom = dump_dom(published.page.resolve().as_uri())
    sections = {part.split('"', 1)[0]: part.split("</section>", 1)[0] for part in dom.split('<section id="')[1:]}
    assert sorted(sections) == sorted(CHART_NAMES)
    expected = _expected_placeholders(published)
    for name, section in sections.items():
        assert 'data-rendered="true"' in section and "Chart failed" not in section, section[:2000]
        drawn = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", section))
        if name in expected:
            assert html.escape(expected[name], quote=False) in drawn, (name, drawn)
        else:
            assert "not enough data" not in drawn.lower(), (name, drawn)


def test_placeholder_png_is_text_only(small_exports: dict[int, Published]) -> None:
    """The one-day trend placeholder: a short image of text, no chart marks in colour."""
    pixels = read_png(small_exports[1].out / "dashboard" / "sla_breach_trend.png")
    assert pixels.shape[0] < 250
    rgb = pixels[..., :3].astype(np.int16)
    assert float(((rgb.max(axis=-1) - rgb.min(axis=-1)) >= 40).mean()) < 0.001


def test_dashboard_alone_on_the_one_day_file(small_exports: dict[int, Published], tmp_path: Path) -> None:
    """`python -m ops_sla.dashboard` on the published one-day file (the step that crashed with
    "argmax of an empty sequence")."""
    proc = subprocess.run([sys.executable, "-m", "ops_sla.dashboard", "--db", str(small_exports[1].db),
                           "--out", str(tmp_path / "dashboard")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "sla_breach_trend: not enough data: needs 7 intake days (one 7-day window), has 1" in proc.stdout
    assert len(list((tmp_path / "dashboard").glob("*.png"))) == len(CHART_NAMES)


# --- the at-risk panel -------------------------------------------------------------------------

AT_RISK = "sla_at_risk_now"


def _records(spec: dict, key: str) -> list[dict]:
    """The rows of the spec's inline datasets that have field `key`."""
    return [row for rows in spec["datasets"].values() for row in rows if key in row]


def test_at_risk_panel_is_the_queue(published: Published) -> None:
    """Open cases per band and the next cases in breach order, as drawn, equal the mart's."""
    with pub.connect_read_only(published.db) as con:
        bands = dict(con.execute("select risk_band, count(*) from marts.sla_at_risk_queue group by all").fetchall())
        queue = con.execute("select * from marts.sla_at_risk_queue order by queue_position").df()
        as_of, zone = con.execute("select as_of_ts_local, time_zone from marts.data_as_of").fetchone()
    spec = dashboard.build_specs(published.db)[AT_RISK]
    if queue.empty:  # nothing at risk: one line, no chart
        assert dashboard.one_line(spec).startswith(f"No open case is at risk as of {as_of:%Y-%m-%d %H:%M} {zone}: ")
        return
    assert dashboard.one_line(spec) is None and dashboard.not_enough_data(spec) is None
    # the four tiles: every band, 0 when the queue has none in it
    labels = {band: label for band, (label, _) in dashboard.RISK_BANDS.items()}
    tiles = {row["label"]: row["count"] for row in _records(spec, "count")}
    assert tiles == {labels[band]: f"{bands.get(band, 0):,}" for band in labels}
    breached = bands.get("already_breached", 0)
    assert spec["title"]["text"].startswith(f"{breached:,} open case") or breached == 0
    assert f"{as_of:%Y-%m-%d %H:%M} {zone}" in spec["title"]["subtitle"][0]
    # the table: the first rows of the queue in breach order, one line each
    cells = [row for row in _records(spec, "text") if row.get("row", 0) > 0]
    drawn = [[c["text"] for c in sorted((c for c in cells if c["row"] == i), key=lambda c: c["x"])]
             for i in sorted({c["row"] for c in cells})]
    head = queue.head(dashboard.AT_RISK_ROWS)
    assert len(drawn) == len(head) and len(drawn) == min(len(queue), 10)
    for line, case in zip(drawn, head.itertuples(), strict=True):
        position, case_id, tier, team, clock, to_breach, breach = line
        minutes = case.business_minutes_to_breach
        assert (position, case_id, tier, team) == (str(case.queue_position), case.case_id, case.tier,
                                                   case.owner_team_id)
        assert clock.startswith(dashboard.CLOCK_LABELS[case.next_breach_sla_clock])
        assert to_breach == (f"{-minutes:,.0f} past" if minutes < 0 else f"{minutes:,.0f} left")
        assert to_breach.endswith("past") == bool(case.is_breached) or minutes == 0
        assert breach.startswith(f"{case.breach_ts_owner_local:%a %Y-%m-%d %H:%M} ")
    # the coloured square of each line is its band
    squares = sorted(_records(spec, "risk_band"), key=lambda r: r["queue_position"])
    assert [r["risk_band"] for r in squares] == head["risk_band"].tolist()
    assert f'<section id="{AT_RISK}">' in published.page.read_text()


def test_no_case_at_risk_is_one_line(small_exports: dict[int, Published]) -> None:
    """An empty queue (the published marts, queue emptied): the panel is one line saying why."""
    chart = next(c for c in dashboard.CHARTS if c.name == AT_RISK)
    with duckdb.connect() as con:
        con.execute(f"attach '{small_exports[1].db}' as src (read_only)")
        con.execute("create schema marts")
        con.execute("create table marts.sla_at_risk_queue as select * from src.marts.sla_at_risk_queue limit 0")
        for mart in ("data_as_of", "case_sla"):
            con.execute(f"create table marts.{mart} as select * from src.marts.{mart}")
        as_of, zone = con.execute("select as_of_ts_local, time_zone from marts.data_as_of").fetchone()
        open_cases = con.execute("select count(*) from marts.case_sla where case_status = 'open'").fetchone()[0]
        start = f"No open case is at risk as of {as_of:%Y-%m-%d %H:%M} {zone}: "
        line = dashboard.one_line(dashboard.chart_spec(chart, con))
        assert line == start + (f"none of the {open_cases:,} open case{'s' if open_cases != 1 else ''} has an "
                                "SLA clock running or past its target." if open_cases else "no case is open.")
        con.execute("update marts.case_sla set case_status = 'resolved'")
        spec = dashboard.chart_spec(chart, con)
    assert dashboard.one_line(spec) == start + "no case is open." and "title" not in spec
