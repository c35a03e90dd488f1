"""Reference (oracle) implementation of the ops-sla event cleaning and SLA engine.

Written from the *written* semantics only -- DECISIONLOG.md ("Event cleaning", "SLA
semantics", "Stages and drivers") and docs/raw-contract.md -- never from the SQL models, so
that ``pytests/test_sla_two_ways.py`` can compute every number a second, independent way.
Business time comes from :mod:`reference.business_time` (itself an oracle).

Readings of points the written semantics leave open are marked ``READING:`` below.

Pipeline::

    raw = load_raw(raw_dir)
    cal = business_calendar(raw.calendar)
    cases = prepare_cases(raw.cases)
    events = clean_events(raw.events, cases, cal)          # every raw row, with its disposition
    as_of = data_as_of(cases, events)
    sla = case_sla(cases, events, cal, as_of)               # one row per case, like marts.case_sla

Several schedules (issue 29, SPEC-schedules.md "Semantics"): each case measured under the
schedules owning it, from the seeds and the raw data, with :mod:`reference.schedules` (an
oracle of its own)::

    teams = team_schedules(seeds_dir, raw.calendar)         # team -> effective-dated schedules
    owners = case_ownership(cases, events, teams)           # case -> segments, teams, hand-offs
    targets = load_sla_targets(seeds_dir)
    sla = case_sla(cases, events, cal, as_of, ownership=owners, targets=targets)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import schedules as S
from .business_time import BusinessCalendar, business_add, business_minutes_between

__all__ = [
    "AGENT_TOUCH_STATUSES",
    "EVENT_STATUSES",
    "Ownership",
    "RawExport",
    "SlaTargets",
    "aggregate_by_tier_case_type",
    "business_calendar",
    "case_ownership",
    "case_sla",
    "clean_events",
    "data_as_of",
    "load_all_schedules",
    "load_raw",
    "load_sla_targets",
    "prepare_cases",
    "team_schedules",
]

# seeds/event_statuses.csv (the contract's statuses; is_agent_touch = true for the first seven)
AGENT_TOUCH_STATUSES = frozenset(
    {"TRIAGE", "ASSIGNMENT", "INVESTIGATION", "CUSTOMER_WAIT", "REVIEW_QA", "RESOLVED", "ESCALATED"}
)
# HANDOFF (issue 29): the case moves to the event's team_id; not an agent touch
EVENT_STATUSES = AGENT_TOUCH_STATUSES | {"INTAKE", "CUSTOMER_RESPONDED", "REOPENED", "CANCELLED", "HANDOFF"}
# READING (DESIGN: the paused policy removes the wait, never work): a customer wait ends at
# the response, or where the events show work resumed or the case ended without one
WAIT_ENDS = frozenset({"CUSTOMER_RESPONDED", "INVESTIGATION", "REVIEW_QA", "RESOLVED", "CANCELLED"})

# dbt_project.yml vars
BUSINESS_TIME_ZONE = "America/Los_Angeles"
BUSINESS_DAY_OPEN, BUSINESS_DAY_CLOSE = "08:00", "18:00"
BUSINESS_WEEKDAYS = frozenset({1, 2, 3, 4, 5})
NORMAL_INGESTION_LAG_SECONDS = 900
EARLIEST_PLAUSIBLE_TS = pd.Timestamp("2000-01-01 00:00:00", tz="UTC")
# seeds/sla_targets.csv
SLA_B_TARGET_MINUTES = 120
SLA_A_TARGET_MINUTES = 1440

STAGES = (
    "intake_to_triage",
    "triage_to_assignment",
    "assignment_to_investigation",
    "investigation_to_review_qa",
    "review_qa_to_resolution",
)


# --------------------------------------------------------------------------- loading


@dataclass
class RawExport:
    cases: pd.DataFrame  # + source_file, source_row
    events: pd.DataFrame  # + source_file, source_row (0-based row number inside the file)
    calendar: pd.DataFrame


def _read_folder(raw: Path, table: str) -> pd.DataFrame:
    frames = []
    for f in sorted((raw / table).glob("*/*.parquet")):
        t = pq.read_table(f)
        df = t.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        df["source_file"] = f.relative_to(raw).as_posix()
        df["source_row"] = np.arange(len(df), dtype=np.int64)
        frames.append(df)
    if not frames:
        raise FileNotFoundError(f"no parquet files under {raw / table}")
    return pd.concat(frames, ignore_index=True)


def load_raw(raw_dir: str | Path) -> RawExport:
    """Read the raw contract with pyarrow (not with the warehouse)."""
    raw = Path(raw_dir)
    cal = pq.read_table(raw / "calendar_dim" / "calendar_dim.parquet").to_pandas()
    return RawExport(cases=_read_folder(raw, "cases"), events=_read_folder(raw, "events_log"), calendar=cal)


def business_calendar(calendar_dim: pd.DataFrame, tz: str = BUSINESS_TIME_ZONE) -> BusinessCalendar:
    """The business calendar: 08:00-18:00 Mon-Fri in ``tz``, holidays = calendar_dim.is_holiday,
    covering the dates of calendar_dim."""
    dates = pd.to_datetime(calendar_dim["calendar_date"]).dt.date
    holidays = frozenset(dates[calendar_dim["is_holiday"].astype(bool)])
    return BusinessCalendar(tz=tz, first_date=min(dates), last_date=max(dates), open_time=time(8),
                            close_time=time(18), business_weekdays=frozenset({1, 2, 3, 4, 5}), holidays=holidays)


def _calendar_bounds(cal: BusinessCalendar) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Covered instants [local midnight of first_date, local midnight after last_date)."""
    zone = ZoneInfo(cal.tz)
    lo = datetime.combine(cal.first_date, time(0), tzinfo=zone)
    hi = datetime.combine(cal.last_date + timedelta(days=1), time(0), tzinfo=zone)
    return pd.Timestamp(lo).tz_convert("UTC"), pd.Timestamp(hi).tz_convert("UTC")


