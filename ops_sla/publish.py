"""Write-audit-publish: hand the dbt-built marts to Tableau only after a clean `dbt build`.

dbt writes `$OPS_SLA_DB`; Tableau reads `$OPS_SLA_PUBLISH_DIR/ops_sla.duckdb`, a checked file
holding the marts (views materialised) and the reference seeds as tables, written in an older
DuckDB storage format (STORAGE_VERSION) so older readers (a Tableau install's DuckDB 1.x JDBC
driver) open it too. The raw, staging and intermediate layers are not published. DuckDB
allows one writer per file, so the reader never opens the file dbt writes, and a reader
holding the published file never blocks the next build: a new publish writes a temporary
file beside it and swaps it in with `os.replace` (readers keep the old inode).

    python -m ops_sla.publish                      # audit the last build, then publish
    python -m ops_sla.publish --target-path /tmp/t --publish-dir /tmp/pub

The audit refuses (exit 1, published file untouched) unless the warehouse's last build was a
complete `dbt build` in which every node passed, and every mart exists. When
target/run_results.json is that build's, it is audited node by node and must be the build
the warehouse logged last (ops_sla_meta.build_log); when a command that builds nothing
(`dbt docs generate`, `dbt compile`, `dbt show`, or a passing `dbt test`) wrote it since, the
warehouse's own build log is audited: its latest row must be a complete, successful build.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ops_sla.atomic import fsync_file, replacing
from ops_sla.paths import dbt_target_path, publish_dir, warehouse

MART_SCHEMA = "marts"
# the seeds (targets, scenarios, statuses, reasons) Tableau sheets may join
REFERENCE_SCHEMA = "reference"
# what the published file holds: every table and view of these schemas, as tables
PUBLISHED_SCHEMAS = (MART_SCHEMA, REFERENCE_SCHEMA)
# the storage format of the published file: readable by DuckDB 1.0 and later (and 0.10), so an
# older Tableau install's DuckDB JDBC driver opens it; the warehouse dbt writes is DuckDB 2.0's
STORAGE_VERSION = "v1.0.0"
# the Tableau-facing marts (docs/tableau.md); any other table in schema marts is published too
CORE_MARTS = ("case_sla", "sla_daily", "sla_by_tier_case_type", "sla_by_team", "driver_stage_durations",
              "congestion_daily", "scenario_results")
PUBLISHED_NAME = "ops_sla.duckdb"
MANIFEST_NAME = "manifest.json"
# a test that warns passed: its severity says the build goes on (the raw-file check naming the
# files ignored on purpose, e.g. _SUCCESS, is one); its rows are printed at the end of the build
OK_STATUSES = frozenset({"success", "pass", "warn"})
# the commands whose run_results.json is audited node by node (`dbt build`), or which wrote
# it after a build without changing the warehouse: then the warehouse's build log is audited.
# `dbt test` changes no model either, but its own results must pass too.
BUILD_COMMAND = "build"
NON_BUILDING_COMMANDS = frozenset({"generate", "compile", "show", "list", "parse", "debug"})
TEST_COMMAND = "test"
# args.which as the user typed the command
DBT_COMMAND_NAMES = {"generate": "dbt docs generate", "list": "dbt ls", "freshness": "dbt source freshness"}
# what a refusal tells the user to run: a full build, then this step
REBUILD = "`make build publish` (dbt build --full-refresh, then publish)"
# nodes that build or test data must succeed; others (exposures, saved queries) report "no-op"
DATA_NODE_TYPES = frozenset({"model", "seed", "snapshot", "test", "unit_test", "source", "operation"})
# run_results args that make a build partial (a subset of the project was built and tested)
PARTIAL_ARGS = ("select", "exclude", "selector", "resource_types", "exclude_resource_types")
# the daily run (`dbt build --selector daily`) is complete by design: it rebuilds what new raw
# files change, and its on-run-start guard refuses it unless the rest of the warehouse was
# fully built from the same code, vars and calendar (DECISIONLOG "Incremental runs"); with
# --full-refresh the guards do not run, so it is partial like any other selection
DAILY_SELECTOR = "daily"


class PublishError(RuntimeError):
    """The warehouse is not fit to publish; the message says why."""


@dataclass(frozen=True)
class BuildAudit:
    """What run_results.json says. `which` is the dbt command that wrote it; for a command
    that builds nothing (`builds` false) the other fields describe that command, and the
    build itself is audited in the warehouse's build log (audit_build_log)."""
    invocation_id: str
    dbt_version: str
    generated_at: str
    statuses: dict[str, int]
    mart_models: tuple[str, ...]
    which: str = BUILD_COMMAND

    @property
    def builds(self) -> bool:
        return self.which == BUILD_COMMAND


