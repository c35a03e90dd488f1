"""A team with several schedules, end to end, on a hand-written export (issue 29).

The export's zone is Dublin (var business_time_zone; it dates the partition folders). Two
teams with their own schedules (seeds written by the team, pytests/fixtures/
team_export_schedules/seeds): `dublin` (Europe/Dublin, Mon-Fri 09:00-17:00, closed on St
Patrick's Day, 17 March 2026, an own closure) and `chicago` (America/Chicago, Mon-Fri
08:00-12:00 and 13:00-17:00: a lunch break; US clocks went forward on 8 March, so Chicago is
UTC-5 and Dublin UTC+0 all the time of the data). A case without team_id is measured on the
`default` schedule of the vars (Dublin, 09:00-17:00 Mon-Fri, the calendar's holiday 17
March). SLA B 120 business minutes; SLA A 600, and 480 for cases taken in from 23 March
(sla_targets.valid_from: the target in effect at intake). The minutes below are worked out
by hand in the docstring of each case's test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import dbt_env, run_dbt
from team_export import FIXTURES, read_rows, team_project, write_calendar, write_partitions, write_staffing

EXPORT = FIXTURES / "team_export_schedules"
TEAM_VARS = {
    "business_time_zone": "Europe/Dublin",
    "business_day_open": '"09:00"',
    "business_day_close": '"17:00"',
    "business_weekdays": "[1, 2, 3, 4, 5]",
    # no case files on these dates (the events have some of them)
    "partition_dates_allowed_missing": "['2026-03-17', '2026-03-19', '2026-03-21', '2026-03-22']",
}
CASE_DAYS = ["2026-03-16", "2026-03-18", "2026-03-20", "2026-03-23"]
EVENT_DAYS = ["2026-03-16", "2026-03-18", "2026-03-19", "2026-03-20", "2026-03-23", "2026-03-24"]
UTC = dt.UTC


@dataclass
class Built:
    db: Path

    def rows(self, sql: str) -> list[dict]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            cur = con.execute(sql)
            names = [c[0] for c in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def case(self, case_id: str) -> dict:
        (row,) = self.rows(f"select * from marts.case_sla where case_id = '{case_id}'")
        return row


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("schedules_team")
    project = team_project(base / "project", TEAM_VARS, EXPORT / "seeds")
    raw = base / "raw"
    write_partitions(raw, "cases", "intake_date", read_rows(EXPORT / "cases.csv"), CASE_DAYS)
    write_partitions(raw, "events_log", "ingestion_date", read_rows(EXPORT / "events.csv"), EVENT_DAYS)
    first, last = dt.date(2026, 3, 1), dt.date(2026, 4, 30)
    write_calendar(raw, first, last, {dt.date(2026, 3, 17): "St Patrick's Day"}, {1, 2, 3, 4, 5}, "IE", None)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    write_staffing(raw, [d for d in days if d.isoweekday() <= 5], "DAY", 4, 0.25)
    db = base / "ops_sla.duckdb"
    run_dbt(["build", "--full-refresh"], dbt_env(raw, db, base / "target", DBT_PROJECT_DIR=str(project),
                                                  DBT_PROFILES_DIR=str(project)))
    return Built(db)


def _utc(text: str) -> dt.datetime:
    """A naive UTC timestamp as the marts hold it (the *_ts_utc columns)."""
    return dt.datetime.fromisoformat(text)


def test_a_case_of_one_team_skips_its_own_closure(built: Built) -> None:
    """D-0316-A (dublin): intake Mon 16 March 16:00, triage Wed 18 09:30, resolved Thu 19 12:00.
    Tue 17 is St Patrick's Day (dublin's own closure). SLA B = 60 (Mon 16-17) + 30 = 90, met.
    SLA A = 60 + 480 (Wed) + 180 (Thu 09-12) = 720 > 600 (intake before 23 March): breached;
    540 at Wed 17:00, so the breach instant is Thu 19 10:00."""
    c = built.case("D-0316-A")
    assert (c["intake_team_id"], c["final_team_id"], c["handoff_count"]) == ("dublin", "dublin", 0)
    assert c["sla_b_business_minutes"] == 90 and c["sla_b_breached"] is False
    assert c["sla_a_target_minutes"] == 600
    assert c["sla_a_business_minutes_including_wait"] == 720 and c["sla_a_breached_including_wait"] is True
    assert c["sla_a_breach_ts_utc"] == _utc("2026-03-19 10:00")
    assert c["intake_ts_intake_team_local"] == _utc("2026-03-16 16:00")


def test_a_handoff_moves_the_clock_to_the_receiving_team(built: Built) -> None:
    """D-0320-A: dublin takes it in Fri 20 15:00 UTC, triage 15:30 (SLA B 30), hands it to
    chicago at 17:00 UTC = 12:00 Chicago (its lunch hour). Dublin: 15:00-17:00 = 120; Chicago
    Friday 13:00-17:00 = 240; Monday 23 08:00-10:00 Chicago (13:00-15:00 UTC) = 120: resolved
    at 480 <= 600, met. Measured on dublin's hours alone it would be 120 + 0 (Friday after 17:00)
    + 360 (Mon 09:00-15:00 UTC) = 480 too by coincidence, so the next case tells them apart."""
    c = built.case("D-0320-A")
    assert (c["intake_team_id"], c["final_team_id"], c["handoff_count"]) == ("dublin", "chicago", 1)
    assert c["sla_b_business_minutes"] == 30
    assert c["sla_a_business_minutes_including_wait"] == 480 and c["sla_a_breached_including_wait"] is False


def test_a_breach_across_two_schedules_lands_at_the_next_opening(built: Built) -> None:
    """C-0323-A: chicago takes it in Mon 23 08:00 Chicago (13:00 UTC), triage 08:45 (SLA B 45),
    target 480 (in effect from 23 March). Chicago: 08:00-12:00 and 13:00-17:00 = 480 at 17:00
    Chicago = 22:00 UTC, the very instant it is handed to dublin. The clock reaches its target
    exactly there, and the breach instant is the latest instant with that elapsed time: dublin's
    next opening, Tue 24 09:00 UTC. Resolved Tue 12:00 UTC: 480 + 180 = 660 > 480, breached.
    On chicago's hours alone it would be 480 + 0 (Tue 08:00 Chicago is 13:00 UTC) = 480, met."""
    c = built.case("C-0323-A")
    assert (c["intake_team_id"], c["final_team_id"], c["handoff_count"]) == ("chicago", "dublin", 1)
    assert c["intake_schedule_id"] == "chicago"
    assert c["sla_b_business_minutes"] == 45
    assert c["sla_a_target_minutes"] == 480
    assert c["sla_a_business_minutes_including_wait"] == 660 and c["sla_a_breached_including_wait"] is True
    assert c["sla_a_breach_ts_utc"] == _utc("2026-03-24 09:00")
    assert c["intake_ts_intake_team_local"] == _utc("2026-03-23 08:00")


