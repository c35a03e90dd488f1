"""Write-audit-publish: only a passing `dbt build` reaches Tableau, atomically, never blocked by readers."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, Warehouse, dbt_env, run_daily, run_dbt

from ops_sla import publish as pub

# `make publish`'s command: publish, then the extracts and the dashboard (ops_sla/publish_all.py)
PUBLISH_ALL = str(Path(sys.executable).parent / "ops-sla-publish")


def run_publish(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ops_sla.publish", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_run_results(src: Path, dest_dir: Path, edit) -> Path:
    """A copy of a real run_results.json, edited to simulate another outcome."""
    doc = json.loads(src.read_text())
    edit(doc)
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / "run_results.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture(scope="module")
def published(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("publish")
    proc = run_publish("--db", warehouse.db, "--target-path", warehouse.target, "--publish-dir", out)
    assert proc.returncode == 0, proc.stderr
    assert "publish: " in proc.stdout
    return out


def test_cli_help() -> None:
    proc = run_publish("--help")
    assert proc.returncode == 0
    assert "--target-path" in proc.stdout and "--publish-dir" in proc.stdout


def test_script_takes_the_publish_options(tmp_path: Path) -> None:
    """ops-sla-publish (what `make publish` runs) accepts every option of the publish step,
    so the refusal's advice (--target-path / --run-results) works there too."""
    missing = tmp_path / "elsewhere" / "run_results.json"
    out = tmp_path / "publish"
    proc = subprocess.run([PUBLISH_ALL, "--run-results", str(missing), "--publish-dir",
                           str(out), "--db", str(tmp_path / "ops_sla.duckdb")], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 1, proc.stderr
    assert f"no dbt run results at {missing}" in proc.stderr and "--run-results" in proc.stderr
    assert not out.exists()
    usage = subprocess.run([PUBLISH_ALL, "--help"], cwd=ROOT, capture_output=True, text=True)
    assert usage.returncode == 0
    for option in ("--db", "--publish-dir", "--target-path", "--run-results", "--allow-partial", "--scale"):
        assert option in usage.stdout, option


def test_published_file_holds_the_marts_and_seeds_as_tables(warehouse: Warehouse, published: Path) -> None:
    """Exactly the marts (views materialised) and the reference seeds, as tables, row for row
    equal to the warehouse's; none of the raw, staging, intermediate or meta layers."""
    db = published / pub.PUBLISHED_NAME
    con = duckdb.connect()
    con.execute(f"attach '{warehouse.db}' as ops_sla (read_only)")  # its views name catalog ops_sla
    con.execute(f"attach '{db}' as published (read_only)")
    relations = {
        side: con.execute("select table_schema, table_name, table_type from information_schema.tables "
                          "where table_catalog = ? order by all", [side]).fetchall()
        for side in ("ops_sla", "published")
    }
    expected = [(schema, name) for schema, name, _ in relations["ops_sla"] if schema in ("marts", "reference")]
    assert {schema for schema, _, _ in relations["ops_sla"]} > {"marts", "reference"}  # more than that is built
    assert set(pub.CORE_MARTS) <= {name for schema, name in expected if schema == "marts"}
    assert any(kind == "VIEW" for schema, _, kind in relations["ops_sla"] if schema == "marts")
    assert [(schema, name) for schema, name, _ in relations["published"]] == expected
    assert {kind for _, _, kind in relations["published"]} == {"BASE TABLE"}
    for schema, name in expected:
        rows = con.execute(f"select count(*) from published.{schema}.{name}").fetchone()[0]
        only_warehouse, only_published = (con.execute(
            f"select count(*) from (from {a}.{schema}.{name} except all from {b}.{schema}.{name})").fetchone()[0]
            for a, b in (("ops_sla", "published"), ("published", "ops_sla")))
        assert (only_warehouse, only_published) == (0, 0), f"{schema}.{name}: {rows} rows"
    assert con.execute("select count(*) from published.marts.case_sla").fetchone()[0] > 0
    assert not (published / f"{pub.PUBLISHED_NAME}.wal").exists()
    assert [p.name for p in published.iterdir() if p.name.startswith(".")] == [], "temporary files left behind"


def test_published_file_opens_in_older_duckdb(warehouse: Warehouse, published: Path) -> None:
    """Written in storage format v1.0.0 (DuckDB 1.0 and later, e.g. an older Tableau install's
    JDBC driver, read it), while the warehouse is in DuckDB 2.0's format."""
    def header_version(path: Path) -> int:
        # a DuckDB file starts with a checksum (8 bytes), the magic "DUCK", the storage version number
        data = path.read_bytes()[:20]
        assert data[8:12] == b"DUCK", path
        return int.from_bytes(data[12:20], "little")

    assert header_version(published / pub.PUBLISHED_NAME) == 64  # what DuckDB 0.10 to 1.1 write and read
    assert header_version(warehouse.db) > 64
    with duckdb.connect() as con:
        con.execute(f"attach '{published / pub.PUBLISHED_NAME}' as published (read_only)")
        con.execute(f"attach '{warehouse.db}' as ops_sla (read_only)")
        assert pub.storage_version(con, "published") == "v1.0.0+"
        assert pub.storage_version(con, "ops_sla") != "v1.0.0+"


def test_manifest_describes_the_published_file(warehouse: Warehouse, published: Path) -> None:
    manifest = json.loads((published / pub.MANIFEST_NAME).read_text())
    run_results = json.loads((warehouse.target / "run_results.json").read_text())
    assert manifest["dbt"]["invocation_id"] == run_results["metadata"]["invocation_id"]
    assert manifest["source_db"] == str(warehouse.db.resolve())
    assert manifest["sha256"] == sha256(published / pub.PUBLISHED_NAME)
    assert manifest["published_at"]
    with pub.connect_read_only(published / pub.PUBLISHED_NAME) as con:
        assert manifest["row_counts"] == pub.count_rows(con, pub.list_marts(con))


def test_failed_build_is_refused_and_published_file_untouched(warehouse: Warehouse, published: Path,
                                                             tmp_path: Path) -> None:
    db = published / pub.PUBLISHED_NAME
    before, manifest_before, mtime = sha256(db), (published / pub.MANIFEST_NAME).read_text(), db.stat().st_mtime_ns

    def fail_one_test(doc: dict) -> None:
        victim = next(r for r in doc["results"] if r["unique_id"].startswith("test."))
        victim.update(status="fail", failures=3, message="Got 3 results, configured to fail if != 0")

    target = tmp_path / "target"
    write_run_results(warehouse.target / "run_results.json", target, fail_one_test)
    proc = run_publish("--db", warehouse.db, "--target-path", target, "--publish-dir", published)
    assert proc.returncode == 1
    assert "REFUSED" in proc.stderr and "did not pass" in proc.stderr and ": fail" in proc.stderr
    assert sha256(db) == before and db.stat().st_mtime_ns == mtime
    assert (published / pub.MANIFEST_NAME).read_text() == manifest_before
    assert [p.name for p in published.iterdir() if p.name.startswith(".")] == []


def _set(**args):
    return lambda doc: doc["args"].update(args)


def _status(status: str):
    return lambda doc: doc["results"][-1].update(status=status)


def test_audit_accepts_a_test_that_warns(warehouse: Warehouse, tmp_path: Path) -> None:
    """A test of severity warn (e.g. raw_file_ignored naming a _SUCCESS file) lets the build go
    on, and so does publish; an error or failure of the same node does not."""
    audit = pub.audit_run_results(write_run_results(warehouse.target / "run_results.json", tmp_path, _status("warn")))
    assert audit.statuses.get("warn") == 1


@pytest.mark.parametrize(("edit", "message"), [
    (_status("error"), "did not pass"),
    (_status("skipped"), "did not pass"),
    (lambda doc: next(r for r in doc["results"] if r["unique_id"].startswith("model.")).update(status="no-op"),
     "did not pass"),
    (_set(which="run"), "not `dbt build`"),
    (_set(select=["sla_daily"]), "partial"),
    (_set(selector="some_other_selector"), "partial"),
    (_set(selector="daily", select=["case_sla"]), "partial"),
    (_set(selector="daily", full_refresh=True), "partial"),  # unguarded: part rebuilt from scratch
    (_set(empty=True), "--empty"),
    (lambda doc: doc.update(results=[]), "ran no nodes"),
])
def test_audit_refuses(warehouse: Warehouse, tmp_path: Path, edit, message: str) -> None:
    run_results = write_run_results(warehouse.target / "run_results.json", tmp_path, edit)
    with pytest.raises(pub.PublishError, match=message):
        pub.publish(warehouse.db, tmp_path / "out", run_results)
    assert not (tmp_path / "out" / pub.PUBLISHED_NAME).exists()


def test_audit_accepts_the_daily_selector(warehouse: Warehouse, tmp_path: Path) -> None:
    """`make daily` publishes a `dbt build --selector daily` (complete by design, guarded)."""
    daily = _set(selector="daily", full_refresh=False)  # the fixture's build ran with --full-refresh
    run_results = write_run_results(warehouse.target / "run_results.json", tmp_path, daily)
    audit = pub.audit_run_results(run_results)
    assert audit.invocation_id


def test_refuses_without_run_results_or_marts(warehouse: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(pub.PublishError, match="no dbt run results .*: run `make build publish`"):
        pub.publish(warehouse.db, tmp_path / "out", tmp_path / "nothing" / "run_results.json")
    empty = tmp_path / "ops_sla.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(pub.PublishError, match="marts missing"):
        pub.publish(empty, tmp_path / "out", warehouse.target / "run_results.json")
    assert not (tmp_path / "out" / pub.PUBLISHED_NAME).exists()


def test_refuses_while_a_writer_holds_the_warehouse(warehouse: Warehouse, tmp_path: Path) -> None:
    db = tmp_path / "ops_sla.duckdb"
    shutil.copyfile(warehouse.db, db)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(db)!r})
        print('locked', flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(pub.PublishError, match="still writing"):
            pub.publish(db, tmp_path / "out", warehouse.target / "run_results.json")
    finally:
        holder.communicate("", timeout=30)
    assert not (tmp_path / "out" / pub.PUBLISHED_NAME).exists()


def test_open_reader_blocks_neither_rebuild_nor_republish(warehouse: Warehouse, tmp_path: Path) -> None:
    """Tableau holding the published file open must not block the next build (the daily run) + publish."""
    db, out, target = tmp_path / "ops_sla.duckdb", tmp_path / "publish", tmp_path / "target"
    shutil.copyfile(warehouse.db, db)
    first = pub.publish(db, out, warehouse.target / "run_results.json")
    first_invocation = json.loads(first.manifest.read_text())["dbt"]["invocation_id"]
    reader = duckdb.connect(str(first.published), read_only=True)
    try:
        before = reader.execute("select count(*), sum(sla_a_business_minutes_including_wait) "
                                "from marts.case_sla").fetchone()
        run_daily(warehouse.env(OPS_SLA_DB=str(db), DBT_TARGET_PATH=str(target), DBT_LOG_PATH=str(target / "logs")))
        proc = run_publish("--db", db, "--target-path", target, "--publish-dir", out)
        assert proc.returncode == 0, proc.stderr
        # the reader still sees its (old) file, undisturbed
        assert reader.execute("select count(*), sum(sla_a_business_minutes_including_wait) "
                              "from marts.case_sla").fetchone() == before
    finally:
        reader.close()
    manifest = json.loads((out / pub.MANIFEST_NAME).read_text())
    new_invocation = json.loads((target / "run_results.json").read_text())["metadata"]["invocation_id"]
    assert manifest["dbt"]["invocation_id"] == new_invocation != first_invocation
    with duckdb.connect(str(first.published), read_only=True) as con:
        assert con.execute("select count(*) from marts.case_sla").fetchone()[0] == before[0]


def test_retry_of_a_failed_build_is_not_published_as_complete(warehouse: Warehouse, tmp_path: Path) -> None:
    """`dbt retry` re-runs a failed build's failed nodes with that build's flags, so its
    run_results look like a whole passing build; the warehouse's build log knows it built one
    model, and publish refuses it (the watermark ignores it the same way)."""
    db = tmp_path / "ops_sla.duckdb"
    shutil.copyfile(warehouse.db, db)
    target = tmp_path / "target"
    shutil.copytree(warehouse.target, target, ignore=shutil.ignore_patterns("logs"))

    def fail_int_data_as_of(doc: dict) -> None:
        victim = next(r for r in doc["results"] if r["unique_id"] == "model.ops_sla.int_data_as_of")
        victim.update(status="error", message="simulated failure")

    write_run_results(warehouse.target / "run_results.json", target, fail_int_data_as_of)
    run_dbt(["retry"], dbt_env(warehouse.raw, db, target))
    retried = json.loads((target / "run_results.json").read_text())
    assert [r["unique_id"] for r in retried["results"] if not r["unique_id"].startswith("operation.")] == [
        "model.ops_sla.int_data_as_of"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select complete from ops_sla_meta.build_log order by started_at desc limit 1"
                           ).fetchone() == (False,)
    with pytest.raises(pub.PublishError, match="did not build every model"):
        pub.publish(db, tmp_path / "out", target / "run_results.json")
    assert pub.publish(db, tmp_path / "out", target / "run_results.json", allow_partial=True)


# --- commands after the build ----------------------------------------------------------------------

def _copy_of(warehouse: Warehouse, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the built warehouse and of its target folder (run_results.json of the build)."""
    db, target = tmp_path / "ops_sla.duckdb", tmp_path / "target"
    shutil.copyfile(warehouse.db, db)
    shutil.copytree(warehouse.target, target, ignore=shutil.ignore_patterns("logs"))
    return db, target


@pytest.mark.parametrize(("command", "which"), [
    (["docs", "generate"], "generate"),
    (["compile"], "compile"),
    (["ls"], "build"),  # dbt ls leaves run_results.json as the build wrote it
])
def test_commands_that_build_nothing_do_not_block_publishing(warehouse: Warehouse, tmp_path: Path,
                                                             command: list[str], which: str) -> None:
    """`dbt docs generate` / `dbt compile` rewrite run_results.json; publish then audits the
    warehouse's own build log (its newest row: the complete, passing build)."""
    db, target = _copy_of(warehouse, tmp_path)
    build_id = json.loads((target / "run_results.json").read_text())["metadata"]["invocation_id"]
    run_dbt(command, dbt_env(warehouse.raw, db, target))
    run_results = json.loads((target / "run_results.json").read_text())
    assert run_results["args"]["which"] == which
    proc = run_publish("--db", db, "--target-path", target, "--publish-dir", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "out" / pub.MANIFEST_NAME).read_text())
    assert manifest["dbt"]["invocation_id"] == build_id
    assert manifest["dbt"]["command"] == "build"
    assert manifest["dbt"]["audited"] == ("run_results.json and build_log" if which == "build" else "build_log")
    assert manifest["dbt"]["run_results_command"] == pub.dbt_command(which)


def _which(which: str):
    return lambda doc: doc["args"].update(which=which)


def test_a_passing_dbt_test_after_the_build_does_not_block_publishing(warehouse: Warehouse, tmp_path: Path) -> None:
    db, target = _copy_of(warehouse, tmp_path)

    def tests_only(doc: dict) -> None:
        doc["args"]["which"] = "test"
        doc["results"] = [r for r in doc["results"] if r["unique_id"].startswith("test.")]

    write_run_results(warehouse.target / "run_results.json", target, tests_only)
    assert pub.publish(db, tmp_path / "out", target / "run_results.json").row_counts["case_sla"] > 0

    def one_test_fails(doc: dict) -> None:
        tests_only(doc)
        doc["results"][0].update(status="fail", message="Got 2 results, configured to fail if != 0")

    write_run_results(warehouse.target / "run_results.json", target, one_test_fails)
    with pytest.raises(pub.PublishError, match=r"(?s)the `dbt test` run after the build did not pass.*: fail"
                                               r".*run `make build publish`"):
        pub.publish(db, tmp_path / "out2", target / "run_results.json")


@pytest.mark.parametrize(("which", "command"), [
    ("run", "dbt run"), ("seed", "dbt seed"), ("run-operation", "dbt run-operation"), ("snapshot", "dbt snapshot"),
])
def test_commands_that_write_after_the_build_are_refused(warehouse: Warehouse, tmp_path: Path, which: str,
                                                         command: str) -> None:
    run_results = write_run_results(warehouse.target / "run_results.json", tmp_path, _which(which))
    with pytest.raises(pub.PublishError, match=f"was `{command}`, not `dbt build`.*Run `make build publish`"):
        pub.publish(warehouse.db, tmp_path / "out", run_results)
    assert not (tmp_path / "out").exists()


def _log(db: Path, sql: str) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(sql)


@pytest.mark.parametrize(("state", "message"), [
    # the build's row as a build that failed leaves it (on-run-end: failed)
    ("update ops_sla_meta.build_log set status = 'failed'", r"is logged as 'failed', not 'success'"),
    # a newer build killed midway (on-run-start logged it; on-run-end never ran)
    ("insert into ops_sla_meta.build_log (invocation_id, started_at, status, command, complete) "
     "values ('killed-build', now(), 'started', 'build', false)", r"build killed-build .* never finished"),
    # a newer --empty build (complete false)
    ("insert into ops_sla_meta.build_log (invocation_id, started_at, finished_at, status, command, complete, "
     "selection) values ('empty-build', now(), now(), 'success', 'build', false, 'empty: true')", r"--empty"),
])
def test_after_a_non_building_command_a_bad_logged_build_is_refused(warehouse: Warehouse, tmp_path: Path,
                                                                    state: str, message: str) -> None:
    db, target = _copy_of(warehouse, tmp_path)
    write_run_results(warehouse.target / "run_results.json", target, _which("generate"))
    _log(db, state)
    published = tmp_path / "out"
    with pytest.raises(pub.PublishError, match=f"(?s){message}.*`make build publish`"):
        pub.publish(db, published, target / "run_results.json")
    assert not published.exists() or not (published / pub.PUBLISHED_NAME).exists()


def test_a_partial_build_then_docs_generate_is_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    """A real partial command (`dbt run --full-refresh` of one model: an incremental one outside
    the daily selector is refused before it writes), then `dbt compile`: the build log's
    newest row is that run, not a complete build, and publish says so and what to do."""
    db, target = _copy_of(warehouse, tmp_path)
    out = tmp_path / "out"
    first = pub.publish(db, out, target / "run_results.json")
    before = sha256(first.published)
    env = dbt_env(warehouse.raw, db, target)
    run_dbt(["run", "--full-refresh", "--select", "int_data_as_of"], env)
    run_dbt(["compile", "--select", "int_data_as_of"], env)
    assert json.loads((target / "run_results.json").read_text())["args"]["which"] == "compile"
    proc = run_publish("--db", db, "--target-path", target, "--publish-dir", out)
    assert proc.returncode == 1
    assert "REFUSED" in proc.stderr and "(`dbt run`," in proc.stderr
    assert "did not build every model of the project" in proc.stderr
    assert "run `make build publish`" in proc.stderr and "--allow-partial" in proc.stderr
    assert sha256(first.published) == before
