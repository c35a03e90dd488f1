"""The synthetic data generator: determinism, replacement, volumes, faults, CLI errors, incremental.

Small data everywhere (SMALL_ARGS or smaller) except one full-scale run (~4 s) that the
volume, mix and fault-rate checks share. Every run gets its own folder holding ``raw`` and
``raw_ground_truth`` (``--truth-out`` is always given, so ``$OPS_SLA_TRUTH_DIR`` cannot
redirect anything), and comparisons snapshot that whole folder, hidden leftovers included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SMALL_ARGS, run_generator

from ops_sla.generator.params import Params
from ops_sla.generator.world import Config, build

TEAM_TZ = "America/Los_Angeles"
PROG_ERROR = "ops-sla-generate: error:"

# the raw contract (docs/raw-contract.md)
CONTRACT_STATUSES = {
    "INTAKE", "TRIAGE", "ASSIGNMENT", "INVESTIGATION", "CUSTOMER_WAIT", "CUSTOMER_RESPONDED",
    "REVIEW_QA", "RESOLVED", "REOPENED", "ESCALATED", "CANCELLED",
}
CASE_COLUMNS = ["case_id", "intake_ts", "case_type", "tier", "team_tz"]
EVENT_COLUMNS = ["event_id", "case_id", "status", "event_ts", "ingestion_ts"]
FAULT_TYPES = {"null_event_ts", "tz_mislabelled", "late_arrival", "duplicate", "missing_milestone"}

Z = 4.5  # binomial tolerance in standard deviations (two-sided p ~ 7e-6 for a correct generator)
HOUR = 3600


# ---------------------------------------------------------------- helpers


def generate(base: Path, *args: str, env: dict[str, str] | None = None,
             check: bool = True) -> subprocess.CompletedProcess:
    """One generator run into ``base/raw`` with its ground truth in ``base/raw_ground_truth``."""
    return run_generator(base / "raw", "--truth-out", str(base / "raw_ground_truth"), *args, env=env, check=check)


def snapshot(root: Path) -> dict[str, str]:
    """Every file (sha256) and folder under ``root``, hidden ones included, by relative path."""
    if not root.exists():
        return {}
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
    return out


def diff(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def manifest(base: Path) -> dict:
    return json.loads((base / "raw_ground_truth" / "manifest.json").read_text())


def connect(base: Path) -> duckdb.DuckDBPyConnection:
    """Views ``cases``, ``ev`` (events_log), ``gt`` (ground-truth faults), ``cal`` on one generation."""
    raw, truth = base / "raw", base / "raw_ground_truth"
    assert "'" not in str(base)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE VIEW cases AS SELECT * FROM read_parquet('{raw}/cases/*/*.parquet', hive_partitioning=true)")
    con.execute(f"CREATE VIEW ev AS SELECT * FROM read_parquet('{raw}/events_log/*/*.parquet', hive_partitioning=true)")
    con.execute(f"CREATE VIEW gt AS SELECT * FROM read_parquet('{truth}/faults/*/*.parquet', hive_partitioning=true)")
    con.execute(f"CREATE VIEW cal AS SELECT * FROM read_parquet('{raw}/calendar_dim/*.parquet')")
    # each exported event once (its first copy) with its *true* time: the ground truth knows the
    # true time of the NULL and mislabelled ones, the others were exported as they happened
    con.execute("""
        CREATE TEMP TABLE ev_first AS
        WITH firsts AS (
            SELECT event_id, any_value(case_id) AS case_id, any_value(status) AS status,
                   min(ingestion_ts) AS ingestion_ts, count(*) AS copies
            FROM ev GROUP BY event_id
        ), recorded AS (
            SELECT event_id, any_value(event_ts) AS event_ts FROM ev GROUP BY event_id
        ), known AS (
            SELECT event_id, any_value(true_event_ts) AS true_ts FROM gt
            WHERE fault_type IN ('null_event_ts', 'tz_mislabelled') GROUP BY event_id
        )
        SELECT f.*, coalesce(k.true_ts, r.event_ts) AS true_ts,
               epoch(f.ingestion_ts) - epoch(coalesce(k.true_ts, r.event_ts)) AS lag_s
        FROM firsts f JOIN recorded r USING (event_id) LEFT JOIN known k USING (event_id)
    """)
    return con


def ids(con: duckdb.DuckDBPyConnection, sql: str) -> set:
    return {r[0] for r in con.execute(sql).fetchall()}


def scalar(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def assert_binomial(k: int, n: int, p: float, what: str) -> None:
    """k successes in n trials is within Z standard deviations of n*p (plus one for rounding)."""
    assert n > 0, what
    tol = Z * math.sqrt(n * p * (1 - p)) + 1
    assert abs(k - n * p) <= tol, f"{what}: {k}/{n} = {k / n:.5f}, expected {p} (±{tol / n:.5f})"


def assert_truth_matches_raw(base: Path, con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The ground truth labels exactly the faults visible in the raw files. Returns counts."""
    raw_ids = ids(con, "SELECT event_id FROM ev_first")
    m = manifest(base)

    # no fault row twice; only the known kinds; manifest counts are the files' counts
    assert scalar(con, "SELECT count(*) FROM (SELECT 1 FROM gt GROUP BY fault_type, event_id HAVING count(*) > 1)") == 0
    counts = dict(con.execute("SELECT fault_type, count(*) FROM gt GROUP BY 1").fetchall())
    assert set(counts) == FAULT_TYPES, counts
    assert m["faults"] == counts
    assert m["rows"] == {"cases": scalar(con, "SELECT count(*) FROM cases"),
                         "events_log": scalar(con, "SELECT count(*) FROM ev")}

    # NULL event times: exactly the labelled events, in every copy
    null_gt = ids(con, "SELECT event_id FROM gt WHERE fault_type = 'null_event_ts'")
    assert null_gt == ids(con, "SELECT event_id FROM ev WHERE event_ts IS NULL")
    assert scalar(con, """SELECT count(*) FROM gt
                          WHERE fault_type = 'null_event_ts' AND recorded_event_ts IS NOT NULL""") == 0

    # time-zone mislabelled: the raw time is the recorded one, the team's wall clock read as UTC
    tz_rows = con.execute("""
        SELECT g.event_id, epoch(g.true_event_ts)::BIGINT, epoch(g.recorded_event_ts)::BIGINT,
               count(e.event_id), count(e.event_id) FILTER (WHERE e.event_ts = g.recorded_event_ts)
        FROM gt g LEFT JOIN ev e USING (event_id)
        WHERE g.fault_type = 'tz_mislabelled' GROUP BY ALL
    """).fetchall()
    zone = ZoneInfo(TEAM_TZ)
    shifts = Counter()
    for event_id, true_s, recorded_s, copies, matching in tz_rows:
        assert copies >= 1 and matching == copies, event_id
        offset = dt.datetime.fromtimestamp(true_s, dt.UTC).astimezone(zone).utcoffset().total_seconds()
        assert recorded_s - true_s == offset, event_id
        shifts[true_s - recorded_s] += 1
    assert set(shifts) <= {7 * HOUR, 8 * HOUR}, shifts

    # late arrivals: 12-96 h after the event, and exactly the events exported that late
    lo, hi = m["messiness_rates"]["late_lag_hours"]
    assert lo >= 12
    bad_late = scalar(con, f"""
        SELECT count(*) FROM gt WHERE fault_type = 'late_arrival'
        AND NOT (epoch(ingestion_ts) - epoch(true_event_ts) BETWEEN {lo * HOUR} AND {hi * HOUR})""")
    assert bad_late == 0
    late_gt = ids(con, "SELECT event_id FROM gt WHERE fault_type = 'late_arrival'")
    assert late_gt == ids(con, f"SELECT event_id FROM ev_first WHERE lag_s >= {lo * HOUR}")
    assert scalar(con, """SELECT count(*) FROM gt g JOIN ev_first f USING (event_id)
                          WHERE g.fault_type = 'late_arrival' AND g.ingestion_ts <> f.ingestion_ts""") == 0
    # every other event was exported within the ordinary lag: no unlabelled time shift anywhere
    assert scalar(con, f"SELECT count(*) FROM ev_first WHERE lag_s < {lo * HOUR} AND NOT lag_s BETWEEN 0 AND 3600") == 0

    # duplicates: an event_id appears twice exactly when labelled, the copy at the labelled time
    dup_gt = ids(con, "SELECT event_id FROM gt WHERE fault_type = 'duplicate'")
    assert dup_gt == ids(con, "SELECT event_id FROM ev_first WHERE copies > 1")
    assert scalar(con, "SELECT max(copies) FROM ev_first") == 2
    assert scalar(con, """SELECT count(*) FROM gt g
                          WHERE fault_type = 'duplicate' AND NOT EXISTS (SELECT 1 FROM ev e
                              WHERE e.event_id = g.event_id AND e.ingestion_ts = g.ingestion_ts)""") == 0

    # missing milestones: never exported, of existing cases, TRIAGE or REVIEW_QA only
    missing = ids(con, "SELECT event_id FROM gt WHERE fault_type = 'missing_milestone'")
    assert not missing & raw_ids
    assert ids(con, "SELECT DISTINCT status FROM gt WHERE fault_type = 'missing_milestone'") <= {"TRIAGE", "REVIEW_QA"}
    assert scalar(con, """SELECT count(*) FROM gt WHERE fault_type = 'missing_milestone'
                          AND case_id NOT IN (SELECT case_id FROM cases)""") == 0

    # every other labelled event is in the raw files, with its case and status
    assert scalar(con, """SELECT count(*) FROM gt g LEFT JOIN ev_first f USING (event_id)
                          WHERE g.fault_type <> 'missing_milestone'
                          AND (f.event_id IS NULL OR f.case_id <> g.case_id OR f.status <> g.status)""") == 0
    return {**counts, "tz_shift_7h": shifts[7 * HOUR], "tz_shift_8h": shifts[8 * HOUR]}


