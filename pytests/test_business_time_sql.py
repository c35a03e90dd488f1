"""Property tests: the compiled SQL business-time macros against the Python reference.

The macros are compiled once (`dbt compile --inline`, see business_time_macros.py) into
templates; every hypothesis example is a *batch* of random instants evaluated in one DuckDB
query on a copy of a built warehouse, and compared row by row with
reference.business_time on a BusinessCalendar built from the raw calendar_dim (so
both sides use the same holidays). Instants travel as epoch microseconds both ways, so
nothing here depends on the session time zone unless a test says so.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from business_time_macros import JOINED_INDEX, MacroSql, compile_business_time_sql
from conftest import ROOT, dbt_env, run_dbt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference.business_time import BusinessCalendar, business_add, business_seconds_between

US_PER_MIN = 60_000_000
US_PER_DAY = 86_400 * 1_000_000
TOL = 1e-6  # minutes
# one example = one batch evaluated in one query (each query has a fixed planning cost of
# ~20 ms per macro call), so few examples of many rows each: thousands of rows per run
HYPOTHESIS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# --------------------------------------------------------------------------- fixture


@dataclass
class BT:
    db: Path
    sql: MacroSql
    cal: BusinessCalendar
    zone: ZoneInfo
    start_us: int  # covered instants are [start_us, end_us)
    end_us: int
    con: duckdb.DuckDBPyConnection
    raw: Path
    strategies: dict = field(default_factory=dict)  # built once per warehouse

    # ---- reference, on epoch microseconds; None where the SQL must give NULL
    def in_range(self, us: int | None) -> bool:
        return us is not None and self.start_us <= us < self.end_us

    def ref_between(self, a: int | None, b: int | None) -> float | None:
        if a is None or b is None or not (self.in_range(a) and self.in_range(b)):
            return None
        return float(business_seconds_between(_dt(a), _dt(b), self.cal) / 60)

    def ref_add(self, a: int | None, n_minutes: float | None) -> int | None:
        if a is None or n_minutes is None or not self.in_range(a):
            return None
        try:
            return _us(business_add(_dt(a), n_minutes, self.cal))
        except ValueError:  # leaves the calendar
            return None

    def clamp(self, us: int) -> int:
        return min(max(us, self.start_us), self.end_us - 1)

    def local(self, d: date, t: time = time(0), fold: int = 0) -> int:
        return _us(datetime.combine(d, t, tzinfo=self.zone).replace(fold=fold))


def _dt(us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def _us(dt: datetime) -> int:
    return (dt - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _project_vars() -> dict:
    return yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]


def _reference_calendar(raw: Path) -> BusinessCalendar:
    """The reference calendar from the project vars and the *raw* calendar_dim export."""
    v = _project_vars()
    with duckdb.connect() as con:
        rows = con.execute(
            f"select calendar_date, coalesce(is_holiday, false) from read_parquet('{raw}/calendar_dim/*.parquet')"
        ).fetchall()
    dates = [d for d, _ in rows]
    return BusinessCalendar(
        tz=v["business_time_zone"],
        first_date=min(dates),
        last_date=max(dates),
        open_time=time.fromisoformat(v["business_day_open"]),
        close_time=time.fromisoformat(v["business_day_close"]),
        business_weekdays=frozenset(v["business_weekdays"]),
        holidays=frozenset(d for d, h in rows if h),
    )


@pytest.fixture(scope="module")
def bt(request: pytest.FixtureRequest, small_raw: tuple[Path, Path],
       tmp_path_factory: pytest.TempPathFactory) -> Iterable[BT]:
    raw, _ = small_raw
    base = tmp_path_factory.mktemp("business_time_sql")
    try:
        built = request.getfixturevalue("warehouse").db
    except Exception:  # other models may be mid-edit: build only what we need
        built = base / "own" / "ops_sla.duckdb"
        run_dbt(["build", "-s", "+int_business_time_index", "--indirect-selection", "cautious"],
                dbt_env(raw, built, base / "own" / "target"))
    # a private copy with the same file name: compiled SQL names the catalog by the stem
    db = base / built.name
    shutil.copy(built, db)
    sql = compile_business_time_sql(dbt_env(raw, db, base / "target"))
    cal = _reference_calendar(raw)
    zone = ZoneInfo(cal.tz)
    start = _us(datetime.combine(cal.first_date, time(0), tzinfo=zone))
    end = _us(datetime.combine(cal.last_date + timedelta(days=1), time(0), tzinfo=zone))
    con = duckdb.connect(str(db), read_only=True)
    yield BT(db, sql, cal, zone, start, end, con, raw)
    con.close()


def evaluate(con: duckdb.DuckDBPyConnection, query: str, columns: dict[str, tuple[pa.DataType, list]]) -> list[tuple]:
    """Run `query` with the batch registered as table `inp`."""
    table = pa.table({name: pa.array(values, type=typ) for name, (typ, values) in columns.items()})
    con.register("inp", table)
    try:
        return con.execute(query).fetchall()
    finally:
        con.unregister("inp")


# --------------------------------------------------------------------------- queries


def triple_query(sql: MacroSql, index: str | None = None) -> str:
    """f over a batch of (a, b, c) instants and add(a, n); every instant out as epoch_us.
    `index`: the macros' argument - none (scalar sub-queries), JOINED_INDEX (the query joins
    the index under that alias) or '' (the index's numbers are columns of each row)."""
    # the `default` schedule's row (the vars' calendar, which these tests compare)
    default_index = "(select * from intermediate.int_business_time_index where schedule_id = 'default')"
    joined = f"cross join {default_index} as {JOINED_INDEX}" if index == JOINED_INDEX else ""
    numbers = ", idx.first_bucket_us, idx.bucket_count, idx.business_bucket_count" if index == "" else ""
    with_numbers = f"cross join {default_index} as idx" if index == "" else ""
    return f"""
        with p as (
            select inp.i, make_timestamptz(a_us) as a, make_timestamptz(b_us) as b,
                   make_timestamptz(c_us) as c, n{numbers}
            from inp {with_numbers}
        ),
        q as (
            select p.*, {sql.add('p.a', 'p.n', index)} as t
            from p {joined}
        )
        select
            i,
            {sql.between('a', 'b', index)} as ab,
            {sql.between('b', 'a', index)} as ba,
            {sql.between('b', 'c', index)} as bc,
            {sql.between('a', 'c', index)} as ac,
            {sql.between('a', 'a', index)} as aa,
            epoch_us(t) as t_us,
            {sql.between('a', 't', index)} as a_t,
            {sql.between('t', 't + interval 1 microsecond', index)} as t_step
        from q {joined}
        order by i
    """


def run_triples(bt: BT, triples: list[tuple[int | None, int | None, int | None, float | None]],
                con: duckdb.DuckDBPyConnection | None = None, index: str | None = None) -> list[tuple]:
    a, b, c, n = zip(*triples, strict=True) if triples else ((), (), (), ())
    return evaluate(con or bt.con, triple_query(bt.sql, index), {
        "i": (pa.int64(), list(range(len(triples)))),
        "a_us": (pa.int64(), list(a)),
        "b_us": (pa.int64(), list(b)),
        "c_us": (pa.int64(), list(c)),
        "n": (pa.float64(), list(n)),
    })


def _fmt(us: int | None) -> str:
    return "NULL" if us is None else f"{_dt(us).isoformat()} ({us})"


def check_triples(bt: BT, triples: list[tuple], rows: list[tuple]) -> None:
    """Every law of the business-time macros (macros/business_time.yml) on a batch, row by row."""
    assert len(rows) == len(triples)
    for (a, b, c, n), (_, ab, ba, bc, ac, aa, t_us, a_t, t_step) in zip(triples, rows, strict=True):
        where = f"a={_fmt(a)} b={_fmt(b)} c={_fmt(c)} n={n!r}"
        # equality with the reference (None <=> NULL: NULL input or outside the calendar);
        # f(b, a) and f(a, a) are held to the laws below instead of a slow second oracle call
        for got, x, y in ((ab, a, b), (bc, b, c), (ac, a, c)):
            want = bt.ref_between(x, y)
            assert (got is None) == (want is None), f"NULL mismatch f({_fmt(x)}, {_fmt(y)}): sql={got} ref={want}"
            if want is not None:
                assert abs(got - want) <= TOL, f"f({_fmt(x)}, {_fmt(y)}): sql={got!r} ref={want!r}"
        assert (aa is None) == (not bt.in_range(a)) and (ba is None) == (ab is None), where
        if ab is not None:
            assert aa == 0, where
            assert ba == -ab, f"antisymmetry: {where}: f(a,b)={ab!r} f(b,a)={ba!r}"
            wall = (b - a) / US_PER_MIN
            if a <= b:
                assert 0 <= ab <= wall + 1e-9, f"bounds: {where}: f={ab!r} wall={wall!r}"
            if bc is not None:
                assert abs(ab + bc - ac) <= TOL, f"additivity: {where}: {ab!r} + {bc!r} != {ac!r}"
        # the inverse: reference's latest instant, f(a, add(a, n)) = n, business resumes at t
        want_t = bt.ref_add(a, n)
        assert t_us == want_t, f"add: {where}: sql={_fmt(t_us)} ref={_fmt(want_t)}"
        if t_us is not None:
            assert abs(a_t - n) <= 1e-9, f"inverse: {where}: f(a, add(a, n))={a_t!r}"
            if bt.in_range(t_us + 1):
                assert t_step == 1 / US_PER_MIN, f"latest-instant rule: {where}: t={_fmt(t_us)} step={t_step!r}"


# --------------------------------------------------------------------------- strategies

DST_DATES = [date(2025, 11, 2), date(2026, 3, 8)]
SPECIAL_TIMES = [
    time(0), time(1, 30), time(2, 30), time(7, 59, 59, 999_999), time(8), time(8, 0, 0, 1), time(8, 15),
    time(12), time(17, 45), time(17, 59, 59, 999_999), time(18), time(18, 0, 0, 1), time(23, 59, 59, 999_999),
]
SPECIAL_OFFSETS_US = [
    0, 1, 1_000_000, 15 * US_PER_MIN, 60 * US_PER_MIN, 10 * 60 * US_PER_MIN, 14 * 60 * US_PER_MIN,
    US_PER_DAY, 2 * US_PER_DAY, 3 * US_PER_DAY, 7 * US_PER_DAY, 30 * US_PER_DAY, 120 * US_PER_DAY,
]
SPECIAL_MINUTES = [0, 1, 15, 30, 59, 60, 120, 480, 599, 600, 601, 1200, 2400, 3000, 6000, 30_000, 150_000]


def special_dates(bt: BT) -> list[date]:
    near = [d + timedelta(days=k) for d in [*DST_DATES, *sorted(bt.cal.holidays)] for k in (-3, -1, 0, 1, 3)]
    ends = [bt.cal.first_date, bt.cal.first_date + timedelta(days=1), bt.cal.last_date,
            bt.cal.last_date - timedelta(days=1)]
    return sorted(d for d in {*near, *ends} if bt.cal.first_date <= d <= bt.cal.last_date)


def instants(bt: BT) -> st.SearchStrategy[int]:
    """In-range instants (epoch us), biased to the hard cases."""
    if "instants" not in bt.strategies:
        bt.strategies["instants"] = _instants(bt)
    return bt.strategies["instants"]


def _instants(bt: BT) -> st.SearchStrategy[int]:
    span = (bt.cal.last_date - bt.cal.first_date).days
    dates = st.one_of(st.sampled_from(special_dates(bt)),
                      st.integers(0, span).map(lambda k: bt.cal.first_date + timedelta(days=k)))
    times = st.one_of(
        st.sampled_from(SPECIAL_TIMES),
        st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
        st.integers(0, US_PER_DAY - 1).map(lambda us: (datetime.min + timedelta(microseconds=us)).time()),
    )
    local = st.builds(bt.local, dates, times, st.integers(0, 1)).map(bt.clamp)
    return st.one_of(local, local, st.integers(bt.start_us, bt.end_us - 1))


def offsets() -> st.SearchStrategy[int]:
    sign = st.sampled_from([1, -1])
    jitter = st.sampled_from([0, 0, 1, -1, 999_999])
    special = st.builds(lambda o, s, j: s * o + j, st.sampled_from(SPECIAL_OFFSETS_US), sign, jitter)
    return st.one_of(special, st.integers(-90 * US_PER_DAY, 90 * US_PER_DAY), st.integers(-US_PER_DAY, US_PER_DAY))


def minutes() -> st.SearchStrategy[float]:
    """Business minutes to add: whole, quarter-hour, fractional (microsecond-exact), negative."""
    whole = st.builds(lambda m, s: float(s * m), st.sampled_from(SPECIAL_MINUTES), st.sampled_from([1, -1]))
    micro = st.integers(-200_000 * US_PER_MIN, 200_000 * US_PER_MIN).map(lambda us: us / US_PER_MIN)
    return st.one_of(whole, st.integers(-20_000, 20_000).map(float), micro)


@st.composite
def triples(draw: st.DrawFn, bt: BT, offsets: st.SearchStrategy[int],
            minutes: st.SearchStrategy[float]) -> tuple[int, int, int, float]:
    inst = instants(bt)
    a = draw(inst)
    # mostly near each other (spans up to ~4 months); sometimes independent (up to 2 years)
    b = bt.clamp(a + draw(offsets)) if draw(st.integers(0, 3)) else draw(inst)
    c = bt.clamp(b + draw(offsets)) if draw(st.integers(0, 3)) else draw(inst)
    return a, b, c, draw(minutes)


def batches(bt: BT) -> st.SearchStrategy[list]:
    if "batches" not in bt.strategies:
        bt.strategies["batches"] = st.lists(triples(bt, offsets(), minutes()), min_size=80, max_size=200)
    return bt.strategies["batches"]


# --------------------------------------------------------------------------- tests


def test_sql_calendar_range_matches_reference(bt: BT) -> None:
    (first_us, until_us, buckets), = bt.con.execute(
        "select first_bucket_us, epoch_us(covers_until), bucket_count from intermediate.int_business_time_index"
        " where schedule_id = 'default'"
    ).fetchall()
    assert (first_us, until_us) == (bt.start_us, bt.end_us)
    assert buckets * 900 * 1_000_000 == bt.end_us - bt.start_us
    # the generated calendar covers what the strategies aim at
    assert bt.cal.first_date <= min(DST_DATES) and max(DST_DATES) < bt.cal.last_date
    assert date(2026, 7, 3) in bt.cal.holidays  # Independence Day observed (July 4 is a Saturday)


@HYPOTHESIS
@given(data=st.data())
def test_between_and_add_match_reference_and_laws(bt: BT, data: st.DataObject) -> None:
    batch = data.draw(batches(bt))
    check_triples(bt, batch, run_triples(bt, batch))


@pytest.mark.parametrize("index", [JOINED_INDEX, ""], ids=["joined-index", "index-columns"])
@settings(HYPOTHESIS, max_examples=10)
@given(data=st.data())
def test_index_argument_matches_reference_and_laws(bt: BT, index: str, data: st.DataObject) -> None:
    """The macros with argument `index` - the query joins int_business_time_index under an
    alias, or carries its numbers as columns (as int_case_sla does) - obey the same
    reference and laws, NULLs and range edges included."""
    batch = data.draw(batches(bt))
    check_triples(bt, batch, run_triples(bt, batch, index=index))


@settings(HYPOTHESIS, max_examples=10)
@given(data=st.data())
def test_nulls_and_out_of_range_give_null(bt: BT, data: st.DataObject) -> None:
    far = 400 * US_PER_DAY
    outside = st.one_of(
        st.integers(bt.start_us - far, bt.start_us - 1),
        st.integers(bt.end_us, bt.end_us + far),
        st.sampled_from([bt.start_us - 1, bt.end_us, bt.end_us + 1, 0,
                         _us(datetime(2100, 1, 1, tzinfo=UTC)), _us(datetime(2000, 1, 1, tzinfo=UTC))]),
    )
    any_instant = st.one_of(st.none(), outside, instants(bt))
    n = st.one_of(st.none(), minutes(), st.sampled_from([1e9, -1e9]))
    batch = data.draw(st.lists(st.tuples(any_instant, any_instant, any_instant, n), min_size=50, max_size=150))
    rows = run_triples(bt, batch)
    check_triples(bt, batch, rows)  # ref_* give None for NULL and out-of-range inputs
    for (a, b, _, n), row in zip(batch, rows, strict=True):
        if not (bt.in_range(a) and bt.in_range(b)):
            assert row[1] is None and row[2] is None, f"expected NULL for a={_fmt(a)} b={_fmt(b)}: {row}"
        if not bt.in_range(a) or n is None:
            assert row[6] is None, f"expected NULL add for a={_fmt(a)} n={n}: {row}"


def test_calendar_edges(bt: BT) -> None:
    s, e = bt.start_us, bt.end_us
    total = bt.ref_between(s, e - 1)  # every business minute of the calendar
    one_us = 1 / US_PER_MIN
    batch = [(s, e - 1, s, 0.0), (s - 1, s, e - 1, 0.0), (s, e, None, 1.0), (e - 1, e - 1, s, -1.0),
             (s, s + 1, s + 2, 1e-6), (e - 1, s, e - 1, 1e12), (e - 1, s, s, float("nan")),
             # the last business microsecond is reachable; the very end (a close with no
             # later opening) has no latest instant inside the calendar -> NULL
             (s, e - 1, s, total - one_us), (s, e - 1, s, total), (e - 1, s, s, -total), (e - 1, s, s, -total - one_us)]
    rows = run_triples(bt, batch)
    check_triples(bt, batch, rows)
    assert rows[0][1] == total and rows[1][1] is None and rows[2][1] is None
    assert rows[5][6] is None and rows[6][6] is None  # absurd or NaN minutes: NULL, not an error
    assert rows[7][6] is not None and rows[8][6] is None
    assert rows[9][6] is not None and rows[10][6] is None


# hand-checked values (America/Los_Angeles; PDT = UTC-7 until 2025-11-02 and from 2026-03-08)
L = datetime  # local wall-clock readings, converted in the tests
BETWEEN_EXAMPLES = [
    # Fri 17:30 -> Mon 08:30: 30 + 30 (the documented example)
    (L(2025, 7, 11, 17, 30), L(2025, 7, 14, 8, 30), 60),
    # DST end weekend (Sun 2025-11-02): Fri 17:00 PDT -> Mon 09:00 PST
    (L(2025, 10, 31, 17), L(2025, 11, 3, 9), 120),
    # the week containing DST end (25-hour Sunday): five full business days
    (L(2025, 10, 27), L(2025, 11, 3), 3000),
    # DST start weekend (Sun 2026-03-08, 23-hour day)
    (L(2026, 3, 6, 17), L(2026, 3, 9, 9), 120),
    (L(2026, 3, 2), L(2026, 3, 9), 3000),
    # observed Independence Day, Fri 2026-07-03
    (L(2026, 7, 2, 17), L(2026, 7, 6, 9), 120),
    # Thanksgiving Thu 2025-11-27 (Friday is a business day)
    (L(2025, 11, 26, 17), L(2025, 11, 28, 9), 120),
    # [open, close): 08:00 counts, 18:00 does not; microsecond resolution
    (L(2025, 7, 14, 8), L(2025, 7, 14, 8, 0, 0, 1), 1 / US_PER_MIN),
    (L(2025, 7, 14, 7, 59, 59, 999_999), L(2025, 7, 14, 8), 0),
    (L(2025, 7, 14, 17, 59, 59, 999_999), L(2025, 7, 14, 18), 1 / US_PER_MIN),
    (L(2025, 7, 14, 18), L(2025, 7, 14, 18, 0, 0, 1), 0),
    (L(2025, 7, 14, 18), L(2025, 7, 14, 8), -600),
    (L(2025, 7, 12, 9), L(2025, 7, 13, 17), 0),  # weekend
]
ADD_EXAMPLES = [
    (L(2025, 7, 11, 17, 30), 60, L(2025, 7, 14, 8, 30)),
    (L(2025, 7, 11, 17, 30), 30, L(2025, 7, 14, 8)),  # reached at Fri 18:00 -> latest = Mon opening
    (L(2026, 7, 2, 17), 60, L(2026, 7, 6, 8)),  # over the observed holiday
    (L(2025, 7, 12, 12), 0, L(2025, 7, 14, 8)),  # 0 from outside business hours -> next opening
    (L(2025, 7, 14, 10), 0, L(2025, 7, 14, 10)),
    (L(2025, 7, 14, 8, 30), -60, L(2025, 7, 11, 17, 30)),
    (L(2025, 7, 14, 9), -60, L(2025, 7, 14, 8)),  # latest instant with -60 is Mon 08:00, not Fri 18:00
    (L(2025, 10, 31, 17), 120, L(2025, 11, 3, 9)),  # across DST end
    (L(2026, 3, 6, 17), 120, L(2026, 3, 9, 9)),  # across DST start
    (L(2025, 7, 14, 8), 600 * 5, L(2025, 7, 21, 8)),
]


@pytest.mark.parametrize(("a", "b", "expected"), BETWEEN_EXAMPLES, ids=lambda v: str(v))
def test_between_hand_checked(bt: BT, a: datetime, b: datetime, expected: float) -> None:
    a_us, b_us = bt.local(a.date(), a.time()), bt.local(b.date(), b.time())
    ((got,),) = evaluate(bt.con, f"select {bt.sql.between('make_timestamptz(a_us)', 'make_timestamptz(b_us)')} "
                                 "from inp", {"a_us": (pa.int64(), [a_us]), "b_us": (pa.int64(), [b_us])})
    assert got == pytest.approx(expected, abs=1e-12)
    assert bt.ref_between(a_us, b_us) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("a", "n", "expected"), ADD_EXAMPLES, ids=lambda v: str(v))