# --------------------------------------------------------------------------- cases


def _blank_to_none(values: pd.Series) -> pd.Series:
    """Trimmed text, blank and NULL -> None."""
    return values.map(lambda v: None if v is None or pd.isna(v) or not str(v).strip() else str(v).strip())


def prepare_cases(cases_raw: pd.DataFrame) -> pd.DataFrame:
    """Trim / upper-case like staging; a case id delivered twice keeps its first copy
    (earliest intake, then file, then row order), says how many copies there were and
    whether they disagree (intake, tier, case type or team zone)."""
    c = cases_raw.copy()
    c["case_id"] = c["case_id"].str.strip()
    for col in ("tier", "case_type"):
        c[col] = c[col].str.strip().str.upper()
    c["team_tz"] = c["team_tz"].str.strip()
    # optional column (SPEC-schedules "Raw contract"): absent or NULL = team `default`;
    # READING: blank = NULL, as for the other trimmed text columns
    c["team_id"] = _blank_to_none(c["team_id"]) if "team_id" in c.columns else None
    c = c[c["case_id"].notna()].sort_values(["intake_ts", "source_file", "source_row"], kind="stable",
                                            na_position="last")
    c["delivered_copies"] = c.groupby("case_id")["case_id"].transform("size").astype("int64")
    versions = c.drop_duplicates(["case_id", "intake_ts", "tier", "case_type", "team_tz"]).groupby("case_id").size()
    c["has_conflicting_copies"] = c["case_id"].map(versions).gt(1)
    return c.drop_duplicates("case_id", keep="first").reset_index(drop=True)


# --------------------------------------------------------------------------- event cleaning


def _is_normal_lag(lag: timedelta, normal_lag_seconds: int) -> bool:
    return timedelta(0) <= lag <= timedelta(seconds=normal_lag_seconds)


def _tz_repair(recorded: datetime, ingested: datetime, tz: str, normal_lag_seconds: int) -> tuple[str, datetime | None]:
    """Time-zone repair of one event whose recorded lag is not normal.

    The recorded UTC wall-clock reading is read in ``tz``. Returns ('none', None) when no
    reading gives a normal lag (not a mislabelled event), ('repaired', instant) when exactly
    one does, ('ambiguous', None) when the wall time does not exist (DST gap) yet a reading
    fits, or when two readings (DST fold) both fit.
    """
    zone = ZoneInfo(tz)
    wall = recorded.astimezone(UTC).replace(tzinfo=None)
    readings = []
    for fold in (0, 1):
        inst = wall.replace(fold=fold, tzinfo=zone).astimezone(UTC)
        if inst not in readings:
            readings.append(inst)
    # READING: a wall time "does not exist" when no instant shows it on the team's clock
    exists = any(r.astimezone(zone).replace(tzinfo=None) == wall for r in readings)
    fitting = [r for r in readings if _is_normal_lag(ingested - r, normal_lag_seconds)]
    if not fitting:
        return "none", None
    if not exists or len(fitting) > 1:
        return "ambiguous", None
    return "repaired", fitting[0]