# ---------------------------------------------------------------- determinism and replacement


def test_same_arguments_identical_bytes_whatever_tz_and_hash_seed(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, *SMALL_ARGS, env={"TZ": "UTC", "PYTHONHASHSEED": "0"})
    generate(b, *SMALL_ARGS, env={"TZ": "Asia/Kolkata", "PYTHONHASHSEED": "12345"})
    sa, sb = snapshot(a), snapshot(b)
    assert sorted(sa) == sorted(sb)
    assert not diff(sa, sb)
    # and the comparison covered a real generation
    assert sum(k.startswith("raw/cases/intake_date=") for k in sa) > 100
    assert sum(k.startswith("raw/events_log/ingestion_date=") for k in sa) > 100
    assert sum(k.startswith("raw_ground_truth/faults/batch_date=") for k in sa) > 50
    assert {"raw/staffing_schedule/staffing_schedule.parquet", "raw/calendar_dim/calendar_dim.parquet",
            "raw_ground_truth/manifest.json"} <= set(sa)
    assert {k.split("/")[0] for k in sa} == {"raw", "raw_ground_truth"}


@pytest.mark.parametrize("world", ["default", "global"])
def test_files_do_not_depend_on_how_many_cases_are_simulated_at_a_time(tmp_path: Path, world: str) -> None:
    """The generator streams (issue 31): it simulates a chunk of days at a time and merges the
    chunks' partitions. One chunk and ~40 chunks of at most 150 cases write the same bytes, for a
    full generation and for days appended to it."""
    args = [*SMALL_ARGS, "--world", world]
    whole, chunked = tmp_path / "whole", tmp_path / "chunked"
    generate(whole, *args, "--chunk-cases", "1000000")
    generate(chunked, *args, "--chunk-cases", "150")
    assert not diff(snapshot(whole), snapshot(chunked))
    generate(whole, "--mode", "incremental", "--days", "3", "--chunk-cases", "1000000")
    generate(chunked, "--mode", "incremental", "--days", "3", "--chunk-cases", "150")
    after = snapshot(chunked)
    assert not diff(snapshot(whole), after)
    # the comparison covered appended days, partitions fed by several chunks, and no spool is left
    assert "raw/cases/intake_date=2026-01-03/part-0.parquet" in after
    assert not [k for k in after if ".spool" in k or k.endswith(".arrow")]
    plan = build(Config(cases=6000, start=dt.date(2025, 9, 15), end=dt.date(2025, 12, 31), world=world))
    chunks = plan.chunks(150)
    longest = max(hi - lo for lo, hi in chunks)
    assert len(chunks) > 30 and longest <= 7
    con = connect(chunked)
    spread = scalar(con, f"""SELECT count(*) FROM (SELECT e.ingestion_date FROM ev e JOIN cases c USING (case_id)
                             GROUP BY 1 HAVING max(c.intake_date) - min(c.intake_date) >= {longest})""")
    con.close()
    # events partitions holding cases taken in further apart than one chunk's days: fed by several chunks
    assert spread > 30


