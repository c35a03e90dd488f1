"""Property test: the `status_intervals` macro (customer waits, rework) against the reference.

The macro is compiled by dbt (`dbt compile --inline`) for the two uses in the project: a
customer wait closed by any of the reference's WAIT_ENDS (a list) and rework closed by
RESOLVED (one status). Both run in an in-memory DuckDB on random event sequences;
`reference.sla._intervals` pairs the same events in Python.
Events crowd onto five instants, so most examples hold several events at one instant, of one
kind or both, in a random row order: what the rule "events at the same instant continue the
case's state" (DECISIONLOG) is about.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import compile_inline, dbt_env
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reference.sla import WAIT_ENDS, _intervals

OPEN, CLOSE = "CUSTOMER_WAIT", "CUSTOMER_RESPONDED"
# (opening status, closing statuses) as the models call the macro
USES = {"wait": (OPEN, sorted(WAIT_ENDS)), "rework": ("REOPENED", "RESOLVED")}
STATUSES = sorted({OPEN, "REOPENED", "ESCALATED", "ASSIGNMENT", *WAIT_ENDS})
T0 = datetime(2025, 7, 14, 9, tzinfo=UTC)
INSTANTS = [T0 + timedelta(hours=h) for h in range(5)]
NEVER = datetime.max.replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def interval_sql(small_raw: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("status_intervals")
    env = dbt_env(small_raw[0], base / "ops_sla.duckdb", base / "target")
    calls = {use: f"{{{{ ops_sla.status_intervals('events', {open_status!r}, {closes!r}) }}}}"
             for use, (open_status, closes) in USES.items()}
    compiled = compile_inline(calls, env)
    assert set(compiled) == set(USES)
    return compiled


def _key(row: tuple) -> tuple:
    case_id, started_at, closed_at = row
    return case_id, started_at, closed_at or NEVER


case_events = st.lists(st.tuples(st.sampled_from(STATUSES), st.sampled_from(INSTANTS)), max_size=12)
# two instants in a row that each hold a response and a wait, while waiting: three waits
BACK_TO_BACK = [(OPEN, INSTANTS[0]), (CLOSE, INSTANTS[1]), (OPEN, INSTANTS[1]), (OPEN, INSTANTS[2]),
                (CLOSE, INSTANTS[2]), (CLOSE, INSTANTS[3])]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(cases=[BACK_TO_BACK, [(CLOSE, INSTANTS[0]), (OPEN, INSTANTS[0]), (CLOSE, INSTANTS[2])]], seed=0)
# a wait ended by review before the (late) response; a reopen resolved and reopened at once
@example(cases=[[(OPEN, INSTANTS[0]), ("REVIEW_QA", INSTANTS[1]), (CLOSE, INSTANTS[2])],
                [("REOPENED", INSTANTS[0]), ("RESOLVED", INSTANTS[1]), ("REOPENED", INSTANTS[1])]], seed=0)
@given(cases=st.lists(case_events, min_size=1, max_size=40), seed=st.integers(0, 2**32 - 1))
def test_sql_pairs_events_like_the_reference(interval_sql: dict[str, str], cases: list, seed: int) -> None:
    rows = [(f"C{i}", status, at) for i, events in enumerate(cases) for status, at in events]
    random.Random(seed).shuffle(rows)  # the row order must not matter
    with duckdb.connect() as con:
        con.execute("create table events (case_id varchar, status varchar, event_at timestamptz)")
        if rows:
            con.executemany("insert into events values (?, ?, ?)", rows)
        for use, (open_status, closes) in USES.items():
            got = [(c, s, e) for c, s, e, _ in con.execute(f"select * from ({interval_sql[use]})").fetchall()]
            expected = []
            for i, events in enumerate(cases):
                in_time_order = sorted(((at, status) for status, at in events), key=lambda e: e[0])
                expected += [(f"C{i}", start, end) for start, end in _intervals(in_time_order, open_status, closes)]
            assert sorted(got, key=_key) == sorted(expected, key=_key), use