def test_add_hand_checked(bt: BT, a: datetime, n: int, expected: datetime) -> None:
    a_us, want = bt.local(a.date(), a.time()), bt.local(expected.date(), expected.time())
    # integer minutes as a BIGINT argument, and as DOUBLE
    ((got_int, got_dbl),) = evaluate(
        bt.con, f"select epoch_us({bt.sql.add('make_timestamptz(a_us)', 'n')}), "
                f"epoch_us({bt.sql.add('make_timestamptz(a_us)', 'cast(n as double)')}) from inp",
        {"a_us": (pa.int64(), [a_us]), "n": (pa.int64(), [n])})
    assert got_int == got_dbl == want, (_fmt(got_int), _fmt(want))
    assert bt.ref_add(a_us, n) == want


# --------------------------------------------------------------------------- naive local input


def test_local_to_instant_transitions(bt: BT) -> None:
    """DuckDB's reading of the two DST edge cases (documented in macros/business_time.yml):
    a wall time in the repeated hour is the *second* (standard-time) occurrence; one in the
    skipped hour is read with the offset before the change (so 02:30 -> 03:30 PDT)."""
    rows = bt.con.execute(f"""
        select epoch_us({bt.sql.local_to_instant('x')}), cast({bt.sql.instant_to_local(bt.sql.local_to_instant('x'))}
               as varchar)
        from (values (timestamp '2025-11-02 01:30'), (timestamp '2026-03-08 02:30'),
                     (timestamp '2025-07-14 08:00')) as v(x)
    """).fetchall()
    assert [r[0] for r in rows] == [
        _us(datetime(2025, 11, 2, 9, 30, tzinfo=UTC)),
        _us(datetime(2026, 3, 8, 10, 30, tzinfo=UTC)),
        _us(datetime(2025, 7, 14, 15, 0, tzinfo=UTC)),
    ]
    assert [r[1] for r in rows] == ["2025-11-02 01:30:00", "2026-03-08 03:30:00", "2025-07-14 08:00:00"]