def test_chunks_cover_every_day_once_within_the_case_budget() -> None:
    cfg = Config(cases=6000, start=dt.date(2025, 9, 15), end=dt.date(2025, 12, 31))
    gen = build(cfg)
    counts = gen.plan.counts
    for budget in (1, 150, 999, 10**6):
        chunks = gen.chunks(budget)
        assert chunks[0][0] == 0 and chunks[-1][1] == len(counts)
        assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(chunks, chunks[1:], strict=False))
        for lo, hi in chunks:
            # within the budget, unless one day alone is over it
            assert counts[lo:hi].sum() <= budget or hi - lo == 1 or counts[lo:hi - 1].sum() == 0
            assert counts[lo:hi].sum() > 0
    assert len(gen.chunks(150)) > 30 and len(gen.chunks(10**6)) == 1


def test_rerun_into_same_folder_replaces_everything(tmp_path: Path) -> None:
    first = ["--cases", "3000", "--start", "2025-08-01", "--end", "2025-12-31", "--seed", "1"]
    second = ["--cases", "1500", "--start", "2025-10-01", "--end", "2025-11-15", "--seed", "2"]
    target, fresh = tmp_path / "target", tmp_path / "fresh"
    generate(target, *first)
    before = snapshot(target)
    generate(target, *second)
    generate(fresh, *second)
    after = snapshot(target)
    # exactly what a run into an empty folder gives: no stale partition, no leftover temp folder
    assert not diff(after, snapshot(fresh))
    stale = {k for k in before if k.startswith("raw/cases/intake_date=2025-08")}
    assert stale and not stale & set(after)
    assert sorted(p.name for p in target.iterdir()) == ["raw", "raw_ground_truth"]
    assert manifest(target)["config"]["end"] == "2025-11-15"


