"""Parameters of the synthetic work model and of the injected messiness.

Every rate here is documented in the README ("Synthetic data") and labelled per row in the
ground truth, so tests can check that what the pipeline caught is what was injected.
Durations are in *business* minutes unless the name says ``wall``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TIERS = ("TIER_1", "TIER_2", "TIER_3")
CASE_TYPES = ("VENDOR_ASSESSMENT", "ACCESS_REVIEW", "POLICY_EXCEPTION")
STATUSES = (
    "INTAKE",
    "TRIAGE",
    "ASSIGNMENT",
    "INVESTIGATION",
    "CUSTOMER_WAIT",
    "CUSTOMER_RESPONDED",
    "REVIEW_QA",
    "RESOLVED",
    "REOPENED",
    "ESCALATED",
    "CANCELLED",
    "HANDOFF",  # --world global only: the case moves to another team
)


@dataclass(frozen=True)
class Volume:
    weekday_weight: float = 1.0
    saturday_weight: float = 0.12
    sunday_weight: float = 0.08
    holiday_weight: float = 0.20
    quarter_end_days: int = 15  # ramp over the last N days of a quarter
    quarter_end_boost: float = 0.35  # +35 % intake on the last day of a quarter
    daily_noise: float = 0.06  # lognormal sigma of day-to-day variation
    business_hours_share: float = 0.86  # weekday intakes inside business hours


@dataclass(frozen=True)
class Staffing:
    shifts: tuple[tuple[str, float], ...] = (("EARLY", 0.5), ("LATE", 0.5))
    agents_per_1000_weekday_cases: float = 52.0  # planned agents per business day
    shrinkage: float = 0.22  # vacations, training, sickness
    december_shrinkage: float = 0.29  # staffing deterioration in the holiday season
    shrinkage_noise: float = 0.03
    cases_per_agent_day: float = 27.0  # what one effective agent clears per business day


@dataclass(frozen=True)
class WorkModel:
    tier_mix: tuple[float, float, float] = (0.52, 0.32, 0.16)
    case_type_mix: tuple[float, float, float] = (0.45, 0.35, 0.20)
    # queue waits (gamma, mean in business minutes at load 1.0), stretched by congestion
    triage_wait_mean: float = 38.0
    assignment_wait_mean: float = 45.0
    investigation_wait_mean: float = 60.0
    queue_shape: float = 1.4
    # congestion multiplier = base + load_coef * load + backlog_coef * backlog/capacity
    congestion_base: float = 0.45
    congestion_load_coef: float = 0.55
    congestion_backlog_coef: float = 0.9
    # investigation work: lognormal median by tier, sigma by tier, scaled by case type
    investigation_median: tuple[float, float, float] = (215.0, 340.0, 365.0)
    investigation_sigma: tuple[float, float, float] = (0.6, 0.62, 0.92)
    case_type_factor: tuple[float, float, float] = (1.12, 0.86, 1.0)
    # review/QA to resolution: gamma mean by tier
    review_mean: tuple[float, float, float] = (55.0, 80.0, 120.0)
    # customer wait: probability by tier, wall-clock hours lognormal
    customer_wait_prob: tuple[float, float, float] = (0.095, 0.12, 0.16)
    customer_wait_wall_hours_median: float = 30.0
    customer_wait_wall_hours_sigma: float = 0.9
    escalation_prob: tuple[float, float, float] = (0.01, 0.03, 0.08)
    cancel_prob: float = 0.015
    # reopen after resolution and the rework that follows
    reopen_prob: tuple[float, float, float] = (0.032, 0.055, 0.095)
    reopen_delay_median: float = 900.0
    rework_queue_mean: float = 60.0
    rework_investigation_factor: float = 1.0
    rework_review_mean: float = 60.0


@dataclass(frozen=True)
class Messiness:
    """Rates of the original's kinds of dirty data (fractions of visible events or cases)."""

    null_event_ts: float = 0.002
    tz_mislabelled: float = 0.003
    late_arrival: float = 0.010
    duplicate: float = 0.005
    missing_triage: float = 0.003  # fraction of cases whose TRIAGE event was never exported
    missing_review_qa: float = 0.003
    normal_lag_seconds_mean: float = 40.0  # ordinary export lag (exponential, capped)
    normal_lag_seconds_max: float = 600.0
    late_lag_hours: tuple[float, float] = (12.0, 96.0)


@dataclass(frozen=True)
class GlobalWorld:
    """``--world global``: the teams of seeds/team_schedules.csv, each working in its own
    schedule's hours (the default world has one team and none of this).

    A case's intake team is drawn from ``intake_mix``, weighted per day by the team's own
    calendar (its weekends and holidays get the Volume weights of a weekend or holiday); its
    intake instant falls in that team's business hours with ``Volume.business_hours_share``.
    Tier 3 cases go to the 24/7 escalation desk from intake with ``escalation_share_tier3``
    (their intake instant still follows the regional team's hours). A regional case is
    handed off with ``handoff_share`` to the next team of ``follow_the_sun`` (the one whose
    day starts as its owner's ends) at the end of the owner's working day in which the
    investigation starts (a break under 2 hours, India's lunch, does not end it), when the
    case is still open then (a HANDOFF event; the realised share is lower, ~2/3 of it).
    """

    intake_mix: tuple[tuple[str, float], ...] = (("americas", 0.40), ("emea", 0.30), ("apac", 0.15),
                                                 ("india", 0.15))
    escalation_team: str = "escalation"
    escalation_share_tier3: float = 0.30
    follow_the_sun: tuple[str, ...] = ("apac", "india", "emea", "americas")  # each hands off to the next
    handoff_share: float = 0.35


@dataclass(frozen=True)
class Params:
    volume: Volume = field(default_factory=Volume)
    staffing: Staffing = field(default_factory=Staffing)
    work: WorkModel = field(default_factory=WorkModel)
    messiness: Messiness = field(default_factory=Messiness)
    world: GlobalWorld = field(default_factory=GlobalWorld)
