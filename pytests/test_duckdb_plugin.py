"""ops_sla.duckdb_plugin: which parquet files DuckDB cannot read, each with its error."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from test_bad_input import garble_footer

from ops_sla.duckdb_plugin import FUNCTION_NAME, Plugin, unreadable_parquet_files


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """Two good parquet files and three that DuckDB cannot read, in different ways."""
    good = tmp_path / "good.parquet"
    with duckdb.connect() as con:
        con.execute(f"copy (select range as a, 'x' || range as b from range(500)) to '{good}' (format parquet)")
    data = good.read_bytes()
    paths = {"good": good, "good_too": tmp_path / "good_too.parquet", "garbled": tmp_path / "garbled.parquet",
             "bad_length": tmp_path / "bad_length.parquet", "missing": tmp_path / "missing.parquet"}
    paths["good_too"].write_bytes(data)
    paths["garbled"].write_bytes(garble_footer(data))
    paths["bad_length"].write_bytes(data[:-8] + (len(data) * 2).to_bytes(4, "little") + b"PAR1")
    return {name: str(path) for name, path in paths.items()}


def test_names_exactly_the_unreadable_files_with_their_error(files: dict[str, str]) -> None:
    got = unreadable_parquet_files([files[n] for n in ("good", "garbled", "good_too", "bad_length", "missing")])
    by_file = {problem["file"]: problem["error"] for problem in got}
    assert list(by_file) == [files["garbled"], files["bad_length"], files["missing"]]
    assert "don't know what type" in by_file[files["garbled"]]
    assert "Footer length error" in by_file[files["bad_length"]]
    assert all(error and error.isprintable() for error in by_file.values())


@pytest.mark.parametrize("argument", [None, [], ["good", "good_too"]])
def test_nothing_when_every_file_is_readable(files: dict[str, str], argument: list[str] | None) -> None:
    assert unreadable_parquet_files(None if argument is None else [files[n] for n in argument]) == []


def test_the_plugin_registers_it_for_every_cursor(files: dict[str, str]) -> None:
    with duckdb.connect() as con:
        Plugin(name="duckdb_plugin", plugin_config={}).configure_connection(con)
        cursor = con.cursor()  # dbt-duckdb runs each thread's statements on a cursor
        (got,) = cursor.execute(f"select {FUNCTION_NAME}(?)", [[files["good"], files["garbled"]]]).fetchone()
    assert [problem["file"] for problem in got] == [files["garbled"]]
    assert "don't know what type" in got[0]["error"]
