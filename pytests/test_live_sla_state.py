"""Live SLA state (issue 30): int_case_sla_clocks and the marts sla_clock_status,
sla_at_risk_queue and sla_warning_lead_time.

Two small builds, each `dbt run` of only the models the marts need:
- a hand-written export (pytests/fixtures/live_sla) built with the as-of instant at five
  instants; the statuses and instants were worked out by hand (test_hand_worked_case);
- 1,500 generated cases of the default world, for the properties every clock row must hold,
  the projected breach checked against the single-schedule oracle (reference/business_time.py).
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from conftest import dbt_env, run_dbt, run_generator
from reference import business_time as BT
from reference import sla as R
from team_export import FIXTURES, read_rows, write_calendar, write_partitions, write_staffing

LA = ZoneInfo("America/Los_Angeles")
MARTS = ["+sla_clock_status", "+sla_at_risk_queue", "+sla_warning_lead_time"]
TOL = 1e-6


def _la(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """An instant of October 2025 on the Los Angeles wall clock (PDT, UTC-7)."""
    return dt.datetime(2025, 10, day, hour, minute, tzinfo=LA)


def _build(raw: Path, db: Path, target: Path, as_of: dt.datetime | None, seeded: Path | None = None) -> None:
    """`dbt seed` and `dbt run` of the models the marts need, as of `as_of`; the seeds copied
    from the warehouse `seeded` instead, when given (they do not depend on the as-of instant)."""
    env = dbt_env(raw, db, target, OPS_SLA_THREADS="1")
    if seeded is None:
        run_dbt(["seed", "--full-refresh"], env)
    else:
        db.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(seeded, db)
    args = ["run", "--full-refresh", "--select", *MARTS]
    if as_of is not None:
        args += ["--vars", f'{{as_of: "{as_of.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}+00"}}']
    run_dbt(args, env)


def _rows(db: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(sql)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _naive_la(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(LA).replace(tzinfo=None)


# ----------------------------------------------------------------------------- hand-worked case

# the as-of instants of the hand-worked builds (all after the export's last ingestion, Tue 10:00:30)
AS_OF = {
    "tue_1030": _la(7, 10, 30),
    "wed_0900": _la(8, 9),
    "wed_1300": _la(8, 13),
    "wed_1301": _la(8, 13, 1),
    "thu_1200": _la(9, 12),
}


@pytest.fixture(scope="module")
def hand_worked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The hand-written export built once per as-of instant: {as-of name: warehouse file}."""
    base = tmp_path_factory.mktemp("live_sla")
    raw = base / "raw"
    export = FIXTURES / "live_sla"
    write_partitions(raw, "cases", "intake_date", read_rows(export / "cases.csv"), ["2025-10-06"])
    write_partitions(raw, "events_log", "ingestion_date", read_rows(export / "events.csv"),
                     ["2025-10-06", "2025-10-07"])
    first, last = dt.date(2025, 9, 1), dt.date(2025, 12, 31)
    write_calendar(raw, first, last, {}, {1, 2, 3, 4, 5}, "US", None)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    write_staffing(raw, [d for d in days if d.isoweekday() <= 5], "DAY", 4, 0.25)
    # (each warehouse in a folder of its own, all named ops_sla.duckdb: one profile, one parse)
    seeded = base / "seeded" / "ops_sla.duckdb"
    run_dbt(["seed", "--full-refresh"], dbt_env(raw, seeded, base / "target-seed", OPS_SLA_THREADS="1"))
    dbs = {}
    for name, as_of in AS_OF.items():
        dbs[name] = base / name / "ops_sla.duckdb"
        _build(raw, dbs[name], base / f"target-{name}", as_of, seeded)
    return dbs


def _clocks(db: Path) -> dict[tuple[str, str], dict]:
    return {(r["case_id"], r["sla_clock"]): r for r in _rows(db, "select * from marts.sla_clock_status")}


