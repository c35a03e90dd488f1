"""From simulated case lives to the raw contract: events, export lags and injected messiness.

Each event's faults come from uniforms drawn on its case's intake day, so whether an event
is late, duplicated or mislabelled never depends on how many days are generated.
Visibility is decided against the export cutoff: an event is in the export when it has
happened and has been ingested before the cutoff. Partition dates and mislabelled times are
in the export's zone (``team_tz`` here), whatever the case's team (--world global).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from .params import Messiness
from .simulate import SLOT_INDEX, SLOTS, Cases

TIER_NAMES = np.array(["TIER_1", "TIER_2", "TIER_3"])
CASE_TYPE_NAMES = np.array(["VENDOR_ASSESSMENT", "ACCESS_REVIEW", "POLICY_EXCEPTION"])
SLOT_STATUS = np.array([status for status, _ in SLOTS])

# fault kinds written to the ground truth
NULL_EVENT_TS = "null_event_ts"
TZ_MISLABELLED = "tz_mislabelled"
LATE_ARRIVAL = "late_arrival"
DUPLICATE = "duplicate"
MISSING_MILESTONE = "missing_milestone"


@dataclass
class Export:
    cases: pa.Table  # with intake_date (partition key)
    events: pa.Table  # with ingestion_date (partition key)
    faults: pa.Table  # ground truth, with batch_date (partition key)


def local_dates(epoch_seconds: np.ndarray, tz: str) -> np.ndarray:
    """The team's local calendar date of each instant (partition keys are local dates)."""
    return np.asarray(local_wall_as_utc(epoch_seconds, tz)).astype("datetime64[s]").astype("datetime64[D]")


def local_wall_as_utc(epoch_seconds: np.ndarray, tz: str) -> np.ndarray:
    """The local wall-clock reading of each instant, mislabelled as if it were UTC."""
    idx = pd.DatetimeIndex(np.asarray(epoch_seconds, dtype=np.int64).astype("datetime64[s]"), tz="UTC")
    wall = idx.tz_convert(tz).tz_localize(None)
    return np.asarray(wall.values.astype("datetime64[s]").astype(np.int64))


