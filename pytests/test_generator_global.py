"""`ops-sla-generate --world global`: the teams of the schedule seeds, their hours, handoffs.

One small global generation (SMALL_ARGS: 2025-09-15..12-31, so emea's change of hours on
2025-10-06, the DST changes of Sydney, London and Los Angeles, Thanksgiving and Christmas)
shared by the module. Business hours are checked against an independent reading of the
seeds here (csv + zoneinfo), not against ops_sla.calendar.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, SMALL_ARGS, run_generator
from test_generator import (
    assert_binomial,
    assert_one_line_error,
    assert_truth_matches_raw,
    connect,
    diff,
    generate,
    ids,
    manifest,
    scalar,
    snapshot,
)

from ops_sla.generator.params import Params

SEEDS = ROOT / "seeds"
EXPORT_TZ = "America/Los_Angeles"
GLOBAL = ["--world", "global"]
# agent work: placed on the owner's business clock (INTAKE and CUSTOMER_RESPONDED are the customer's)
FIRST_DAY, LAST_DAY = dt.date(2025, 9, 1), dt.date(2026, 1, 3)  # the events of SMALL_ARGS, and more
WORK = ("TRIAGE", "ASSIGNMENT", "INVESTIGATION", "CUSTOMER_WAIT", "ESCALATED", "REVIEW_QA", "RESOLVED",
        "CANCELLED", "REOPENED")


def seed_rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="") as f:
        return list(csv.DictReader(f))


def hhmm(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def business_intervals(schedule_id: str, first: dt.date, last: dt.date) -> list[tuple[float, float]]:
    """Open instants [start, end) of a schedule on local dates first..last, straight from the seeds."""
    tz = ZoneInfo(next(r["time_zone"] for r in seed_rows("schedules.csv") if r["schedule_id"] == schedule_id))
    hours = [r for r in seed_rows("schedule_hours.csv") if r["schedule_id"] == schedule_id]
    closures = [r for r in seed_rows("schedule_closures.csv") if r["schedule_id"] == schedule_id]
    out = []
    day = first
    while day <= last:
        minute_open = [False] * (24 * 60)
        for r in hours:
            if (int(r["iso_weekday"]) == day.isoweekday() and (not r["valid_from"] or r["valid_from"] <= str(day))
                    and (not r["valid_to"] or str(day) < r["valid_to"])):
                for m in range(hhmm(r["opens_at"]), hhmm(r["closes_at"])):
                    minute_open[m] = True
        for r in closures:
            if r["closure_date"] == str(day):
                for m in range(hhmm(r["closed_from"]), hhmm(r["closed_until"])):
                    minute_open[m] = False
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        m = 0
        while m < 24 * 60:
            if minute_open[m]:
                end = m
                while end < 24 * 60 and minute_open[end]:
                    end += 1
                out.append(((midnight + dt.timedelta(minutes=m)).timestamp(),
                            (midnight + dt.timedelta(minutes=end)).timestamp()))
                m = end
            else:
                m += 1
        day += dt.timedelta(days=1)
    return sorted(out)


def next_open(intervals: list[tuple[float, float]], t: float) -> float:
    """The start of the first interval starting after t."""
    i = bisect.bisect_right(intervals, (t, float("inf")))
    return intervals[i][0] if i < len(intervals) else float("inf")


def inside(intervals: list[tuple[float, float]], t: float) -> bool:
    """t in [start, end] of an interval (the end too: an event rounded to the second can land on a close)."""
    i = bisect.bisect_right(intervals, (t, float("inf"))) - 1
    return i >= 0 and intervals[i][0] <= t <= intervals[i][1]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("global")
    generate(base, *SMALL_ARGS, *GLOBAL)
    return base


@pytest.fixture(scope="module")
def con(world: Path) -> duckdb.DuckDBPyConnection:
    con = connect(world)
    # each event's true time (ev_first) with its team column
    con.execute("""CREATE TEMP TABLE work AS
                   SELECT f.event_id, f.case_id, f.status, epoch(f.true_ts) AS t, c.team_id AS intake_team
                   FROM ev_first f JOIN cases c USING (case_id)""")
    yield con
    con.close()


def test_global_same_arguments_identical_bytes(tmp_path: Path) -> None:
    args = ["--cases", "1500", "--start", "2025-10-01", "--end", "2025-11-10", *GLOBAL]
    generate(tmp_path / "a", *args, env={"TZ": "UTC", "PYTHONHASHSEED": "0"})
    generate(tmp_path / "b", *args, env={"TZ": "Australia/Sydney", "PYTHONHASHSEED": "99"})
    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert sum(k.startswith("raw/events_log/ingestion_date=") for k in a) > 30
    assert not diff(a, b)
    # another world is another data set; the default world has no team columns
    generate(tmp_path / "c", *args[:-2])
    assert diff(a, snapshot(tmp_path / "c"))
    for world, has_team in (("a", True), ("c", False)):
        for table in ("cases", "events_log"):
            names = pq.read_schema(next((tmp_path / world / "raw" / table).glob("*/part-0.parquet"))).names
            assert ("team_id" in names) == has_team, (world, table, names)


def test_every_case_has_a_known_team_and_its_zone(world: Path, con: duckdb.DuckDBPyConnection) -> None:
    teams = {r["team_id"]: r["schedule_id"] for r in seed_rows("team_schedules.csv")}
    zones = {r["schedule_id"]: r["time_zone"] for r in seed_rows("schedules.csv")}
    assert scalar(con, "SELECT count(*) FROM cases") == 6000
    assert scalar(con, "SELECT count(*) FROM cases WHERE team_id IS NULL OR team_tz IS NULL") == 0
    pairs = set(con.execute("SELECT DISTINCT team_id, team_tz FROM cases").fetchall())
    assert pairs == {(team, zones[schedule]) for team, schedule in teams.items()}
    assert str(pq.read_schema(next((world / "raw" / "cases").glob("*/part-0.parquet"))).field("team_id").type) \
        == "string"
    # partitions and calendar_dim stay in the export's zone, whatever the team
    for view, ts, day in (("cases", "intake_ts", "intake_date"), ("ev", "ingestion_ts", "ingestion_date")):
        assert scalar(con, f"SELECT count(*) FROM {view} WHERE timezone('{EXPORT_TZ}', {ts})::DATE <> {day}") == 0
    assert scalar(con, "SELECT count(*) FROM cal WHERE holiday_country <> 'US'") == 0
    # the intake mix: every regional team takes cases
    by_team = dict(con.execute("SELECT team_id, count(*) FROM cases GROUP BY 1").fetchall())
    for team, share in Params().world.intake_mix:
        assert abs(by_team[team] / 6000 - share) < 0.06, (team, by_team)
    # the ground truth still labels exactly what is in the raw files (HANDOFF events included)
    assert_truth_matches_raw(world, con)
    assert world_manifest(world)["cases_by_intake_team"] == by_team


def world_manifest(world: Path) -> dict:
    m = manifest(world)
    assert m["config"]["world"] == "global"
    return m["world"]


def test_handoff_events_carry_the_receiving_team(world: Path, con: duckdb.DuckDBPyConnection) -> None:
    g = Params().world
    receiver = {team: g.follow_the_sun[(i + 1) % len(g.follow_the_sun)] for i, team in enumerate(g.follow_the_sun)}
    assert scalar(con, "SELECT count(*) FROM ev WHERE (status = 'HANDOFF') <> (team_id IS NOT NULL)") == 0
    rows = con.execute("""SELECT c.team_id, e.team_id, count(*), count(DISTINCT e.event_id), count(DISTINCT c.case_id)
                          FROM ev e JOIN cases c USING (case_id) WHERE e.status = 'HANDOFF' GROUP BY ALL""").fetchall()
    assert rows
    for intake_team, to_team, _, events, cases in rows:
        assert receiver[intake_team] == to_team, (intake_team, to_team)
        assert events == cases  # one handoff per case
    handed = sum(r[4] for r in rows)
    assert handed == world_manifest(world)["cases_handed_off"]
    regional = scalar(con, "SELECT count(*) FROM cases WHERE team_id <> 'escalation'")
    assert 0.4 * g.handoff_share * regional < handed <= g.handoff_share * regional * 1.2, (handed, regional)
    # HANDOFF is no agent work: it comes after the investigation started, at the intake team's
    # close (open just before it, closed just after), and before the case's resolution
    order = con.execute("""
        SELECT count(*) FILTER (WHERE inv.t > h.t), count(*) FILTER (WHERE res.t < h.t), count(*)
        FROM work h
        JOIN (SELECT case_id, min(t) AS t FROM work WHERE status = 'INVESTIGATION' GROUP BY 1) inv USING (case_id)
        LEFT JOIN (SELECT case_id, min(t) AS t FROM work WHERE status IN ('RESOLVED', 'CANCELLED') GROUP BY 1) res
            USING (case_id)
        WHERE h.status = 'HANDOFF'""").fetchone()
    assert order[0] == 0 and order[1] == 0 and order[2] > 0.9 * handed, order
    intervals = {team: business_intervals(team, FIRST_DAY, LAST_DAY) for team in receiver}
    closes = con.execute("SELECT intake_team, t FROM work WHERE status = 'HANDOFF'").fetchall()
    for team, t in closes:
        # the end of a working day: India's lunch break (13:00-14:00) is no handoff time
        assert inside(intervals[team], t - 1) and not inside(intervals[team], t + 1), (team, t)
        assert next_open(intervals[team], t) >= t + 2 * 3600, (team, t)
    # the ground truth labels HANDOFF events like any other (messiness included)
    assert "HANDOFF" in ids(con, "SELECT DISTINCT status FROM gt")


def test_work_happens_in_the_owner_teams_business_hours(con: duckdb.DuckDBPyConnection) -> None:
    # the owner at t: the team of the case's last HANDOFF before t, else its intake team
    rows = con.execute(f"""
        SELECT w.status, w.t, coalesce(
                   (SELECT e.team_id FROM work h JOIN ev e ON e.event_id = h.event_id
                    WHERE h.case_id = w.case_id AND h.status = 'HANDOFF' AND h.t < w.t LIMIT 1),
                   w.intake_team) AS owner
        FROM work w WHERE w.status IN {WORK}""").fetchall()
    teams = {r["team_id"] for r in seed_rows("team_schedules.csv")}
    intervals = {team: business_intervals(team, FIRST_DAY, LAST_DAY) for team in teams}
    outside = [(status, dt.datetime.fromtimestamp(t, dt.UTC), owner) for status, t, owner in rows
               if not inside(intervals[owner], t)]
    assert len(rows) > 25_000
    assert not outside, outside[:10]
    # and the owners after a handoff did work (the check covered the receiving teams' hours)
    moved = scalar(con, """SELECT count(*) FROM work w JOIN work h ON h.case_id = w.case_id
                           AND h.status = 'HANDOFF' AND w.t > h.t AND w.status IN ('REVIEW_QA', 'RESOLVED')""")
    assert moved > 500


def test_escalation_desk_takes_a_share_of_tier_3(con: duckdb.DuckDBPyConnection) -> None:
    g = Params().world
    counts = dict(con.execute("""SELECT tier, count(*) FILTER (WHERE team_id = 'escalation') FROM cases
                                 GROUP BY 1""").fetchall())
    assert counts["TIER_1"] == 0 and counts["TIER_2"] == 0
    tier3 = scalar(con, "SELECT count(*) FROM cases WHERE tier = 'TIER_3'")
    assert_binomial(counts["TIER_3"], tier3, g.escalation_share_tier3, "escalation share of Tier 3")
    assert ids(con, "SELECT DISTINCT team_tz FROM cases WHERE team_id = 'escalation'") == {"UTC"}
    # the 24/7 desk works at night and on weekends too, and never hands a case off
    weekend = scalar(con, """SELECT count(*) FROM work WHERE intake_team = 'escalation' AND status = 'RESOLVED'
                             AND isodow(timezone('UTC', to_timestamp(t))) >= 6""")
    assert weekend > 0
    assert scalar(con, "SELECT count(*) FROM work WHERE intake_team = 'escalation' AND status = 'HANDOFF'") == 0


def test_emea_hours_change_on_2025_10_06_is_visible(con: duckdb.DuckDBPyConnection) -> None:
    """09:00-17:30 London before, 08:00-16:30 from 2025-10-06: emea's own work shows it."""
    con.execute("""CREATE OR REPLACE TEMP TABLE emea AS
                   SELECT timezone('Europe/London', to_timestamp(w.t)) AS local FROM work w
                   WHERE w.intake_team = 'emea' AND w.status IN ('TRIAGE', 'ASSIGNMENT', 'INVESTIGATION')
                   AND NOT EXISTS (SELECT 1 FROM work h WHERE h.case_id = w.case_id AND h.status = 'HANDOFF'
                                   AND h.t < w.t)""")
    by_period = con.execute("""
        SELECT local::DATE >= DATE '2025-10-06' AS new_hours,
               count(*) FILTER (WHERE local::TIME >= TIME '08:00' AND local::TIME < TIME '09:00') AS early,
               count(*) FILTER (WHERE local::TIME > TIME '16:30' AND local::TIME <= TIME '17:30') AS late,
               count(*) AS n
        FROM emea GROUP BY 1 ORDER BY 1""").fetchall()
    (_, early_old, late_old, n_old), (_, early_new, late_new, n_new) = by_period
    assert n_old > 300 and n_new > 1000, by_period
    assert early_old == 0 and late_old > 0.03 * n_old, by_period
    assert early_new > 0.03 * n_new and late_new == 0, by_period


