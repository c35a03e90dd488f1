"""Print the headline findings from the warehouse next to the original analysis' numbers.

    ops-sla-findings [--db PATH] [--markdown]       # or python -m ops_sla.findings
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ops_sla import paths

# the figures the original analysis published in its README (a six-month simulation shown in
# Tableau, which this project rebuilds; its README is not part of this repository)
ORIGINAL = {
    "tier1": "~3–4%", "tier2": "~7–8%", "tier3": "~16–18%",
    "overall_including": "~6.6%", "overall_paused": "~2.7%",
    "t3_p95": "~2,642", "bottleneck": "Investigation → Review/QA",
    "s1_eligible": "8,243", "s1_avoided": "1,003", "s1_hours": "~28,199",
    "s2_eligible": "13,791", "s2_hours": "~33,301", "combined_hours": "~61,500",
}


@dataclass
class Finding:
    key: str
    label: str
    value: str


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _num(x: float | None, digits: int = 0) -> str:
    return "n/a" if x is None else f"{x:,.{digits}f}"


def collect(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    # roll-up rows by the marts' grain column, not by 'ALL' in a key (the Tier 1-3 figures
    # are the original analysis' tiers, compared by name)
    tiers = dict(con.execute(
        "select tier, sla_a_breach_rate_including_wait from marts.sla_by_tier_case_type where grain = 'tier'"
    ).fetchall())
    overall = con.execute(
        "select sla_a_breach_rate_including_wait, sla_a_breach_rate_paused_wait, resolved_cases, cases "
        "from marts.sla_by_tier_case_type where grain = 'all'"
    ).fetchone()
    t3_p95 = con.execute(
        "select sla_a_p95_business_minutes_including_wait from marts.sla_by_tier_case_type "
        "where grain = 'tier' and tier = 'TIER_3'"
    ).fetchone()[0]
    bottleneck = con.execute(
        "select stage, p95_business_minutes from marts.driver_stage_durations "
        "where grain = 'tier' and tier = 'TIER_3' and is_bottleneck"
    ).fetchone()
    scen = {r[0]: r[1:] for r in con.execute(
        "select scenario_id, eligible_cases, breaches_before_including_wait, breaches_avoided_including_wait, "
        "total_hours_saved from marts.scenario_results"
    ).fetchall()}
    s1 = scen.get("S1", (None,) * 4)
    s2 = scen.get("S2", (None,) * 4)
    comb = scen.get("S1+S2", (None,) * 4)
    return [
        Finding("tier1", "SLA A breach, Tier 1 (including wait)", _pct(tiers.get("TIER_1"))),
        Finding("tier2", "SLA A breach, Tier 2 (including wait)", _pct(tiers.get("TIER_2"))),
        Finding("tier3", "SLA A breach, Tier 3 (including wait)", _pct(tiers.get("TIER_3"))),
        Finding("overall_including", "SLA A breach, all tiers, including customer wait", _pct(overall[0])),
        Finding("overall_paused", "SLA A breach, all tiers, paused during customer wait", _pct(overall[1])),
        Finding("t3_p95", "Tier 3 p95 resolution (business minutes)", _num(t3_p95)),
        Finding("bottleneck", "Tier 3 bottleneck stage (p95 business minutes)",
                f"{bottleneck[0]} ({_num(bottleneck[1])})" if bottleneck else "n/a"),
        Finding("s1_eligible", "S1 eligible cases (Tier 3 resolved; breached now)",
                f"{_num(s1[0])} ({_num(s1[1])} breached)"),
        Finding("s1_avoided", "S1 SLA A breaches avoided", _num(s1[2])),
        Finding("s1_hours", "S1 business hours saved", _num(s1[3])),
        Finding("s2_eligible", "S2 eligible reopened cases", _num(s2[0])),
        Finding("s2_hours", "S2 rework hours saved", _num(s2[3])),
        Finding("combined_hours", "S1+S2 total hours saved", _num(comb[3])),
    ]


def data_context(con: duckdb.DuckDBPyConnection) -> str:
    """What the figures describe: the as-of instant and how many cases (they move with every
    daily run, so a table without them cannot be compared with another)."""
    as_of, zone = con.execute("select as_of_ts_local, time_zone from marts.data_as_of").fetchall()[0]
    cases, first, last = con.execute(
        "select count(*), min(intake_date_local), max(intake_date_local) from marts.case_sla").fetchall()[0]
    return f"{cases:,} cases with intake {first:%Y-%m-%d}..{last:%Y-%m-%d}; data as of {as_of:%Y-%m-%d %H:%M} {zone}\n"


def render(findings: list[Finding], markdown: bool) -> str:
    rows = [(f.label, f.value, ORIGINAL.get(f.key, "")) for f in findings]
    head = ("finding", "ops-sla", "original")
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|---|---:|---:|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def _error(message: str) -> int:
    print(f"findings: error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="ops-sla-findings",
                                description="Print the findings table from the warehouse.")
    p.add_argument("--db", type=Path, default=None, help="DuckDB file (default: $OPS_SLA_DB or data/ops_sla.duckdb)")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table (for the README)")
    args = p.parse_args(argv)
    db = args.db or paths.warehouse()
    if not db.exists():
        return _error(f"no warehouse at {db}; run `make run` first")
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return _error(f"cannot open {db} read-only as a DuckDB database ({first_line})")
    with con:
        try:
            findings = collect(con)
            context = data_context(con)
        except duckdb.CatalogException as exc:
            first_line = str(exc).splitlines()[0]
            return _error(f"{db} has no built marts ({first_line}); run `make build` (or `make run`) first")
    if not args.markdown:
        print(context)
    print(render(findings, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
