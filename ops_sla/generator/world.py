"""Build one generation: day plan, cases, export, staffing, calendar and the manifest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ops_sla.calendar import BusinessClock, BusinessHours, daterange, holiday_names, local_instant, zone
from ops_sla.schedules import SEEDS_DIR

from . import simulate
from .events import Export, build_export
from .params import Params
from .teams import Teams, load_teams

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Config:
    cases: int = 300_000
    start: dt.date = dt.date(2025, 7, 1)
    end: dt.date = dt.date(2025, 12, 31)
    seed: int = 20250701
    team_tz: str = "America/Los_Angeles"
    holiday_country: str = "US"
    holiday_subdiv: str | None = None
    world: str = "default"  # "global": the teams of the schedule seeds
    schedules_dir: str | None = None  # --world global: folder of the schedule seeds (None: the project's seeds/)

    @property
    def cutoff(self) -> int:
        """Export cutoff: the team's local midnight after ``end`` (epoch seconds)."""
        return local_instant(self.end + dt.timedelta(days=1), 0, zone(self.team_tz))

    @property
    def calendar_first(self) -> dt.date:
        return dt.date(self.start.year - 1, 12, 1)

    @property
    def calendar_last(self) -> dt.date:
        return dt.date(self.end.year + 1, 12, 31)

    @property
    def seeds(self) -> Path:
        return Path(self.schedules_dir) if self.schedules_dir else SEEDS_DIR

    def to_json(self) -> dict:
        d = asdict(self)
        d["start"], d["end"] = self.start.isoformat(), self.end.isoformat()
        # the default world's manifest and marker stay as they were before there were worlds
        if self.world == "default":
            del d["world"]
        if self.schedules_dir is None:
            del d["schedules_dir"]
        return d

    @classmethod
    def from_json(cls, d: dict) -> Config:
        d = dict(d)
        d["start"], d["end"] = dt.date.fromisoformat(d["start"]), dt.date.fromisoformat(d["end"])
        return cls(**d)


# cases simulated at a time (``--chunk-cases``): what bounds the generator's memory. The
# output does not depend on it: days are simulated from their own random streams, and the
# partitions of all chunks are merged into the files a single pass would write.
CHUNK_CASES = 100_000


@dataclass
class Generation:
    """A planned generation: the day plan and the clocks, ready to simulate a run of days at a
    time (``chunks``, ``export``), plus the small tables and the manifest's plan half."""

    config: Config
    params: Params
    plan: simulate.DayPlan
    clock: BusinessClock
    hours: BusinessHours
    teams: Teams | None
    staffing: pa.Table
    calendar: pa.Table
    plan_manifest: dict

    def chunks(self, max_cases: int = CHUNK_CASES) -> list[tuple[int, int]]:
        """Consecutive day ranges ``[lo, hi)`` of at most ``max_cases`` cases each (a day with
        more is a chunk of its own): a chunk's cases never depend on the others."""
        out, lo, total = [], 0, 0
        for i, n in enumerate(int(c) for c in self.plan.counts):
            if i > lo and total > 0 and total + n > max_cases:
                out.append((lo, i))
                lo, total = i, 0
            total += n
        out.append((lo, len(self.plan.days)))
        return out

    def export(self, lo: int, hi: int, progress: Callable[[int], None] | None = None) -> Export:
        """The raw rows and the ground truth of the cases taken in on days ``lo..hi-1``."""
        cases = simulate.simulate_cases(self.plan, self.clock, self.hours, self.params, self.config.seed,
                                        progress=progress, teams=self.teams, days=range(lo, hi))
        return build_export(cases, self.config.cutoff, self.config.team_tz, self.params.messiness)

    def manifest(self, tally: Tally) -> dict:
        """The manifest of the generation, once every chunk's export is in ``tally``."""
        out = {**self.plan_manifest, "rows": {"cases": tally.cases, "events_log": tally.events},
               "faults": dict(sorted(tally.faults.items()))}
        if self.teams is not None:
            out["world"] = {
                "name": "global",
                "teams": self.teams.ids,
                "params": asdict(self.params.world),
                "cases_by_intake_team": dict(sorted(tally.cases_by_team.items())),
                "cases_handed_off": tally.handed_off,
            }
        return out


@dataclass
class Tally:
    """What the manifest counts, summed over the chunks' exports (their cases are disjoint)."""

    cases: int = 0
    events: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    cases_by_team: dict[str, int] = field(default_factory=dict)
    handed_off: int = 0

    def add(self, export: Export) -> None:
        self.cases += export.cases.num_rows
        self.events += export.events.num_rows
        _count_into(self.faults, export.faults.column("fault_type"))
        if "team_id" in export.cases.column_names:
            _count_into(self.cases_by_team, export.cases.column("team_id"))
            handoffs = pc.filter(export.events.column("case_id"),
                                 pc.equal(export.events.column("status"), "HANDOFF"))
            self.handed_off += len(pc.unique(handoffs))


