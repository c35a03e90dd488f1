"""A team's own dbt project and export, for the tests that play a team (test_team_export.py).

A team changes settings the way the README tells it to: it edits the vars in dbt_project.yml
and the seed CSVs. `team_project` copies the project's dbt files into a folder of its own and
edits them there; `write_partitions` turns the hand-written rows of pytests/fixtures/ into
parquet files laid out as docs/raw-contract.md says.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# what makes up the dbt project (everything dbt reads); the Python package stays installed
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "selectors.yml")
PROJECT_FOLDERS = ("models", "macros", "seeds", "tests", "analyses")


def team_project(dest: Path, vars_: dict[str, str], seeds: Path) -> Path:
    """A copy of the project's dbt files in `dest`, with the vars of dbt_project.yml set to
    `vars_` (name -> YAML value as written) and the seed CSVs of folder `seeds` in place of the
    project's."""
    dest.mkdir(parents=True)
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, dest / name)
    for name in PROJECT_FOLDERS:
        shutil.copytree(ROOT / name, dest / name)
    project = dest / "dbt_project.yml"
    text = project.read_text()
    for name, value in vars_.items():
        text, count = re.subn(rf"(?m)^(  {re.escape(name)}:) .*$", lambda m, v=value: f"{m.group(1)} {v}", text)
        assert count == 1, f"var {name} not found once in dbt_project.yml"
    project.write_text(text)
    for seed in seeds.glob("*.csv"):
        assert (dest / "seeds" / seed.name).exists(), f"{seed.name} is not a seed of the project"
        shutil.copy2(seed, dest / "seeds" / seed.name)
    return dest


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _instant(text: str) -> dt.datetime | None:
    """An ISO instant with its offset, e.g. 2026-03-27T16:30:00+01:00 (empty: NULL)."""
    if not text:
        return None
    value = dt.datetime.fromisoformat(text)
    assert value.utcoffset() is not None, f"{text} has no UTC offset"
    return value.astimezone(dt.UTC)


_UTC_US = pa.timestamp("us", tz="UTC")


def _team_ids(rows: list[dict[str, str]]) -> dict[str, pa.Array]:
    """The optional column team_id (empty: NULL) when the hand-written rows have it."""
    if rows and "team_id" in rows[0]:
        return {"team_id": pa.array([r["team_id"] or None for r in rows], pa.string())}
    return {}


def cases_table(rows: list[dict[str, str]]) -> pa.Table:
    return pa.table({
        "case_id": pa.array([r["case_id"] for r in rows], pa.string()),
        "intake_ts": pa.array([_instant(r["intake_ts"]) for r in rows], _UTC_US),
        "case_type": pa.array([r["case_type"] for r in rows], pa.string()),
        "tier": pa.array([r["tier"] for r in rows], pa.string()),
        "team_tz": pa.array([r["team_tz"] for r in rows], pa.string()),
        **_team_ids(rows),
    })


def events_table(rows: list[dict[str, str]]) -> pa.Table:
    return pa.table({
        "event_id": pa.array([int(r["event_id"]) for r in rows], pa.int64()),
        "case_id": pa.array([r["case_id"] for r in rows], pa.string()),
        "status": pa.array([r["status"] for r in rows], pa.string()),
        "event_ts": pa.array([_instant(r["event_ts"]) for r in rows], _UTC_US),
        "ingestion_ts": pa.array([_instant(r["ingestion_ts"]) for r in rows], _UTC_US),
        **_team_ids(rows),
    })


def write_partitions(raw: Path, table: str, key: str, rows: list[dict[str, str]], dates: Iterable[str]) -> None:
    """The rows of partition dates `dates` (column `key`) as `<raw>/<table>/<key>=<date>/part-0.parquet`."""
    build = cases_table if table == "cases" else events_table
    for date in dates:
        part = [r for r in rows if r[key] == date]
        assert part, f"no {table} rows for {date}"
        folder = raw / table / f"{key}={date}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(build(part), folder / "part-0.parquet")


def write_calendar(raw: Path, first: dt.date, last: dt.date, holidays: dict[dt.date, str],
                   business_weekdays: set[int], country: str, subdiv: str | None) -> None:
    """calendar_dim: every date first .. last; `holidays` are the only holidays."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    table = pa.table({
        "calendar_date": pa.array(days, pa.date32()),
        "day_of_week": pa.array([d.isoweekday() for d in days], pa.int32()),
        "is_weekend": pa.array([d.isoweekday() >= 6 for d in days]),
        "is_holiday": pa.array([d in holidays for d in days]),
        "holiday_name": pa.array([holidays.get(d) for d in days], pa.string()),
        "is_business_day": pa.array([d.isoweekday() in business_weekdays and d not in holidays for d in days]),
        "holiday_country": pa.array([country] * len(days), pa.string()),
        "holiday_subdiv": pa.array([subdiv] * len(days), pa.string()),
    })
    (raw / "calendar_dim").mkdir(parents=True, exist_ok=True)
    pq.write_table(table, raw / "calendar_dim" / "calendar_dim.parquet")


def write_staffing(raw: Path, days: list[dt.date], shift: str, planned: int, shrinkage: float) -> None:
    """staffing_schedule: one shift on each of `days`."""
    table = pa.table({
        "schedule_date": pa.array(days, pa.date32()),
        "shift": pa.array([shift] * len(days), pa.string()),
        "planned_agents": pa.array([planned] * len(days), pa.int32()),
        "shrinkage": pa.array([shrinkage] * len(days), pa.float64()),
        "effective_agents": pa.array([planned * (1 - shrinkage)] * len(days), pa.float64()),
    })
    (raw / "staffing_schedule").mkdir(parents=True, exist_ok=True)
    pq.write_table(table, raw / "staffing_schedule" / "staffing_schedule.parquet")