# ---------------------------------------------------------------- it never touches what it did not write

MARKER = ".ops_sla_generator.json"


def stat_snapshot(root: Path) -> dict[str, tuple]:
    """Every file and folder under ``root`` (``root`` itself too): content hash and mtime."""
    out = {".": ("<dir>", root.stat().st_mtime_ns)}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        content = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
        out[rel] = (content, p.stat().st_mtime_ns)
    return out


def own_export(folder: Path) -> Path:
    """A team's export, hand-made (not by the generator): one cases file."""
    part = folder / "cases" / "intake_date=2025-10-01"
    part.mkdir(parents=True)
    table = pa.table({"case_id": ["C-1"], "intake_ts": pa.array([dt.datetime(2025, 10, 1, 16, tzinfo=dt.UTC)]),
                      "case_type": ["ACCESS_REVIEW"], "tier": ["TIER_1"], "team_tz": [TEAM_TZ]})
    pq.write_table(table, part / "export.parquet")
    return folder


def _generated_truth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("gen_truth")
    generate(base, "--cases", "50", "--start", "2025-10-01", "--end", "2025-10-03")
    return base / "raw_ground_truth"


FOREIGN = {
    # the team's export where the raw folder goes
    "full_raw": (["--cases", "50", "--start", "2025-10-01", "--end", "2025-10-03"], "raw"),
    # appending a day to it, beside a ground truth the generator did write (a demo's)
    "incremental_raw": (["--mode", "incremental", "--days", "1"], "raw"),
    # the team's folder where the ground truth goes (the raw folder is empty)
    "full_truth": (["--cases", "50", "--start", "2025-10-01", "--end", "2025-10-03"], "raw_ground_truth"),
    # a folder of the team's where the generator puts its temporary copy
    "full_work_folder": (["--cases", "50", "--start", "2025-10-01", "--end", "2025-10-03"], ".raw.tmp"),
}


@pytest.mark.parametrize(("args", "foreign"), FOREIGN.values(), ids=FOREIGN.keys())
def test_refuses_a_folder_it_did_not_create(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                            args: list[str], foreign: str) -> None:
    base = tmp_path / "base"
    own_export(base / foreign)
    if "--mode" in args:
        shutil.copytree(_generated_truth(tmp_path_factory), base / "raw_ground_truth")
    else:
        (base / "raw").mkdir(exist_ok=True)
    before = stat_snapshot(base)
    proc = generate(base, *args, check=False)
    assert_one_line_error(proc)
    # which folder, why, what to do
    assert f"{base / foreign}" in proc.stderr, proc.stderr
    assert "not created by this generator" in proc.stderr and "nothing was changed" in proc.stderr, proc.stderr
    what_to_do = (["Remove or rename that folder yourself"] if foreign.startswith(".")
                  else ["Choose another --", "remove that folder yourself"])
    assert all(words in proc.stderr for words in what_to_do), proc.stderr
    # nothing written, moved or removed: same files, same bytes, same modification times
    assert stat_snapshot(base) == before