def _count_into(counts: dict[str, int], column: pa.ChunkedArray) -> None:
    values, n = np.unique(column.to_numpy(zero_copy_only=False), return_counts=True)
    for value, k in zip(values, n, strict=True):
        counts[str(value)] = counts.get(str(value), 0) + int(k)


def build(config: Config, day_counts: list[int] | None = None, weekday_rate: float | None = None,
          params: Params | None = None, closed_day_capacity: float | None = None) -> Generation:
    """Plan the world from ``config.start`` to ``config.end`` (the cases are simulated later,
    a chunk of days at a time: ``Generation.export``).

    ``day_counts`` (one per day from ``start``) and ``weekday_rate`` come from the manifest
    of an earlier generation in incremental mode; new days get ``weekday_rate``-scaled
    counts. In full mode ``config.cases`` is split over the days exactly. ``closed_day_capacity``
    (also from that manifest) keeps the congestion of earlier closed days as it was.
    """
    params = params or Params()
    hours = BusinessHours(tz=config.team_tz)
    zone(config.team_tz)
    names = holiday_names(config.calendar_first, config.calendar_last, config.holiday_country, config.holiday_subdiv)
    holidays = set(names)
    clock = BusinessClock.weekly(config.calendar_first, config.calendar_last, hours, holidays)
    days = daterange(config.start, config.end)
    teams, team_weight = None, None
    if config.world == "global":
        teams = load_teams(config.seeds, config.calendar_first, config.calendar_last, params.world)
        team_weight = teams.day_weights(days, params.volume)
    plan = simulate.plan_days(days, holidays, hours, params, config.seed,
                              None if team_weight is None else team_weight.sum(axis=1))
    if team_weight is not None:
        plan.team_prob = team_weight / team_weight.sum(axis=1, keepdims=True)
    if day_counts is None:
        counts = simulate.allocate(config.cases, plan.weight)
        weekday_rate = float(counts[plan.is_business].mean()) if plan.is_business.any() else float(counts.mean())
    else:
        assert weekday_rate is not None
        known = np.asarray(day_counts, dtype=np.int64)
        extra = np.round(plan.weight[len(known):] * weekday_rate).astype(np.int64)
        counts = np.concatenate([known, extra])[: len(days)]
    plan.counts = counts
    closed_day_capacity = simulate.staff_and_congest(plan, params, weekday_rate, closed_day_capacity)
    plan_manifest = {
        "manifest_version": MANIFEST_VERSION,
        "config": config.to_json(),
        "cutoff_utc": dt.datetime.fromtimestamp(config.cutoff, dt.UTC).isoformat(),
        "day_counts": [int(c) for c in counts],
        "weekday_rate": weekday_rate,
        "closed_day_capacity": closed_day_capacity,
        "messiness_rates": asdict(params.messiness),
    }
    return Generation(config, params, plan, clock, hours, teams, _staffing(plan, params),
                      _calendar(config, hours, names), plan_manifest)


def _staffing(plan: simulate.DayPlan, params: Params) -> pa.Table:
    rows_date, rows_shift, planned, shrink, effective = [], [], [], [], []
    for i, day in enumerate(plan.days):
        for shift, share in params.staffing.shifts:
            p = float(np.round(plan.planned_agents[i] * share))
            rows_date.append(day)
            rows_shift.append(shift)
            planned.append(int(p))
            shrink.append(round(float(plan.shrinkage[i]), 4))
            effective.append(round(p * (1.0 - round(float(plan.shrinkage[i]), 4)), 2))
    return pa.table({
        "schedule_date": pa.array(rows_date, type=pa.date32()),
        "shift": pa.array(rows_shift),
        "planned_agents": pa.array(planned, type=pa.int32()),
        "shrinkage": pa.array(shrink, type=pa.float64()),
        "effective_agents": pa.array(effective, type=pa.float64()),
    })


def _calendar(config: Config, hours: BusinessHours, names: dict[dt.date, str]) -> pa.Table:
    days = daterange(config.calendar_first, config.calendar_last)
    weekend = [d.isoweekday() >= 6 for d in days]
    holiday = [d in names for d in days]
    return pa.table({
        "calendar_date": pa.array(days, type=pa.date32()),
        "day_of_week": pa.array([d.isoweekday() for d in days], type=pa.int8()),
        "is_weekend": pa.array(weekend),
        "is_holiday": pa.array(holiday),
        "holiday_name": pa.array([names.get(d) for d in days], type=pa.string()),
        "is_business_day": pa.array([d.isoweekday() in hours.weekdays and not h
                                     for d, h in zip(days, holiday, strict=True)]),
        "holiday_country": pa.array([config.holiday_country] * len(days)),
        "holiday_subdiv": pa.array([config.holiday_subdiv] * len(days), type=pa.string()),
    })