def ts_array(epoch_seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    micros = np.asarray(epoch_seconds, dtype=np.int64) * 1_000_000
    mask = None if valid is None else ~valid
    return pa.array(micros, type=pa.timestamp("us", tz="UTC"), mask=mask)


def build_export(cases: Cases, cutoff: int, team_tz: str, m: Messiness) -> Export:
    """All rows visible at ``cutoff`` (epoch seconds), messiness included."""
    len(cases.case_id)
    slots = cases.slot_epoch.copy()

    # missing milestones: the event happened but was never exported
    missing_triage = cases.case_u[:, 0] < m.missing_triage
    missing_review = cases.case_u[:, 1] < m.missing_review_qa
    missing = np.zeros_like(slots, dtype=bool)
    missing[:, SLOT_INDEX["triage"]] = missing_triage & ~np.isnan(slots[:, SLOT_INDEX["triage"]])
    missing[:, SLOT_INDEX["review_qa"]] = missing_review & ~np.isnan(slots[:, SLOT_INDEX["review_qa"]])

    fu, lu = cases.fault_u, cases.lag_u
    normal_lag = np.minimum(-m.normal_lag_seconds_mean * np.log1p(-lu[..., 0]), m.normal_lag_seconds_max)
    is_late = fu[..., 0] < m.late_arrival
    lo, hi = m.late_lag_hours
    late_lag = (lo + (hi - lo) * lu[..., 1]) * 3600.0
    lag = np.floor(np.where(is_late, late_lag, normal_lag))
    kind_u = fu[..., 1]
    is_null = kind_u < m.null_event_ts
    is_tz = (~is_null) & (kind_u < m.null_event_ts + m.tz_mislabelled) & ~is_late
    dup_u = fu[..., 2]
    is_dup = dup_u < m.duplicate
    exact_dup = is_dup & (dup_u < m.duplicate / 2)
    dup_extra = np.where(exact_dup, 0.0, np.floor(60.0 + 3540.0 * (dup_u / m.duplicate)))

    present = ~np.isnan(slots)
    ingestion = slots + lag
    visible_cases = cases.intake_epoch < cutoff
    visible = present & (slots < cutoff) & (ingestion < cutoff) & visible_cases[:, None]
    emitted = visible & ~missing

    ci, si = np.nonzero(emitted)  # row-major: ordered by case, then slot
    true_ts = slots[ci, si].astype(np.int64)
    ing = ingestion[ci, si].astype(np.int64)
    null = is_null[ci, si]
    tzm = is_tz[ci, si]
    recorded = true_ts.copy()
    if tzm.any():
        recorded[tzm] = local_wall_as_utc(true_ts[tzm], team_tz)
    event_id = cases.case_key[ci] * 32 + si

    # duplicates: a second copy of the row, re-sent later (or exactly the same row)
    dup = is_dup[ci, si]
    dup_ing = ing[dup] + dup_extra[ci[dup], si[dup]].astype(np.int64)
    dup_visible = dup_ing < cutoff
    d_idx = np.flatnonzero(dup)[dup_visible]
    dup_ing = dup_ing[dup_visible]

    all_idx = np.concatenate([np.arange(len(ci)), d_idx])
    all_ing = np.concatenate([ing, dup_ing])
    order = np.lexsort((all_ing, event_id[all_idx], local_dates(all_ing, team_tz)))
    all_idx, all_ing = all_idx[order], all_ing[order]

    case_ids = pa.array(cases.case_id)
    event_cols = {
        "event_id": pa.array(event_id[all_idx], type=pa.int64()),
        "case_id": case_ids.take(pa.array(ci[all_idx])),
        "status": pa.array(SLOT_STATUS[si[all_idx]]),
        "event_ts": ts_array(recorded[all_idx], ~null[all_idx]),
        "ingestion_ts": ts_array(all_ing),
    }
    vc = np.flatnonzero(visible_cases)
    vc = vc[np.lexsort((cases.case_id[vc], local_dates(cases.intake_epoch[vc], team_tz)))]
    case_cols = {
        "case_id": case_ids.take(pa.array(vc)),
        "intake_ts": ts_array(cases.intake_epoch[vc]),
        "case_type": pa.array(CASE_TYPE_NAMES[cases.case_type[vc]]),
        "tier": pa.array(TIER_NAMES[cases.tier[vc]]),
        "team_tz": pa.array(np.full(len(vc), team_tz)),
    }
    if cases.team_id is not None:  # --world global: the owning team at intake, the team a HANDOFF gives to
        handoff = si[all_idx] == SLOT_INDEX["handoff"]
        event_cols["team_id"] = pa.array(cases.handoff_team[ci[all_idx]], type=pa.string(), mask=~handoff)
        case_cols["team_tz"] = pa.array(cases.team_tz[vc])
        case_cols["team_id"] = pa.array(cases.team_id[vc])
    events = pa.table({**event_cols, "ingestion_date": pa.array(local_dates(all_ing, team_tz))})
    cases_tbl = pa.table({**case_cols, "intake_date": pa.array(local_dates(cases.intake_epoch[vc], team_tz))})

    faults = _ground_truth(cases, ci, si, event_id, true_ts, recorded, ing, null, tzm, is_late,
                           d_idx, dup_ing, missing & visible, ingestion, team_tz)
    return Export(cases=cases_tbl, events=events, faults=faults)


def _ground_truth(cases: Cases, ci, si, event_id, true_ts, recorded, ing, null, tzm, is_late,
                  d_idx, dup_ing, missing_visible, ingestion, team_tz: str) -> pa.Table:
    late = is_late[ci, si]
    parts = []

    def add(kind: str, idx: np.ndarray, ingestion: np.ndarray, rec_valid: bool = True) -> None:
        parts.append({
            "fault_type": np.full(len(idx), kind),
            "event_id": event_id[idx],
            "case_id": cases.case_id[ci[idx]],
            "status": SLOT_STATUS[si[idx]],
            "true_event_ts": true_ts[idx],
            "recorded_event_ts": recorded[idx],
            "recorded_valid": np.full(len(idx), rec_valid),
            "ingestion_ts": ingestion,
        })

    add(NULL_EVENT_TS, np.flatnonzero(null), ing[null], rec_valid=False)
    add(TZ_MISLABELLED, np.flatnonzero(tzm), ing[tzm])
    add(LATE_ARRIVAL, np.flatnonzero(late), ing[late])
    add(DUPLICATE, d_idx, dup_ing)
    mc, ms = np.nonzero(missing_visible)
    lag_free = cases.slot_epoch[mc, ms].astype(np.int64)
    parts.append({
        "fault_type": np.full(len(mc), MISSING_MILESTONE),
        "event_id": cases.case_key[mc] * 32 + ms,
        "case_id": cases.case_id[mc],
        "status": SLOT_STATUS[ms],
        "true_event_ts": lag_free,
        "recorded_event_ts": lag_free,
        "recorded_valid": np.zeros(len(mc), dtype=bool),
        # when it would have been exported: the batch in which its absence becomes visible
        # (an incremental run only writes batches after the previous cutoff)
        "ingestion_ts": ingestion[mc, ms].astype(np.int64),
    })
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((cols["event_id"], cols["fault_type"], local_dates(cols["ingestion_ts"], team_tz)))
    cols = {k: v[order] for k, v in cols.items()}
    return pa.table({
        "fault_type": pa.array(cols["fault_type"]),
        "event_id": pa.array(cols["event_id"], type=pa.int64()),
        "case_id": pa.array(cols["case_id"]),
        "status": pa.array(cols["status"]),
        "true_event_ts": ts_array(cols["true_event_ts"]),
        "recorded_event_ts": ts_array(cols["recorded_event_ts"], cols["recorded_valid"]),
        "ingestion_ts": ts_array(cols["ingestion_ts"]),
        "batch_date": pa.array(local_dates(cols["ingestion_ts"], team_tz)),
    })
