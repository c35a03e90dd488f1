"""The pipeline against the generator's ground truth: every fault the generator injected
(`<raw>_ground_truth/faults/`, one row per faulted event or case) is caught and handled as
README's "Injected messiness" table says, and nothing that was not injected is touched.

The generator knows the true time of every event, so a repaired time can be checked against
it exactly: two independent sources agreeing, not the pipeline agreeing with itself.
"""

from __future__ import annotations

import duckdb
import pytest
from conftest import Warehouse


@pytest.fixture(scope="module")
def con(warehouse: Warehouse) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("set TimeZone = 'UTC'")
    c.execute(f"attach '{warehouse.db}' as w (read_only)")
    c.execute(f"create view faults as select * from read_parquet('{warehouse.truth}/faults/*/*.parquet')")
    # every row of each faulted event id, with its fault
    c.execute("""
        create view faulted as
        select f.fault_type, f.event_id, f.true_event_ts, e.disposition, e.event_time_source, e.event_at,
            e.reason_code
        from faults as f
        left join w.intermediate.int_events_classified as e on f.event_id = e.event_id
        where f.event_id is not null""")
    yield c
    c.close()


def _counts(con: duckdb.DuckDBPyConnection, fault_type: str) -> int:
    return con.execute("select count(*) from faults where fault_type = ?", [fault_type]).fetchone()[0]


def _one_clean_row_each(con: duckdb.DuckDBPyConnection, fault_type: str) -> None:
    """Each faulted event id has exactly one clean row (its other rows are removed duplicates)."""
    bad = con.execute("""
        select event_id, count(*) filter (where disposition = 'clean') as clean,
            count(*) filter (where disposition not in ('clean', 'duplicate') or disposition is null) as other
        from faulted where fault_type = ?
        group by event_id having clean <> 1 or other > 0 limit 5""", [fault_type]).fetchall()
    assert bad == [], bad


@pytest.mark.parametrize("fault_type", ["tz_mislabelled", "null_event_ts", "duplicate", "late_arrival"])
def test_every_faulted_event_is_kept_once(con: duckdb.DuckDBPyConnection, fault_type: str) -> None:
    assert _counts(con, fault_type) > 10  # the small data set has some of each
    _one_clean_row_each(con, fault_type)


def test_mislabelled_times_are_repaired_to_the_true_instant(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""
        select event_time_source, event_at = true_event_ts as is_true, count(*)
        from faulted where fault_type = 'tz_mislabelled' and disposition = 'clean'
        group by all""").fetchall()
    assert rows == [("tz_repaired", True, _counts(con, "tz_mislabelled"))]


def test_missing_times_are_imputed_from_ingestion(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""
        select event_time_source, count(*)
        from faulted where fault_type = 'null_event_ts' and disposition = 'clean'
        group by all""").fetchall()
    assert rows == [("imputed_from_ingestion", _counts(con, "null_event_ts"))]


def test_late_events_keep_their_recorded_time(con: duckdb.DuckDBPyConnection) -> None:
    """A late event is not a time fault: its recorded time is the true one (unless its time
    was also lost, then imputed like any NULL time)."""
    rows = con.execute("""
        select count(*) from faulted
        where fault_type = 'late_arrival' and disposition = 'clean'
            and not (event_time_source = 'recorded' and event_at = true_event_ts)
            and event_id not in (select event_id from faults where fault_type = 'null_event_ts')""").fetchall()
    assert rows == [(0,)]


def test_duplicates_are_removed_and_counted(con: duckdb.DuckDBPyConnection) -> None:
    (removed,) = con.execute("""
        select count(*) from faulted where fault_type = 'duplicate' and disposition = 'duplicate'""").fetchone()
    assert removed >= _counts(con, "duplicate")
    (counted,) = con.execute("select sum(duplicate_rows) from w.marts.event_reconciliation").fetchone()
    (all_duplicates,) = con.execute("""
        select count(*) from w.intermediate.int_events_classified where disposition = 'duplicate'""").fetchone()
    assert counted == all_duplicates == removed


def test_nothing_that_was_not_injected_is_touched(con: duckdb.DuckDBPyConnection) -> None:
    """No false positives: an event row that is not clean with its recorded time belongs to
    an injected fault."""
    rows = con.execute("""
        select disposition, event_time_source, reason_code, count(*)
        from w.intermediate.int_events_classified
        where (disposition <> 'clean' or event_time_source <> 'recorded')
            and event_id not in (select event_id from faults where event_id is not null)
        group by all""").fetchall()
    assert rows == []


def test_missing_triage_takes_first_touch_from_another_action(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""
        select s.first_touch_source, count(*)
        from faults as f
        inner join w.marts.case_sla as s on f.case_id = s.case_id
        where f.fault_type = 'missing_milestone' and f.status = 'TRIAGE'
        group by all""").fetchall()
    assert rows and all(source != "triage" for source, _ in rows), rows


def test_missing_review_qa_leaves_its_stage_empty(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""
        select s.review_qa_to_resolution_business_minutes, count(*)
        from faults as f
        inner join w.marts.case_sla as s on f.case_id = s.case_id
        where f.fault_type = 'missing_milestone' and f.status = 'REVIEW_QA' and s.case_status = 'resolved'
        group by all""").fetchall()
    assert len(rows) == 1 and rows[0][0] == 0, rows
