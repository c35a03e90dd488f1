"""ops_sla.duckdb_plugin: which parquet files DuckDB cannot read, each with its error."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import damage_values_not_schema, duckdb_error, footer_start, garble_footer

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
    listed = [files[n] for n in ("good", "garbled", "good_too", "bad_length", "missing")]
    got = unreadable_parquet_files(listed, listed)
    by_file = {problem["file"]: problem["error"] for problem in got}
    assert list(by_file) == [files["garbled"], files["bad_length"], files["missing"]]
    assert "don't know what type" in by_file[files["garbled"]]
    assert "Footer length error" in by_file[files["bad_length"]]
    assert all(error and error.isprintable() for error in by_file.values())


def test_names_a_file_whose_schema_reads_but_whose_data_does_not(files: dict[str, str], tmp_path: Path) -> None:
    """Damage to a column chunk's entry in the footer: parquet_schema (the hook's query)
    succeeds, reading the values fails; the build would stop in a model with an error that
    names no file."""
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(Path(files["good"]).read_bytes())
    damage_values_not_schema(damaged)
    got = unreadable_parquet_files([files["good"], str(damaged)], [files["good"], str(damaged)])
    assert [problem["file"] for problem in got] == [str(damaged)]
    # a file the run does not read (loaded before) only needs its schema
    assert unreadable_parquet_files([files["good"], str(damaged)], [files["good"]]) == []


def test_metadata_the_build_never_reads_may_be_damaged(files: dict[str, str], tmp_path: Path) -> None:
    """An invalid byte in the writer's created_by string breaks parquet_file_metadata, but not
    the schema or the values: the file is readable and must not be refused."""
    data = Path(files["good"]).read_bytes()
    at = data.index(b"DuckDB", footer_start(data))  # created_by: "DuckDB version ..."
    path = tmp_path / "created_by.parquet"
    path.write_bytes(data[:at] + b"\xff" + data[at + 1:])
    assert duckdb_error("select * from parquet_file_metadata(?)", path) is not None
    with duckdb.connect() as con:
        assert con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone() == (500,)
    assert unreadable_parquet_files([str(path)], [str(path)]) == []


@pytest.mark.parametrize("argument", [None, [], ["good", "good_too"]])
def test_nothing_when_every_file_is_readable(files: dict[str, str], argument: list[str] | None) -> None:
    listed = None if argument is None else [files[n] for n in argument]
    assert unreadable_parquet_files(listed, listed) == []


def test_the_plugin_registers_it_for_every_cursor(files: dict[str, str]) -> None:
    with duckdb.connect() as con:
        Plugin(name="duckdb_plugin", plugin_config={}).configure_connection(con)
        cursor = con.cursor()  # dbt-duckdb runs each thread's statements on a cursor
        listed = [files["good"], files["garbled"]]
        (got,) = cursor.execute(f"select {FUNCTION_NAME}(?, ?)", [listed, []]).fetchone()
    assert [problem["file"] for problem in got] == [files["garbled"]]
    assert "don't know what type" in got[0]["error"]
