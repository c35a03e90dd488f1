"""The same numbers computed two ways: dbt's marts vs an independent pandas reference.

`reference.sla` (pytests/reference/sla.py) re-implements event cleaning and the SLA engine from the written
semantics (DECISIONLOG.md, docs/raw-contract.md), with business time from the business-time
oracle. Here both are run on the same raw parquet and compared:

* case by case with `marts.case_sla` (statuses and flags equal, minutes within 1e-6,
  local timestamps equal) - on every case of the small data set;
* event by event: `marts.quarantined_events` (file, row, reason) and the per-file counts of
  `marts.event_reconciliation`;
* the counts and breach rates of `marts.sla_by_tier_case_type`.

The generated data has no quarantinable rows and does not reach some rules, so the same
comparison runs again on a copy of the raw data with injected probes (every quarantine
reason, DST gap/fold repairs, a duplicate kept by ingestion order, events before intake, a
cancelled case waiting on the customer, two reopens before one resolution, missing
milestones, a case delivered twice...), built into a second warehouse.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import Warehouse, run_dbt
from reference import sla as R

TOL = 1e-6
MAX_EXAMPLES = 8

TS_COLUMNS = [
    "intake_ts_local", "first_touch_ts_local", "first_resolution_ts_local", "cancelled_ts_local",
    "sla_b_breach_ts_local", "sla_a_breach_ts_local", "intake_date_local",
]
EXACT_COLUMNS = [
    "tier", "case_type", "case_status", "first_touch_source", "sla_b_target_minutes", "sla_a_target_minutes",
    "sla_b_breached", "sla_a_breached_including_wait", "sla_a_breached_paused_wait", "customer_wait_intervals",
    "reopen_count", "open_rework_intervals", "clean_event_count", "delivered_copies", "has_conflicting_copies",
]
MINUTE_COLUMNS = [
    "sla_b_business_minutes", "sla_a_business_minutes_including_wait", "sla_a_business_minutes_paused_wait",
    "customer_wait_business_minutes", "open_elapsed_business_minutes_including_wait",
    "open_elapsed_business_minutes_paused_wait", "intake_to_triage_business_minutes",
    "triage_to_assignment_business_minutes", "assignment_to_investigation_business_minutes",
    "investigation_to_review_qa_business_minutes", "investigation_to_review_qa_customer_wait_business_minutes",
    "review_qa_to_resolution_business_minutes", "rework_business_minutes",
]
# which written rule each column follows (for the failure message)
RULES = {
    "case_status": "SLA semantics: case status",
    "first_touch_ts_local": "SLA semantics: first touch = earliest agent action at/after intake",
    "first_touch_source": "SLA semantics: first touch source",
    "first_resolution_ts_local": "SLA semantics: first RESOLVED at/after intake",
    "sla_b_breached": "SLA semantics: breached = elapsed > target; open untouched past target; NULL unknown",
    "sla_a_breached_including_wait": "SLA semantics: breached / open past target / cancelled NULL",
    "sla_a_breached_paused_wait": "SLA semantics: paused policy breach",
    "customer_wait_business_minutes": "SLA semantics: CUSTOMER_WAIT -> response or work resuming, clipped to window",
    "customer_wait_intervals": "SLA semantics: wait intervals overlapping the window",
    "sla_a_business_minutes_paused_wait": "SLA semantics: paused = including - wait",
    "sla_b_breach_ts_local": "SLA semantics: breach instant = business_add(intake, target)",
    "sla_a_breach_ts_local": "SLA semantics: breach instant = business_add(intake, target)",
    "reopen_count": "SLA semantics: REOPENED at/after first resolution",
    "rework_business_minutes": "SLA semantics: REOPENED -> next RESOLVED, closed intervals",
    "clean_event_count": "Event cleaning: clean events at/after intake",
    "delivered_copies": "Event cleaning: duplicate cases keep the first copy",
}
for _s in R.STAGES:
    RULES[f"{_s}_business_minutes"] = "Stages and drivers: clamped boundaries, missing milestone -> neighbour"


@dataclass
class Reference:
    cases: pd.DataFrame
    events: pd.DataFrame  # every raw event row with its disposition
    as_of: pd.Timestamp
    sla: pd.DataFrame


def build_reference(raw: Path) -> Reference:
    export = R.load_raw(raw)
    cal = R.business_calendar(export.calendar)
    cases = R.prepare_cases(export.cases)
    events = R.clean_events(export.events, cases, cal)
    as_of = R.data_as_of(cases, events)
    return Reference(cases=cases, events=events, as_of=as_of, sla=R.case_sla(cases, events, cal, as_of))


def mart(wh: Warehouse, sql: str) -> pd.DataFrame:
    with wh.connect() as con:
        return con.sql(sql).df()


# --------------------------------------------------------------------------- comparisons


def _fmt(v: object) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "NULL"
    return repr(v) if isinstance(v, (str, float)) else str(v)


def compare_cases(ref: pd.DataFrame, wh: Warehouse) -> list[str]:
    m = mart(wh, "select * from marts.case_sla")
    problems = []
    missing = set(ref["case_id"]) ^ set(m["case_id"])
    if missing:
        problems.append(f"case ids in only one side: {sorted(missing)[:MAX_EXAMPLES]} ({len(missing)})")
    absent = [c for c in TS_COLUMNS + EXACT_COLUMNS + MINUTE_COLUMNS if c not in m.columns]
    if absent:
        problems.append(f"columns missing from marts.case_sla: {absent}")
    j = ref.merge(m, on="case_id", suffixes=("_ref", "_mart"))
    for col in [c for c in TS_COLUMNS + EXACT_COLUMNS + MINUTE_COLUMNS if c not in absent]:
        a, b = j[f"{col}_ref"], j[f"{col}_mart"]
        na, nb = a.isna(), b.isna()
        both = ~na & ~nb
        if col in MINUTE_COLUMNS:
            diff = pd.Series(False, index=j.index)
            diff[both] = (a[both].astype(float) - b[both].astype(float)).abs() > TOL
        elif col in TS_COLUMNS:
            diff = pd.Series(False, index=j.index)
            diff[both] = pd.to_datetime(a[both]) != pd.to_datetime(b[both])
        else:
            diff = pd.Series(False, index=j.index)
            diff[both] = [x != y for x, y in zip(a[both].astype(object), b[both].astype(object), strict=True)]
        diff = diff | (na != nb)
        if diff.any():
            ex = j[diff].head(MAX_EXAMPLES)
            lines = [f"    {cid} ({st}): reference={_fmt(x)} mart={_fmt(y)}" for cid, st, x, y in
                     zip(ex["case_id"], ex["case_status_ref"], ex[f"{col}_ref"], ex[f"{col}_mart"], strict=True)]
            problems.append(f"{col}: {int(diff.sum())} case(s) differ [{RULES.get(col, 'SLA semantics')}]\n"
                            + "\n".join(lines))
    return problems


def compare_as_of(ref: Reference, wh: Warehouse) -> list[str]:
    """as-of = max(latest ingestion_ts of clean events, latest intake_ts), local time."""
    (theirs,) = mart(wh, "select as_of_ts_local from marts.data_as_of")["as_of_ts_local"]
    mine = ref.as_of.tz_convert(R.BUSINESS_TIME_ZONE).tz_localize(None)
    return [] if pd.Timestamp(theirs) == mine else [f"data_as_of.as_of_ts_local: reference={mine} mart={theirs}"]


def compare_events(ref: pd.DataFrame, wh: Warehouse) -> list[str]:
    problems = []
    q = mart(wh, "select source_file, source_row, reason_code from marts.quarantined_events")
    ref_q = ref[ref["disposition"] == "quarantined"]
    mine = set(zip(ref_q["source_file"], ref_q["source_row"].astype(int), ref_q["reason_code"], strict=True))
    theirs = set(zip(q["source_file"], q["source_row"].astype(int), q["reason_code"], strict=True))
    keyed = ref.set_index(["source_file", "source_row"])
    mart_reason = {(f, r): reason for f, r, reason in theirs}
    for f, r in sorted({(f, r) for f, r, _ in mine ^ theirs})[:MAX_EXAMPLES]:
        x = keyed.loc[(f, r)]
        outcome = x["disposition"] + ("" if pd.isna(x["reason_code"]) else f" {x['reason_code']}")
        if x["disposition"] == "clean":
            outcome += f" at {x['event_ts']} ({x['event_time_source']})"
        problems.append(
            f"row {f}#{r} (event_id={_fmt(x['event_id'])}, case {x['case_id']}, {x['status']}, "
            f"event_ts={_fmt(x['recorded_event_ts'])}, ingestion_ts={_fmt(x['ingestion_ts'])}): "
            f"reference {outcome}; marts.quarantined_events: {mart_reason.get((f, r), 'absent (clean or duplicate)')}")
    counts = pd.Series(sorted(r[2] for r in mine)).value_counts().to_dict()
    their_counts = q["reason_code"].value_counts().to_dict()
    if counts != their_counts:
        problems.append(f"quarantine reason counts: reference={counts} mart={their_counts}")

    rec = mart(wh, "select * from marts.event_reconciliation").set_index("source_file").sort_index()
    g = ref.groupby("source_file")
    mine_rec = pd.DataFrame({
        "raw_rows": g.size(),
        "clean_rows": g["disposition"].agg(lambda s: int((s == "clean").sum())),
        "duplicate_rows": g["disposition"].agg(lambda s: int((s == "duplicate").sum())),
        "quarantined_rows": g["disposition"].agg(lambda s: int((s == "quarantined").sum())),
    })
    clean = ref[ref["disposition"] == "clean"].groupby("source_file")["event_time_source"]
    mine_rec["tz_repaired_rows"] = clean.agg(lambda s: int((s == "tz_repaired").sum()))
    mine_rec["imputed_time_rows"] = clean.agg(lambda s: int((s == "imputed_from_ingestion").sum()))
    mine_rec = mine_rec.fillna(0).astype(int).sort_index()
    if set(mine_rec.index) != set(rec.index):
        problems.append(f"event files differ: {sorted(set(mine_rec.index) ^ set(rec.index))}")
    for col in mine_rec.columns:
        both = mine_rec.index.intersection(rec.index)
        d = mine_rec.loc[both, col] != rec.loc[both, col].astype(int)
        if d.any():
            ex = [(f, int(mine_rec.at[f, col]), int(rec.at[f, col])) for f in d[d].index[:MAX_EXAMPLES]]
            problems.append(f"event_reconciliation.{col} differs in {int(d.sum())} file(s) "
                            f"(file, reference, mart): {ex}  [Event cleaning rules]")
    return problems


AGG_COUNTS = ["cases", "resolved_cases", "open_cases", "cancelled_cases", "sla_b_scored_cases", "sla_b_breached_cases",
              "sla_a_breached_cases_including_wait", "sla_a_breached_cases_paused_wait"]
AGG_RATES = ["sla_b_breach_rate", "sla_a_breach_rate_including_wait", "sla_a_breach_rate_paused_wait"]


def compare_tier_rates(ref: pd.DataFrame, wh: Warehouse) -> list[str]:
    mine = R.aggregate_by_tier_case_type(ref).set_index(["tier", "case_type"]).sort_index()
    theirs = mart(wh, "select * from marts.sla_by_tier_case_type").set_index(["tier", "case_type"]).sort_index()
    problems = []
    if set(mine.index) != set(theirs.index):
        problems.append(f"groups differ: {sorted(set(mine.index) ^ set(theirs.index))}")
    for key in mine.index.intersection(theirs.index):
        for col in AGG_COUNTS + AGG_RATES:
            a, b = mine.at[key, col], theirs.at[key, col]
            if pd.isna(a) and pd.isna(b):
                continue
            if pd.isna(a) != pd.isna(b) or abs(float(a) - float(b)) > 1e-12:
                problems.append(f"sla_by_tier_case_type {key} {col}: reference={_fmt(a)} mart={_fmt(b)}")
    return problems


def _report(problems: list[str]) -> str:
    return "reference and marts disagree:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- the generated data set


@pytest.fixture(scope="module")
def reference(small_raw: tuple[Path, Path]) -> Reference:
    return build_reference(small_raw[0])


def test_reference_reaches_the_interesting_cases(reference: Reference) -> None:
    """Guard against a vacuous comparison: the data has every status, tier and special path."""
    s, e = reference.sla, reference.events
    assert set(s["case_status"]) == {"resolved", "open", "cancelled"}
    assert set(s["tier"]) == {"TIER_1", "TIER_2", "TIER_3"}
    assert (s["customer_wait_business_minutes"] > 0).sum() > 50
    assert (s["reopen_count"] > 0).sum() > 50
    assert (s["first_touch_source"] == "other_agent_event").sum() > 0
    assert s["sla_b_breached"].eq(True).sum() > 0 and s["sla_a_breached_including_wait"].eq(True).sum() > 0
    assert ((s["case_status"] == "open") & s["sla_a_breached_including_wait"].eq(True)).sum() > 0
    assert set(e["event_time_source"]) == {"recorded", "tz_repaired", "imputed_from_ingestion"}
    assert (e["disposition"] == "duplicate").sum() > 0


def test_case_sla_matches_reference_case_by_case(warehouse: Warehouse, reference: Reference) -> None:
    problems = compare_as_of(reference, warehouse) + compare_cases(reference.sla, warehouse)
    assert not problems, _report(problems)


def test_event_dispositions_match_reference(warehouse: Warehouse, reference: Reference) -> None:
    problems = compare_events(reference.events, warehouse)
    assert not problems, _report(problems)


def test_tier_breach_rates_match_reference(warehouse: Warehouse, reference: Reference) -> None:
    problems = compare_tier_rates(reference.sla, warehouse)
    assert not problems, _report(problems)


# --------------------------------------------------------------------------- injected probes

NEW_ID = 9_100_000_000_000
EVENT_SCHEMA = pa.schema([
    ("event_id", pa.int64()), ("case_id", pa.string()), ("status", pa.string()),
    ("event_ts", pa.timestamp("us", tz="UTC")), ("ingestion_ts", pa.timestamp("us", tz="UTC")),
])
INJECTED_FILE = "events_log/ingestion_date=2025-12-31/part-1.parquet"
EXTRA_CASES_FILE = "cases/intake_date=2025-12-31/part-1.parquet"


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _py(ts: pd.Timestamp) -> datetime:
    return ts.tz_convert("UTC").to_pydatetime()


def _mid(a: datetime, b: datetime) -> datetime:
    return (a + (b - a) / 2).replace(microsecond=0)


def inject(src: Path, dst: Path, ref: Reference) -> tuple[dict[int, str | None], dict[str, tuple]]:
    """Copy the raw folder and add probes. Returns {source_row in INJECTED_FILE: expected reason}
    (None = clean) - what the reference is expected to say, checked separately - and the probes
    of events at the same instant with what they add, by name."""
    shutil.copytree(src, dst)
    s, ev = ref.sla, ref.events
    clean = ev[ev["disposition"] == "clean"]
    odd = set(ev.loc[(ev["disposition"] != "clean") | (ev["event_time_source"] != "recorded"), "case_id"])
    plain = s[~s["case_id"].isin(odd)].sort_values("case_id")
    resolved = plain[(plain["case_status"] == "resolved") & (plain["reopen_count"] == 0)
                     & (plain["customer_wait_intervals"] == 0) & (plain["first_touch_source"] == "triage")
                     & (plain["intake_ts_local"].dt.month == 10)]["case_id"].tolist()
    cancelled = plain[(plain["case_status"] == "cancelled") & (plain["first_touch_source"] == "triage")
                      & (plain["customer_wait_intervals"] == 0)
                      & (plain["cancelled_ts_local"] - plain["first_touch_ts_local"] > pd.Timedelta(hours=1))]
    reopened = plain[(plain["reopen_count"] == 1) & (plain["open_rework_intervals"] == 0)]["case_id"].tolist()
    (c_res, c_before, c_noassign, c_noinvest, c_tie, c_waits, c_prewait, c_dupcase) = resolved[:8]
    (c_cancel, c_cancel2), (c_reopen, c_reopen2) = cancelled["case_id"].iloc[:2], reopened[:2]
    c_zero_wait, c_rework_at_resolution = resolved[8:10]
    # a case worked for more than a business day after triage, so its probe waits hold business time
    worked = plain.set_index("case_id")
    worked = worked["sla_a_business_minutes_including_wait"] - worked["sla_b_business_minutes"]
    c_back_to_back, c_unanswered = [c for c in resolved[10:] if worked[c] > 1200][:2]
    c_rework_back_to_back = reopened[2]

    def evs(cid: str, status: str) -> pd.DataFrame:
        return clean[(clean["case_id"] == cid) & (clean["status"] == status)].sort_values("event_ts")

    def first_ts(cid: str, status: str) -> datetime:
        return _py(evs(cid, status)["event_ts"].iloc[0])

    intake = ref.cases.set_index("case_id")["intake_ts"].map(_py)
    rows: list[tuple] = []
    expected: dict[int, str | None] = {}
    sec = timedelta(seconds=1)

    def add(reason: str | None, event_id, case_id, status, event_ts, ingestion_ts) -> None:
        expected[len(rows)] = reason
        rows.append((event_id, case_id, status, event_ts, ingestion_ts))

    t0 = intake[c_res] + timedelta(minutes=1)
    nid = iter(range(NEW_ID, NEW_ID + 1000))
    # --- one probe per quarantine reason (status INTAKE does not move any SLA measure)
    add("NULL_EVENT_ID", None, c_res, "INTAKE", t0, t0 + 30 * sec)
    add("UNKNOWN_STATUS", next(nid), c_res, "FOO", t0, t0 + 30 * sec)
    add("UNKNOWN_CASE", next(nid), "SR-00000000-99999", "INTAKE", t0, t0 + 30 * sec)
    add("MISSING_TIMESTAMPS", next(nid), c_res, "INTAKE", None, None)
    # wall time 02:30 on 2025-03-09 does not exist in Los Angeles; read as PST it fits the lag
    add("TZ_REPAIR_AMBIGUOUS", next(nid), c_res, "INTAKE", _utc(2025, 3, 9, 2, 30), _utc(2025, 3, 9, 10, 35))
    add("TZ_REPAIR_AMBIGUOUS", next(nid), c_res, "INTAKE", _utc(2025, 3, 9, 2, 30), _utc(2025, 3, 9, 9, 35))
    add("TS_OUT_OF_RANGE", next(nid), c_res, "INTAKE", _utc(1970, 1, 1), t0)
    add("TS_OUT_OF_RANGE", next(nid), c_res, "INTAKE", _utc(1999, 12, 31, 23), t0)
    add("TS_OUT_OF_RANGE", next(nid), c_res, "INTAKE", _utc(2100, 1, 1), t0)
    add("EVENT_AFTER_INGESTION", next(nid), c_res, "INTAKE", t0 + timedelta(days=2), t0)
    # "beyond the normal lag": exactly 15 min after ingestion is tolerated, 15 min + 1 s is not
    add(None, next(nid), c_res, "INTAKE", t0 + timedelta(minutes=5), t0)
    add(None, next(nid), c_res, "INTAKE", t0 + timedelta(minutes=15), t0)
    add("EVENT_AFTER_INGESTION", next(nid), c_res, "INTAKE", t0 + timedelta(minutes=15, seconds=1), t0)
    # times after the day following the file's date (2025-12-31): ingested in 2026-06 (inside
    # the calendar, so it would have become the as-of instant), or, without an ingestion
    # time, stamped at the cutoff itself (2026-01-02 00:00 in Los Angeles)
    add("TS_AFTER_FILE_DATE", next(nid), c_res, "INTAKE", _utc(2026, 6, 1), _utc(2026, 6, 1, 0, 1))
    add("TS_AFTER_FILE_DATE", next(nid), c_res, "INTAKE", _utc(2026, 1, 2, 8), None)
    # a NULL event time imputed from an ingestion time outside the calendar
    add("TS_OUT_OF_RANGE", next(nid), c_res, "INTAKE", None, _utc(2027, 2, 1))
    # --- clean after normalisation / repair
    add(None, next(nid), f"  {c_res} ", " intake ", t0, t0 + 30 * sec)  # trimmed case id and status
    # 01:30 on 2025-11-02 happens twice in Los Angeles; the lag picks PST (09:30Z) or PDT (08:30Z)
    add(None, next(nid), c_res, "INTAKE", _utc(2025, 11, 2, 1, 30), _utc(2025, 11, 2, 9, 32))
    add(None, next(nid), c_res, "INTAKE", _utc(2025, 11, 2, 1, 30), _utc(2025, 11, 2, 8, 35))
    # non-existent wall time but no reading fits: a late event, kept as recorded (before intake)
    add(None, next(nid), c_res, "INTAKE", _utc(2025, 3, 9, 2, 30), _utc(2025, 3, 10, 12, 0))
    add(None, next(nid), c_res, "INTAKE", t0, t0 + timedelta(hours=30))  # late arrival
    add(None, next(nid), c_res, "INTAKE", t0, None)  # no ingestion time: nothing rejects it
    # --- duplicates: a later copy; an earlier copy (the part-0 original becomes the duplicate);
    # a bad first copy and a good later one (the good one is kept); two bad copies (the first
    # is kept, quarantined); a corrected re-send of a copy stamped in 1970
    orig = evs(c_res, "RESOLVED").iloc[0]
    add("DUPLICATE_EVENT_ID", int(orig["event_id"]), c_res, "RESOLVED", _py(orig["recorded_event_ts"]),
        _py(orig["ingestion_ts"]) + timedelta(days=1))
    rq = evs(c_res, "REVIEW_QA")
    rq = rq[(rq["ingestion_ts"] - rq["recorded_event_ts"]) > pd.Timedelta(seconds=20)]
    if len(rq):
        o = rq.iloc[0]
        add(None, int(o["event_id"]), c_res, "REVIEW_QA", _py(o["recorded_event_ts"]),
            _py(o["ingestion_ts"]) - 10 * sec)
    dup_id = next(nid)
    add("DUPLICATE_EVENT_ID", dup_id, c_res, "BAR", t0, t0 + 30 * sec)
    add(None, dup_id, c_res, "INTAKE", t0, t0 + 90 * sec)
    dup_id = next(nid)
    add("UNKNOWN_STATUS", dup_id, c_res, "BAR", t0, t0 + 30 * sec)
    add("DUPLICATE_EVENT_ID", dup_id, c_res, "BAZ", t0, t0 + 90 * sec)
    dup_id = next(nid)
    add("DUPLICATE_EVENT_ID", dup_id, c_res, "INTAKE", _utc(1970, 1, 1), t0 + 30 * sec)
    add(None, dup_id, c_res, "INTAKE", t0, t0 + 120 * sec)
    # an event id reused for another status of another case: neither copy is kept (the
    # original, in its own file, is CONFLICTING_EVENT_ID too: compared with the reference)
    c_conflict = resolved[-1]
    orig = evs(c_conflict, "TRIAGE").iloc[0]
    add("CONFLICTING_EVENT_ID", int(orig["event_id"]), c_res, "INVESTIGATION", t0, t0 + 30 * sec)
    # --- SLA probes
    # agent actions before intake are ignored by the clocks
    bi = intake[c_before] - timedelta(hours=2)
    add(None, next(nid), c_before, "TRIAGE", bi, bi + 30 * sec)
    add(None, next(nid), c_before, "CUSTOMER_WAIT", bi, bi + 30 * sec)
    # a wait opened before intake, answered after it
    pw = intake[c_prewait]
    add(None, next(nid), c_prewait, "CUSTOMER_WAIT", pw - timedelta(hours=1), pw - timedelta(hours=1) + 30 * sec)
    add(None, next(nid), c_prewait, "CUSTOMER_RESPONDED", pw + timedelta(minutes=1), pw + timedelta(minutes=2))
    # a response without a wait, then two waits before one response (one interval)
    ft, fr = first_ts(c_waits, "TRIAGE"), first_ts(c_waits, "RESOLVED")
    w = [ft + (fr - ft) * k / 6 for k in range(1, 5)]
    for st, ts in zip(["CUSTOMER_RESPONDED", "CUSTOMER_WAIT", "CUSTOMER_WAIT", "CUSTOMER_RESPONDED"], w, strict=True):
        ts = ts.replace(microsecond=0)
        add(None, next(nid), c_waits, st, ts, ts + 30 * sec)
    # TRIAGE and ASSIGNMENT at the same instant
    tt = first_ts(c_tie, "TRIAGE")
    add(None, next(nid), c_tie, "ASSIGNMENT", tt, tt + 30 * sec)
    # a cancelled case waiting on the customer (no response) when cancelled
    cw = _mid(first_ts(c_cancel, "TRIAGE"), first_ts(c_cancel, "CANCELLED"))
    add(None, next(nid), c_cancel, "CUSTOMER_WAIT", cw, cw + 30 * sec)
    # ... and one whose customer answered before the cancellation
    ft2, ca2 = first_ts(c_cancel2, "TRIAGE"), first_ts(c_cancel2, "CANCELLED")
    for st, ts in (("CUSTOMER_WAIT", ft2 + (ca2 - ft2) / 3), ("CUSTOMER_RESPONDED", ft2 + (ca2 - ft2) * 2 / 3)):
        ts = ts.replace(microsecond=0)
        add(None, next(nid), c_cancel2, st, ts, ts + 30 * sec)
    # two REOPENED before one RESOLVED
    ro = first_ts(c_reopen, "REOPENED")
    nxt = evs(c_reopen, "RESOLVED")
    nxt = _py(nxt[nxt["event_ts"] > pd.Timestamp(ro)]["event_ts"].iloc[0])
    rm = _mid(ro, nxt)
    add(None, next(nid), c_reopen, "REOPENED", rm, rm + 30 * sec)
    # two REOPENED after the last RESOLVED (rework still open)
    last = _py(evs(c_reopen2, "RESOLVED")["event_ts"].iloc[-1])
    for k in (1, 2):
        add(None, next(nid), c_reopen2, "REOPENED", last + timedelta(hours=k), last + timedelta(hours=k, seconds=30))
    # --- events at the same instant (DECISIONLOG "Events at the same instant"); each pair is
    # written in the file order that the rule must override
    # (inside the investigation stage: any INVESTIGATION, REVIEW_QA or RESOLVED ends a wait)
    fi, fq = first_ts(c_back_to_back, "INVESTIGATION"), first_ts(c_back_to_back, "REVIEW_QA")
    w = [(fi + (fq - fi) * k / 4).replace(microsecond=0) for k in (1, 2, 3)]
    # a wait answered at the instant the next wait starts: two intervals, w0 -> w1 -> w2
    for st, ts in (("CUSTOMER_WAIT", w[0]), ("CUSTOMER_WAIT", w[1]), ("CUSTOMER_RESPONDED", w[1]),
                   ("CUSTOMER_RESPONDED", w[2])):
        add(None, next(nid), c_back_to_back, st, ts, ts + 30 * sec)
    # a wait answered at the instant it starts: zero minutes, not a wait that runs on
    ft, fr = first_ts(c_zero_wait, "TRIAGE"), first_ts(c_zero_wait, "RESOLVED")
    zw = _mid(ft, fr)
    for st in ("CUSTOMER_RESPONDED", "CUSTOMER_WAIT"):
        add(None, next(nid), c_zero_wait, st, zw, zw + 30 * sec)
    # a wait never answered before the review started: it ends there (the paused policy never
    # pauses the review); the response logged after the resolution closes nothing
    fi, fq = first_ts(c_unanswered, "INVESTIGATION"), first_ts(c_unanswered, "REVIEW_QA")
    uw, late = _mid(fi, fq), first_ts(c_unanswered, "RESOLVED") + timedelta(hours=1)
    for st, ts in (("CUSTOMER_WAIT", uw), ("CUSTOMER_RESPONDED", late)):
        add(None, next(nid), c_unanswered, st, ts, ts + 30 * sec)
    # reopened at the instant of the first resolution: rework starts there
    fr = first_ts(c_rework_at_resolution, "RESOLVED")
    add(None, next(nid), c_rework_at_resolution, "REOPENED", fr, fr + 30 * sec)
    rr = fr + timedelta(hours=50)
    add(None, next(nid), c_rework_at_resolution, "RESOLVED", rr, rr + 30 * sec)
    # resolved again and reopened at the same instant: two rework intervals, r0 -> r1 -> r2
    last = _py(evs(c_rework_back_to_back, "RESOLVED")["event_ts"].iloc[-1])
    r = [last + timedelta(hours=k) for k in (1, 26, 100)]
    for st, ts in (("REOPENED", r[0]), ("REOPENED", r[1]), ("RESOLVED", r[1]), ("RESOLVED", r[2])):
        add(None, next(nid), c_rework_back_to_back, st, ts, ts + 30 * sec)
    # what each probe adds, by hand: (case, clock, intervals added, REOPENED events added)
    # two new cases cancelled untouched: two business days after intake (a known SLA B
    # breach) and ten minutes after it (no SLA B outcome); Mon 2025-10-13 09:00 in Los Angeles
    cancel_intake = _utc(2025, 10, 13, 16)
    for case_id, cancelled_at in (("SR-PROBE-CANCEL-LATE", cancel_intake + timedelta(days=2)),
                                  ("SR-PROBE-CANCEL-SOON", cancel_intake + timedelta(minutes=10))):
        add(None, next(nid), case_id, "INTAKE", cancel_intake, cancel_intake + 30 * sec)
        add(None, next(nid), case_id, "CANCELLED", cancelled_at, cancelled_at + 30 * sec)
    probes = {
        "back-to-back waits": (c_back_to_back, "wait", [(w[0], w[1]), (w[1], w[2])], 0),
        "zero-length wait": (c_zero_wait, "wait", [], 0),
        "unanswered wait ended by the review": (c_unanswered, "wait", [(uw, fq)], 0),
        "rework from the first resolution": (c_rework_at_resolution, "rework", [(fr, rr)], 1),
        "back-to-back rework": (c_rework_back_to_back, "rework", [(r[0], r[1]), (r[1], r[2])], 2),
    }
    (dst / INJECTED_FILE).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([dict(zip(EVENT_SCHEMA.names, r, strict=True)) for r in rows],
                   schema=EVENT_SCHEMA), dst / INJECTED_FILE)

    # --- missing ASSIGNMENT / INVESTIGATION: drop those rows from their files
    drop = pd.concat([evs(c_noassign, "ASSIGNMENT"), evs(c_noinvest, "INVESTIGATION")])
    for f, grp in drop.groupby("source_file"):
        t = pq.read_table(dst / f)
        gone = set(grp["source_row"].astype(int))
        pq.write_table(t.take([i for i in range(t.num_rows) if i not in gone]), dst / f)
    # --- a case delivered twice (the later file's copy differs)
    src_case = ref.cases[ref.cases["case_id"] == c_dupcase].iloc[0]
    t = pq.read_table(dst / src_case["source_file"])
    copy = t.filter(pc.equal(t["case_id"], c_dupcase)).to_pylist()[0]
    copy["tier"] = "TIER_3" if copy["tier"] != "TIER_3" else "TIER_1"
    copy["intake_ts"] = copy["intake_ts"] - timedelta(days=1)  # earlier: this later file's copy is kept
    # ... and a new case delivered twice in one file with the same intake: the first row is kept
    # (and two more that differ only in the case type, only in the team zone: flagged too)
    twin = {**copy, "case_id": "SR-PROBE-TWIN", "tier": "TIER_1"}
    by_type = {**copy, "case_id": "SR-PROBE-TYPE", "case_type": "ACCESS_REVIEW"}
    by_zone = {**copy, "case_id": "SR-PROBE-ZONE"}
    rows = [copy, twin, {**twin, "tier": "TIER_2"}, by_type, {**by_type, "case_type": "POLICY_EXCEPTION"},
            by_zone, {**by_zone, "team_tz": "America/New_York"},
            {**copy, "case_id": "SR-PROBE-CANCEL-LATE", "intake_ts": cancel_intake},
            {**copy, "case_id": "SR-PROBE-CANCEL-SOON", "intake_ts": cancel_intake}]
    pq.write_table(pa.Table.from_pylist(rows, schema=t.schema), dst / EXTRA_CASES_FILE)
    return expected, probes


@pytest.fixture(scope="module")
def injected(small_raw: tuple[Path, Path], reference: Reference,
             tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Warehouse, Reference, dict[int, str | None], dict[str, tuple]]:
    base = tmp_path_factory.mktemp("injected")
    raw = base / "raw"
    expected, probes = inject(small_raw[0], raw, reference)
    wh = Warehouse(raw=raw, truth=small_raw[1], db=base / "ops_sla.duckdb", target=base / "target")
    # models, seeds and unit tests only: the probes are deliberately broken rows, which some data tests flag
    run_dbt(["build", "--exclude", "test_type:data"], wh.env())
    return wh, build_reference(raw), expected, probes


def test_injected_probes_are_classified_as_intended(injected) -> None:
    """The reference says what each probe was built to show (checks the probes, not dbt)."""
    _, ref, expected, _ = injected
    mine = ref.events[ref.events["source_file"] == INJECTED_FILE].set_index("source_row")
    got = {int(i): (None if pd.isna(r) else r) for i, r in mine["reason_code"].items()}
    assert got == expected
    assert int(ref.sla.loc[ref.sla["delivered_copies"] == 2].shape[0]) == 4
    conflicted = ref.events[ref.events["reason_code"] == "CONFLICTING_EVENT_ID"]
    assert sorted(conflicted["status"]) == ["INVESTIGATION", "TRIAGE"] and conflicted["event_id"].nunique() == 1
    kept = ref.cases.set_index("case_id").loc[ref.sla.loc[ref.sla["delivered_copies"] == 2, "case_id"]]
    assert kept["has_conflicting_copies"].tolist() == [True] * 4
    assert kept.loc["SR-PROBE-TWIN", "tier"] == "TIER_1"
    assert kept.loc["SR-PROBE-TYPE", "case_type"] == "ACCESS_REVIEW"
    assert kept.loc["SR-PROBE-ZONE", "team_tz"] == "America/Los_Angeles"
    cancelled = ref.sla.set_index("case_id").loc[["SR-PROBE-CANCEL-LATE", "SR-PROBE-CANCEL-SOON"]]
    assert cancelled["case_status"].tolist() == ["cancelled"] * 2
    assert cancelled["first_touch_source"].isna().all()
    assert cancelled["sla_b_breached"].tolist() == [True, None]
    twice = ref.cases[(ref.cases["delivered_copies"] == 2) & ~ref.cases["case_id"].str.startswith("SR-PROBE-")]
    assert twice["source_file"].tolist() == [EXTRA_CASES_FILE]  # the copy with the earlier intake


def test_injected_event_dispositions_match_reference(injected) -> None:
    wh, ref, _, _ = injected
    problems = compare_events(ref.events, wh)
    assert not problems, _report(problems)


def test_injected_case_sla_matches_reference(injected) -> None:
    wh, ref, _, _ = injected
    problems = compare_as_of(ref, wh) + compare_cases(ref.sla, wh) + compare_tier_rates(ref.sla, wh)
    assert not problems, _report(problems)


def test_events_at_the_same_instant_by_hand(injected, reference: Reference) -> None:
    """Events at one instant, written in the file order the rule must override, against
    expectations built by hand: the intervals each probe adds, in business minutes of the
    business-time oracle (not the reference's interval logic, which follows the same rule)."""
    wh, _, _, probes = injected
    cal = R.business_calendar(R.load_raw(wh.raw).calendar)
    before = reference.sla.set_index("case_id")
    got = mart(wh, "select case_id, customer_wait_business_minutes, customer_wait_intervals, reopen_count, "
                   "rework_business_minutes, open_rework_intervals from marts.case_sla").set_index("case_id")
    for name, (case_id, clock, intervals, reopened) in probes.items():
        minutes = sum(R.business_minutes_between(lo, hi, cal) for lo, hi in intervals)
        row = got.loc[case_id]
        if clock == "wait":
            assert before.loc[case_id, "customer_wait_intervals"] == 0, name
            assert row["customer_wait_business_minutes"] == pytest.approx(minutes, abs=TOL), name
            assert row["customer_wait_intervals"] == len(intervals), name
        else:
            assert row["rework_business_minutes"] == pytest.approx(
                before.loc[case_id, "rework_business_minutes"] + minutes, abs=TOL), name
            assert row["reopen_count"] == before.loc[case_id, "reopen_count"] + reopened, name
            assert row["open_rework_intervals"] == 0, name
        assert minutes > 0 or not intervals, f"{name}: a probe interval has no business minutes"
