"""The original dashboard's five components, the by-team view and the at-risk panel, rendered from the *published*
marts.

    python -m ops_sla.dashboard                                   # publish/ops_sla.duckdb -> publish/dashboard/
    python -m ops_sla.dashboard --db pub/ops_sla.duckdb --out pub/dashboard --scale 2

Writes one PNG per chart (Altair + vl-convert, no browser needed) and `index.html`, a single
self-contained page with all seven charts: the Vega / Vega-Lite / vega-embed JavaScript and
the chart data are inlined, so it works offline (no CDN). Chart titles state the finding,
computed from the data (nothing hard-coded). The page's header gives the data's period
(first and last intake date), its intake teams and its as-of instant (mart data_as_of).

Any size of data publishes: a chart whose data is too small for it (fewer intake days than
its 7-day window, no resolved case, no resolved case of the deep-dive tier, no case a scenario
applies to)
is drawn as a placeholder that says so ("not enough data: needs ..., has ..."), and the
others as usual. The by-team chart of an export with one team (no team column: team
`default`) is one line saying so: there is nothing to compare. So is the at-risk panel when no
open case has a breach ahead or behind it ("No open case is at risk").

| chart                    | mart                                            |
|--------------------------|-------------------------------------------------|
| sla_breach_trend         | sla_daily                                       |
| resolution_tail_by_tier  | sla_by_tier_case_type (grain tier, all), case_sla (targets) |
| breach_heatmap           | sla_by_tier_case_type                           |
| tier3_stage_bottleneck   | driver_stage_durations (grain tier, last tier)  |
| scenario_impact          | scenario_results                                |
| sla_by_team              | sla_by_team (grain = 'team' and 'all')          |
| sla_at_risk_now          | sla_at_risk_queue, data_as_of                   |

Tiers and case types are the warehouse's own (seeds tiers and case_types, published in schema
reference): axes follow their display_order, and the stage chart shows the last tier by
display_order (the most complex one: Tier 3 in the demo), as analyses/bottleneck_deep_dive.sql.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import altair as alt
import duckdb
import pandas as pd
import vl_convert as vlc

from ops_sla.atomic import replacing
from ops_sla.paths import publish_dir
from ops_sla.publish import MANIFEST_NAME, PUBLISHED_NAME, PublishError, connect_read_only

WIDTH = 820          # plot width of single-panel charts; with axes and padding the PNG is ~900 px
HEIGHT = 280         # plot height; with title, subtitle and legend the PNG is ~420 px
PANEL_WIDTH = 370    # each of two side-by-side panels
# a cohort (intake day) counts as complete when at most this share of its cases is still open
MAX_OPEN_SHARE = 0.02
POLICIES = {"including_wait": "Customer wait counted", "paused_wait": "Clock paused in customer wait"}
STAGE_LABELS = {
    "intake_to_triage": "Intake → Triage",
    "triage_to_assignment": "Triage → Assignment",
    "assignment_to_investigation": "Assignment → Investigation",
    "investigation_to_review_qa": "Investigation → Review/QA",
    "review_qa_to_resolution": "Review/QA → Resolution",
}
COLORS = {"sla_b": "#e07b39", "incl": "#1d3557", "paused": "#7fa7d1", "alert": "#c8102e", "muted": "#a8b8c8"}

CONFIG = {
    "font": "Liberation Sans, DejaVu Sans, Arial, sans-serif",
    "title": {"fontSize": 16, "subtitleFontSize": 12, "subtitleColor": "#444", "anchor": "start",
              "offset": 10, "subtitlePadding": 4},
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal", "titleColor": "#333"},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "top", "titleFontWeight": "normal",
               "labelLimit": 400},
    "header": {"labelFontSize": 13, "titleFontSize": 13},
    "view": {"stroke": None},
    "background": "white",
    "padding": 12,
}


class NotEnoughData(Exception):
    """A chart's data is too small for it: drawn as a placeholder saying what it needs."""

    def __init__(self, needs: str, has: str) -> None:
        self.needs, self.has = needs, has
        super().__init__(f"not enough data: needs {needs}, has {has}")


class OneLine(Exception):
    """The chart has nothing to show for this data, whatever its size (one team: nothing to compare
    by team): drawn as this one line."""


@dataclass(frozen=True)
class ChartDef:
    name: str
    mart: str
    caption: str
    build: Callable[[duckdb.DuckDBPyConnection], alt.TopLevelMixin]