def test_a_case_without_a_team_keeps_the_default_schedule(built: Built) -> None:
    """N-0318-A has no team_id: team `default`, the vars' schedule (Dublin 09:00-17:00, the
    calendar's holiday on 17 March). Intake Wed 18 16:30, triage Thu 19 09:15: SLA B 30 + 15 =
    45. Still open at the as-of instant (Tue 24 12:00:30, the last ingestion): 30 + 480 (Thu) +
    480 (Fri) + 480 (Mon) + 180.5 (Tue) = 1650.5 > 600, open past target; the target was reached
    at 30 + 480 + 90: Fri 20 10:30."""
    c = built.case("N-0318-A")
    assert (c["intake_team_id"], c["intake_schedule_id"], c["handoff_count"]) == ("default", "default", 0)
    assert c["sla_b_business_minutes"] == 45
    assert c["case_status"] == "open" and c["open_elapsed_business_minutes_including_wait"] == 1650.5
    assert c["sla_a_outcome_including_wait"] == "open_past_target"
    assert c["sla_a_breach_ts_utc"] == _utc("2026-03-20 10:30")


def test_sla_by_team_counts_each_case_under_its_intake_team(built: Built) -> None:
    rows = {r["intake_team_id"]: r for r in built.rows("select * from marts.sla_by_team where grain = 'team'")}
    assert {team: r["cases"] for team, r in rows.items()} == {"dublin": 2, "chicago": 1, "default": 1}
    assert rows["dublin"]["team_name"] == "Dublin" and rows["dublin"]["handed_off_cases"] == 1
    assert rows["dublin"]["sla_a_breached_cases_including_wait"] == 1
    assert rows["chicago"]["cases_ending_with_another_team"] == 1