def clean_events(
    events_raw: pd.DataFrame,
    cases: pd.DataFrame,
    cal: BusinessCalendar,
    *,
    statuses: Iterable[str] = EVENT_STATUSES,
    normal_lag_seconds: int = NORMAL_INGESTION_LAG_SECONDS,
    earliest_plausible_ts: pd.Timestamp = EARLIEST_PLAUSIBLE_TS,
) -> pd.DataFrame:
    """Give every raw event row exactly one disposition (DECISIONLOG "Event cleaning").

    ``cases`` is the output of :func:`prepare_cases`. Returns one row per raw row with
    source_file, source_row, event_id, case_id, status (trimmed, upper case), team_id
    (trimmed, blank = NULL; NULL when the export has no such column),
    recorded_event_ts, ingestion_ts, disposition ('clean' | 'duplicate' | 'quarantined'),
    reason_code (first rule that applies; DUPLICATE_EVENT_ID for duplicates, NULL for clean),
    event_ts (effective instant), event_time_source ('recorded' | 'imputed_from_ingestion' |
    'tz_repaired') and is_before_intake (clean rows only).
    """
    e = events_raw.copy()
    e["case_id"] = e["case_id"].str.strip()
    e["status"] = e["status"].str.strip().str.upper()
    e["team_id"] = _blank_to_none(e["team_id"]) if "team_id" in e.columns else None
    e = e.rename(columns={"event_ts": "recorded_event_ts"})
    for col in ("recorded_event_ts", "ingestion_ts"):
        e[col] = pd.to_datetime(e[col], utc=True)
    reason = pd.Series(None, index=e.index, dtype=object)

    def apply(rule: str, mask: pd.Series) -> None:
        reason[reason.isna() & mask.fillna(False).astype(bool)] = rule

    # 1. NULL_EVENT_ID
    apply("NULL_EVENT_ID", e["event_id"].isna())
    # 2. DUPLICATE_EVENT_ID is decided last, from every row's own verdict on the other rules
    # (below); `reason` holds those verdicts until then.
    # 3. UNKNOWN_STATUS (NULL status is not a contract status)
    apply("UNKNOWN_STATUS", ~e["status"].isin(list(statuses)))
    # 4. UNKNOWN_CASE
    apply("UNKNOWN_CASE", ~e["case_id"].isin(cases["case_id"]))
    # HANDOFF_WITHOUT_TEAM (SPEC-schedules "Raw contract": a HANDOFF must say where the case goes).
    # READING: the spec gives no place in the order; it comes after UNKNOWN_CASE, where
    # seeds/quarantine_reasons.csv lists it
    apply("HANDOFF_WITHOUT_TEAM", (e["status"] == "HANDOFF") & e["team_id"].isna())
    # 5. MISSING_TIMESTAMPS
    apply("MISSING_TIMESTAMPS", e["recorded_event_ts"].isna() & e["ingestion_ts"].isna())

    # NULL event_ts -> imputed from ingestion_ts
    event_ts = e["recorded_event_ts"].copy()
    source = pd.Series("recorded", index=e.index, dtype=object)
    imputed = e["recorded_event_ts"].isna() & e["ingestion_ts"].notna()
    event_ts[imputed] = e.loc[imputed, "ingestion_ts"]
    source[imputed] = "imputed_from_ingestion"

    # 6. time-zone repair / TZ_REPAIR_AMBIGUOUS, for rows whose recorded lag is not normal
    lag = e["ingestion_ts"] - e["recorded_event_ts"]
    abnormal = (reason.isna() & e["recorded_event_ts"].notna() & e["ingestion_ts"].notna()
                & ((lag < pd.Timedelta(0)) | (lag > pd.Timedelta(seconds=normal_lag_seconds))))
    # a mislabelled wall time is in the export's zone, var business_time_zone (SPEC-schedules
    # "Raw contract"), whatever the case's team: the zone of the default calendar. A single-team
    # export has team_tz = business_time_zone on every case (a data test), so this is today's rule
    for i in e.index[abnormal]:
        verdict, inst = _tz_repair(e.at[i, "recorded_event_ts"].to_pydatetime(),
                                   e.at[i, "ingestion_ts"].to_pydatetime(), cal.tz, normal_lag_seconds)
        if verdict == "ambiguous":
            reason[i] = "TZ_REPAIR_AMBIGUOUS"
        elif verdict == "repaired":
            event_ts[i] = pd.Timestamp(inst)
            source[i] = "tz_repaired"

    # 7. TS_OUT_OF_RANGE (the effective time: recorded, imputed or repaired; or the ingestion time)
    lo, hi = _calendar_bounds(cal)
    ingested = e["ingestion_ts"]
    apply("TS_OUT_OF_RANGE", (event_ts < earliest_plausible_ts) | (event_ts < lo) | (event_ts >= hi)
          | (ingested < earliest_plausible_ts) | (ingested >= hi))
    # 8. TS_AFTER_FILE_DATE: the ingestion time (or, without one, the event time) on or after
    # local midnight two days after the file's ingestion_date (the partition in its path)
    file_date = pd.to_datetime(e["source_file"].str.extract(r"ingestion_date=(\d{4}-\d{2}-\d{2})/")[0])
    # a zone whose clocks change at midnight: a skipped midnight is read as the first instant
    # after the gap, a repeated one as its second (standard-time) occurrence, like DuckDB
    cutoff = (file_date + pd.Timedelta(days=2)).dt.tz_localize(
        cal.tz, nonexistent="shift_forward", ambiguous=np.zeros(len(file_date), dtype=bool))
    apply("TS_AFTER_FILE_DATE", ingested.fillna(event_ts) >= cutoff)
    # 9. EVENT_AFTER_INGESTION
    # READING: "later than its own ingestion (beyond the normal lag)" = event_ts > ingestion_ts + normal lag
    apply("EVENT_AFTER_INGESTION", (event_ts - e["ingestion_ts"]) > pd.Timedelta(seconds=normal_lag_seconds))

    # 2. DUPLICATE_EVENT_ID: one copy of each event id is kept - the earliest ingested copy
    # that passes every other rule, or, when none does, the earliest ingested (then file,
    # then row order); a copy without ingestion time sorts after every copy with one.
    with_id = e[e["event_id"].notna()].assign(failed=reason.notna())
    with_id = with_id.sort_values(["failed", "ingestion_ts", "source_file", "source_row"],
                                  na_position="last", kind="stable")
    rank = with_id.groupby("event_id", sort=False).cumcount()
    duplicate = pd.Series(rank > 0, index=with_id.index).reindex(e.index, fill_value=False)
    # READING: copies that pass every other rule but disagree on the case or the status are
    # a reused id, not a re-send: every such copy is CONFLICTING_EVENT_ID, and the copies
    # that failed a rule keep their own reason
    passing = with_id[~with_id["failed"]]
    kinds = (passing["case_id"] + "|" + passing["status"]).groupby(passing["event_id"]).nunique()
    conflicted = e["event_id"].isin(kinds.index[kinds > 1])
    reason[duplicate & ~conflicted] = "DUPLICATE_EVENT_ID"
    reason[conflicted & reason.isna()] = "CONFLICTING_EVENT_ID"

    out = e[["source_file", "source_row", "event_id", "case_id", "status", "team_id", "recorded_event_ts",
             "ingestion_ts"]].copy()
    out["reason_code"] = reason
    out["disposition"] = np.where(reason.isna(), "clean",
                                  np.where(reason == "DUPLICATE_EVENT_ID", "duplicate", "quarantined"))
    out["event_ts"] = event_ts
    out["event_time_source"] = source
    intake = out["case_id"].map(cases.set_index("case_id")["intake_ts"])
    out["is_before_intake"] = pd.Series(
        np.where(out["disposition"] == "clean", out["event_ts"] < intake, None), index=out.index, dtype=object)
    return out


