"""The quick_exit plugin: at exit it closes the warehouse connection it was given (DuckDB
checkpoints the file), then freezes the garbage collector, and nothing is lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
from conftest import ROOT

# Runs in a child process. `observe` is registered with atexit before the plugin exists, so it
# runs after the plugin's own exit hook (atexit calls hooks last-registered first).
SCRIPT = textwrap.dedent("""
    import atexit, gc, sys
    import duckdb
    from dbt.adapters.duckdb.plugins import BasePlugin

    db = sys.argv[1]

    def observe():
        try:
            conn.execute("select 1")
            closed = False
        except duckdb.Error:
            closed = True
        print(f"closed={closed} frozen={gc.get_freeze_count() > 0}", flush=True)

    atexit.register(observe)
    plugin = BasePlugin.create("ops_sla.quick_exit")
    conn = duckdb.connect(db)
    plugin.configure_connection(conn)
    conn.execute("create table t as select range as i from range(1000)")
    conn.execute("insert into t values (-1)")
    print("frozen_before_exit=" + str(gc.get_freeze_count() > 0), flush=True)
""")


def test_at_exit_the_warehouse_is_closed_then_the_heap_frozen(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(db)], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    assert proc.stdout.split() == ["frozen_before_exit=False", "closed=True", "frozen=True"], proc.stderr
    # closed before the interpreter's teardown: checkpointed, no write-ahead log left
    assert not Path(f"{db}.wal").exists()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), min(i), max(i) from t").fetchone() == (1001, -1, 999)


def test_a_connection_closed_before_exit_is_no_error(tmp_path: Path) -> None:
    script = SCRIPT.replace('print("frozen_before_exit', 'conn.close()\nprint("frozen_before_exit')
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "w.duckdb")], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert proc.stdout.split() == ["frozen_before_exit=False", "closed=True", "frozen=True"], proc.stderr
    assert "Traceback" not in proc.stderr
