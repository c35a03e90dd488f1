"""`ops-sla-findings`: the findings table from a warehouse, and one-line errors without one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, Warehouse

from ops_sla.findings import ORIGINAL

PROG = "ops-sla-findings"


def run_findings(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / PROG), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("findings: error: "), proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert proc.stdout == ""


def test_usage_names_the_command() -> None:
    proc = run_findings("--help")
    assert proc.returncode == 0
    assert proc.stdout.startswith(f"usage: {PROG} "), proc.stdout


def test_missing_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "ops_sla.duckdb"
    assert_one_line_error(run_findings("--db", db), f"no warehouse at {db}")


@pytest.mark.parametrize("what", ["text_file", "folder", "truncated"])
def test_file_that_is_not_a_duckdb_database(tmp_path: Path, what: str) -> None:
    # it used to end in a raw _duckdb.IOException traceback
    db = tmp_path / "ops_sla.duckdb"
    if what == "text_file":
        db = ROOT / "README.md"
    elif what == "folder":
        db.mkdir()
    else:
        db.write_bytes(b"\0" * 100)
    assert_one_line_error(run_findings("--db", db), f"cannot open {db}", "DuckDB database")


def test_database_without_marts(tmp_path: Path) -> None:
    db = tmp_path / "ops_sla.duckdb"
    duckdb.connect(str(db)).close()
    assert_one_line_error(run_findings("--db", db), f"{db} has no built marts", "make build")


def test_findings_table_from_the_warehouse(warehouse: Warehouse) -> None:
    proc = run_findings("--db", warehouse.db, "--markdown")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "| finding | ops-sla | original |"
    assert len(lines) == 2 + len(ORIGINAL)
    assert "n/a" not in proc.stdout


def test_text_table_says_what_it_describes(warehouse: Warehouse) -> None:
    """The figures move with every daily run: the plain table first says how many cases and
    as of when."""
    proc = run_findings("--db", warehouse.db)
    assert proc.returncode == 0, proc.stderr
    ((cases,),) = warehouse.query("select count(*) from marts.case_sla")
    ((as_of,),) = warehouse.query("select as_of_ts_local from marts.data_as_of")
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"{cases:,} cases with intake ") and f"data as of {as_of:%Y-%m-%d %H:%M} " in first