def data_as_of(cases: pd.DataFrame, events: pd.DataFrame) -> pd.Timestamp:
    """max(latest ingestion_ts of clean events, latest intake_ts)."""
    clean = events[events["disposition"] == "clean"]
    return max(clean["ingestion_ts"].max(), cases["intake_ts"].max())


# --------------------------------------------------------------------------- several schedules


def load_all_schedules(
    seeds_dir: str | Path,
    calendar_dim: pd.DataFrame,
    *,
    tz: str = BUSINESS_TIME_ZONE,
    opens: str = BUSINESS_DAY_OPEN,
    closes: str = BUSINESS_DAY_CLOSE,
    weekdays: Collection[int] = BUSINESS_WEEKDAYS,
) -> dict[str, S.Schedule]:
    """Schedule id -> :class:`reference.schedules.Schedule` of the seeds ``schedules``,
    ``schedule_hours`` and ``schedule_closures``, every one covering the local dates of
    calendar_dim in its own zone, plus ``default``: the vars (the keyword arguments, today's
    dbt_project.yml by default) with calendar_dim's holidays."""
    dates = pd.to_datetime(calendar_dim["calendar_date"]).dt.date
    holidays = frozenset(dates[calendar_dim["is_holiday"].fillna(False).astype(bool)])
    default = S.DefaultSchedule(tz=tz, opens=opens, closes=closes, weekdays=frozenset(weekdays), holidays=holidays)
    return S.load_schedules(seeds_dir, min(dates), max(dates), default)


