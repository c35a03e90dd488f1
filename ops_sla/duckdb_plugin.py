"""A dbt-duckdb plugin: the one check of the raw contract that DuckDB's SQL cannot make.

A parquet file whose PAR1 bytes are intact but whose footer metadata is garbled makes DuckDB
fail with an error such as "don't know what type:" that does not name the file, and SQL cannot
catch an error per file (table functions take no column arguments, and `try()` takes no
subquery). So the raw-contract hook (macros/assert_raw_contract.sql) asks this function which
of the files it is about to read cannot be read, and names them:

    ops_sla_unreadable_parquet_files(files VARCHAR[]) -> STRUCT(file VARCHAR, error VARCHAR)[]
        one (file, DuckDB's error) per file whose parquet metadata DuckDB cannot read;
        empty when every file can be read

profiles.yml loads it (`plugins: [{module: ops_sla.duckdb_plugin}]`).
"""

from __future__ import annotations

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin

FUNCTION_NAME = "ops_sla_unreadable_parquet_files"
RETURN_TYPE = "STRUCT(file VARCHAR, error VARCHAR)[]"
_METADATA_SQL = "select count(*) from parquet_file_metadata($files)"


def _printable(message: str) -> str:
    """The first line of an error, control characters escaped (a garbled footer's error ends
    with the raw byte DuckDB could not decode)."""
    first = message.strip().splitlines()[0] if message.strip() else type(message).__name__
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in first)


def unreadable_parquet_files(files: list[str] | None) -> list[dict[str, str]]:
    """{file, error} for each file whose parquet metadata DuckDB cannot read, in the given order.

    One bulk read when every file is fine (the usual case, ~15 ms for 370 files); file by file
    only after the bulk read failed. Reads with its own in-memory DuckDB, never the warehouse.
    """
    if not files:
        return []
    with duckdb.connect(":memory:") as probe:
        try:
            probe.execute(_METADATA_SQL, {"files": list(files)}).fetchall()
            return []
        except duckdb.Error:
            pass
        problems: list[dict[str, str]] = []
        for file in files:
            try:
                probe.execute(_METADATA_SQL, {"files": [file]}).fetchall()
            except duckdb.Error as exc:
                problems.append({"file": file, "error": _printable(str(exc))})
        return problems


class Plugin(BasePlugin):
    """Registers ops_sla_unreadable_parquet_files on every connection dbt opens."""

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        conn.create_function(
            FUNCTION_NAME,
            unreadable_parquet_files,
            ["VARCHAR[]"],
            RETURN_TYPE,
            null_handling="special",
            side_effects=True,
        )