def test_generates_into_an_empty_folder_and_marks_what_it_wrote(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    generate(tmp_path, "--cases", "50", "--start", "2025-10-01", "--end", "2025-10-03")
    for folder in ("raw", "raw_ground_truth"):
        mark = json.loads((tmp_path / folder / MARKER).read_text())
        assert mark["created_by_generation"]["cases"] == 50 and mark["created_by_generation"]["end"] == "2025-10-03"
    # a full generation again, then a day appended: its own folders, accepted
    generate(tmp_path, "--cases", "60", "--start", "2025-10-01", "--end", "2025-10-02")
    generate(tmp_path, "--mode", "incremental", "--days", "1")
    assert manifest(tmp_path)["config"]["end"] == "2025-10-03"
    assert (tmp_path / "raw" / "cases" / "intake_date=2025-10-03").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw", "raw_ground_truth"]


# ---------------------------------------------------------------- full scale: volumes, mix, faults


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One default-scale generation (300,000 cases, 2025-07-01..12-31)."""
    base = tmp_path_factory.mktemp("full")
    generate(base)
    return base


@pytest.fixture(scope="module")
def full_con(full: Path) -> duckdb.DuckDBPyConnection:
    con = connect(full)
    yield con
    con.close()


def test_full_scale_volumes(full: Path, full_con: duckdb.DuckDBPyConnection) -> None:
    con = full_con
    assert scalar(con, "SELECT count(*) FROM cases") == 300_000
    assert scalar(con, "SELECT count(DISTINCT case_id) FROM cases") == 300_000
    n_events = scalar(con, "SELECT count(*) FROM ev")
    assert 1_710_000 <= n_events <= 2_090_000, n_events
    assert manifest(full)["rows"] == {"cases": 300_000, "events_log": n_events}
    assert scalar(con, "SELECT min(intake_date) FROM cases") == dt.date(2025, 7, 1)
    assert scalar(con, "SELECT max(intake_date) FROM cases") == dt.date(2025, 12, 31)
    # partitions are the team's local dates
    for view, ts, day in (("cases", "intake_ts", "intake_date"), ("ev", "ingestion_ts", "ingestion_date")):
        assert scalar(con, f"SELECT count(*) FROM {view} WHERE timezone('{TEAM_TZ}', {ts})::DATE <> {day}") == 0

    con.execute("""CREATE OR REPLACE TEMP TABLE daily AS
                   SELECT c.intake_date AS day, count(*) AS n, any_value(cal.is_business_day) AS business,
                          any_value(cal.is_weekend) AS weekend
                   FROM cases c JOIN cal ON cal.calendar_date = c.intake_date GROUP BY 1""")
    assert scalar(con, "SELECT count(*) FROM daily") == 184
    weekday = scalar(con, "SELECT avg(n) FROM daily WHERE business")
    weekend = scalar(con, "SELECT avg(n) FROM daily WHERE weekend")
    assert 0.05 <= weekend / weekday <= 0.2, (weekend, weekday)

    # end-of-quarter ramp: business days of a quarter's last two weeks vs its middle month
    for quarter_end, middle_month in ((dt.date(2025, 9, 30), 8), (dt.date(2025, 12, 31), 11)):
        ramp = scalar(con, f"""SELECT avg(n) FROM daily WHERE business
                               AND day BETWEEN DATE '{quarter_end}' - 13 AND DATE '{quarter_end}'""")
        mid = scalar(con, f"SELECT avg(n) FROM daily WHERE business AND month(day) = {middle_month}")
        assert ramp >= 1.08 * mid, (quarter_end, ramp, mid)


def test_full_scale_contract_and_mix(full: Path, full_con: duckdb.DuckDBPyConnection) -> None:
    con = full_con
    raw = full / "raw"
    case_file = next((raw / "cases").glob("*/part-0.parquet"))
    event_file = next((raw / "events_log").glob("*/part-0.parquet"))
    assert pq.read_schema(case_file).names == CASE_COLUMNS
    assert pq.read_schema(event_file).names == EVENT_COLUMNS
    for f, col in ((case_file, "intake_ts"), (event_file, "event_ts"), (event_file, "ingestion_ts")):
        assert str(pq.read_schema(f).field(col).type) == "timestamp[us, tz=UTC]"

    work = Params().work
    n = scalar(con, "SELECT count(*) FROM cases")
    tiers = dict(con.execute("SELECT tier, count(*) FROM cases GROUP BY 1").fetchall())
    assert set(tiers) == {"TIER_1", "TIER_2", "TIER_3"}
    for name, share in zip(("TIER_1", "TIER_2", "TIER_3"), work.tier_mix, strict=True):
        assert abs(tiers[name] / n - share) <= 0.015, (name, tiers[name] / n, share)
    types = dict(con.execute("SELECT case_type, count(*) FROM cases GROUP BY 1").fetchall())
    assert set(types) == {"VENDOR_ASSESSMENT", "ACCESS_REVIEW", "POLICY_EXCEPTION"}
    for name, share in zip(("VENDOR_ASSESSMENT", "ACCESS_REVIEW", "POLICY_EXCEPTION"), work.case_type_mix,
                           strict=True):
        assert abs(types[name] / n - share) <= 0.015, (name, types[name] / n, share)
    assert ids(con, "SELECT DISTINCT team_tz FROM cases") == {TEAM_TZ}

    assert ids(con, "SELECT DISTINCT status FROM ev") == CONTRACT_STATUSES
    # every event belongs to an exported case
    assert scalar(con, "SELECT count(*) FROM ev WHERE case_id NOT IN (SELECT case_id FROM cases)") == 0
    assert scalar(con, "SELECT count(*) FROM ev WHERE event_id IS NULL OR case_id IS NULL OR ingestion_ts IS NULL") == 0
    # every case has its INTAKE event, unless that event is still on its way (a late arrival
    # within the last late-lag window before the cutoff)
    m = manifest(full)
    cutoff = dt.datetime.fromisoformat(m["cutoff_utc"]).timestamp()
    pending_from = cutoff - m["messiness_rates"]["late_lag_hours"][1] * HOUR
    no_intake = con.execute("""SELECT count(*), min(epoch(intake_ts)) FROM cases WHERE case_id NOT IN
                               (SELECT case_id FROM ev WHERE status = 'INTAKE')""").fetchone()
    assert no_intake[0] < 0.001 * n and (no_intake[0] == 0 or no_intake[1] >= pending_from), no_intake


def test_full_scale_ground_truth_matches_raw(full: Path, full_con: duckdb.DuckDBPyConnection) -> None:
    counts = assert_truth_matches_raw(full, full_con)
    # July-October is daylight time (-7 h), November-December standard time (-8 h)
    assert counts["tz_shift_7h"] > 0 and counts["tz_shift_8h"] > 0


def test_full_scale_fault_rates(full: Path, full_con: duckdb.DuckDBPyConnection) -> None:
    con = full_con
    m = manifest(full)
    rates = m["messiness_rates"]
    n_events = scalar(con, "SELECT count(*) FROM ev_first")
    k = dict(con.execute("SELECT fault_type, count(*) FROM gt GROUP BY 1").fetchall())

    assert_binomial(k["null_event_ts"], n_events, rates["null_event_ts"], "null_event_ts")
    assert_binomial(k["duplicate"], n_events, rates["duplicate"], "duplicate")
    # the time-zone fault is drawn among events that are not late (a late event keeps its time)
    assert_binomial(k["tz_mislabelled"], n_events - k["late_arrival"], rates["tz_mislabelled"], "tz_mislabelled")
    # late arrivals: only events old enough that lateness cannot have pushed them past the cutoff
    cutoff = dt.datetime.fromisoformat(m["cutoff_utc"]).timestamp()
    settled = cutoff - rates["late_lag_hours"][1] * HOUR
    n_settled = scalar(con, f"SELECT count(*) FROM ev_first WHERE epoch(true_ts) < {settled}")
    k_late = scalar(con, f"""SELECT count(*) FROM gt
                             WHERE fault_type = 'late_arrival' AND epoch(true_event_ts) < {settled}""")
    assert n_settled > 0.9 * n_events
    assert_binomial(k_late, n_settled, rates["late_arrival"], "late_arrival")
    # missing milestones: per case that reached the milestone (exported or missing)
    for status, rate in (("TRIAGE", "missing_triage"), ("REVIEW_QA", "missing_review_qa")):
        reached = scalar(con, f"""SELECT count(*) FROM (
            SELECT case_id FROM ev WHERE status = '{status}'
            UNION SELECT case_id FROM gt WHERE fault_type = 'missing_milestone' AND status = '{status}')""")
        missing = scalar(con, f"SELECT count(*) FROM gt WHERE fault_type = 'missing_milestone' AND status = '{status}'")
        assert_binomial(missing, reached, rates[rate], f"missing {status}")
    assert k["missing_milestone"] == scalar(con, """SELECT count(*) FROM gt WHERE fault_type = 'missing_milestone'
                                                    AND status IN ('TRIAGE', 'REVIEW_QA')""")


# ---------------------------------------------------------------- CLI


ALL_OPTIONS = ("--cases", "--start", "--end", "--seed", "--out", "--truth-out", "--holiday-country",
               "--holiday-subdiv", "--team-tz", "--mode", "--days", "--chunk-cases", "--no-progress", "--help")

BAD_ARGS = {
    "end_before_start": ["--start", "2025-10-02", "--end", "2025-10-01"],
    "zero_cases": ["--cases", "0"],
    "negative_cases": ["--cases", "-5"],
    "zero_chunk_cases": ["--chunk-cases", "0"],
    "unknown_holiday_country": ["--holiday-country", "XX"],
    "unknown_holiday_subdiv": ["--holiday-subdiv", "ZZ"],
    "unknown_team_tz": ["--team-tz", "Mars/Olympus_Mons"],
    "malformed_date": ["--start", "2025-13-01"],
    "non_integer_cases": ["--cases", "many"],
    "unknown_mode": ["--mode", "sideways"],
    "incremental_without_generation": ["--mode", "incremental", "--days", "1"],
}


def assert_one_line_error(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(PROG_ERROR) and len(lines[0]) > len(PROG_ERROR) + 5, lines[0]
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("cases", [1, 100])
def test_tiny_data_sets_generate(tmp_path: Path, cases: int) -> None:
    """So few cases a day that the staffing plan rounds to no agent: still one per business
    day (it once divided by a zero capacity and crashed)."""
    proc = run_generator(tmp_path / "raw", "--cases", str(cases), "--start", "2025-10-01", "--end", "2025-12-31",
                         check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with duckdb.connect() as con:
        n = con.execute(f"select count(*) from read_parquet('{tmp_path}/raw/cases/*/*.parquet')").fetchone()[0]
    assert n == cases


def test_help_lists_every_option(tmp_path: Path) -> None:
    proc = run_generator(tmp_path / "raw", "--help")
    assert proc.returncode == 0
    for option in ALL_OPTIONS:
        assert option in proc.stdout, option
    # each default said once, in words (argparse's own "(default: None)" came after them)
    text = " ".join(proc.stdout.split())
    assert "(default: None)" not in text and "(default: False)" not in text, text
    assert "(default: $OPS_SLA_RAW_DIR or data/raw)" in text and "(default: 300000)" in text
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("args", BAD_ARGS.values(), ids=BAD_ARGS.keys())
def test_bad_arguments_one_line_error_nothing_written(tmp_path: Path, args: list[str]) -> None:
    small = ["--cases", "200", "--start", "2025-10-01", "--end", "2025-10-05"]
    proc = generate(tmp_path, *small, *args, check=False)
    assert_one_line_error(proc)
    assert not any(tmp_path.iterdir()), sorted(p.name for p in tmp_path.iterdir())


@pytest.mark.parametrize("where", ["under_a_file", "under_proc", "truth_under_a_file"])
def test_unwritable_folder_one_line_error_nothing_written(tmp_path: Path, where: str) -> None:
    # a path below a regular file cannot be created, not even by root (chmod would not stop root)
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder\n")
    small = ["--cases", "200", "--start", "2025-10-01", "--end", "2025-10-05"]
    if where == "under_a_file":
        out, truth = blocker / "raw", blocker / "raw_ground_truth"
    elif where == "under_proc":
        out = Path("/proc/ops-sla-forbidden/raw")
        truth = out.parent / "raw_ground_truth"
    else:
        out, truth = tmp_path / "raw", blocker / "raw_ground_truth"
    proc = run_generator(out, "--truth-out", str(truth), *small, check=False)
    assert_one_line_error(proc)
    assert "cannot write" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]
    assert not out.exists() and not truth.exists()


@pytest.fixture(scope="module")
def existing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("existing")
    generate(base, "--cases", "400", "--start", "2025-12-01", "--end", "2025-12-10")
    return base


@pytest.mark.parametrize("name", ["end_before_start", "unknown_holiday_country", "incremental_zero_days"])
def test_bad_arguments_leave_existing_generation_unchanged(existing: Path, name: str) -> None:
    args = BAD_ARGS.get(name, ["--mode", "incremental", "--days", "0"])
    before = snapshot(existing)
    assert before
    assert_one_line_error(generate(existing, *args, check=False))
    assert not diff(before, snapshot(existing))


# an option of the other mode, given explicitly, is refused naming it (it used to be ignored:
# --mode incremental --seed 7 appended a day of the earlier generation's seed)
OTHER_MODE_ARGS = {
    "incremental_seed": (["--mode", "incremental", "--seed", "7"], ["--seed"]),
    "incremental_end_and_team_tz": (["--mode", "incremental", "--days", "1", "--end", "2026-01-31",
                                     "--team-tz", "Europe/Paris"], ["--end", "--team-tz"]),
    "incremental_default_cases": (["--mode", "incremental", "--cases", "300000"], ["--cases"]),
    "incremental_holidays": (["--mode", "incremental", "--holiday-country", "US", "--holiday-subdiv", "CA"],
                             ["--holiday-country", "--holiday-subdiv"]),
    "full_days": (["--cases", "400", "--start", "2025-12-01", "--end", "2025-12-10", "--days", "2"], ["--days"]),
}


@pytest.mark.parametrize(("args", "named"), OTHER_MODE_ARGS.values(), ids=OTHER_MODE_ARGS.keys())
def test_option_of_the_other_mode_is_refused_naming_it(existing: Path, args: list[str], named: list[str]) -> None:
    before = snapshot(existing)
    proc = generate(existing, *args, check=False)
    assert_one_line_error(proc)
    assert ", ".join(named) + (" is for" if len(named) == 1 else " are for") in proc.stderr, proc.stderr
    assert not diff(before, snapshot(existing))


# ---------------------------------------------------------------- incremental


def test_incremental_appends_next_day_with_late_events(tmp_path: Path) -> None:
    # seed 1 at this size has a missing milestone that happens before the 12-30 cutoff and would
    # have been exported after it: its ground-truth row must land in the appended batch
    generate(tmp_path / "base", "--cases", "20000", "--start", "2025-12-01", "--end", "2025-12-29", "--seed", "1")
    daily, at_once = tmp_path / "daily", tmp_path / "at_once"
    shutil.copytree(tmp_path / "base", daily)
    shutil.copytree(tmp_path / "base", at_once)
    generate(daily, "--mode", "incremental", "--days", "1")
    before, m0 = snapshot(daily), manifest(daily)
    assert m0["config"]["end"] == "2025-12-30"
    proc = generate(daily, "--mode", "incremental", "--days", "1")
    assert proc.stderr == ""
    after, m1 = snapshot(daily), manifest(daily)

    # earlier files untouched; only the new day's partitions are added
    replaced = {"raw/staffing_schedule/staffing_schedule.parquet", "raw_ground_truth/manifest.json"}
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed <= replaced, changed
    new_day = "2025-12-31"
    added = set(after) - set(before)
    expected = {f"raw/cases/intake_date={new_day}", f"raw/events_log/ingestion_date={new_day}",
                f"raw_ground_truth/faults/batch_date={new_day}"}
    assert added == expected | {f"{p}/part-0.parquet" for p in expected}
    assert sorted(p.name for p in daily.iterdir()) == ["raw", "raw_ground_truth"]

    assert m1["config"] == {**m0["config"], "end": new_day}
    assert m1["day_counts"][:-1] == m0["day_counts"] and len(m1["day_counts"]) == len(m0["day_counts"]) + 1
    assert m1["rows"]["cases"] == m0["rows"]["cases"] + m1["day_counts"][-1]
    assert m1["rows"]["events_log"] > m0["rows"]["events_log"]

    # the new events partition holds late-arriving events of cases that came in on earlier days
    con = connect(daily)
    late_earlier = scalar(con, f"""
        SELECT count(*) FROM gt g JOIN cases c USING (case_id)
        JOIN ev e ON e.event_id = g.event_id AND e.ingestion_ts = g.ingestion_ts
        WHERE g.fault_type = 'late_arrival' AND g.batch_date = DATE '{new_day}'
        AND c.intake_date < DATE '{new_day}' AND e.ingestion_date = DATE '{new_day}'""")
    assert late_earlier > 0
    # and ordinary events of earlier cases too (work continues on open cases)
    assert scalar(con, f"""SELECT count(*) FROM ev e JOIN cases c USING (case_id)
                           WHERE e.ingestion_date = DATE '{new_day}' AND c.intake_date < DATE '{new_day}'""") > 0
    # the appended generation is still labelled exactly (no event emitted twice, no fault row lost)
    assert_truth_matches_raw(daily, con)
    con.close()

    # appending one day at a time gives exactly what appending both days at once gives
    generate(at_once, "--mode", "incremental", "--days", "2")
    assert not diff(snapshot(daily), snapshot(at_once))