def team_schedules(seeds_dir: str | Path, calendar_dim: pd.DataFrame,
                   **default_vars: object) -> dict[str, list[S.TeamSchedule]]:
    """Team -> its effective-dated schedules (seed ``team_schedules``; team ``default`` = schedule
    ``default``), the schedules of :func:`load_all_schedules`."""
    return S.load_team_schedules(seeds_dir, load_all_schedules(seeds_dir, calendar_dim, **default_vars))


@dataclass(frozen=True)
class Ownership:
    """Who owns a case when (SPEC-schedules "Semantics": ownership segments)."""

    segments: list[S.Segment]
    intake_team_id: str  # cases.team_id, `default` without one
    intake_schedule_id: str  # the schedule owning the case at its intake instant
    intake_time_zone: str  # that schedule's zone
    final_team_id: str  # the team owning the case after its last hand-off
    handoff_count: int


def case_ownership(
    cases: pd.DataFrame,
    events: pd.DataFrame,
    teams: dict[str, list[S.TeamSchedule]],
) -> dict[str, Ownership]:
    """Case id -> :class:`Ownership`, from :func:`prepare_cases`, :func:`clean_events` and
    :func:`team_schedules`.

    The intake team is ``cases.team_id`` (``default`` when absent or NULL); every clean
    HANDOFF event at or after intake hands the case to its ``team_id`` at its ``event_ts``
    (:func:`reference.schedules.case_segments` does the rest: ties by event id, schedule
    switches of a team, the first segment owning everything before).

    READING: ``handoff_count`` counts those events (clean, at or after intake), each one, even
    when two share an instant or a case is handed to the team that owns it already.
    """
    ev = events
    if "disposition" in ev.columns:
        ev = ev[ev["disposition"] == "clean"]
    ev = ev[(ev["status"] == "HANDOFF") & ev["is_before_intake"].astype(bool).eq(False)]
    handoffs: dict[str, list[tuple[datetime, int, str]]] = {}
    for cid, ts, eid, team in zip(ev["case_id"], ev["event_ts"], ev["event_id"], ev["team_id"], strict=True):
        handoffs.setdefault(cid, []).append((ts.to_pydatetime(), int(eid), team))
    out: dict[str, Ownership] = {}
    for c in cases.itertuples(index=False):
        intake = pd.Timestamp(c.intake_ts).tz_convert("UTC").to_pydatetime()
        team = c.team_id if isinstance(c.team_id, str) else S.DEFAULT_ID
        mine = handoffs.get(c.case_id, [])
        segments = S.case_segments(intake, team, mine, teams)
        at_intake = [s for s in segments[1:] if s.starts_at <= intake]
        owner = at_intake[-1] if at_intake else segments[0]
        out[c.case_id] = Ownership(segments=segments, intake_team_id=team,
                                   intake_schedule_id=owner.schedule.schedule_id, intake_time_zone=owner.schedule.tz,
                                   final_team_id=segments[-1].team, handoff_count=len(mine))
    return out


@dataclass(frozen=True)
class SlaTargets:
    """Rows of seeds/sla_targets.csv: (sla_name, tier or None, valid_from or None, minutes)."""

    rows: tuple[tuple[str, str | None, date | None, int], ...]

    def target(self, sla_name: str, tier: str, local_intake_date: date) -> int | None:
        """The target in effect at the SLA's start (SPEC-schedules "Configuration"): the row
        with the latest ``valid_from <= local intake date`` (blank = since always); a tier's
        own row beats the all-tiers row. READING: the tier row wins whatever the dates (a
        tier row in effect beats any all-tiers row in effect)."""
        best = None
        for name, row_tier, valid_from, minutes in self.rows:
            if name != sla_name or row_tier not in (None, tier):
                continue
            if valid_from is not None and valid_from > local_intake_date:
                continue
            key = (row_tier is not None, valid_from or date.min)
            if best is None or key > best[0]:
                best = (key, minutes)
        return None if best is None else best[1]


def load_sla_targets(seeds_dir: str | Path) -> SlaTargets:
    """seeds/sla_targets.csv (the column ``valid_from`` is optional)."""
    t = pd.read_csv(Path(seeds_dir) / "sla_targets.csv", dtype=str, keep_default_na=False)
    rows = []
    for r in t.to_dict("records"):
        tier = r["tier"].strip().upper() or None
        valid_from = r.get("valid_from", "").strip()
        rows.append((r["sla_name"].strip(), tier, date.fromisoformat(valid_from) if valid_from else None,
                     int(r["target_business_minutes"])))
    return SlaTargets(tuple(rows))


# --------------------------------------------------------------------------- SLA engine


def _local(ts: datetime | pd.Timestamp | None, tz: str) -> pd.Timestamp | None:
    if ts is None or pd.isna(ts):
        return None
    return pd.Timestamp(ts).tz_convert(tz).tz_localize(None)