def _df(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def _title(text: str, subtitle: str | list[str]) -> alt.Title:
    return alt.Title(text=text, subtitle=subtitle)


def _round_step(rough: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least `rough` (> 0)."""
    magnitude = 10.0 ** math.floor(math.log10(rough))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _rate(x: float, digits: int = 0) -> str:
    """A rate as a percentage; "n/a" when it has no denominator (NULL)."""
    return "n/a" if pd.isna(x) else f"{x:.{digits}%}"


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchone()[0] or 0)


def _display_order(con: duckdb.DuckDBPyConnection, seed: str) -> list[tuple[str, str]]:
    """(id, label) of each row of the published seed `tiers` or `case_types`, in display_order."""
    column = {"tiers": "tier", "case_types": "case_type"}[seed]
    return [(row[0], row[1]) for row in con.execute(
        f"select {column}, {column}_label from reference.{seed} order by display_order, {column}").fetchall()]


def _order(con: duckdb.DuckDBPyConnection, seed: str) -> list[str]:
    """The ids of seed `tiers` or `case_types` in display order, then the roll-up `ALL`."""
    return [*(row_id for row_id, _ in _display_order(con, seed)), "ALL"]


# --- (a) daily breach trend ------------------------------------------------------------------

TREND_SQL = f"""
with d as (
    select *, open_cases / nullif(cases_opened, 0) as open_share from marts.sla_daily
), cut as (
    -- cohorts after the last (nearly) closed intake day are still open: SLA A rates not final
    select max(intake_date_local) as last_complete from d where open_share <= {MAX_OPEN_SHARE}
), r as (
    select
        intake_date_local as day,
        sum(sla_b_breached_cases) over w / nullif(sum(sla_b_scored_cases) over w, 0) as sla_b,
        sum(sla_a_breached_cases_including_wait) over w / nullif(sum(resolved_cases) over w, 0) as sla_a_incl,
        sum(sla_a_breached_cases_paused_wait) over w / nullif(sum(resolved_cases) over w, 0) as sla_a_paused,
        intake_date_local > (select last_complete from cut) as censored,
        -- the first six days have no full 7-day window
        intake_date_local < min(intake_date_local) over () + interval 6 days as warm_up
    from d
    window w as (order by intake_date_local range between interval 6 days preceding and current row)
)
select * exclude (warm_up) from r where not warm_up order by day
"""

TREND_SERIES = {
    "sla_b": "SLA B first touch",
    "sla_a_incl": "SLA A resolution, customer wait counted",
    "sla_a_paused": "SLA A resolution, clock paused in customer wait",
}


# the trend's window: its first point needs this many intake days
TREND_WINDOW_DAYS = 7


def trend_chart(con: duckdb.DuckDBPyConnection) -> alt.TopLevelMixin:
    days = _count(con, "select count(*) from marts.sla_daily")
    if days < TREND_WINDOW_DAYS:
        raise NotEnoughData(f"{TREND_WINDOW_DAYS} intake days (one 7-day window)", f"{days}")
    df = _df(con, TREND_SQL)
    if df["sla_b"].isna().all():
        raise NotEnoughData("a case with a known first-touch (SLA B) outcome", "none")
    overall = _df(con, "select * from marts.sla_by_tier_case_type where grain = 'all'").iloc[0]
    # SLA A rates of still-open cohorts count only the quick resolutions: not drawn
    df.loc[df["censored"], ["sla_a_incl", "sla_a_paused"]] = None
    long = df.melt(id_vars=["day", "censored"], value_vars=list(TREND_SERIES), var_name="series", value_name="rate")
    long["series"] = long["series"].map(TREND_SERIES)
    long = long.dropna(subset=["rate"])
    # the headline comes from closed cohorts: in the still-open ones only the breaches already
    # known are in (the cases touched quickly and those already past target)
    scored = df.dropna(subset=["sla_b"])
    closed = scored[~scored["censored"]] if (~scored["censored"]).any() else scored
    peak = closed.loc[closed["sla_b"].idxmax()]
    typical_b = closed["sla_b"].median()
    incl, paused = df["sla_a_incl"].dropna(), df["sla_a_paused"].dropna()
    sla_a = (f"SLA A ranges {incl.min():.0%} to {incl.max():.0%}" if len(incl)
             else "SLA A not final on any intake day yet")
    title = (f"First-touch (SLA B) breaches peak at {peak.sla_b:.0%} in the 7 days to {peak.day:%b %-d} "
             f"(typical {typical_b:.0%}); {sla_a}")
    paused_range = f" ({paused.min():.0%}-{paused.max():.0%})" if len(paused) else ""
    subtitle = [f"7-day rolling breach rate by intake date. SLA A over resolved cases: "
                f"{_rate(overall.sla_a_breach_rate_including_wait, 1)} overall with customer wait counted, "
                f"{_rate(overall.sla_a_breach_rate_paused_wait, 1)} paused{paused_range}.",
                f"SLA B over cases with a known first-touch outcome. Shaded: intake days with more than "
                f"{MAX_OPEN_SHARE:.0%} of cases still open; SLA A not final there, not drawn."]
    if df["censored"].any():
        subtitle.append(f"SLA B of the shaded days so far: up to {df.loc[df['censored'], 'sla_b'].max():.0%} "
                        f"(their outcomes are still coming in).")
    color = alt.Color("series:N", title=None, sort=list(TREND_SERIES.values()),
                      scale=alt.Scale(domain=list(TREND_SERIES.values()),
                                      range=[COLORS["sla_b"], COLORS["incl"], COLORS["paused"]]))
    base = alt.Chart(long).encode(
        x=alt.X("day:T", title="Intake date", axis=alt.Axis(format="%b %-d", tickCount="month", labelAngle=0)),
    )
    lines = base.mark_line(strokeWidth=2.2).encode(
        y=alt.Y("rate:Q", title="Breach rate (7-day rolling)", axis=alt.Axis(format=".0%")),
        color=color,
        strokeDash=alt.StrokeDash("series:N", title=None, sort=list(TREND_SERIES.values()),
                                  scale=alt.Scale(domain=list(TREND_SERIES.values()),
                                                  range=[[1, 0], [1, 0], [5, 3]])),
        tooltip=[alt.Tooltip("day:T", title="Intake date"), "series:N",
                 alt.Tooltip("rate:Q", title="7-day rate", format=".1%")],
    )
    layers = [lines]
    censored = df[df["censored"]]
    if not censored.empty:
        span = pd.DataFrame({"start": [censored["day"].min()], "end": [censored["day"].max()],
                             "label": ["cohorts still open"]})
        band = alt.Chart(span).mark_rect(color="#d9d9d9", opacity=0.45).encode(x="start:T", x2="end:T")
        note = alt.Chart(span).mark_text(align="right", baseline="top", dx=-4, dy=4, fontSize=11,
                                         color="#555").encode(x="start:T", y=alt.value(0), text="label:N")
        layers = [band, lines, note]
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=_title(title, subtitle))


# --- (b) resolution tail by tier -------------------------------------------------------------

TAIL_SQL = """
select s.tier, s.grain, p.policy, p.percentile, p.minutes,
       case when s.grain = 'all' then a.target else t.target end as target
from marts.sla_by_tier_case_type s
cross join lateral (
    values ('including_wait', 'p50', s.sla_a_p50_business_minutes_including_wait),
           ('including_wait', 'p90', s.sla_a_p90_business_minutes_including_wait),
           ('including_wait', 'p95', s.sla_a_p95_business_minutes_including_wait),
           ('paused_wait', 'p50', s.sla_a_p50_business_minutes_paused_wait),
           ('paused_wait', 'p90', s.sla_a_p90_business_minutes_paused_wait),
           ('paused_wait', 'p95', s.sla_a_p95_business_minutes_paused_wait)
) as p(policy, percentile, minutes)
left join (
    select tier, max(sla_a_target_minutes) as target from marts.case_sla group by tier
) t on s.grain = 'tier' and t.tier = s.tier
cross join (select max(sla_a_target_minutes) as target from marts.case_sla) a
-- one row per tier and the roll-up over every tier (grain all), all case types
where s.grain in ('tier', 'all')
order by s.tier, p.policy, p.percentile
"""


def _tail_panel(df: pd.DataFrame, policy: str, y_scale: alt.Scale, tiers: list[str]) -> alt.LayerChart:
    data = df[df["policy"] == policy]
    x = alt.X("tier:N", title=None, sort=tiers, axis=alt.Axis(labelAngle=0, labelFontSize=12))
    bars = alt.Chart(data).mark_bar().encode(
        x=x,
        xOffset=alt.XOffset("percentile:N", sort=["p50", "p90", "p95"]),
        y=alt.Y("minutes:Q", title="SLA A business minutes", scale=y_scale),
        color=alt.Color("percentile:N", title="Percentile", sort=["p50", "p90", "p95"],
                        scale=alt.Scale(domain=["p50", "p90", "p95"], range=["#a8c5e2", "#4a7fb5", "#1d3557"])),
        tooltip=["tier:N", "percentile:N", alt.Tooltip("minutes:Q", format=",.0f")],
    )
    labels = alt.Chart(data[data["percentile"] == "p95"]).mark_text(dy=-6, dx=22, fontSize=11).encode(
        x=x, y="minutes:Q", text=alt.Text("minutes:Q", format=",.0f"))
    target = alt.Chart(data.drop_duplicates("tier")).mark_tick(
        color=COLORS["alert"], thickness=2, size=80).encode(x=x, y="target:Q",
                                                           tooltip=[alt.Tooltip("target:Q", title="SLA A target")])
    return alt.layer(bars, target, labels).properties(width=PANEL_WIDTH, height=HEIGHT - 20,
                                                       title=alt.Title(POLICIES[policy], fontSize=13))


def tail_chart(con: duckdb.DuckDBPyConnection) -> alt.TopLevelMixin:
    df = _df(con, TAIL_SQL)
    grain = df.pop("grain")  # which rows are roll-ups; not drawn
    p95 = df[(df["percentile"] == "p95") & (grain == "tier")].dropna(subset=["minutes"])
    if p95.empty:
        resolved = _count(con, "select count(*) from marts.case_sla where first_resolution_ts_local is not null")
        raise NotEnoughData("1 resolved case", f"{resolved}")
    p95 = p95.set_index(["policy", "tier"])
    incl, paused = p95.loc["including_wait"], p95.loc["paused_wait"]
    worst = incl["minutes"].idxmax()
    over = incl[incl["minutes"] > incl["target"]].index.tolist()
    minutes, target = incl.loc[worst, "minutes"], incl.loc[worst, "target"]
    title = (f"{worst.replace('_', ' ').title()}'s p95 resolution time ({minutes:,.0f} business min) "
             f"is {minutes / target:.1f}x the {target:,.0f}-min SLA A target")
    subtitle = [f"p50 / p90 / p95 of business minutes to first resolution, all case types; red tick: SLA A target. "
                f"Tiers whose p95 is over target: {', '.join(over) or 'none'}.",
                f"Pausing the clock during customer wait brings {worst}'s p95 to "
                f"{paused.loc[worst, 'minutes']:,.0f} min."]
    y_scale = alt.Scale(domain=[0, float(max(df["minutes"].max(), df["target"].max()) * 1.08)])
    tiers = _order(con, "tiers")
    chart = alt.hconcat(*(_tail_panel(df, p, y_scale, tiers) for p in POLICIES), spacing=24)
    return chart.properties(title=_title(title, subtitle))


# --- (c) tier x case-type heatmap ------------------------------------------------------------

HEATMAP_SQL = """
select tier, case_type, grain, is_rollup, resolved_cases, policy, rate
from marts.sla_by_tier_case_type
cross join lateral (
    values ('including_wait', sla_a_breach_rate_including_wait),
           ('paused_wait', sla_a_breach_rate_paused_wait)
) as p(policy, rate)
"""


def _heat_panel(df: pd.DataFrame, policy: str, color_scale: alt.Scale, threshold: float,
                orders: tuple[list[str], list[str]]) -> alt.LayerChart:
    data = df[df["policy"] == policy]
    tiers, case_types = orders
    x = alt.X("case_type:N", title=None, sort=case_types,
              axis=alt.Axis(labelAngle=0, orient="bottom", labelExpr="split(datum.label, '_')",
                            labelFontSize=11, labelLimit=130, labelPadding=6))
    y = alt.Y("tier:N", title=None, sort=tiers, axis=alt.Axis(labelFontSize=12))
    cells = alt.Chart(data).mark_rect(stroke="white", strokeWidth=2).encode(
        x=x, y=y,
        color=alt.Color("rate:Q", title="SLA A breach rate", scale=color_scale,
                        legend=alt.Legend(format=".0%", orient="right", gradientLength=200)),
        tooltip=["tier:N", "case_type:N", alt.Tooltip("rate:Q", format=".1%"),
                 alt.Tooltip("resolved_cases:Q", title="resolved cases", format=",")],
    )
    text = alt.Chart(data).mark_text(fontSize=14).encode(
        x=x, y=y, text=alt.Text("rate:Q", format=".1%"),
        color=alt.condition(f"datum.rate > {threshold}", alt.value("white"), alt.value("#222")),
    )
    return alt.layer(cells, text).properties(width=PANEL_WIDTH - 40, height=HEIGHT - 40,
                                             title=alt.Title(POLICIES[policy], fontSize=13))


def heatmap_chart(con: duckdb.DuckDBPyConnection) -> alt.TopLevelMixin:
    # a cell without resolved cases has no rate: left empty (not drawn as 0 %)
    df = _df(con, HEATMAP_SQL).dropna(subset=["rate"])
    grain, is_rollup = df.pop("grain"), df.pop("is_rollup")  # which rows are roll-ups; not drawn
    cells = df[~is_rollup]
    if cells.empty:
        resolved = _count(con, "select count(*) from marts.case_sla where first_resolution_ts_local is not null")
        raise NotEnoughData("1 resolved case", f"{resolved}")
    incl = cells[cells["policy"] == "including_wait"].set_index(["tier", "case_type"])["rate"]
    paused = cells[cells["policy"] == "paused_wait"].set_index(["tier", "case_type"])["rate"]
    overall = df[grain == "all"].set_index("policy")["rate"]
    worst = incl.idxmax()
    best = incl.idxmin()
    title = (f"{worst[0].replace('_', ' ').title()} {worst[1].replace('_', ' ').lower()} cases breach SLA A most: "
             f"{_pct(incl[worst])} vs {_pct(overall['including_wait'])} overall "
             f"({_pct(paused[worst])} with the clock paused)")
    if incl[worst] == 0:
        resolved = int(cells.loc[cells["policy"] == "including_wait", "resolved_cases"].sum())
        title = f"No resolved case has breached SLA A ({resolved:,} resolved case{'s' if resolved != 1 else ''})"
    subtitle = (f"SLA A breach rate among resolved cases, tier x case type (ALL = roll-up). Lowest: "
                f"{best[0]} {best[1]} at {_pct(incl[best])}.")
    hi = float(df["rate"].max()) or 0.05  # all rates 0: a scale from 0 to 5 %, not from 0 to 0
    color_scale = alt.Scale(scheme="orangered", domain=[0, hi])
    orders = (_order(con, "tiers"), _order(con, "case_types"))
    chart = alt.hconcat(*(_heat_panel(df, p, color_scale, hi * 0.6, orders) for p in POLICIES), spacing=30)
    return chart.properties(title=_title(title, subtitle)).resolve_scale(color="shared")


# --- (d) stage decomposition of the deep-dive tier (Tier 3 in the demo) ------------------------

STAGES_SQL = """
select stage_order, stage, resolved_cases, p50_business_minutes as p50, p90_business_minutes as p90,
       p95_business_minutes as p95, p95_business_minutes_excluding_wait as p95_excl,
       share_of_sla_a_minutes as share, is_bottleneck
from marts.driver_stage_durations
where grain = 'tier' and tier = ?
order by stage_order
"""


def stages_chart(con: duckdb.DuckDBPyConnection) -> alt.TopLevelMixin:
    tier, label = _display_order(con, "tiers")[-1]  # the last tier: the most complex one
    df = con.execute(STAGES_SQL, [tier]).df()
    if not df["is_bottleneck"].fillna(False).any():
        (resolved,) = con.execute("select count(*) from marts.case_sla "
                                  "where first_resolution_ts_local is not null and tier = ?", [tier]).fetchone()
        raise NotEnoughData(f"1 resolved {label} case", f"{resolved}")
    df["label"] = df["stage"].map(STAGE_LABELS).fillna(df["stage"])
    df["role"] = df["is_bottleneck"].map({True: "bottleneck (highest p95)", False: "other stages"})
    order = df["label"].tolist()
    neck = df[df["is_bottleneck"]].iloc[0]
    title = (f"{neck.label} is the {label} bottleneck: p95 {neck.p95:,.0f} business min, "
             f"{neck.share:.0%} of {label}'s SLA A time")
    subtitle = (f"{label} resolved cases (n = {int(neck.resolved_cases):,}), business minutes per stage: bar = p95, "
                f"inner bar = median, tick = p95 without customer wait.")
    y = alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelFontSize=12, labelLimit=220))
    # the scale runs past the longest bar to leave room for its label; ticks and grid lines
    # stop at the first round value above the data, so the axis does not promise more
    largest = max(float(df["p95"].max()), 1.0)
    step = _round_step(largest / 5)
    ticks = [step * i for i in range(int(-(-largest // step)) + 1)]
    p95 = alt.Chart(df).mark_bar(height=30).encode(
        x=alt.X("p95:Q", title="Business minutes", scale=alt.Scale(domain=[0, largest * 1.9], nice=False),
                axis=alt.Axis(values=ticks, domain=False)),
        y=y,
        color=alt.Color("role:N", title=None,
                        scale=alt.Scale(domain=["bottleneck (highest p95)", "other stages"],
                                        range=[COLORS["alert"], COLORS["muted"]])),
        tooltip=["label:N", alt.Tooltip("p50:Q", format=",.0f"), alt.Tooltip("p90:Q", format=",.0f"),
                 alt.Tooltip("p95:Q", format=",.0f"), alt.Tooltip("p95_excl:Q", format=",.0f"),
                 alt.Tooltip("share:Q", format=".1%")],
    )
    p50 = alt.Chart(df).mark_bar(height=12, color="#3b3b3b", opacity=0.75).encode(x="p50:Q", y=y)
    excl = alt.Chart(df).mark_tick(color="black", thickness=2, size=36).encode(x="p95_excl:Q", y=y)
    text = alt.Chart(df).transform_calculate(
        text="'p95 ' + format(datum.p95, ',.0f')"
             " + (datum.p95 - datum.p95_excl > 1 ? ' (' + format(datum.p95_excl, ',.0f') + ' w/o wait)' : '')"
             " + ' · p50 ' + format(datum.p50, ',.0f') + ' · ' + format(datum.share, '.0%') + ' of SLA A'"
    ).mark_text(align="left", dx=6, fontSize=12).encode(x="p95:Q", y=y, text="text:N")
    return alt.layer(p95, p50, excl, text).properties(width=WIDTH - 120, height=HEIGHT,
                                                      title=_title(title, subtitle))


# --- (e) scenario impact ---------------------------------------------------------------------

SCENARIO_SQL = """
select scenario_id, scenario_id || '|' || scenario_name as label, business_hours_saved, rework_hours_saved,
       total_hours_saved, breaches_avoided_including_wait, breaches_avoided_paused_wait, eligible_cases
from marts.scenario_results
order by kind = 'combination', scenario_id
"""
SCENARIO_POLICIES = {"breaches_avoided_including_wait": "wait counted",
                     "breaches_avoided_paused_wait": "clock paused in wait"}


def scenario_chart(con: duckdb.DuckDBPyConnection) -> alt.TopLevelMixin:
    df = _df(con, SCENARIO_SQL)
    eligible = int(df["eligible_cases"].fillna(0).sum())
    if eligible == 0:
        # the scenarios are a team's own (seeds/scenarios.csv): named by id, not by what the demo's do
        raise NotEnoughData(f"1 case a scenario ({', '.join(df['scenario_id'])}) applies to", "0")
    df["breaches_avoided_including_wait"] = df["breaches_avoided_including_wait"].fillna(0).astype(int)
    order = df["label"].tolist()
    top = df.loc[df["total_hours_saved"].idxmax()]
    avoided = ", ".join(f"{i} {n:,}" for i, n in zip(df["scenario_id"], df["breaches_avoided_including_wait"],
                                                       strict=True))
    title = (f"{top.scenario_id} saves the most ({top.total_hours_saved:,.0f} business hours); "
             f"SLA A breaches avoided: {avoided}")
    subtitle = ["Left: business hours saved (stage time removed + rework avoided). Right: SLA A breaches avoided "
                "under each customer-wait policy.",
                "Reopen reductions only shorten rework after the first resolution, so they cannot avoid SLA A "
                "breaches."]
    hours = df.melt(id_vars=["label"], value_vars=["business_hours_saved", "rework_hours_saved"],
                    var_name="kind", value_name="hours")
    hours["kind"] = hours["kind"].map({"business_hours_saved": "stage time removed",
                                       "rework_hours_saved": "rework avoided"})
    y = alt.Y("label:N", title=None, sort=order,
              axis=alt.Axis(labelExpr="split(datum.label, '|')", labelLimit=220, labelFontSize=12))
    hours_x_max = max(float(df["total_hours_saved"].max()) * 1.3, 1.0)
    hour_bars = alt.Chart(hours).mark_bar(height=30).encode(
        x=alt.X("sum(hours):Q", title="Business hours saved", scale=alt.Scale(domain=[0, hours_x_max]),
                axis=alt.Axis(tickCount=5)),
        y=y,
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=["stage time removed", "rework avoided"],
                                                                range=[COLORS["incl"], COLORS["sla_b"]])),
        order=alt.Order("kind:N", sort="descending"),
        tooltip=["label:N", "kind:N", alt.Tooltip("hours:Q", format=",.0f")],
    )
    hour_text = alt.Chart(df).mark_text(align="left", dx=5, fontSize=12).encode(
        x="total_hours_saved:Q", y=y, text=alt.Text("total_hours_saved:Q", format=",.0f"))
    left = alt.layer(hour_bars, hour_text).properties(width=290, height=HEIGHT - 70)

    breaches = df.melt(id_vars=["label"], value_vars=list(SCENARIO_POLICIES), var_name="policy",
                       value_name="breaches")
    breaches["policy"] = breaches["policy"].map(SCENARIO_POLICIES)
    breaches["breaches"] = breaches["breaches"].fillna(0)
    b_max = max(float(breaches["breaches"].max()) * 1.3, 10.0)
    yb = alt.Y("label:N", title=None, sort=order, axis=None)
    y_offset = alt.YOffset("policy:N", sort=list(SCENARIO_POLICIES.values()))
    b_bars = alt.Chart(breaches).mark_bar(height=13).encode(
        x=alt.X("breaches:Q", title="SLA A breaches avoided", scale=alt.Scale(domain=[0, b_max]),
                axis=alt.Axis(tickCount=5)),
        y=yb,
        yOffset=y_offset,
        color=alt.Color("policy:N", title=None, sort=list(SCENARIO_POLICIES.values()),
                        scale=alt.Scale(domain=list(SCENARIO_POLICIES.values()),
                                        range=[COLORS["incl"], COLORS["paused"]])),
        tooltip=["label:N", "policy:N", alt.Tooltip("breaches:Q", format=",")],
    )
    b_text = alt.Chart(breaches).mark_text(align="left", dx=4, fontSize=11).encode(
        x="breaches:Q", y=yb, yOffset=y_offset, text=alt.Text("breaches:Q", format=","))
    right = alt.layer(b_bars, b_text).properties(width=250, height=HEIGHT - 70)
    return (alt.hconcat(left, right, spacing=24).resolve_scale(color="independent")
            .properties(title=_title(title, subtitle)))


# --- (f) SLA by intake team ------------------------------------------------------------------

TEAM_SQL = """
select grain, team_name, cases, handed_off_cases, handed_off_cases / cases as handed_off_share,
       sla_a_breach_rate_including_wait, sla_a_breach_rate_paused_wait, sla_b_breach_rate
from marts.sla_by_team
where grain in ('team', 'all')
order by grain = 'all', cases desc, team_name
"""
TEAM_RATES = {"sla_a_breach_rate_including_wait": "SLA A, customer wait counted",
              "sla_a_breach_rate_paused_wait": "SLA A, clock paused in wait",
              "sla_b_breach_rate": "SLA B first touch"}
TEAM_PANEL_WIDTH = 150


def _team_rate_panel(teams: pd.DataFrame, overall: pd.Series, column: str, y: alt.Y, x_max: float,
                     color: str) -> alt.LayerChart:
    data = pd.DataFrame({"team_name": teams["team_name"], "rate": teams[column].fillna(0.0),
                         "label": teams[column].map(lambda r: _rate(r, 1))})
    x = alt.X("rate:Q", title=None, scale=alt.Scale(domain=[0, x_max], nice=False),
              axis=alt.Axis(format=".0%", tickCount=3))
    bars = alt.Chart(data).mark_bar(height=18, color=color).encode(
        x=x, y=y, tooltip=["team_name:N", alt.Tooltip("label:N", title=TEAM_RATES[column])])
    text = alt.Chart(data).mark_text(align="left", dx=4, fontSize=11).encode(x="rate:Q", y=y, text="label:N")
    layers = [bars, text]
    if not pd.isna(overall[column]):  # all teams: behind the bars
        rule = alt.Chart(pd.DataFrame({"rate": [overall[column]]})).mark_rule(color="#222", strokeDash=[4, 3]).encode(
            x="rate:Q", tooltip=[alt.Tooltip("rate:Q", title="all teams", format=".1%")])
        layers.insert(0, rule)
    return alt.layer(*layers).properties(width=TEAM_PANEL_WIDTH, height=HEIGHT - 60,
                                         title=alt.Title(TEAM_RATES[column], fontSize=13))


def team_chart(con: duckdb.DuckDBPyConnection) -> alt.TopLevelMixin:
    df = _df(con, TEAM_SQL)
    teams = df[df["grain"] == "team"]
    if len(teams) == 1:
        only = teams.iloc[0]
        raise OneLine(f"This export has one team, {only.team_name}, with {int(only.cases):,} cases: "
                      "there is nothing to compare by team.")
    rated = teams.dropna(subset=["sla_a_breach_rate_including_wait"])
    if rated.empty:
        raise NotEnoughData("1 resolved case", "0")
    overall = df[df["grain"] == "all"].iloc[0]
    worst = rated.loc[rated["sla_a_breach_rate_including_wait"].idxmax()]
    title = (f"{worst.team_name} breaches SLA A most: {_pct(worst.sla_a_breach_rate_including_wait)} of its resolved "
             f"cases vs {_pct(overall.sla_a_breach_rate_including_wait)} across {len(teams)} teams")
    if worst.sla_a_breach_rate_including_wait == 0:
        title = f"No resolved case of the {len(teams)} teams has breached SLA A"
    most_handed = teams.loc[teams["handed_off_share"].idxmax()]
    subtitle = ["By the team owning the case at intake; business time follows the owning team's schedule across "
                "hand-offs. Dashed line: all teams. Tier mixes differ (grain team_tier splits them).",
                f"{int(overall.handed_off_cases):,} of {int(overall.cases):,} cases "
                f"({_pct(overall.handed_off_share)}) were handed off at least once, "
                f"{most_handed.team_name}'s most often ({_pct(most_handed.handed_off_share)})."]
    order = teams["team_name"].tolist()
    y = alt.Y("team_name:N", title=None, sort=order, axis=alt.Axis(labelFontSize=12, labelLimit=180))
    no_y = alt.Y("team_name:N", title=None, sort=order, axis=None)
    sla_a_max = float(teams[["sla_a_breach_rate_including_wait", "sla_a_breach_rate_paused_wait"]].max().max())
    sla_a_max = max(sla_a_max, 0.01) * 1.45  # room for the labels
    sla_b_max = max(float(teams["sla_b_breach_rate"].fillna(0).max()), 0.01) * 1.45
    panels = [
        _team_rate_panel(teams, overall, "sla_a_breach_rate_including_wait", y, sla_a_max, COLORS["incl"]),
        _team_rate_panel(teams, overall, "sla_a_breach_rate_paused_wait", no_y, sla_a_max, COLORS["paused"]),
        _team_rate_panel(teams, overall, "sla_b_breach_rate", no_y, sla_b_max, COLORS["sla_b"]),
    ]
    cases = teams.assign(label=teams["cases"].map("{:,}".format) + teams["handed_off_share"].map(" ({:.0%})".format))
    x_cases = alt.X("cases:Q", title=None, scale=alt.Scale(domain=[0, float(teams["cases"].max()) * 1.6], nice=False),
                    axis=alt.Axis(tickCount=3, format="~s"))
    tooltip = ["team_name:N", alt.Tooltip("cases:Q", format=","), alt.Tooltip("handed_off_cases:Q", format=","),
               alt.Tooltip("handed_off_share:Q", title="share handed off", format=".1%")]
    all_cases = alt.Chart(cases).mark_bar(height=18, color=COLORS["muted"]).encode(x=x_cases, y=no_y,
                                                                                    tooltip=tooltip)
    handed = alt.Chart(cases).mark_bar(height=18, color=COLORS["incl"]).encode(x="handed_off_cases:Q", y=no_y,
                                                                                tooltip=tooltip)
    text = alt.Chart(cases).mark_text(align="left", dx=4, fontSize=11).encode(x="cases:Q", y=no_y, text="label:N")
    panels.append(alt.layer(all_cases, handed, text).properties(
        width=TEAM_PANEL_WIDTH + 30, height=HEIGHT - 60,
        title=alt.Title("Cases (dark: handed off)", fontSize=13)))
    return alt.hconcat(*panels, spacing=14).properties(title=_title(title, subtitle))


# --- (g) at risk now -------------------------------------------------------------------------

# the bands of sla_at_risk_queue, in risk_band_order, with their labels and colours
RISK_BANDS = {"already_breached": ("Already breached", COLORS["alert"]),
              "within_2_business_hours": ("Within 2 business hours", COLORS["sla_b"]),
              "today": ("Later today", "#f2c14e"),
              "later": ("After today", COLORS["muted"])}
CLOCK_LABELS = {"sla_b": "SLA B first touch", "sla_a_including_wait": "SLA A, wait counted",
                "sla_a_paused_wait": "SLA A, paused in wait"}
AT_RISK_ROWS = 10  # the next cases listed, in breach order
AT_RISK_BANDS_SQL = """
select risk_band, count(*) as cases from marts.sla_at_risk_queue group by risk_band
"""
AT_RISK_NEXT_SQL = f"""
select queue_position, case_id, tier, owner_team_id, owner_time_zone, next_breach_sla_clock, clock_status,
       risk_band, business_minutes_to_breach, breach_ts_utc, breach_ts_owner_local
from marts.sla_at_risk_queue
order by queue_position
limit {AT_RISK_ROWS}
"""
# the table's columns: (heading, field, x of the column's anchor in px, text alignment)
AT_RISK_COLUMNS = (("#", "position", 36, "right"), ("Case", "case_id", 46, "left"), ("Tier", "tier", 178, "left"),
                   ("Owner team", "owner_team_id", 240, "left"), ("Next breach of", "clock", 370, "left"),
                   ("Business min to breach", "to_breach", 646, "right"),
                   ("Breach (owner's clock)", "breach", 662, "left"))


def minutes_to_breach(minutes: float) -> str:
    """Business minutes to the breach, or how long past it once breached (negative)."""
    return f"{-minutes:,.0f} past" if minutes < 0 else f"{minutes:,.0f} left"


def breach_instant(utc: datetime, zone: str | None) -> str:
    """The breach instant on the owner's wall clock, with the zone's abbreviation at that instant."""
    if not zone:
        return f"{utc:%a %Y-%m-%d %H:%M} UTC"
    local = pd.Timestamp(utc).tz_localize("UTC").tz_convert(ZoneInfo(zone))
    return f"{local:%a %Y-%m-%d %H:%M} {local.tzname()}"


def at_risk_numbers(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], pd.DataFrame]:
    """The panel's numbers: open cases per band (every band, 0 when none) and the next cases in
    breach order, formatted as drawn."""
    counts = dict(con.execute(AT_RISK_BANDS_SQL).fetchall())
    bands = {band: int(counts.get(band, 0)) for band in RISK_BANDS}
    rows = _df(con, AT_RISK_NEXT_SQL)
    rows["position"] = rows["queue_position"].map(str)
    rows["clock"] = rows["next_breach_sla_clock"].map(CLOCK_LABELS).fillna(rows["next_breach_sla_clock"])
    rows.loc[rows["clock_status"] == "paused", "clock"] += " (paused)"
    rows["to_breach"] = rows["business_minutes_to_breach"].map(minutes_to_breach)
    rows["breach"] = [breach_instant(utc, zone) for utc, zone in zip(rows["breach_ts_utc"], rows["owner_time_zone"],
                                                                      strict=True)]
    rows["owner_team_id"] = rows["owner_team_id"].fillna("(none)")
    return bands, rows


def at_risk_chart(con: duckdb.DuckDBPyConnection) -> alt.TopLevelMixin:
    bands, rows = at_risk_numbers(con)
    as_of, zone = con.execute("select as_of_ts_local, time_zone from marts.data_as_of").fetchone()
    as_of_text = f"{as_of:%Y-%m-%d %H:%M} {zone}"
    total = sum(bands.values())
    if total == 0:
        open_cases = _count(con, "select count(*) from marts.case_sla where case_status = 'open'")
        why = ("no case is open" if open_cases == 0 else
               f"none of the {open_cases:,} open case{'s' if open_cases != 1 else ''} has an SLA clock "
               "running or past its target")
        raise OneLine(f"No open case is at risk as of {as_of_text}: {why}.")
    breached, soon, today = bands["already_breached"], bands["within_2_business_hours"], bands["today"]
    title = (f"{breached:,} open case{'s have' if breached != 1 else ' has'} already breached; "
             f"{soon:,} more breach{'es' if soon == 1 else ''} within 2 business hours, {today:,} later today")
    if breached + soon + today == 0:
        first = rows.iloc[0]
        title = f"No open case has breached or breaches today; the next breach is {first.case_id}'s, {first.breach}"
    subtitle = [f"Open cases as of {as_of_text} by their next breach across SLA B and both SLA A clocks "
                f"({total:,} with a breach ahead or behind them).",
                "'Today' ends at midnight on the owner team's clock. "
                f"The next {min(AT_RISK_ROWS, total)} in breach order below; minutes are business minutes of the "
                "owning schedule."]
    labels = [label for label, _ in RISK_BANDS.values()]
    color = alt.Color("label:N", legend=None, scale=alt.Scale(domain=labels,
                                                              range=[c for _, c in RISK_BANDS.values()]))
    tiles = pd.DataFrame({"label": labels, "cases": [bands[b] for b in RISK_BANDS],
                          "count": [f"{bands[b]:,}" for b in RISK_BANDS]})
    tile_x = alt.X("label:N", sort=labels, title=None, axis=None, scale=alt.Scale(paddingInner=0.06))
    tile = alt.Chart(tiles).mark_rect(cornerRadius=4).encode(
        x=tile_x, color=color, tooltip=[alt.Tooltip("label:N", title="band"), alt.Tooltip("cases:Q", format=",")])
    # dark text on the light tiles (today, later), white on the others
    ink = alt.condition(alt.FieldOneOfPredicate(field="label", oneOf=labels[:2]), alt.value("white"),
                        alt.value("#222"))
    number = alt.Chart(tiles).mark_text(fontSize=26, fontWeight="bold", baseline="middle", dy=-9).encode(
        x=tile_x, y=alt.value(28), text="count:N", color=ink)
    name = alt.Chart(tiles).mark_text(fontSize=12, baseline="middle", dy=14).encode(
        x=tile_x, y=alt.value(28), text="label:N", color=ink)
    counts = alt.layer(tile, number, name).properties(width=WIDTH, height=56)

    row_y = alt.Y("row:O", axis=None, scale=alt.Scale(domain=list(range(AT_RISK_ROWS + 1))))
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, WIDTH], nice=False, zero=True))
    cells = pd.DataFrame([{"row": i, "x": x_px, "text": str(getattr(r, field)), "align": align}
                          for i, r in enumerate(rows.itertuples(), start=1)
                          for _, field, x_px, align in AT_RISK_COLUMNS])
    heads = pd.DataFrame([{"row": 0, "x": x_px, "text": heading, "align": align}
                          for heading, _, x_px, align in AT_RISK_COLUMNS])
    layers = []
    for frame, weight in ((heads, "bold"), (cells, "normal")):
        for align in ("left", "right"):
            part = frame[frame["align"] == align]
            layers.append(alt.Chart(part).mark_text(align=align, baseline="middle", fontSize=12,
                                                    fontWeight=weight, color="#222").encode(x=x, y=row_y,
                                                                                            text="text:N"))
    marks = rows.assign(row=range(1, len(rows) + 1), x=6, label=rows["risk_band"].map(
        {band: label for band, (label, _) in RISK_BANDS.items()}))
    dots = alt.Chart(marks).mark_square(size=90).encode(
        x=x, y=row_y, color=color,
        tooltip=["case_id:N", alt.Tooltip("label:N", title="band"),
                 alt.Tooltip("business_minutes_to_breach:Q", title="business minutes to breach", format=",.1f")])
    table = alt.layer(dots, *layers).properties(width=WIDTH, height=19 * (AT_RISK_ROWS + 1))
    return alt.vconcat(counts, table, spacing=12).properties(title=_title(title, subtitle))


CHARTS: tuple[ChartDef, ...] = (
    ChartDef("sla_breach_trend", "sla_daily",
             "Daily SLA breach trend by intake date for both SLAs and both SLA A customer-wait policies.",
             trend_chart),
    ChartDef("resolution_tail_by_tier", "sla_by_tier_case_type",
             "Resolution-time tail (p50/p90/p95) by tier against the SLA A target.", tail_chart),
    ChartDef("breach_heatmap", "sla_by_tier_case_type",
             "SLA A breach rate by tier and case type, under both customer-wait policies.", heatmap_chart),
    ChartDef("tier3_stage_bottleneck", "driver_stage_durations",
             "Where the last tier's time goes (Tier 3 in the demo): stage durations, bottleneck highlighted.",
             stages_chart),
    ChartDef("scenario_impact", "scenario_results",
             "What-if scenarios: hours saved and SLA A breaches avoided.", scenario_chart),
    ChartDef("sla_by_team", "sla_by_team",
             "SLA A and SLA B breach rates by intake team, cases and the share handed off.", team_chart),
    ChartDef("sla_at_risk_now", "sla_at_risk_queue",
             "At risk now: open cases by their next SLA breach, and the next cases to breach.", at_risk_chart),
)


# --- rendering -------------------------------------------------------------------------------

def vl_version() -> str | None:
    """The Vega-Lite version Altair writes, if vl-convert has it (else vl-convert's default)."""
    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    return version if version in vlc.get_vegalite_versions() else None


PLACEHOLDER_KEY = "ops_sla_not_enough_data"


def placeholder_chart(chart: ChartDef, short: NotEnoughData) -> alt.TopLevelMixin:
    """The chart's place, saying what its data lacks (the message is also in the spec's usermeta)."""
    text = pd.DataFrame({"line": [str(short), "It is drawn once the data has it; the other charts and the marts "
                                              "are complete."], "row": [0, 1]})
    lines = alt.Chart(text).mark_text(fontSize=15, color="#444").encode(
        y=alt.Y("row:O", axis=None), text="line:N",
        size=alt.Size("row:O", scale=alt.Scale(domain=[0, 1], range=[16, 12]), legend=None))
    title = _title("Not enough data for this chart yet", chart.caption)
    return lines.properties(width=WIDTH, height=90, title=title, usermeta={PLACEHOLDER_KEY: str(short)})


NOTE_KEY = "ops_sla_one_line"


def one_line_chart(line: OneLine) -> alt.TopLevelMixin:
    """The chart's place as one line of text (also in the spec's usermeta)."""
    text = alt.Chart(pd.DataFrame({"line": [str(line)]})).mark_text(align="left", fontSize=14, color="#444").encode(
        x=alt.value(0), text="line:N")
    return text.properties(width=WIDTH, height=20, usermeta={NOTE_KEY: str(line)})


def chart_spec(chart: ChartDef, con: duckdb.DuckDBPyConnection) -> dict:
    try:
        built = chart.build(con)
    except NotEnoughData as short:
        built = placeholder_chart(chart, short)
    except OneLine as line:
        built = one_line_chart(line)
    return built.configure(**CONFIG).to_dict()


def build_specs(db: Path) -> dict[str, dict]:
    with connect_read_only(db, alias=Path(PUBLISHED_NAME).stem) as con:
        return {c.name: chart_spec(c, con) for c in CHARTS}


def not_enough_data(spec: dict) -> str | None:
    """The placeholder's message when the chart was too small for its data, else None."""
    return spec.get("usermeta", {}).get(PLACEHOLDER_KEY)


def one_line(spec: dict) -> str | None:
    """The line drawn instead of the chart when it has nothing to show (one team, no case at risk), else None."""
    return spec.get("usermeta", {}).get(NOTE_KEY)


@dataclass(frozen=True)
class DataPeriod:
    first_intake: str
    last_intake: str
    intake_days: int
    cases: int
    teams: int
    as_of: str
    time_zone: str

    def describe(self) -> str:
        days = f"{self.intake_days} intake day{'s' if self.intake_days != 1 else ''}"
        teams = f"{self.teams} intake team{'s' if self.teams != 1 else ''}"
        return (f"Data: cases with intake {self.first_intake} to {self.last_intake} "
                f"({days}, {self.cases:,} cases, {teams}), "
                f"as of {self.as_of} {self.time_zone} (open cases are measured up to it).")


def data_period(db: Path) -> DataPeriod:
    """The data's period (first and last intake date) and as-of instant, from the marts."""
    with connect_read_only(db, alias=Path(PUBLISHED_NAME).stem) as con:
        first, last, days, cases = con.execute(
            "select min(intake_date_local), max(intake_date_local), count(*), sum(cases_opened) "
            "from marts.sla_daily").fetchone()
        as_of, zone = con.execute("select as_of_ts_local, time_zone from marts.data_as_of").fetchone()
        teams = _count(con, "select count(*) from marts.sla_by_team where grain = 'team'")
    return DataPeriod(first_intake=str(first), last_intake=str(last), intake_days=int(days), cases=int(cases or 0),
                      teams=teams,
                      as_of=f"{as_of:%Y-%m-%d %H:%M}", time_zone=str(zone))


def _write_atomic(path: Path, data: bytes) -> None:
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def _script_json(obj: object) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(obj, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "<\\!--")


PAGE_JS = """
document.querySelectorAll('[data-spec]').forEach(function (el) {
  var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
  vegaEmbed(el, spec, {renderer: 'svg', actions: false})
    .then(function () { el.dataset.rendered = 'true'; })
    .catch(function (err) {
      el.dataset.rendered = 'error';
      el.textContent = 'Chart failed to render: ' + err;
    });
});
"""

PAGE_CSS = """
body { font-family: 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif; margin: 24px auto; max-width: 1000px;
       color: #222; background: #f6f7f9; }
header h1 { font-size: 24px; margin: 0 0 4px; }
header p, footer p { color: #555; margin: 2px 0; font-size: 13px; }
section { background: white; border: 1px solid #dde1e6; border-radius: 6px; margin: 18px 0; padding: 10px 14px; }
section h2 { font-size: 14px; font-weight: normal; color: #555; margin: 4px 0 6px; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #dde1e6; padding: 3px 8px; text-align: left; }
"""


def render_html(specs: dict[str, dict], bundle: str, meta: dict, period: DataPeriod) -> str:
    sections, scripts = [], []
    for i, chart in enumerate(CHARTS, start=1):
        short, line = not_enough_data(specs[chart.name]), one_line(specs[chart.name])
        flag = (f' data-not-enough-data="{html.escape(short)}"' if short else
                f' data-one-line="{html.escape(line)}"' if line else "")
        sections.append(
            f'<section id="{chart.name}"{flag}><h2>{i}. {html.escape(chart.caption)} '
            f'<small>(mart <code>{chart.mart}</code>)</small></h2>'
            f'<div class="chart" data-chart="{chart.name}" data-spec="spec-{chart.name}"></div></section>')
        scripts.append(f'<script type="application/json" id="spec-{chart.name}">'
                       f'{_script_json(specs[chart.name])}</script>')
    published = html.escape(str(meta.get("published_at", "unknown")))
    invocation = html.escape(str(meta.get("dbt", {}).get("invocation_id", "unknown")))
    rows = "".join(f"<tr><td>{c.name}.png</td><td><code>{c.mart}</code></td></tr>" for c in CHARTS)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ops-sla - SLA dashboard</title>
<style>{PAGE_CSS}</style>
</head>
<body>
<header>
<h1>Security-review SLA dashboard</h1>
<p class="period">{html.escape(period.describe())}</p>
<p>Business-hour SLAs from the published warehouse. Published {published}, dbt invocation {invocation}.</p>
<p>SLA B: intake to first touch. SLA A: intake to first resolution, with customer wait counted or paused.</p>
</header>
{''.join(sections)}
<footer><p>Charts and their marts:</p><table><tr><th>chart</th><th>mart</th></tr>{rows}</table></footer>
{''.join(scripts)}
<script>{bundle}</script>
<script>{PAGE_JS}</script>
</body>
</html>
"""


def write_dashboard(db: Path, out: Path, scale: float = 1.0) -> list[Path]:
    """Writes the PNGs and index.html; says which charts had too little data."""
    specs = build_specs(db)
    for name, spec in specs.items():
        short = not_enough_data(spec)
        if short:
            print(f"dashboard: {name}: {short} (drawn as a placeholder saying so)")
        if one_line(spec):
            print(f"dashboard: {name}: {one_line(spec)} (drawn as this line)")
    out.mkdir(parents=True, exist_ok=True)
    version = vl_version()
    kwargs = {"vl_version": version} if version else {}
    written = []
    for name, spec in specs.items():
        path = out / f"{name}.png"
        _write_atomic(path, vlc.vegalite_to_png(spec, scale=scale, **kwargs))
        written.append(path)
    manifest = db.with_name(MANIFEST_NAME)
    meta = json.loads(manifest.read_text()) if manifest.is_file() else {}
    page = render_html(specs, vlc.javascript_bundle(**kwargs), meta, data_period(db))
    index = out / "index.html"
    _write_atomic(index, page.encode())
    written.append(index)
    return written


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops_sla.dashboard",
        description="Render the seven dashboard charts from the published marts to PNG and one offline HTML page.")
    parser.add_argument("--db", type=Path, default=None,
                        help=f"published DuckDB file (default: $OPS_SLA_PUBLISH_DIR/{PUBLISHED_NAME})")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: $OPS_SLA_PUBLISH_DIR/dashboard)")
    parser.add_argument("--scale", type=float, default=1.0, help="PNG scale factor (default 1: ~900x420 px)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db = args.db or publish_dir() / PUBLISHED_NAME
    out = args.out or publish_dir() / "dashboard"
    try:
        written = write_dashboard(db, out, args.scale)
    except (PublishError, duckdb.Error) as exc:
        print(f"dashboard: FAILED - {exc}", file=sys.stderr)
        return 1
    print(f"dashboard: {len(written) - 1} charts and {written[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