@HYPOTHESIS
@given(data=st.data())
def test_naive_local_inputs_via_local_to_instant(bt: BT, data: st.DataObject) -> None:
    """f(local_to_instant(x), local_to_instant(y)) on naive local wall times equals the
    reference on the instants those readings name (unambiguous readings; the DST edge
    cases are pinned above), and instant_to_local inverts local_to_instant."""
    zone = bt.zone

    def unambiguous(dt: datetime) -> bool:
        aware = dt.replace(tzinfo=zone)
        return aware.utcoffset() == aware.replace(fold=1).utcoffset()

    stamps = st.one_of(
        st.builds(datetime.combine, st.sampled_from(special_dates(bt)), st.sampled_from(SPECIAL_TIMES)),
        st.datetimes(min_value=datetime.combine(bt.cal.first_date, time(0)),
                     max_value=datetime.combine(bt.cal.last_date, time(23, 59, 59, 999_999))),
    ).filter(unambiguous)
    pairs = data.draw(st.lists(st.tuples(stamps, stamps), min_size=20, max_size=80))
    x_in = bt.sql.local_to_instant("x")
    y_in = bt.sql.local_to_instant("y")
    rows = evaluate(bt.con, f"""
        select {bt.sql.between(x_in, y_in)}, epoch_us({x_in}), cast({bt.sql.instant_to_local(x_in)} as varchar)
        from inp order by i
    """, {"i": (pa.int64(), list(range(len(pairs)))), "x": (pa.timestamp("us"), [p[0] for p in pairs]),
          "y": (pa.timestamp("us"), [p[1] for p in pairs])})
    for (x, y), (got, x_us, back) in zip(pairs, rows, strict=True):
        xu, yu = _us(x.replace(tzinfo=zone)), _us(y.replace(tzinfo=zone))
        assert x_us == xu, (x, _fmt(x_us))
        assert datetime.fromisoformat(back) == x
        want = bt.ref_between(xu, yu)
        assert got is not None and abs(got - want) <= TOL, (x, y, got, want)