def _intervals(events: list[tuple[datetime, str]], open_status: str,
               close_statuses: str | Collection[str]) -> list[tuple[datetime, datetime | None]]:
    """``open_status`` -> the next event of one of ``close_statuses`` (CUSTOMER_WAIT ->
    WAIT_ENDS, REOPENED -> RESOLVED). Repeated openings before a close extend one interval;
    a close with nothing open is ignored; None = not closed yet.

    READING (DECISIONLOG "Events at the same instant"): events at one instant are taken in
    the order that continues the current state: while an interval is open its close comes
    first (then the next opening starts a new interval), otherwise the opening comes first.
    """
    closes = {close_statuses} if isinstance(close_statuses, str) else set(close_statuses)
    out: list[tuple[datetime, datetime | None]] = []
    start: datetime | None = None
    for ts, group in groupby((e for e in events if e[1] == open_status or e[1] in closes), key=lambda e: e[0]):
        statuses = {st for _, st in group}
        has = {"open": open_status in statuses, "close": bool(statuses & closes)}
        kinds = ["close", "open"] if start is not None else ["open", "close"]
        for kind in kinds:
            if not has[kind]:
                continue
            if kind == "open" and start is None:
                start = ts
            elif kind == "close" and start is not None:
                out.append((start, ts))
                start = None
    if start is not None:
        out.append((start, None))
    return out


Between = Callable[[datetime, datetime], float]


def _clipped_wait(intervals, lo: datetime, hi: datetime, bm: Between) -> tuple[float, int]:
    """Business minutes of the wait intervals clipped to [lo, hi), and how many overlap it."""
    minutes, n = 0.0, 0
    for s, e in intervals:
        s2 = max(s, lo)
        e2 = hi if e is None else min(e, hi)
        if s2 < e2:
            n += 1
            minutes += bm(s2, e2)
    return minutes, n


def _utc(ts: datetime | None) -> pd.Timestamp | None:
    return None if ts is None else pd.Timestamp(ts).tz_convert("UTC").tz_localize(None)


