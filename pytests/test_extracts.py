"""Tableau extracts: every published mart as .hyper (read back with tableauhyperapi) and CSV."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, Warehouse
from tableauhyperapi import Connection, CreateMode, HyperProcess, SqlType, Telemetry, TypeTag

from ops_sla import extracts
from ops_sla import publish as pub

# (mart, SQL aggregate over that mart) compared between DuckDB, Hyper and CSV
CHECKS = [
    ("case_sla", "sum(sla_a_business_minutes_including_wait)"),
    ("case_sla", "sum(sla_a_business_minutes_paused_wait)"),
    ("case_sla", "sum(sla_b_business_minutes)"),
    ("case_sla", "sum(rework_business_minutes)"),
    ("case_sla", "count(*) filter (where sla_a_breached_including_wait)"),
    ("case_sla", "count(*) filter (where sla_a_breached_paused_wait)"),
    ("case_sla", "count(*) filter (where sla_b_breached)"),
    ("case_sla", "count(first_resolution_ts_local)"),
    ("sla_daily", "sum(cases_opened)"),
    ("sla_daily", "sum(sla_a_breached_cases_including_wait)"),
    ("driver_stage_durations", "sum(p95_business_minutes)"),
    ("scenario_results", "sum(total_hours_saved)"),
]
# naive local timestamps, compared as wall-clock text: a time-zone shift would show
TIMESTAMP_CHECKS = [
    ("case_sla", "min(intake_ts_local)"),
    ("case_sla", "max(first_resolution_ts_local)"),
    ("case_sla", "max(sla_a_breach_ts_local)"),
]


@pytest.fixture(scope="module")
def published(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("publish")
    pub.publish(warehouse.db, out, warehouse.target / "run_results.json")
    proc = subprocess.run([sys.executable, "-m", "ops_sla.extracts", "--db", str(out / pub.PUBLISHED_NAME),
                           "--out", str(out / "extracts")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def marts(published: Path) -> list[str]:
    with pub.connect_read_only(published / pub.PUBLISHED_NAME) as con:
        return pub.list_marts(con)


@pytest.fixture(scope="module")
def duck(published: Path):
    with pub.connect_read_only(published / pub.PUBLISHED_NAME) as con:
        yield con


@pytest.fixture(scope="module")
def hyper(tmp_path_factory: pytest.TempPathFactory):
    logs = tmp_path_factory.mktemp("hyper-logs")
    with HyperProcess(Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters={"log_dir": str(logs)}) as process:
        yield process


def hyper_query(process: HyperProcess, path: Path, sql: str):
    with Connection(process.endpoint, str(path), CreateMode.NONE) as con:
        return con.execute_scalar_query(sql)


def hyper_table(mart: str) -> str:
    return f'"{extracts.HYPER_SCHEMA}"."{mart}"'


def test_cli_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "ops_sla.extracts", "--help"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0 and "--formats" in proc.stdout


def test_one_file_per_mart_and_format(published: Path, marts: list[str]) -> None:
    assert set(pub.CORE_MARTS) <= set(marts)
    for fmt in extracts.FORMATS:
        folder = published / "extracts" / fmt
        assert sorted(p.name for p in folder.iterdir()) == sorted(f"{m}.{fmt}" for m in marts), \
            "one file per mart, no temporary files left"
    assert not list(ROOT.glob("hyperd*.log")), "the Hyper server must not log into the project folder"


def test_hyper_row_counts_and_sums(published: Path, marts: list[str], duck, hyper: HyperProcess) -> None:
    folder = published / "extracts" / "hyper"
    for mart in marts:
        expected = duck.execute(f"select count(*) from marts.{mart}").fetchone()[0]
        assert hyper_query(hyper, folder / f"{mart}.hyper", f"select count(*) from {hyper_table(mart)}") == expected
    for mart, agg in CHECKS:
        expected = duck.execute(f"select {agg} from marts.{mart}").fetchone()[0]
        got = hyper_query(hyper, folder / f"{mart}.hyper", f"select {agg} from {hyper_table(mart)}")
        assert got == pytest.approx(expected, rel=1e-9), (mart, agg)
        assert expected, f"{mart}: {agg} is empty on the test data; pick a check that means something"


def test_hyper_keeps_naive_timestamps(published: Path, marts: list[str], duck, hyper: HyperProcess) -> None:
    folder = published / "extracts" / "hyper"
    columns = duck.execute("select table_name, column_name, data_type from information_schema.columns "
                           "where table_schema = 'marts' and table_catalog = current_database()").fetchall()
    duck_types = {(t, c): d for t, c, d in columns}
    assert "TIMESTAMP WITH TIME ZONE" not in duck_types.values(), "marts must carry naive local timestamps"
    checked = 0
    for mart in marts:
        with Connection(hyper.endpoint, str(folder / f"{mart}.hyper"), CreateMode.NONE) as con:
            table = con.catalog.get_table_definition(con.catalog.get_table_names(extracts.HYPER_SCHEMA)[0])
            for column in table.columns:
                duck_type = duck_types[(mart, column.name.unescaped)]
                if duck_type == "TIMESTAMP":
                    assert column.type == SqlType.timestamp(), (mart, column.name)
                    checked += 1
                elif duck_type == "DATE":
                    assert column.type == SqlType.date(), (mart, column.name)
                assert column.type.tag != TypeTag.TIMESTAMP_TZ, (mart, column.name)
    assert checked >= 5
    for mart, agg in TIMESTAMP_CHECKS:
        expected = duck.execute(f"select {agg} from marts.{mart}").fetchone()[0]
        got = hyper_query(hyper, folder / f"{mart}.hyper", f"select {agg} from {hyper_table(mart)}").to_datetime()
        assert got.tzinfo is None and got == expected, (agg, got, expected)


def test_csv_row_counts_and_sums(published: Path, marts: list[str], duck) -> None:
    folder = published / "extracts" / "csv"
    with duckdb.connect() as con:
        for mart in marts:
            path = folder / f"{mart}.csv"
            expected = duck.execute(f"select count(*) from marts.{mart}").fetchone()[0]
            assert con.execute("select count(*) from read_csv(?, header = true)", [str(path)]).fetchone()[0] \
                == expected, mart
            header = path.open().readline().strip().split(",")
            assert header == [d[0] for d in duck.execute(f"select * from marts.{mart} limit 0").description]
        for mart, agg in CHECKS:
            expected = duck.execute(f"select {agg} from marts.{mart}").fetchone()[0]
            got = con.execute(f"select {agg} from read_csv(?, header = true)", [str(folder / f"{mart}.csv")]) \
                .fetchone()[0]
            assert got == pytest.approx(expected, rel=1e-9), (mart, agg)
        for mart, agg in TIMESTAMP_CHECKS:
            expected = duck.execute(f"select {agg} from marts.{mart}").fetchone()[0]
            column = agg.removeprefix("min(").removeprefix("max(").removesuffix(")")
            got = con.execute(f"select {agg} from read_csv(?, header = true, types = {{'{column}': 'TIMESTAMP'}})",
                              [str(folder / f"{mart}.csv")]).fetchone()[0]
            assert got == expected, (agg, got, expected)


def test_rewrite_removes_extracts_of_dropped_marts(published: Path, marts: list[str]) -> None:
    stale = published / "extracts" / "csv" / "dropped_mart.csv"
    stale.write_text("a\n1\n")
    written = extracts.write_extracts(published / pub.PUBLISHED_NAME, published / "extracts", ("csv",))
    assert not stale.exists()
    assert sorted(p.stem for p in written["csv"]) == marts