# --------------------------------------------------------------------------- time-zone independence


def fixed_batch(bt: BT, n: int, seed: int = 7) -> list[tuple[int, int, int, float]]:
    """A deterministic batch with the same biases as the strategies (for cross-zone runs)."""
    rnd = random.Random(seed)
    days = special_dates(bt)
    span = (bt.cal.last_date - bt.cal.first_date).days

    def instant() -> int:
        if rnd.random() < 0.3:
            return rnd.randrange(bt.start_us, bt.end_us)
        d = rnd.choice(days) if rnd.random() < 0.5 else bt.cal.first_date + timedelta(days=rnd.randrange(span + 1))
        t = rnd.choice(SPECIAL_TIMES) if rnd.random() < 0.6 else time(rnd.randrange(24), rnd.randrange(60),
                                                                        rnd.randrange(60), rnd.randrange(10**6))
        return min(max(bt.local(d, t, rnd.randrange(2)), bt.start_us), bt.end_us - 1)

    def near(us: int) -> int:
        o = rnd.choice(SPECIAL_OFFSETS_US) if rnd.random() < 0.5 else rnd.randrange(-30 * US_PER_DAY, 30 * US_PER_DAY)
        return min(max(us + rnd.choice([1, -1]) * o, bt.start_us), bt.end_us - 1)

    out = []
    for _ in range(n):
        a = instant()
        b = near(a) if rnd.random() < 0.8 else instant()
        c = near(b) if rnd.random() < 0.8 else instant()
        m = rnd.choice(SPECIAL_MINUTES) * rnd.choice([1, -1]) if rnd.random() < 0.5 else \
            rnd.randrange(-100_000 * US_PER_MIN, 100_000 * US_PER_MIN) / US_PER_MIN
        out.append((a, b, c, float(m)))
    return out