def case_sla(
    cases: pd.DataFrame,
    events: pd.DataFrame,
    cal: BusinessCalendar,
    as_of: pd.Timestamp | datetime,
    *,
    sla_b_target: int = SLA_B_TARGET_MINUTES,
    sla_a_target: int = SLA_A_TARGET_MINUTES,
    case_ids: Iterable[str] | None = None,
    ownership: Mapping[str, Ownership] | None = None,
    targets: SlaTargets | None = None,
) -> pd.DataFrame:
    """One row per case (like marts.case_sla), from :func:`prepare_cases` and :func:`clean_events`.

    Only clean events at/after intake are used. ``case_ids`` restricts the output to a subset.
    Timestamps are naive local times in the calendar's zone.

    Without ``ownership`` every case is measured on ``cal`` (one schedule). With it (from
    :func:`case_ownership`), each case is measured under its ownership segments: business
    minutes summed over the schedules owning it, breach instants = the latest instant the
    case's business time reaches the target (:func:`reference.schedules.case_add`); the rows
    gain intake_team_id, intake_schedule_id, final_team_id, handoff_count and each milestone
    again in UTC (``*_ts_utc``) and on the intake schedule's wall clock
    (``*_ts_intake_team_local``), naive. ``targets`` (with ``ownership``): the target in effect
    at the intake's local date in the intake schedule's zone, by tier, instead of the two
    fixed targets.
    """
    tz = cal.tz
    as_of_dt = pd.Timestamp(as_of).tz_convert("UTC").to_pydatetime()
    ev = events
    if "disposition" in ev.columns:
        ev = ev[ev["disposition"] == "clean"]
    ev = ev[ev["is_before_intake"].astype(bool).eq(False)]
    # events in time order; the order within one instant is decided where it matters (_intervals)
    ev = ev.sort_values(["case_id", "event_ts", "source_file", "source_row"], kind="stable")
    by_case: dict[str, list[tuple[datetime, str]]] = {}
    for cid, ts, st in zip(ev["case_id"], ev["event_ts"], ev["status"], strict=True):
        by_case.setdefault(cid, []).append((ts.to_pydatetime(), st))

    sel = cases if case_ids is None else cases[cases["case_id"].isin(set(case_ids))]
    rows = []
    for c in sel.itertuples(index=False):
        intake = pd.Timestamp(c.intake_ts).tz_convert("UTC").to_pydatetime()
        evs = by_case.get(c.case_id, [])
        owner = None if ownership is None else ownership[c.case_id]
        b_target, a_target = sla_b_target, sla_a_target
        if owner is None:
            def _bm(a: datetime, b: datetime) -> float:
                return business_minutes_between(a, b, cal)

            def _add(a: datetime, minutes: int) -> datetime | None:
                return business_add(a, minutes, cal)
        else:
            def _bm(a: datetime, b: datetime, _segments=owner.segments) -> float:
                return S.case_minutes_between(a, b, _segments)

            def _add(a: datetime, minutes: int, _segments=owner.segments) -> datetime | None:
                return S.case_add(a, minutes, _segments)

            if targets is not None:
                day = _local(intake, owner.intake_time_zone).date()
                b_target = targets.target("SLA_B", c.tier, day)
                a_target = targets.target("SLA_A", c.tier, day)

        def first(status: str, upto: datetime | None = None, _evs=evs) -> datetime | None:
            for ts, st in _evs:
                if st == status and (upto is None or ts <= upto):
                    return ts
            return None

        touches = [(ts, st) for ts, st in evs if st in AGENT_TOUCH_STATUSES]
        first_touch = touches[0][0] if touches else None
        # READING: a TRIAGE at the same instant as another first agent action counts as 'triage'
        touch_source = None
        if first_touch is not None:
            touch_source = ("triage" if any(st == "TRIAGE" and ts == first_touch for ts, st in touches)
                            else "other_agent_event")
        first_res = first("RESOLVED")
        cancelled = first("CANCELLED")
        status = "resolved" if first_res is not None else ("cancelled" if cancelled is not None else "open")

        r: dict = {
            "case_id": c.case_id, "tier": c.tier, "case_type": c.case_type, "case_status": status,
            "intake_date_local": _local(intake, tz).normalize(),
            "intake_ts_local": _local(intake, tz), "first_touch_ts_local": _local(first_touch, tz),
            "first_touch_source": touch_source, "first_resolution_ts_local": _local(first_res, tz),
            "cancelled_ts_local": _local(cancelled, tz),
            "sla_b_target_minutes": b_target, "sla_a_target_minutes": a_target,
            "delivered_copies": int(c.delivered_copies), "has_conflicting_copies": bool(c.has_conflicting_copies),
            "clean_event_count": len(evs),
            "data_as_of_ts_local": _local(as_of_dt, tz),
        }

        # ---- SLA B (first touch)
        sla_b = _bm(intake, first_touch) if first_touch is not None else None
        if sla_b is not None:
            b_breached = sla_b > b_target
        elif status == "open":
            b_breached = True if _bm(intake, as_of_dt) > b_target else None
        else:  # cancelled untouched: a known breach once cancelled after the target passed
            b_breached = True if _bm(intake, cancelled) > b_target else None
        r["sla_b_business_minutes"] = sla_b
        r["sla_b_breached"] = b_breached
        r["_sla_b_breach_at"] = _add(intake, b_target) if b_breached else None
        r["sla_b_breach_ts_local"] = _local(r["_sla_b_breach_at"], tz)

        # ---- customer wait and SLA A
        waits = _intervals(evs, "CUSTOMER_WAIT", WAIT_ENDS)
        # READING: the SLA A window is [intake, first resolution), or [intake, as-of) for open
        # cases; a cancelled case has no SLA A window (SLA A is not scored), so no wait.
        window_end = {"resolved": first_res, "open": as_of_dt, "cancelled": intake}[status]
        wait, n_wait = _clipped_wait(waits, intake, window_end, _bm)
        r["customer_wait_business_minutes"] = wait
        r["customer_wait_intervals"] = n_wait
        incl = paused = open_incl = open_paused = None
        a_incl = a_paused = None
        if status == "resolved":
            incl = _bm(intake, first_res)
            paused = incl - wait
            a_incl, a_paused = incl > a_target, paused > a_target
        elif status == "open":
            open_incl = _bm(intake, as_of_dt)
            open_paused = open_incl - wait
            a_incl = True if open_incl > a_target else None
            a_paused = True if open_paused > a_target else None
        r.update({
            "sla_a_business_minutes_including_wait": incl, "sla_a_business_minutes_paused_wait": paused,
            "open_elapsed_business_minutes_including_wait": open_incl,
            "open_elapsed_business_minutes_paused_wait": open_paused,
            "sla_a_breached_including_wait": a_incl, "sla_a_breached_paused_wait": a_paused,
        })
        r["_sla_a_breach_at"] = _add(intake, a_target) if a_incl else None
        r["sla_a_breach_ts_local"] = _local(r["_sla_a_breach_at"], tz)

        # ---- stages (resolved cases)
        stage_vals: dict[str, float | None] = {f"{s}_business_minutes": None for s in STAGES}
        stage_vals["investigation_to_review_qa_customer_wait_business_minutes"] = None
        if status == "resolved":
            b1 = first_touch
            e2, e3, e4 = (first(s, first_res) for s in ("ASSIGNMENT", "INVESTIGATION", "REVIEW_QA"))
            # READING (DECISIONLOG "time goes to the neighbour" + case_sla column docs): a missing
            # ASSIGNMENT / INVESTIGATION collapses onto the previous boundary (stage 2 / 3 zero);
            # a missing REVIEW_QA collapses onto the resolution (stage 5 zero).
            b2 = max(b1, e2) if e2 is not None else b1
            b3 = max(b2, e3) if e3 is not None else b2
            b4 = max(b3, e4) if e4 is not None else first_res
            bounds = [intake, b1, b2, b3, b4, first_res]
            for s, lo, hi in zip(STAGES, bounds[:-1], bounds[1:], strict=True):
                stage_vals[f"{s}_business_minutes"] = _bm(lo, hi)
            stage_vals["investigation_to_review_qa_customer_wait_business_minutes"] = \
                _clipped_wait(waits, b3, b4, _bm)[0]
        r.update(stage_vals)

        # ---- reopens and rework
        # READING: like customer wait, repeated REOPENED before the next RESOLVED extend one
        # rework interval (rework time is elapsed time, never counted twice); each REOPENED
        # at/after the first resolution still counts as a reopen.
        reopen_count, rework, open_rework = 0, 0.0, 0
        if first_res is not None:
            # the first resolution itself (and a RESOLVED at the same instant) closes no rework
            after = [(ts, st) for ts, st in evs
                     if ts > first_res or (ts == first_res and st == "REOPENED")]
            reopen_count = sum(st == "REOPENED" for _, st in after)
            for lo, hi in _intervals(after, "REOPENED", "RESOLVED"):
                if hi is None:
                    open_rework += 1
                else:
                    rework += _bm(lo, hi)
        r["reopen_count"] = reopen_count
        r["rework_business_minutes"] = rework
        r["open_rework_intervals"] = open_rework

        # ---- teams (several schedules)
        if owner is not None:
            r.update({"intake_team_id": owner.intake_team_id, "intake_schedule_id": owner.intake_schedule_id,
                      "final_team_id": owner.final_team_id, "handoff_count": owner.handoff_count})
            for name, ts in (("intake", intake), ("first_touch", first_touch), ("first_resolution", first_res),
                             ("cancelled", cancelled), ("sla_b_breach", r.pop("_sla_b_breach_at")),
                             ("sla_a_breach", r.pop("_sla_a_breach_at"))):
                r[f"{name}_ts_utc"] = _utc(ts)
                r[f"{name}_ts_intake_team_local"] = _local(ts, owner.intake_time_zone)
        else:
            r.pop("_sla_b_breach_at"), r.pop("_sla_a_breach_at")
        rows.append(r)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- aggregates