def test_hand_worked_case(hand_worked: dict[str, Path]) -> None:
    """The default schedule (Los Angeles, 08:00-18:00 Monday to Friday, no holiday in October
    2025); targets SLA B 120, SLA A 1440 business minutes. Every case arrives Monday 6 October
    09:00 PDT.

    H-1: TRIAGE 10:00, CUSTOMER_WAIT Mon 12:00, CUSTOMER_RESPONDED Tue 10:00, still open.
      SLA B: 60 minutes, met; its 50 % (60 min) is reached exactly at the touch, 10:00.
      SLA A including wait: Mon gives 540 minutes, Tue 600 (1140), 300 more is Wed 13:00: the
        breach instant. 50 % (720) = Mon 540 + Tue 180 = Tue 11:00; 75 % (1080) = Tue 17:00.
      SLA A paused: the wait is Mon 12:00-18:00 (360) + Tue 08:00-10:00 (120) = 480 minutes and
        starts at paused minute 180 (Mon 09:00-12:00). The paused clock reaches X at case
        minute X + 480 for X >= 180: 50 % at case minute 1200 = Wed 09:00, 75 % at 1560 =
        Wed 15:00, 100 % at 1920 = Mon 540 + Tue 600 + Wed 600 + 180 = Thu 11:00.
      As of Tue 10:30 (case minute 690): including 690 elapsed, 750 remaining, running, breach
        Wed 13:00 projected; paused 690 - 480 = 210 elapsed, 1230 remaining, running, breach
        Thu 11:00 projected. As of Wed 13:00 the including clock shows exactly 1440: still
        running, 0 remaining (breached means elapsed > target); at 13:01 it is
        running_past_target, 1441 elapsed, -1 remaining, breach Wed 13:00 actual. As of Thu
        12:00 (case minute 1980) the paused clock shows 1500: running_past_target, breach
        Thu 11:00 actual.
    H-2: TRIAGE 09:30, CUSTOMER_WAIT Mon 11:00, no response: the paused clock stopped at 120
      and stays paused (remaining 1320) at every as-of; no breach instant, no 50 % instant
      (the open wait starts before 720); its including clock runs as H-1's.
    H-3: TRIAGE 09:10, RESOLVED Mon 15:00: every clock met (10, 360, 360), no breach instant,
      no 50 % instant (never reached).
    H-4: TRIAGE Mon 12:00: SLA B breached (180 minutes), breach Mon 11:00, 50 % 10:00, 75 %
      10:30: a warning lead of 30 business minutes. No wait: both SLA A clocks are H-1's
      including clock.
    H-5: CANCELLED Mon 09:30, untouched: SLA B cancelled (30 minutes, within target), SLA A
      cancelled, nothing projected.
    The queue as of Tue 10:30 has H-1, H-2, H-4 (open), each next breaching Wed 13:00 on its
    including clock: band later (not before Tuesday's midnight); as of Wed 09:00 today (240
    minutes); as of Wed 13:00 within_2_business_hours (0); as of Wed 13:01 already_breached.
    """
    tue, wed1300, wed1301, thu = (_clocks(hand_worked[n]) for n in ("tue_1030", "wed_1300", "wed_1301", "thu_1200"))
    local = "ts_intake_team_local"

    def check(row: dict, status: str, elapsed: float | None, remaining: float | None,
              breach: dt.datetime | None, projected: bool | None = None) -> None:
        assert row["clock_status"] == status, row
        assert (row["elapsed_business_minutes"] is None) == (elapsed is None), row
        if elapsed is not None:
            assert row["elapsed_business_minutes"] == pytest.approx(elapsed, abs=TOL), row
        assert (row["remaining_business_minutes"] is None) == (remaining is None), row
        if remaining is not None:
            assert row["remaining_business_minutes"] == pytest.approx(remaining, abs=TOL), row
        assert row[f"breach_{local}"] == (_naive_la(breach) if breach else None), row
        if projected is not None:
            assert row["is_breach_projected"] is projected, row

    # H-1
    check(tue["H-1", "sla_b"], "met", 60, None, None, False)
    assert tue["H-1", "sla_b"][f"target_50_pct_{local}"] == _naive_la(_la(6, 10))
    assert tue["H-1", "sla_b"][f"target_75_pct_{local}"] is None
    check(tue["H-1", "sla_a_including_wait"], "running", 690, 750, _la(8, 13), True)
    assert tue["H-1", "sla_a_including_wait"][f"target_50_pct_{local}"] == _naive_la(_la(7, 11))
    assert tue["H-1", "sla_a_including_wait"][f"target_75_pct_{local}"] == _naive_la(_la(7, 17))
    check(tue["H-1", "sla_a_paused_wait"], "running", 210, 1230, _la(9, 11), True)
    assert tue["H-1", "sla_a_paused_wait"][f"target_50_pct_{local}"] == _naive_la(_la(8, 9))
    assert tue["H-1", "sla_a_paused_wait"][f"target_75_pct_{local}"] == _naive_la(_la(8, 15))
    check(wed1300["H-1", "sla_a_including_wait"], "running", 1440, 0, _la(8, 13))
    check(wed1301["H-1", "sla_a_including_wait"], "running_past_target", 1441, -1, _la(8, 13), False)
    assert wed1301["H-1", "sla_a_including_wait"]["is_breached"] is True
    check(thu["H-1", "sla_a_paused_wait"], "running_past_target", 1500, -60, _la(9, 11), False)
    # H-2: the paused clock's remaining time stays fixed while the wait lasts
    for clocks in (tue, wed1300, wed1301, thu):
        check(clocks["H-2", "sla_a_paused_wait"], "paused", 120, 1320, None, False)
        assert clocks["H-2", "sla_a_paused_wait"][f"target_50_pct_{local}"] is None
    check(tue["H-2", "sla_a_including_wait"], "running", 690, 750, _la(8, 13), True)
    # H-3
    for clock, minutes in (("sla_b", 10), ("sla_a_including_wait", 360), ("sla_a_paused_wait", 360)):
        check(thu["H-3", clock], "met", minutes, None, None, False)
        assert thu["H-3", clock][f"target_50_pct_{local}"] is None
    # H-4
    check(tue["H-4", "sla_b"], "breached", 180, -60, _la(6, 11), False)
    assert tue["H-4", "sla_b"][f"target_50_pct_{local}"] == _naive_la(_la(6, 10))
    assert tue["H-4", "sla_b"][f"target_75_pct_{local}"] == _naive_la(_la(6, 10, 30))
    assert tue["H-4", "sla_b"]["warning_lead_business_minutes"] == pytest.approx(30)
    check(tue["H-4", "sla_a_paused_wait"], "running", 690, 750, _la(8, 13), True)
    # H-5
    check(tue["H-5", "sla_b"], "cancelled", 30, None, None, False)
    check(tue["H-5", "sla_a_including_wait"], "cancelled", None, None, None, False)
    check(tue["H-5", "sla_a_paused_wait"], "cancelled", None, None, None, False)