@pytest.fixture(scope="module")
def fixed(bt: BT) -> tuple[list, list]:
    batch = fixed_batch(bt, 1500)
    rows = run_triples(bt, batch)
    check_triples(bt, batch, rows)
    return batch, rows


@pytest.mark.parametrize("session_tz", ["UTC", "Asia/Kolkata", "Pacific/Chatham", "America/Los_Angeles"])
def test_session_time_zone_does_not_matter(bt: BT, fixed: tuple[list, list], session_tz: str) -> None:
    batch, expected = fixed
    with duckdb.connect(str(bt.db), read_only=True) as con:
        con.execute(f"set TimeZone = '{session_tz}'")
        assert con.execute("select current_setting('TimeZone')").fetchall()[0][0] == session_tz
        assert run_triples(bt, batch, con) == expected


CHILD = """
import sys, duckdb
db, query, inp, out = sys.argv[1:]
con = duckdb.connect(db, read_only=True)
print(con.execute("select current_setting('TimeZone')").fetchall()[0][0])
con.execute(f"create temp view inp as select * from read_parquet('{inp}')")
con.execute(f"copy ({open(query).read()}) to '{out}' (format parquet)")
"""


@pytest.mark.parametrize("process_tz", ["UTC", "Asia/Kolkata"])
def test_process_time_zone_does_not_matter(bt: BT, fixed: tuple[list, list], process_tz: str,
                                           tmp_path: Path) -> None:
    """The same batch evaluated in a child process whose TZ environment variable differs
    (DuckDB then starts its sessions in that zone)."""
    batch, expected = fixed
    a, b, c, n = zip(*batch, strict=True)
    pq.write_table(pa.table({"i": pa.array(range(len(batch)), pa.int64()), "a_us": pa.array(a, pa.int64()),
                             "b_us": pa.array(b, pa.int64()), "c_us": pa.array(c, pa.int64()),
                             "n": pa.array(n, pa.float64())}), tmp_path / "in.parquet")
    (tmp_path / "q.sql").write_text(triple_query(bt.sql))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(bt.db), str(tmp_path / "q.sql"),
                           str(tmp_path / "in.parquet"), str(tmp_path / "out.parquet")],
                          env={**os.environ, "TZ": process_tz}, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() in (process_tz, f"Etc/{process_tz}"), proc.stdout
    with duckdb.connect() as con:
        got = con.execute(f"select * from read_parquet('{tmp_path / 'out.parquet'}') order by i").fetchall()
    assert got == expected


def test_index_built_in_another_zone_is_identical(bt: BT, tmp_path: Path) -> None:
    """Building the calendar and index with TZ=Asia/Kolkata and a Pacific/Chatham dbt session
    gives the very same index (so the macros' results can't depend on where dbt ran)."""
    db = tmp_path / bt.db.name
    env = dbt_env(bt.raw, db, tmp_path / "target", TZ="Asia/Kolkata", OPS_SLA_SESSION_TZ="Pacific/Chatham")
    # build: the index depends on the schedule seeds, which `dbt run` does not load
    run_dbt(["build", "-s", "+int_business_time_index", "--indirect-selection", "cautious"], env)
    query = ("select schedule_id, first_bucket_us, bucket_count, business_bucket_count, ordinals, "
             "business_bucket_numbers from intermediate.int_business_time_index order by schedule_number")
    with duckdb.connect(str(db), read_only=True) as con:
        other = con.execute(query).fetchall()
    assert other == bt.con.execute(query).fetchall()