def test_incremental_continues_the_global_world(tmp_path: Path) -> None:
    args = ["--cases", "800", "--start", "2025-12-01", "--end", "2025-12-10"]
    generate(tmp_path, *args, *GLOBAL)
    before = snapshot(tmp_path)
    generate(tmp_path, "--mode", "incremental", "--days", "1")
    after = snapshot(tmp_path)
    assert not {k for k in before if k.startswith("raw/cases/") and before[k] != after.get(k)}
    new = tmp_path / "raw" / "cases" / "intake_date=2025-12-11" / "part-0.parquet"
    assert "team_id" in pq.read_schema(new).names
    assert manifest(tmp_path)["config"]["world"] == "global"
    assert_truth_matches_raw(tmp_path, connect(tmp_path))


def test_schedules_dir_and_bad_seeds(tmp_path: Path) -> None:
    small = ["--cases", "200", "--start", "2025-10-01", "--end", "2025-10-05"]
    # --schedules-dir is for the global world only; an incremental run refuses --world
    assert_one_line_error(generate(tmp_path / "x", *small, "--schedules-dir", str(SEEDS), check=False))
    proc = generate(tmp_path / "x", "--mode", "incremental", *GLOBAL, check=False)
    assert_one_line_error(proc)
    assert "--world is for a full generation only" in proc.stderr
    # seeds without a team the world needs: one line naming it, nothing written
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    rows = (seeds / "team_schedules.csv").read_text().splitlines()
    (seeds / "team_schedules.csv").write_text("\n".join(r for r in rows if not r.startswith("india,")) + "\n")
    proc = generate(tmp_path / "y", *small, *GLOBAL, "--schedules-dir", str(seeds), check=False)
    assert_one_line_error(proc)
    assert "india" in proc.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
    # a copy of the seeds gives the same data as the project's seeds
    (seeds / "team_schedules.csv").write_text("\n".join(rows) + "\n")
    generate(tmp_path / "a", *small, *GLOBAL, "--schedules-dir", str(seeds))
    generate(tmp_path / "b", *small, *GLOBAL)
    for table in ("cases", "events_log"):
        assert not diff(snapshot(tmp_path / "a" / "raw" / table), snapshot(tmp_path / "b" / "raw" / table))


def test_help_names_the_world_options(tmp_path: Path) -> None:
    proc = run_generator(tmp_path / "raw", "--help")
    text = " ".join(proc.stdout.split())
    assert "--world {default,global}" in text and "--schedules-dir" in text
    assert "(default: default)" in text and "(default: the project's seeds/)" in text
    assert "(default: None)" not in text