def test_hand_worked_queue(hand_worked: dict[str, Path]) -> None:
    """The at-risk queue of the hand-worked export (see test_hand_worked_case's docstring)."""
    expected = {"tue_1030": ("later", 750), "wed_0900": ("today", 240),
                "wed_1300": ("within_2_business_hours", 0), "wed_1301": ("already_breached", -1)}
    for name, (band, minutes) in expected.items():
        queue = _rows(hand_worked[name], "select * from marts.sla_at_risk_queue order by queue_position")
        assert [r["case_id"] for r in queue] == ["H-1", "H-2", "H-4"], name
        for row in queue:
            assert row["risk_band"] == band, (name, row)
            assert row["next_breach_sla_clock"] == "sla_a_including_wait", (name, row)
            assert row["business_minutes_to_breach"] == pytest.approx(minutes, abs=TOL), (name, row)
            assert row["breach_ts_owner_local"] == _naive_la(_la(8, 13)), (name, row)
    lead = _rows(hand_worked["thu_1200"], "select * from marts.sla_warning_lead_time where sla_clock = 'sla_b'")
    assert [(r["breached_clocks"], r["avg_warning_lead_business_minutes"]) for r in lead] == [(1, 30.0)]


def test_as_of_forward_never_decreases_elapsed(hand_worked: dict[str, Path]) -> None:
    """In as-of order, every clock's elapsed time is non-decreasing, and a clock's status is a
    breach exactly when as-of is after its breach instant (the flip at Wed 13:00 sits between
    the builds at 13:00 and 13:01)."""
    builds = [_clocks(hand_worked[name]) for name in AS_OF]
    for key in builds[0]:
        elapsed = [b[key]["elapsed_business_minutes"] for b in builds]
        if elapsed[0] is None:
            assert all(e is None for e in elapsed), key
            continue
        assert all(a <= b + TOL for a, b in zip(elapsed, elapsed[1:], strict=False)), (key, elapsed)
        for (name, as_of), b in zip(AS_OF.items(), builds, strict=True):
            row = b[key]
            if row["clock_status"] in ("running", "running_past_target"):
                breach = row["breach_ts_utc"].replace(tzinfo=dt.UTC)
                assert (row["clock_status"] == "running_past_target") == (as_of > breach), (name, key, row)