@dataclass(frozen=True)
class LoggedBuild:
    """The warehouse's newest ops_sla_meta.build_log row: the build the published file is made of."""
    invocation_id: str
    command: str
    status: str
    complete: bool
    selection: str | None
    full_refresh: bool
    started_at: str
    finished_at: str | None


@dataclass
class PublishResult:
    published: Path
    manifest: Path
    row_counts: dict[str, int] = field(default_factory=dict)


# --- reading a warehouse -------------------------------------------------------------------

def connect_read_only(db: Path, alias: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open `db` read-only under catalog `alias` (default: its file stem).

    dbt-duckdb's views name their catalog (the stem of the file dbt built), so a copy under
    another file name is attached under the original alias to keep such views working.
    """
    if not db.is_file():
        raise PublishError(f"no DuckDB file at {db}")
    alias = alias or db.stem
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH {quote_str(str(db))} AS {quote_ident(alias)} (READ_ONLY)")
        con.execute(f"USE {quote_ident(alias)}")
    except duckdb.Error:
        con.close()
        raise
    return con


def list_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """Tables and views in `schema` of the current catalog, sorted."""
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = current_database() and table_schema = ? order by table_name",
        [schema],
    ).fetchall()
    return [name for (name,) in rows]


def list_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views in schema marts of the current catalog, sorted."""
    return list_tables(con, MART_SCHEMA)


def count_rows(con: duckdb.DuckDBPyConnection, marts: Iterable[str], schema: str = MART_SCHEMA) -> dict[str, int]:
    return {m: con.execute(f"select count(*) from {schema}.{quote_ident(m)}").fetchone()[0] for m in marts}


def published_relations(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """{schema: tables and views} of the schemas the published file holds (PUBLISHED_SCHEMAS)."""
    return {schema: list_tables(con, schema) for schema in PUBLISHED_SCHEMAS}


def count_published_rows(con: duckdb.DuckDBPyConnection, relations: dict[str, list[str]]) -> dict[str, int]:
    """Rows per relation, keyed `schema.name`."""
    return {f"{schema}.{name}": n for schema, names in relations.items()
            for name, n in count_rows(con, names, schema).items()}


def storage_version(con: duckdb.DuckDBPyConnection, catalog: str) -> str | None:
    """The storage format an attached DuckDB file is written in (e.g. 'v1.0.0+': readable by
    DuckDB 1.0 and later), as duckdb_databases() reports it."""
    row = con.execute("select tags['storage_version'] from duckdb_databases() where database_name = ?",
                      [catalog]).fetchone()
    return row[0] if row else None


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --- audit -----------------------------------------------------------------------------------

_RELATION = re.compile(r'^"?(?P<db>[^".]+)"?\."?(?P<schema>[^".]+)"?\."?(?P<name>[^".]+)"?$')


def _passed(result: dict) -> bool:
    status, kind = result.get("status"), str(result.get("unique_id", "")).split(".", 1)[0]
    return status in OK_STATUSES or (status == "no-op" and kind not in DATA_NODE_TYPES)


def dbt_command(which: str | None) -> str:
    """A run_results.json `args.which` as the command a user types (`generate` -> `dbt docs generate`)."""
    return DBT_COMMAND_NAMES.get(str(which), f"dbt {which}")


def _failed_nodes(results: list[dict], invocation_id: object) -> str | None:
    bad = [r for r in results if not _passed(r)]
    if not bad:
        return None
    lines = [f"  {r.get('unique_id')}: {r.get('status')}"
             + (f" - {str(r.get('message'))[:160]}" if r.get("message") else "") for r in bad[:15]]
    more = f"\n  ... and {len(bad) - 15} more" if len(bad) > 15 else ""
    return (f"{len(bad)} of {len(results)} nodes did not succeed (invocation {invocation_id}):\n"
            + "\n".join(lines) + more)


def audit_run_results(run_results: Path, allow_partial: bool = False) -> BuildAudit:
    """Refuse unless run_results.json records a complete `dbt build` whose every node passed,
    or a command after it that builds nothing (then the build log is audited: `builds` false).

    Passed: status success (models, seeds, snapshots), pass (tests, unit tests) or warn (a test
    of severity warn); error, fail and skipped are refused. Exposures and other nodes that build nothing report no-op.
    """
    if not run_results.is_file():
        raise PublishError(f"no dbt run results at {run_results}: run {REBUILD} "
                           "(or pass --target-path / --run-results where the build wrote them)")
    try:
        doc = json.loads(run_results.read_text())
        meta, args, results = doc["metadata"], doc.get("args", {}), doc["results"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise PublishError(f"{run_results} is not a dbt run_results.json: {exc}") from exc

    which = args.get("which")
    audit = BuildAudit(
        invocation_id=str(meta.get("invocation_id")),
        dbt_version=str(meta.get("dbt_version")),
        generated_at=str(meta.get("generated_at")),
        statuses=dict(Counter(r.get("status") for r in results)),
        mart_models=(),
        which=str(which),
    )
    if which in NON_BUILDING_COMMANDS:
        return audit
    if which == TEST_COMMAND:
        failed = _failed_nodes(results, audit.invocation_id)
        if failed:
            raise PublishError(f"the `dbt test` run after the build did not pass: {failed}\n"
                               f"Fix the cause, then run {REBUILD}")
        return audit
    if which != BUILD_COMMAND:
        raise PublishError(f"the last dbt command in {run_results} was `{dbt_command(which)}`, not `dbt build`: "
                           "only a build runs the models and their tests together, and a command that writes "
                           f"the warehouse after it may have changed what the build tested. Run {REBUILD}")
    if args.get("empty"):
        raise PublishError(f"the last build ran with --empty (models built with no rows): run {REBUILD}")
    partial = {k: args[k] for k in PARTIAL_ARGS if args.get(k)}
    if partial == {"selector": DAILY_SELECTOR} and not args.get("full_refresh"):
        partial = {}
    elif partial and args.get("full_refresh"):
        partial["full_refresh"] = True  # it rebuilt part of the warehouse from scratch, unguarded
    if partial and not allow_partial:
        raise PublishError(f"the last build was partial ({partial}): run {REBUILD}, or pass --allow-partial")
    if not results:
        raise PublishError(f"the build in {run_results} ran no nodes: run {REBUILD}")

    failed = _failed_nodes(results, audit.invocation_id)
    if failed:
        raise PublishError(f"the build did not pass: {failed}\nFix the cause, then run {REBUILD}")

    marts = []
    for r in results:
        match = _RELATION.match(r.get("relation_name") or "")
        if str(r.get("unique_id", "")).startswith("model.") and match and match["schema"] == MART_SCHEMA:
            marts.append(match["name"])
    return BuildAudit(
        invocation_id=audit.invocation_id,
        dbt_version=audit.dbt_version,
        generated_at=audit.generated_at,
        statuses=audit.statuses,
        mart_models=tuple(sorted(marts)),
    )


def latest_logged_build(con: duckdb.DuckDBPyConnection) -> LoggedBuild:
    """The newest row of the warehouse's build log (every `dbt build` and `dbt run` logs itself:
    on-run-start `started`, on-run-end `success`/`failed`, and complete when it built every model
    of the project or of the daily selector)."""
    try:
        row = con.execute(
            "select invocation_id, command, status, complete, selection, full_refresh, started_at, finished_at"
            " from ops_sla_meta.build_log order by started_at desc limit 1").fetchone()
    except duckdb.Error as exc:
        raise PublishError(f"the warehouse has no build log (ops_sla_meta.build_log): {exc}\n"
                           f"Run {REBUILD}") from exc
    if row is None:
        raise PublishError(f"the warehouse's build log is empty: run {REBUILD}")
    invocation_id, command, status, complete, selection, full_refresh, started_at, finished_at = row
    return LoggedBuild(
        invocation_id=str(invocation_id), command=str(command), status=str(status), complete=bool(complete),
        selection=selection, full_refresh=bool(full_refresh), started_at=str(started_at),
        finished_at=None if finished_at is None else str(finished_at))


def check_build_log(con: duckdb.DuckDBPyConnection, invocation_id: str | None,
                    allow_partial: bool = False) -> LoggedBuild:
    """The warehouse must hold exactly what a complete, passing build made.

    `invocation_id`: the build recorded in run_results.json, which must be the newest logged
    one (a build killed midway never reaches on-run-end or writes run_results.json, which then
    still describes the *previous* build). None when a command that builds nothing wrote
    run_results.json after the build: the newest logged build is then judged on its own.
    """
    build = latest_logged_build(con)
    what = f"build {build.invocation_id} (`dbt {build.command}`, started {build.started_at})"
    if invocation_id is not None and build.invocation_id != invocation_id:
        raise PublishError(f"the warehouse was last touched by {what}, logged {build.status!r}, not by the build "
                           f"recorded in run_results.json ({invocation_id}): an interrupted build? Run {REBUILD}")
    if build.status == "started":
        raise PublishError(f"the warehouse's last {what} never finished: killed, or still running. "
                           f"Run {REBUILD}")
    if build.status != "success":
        raise PublishError(f"the warehouse's last {what} is logged as {build.status!r}, not 'success': "
                           f"fix the cause, then run {REBUILD}")
    if build.selection and "empty:" in build.selection:
        raise PublishError(f"the warehouse's last {what} ran with --empty (models built with no rows): "
                           f"run {REBUILD}")
    if not build.complete and not allow_partial:
        selection = f" (selection {build.selection})" if build.selection else ""
        raise PublishError(f"the warehouse's last {what}{selection} did not build every model of the project "
                           f"(or of the daily selector), e.g. `dbt run`, `dbt retry` or a resource-type filter: "
                           f"run {REBUILD}, or pass --allow-partial")
    return build


# --- publish ---------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_json_atomic(path: Path, payload: dict) -> None:
    with replacing(path, durable=True) as tmp:
        tmp.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")


def _remove(*paths: Path) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


def write_published_file(con: duckdb.DuckDBPyConnection, relations: dict[str, list[str]], dest: Path) -> None:
    """Write `relations` of the current catalog of `con` (the warehouse) into a new DuckDB file
    `dest` as tables, same schemas and names, in storage format STORAGE_VERSION; checkpointed,
    so the file holds everything without a WAL."""
    source = con.execute("select current_database()").fetchone()[0]
    out = "ops_sla_published" if source != "ops_sla_published" else "ops_sla_published_copy"
    con.execute(f"ATTACH {quote_str(str(dest))} AS {quote_ident(out)} (STORAGE_VERSION {quote_str(STORAGE_VERSION)})")
    try:
        for schema, names in relations.items():
            con.execute(f"CREATE SCHEMA {quote_ident(out)}.{quote_ident(schema)}")
            for name in names:
                # a view (most marts) is computed here, once, and stored as a table
                con.execute(f"CREATE TABLE {quote_ident(out)}.{quote_ident(schema)}.{quote_ident(name)} AS "
                            f"SELECT * FROM {quote_ident(source)}.{quote_ident(schema)}.{quote_ident(name)}")
        con.execute(f"CHECKPOINT {quote_ident(out)}")
    finally:
        con.execute(f"DETACH {quote_ident(out)}")


def publish(source: Path, out_dir: Path, run_results: Path, allow_partial: bool = False) -> PublishResult:
    """Audit, write the marts and seeds as tables, validate, fsync and atomically swap in the published file."""
    source, out_dir = source.resolve(), out_dir.resolve()
    audit = audit_run_results(run_results, allow_partial=allow_partial)
    dest = out_dir / PUBLISHED_NAME
    if dest == source:
        raise PublishError(f"the publish target {dest} is the warehouse dbt writes; use another publish dir")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{PUBLISHED_NAME}.{os.getpid()}.tmp"
    tmp_wal = tmp.with_name(tmp.name + ".wal")
    _remove(tmp, tmp_wal)  # left by a killed publish of a process with the same id
    try:
        # a shared (read-only) lock: refuses while dbt writes, and keeps writers out while we read
        try:
            src = connect_read_only(source)
        except duckdb.Error as exc:
            raise PublishError(f"cannot open {source} read-only (is dbt still writing it?): {exc}") from exc
        with src:
            relations = published_relations(src)
            missing = sorted((set(CORE_MARTS) | set(audit.mart_models)) - set(relations[MART_SCHEMA]))
            if missing:
                raise PublishError(f"marts missing from {source} schema {MART_SCHEMA}: {', '.join(missing)} "
                                   "(was the build run against another database file?)")
            build = check_build_log(src, audit.invocation_id if audit.builds else None, allow_partial)
            expected = count_published_rows(src, relations)
            write_published_file(src, relations, tmp)
        if tmp_wal.exists():
            raise PublishError(f"checkpoint of {tmp} left a WAL behind")
        with connect_read_only(tmp, alias=Path(PUBLISHED_NAME).stem) as con:
            got_relations = published_relations(con)
            got = count_published_rows(con, got_relations)
            version = storage_version(con, Path(PUBLISHED_NAME).stem)
        if got_relations != relations or got != expected:
            raise PublishError(f"the published file does not match the warehouse: {got} != {expected}")
        if version != f"{STORAGE_VERSION}+":
            raise PublishError(f"the published file is in storage format {version}, not {STORAGE_VERSION}+")
        fsync_file(tmp)
        stale_wal = dest.with_name(dest.name + ".wal")
        if stale_wal.exists():  # belongs to the old file; DuckDB would replay it onto the new one
            print(f"publish: removing stale {stale_wal}", file=sys.stderr)
            stale_wal.unlink()
        try:
            os.replace(tmp, dest)
        except PermissionError as exc:  # Windows: a reader without FILE_SHARE_DELETE holds dest
            raise PublishError(f"cannot replace {dest} ({exc}); close the program holding it "
                               "(on Windows, Tableau Desktop) and publish again") from exc
        if os.name == "posix":  # make the rename itself durable
            fsync_file(out_dir)
    finally:
        _remove(tmp, tmp_wal)

    mart_rows = {name.split(".", 1)[1]: n for name, n in got.items() if name.startswith(f"{MART_SCHEMA}.")}
    manifest = out_dir / MANIFEST_NAME
    write_json_atomic(manifest, {
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "published_db": str(dest),
        "source_db": str(source),
        "size_bytes": dest.stat().st_size,
        "sha256": _sha256(dest),
        "storage_version": STORAGE_VERSION,
        "dbt": {
            "command": build.command,
            "invocation_id": build.invocation_id,
            "started_at": build.started_at,
            "finished_at": build.finished_at,
            # what was audited: the build's own run_results.json, or (when a command that builds
            # nothing wrote run_results.json after it) the warehouse's build log alone
            "audited": "run_results.json and build_log" if audit.builds else "build_log",
            "run_results": str(run_results.resolve()),
            "run_results_command": dbt_command(audit.which),
            "run_results_invocation_id": audit.invocation_id,
            "dbt_version": audit.dbt_version,
            "run_results_generated_at": audit.generated_at,
            "node_statuses": audit.statuses,
        },
        "row_counts": mart_rows,
        "reference_row_counts": {name.split(".", 1)[1]: n for name, n in got.items()
                                 if name.startswith(f"{REFERENCE_SCHEMA}.")},
    })
    return PublishResult(published=dest, manifest=manifest, row_counts=mart_rows)


def add_publish_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options of the publish step, shared with `ops-sla-publish` (ops_sla/publish_all.py, which forwards them)."""
    parser.add_argument("--db", type=Path, default=None,
                        help="warehouse dbt built (default: $OPS_SLA_DB or data/ops_sla.duckdb)")
    parser.add_argument("--publish-dir", type=Path, default=None,
                        help="where ops_sla.duckdb and manifest.json go (default: $OPS_SLA_PUBLISH_DIR or publish/)")
    parser.add_argument("--target-path", type=Path, default=None,
                        help="dbt target folder holding run_results.json (default: $DBT_TARGET_PATH or target/)")
    parser.add_argument("--run-results", type=Path, default=None,
                        help="explicit run_results.json (overrides --target-path)")
    parser.add_argument("--allow-partial", action="store_true",
                        help="accept a build run with --select/--exclude (all of its nodes must still pass)")
    return parser


def publish_argv(args: argparse.Namespace) -> list[str]:
    """The publish options parsed by `add_publish_arguments`, as command-line arguments again."""
    argv: list[str] = []
    for option in ("db", "publish_dir", "target_path", "run_results"):
        value = getattr(args, option)
        if value is not None:
            argv += ["--" + option.replace("_", "-"), str(value)]
    if args.allow_partial:
        argv.append("--allow-partial")
    return argv


def build_parser() -> argparse.ArgumentParser:
    return add_publish_arguments(argparse.ArgumentParser(
        prog="python -m ops_sla.publish",
        description="Publish the marts and reference seeds of the dbt-built DuckDB warehouse for Tableau "
                    "(write-audit-publish), as tables in a DuckDB file older readers open too. Refuses, "
                    "leaving the published file untouched, unless the last `dbt build` passed completely."))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run_results = args.run_results or (args.target_path or dbt_target_path()) / "run_results.json"
    try:
        result = publish(args.db or warehouse(), args.publish_dir or publish_dir(), run_results,
                         allow_partial=args.allow_partial)
    except PublishError as exc:
        print(f"publish: REFUSED - {exc}\npublish: the previously published file (if any) is unchanged.",
              file=sys.stderr)
        return 1
    counts = ", ".join(f"{k}={v:,}" for k, v in result.row_counts.items())
    print(f"publish: {result.published} ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
