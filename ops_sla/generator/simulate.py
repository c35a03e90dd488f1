"""The work model: daily volumes, staffing, congestion and the life of every case.

Everything is vectorised over cases. The only Python loops run over *days* (to give each
local day its own random stream, so that a day's cases do not depend on how many days are
generated -- which is what makes ``--mode incremental`` append exactly what a longer full
run would have produced).

Durations of agent work are drawn in business seconds and placed on the business clock, so
work happens in business hours by construction; customer responses run on the wall clock.
In ``--world global`` the clock is the case's owner team's (``teams.CaseClock``): its intake
team's, and after a follow-the-sun handoff the receiving team's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ops_sla.calendar import BusinessClock, BusinessHours, local_instant, zone

from .params import Params
from .teams import CaseClock, Teams

# random streams per local day (STREAM_TEAMS: --world global only, so the default world's
# streams are untouched)
STREAM_VOLUME, STREAM_STAFFING, STREAM_CASES, STREAM_TEAMS = 0, 1, 2, 3

# event slots: position in a case's life; several slots share a status
SLOTS = (
    ("INTAKE", "intake"),
    ("TRIAGE", "triage"),
    ("ASSIGNMENT", "assignment"),
    ("INVESTIGATION", "investigation"),
    ("CUSTOMER_WAIT", "customer_wait"),
    ("CUSTOMER_RESPONDED", "customer_responded"),
    ("ESCALATED", "escalated"),
    ("REVIEW_QA", "review_qa"),
    ("RESOLVED", "resolved"),
    ("CANCELLED", "cancelled"),
    ("REOPENED", "reopened"),
    ("INVESTIGATION", "rework_investigation"),
    ("REVIEW_QA", "rework_review_qa"),
    ("RESOLVED", "rework_resolved"),
    ("HANDOFF", "handoff"),  # --world global only (its uniforms come from STREAM_TEAMS)
)
SLOT_INDEX = {name: i for i, (_, name) in enumerate(SLOTS)}
N_SLOTS = len(SLOTS)
N_CASE_STREAM_SLOTS = SLOT_INDEX["handoff"]  # slots whose uniforms come from STREAM_CASES


def day_rng(seed: int, day: dt.date, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, day.toordinal(), stream])


@dataclass
class DayPlan:
    """One row per local calendar day of intake."""

    days: list[dt.date]
    is_business: np.ndarray
    weight: np.ndarray
    planned_agents: np.ndarray  # per business day, all shifts
    shrinkage: np.ndarray
    effective_agents: np.ndarray
    counts: np.ndarray | None = None
    load: np.ndarray | None = None
    backlog: np.ndarray | None = None
    congestion: np.ndarray | None = None
    team_prob: np.ndarray | None = None  # --world global: (days, regional teams) intake team odds


def quarter_end(day: dt.date) -> dt.date:
    month = ((day.month - 1) // 3) * 3 + 3
    nxt = dt.date(day.year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def plan_days(days: list[dt.date], holidays: set[dt.date], hours: BusinessHours, params: Params, seed: int,
              base_weight: np.ndarray | None = None) -> DayPlan:
    """Intake weights and staffing per day (counts come later). ``base_weight`` (one per day)
    replaces the weekday/weekend/holiday weight of the export calendar (--world global: the
    teams' own calendars)."""
    v, s = params.volume, params.staffing
    weight = np.empty(len(days))
    is_business = np.zeros(len(days), dtype=bool)
    shrink = np.zeros(len(days))
    for i, day in enumerate(days):
        dow = day.isoweekday()
        is_business[i] = dow in hours.weekdays and day not in holidays
        if day in holidays:
            w = v.holiday_weight
        elif dow == 6:
            w = v.saturday_weight
        elif dow == 7:
            w = v.sunday_weight
        else:
            w = v.weekday_weight
        if base_weight is not None:
            w = float(base_weight[i])
        days_left = (quarter_end(day) - day).days
        if days_left < v.quarter_end_days:
            w *= 1.0 + v.quarter_end_boost * (1.0 - days_left / v.quarter_end_days)
        noise = day_rng(seed, day, STREAM_VOLUME).lognormal(0.0, v.daily_noise)
        weight[i] = w * noise
        base = s.december_shrinkage if day.month == 12 else s.shrinkage
        shrink[i] = np.clip(base + day_rng(seed, day, STREAM_STAFFING).normal(0.0, s.shrinkage_noise), 0.05, 0.6)
    return DayPlan(days, is_business, weight, np.zeros(len(days)), shrink, np.zeros(len(days)))


def allocate(total: int, weight: np.ndarray) -> np.ndarray:
    """Split ``total`` cases over days in proportion to ``weight`` (largest remainder)."""
    exact = total * weight / weight.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - counts.sum()
    order = np.lexsort((np.arange(len(weight)), -(exact - counts)))
    counts[order[:short]] += 1
    return counts


def staff_and_congest(plan: DayPlan, params: Params, weekday_rate: float,
                      closed_day_capacity: float | None = None) -> float:
    """Planned/effective agents, load, carried backlog and the queue multiplier per day.

    Closed days (no capacity) are measured against ``closed_day_capacity``: the mean business
    day capacity of the plan, unless given (incremental mode passes the first generation's, so
    appending days never changes an earlier day). Returns the value used.
    """
    s, w = params.staffing, params.work
    # at least one agent on a business day: a tiny data set would otherwise have no capacity at all
    planned = np.where(plan.is_business,
                       np.maximum(1.0, np.round(weekday_rate * s.agents_per_1000_weekday_cases / 1000.0)), 0.0)
    plan.planned_agents = planned
    plan.effective_agents = planned * (1.0 - plan.shrinkage)
    capacity = plan.effective_agents * s.cases_per_agent_day
    counts = plan.counts.astype(np.float64)
    backlog = np.zeros(len(counts))
    carried = 0.0
    for i in range(len(counts)):  # one step per day: the backlog carries over
        carried = max(0.0, carried + counts[i] - capacity[i])
        backlog[i] = carried
    if closed_day_capacity is not None:
        ref = closed_day_capacity
    else:
        ref = float(capacity[plan.is_business].mean()) if plan.is_business.any() else 1.0
    eff_capacity = np.where(capacity > 0, capacity, ref)
    plan.load = counts / eff_capacity
    plan.backlog = backlog
    plan.congestion = (w.congestion_base + w.congestion_load_coef * plan.load
                       + w.congestion_backlog_coef * backlog / eff_capacity)
    return ref


@dataclass
class Cases:
    """The simulated life of every case (columns are arrays over cases)."""

    case_id: np.ndarray  # str, e.g. SR-20250701-00042 (local intake date + sequence)
    case_key: np.ndarray  # int64, unique and stable across runs (basis of event ids)
    day_index: np.ndarray  # index into DayPlan.days
    intake_epoch: np.ndarray  # int64 epoch seconds
    tier: np.ndarray  # 0..2
    case_type: np.ndarray  # 0..2
    slot_epoch: np.ndarray  # (n_cases, N_SLOTS) float epoch seconds, NaN = slot absent
    fault_u: np.ndarray  # (n_cases, N_SLOTS, 3) uniforms for messiness per event
    case_u: np.ndarray  # (n_cases, 2) uniforms for missing milestones per case
    lag_u: np.ndarray  # (n_cases, N_SLOTS, 2) uniforms for ingestion lags
    # --world global only (None in the default world)
    team_id: np.ndarray | None = None  # intake (owning) team of each case
    team_tz: np.ndarray | None = None  # the zone of its schedule at intake
    handoff_team: np.ndarray | None = None  # the team of the HANDOFF slot ('' when none)


def _local_intake_seconds(rng: np.random.Generator, n: int, business_day: bool, share: float) -> np.ndarray:
    """Seconds after local midnight: business-hours peak on business days, spread otherwise."""
    if business_day:
        inside = rng.random(n) < share
        peak = rng.triangular(8 * 3600, 12.5 * 3600, 18 * 3600, n)
        anytime = rng.uniform(0, 86400, n)
        secs = np.where(inside, peak, anytime)
    else:
        secs = rng.uniform(7 * 3600, 22 * 3600, n)
    return np.floor(secs)


# per-case draws, in the order they are taken from the day's stream
DRAWS = (
    "triage_wait", "assignment_wait", "investigation_wait", "investigation_work", "review",
    "has_wait", "wait_at", "wait_wall", "has_escalation", "escalation_at",
    "is_cancelled", "cancel_stage", "cancel_delay",
    "is_reopened", "reopen_delay", "rework_queue", "rework_work", "rework_review",
)


def _draw_day(rng: np.random.Generator, n: int, tier: np.ndarray, ctype: np.ndarray, congestion: float,
              params: Params) -> dict[str, np.ndarray]:
    w = params.work
    t = tier
    inv_median = np.asarray(w.investigation_median)[t] * np.asarray(w.case_type_factor)[ctype]
    inv_sigma = np.asarray(w.investigation_sigma)[t]
    k = w.queue_shape
    d = {
        "triage_wait": rng.gamma(k, w.triage_wait_mean * congestion / k, n),
        "assignment_wait": rng.gamma(k, w.assignment_wait_mean * congestion / k, n),
        "investigation_wait": rng.gamma(k, w.investigation_wait_mean * congestion / k, n),
        "investigation_work": inv_median * np.exp(inv_sigma * rng.standard_normal(n)),
        "review": rng.gamma(2.0, np.asarray(w.review_mean)[t] / 2.0, n),
        "has_wait": rng.random(n) < np.asarray(w.customer_wait_prob)[t],
        "wait_at": rng.uniform(0.2, 0.8, n),
        "wait_wall": w.customer_wait_wall_hours_median * 3600 * np.exp(
            w.customer_wait_wall_hours_sigma * rng.standard_normal(n)),
        "has_escalation": rng.random(n) < np.asarray(w.escalation_prob)[t],
        "escalation_at": rng.uniform(0.05, 0.95, n),
        "is_cancelled": rng.random(n) < w.cancel_prob,
        "cancel_stage": rng.integers(1, 4, n),  # cancelled after triage / assignment / investigation start
        "cancel_delay": rng.gamma(1.5, 40.0, n),
        "is_reopened": rng.random(n) < np.asarray(w.reopen_prob)[t],
        "reopen_delay": w.reopen_delay_median * np.exp(0.8 * rng.standard_normal(n)),
        "rework_queue": rng.gamma(1.5, w.rework_queue_mean / 1.5, n),
        "rework_work": w.rework_investigation_factor * inv_median * np.exp(inv_sigma * rng.standard_normal(n)),
        "rework_review": rng.gamma(2.0, w.rework_review_mean / 2.0, n),
    }
    for name in ("triage_wait", "assignment_wait", "investigation_wait", "investigation_work", "review",
                 "cancel_delay", "reopen_delay", "rework_queue", "rework_work", "rework_review"):
        d[name] = d[name] * 60.0  # business minutes -> business seconds
    return d


def simulate_cases(plan: DayPlan, clock: BusinessClock, hours: BusinessHours, params: Params, seed: int,
                   progress=None, teams: Teams | None = None, days: range | None = None) -> Cases:
    """Draw every case of the planned days ``days`` (indices into ``plan.days``; default: all)
    and place its events on the clock (on the clocks of its teams when ``teams`` is given:
    --world global). A day's cases depend only on its own random streams and plan row, so
    the days can be simulated a chunk at a time."""
    w, v = params.work, params.volume
    cols: dict[str, list[np.ndarray]] = {}

    def put(name: str, arr: np.ndarray) -> None:
        cols.setdefault(name, []).append(arr)

    for i in days if days is not None else range(len(plan.days)):
        day = plan.days[i]
        n = int(plan.counts[i])
        if progress is not None:
            progress(1)
        if n == 0:
            continue
        rng = day_rng(seed, day, STREAM_CASES)
        business_like = bool(plan.is_business[i])
        put("local_secs", _local_intake_seconds(rng, n, business_like, v.business_hours_share))
        tier = rng.choice(3, size=n, p=w.tier_mix)
        ctype = rng.choice(3, size=n, p=w.case_type_mix)
        put("tier", tier)
        put("case_type", ctype)
        for name, arr in _draw_day(rng, n, tier, ctype, float(plan.congestion[i]), params).items():
            put(name, arr)
        put("fault_u", rng.random((n, N_CASE_STREAM_SLOTS, 3)))
        put("case_u", rng.random((n, 2)))
        put("lag_u", rng.random((n, N_CASE_STREAM_SLOTS, 2)))
        put("day_index", np.full(n, i, dtype=np.int64))
        seq = np.arange(1, n + 1)
        put("case_key", day.toordinal() * 100_000 + seq)
        put("case_id", np.char.add(f"SR-{day:%Y%m%d}-", np.char.zfill(seq.astype(str), 5)))
        if teams is not None:
            for name, arr in _draw_teams(day_rng(seed, day, STREAM_TEAMS), n, tier, plan.team_prob[i], teams,
                                         params).items():
                put(name, arr)
    c = {k: np.concatenate(vals) for k, vals in cols.items()}
    day_index = c["day_index"]
    if teams is None:
        # the HANDOFF slot never happens: its uniforms say "no fault"
        n = len(day_index)
        c["fault_u"] = np.concatenate([c["fault_u"], np.ones((n, 1, 3))], axis=1)
        c["lag_u"] = np.concatenate([c["lag_u"], np.zeros((n, 1, 2))], axis=1)
        local_days = np.array(plan.days, dtype="datetime64[D]")[day_index]
        wall = pd.DatetimeIndex(local_days.astype("datetime64[s]") + c["local_secs"].astype("timedelta64[s]"))
        local = wall.tz_localize(hours.tz, ambiguous=np.zeros(len(wall), dtype=bool), nonexistent="shift_forward")
        intake_epoch = np.asarray((local - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1), dtype=np.int64)
        slots, extra = _life(c, intake_epoch, clock), {}
    else:
        c["fault_u"] = np.concatenate([c["fault_u"], c["handoff_fault_u"]], axis=1)
        c["lag_u"] = np.concatenate([c["lag_u"], c["handoff_lag_u"]], axis=1)
        tz = zone(hours.tz)
        bounds = np.array([local_instant(day, 0, tz) for day in plan.days]
                          + [local_instant(plan.days[-1] + dt.timedelta(days=1), 0, tz)], dtype=np.int64)
        intake_epoch = teams.intake_instants(c["origin"], bounds[day_index], bounds[day_index + 1],
                                             c["intake_u"], v.business_hours_share)
        slots, extra = _global_life(c, intake_epoch, teams)

    return Cases(
        case_id=c["case_id"], case_key=c["case_key"], day_index=day_index, intake_epoch=intake_epoch,
        tier=c["tier"], case_type=c["case_type"], slot_epoch=slots,
        fault_u=c["fault_u"], case_u=c["case_u"], lag_u=c["lag_u"], **extra,
    )


def _draw_teams(rng: np.random.Generator, n: int, tier: np.ndarray, team_prob: np.ndarray, teams: Teams,
                params: Params) -> dict[str, np.ndarray]:
    """--world global: each case's intake (origin) team, its owner at intake (the escalation
    desk for a share of Tier 3 cases), whether it is handed off, its intake uniforms and the
    uniforms of its HANDOFF event's messiness."""
    g = params.world
    origin = teams.regional[rng.choice(len(team_prob), size=n, p=team_prob)]
    escalated = (tier == 2) & (rng.random(n) < g.escalation_share_tier3)
    return {
        "origin": origin,
        "team": np.where(escalated, teams.escalation, origin),
        "hands_off": rng.random(n) < g.handoff_share,
        "intake_u": rng.random((n, 2)),
        "handoff_fault_u": rng.random((n, 1, 3)),
        "handoff_lag_u": rng.random((n, 1, 2)),
    }


def _global_life(c: dict[str, np.ndarray], intake_epoch: np.ndarray, teams: Teams) -> tuple[np.ndarray, dict]:
    """Milestones on the owner team's clock. A case drawn to hand off moves to its owner's
    follow-the-sun receiver at the end of the owner's working day in which the investigation
    starts, when it is still open then; its life after that instant runs on the receiver's clock."""
    owner = c["team"]
    alone = _life(c, intake_epoch, CaseClock(teams.clock, owner))
    receiver = teams.receiver[owner]
    started = alone[:, SLOT_INDEX["investigation"]]
    candidate = c["hands_off"] & (receiver >= 0) & ~np.isnan(started)
    at = np.full(len(owner), np.inf)
    at[candidate] = teams.clock.day_end_after(started[candidate], owner[candidate])
    ends = np.fmax(alone[:, SLOT_INDEX["resolved"]], alone[:, SLOT_INDEX["cancelled"]])
    moves = candidate & (at < ends)
    at[~moves] = np.inf
    slots = _life(c, intake_epoch, CaseClock(teams.clock, owner, np.where(moves, receiver, owner), at))
    slots[:, SLOT_INDEX["handoff"]] = np.where(moves, at, np.nan)
    ids = np.array(teams.ids)
    extra = {"team_id": ids[owner], "team_tz": teams.zone_at(owner, intake_epoch),
             "handoff_team": np.where(moves, ids[np.maximum(receiver, 0)], "")}
    return slots, extra


def _life(c: dict[str, np.ndarray], intake_epoch: np.ndarray, clock: BusinessClock | CaseClock) -> np.ndarray:
    """Milestone instants of each case (vectorised over cases, on the business clock)."""
    n = len(intake_epoch)
    out = np.full((n, N_SLOTS), np.nan)
    at = clock.from_ordinal
    o_intake = clock.to_ordinal(intake_epoch.astype(np.float64))
    o_triage = o_intake + c["triage_wait"]
    o_assign = o_triage + c["assignment_wait"]
    o_inv = o_assign + c["investigation_wait"]
    work = c["investigation_work"]
    has_wait = c["has_wait"]
    # customer wait: work stops part-way, the customer answers on the wall clock, work resumes
    o_wait = o_inv + work * c["wait_at"]
    t_wait = at(o_wait)
    t_resp = t_wait + c["wait_wall"]
    o_resume = np.where(has_wait, clock.to_ordinal(t_resp), o_wait)
    o_review = o_resume + work * (1.0 - c["wait_at"])
    o_resolved = o_review + c["review"]
    o_reopen = o_resolved + c["reopen_delay"]
    o_rinv = o_reopen + c["rework_queue"]
    o_rrev = o_rinv + c["rework_work"]
    o_rres = o_rrev + c["rework_review"]
    # escalation somewhere inside the investigation (business time, wait excluded)
    o_esc = o_inv + (o_review - o_inv - (o_resume - o_wait)) * c["escalation_at"]
    o_esc = np.where(o_esc >= o_wait, o_esc + (o_resume - o_wait), o_esc)

    out[:, SLOT_INDEX["intake"]] = intake_epoch
    out[:, SLOT_INDEX["triage"]] = at(o_triage)
    out[:, SLOT_INDEX["assignment"]] = at(o_assign)
    out[:, SLOT_INDEX["investigation"]] = at(o_inv)
    out[:, SLOT_INDEX["customer_wait"]] = np.where(has_wait, t_wait, np.nan)
    out[:, SLOT_INDEX["customer_responded"]] = np.where(has_wait, t_resp, np.nan)
    out[:, SLOT_INDEX["escalated"]] = np.where(c["has_escalation"], at(o_esc), np.nan)
    out[:, SLOT_INDEX["review_qa"]] = at(o_review)
    out[:, SLOT_INDEX["resolved"]] = at(o_resolved)
    reopened = c["is_reopened"]
    out[:, SLOT_INDEX["reopened"]] = np.where(reopened, at(o_reopen), np.nan)
    out[:, SLOT_INDEX["rework_investigation"]] = np.where(reopened, at(o_rinv), np.nan)
    out[:, SLOT_INDEX["rework_review_qa"]] = np.where(reopened, at(o_rrev), np.nan)
    out[:, SLOT_INDEX["rework_resolved"]] = np.where(reopened, at(o_rres), np.nan)

    # cancellation: after triage (1), assignment (2) or the start of investigation (3);
    # everything after the cancellation never happens
    cancelled = c["is_cancelled"]
    stage = c["cancel_stage"]
    o_stage = np.choose(stage - 1, [o_triage, o_assign, o_inv])
    out[:, SLOT_INDEX["cancelled"]] = np.where(cancelled, at(o_stage + c["cancel_delay"]), np.nan)
    keep_upto = np.where(cancelled, stage, N_SLOTS)  # slots 0..stage survive
    slot_no = np.arange(N_SLOTS)
    drop = (slot_no[None, :] > keep_upto[:, None]) & (slot_no[None, :] != SLOT_INDEX["cancelled"])
    out[drop] = np.nan
    return np.round(out)
