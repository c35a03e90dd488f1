"""The teams of ``--world global``: their business clocks, intake mix, intake instants and the
clock of a case that moves from one team to another.

A team follows the schedule of its team_schedules.csv row in effect (from local midnight of
``valid_from`` in the zone of that row's schedule), so a team's business clock is its
schedules' clocks spliced at those instants. Everything here is vectorised over cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ops_sla.calendar import BusinessClock, CalendarError, Schedule, local_instant, zone
from ops_sla.schedules import read_schedules, read_teams

from .params import GlobalWorld, Volume


@dataclass
class Teams:
    ids: list[str]  # team ids, sorted; a team's index is its row of ``clock``
    clock: BusinessClock  # one row per team: the business set of its schedule at each instant
    history: list[list[tuple[int, Schedule]]]  # per team: (from epoch, schedule), first from the start
    regional: np.ndarray  # team index of each entry of the intake mix
    mix: np.ndarray  # intake share of each regional team
    escalation: int  # index of the 24/7 desk
    receiver: np.ndarray  # per team: index of the team a follow-the-sun handoff goes to, -1 none

    def schedule_on(self, team: int, day: dt.date) -> Schedule:
        """The schedule of ``team`` on its local date ``day`` (the row in effect at its midnight)."""
        current = self.history[team][0][1]
        for epoch, schedule in self.history[team][1:]:
            if local_instant(day, 0, zone(schedule.tz)) >= epoch:
                current = schedule
        return current

    def zone_at(self, team: np.ndarray, epoch: np.ndarray) -> np.ndarray:
        """The time zone of each case's team at ``epoch`` (its schedule's zone then)."""
        out = np.empty(len(team), dtype=object)
        for t, rows in enumerate(self.history):
            mine = team == t
            starts = np.array([e for e, _ in rows[1:]], dtype=np.int64)
            which = np.searchsorted(starts, epoch[mine], side="right")
            out[mine] = np.array([s.tz for _, s in rows], dtype=object)[which]
        return out.astype(str)

    def day_weights(self, days: list[dt.date], v: Volume) -> np.ndarray:
        """(days, regional teams): intake share x the Volume weight of the day in the team's own
        calendar (open = weekday; hours but closed all day = holiday; no hours = weekend day)."""
        out = np.empty((len(days), len(self.regional)))
        for j, (team, share) in enumerate(zip(self.regional, self.mix, strict=True)):
            for i, day in enumerate(days):
                schedule = self.schedule_on(int(team), day)
                if schedule.open_on(day):
                    w = v.weekday_weight
                elif schedule.hours_on(day):
                    w = v.holiday_weight
                else:
                    w = v.saturday_weight if day.isoweekday() == 6 else v.sunday_weight
                out[i, j] = share * w
        return out

    def intake_instants(self, team: np.ndarray, day_start: np.ndarray, day_end: np.ndarray,
                        u: np.ndarray, business_share: float) -> np.ndarray:
        """Intake instants in [day_start, day_end): with ``business_share`` uniform over the team's
        business time in that window (when it has some), otherwise uniform over the window.
        ``u``: (cases, 2) uniforms."""
        lo = self.clock.to_ordinal(day_start, team)
        hi = self.clock.to_ordinal(day_end, team)
        business = (u[:, 0] < business_share) & (hi > lo)
        at = day_start + u[:, 1] * (day_end - day_start)
        at[business] = self.clock.from_ordinal(lo[business] + u[business, 1] * (hi - lo)[business], team[business])
        return np.floor(at).astype(np.int64)


def load_teams(folder: Path, first: dt.date, last: dt.date, world: GlobalWorld) -> Teams:
    """The teams of ``folder``'s seeds, with clocks over local dates ``first``..``last``."""
    schedules = read_schedules(folder)
    rows = read_teams(folder, schedules)
    ids = sorted(rows)
    named = [name for name, _ in world.intake_mix] + [world.escalation_team, *world.follow_the_sun]
    missing = sorted(set(named) - set(ids))
    if missing:
        raise CalendarError(f"--world global needs the teams {missing} in {folder}/team_schedules.csv")
    schedule_ids = sorted(schedules)
    by_schedule = BusinessClock.for_schedules(first, last, [schedules[s] for s in schedule_ids])
    history, switches = [], []
    for team in ids:
        team_rows = rows[team]
        starts = [by_schedule.first_epoch if r.valid_from is None
                  else local_instant(r.valid_from, 0, zone(schedules[r.schedule_id].tz)) for r in team_rows]
        history.append([(e, schedules[r.schedule_id]) for e, r in zip(starts, team_rows, strict=True)])
        switches.append([(e, schedule_ids.index(r.schedule_id)) for e, r in zip(starts, team_rows, strict=True)])
    receiver = np.full(len(ids), -1)
    sun = world.follow_the_sun
    for i, team in enumerate(sun):
        receiver[ids.index(team)] = ids.index(sun[(i + 1) % len(sun)])
    mix = np.array([share for _, share in world.intake_mix])
    return Teams(ids=ids, clock=by_schedule.splice(switches), history=history,
                 regional=np.array([ids.index(name) for name, _ in world.intake_mix]), mix=mix / mix.sum(),
                 escalation=ids.index(world.escalation_team), receiver=receiver)


class CaseClock:
    """The business clock of each case: its first team's until ``handoff_at``, the second
    team's from then on (one ordinal, continuous at the handoff). Arrays are one per case."""

    def __init__(self, clock: BusinessClock, first: np.ndarray, second: np.ndarray | None = None,
                 handoff_at: np.ndarray | None = None):
        self.clock, self.first = clock, first
        self.moved = np.zeros(len(first), dtype=bool) if handoff_at is None else np.isfinite(handoff_at)
        m = self.moved
        if m.any():
            self.second, self.at = second[m], handoff_at[m]
            self.at_ordinal = clock.to_ordinal(self.at, first[m])  # on the first team's clock
            self.shift = self.at_ordinal - clock.to_ordinal(self.at, self.second)

    def to_ordinal(self, epoch: np.ndarray) -> np.ndarray:
        out = self.clock.to_ordinal(epoch, self.first)
        m = self.moved
        if m.any():
            e, o = np.asarray(epoch, dtype=np.float64)[m], out[m]
            late = e >= self.at
            o[late] = self.clock.to_ordinal(e[late], self.second[late]) + self.shift[late]
            out[m] = o
        return out

    def from_ordinal(self, ordinal: np.ndarray) -> np.ndarray:
        ordinal = np.asarray(ordinal, dtype=np.float64)
        out = np.empty(len(ordinal))
        m = self.moved
        early = ~m
        if m.any():
            o = ordinal[m]
            late = o >= self.at_ordinal
            t = np.empty(len(o))
            t[late] = self.clock.from_ordinal(o[late] - self.shift[late], self.second[late])
            t[~late] = self.clock.from_ordinal(o[~late], self.first[m][~late])
            out[m] = t
        out[early] = self.clock.from_ordinal(ordinal[early], self.first[early])
        return out
