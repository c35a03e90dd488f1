"""Build one generation: day plan, cases, export, staffing, calendar and the manifest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
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


@dataclass
class Generation:
    config: Config
    export: Export
    staffing: pa.Table
    calendar: pa.Table
    manifest: dict


def build(config: Config, day_counts: list[int] | None = None, weekday_rate: float | None = None,
          params: Params | None = None, progress: Callable[[int], None] | None = None,
          closed_day_capacity: float | None = None) -> Generation:
    """Simulate the world from ``config.start`` to ``config.end``.

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
    cases = simulate.simulate_cases(plan, clock, hours, params, config.seed, progress=progress, teams=teams)
    export = build_export(cases, config.cutoff, config.team_tz, params.messiness)
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "config": config.to_json(),
        "cutoff_utc": dt.datetime.fromtimestamp(config.cutoff, dt.UTC).isoformat(),
        "day_counts": [int(c) for c in counts],
        "weekday_rate": weekday_rate,
        "closed_day_capacity": closed_day_capacity,
        "rows": {"cases": export.cases.num_rows, "events_log": export.events.num_rows},
        "faults": _fault_counts(export.faults),
        "messiness_rates": asdict(params.messiness),
    }
    if teams is not None:
        manifest["world"] = _world_summary(export, teams, params)
    return Generation(config, export, _staffing(plan, params), _calendar(config, hours, names), manifest)


def _world_summary(export: Export, teams: Teams, params: Params) -> dict:
    """--world global: its parameters, the exported cases per intake team and the cases whose
    HANDOFF event is in the export."""
    names, counts = np.unique(export.cases.column("team_id").to_numpy(zero_copy_only=False), return_counts=True)
    handoffs = pc.filter(export.events.column("case_id"), pc.equal(export.events.column("status"), "HANDOFF"))
    return {
        "name": "global",
        "teams": teams.ids,
        "params": asdict(params.world),
        "cases_by_intake_team": {str(k): int(v) for k, v in zip(names, counts, strict=True)},
        "cases_handed_off": len(pc.unique(handoffs)),
    }


def _fault_counts(faults: pa.Table) -> dict[str, int]:
    kinds, counts = np.unique(faults.column("fault_type").to_numpy(zero_copy_only=False), return_counts=True)
    return {str(k): int(c) for k, c in zip(kinds, counts, strict=False)}


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

