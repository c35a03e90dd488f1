"""A dbt-duckdb plugin: the one check of the raw contract that DuckDB's SQL cannot make.

A parquet file whose PAR1 bytes are intact but whose footer metadata is damaged makes DuckDB
fail with an error such as "don't know what type:" or "Invalid unicode" that does not name
the file, and SQL cannot catch an error per file (table functions take no column arguments,
and `try()` takes no subquery). So the raw-contract hook (macros/assert_raw_contract.sql)
asks this function which of the files it is about to read cannot be read, and names them:

    ops_sla_unreadable_parquet_files(files VARCHAR[], read_files VARCHAR[])
        -> STRUCT(file VARCHAR, error VARCHAR)[]
        one (file, DuckDB's error) per file of `files` whose schema DuckDB cannot read, or,
        for the files also in `read_files` (those the run's models will read), whose values
        it cannot read; in the order of `files`; empty when every file can be read

"Read" is what the build does with a file: the hook's `parquet_schema` and the models'
`read_parquet` of every column. Parquet metadata the build never reads (e.g. the writer's
`created_by` string) may be damaged. profiles.yml loads the plugin
(`plugins: [{module: ops_sla.duckdb_plugin}]`).
"""

from __future__ import annotations

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin

FUNCTION_NAME = "ops_sla_unreadable_parquet_files"
RETURN_TYPE = "STRUCT(file VARCHAR, error VARCHAR)[]"
# what the build reads: the hook's schema query, then every value of every column
_SCHEMA_SQL = "select count(*) from parquet_schema($files)"
_VALUES_SQL = "select count(columns(*)) from read_parquet($files, union_by_name = true)"


def _printable(message: str) -> str:
    """The first line of an error, control characters escaped (a garbled footer's error ends
    with the raw byte DuckDB could not decode)."""
    lines = message.strip().splitlines()
    first = lines[0] if lines else "unknown error"
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in first)


def _read_error(probe: duckdb.DuckDBPyConnection, files: list[str], values_of: list[str]) -> str | None:
    """DuckDB's error for reading the schema of `files` and the values of `values_of`, or None."""
    try:
        if files:
            probe.execute(_SCHEMA_SQL, {"files": files}).fetchall()
        if values_of:
            probe.execute(_VALUES_SQL, {"files": values_of}).fetchall()
    except duckdb.Error as exc:
        return _printable(str(exc))
    return None


def unreadable_parquet_files(files: list[str] | None, read_files: list[str] | None) -> list[dict[str, str]]:
    """{file, error} for each of `files` whose schema DuckDB cannot read, or, if it is in
    `read_files` too, whose values it cannot read; in the order of `files`.

    One bulk read when every file is fine (the usual case: the schemas of the 370 files of the
    default six months take ~0.02 s, all their values ~0.15 s); file by file only after the
    bulk read failed. Reads with its own in-memory DuckDB, never the warehouse.
    """
    files = list(files or [])
    listed = set(files)
    values_of = [f for f in dict.fromkeys(read_files or []) if f in listed]
    if not files:
        return []
    with duckdb.connect(":memory:") as probe:
        if _read_error(probe, files, values_of) is None:
            return []
        read = set(values_of)
        problems: list[dict[str, str]] = []
        for file in files:
            error = _read_error(probe, [file], [file] if file in read else [])
            if error is not None:
                problems.append({"file": file, "error": error})
        return problems


class Plugin(BasePlugin):
    """Registers ops_sla_unreadable_parquet_files on every connection dbt opens."""

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        conn.create_function(
            FUNCTION_NAME,
            unreadable_parquet_files,
            ["VARCHAR[]", "VARCHAR[]"],
            RETURN_TYPE,
            null_handling="special",
            side_effects=True,
        )
