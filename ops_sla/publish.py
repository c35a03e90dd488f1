"""Write-audit-publish: hand the dbt-built warehouse to Tableau only after a clean `dbt build`.

dbt writes `$OPS_SLA_DB`; Tableau reads `$OPS_SLA_PUBLISH_DIR/ops_sla.duckdb`, a checked copy.
DuckDB allows one writer per file, so the reader never opens the file dbt writes, and a
reader holding the published file never blocks the next build: a new publish writes a
temporary file beside it and swaps it in with `os.replace` (readers keep the old inode).

    python -m ops_sla.publish                      # audit target/run_results.json, then publish
    python -m ops_sla.publish --target-path /tmp/t --publish-dir /tmp/pub

The audit refuses (exit 1, published file untouched) unless the last dbt command recorded in
run_results.json was a complete `dbt build` in which every node passed, and every mart exists.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
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
# the Tableau-facing marts (docs/tableau.md); any other table in schema marts is published too
CORE_MARTS = ("case_sla", "sla_daily", "sla_by_tier_case_type", "driver_stage_durations",
              "congestion_daily", "scenario_results")
PUBLISHED_NAME = "ops_sla.duckdb"
MANIFEST_NAME = "manifest.json"
OK_STATUSES = frozenset({"success", "pass"})
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
    invocation_id: str
    dbt_version: str
    generated_at: str
    statuses: dict[str, int]
    mart_models: tuple[str, ...]


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


def list_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views in schema marts of the current catalog, sorted."""
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = current_database() and table_schema = ? order by table_name",
        [MART_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def count_rows(con: duckdb.DuckDBPyConnection, marts: Iterable[str]) -> dict[str, int]:
    return {m: con.execute(f"select count(*) from {MART_SCHEMA}.{quote_ident(m)}").fetchone()[0] for m in marts}


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --- audit -----------------------------------------------------------------------------------

_RELATION = re.compile(r'^"?(?P<db>[^".]+)"?\."?(?P<schema>[^".]+)"?\."?(?P<name>[^".]+)"?$')


def _passed(result: dict) -> bool:
    status, kind = result.get("status"), str(result.get("unique_id", "")).split(".", 1)[0]
    return status in OK_STATUSES or (status == "no-op" and kind not in DATA_NODE_TYPES)


def audit_run_results(run_results: Path, allow_partial: bool = False) -> BuildAudit:
    """Refuse unless run_results.json records a complete `dbt build` whose every node passed.

    Passed: status success (models, seeds, snapshots) or pass (tests, unit tests); warn, error,
    fail and skipped are refused. Exposures and other nodes that build nothing report no-op.
    """
    if not run_results.is_file():
        raise PublishError(f"no dbt run results at {run_results}: run `dbt build` first "
                           "(or pass --target-path / --run-results)")
    try:
        doc = json.loads(run_results.read_text())
        meta, args, results = doc["metadata"], doc.get("args", {}), doc["results"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise PublishError(f"{run_results} is not a dbt run_results.json: {exc}") from exc

    which = args.get("which")
    if which != "build":
        raise PublishError(f"the last dbt command in {run_results} was `dbt {which}`, not `dbt build`: "
                           "only a build runs the models and their tests together")
    if args.get("empty"):
        raise PublishError("the last build ran with --empty (models built with no rows)")
    partial = {k: args[k] for k in PARTIAL_ARGS if args.get(k)}
    if partial == {"selector": DAILY_SELECTOR} and not args.get("full_refresh"):
        partial = {}
    elif partial and args.get("full_refresh"):
        partial["full_refresh"] = True  # it rebuilt part of the warehouse from scratch, unguarded
    if partial and not allow_partial:
        raise PublishError(f"the last build was partial ({partial}); publish a full `dbt build` "
                           "or pass --allow-partial")
    if not results:
        raise PublishError(f"the build in {run_results} ran no nodes")

    bad = [r for r in results if not _passed(r)]
    if bad:
        lines = [f"  {r.get('unique_id')}: {r.get('status')}"
                 + (f" - {str(r.get('message'))[:160]}" if r.get("message") else "") for r in bad[:15]]
        more = f"\n  ... and {len(bad) - 15} more" if len(bad) > 15 else ""
        raise PublishError(f"the build did not pass: {len(bad)} of {len(results)} nodes did not succeed "
                           f"(invocation {meta.get('invocation_id')}):\n" + "\n".join(lines) + more)

    marts = []
    for r in results:
        match = _RELATION.match(r.get("relation_name") or "")
        if str(r.get("unique_id", "")).startswith("model.") and match and match["schema"] == MART_SCHEMA:
            marts.append(match["name"])
    return BuildAudit(
        invocation_id=str(meta.get("invocation_id")),
        dbt_version=str(meta.get("dbt_version")),
        generated_at=str(meta.get("generated_at")),
        statuses=dict(Counter(r["status"] for r in results)),
        mart_models=tuple(sorted(marts)),
    )


def check_build_log(con: duckdb.DuckDBPyConnection, invocation_id: str, allow_partial: bool = False) -> None:
    """The warehouse must hold exactly what the recorded build made.

    Each `dbt build` and `dbt run` logs itself in ops_sla_meta.build_log (on-run-start: started;
    on-run-end: success/failed, and complete when it built every model of the project or of the
    daily selector). A build killed midway never reaches on-run-end, and run_results.json still
    describes the *previous* build: the newest log row then is not that build.
    """
    try:
        row = con.execute("select invocation_id, status, complete from ops_sla_meta.build_log "
                          "order by started_at desc limit 1").fetchone()
    except duckdb.Error as exc:
        raise PublishError(f"the warehouse has no build log (ops_sla_meta.build_log): {exc}") from exc
    if row is None:
        raise PublishError("the warehouse's build log is empty: run `make build` (dbt build --full-refresh) first")
    latest, status, complete = row
    if latest != invocation_id:
        raise PublishError(f"the warehouse was last touched by build {latest} ({status}), not by the build "
                           f"recorded in run_results.json ({invocation_id}): an interrupted build? "
                           "Run `make build` (dbt build --full-refresh), then publish")
    if status != "success":
        raise PublishError(f"build {latest} is logged as {status!r} in the warehouse, not 'success'")
    if not complete and not allow_partial:
        raise PublishError(f"build {latest} did not build every model of the project (or of the daily "
                           "selector), e.g. `dbt retry` or a resource-type filter; run `make build`, or pass "
                           "--allow-partial")


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


def publish(source: Path, out_dir: Path, run_results: Path, allow_partial: bool = False) -> PublishResult:
    """Audit, copy, checkpoint, validate, fsync and atomically swap in the published warehouse."""
    source, out_dir = source.resolve(), out_dir.resolve()
    audit = audit_run_results(run_results, allow_partial=allow_partial)
    dest = out_dir / PUBLISHED_NAME
    if dest == source:
        raise PublishError(f"the publish target {dest} is the warehouse dbt writes; use another publish dir")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{PUBLISHED_NAME}.{os.getpid()}.tmp"
    tmp_wal = tmp.with_name(tmp.name + ".wal")
    alias = source.stem
    try:
        # a shared (read-only) lock: refuses while dbt writes, and keeps writers out while we copy
        try:
            src = connect_read_only(source, alias)
        except duckdb.Error as exc:
            raise PublishError(f"cannot open {source} read-only (is dbt still writing it?): {exc}") from exc
        with src:
            marts = list_marts(src)
            missing = sorted((set(CORE_MARTS) | set(audit.mart_models)) - set(marts))
            if missing:
                raise PublishError(f"marts missing from {source} schema {MART_SCHEMA}: {', '.join(missing)} "
                                   "(was the build run against another database file?)")
            check_build_log(src, audit.invocation_id, allow_partial)
            expected = count_rows(src, marts)
            shutil.copyfile(source, tmp)
            src_wal = source.with_name(source.name + ".wal")
            if src_wal.exists():
                shutil.copyfile(src_wal, tmp_wal)
        # fold any WAL into the copy, so the published file is one self-contained file
        with duckdb.connect(":memory:") as con:
            con.execute(f"ATTACH {quote_str(str(tmp))} AS {quote_ident(alias)}")
            con.execute(f"CHECKPOINT {quote_ident(alias)}")
            con.execute(f"DETACH {quote_ident(alias)}")
        if tmp_wal.exists():
            raise PublishError(f"checkpoint of {tmp} left a WAL behind")
        with connect_read_only(tmp, alias) as con:
            got = count_rows(con, list_marts(con))
        if got != expected:
            raise PublishError(f"the copy does not match the warehouse: {got} != {expected}")
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

    manifest = out_dir / MANIFEST_NAME
    write_json_atomic(manifest, {
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "published_db": str(dest),
        "source_db": str(source),
        "size_bytes": dest.stat().st_size,
        "sha256": _sha256(dest),
        "dbt": {
            "command": "build",
            "invocation_id": audit.invocation_id,
            "dbt_version": audit.dbt_version,
            "run_results_generated_at": audit.generated_at,
            "run_results": str(run_results.resolve()),
            "node_statuses": audit.statuses,
        },
        "row_counts": got,
    })
    return PublishResult(published=dest, manifest=manifest, row_counts=got)


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
        description="Publish the dbt-built DuckDB warehouse for Tableau (write-audit-publish). Refuses, "
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
