"""Compare every mart of two DuckDB warehouses row for row (multiset equality).

A column `refreshed_at_utc` (case_sla: the start of the run that last derived the row) is left
out: it says when, not what, and differs between any two builds by construction."""

from __future__ import annotations

from pathlib import Path

import duckdb


def mart_differences(a: Path, b: Path, schema: str = "marts") -> dict[str, tuple[int, int, int]]:
    """{table: (rows in b, rows only in a, rows only in b)} for tables that differ (or exist on one side)."""
    con = duckdb.connect()
    con.execute(f"attach '{a}' as a (read_only)")
    con.execute(f"attach '{b}' as b (read_only)")
    tables = {
        side: {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = ? and table_schema = ?",
            [side, schema]).fetchall()}
        for side in ("a", "b")
    }
    diffs: dict[str, tuple[int, int, int]] = {}
    for t in sorted(tables["a"] | tables["b"]):
        if t not in tables["a"] or t not in tables["b"]:
            diffs[t] = (-1, -1, -1)
            continue
        rows = {side: f"select * {_without_stamp(con, side, schema, t)} from {side}.{schema}.{t}"
                for side in ("a", "b")}
        only_a = con.execute(f"select count(*) from ({rows['a']} except all {rows['b']})").fetchone()[0]
        only_b = con.execute(f"select count(*) from ({rows['b']} except all {rows['a']})").fetchone()[0]
        if only_a or only_b:
            n = con.execute(f"select count(*) from b.{schema}.{t}").fetchone()[0]
            diffs[t] = (n, only_a, only_b)
    con.close()
    return diffs


def _without_stamp(con: duckdb.DuckDBPyConnection, side: str, schema: str, table: str) -> str:
    """`exclude (refreshed_at_utc)` when the table has that column, else nothing."""
    has = con.execute("select count(*) from information_schema.columns where table_catalog = ? and table_schema = ?"
                      " and table_name = ? and column_name = 'refreshed_at_utc'", [side, schema, table]).fetchone()[0]
    return "exclude (refreshed_at_utc)" if has else ""
