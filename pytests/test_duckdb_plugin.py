"""ops_sla.duckdb_plugin: which parquet files DuckDB cannot read, each with its error, and the
columns of the others."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import damage_values_not_schema, duckdb_error, footer_start, garble_footer

from ops_sla.duckdb_plugin import FUNCTION_NAME, Plugin, check_parquet_files


def unreadable(files: list[str] | None) -> dict[str, str]:
    """file -> error, for the files check_parquet_files finds unreadable (in their order)."""
    return {c["file"]: c["error"] for c in check_parquet_files(files) if c["error"] is not None}


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
    checks = check_parquet_files(listed)
    assert [c["file"] for c in checks] == listed
    by_file = unreadable(listed)
    assert list(by_file) == [files["garbled"], files["bad_length"], files["missing"]]
    good = {c["file"]: c["columns"] for c in checks if c["error"] is None}
    assert good[files["good"]] == [{"name": "a", "duckdb_type": "BIGINT"}, {"name": "b", "duckdb_type": "VARCHAR"}]
    assert all(not c["columns"] for c in checks if c["error"] is not None)
    assert "don't know what type" in by_file[files["garbled"]]
    assert "Footer length error" in by_file[files["bad_length"]]
    assert "cannot be opened" in by_file[files["missing"]]
    assert all(error and error.isprintable() for error in by_file.values())


def test_names_a_file_whose_schema_reads_but_whose_data_does_not(files: dict[str, str], tmp_path: Path) -> None:
    """Damage to a column chunk's entry in the footer: parquet_schema (the hook's query)
    succeeds, reading the values fails; the build would stop in a model with an error that
    names no file."""
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(Path(files["good"]).read_bytes())
    damage_values_not_schema(damaged)
    assert list(unreadable([files["good"], str(damaged)])) == [str(damaged)]


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
    assert unreadable([str(path)]) == {}


@pytest.mark.parametrize("argument", [None, [], ["good", "good_too"]])
def test_nothing_when_every_file_is_readable(files: dict[str, str], argument: list[str] | None) -> None:
    listed = None if argument is None else [files[n] for n in argument]
    assert unreadable(listed) == {}


def test_the_plugin_registers_it_for_every_cursor(files: dict[str, str]) -> None:
    with duckdb.connect() as con:
        Plugin(name="duckdb_plugin", plugin_config={}).configure_connection(con)
        cursor = con.cursor()  # dbt-duckdb runs each thread's statements on a cursor
        listed = [files["good"], files["garbled"]]
        (got,) = cursor.execute(f"select {FUNCTION_NAME}(?)", [listed]).fetchone()
    assert [c["file"] for c in got] == listed
    assert got[0]["error"] is None and got[0]["columns"][0] == {"name": "a", "duckdb_type": "BIGINT"}
    assert "don't know what type" in got[1]["error"]


def test_names_the_column_with_text_that_is_not_utf8(files: dict[str, str], tmp_path: Path) -> None:
    """Invalid UTF-8 in a string column: DuckDB's count() never decodes it, a model's read does;
    the check decodes every value and names the column (the good file beside it is fine)."""
    path = tmp_path / "bad_text.parquet"
    offsets = pa.py_buffer(np.array([0, 2, 6], dtype=np.int32).tobytes())
    text = pa.StringArray.from_buffers(2, offsets, pa.py_buffer(b"ok\xff\xfeno"))
    pq.write_table(pa.table({"id": [1, 2], "status": pa.array(["A", "B"]), "note": text}), path)
    got = unreadable([files["good"], str(path)])
    assert list(got) == [str(path)]
    assert got[str(path)].startswith("column note holds text that is not valid UTF-8")
