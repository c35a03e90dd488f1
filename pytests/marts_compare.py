"""Compare every mart of two DuckDB warehouses row for row (multiset equality)."""

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
        only_a = con.execute(f"select count(*) from (from a.{schema}.{t} except all from b.{schema}.{t})").fetchone()[0]
        only_b = con.execute(f"select count(*) from (from b.{schema}.{t} except all from a.{schema}.{t})").fetchone()[0]
        if only_a or only_b:
            n = con.execute(f"select count(*) from b.{schema}.{t}").fetchone()[0]
            diffs[t] = (n, only_a, only_b)
    con.close()
    return diffs
