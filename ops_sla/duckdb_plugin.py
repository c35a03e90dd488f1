"""A dbt-duckdb plugin: the checks of raw parquet files that DuckDB's SQL cannot make per file.

A file that is not parquet, whose footer is damaged, or whose strings are not valid UTF-8 makes
DuckDB fail the whole query with an error that often names no file (e.g. "don't know what
type:") and never the column; SQL cannot catch an error per file (table functions take no column
arguments, and `try()` takes no subquery). So the model `raw_file_inventory` asks this function
about the files it lists, and records per file whether it can be read and its columns:

    ops_sla_check_parquet_files(files VARCHAR[])
        -> STRUCT(file VARCHAR, error VARCHAR, columns STRUCT(name VARCHAR, duckdb_type VARCHAR)[])[]
        one entry per file of `files`, in their order: `error` NULL and `columns` the file's
        top-level columns with DuckDB's type when DuckDB can read its schema and every value
        (strings decoded, so invalid UTF-8 is found); otherwise `error` says what is wrong
        (no PAR1 bytes: the size; a damaged footer or value: DuckDB's error, with the column
        when one column's values cannot be read) and `columns` is empty

"Read" is what the build does with a file: the schema, then every value of every column. Parquet
metadata the build never reads (e.g. the writer's `created_by` string) may be damaged.
profiles.yml loads the plugin (`plugins: [{module: ops_sla.duckdb_plugin}]`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin

FUNCTION_NAME = "ops_sla_check_parquet_files"
COLUMNS_TYPE = "STRUCT(name VARCHAR, duckdb_type VARCHAR)[]"
RETURN_TYPE = f"STRUCT(file VARCHAR, error VARCHAR, columns {COLUMNS_TYPE})[]"
_MAGIC = b"PAR1"
# the schema of files, without the root node parquet_schema reports first; nested fields have
# no DuckDB type of their own at the top level, so their rows are those of the top-level ones
_SCHEMA_SQL = """
    select file_name, name, duckdb_type
    from parquet_schema($files)
    where duckdb_type is not null
"""
# every value of every column, strings decoded (hash() needs them; count() does not)
_VALUES_SQL = "select count(*), min(hash(columns(*))) from read_parquet($files, union_by_name = true)"


class Column(TypedDict):
    name: str
    duckdb_type: str


class FileCheck(TypedDict):
    file: str
    error: str | None
    columns: list[Column]


def _printable(message: str) -> str:
    """The first line of an error, control characters escaped (a garbled footer's error ends
    with the raw byte DuckDB could not decode)."""
    lines = message.strip().splitlines()
    first = lines[0] if lines else "unknown error"
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in first)


def _not_parquet(file: str) -> str | None:
    """Why the file is not parquet at all (no PAR1 bytes at both ends), or None."""
    try:
        path = Path(file)
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4)
            handle.seek(max(size - 4, 0))
            tail = handle.read(4)
    except OSError as exc:
        return f"cannot be opened ({exc.strerror})"
    if size < 12 or head != _MAGIC or tail != _MAGIC:
        return f"{size} bytes, no PAR1 header/footer"
    return None


def _schemas(probe: duckdb.DuckDBPyConnection, files: list[str]) -> dict[str, list[Column]]:
    """file -> its columns, for `files` whose schema DuckDB reads (raises for a bad one)."""
    found: dict[str, list[Column]] = {f: [] for f in files}
    for file, name, duckdb_type in probe.execute(_SCHEMA_SQL, {"files": files}).fetchall():
        found[file].append({"name": name, "duckdb_type": duckdb_type})
    return found


def _read_values(probe: duckdb.DuckDBPyConnection, files: list[str]) -> None:
    probe.execute(_VALUES_SQL, {"files": files}).fetchall()


def _value_error(probe: duckdb.DuckDBPyConnection, file: str, columns: list[Column]) -> str | None:
    """DuckDB's error for reading the values of one file, with the first column it names, or None."""
    try:
        _read_values(probe, [file])
    except duckdb.Error as whole:
        for column in columns:
            quoted = '"' + column["name"].replace('"', '""') + '"'
            try:
                probe.execute(f"select min(hash({quoted})) from read_parquet($file)", {"file": file}).fetchall()
            except duckdb.Error as exc:
                if "not valid UTF8" in str(exc):
                    return f"column {column['name']} holds text that is not valid UTF-8; DuckDB: {_printable(str(exc))}"
                return f"DuckDB: {_printable(str(exc))} (reading column {column['name']})"
        return f"DuckDB: {_printable(str(whole))}"
    return None


def _check_one(probe: duckdb.DuckDBPyConnection, file: str) -> FileCheck:
    try:
        columns = _schemas(probe, [file])[file]
    except duckdb.Error as exc:
        return {"file": file, "error": f"DuckDB: {_printable(str(exc))}", "columns": []}
    error = _value_error(probe, file, columns)
    return {"file": file, "error": error, "columns": [] if error else columns}


def check_parquet_files(files: list[str] | None) -> list[FileCheck]:
    """A FileCheck per file of `files`, in their order (see the module's docstring).

    One bulk read of the schemas and one of the values when every file is fine (the usual case:
    the 370 files of the default six months take well under a second); file by file only after a
    bulk read failed. Reads with its own in-memory DuckDB, never the warehouse.
    """
    files = list(dict.fromkeys(files or []))
    if not files:
        return []
    checks: dict[str, FileCheck] = {}
    parquet = []
    for file in files:
        error = _not_parquet(file)
        if error is None:
            parquet.append(file)
        else:
            checks[file] = {"file": file, "error": error, "columns": []}
    with duckdb.connect(":memory:") as probe:
        try:
            schemas = _schemas(probe, parquet) if parquet else {}
            if parquet:
                _read_values(probe, parquet)
        except duckdb.Error:
            for file in parquet:
                checks[file] = _check_one(probe, file)
        else:
            for file in parquet:
                checks[file] = {"file": file, "error": None, "columns": schemas[file]}
    return [checks[file] for file in files]


class Plugin(BasePlugin):
    """Registers ops_sla_check_parquet_files on every connection dbt opens."""

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        conn.create_function(
            FUNCTION_NAME,
            check_parquet_files,
            ["VARCHAR[]"],
            RETURN_TYPE,
            null_handling="special",
            side_effects=True,
        )
