"""Read the schedule seeds (seeds/schedules.csv, schedule_hours.csv, schedule_closures.csv,
team_schedules.csv) into ``Schedule`` objects and team histories.

The seeds follow the contract of issue 29 (several business schedules): hours are
effective-dated by local dates, 'HH:MM' on quarter hours ('24:00' = the next local midnight),
closures are local dates and wall-clock ranges. A bad row raises ``CalendarError`` naming the file and the row.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ops_sla.calendar import CalendarError, Hours, Schedule, zone
from ops_sla.paths import ROOT

SEEDS_DIR = ROOT / "seeds"
SCHEDULES = "schedules.csv"
HOURS = "schedule_hours.csv"
CLOSURES = "schedule_closures.csv"
TEAMS = "team_schedules.csv"


@dataclass(frozen=True)
class TeamRow:
    """Team ``team_id`` follows ``schedule_id`` from local midnight of ``valid_from`` (None = always)."""

    team_id: str
    schedule_id: str
    valid_from: dt.date | None
    team_name: str


def read_rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as f:
            return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]
    except OSError as exc:
        raise CalendarError(f"cannot read {path}: {exc.strerror}") from None


def minutes(text: str, where: str) -> int:
    """'HH:MM' on a quarter hour, 00:00..24:00, as minutes after local midnight."""
    try:
        hh, mm = text.split(":")
        value = int(hh) * 60 + int(mm)
    except ValueError:
        raise CalendarError(f"{where}: {text!r} is not a time HH:MM") from None
    if not 0 <= value <= 24 * 60 or value % 15 or len(mm) != 2:
        raise CalendarError(f"{where}: {text!r} is not a quarter hour between 00:00 and 24:00")
    return value


def date_or_none(text: str, where: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CalendarError(f"{where}: {text!r} is not a date YYYY-MM-DD") from None


def read_schedules(folder: Path = SEEDS_DIR) -> dict[str, Schedule]:
    """Every schedule of ``folder``'s seeds, by id, with its hours and closures."""
    hours: dict[str, list[Hours]] = {}
    for i, row in enumerate(read_rows(folder / HOURS), start=2):
        where = f"{folder / HOURS} line {i}"
        opens, closes = minutes(row["opens_at"], where), minutes(row["closes_at"], where)
        if opens >= closes or not row["iso_weekday"].isdigit() or not 1 <= int(row["iso_weekday"]) <= 7:
            raise CalendarError(f"{where}: needs iso_weekday 1..7 and opens_at < closes_at")
        hours.setdefault(row["schedule_id"], []).append(Hours(
            int(row["iso_weekday"]), opens, closes,
            date_or_none(row["valid_from"], where), date_or_none(row["valid_to"], where)))
    closures: dict[str, list[tuple[dt.date, int, int]]] = {}
    for i, row in enumerate(read_rows(folder / CLOSURES), start=2):
        where = f"{folder / CLOSURES} line {i}"
        day = date_or_none(row["closure_date"], where)
        lo, hi = minutes(row["closed_from"], where), minutes(row["closed_until"], where)
        if day is None or lo >= hi:
            raise CalendarError(f"{where}: needs a closure_date and closed_from < closed_until")
        closures.setdefault(row["schedule_id"], []).append((day, lo, hi))
    schedules = {}
    for row in read_rows(folder / SCHEDULES):
        sid = row["schedule_id"]
        zone(row["time_zone"])
        schedules[sid] = Schedule(sid, row["time_zone"], tuple(hours.get(sid, ())),
                                  tuple(sorted(closures.get(sid, ()))))
    unknown = sorted((set(hours) | set(closures)) - set(schedules))
    if unknown:
        raise CalendarError(f"{folder}: hours or closures of unknown schedules {unknown} (not in {SCHEDULES})")
    return schedules


def read_teams(folder: Path = SEEDS_DIR, schedules: dict[str, Schedule] | None = None) -> dict[str, list[TeamRow]]:
    """Each team's rows of team_schedules.csv, ordered by ``valid_from`` (None first)."""
    teams: dict[str, list[TeamRow]] = {}
    for i, row in enumerate(read_rows(folder / TEAMS), start=2):
        where = f"{folder / TEAMS} line {i}"
        team = TeamRow(row["team_id"], row["schedule_id"], date_or_none(row["valid_from"], where), row["team_name"])
        if schedules is not None and team.schedule_id not in schedules:
            raise CalendarError(f"{where}: unknown schedule {team.schedule_id!r}")
        teams.setdefault(team.team_id, []).append(team)
    for rows in teams.values():
        rows.sort(key=lambda r: (r.valid_from is not None, r.valid_from or dt.date.min))
    return teams