def aggregate_by_tier_case_type(sla: pd.DataFrame) -> pd.DataFrame:
    """Counts and breach rates per tier x case type with 'ALL' roll-ups (like sla_by_tier_case_type).

    SLA A rates count resolved cases; SLA B rates count cases whose SLA B outcome is known.
    """
    out = []
    d = sla.copy()
    for tier_all in (False, True):
        for type_all in (False, True):
            g = d.assign(tier=np.where(tier_all, "ALL", d["tier"]),
                         case_type=np.where(type_all, "ALL", d["case_type"]))
            for (tier, ctype), x in g.groupby(["tier", "case_type"]):
                res = x[x["case_status"] == "resolved"]
                scored = x[x["sla_b_breached"].notna()]
                b_breached = int(scored["sla_b_breached"].astype(bool).sum())
                a_incl = int(res["sla_a_breached_including_wait"].astype(bool).sum())
                a_paused = int(res["sla_a_breached_paused_wait"].astype(bool).sum())
                out.append({
                    "tier": tier, "case_type": ctype, "cases": len(x), "resolved_cases": len(res),
                    "open_cases": int((x["case_status"] == "open").sum()),
                    "cancelled_cases": int((x["case_status"] == "cancelled").sum()),
                    "sla_b_scored_cases": len(scored), "sla_b_breached_cases": b_breached,
                    "sla_b_breach_rate": b_breached / len(scored) if len(scored) else None,
                    "sla_a_breached_cases_including_wait": a_incl,
                    "sla_a_breach_rate_including_wait": a_incl / len(res) if len(res) else None,
                    "sla_a_breached_cases_paused_wait": a_paused,
                    "sla_a_breach_rate_paused_wait": a_paused / len(res) if len(res) else None,
                })
    return pd.DataFrame(out)