# ----------------------------------------------------------------------------- generated cases


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(raw folder, warehouse) of 1,500 generated cases of the default world."""
    base = tmp_path_factory.mktemp("live_generated")
    raw = base / "raw"
    run_generator(raw, "--cases", "1500", "--start", "2025-10-01", "--end", "2025-11-14")
    db = base / "ops_sla.duckdb"
    _build(raw, db, base / "target", None)
    return raw, db


def test_clock_properties(generated: tuple[Path, Path]) -> None:
    """elapsed + remaining = target; a met (or cancelled) clock has no breach instant and no
    remaining time; a paused clock has no projected breach; percent = elapsed / target; a
    breached clock's breach instant is case_sla's (same rule); three rows per case."""
    _, db = generated
    rows = _rows(db, "select * from marts.sla_clock_status")
    cases = _rows(db, "select case_id, sla_b_breach_at at time zone 'UTC' as sla_b_breach_ts_utc,"
                      " sla_a_breach_at at time zone 'UTC' as sla_a_breach_ts_utc from intermediate.int_case_sla")
    assert len(rows) == 3 * len(cases)
    statuses = {r["clock_status"] for r in rows}
    assert {"met", "breached", "running", "paused"} <= statuses, statuses
    case_breach = {c["case_id"]: c for c in cases}
    for r in rows:
        if r["remaining_business_minutes"] is not None:
            assert r["elapsed_business_minutes"] + r["remaining_business_minutes"] == pytest.approx(
                r["target_business_minutes"], abs=TOL), r
            assert r["percent_of_target_elapsed"] == pytest.approx(
                100 * r["elapsed_business_minutes"] / r["target_business_minutes"], abs=TOL), r
        if r["clock_status"] in ("met", "cancelled"):
            assert r["breach_ts_utc"] is None and r["remaining_business_minutes"] is None, r
        if r["clock_status"] == "paused":
            assert not r["is_breach_projected"], r
            assert r["breach_ts_utc"] is None or r["is_breached"], r
        if r["clock_status"] == "breached":
            column = "sla_b_breach_ts_utc" if r["sla_clock"] == "sla_b" else "sla_a_breach_ts_utc"
            if r["sla_clock"] != "sla_a_paused_wait":
                assert r["breach_ts_utc"] == case_breach[r["case_id"]][column], r
        if r["is_breach_projected"]:
            assert r["breach_ts_utc"] > r["as_of_ts_utc"] or r["remaining_business_minutes"] == 0, r


def test_projected_breach_against_the_oracle(generated: tuple[Path, Path]) -> None:
    """For every running clock of a case on the default schedule (one segment), the projected
    breach is business_add(as_of, remaining) of the single-schedule oracle."""
    raw, db = generated
    cal = R.business_calendar(R.load_raw(raw).calendar)
    rows = _rows(db, """
        select clocks.* from marts.sla_clock_status as clocks
        inner join intermediate.int_case_ownership as ownership on clocks.case_id = ownership.case_id
        where clocks.clock_status = 'running' and ownership.segment_count = 1
            and ownership.intake_schedule_id = 'default'""")
    assert len(rows) > 20
    for r in rows:
        as_of = r["as_of_ts_utc"].replace(tzinfo=dt.UTC)
        expected = BT.business_add(as_of, r["remaining_business_minutes"], cal)
        got = r["breach_ts_utc"].replace(tzinfo=dt.UTC)
        assert math.isclose((got - expected).total_seconds(), 0, abs_tol=1e-3), (r, expected)
