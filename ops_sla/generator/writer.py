"""Deterministic parquet output and all-or-nothing replacement of a generation.

Every folder the generator writes (the raw folder, the ground-truth folder and its own
temporary siblings) carries MARKER_NAME, written before anything else in it: the generator
replaces or appends to a folder only when it finds its marker there (or the folder is empty
or missing), so it never touches a team's own export (``owner_problem``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

from .world import CHUNK_CASES, Generation, Tally

# the generator's mark on a folder it created; a dot file at the folder's top, outside the
# contract's table folders, so the build never reads it
MARKER_NAME = ".ops_sla_generator.json"

WRITE_OPTIONS = dict(compression="zstd", compression_level=3, use_dictionary=True, write_statistics=True,
                     row_group_size=1 << 20)


def write_file(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, **WRITE_OPTIONS)


# the partitioned tables: (table, partition key, written to the raw folder or the ground
# truth, the order of rows within a partition -- as one pass over all cases sorts them)
PARTITIONED = (
    ("cases", "intake_date", "raw", (("case_id", "ascending"),)),
    ("events_log", "ingestion_date", "raw", (("event_id", "ascending"), ("ingestion_ts", "ascending"))),
    ("faults", "batch_date", "truth", (("fault_type", "ascending"), ("event_id", "ascending"))),
)
# the chunks' partitions wait here (Arrow IPC, uncompressed) until every chunk is simulated;
# a dot folder inside the generator's own temporary folder, removed before that is swapped in
SPOOL_NAME = ".spool"


def spool_partitions(table: pa.Table, key: str, root: Path, chunk: int, since: np.datetime64 | None) -> None:
    """``root/<key>=YYYY-MM-DD/<chunk>.arrow`` per value of ``key`` (the key is in the path only),
    leaving out values before ``since``. The table must be sorted by ``key``."""
    keys = table.column(key).to_numpy()
    body = table.drop_columns([key])
    values, starts = np.unique(keys, return_index=True)
    bounds = list(starts) + [len(keys)]
    for j, value in enumerate(values):
        if since is not None and value < since:
            continue
        folder = root / f"{key}={value}"
        folder.mkdir(parents=True, exist_ok=True)
        feather.write_feather(body.slice(bounds[j], bounds[j + 1] - bounds[j]), folder / f"{chunk:06d}.arrow",
                              compression="uncompressed")


def merge_partitions(spool: Path, root: Path, order: tuple[tuple[str, str], ...],
                     progress: Callable[[int], None] | None = None) -> list[str]:
    """One ``root/<key>=<value>/part-0.parquet`` per spooled partition: its chunks' rows, in
    the order one pass over all cases gives them. Returns the partition values written."""
    written = []
    for folder in sorted(spool.iterdir()) if spool.is_dir() else []:
        parts = sorted(folder.iterdir())
        table = pa.concat_tables([feather.read_table(part, memory_map=True) for part in parts])
        if len(parts) > 1:
            table = table.sort_by(list(order))
        write_file(table.combine_chunks(), root / folder.name / "part-0.parquet")
        written.append(folder.name.split("=", 1)[1])
        if progress is not None:
            progress(1)
    return written


def write_generation(gen: Generation, raw: Path, truth: Path, since: np.datetime64 | None = None,
                     on_day: Callable[[int], None] | None = None, on_file: Callable[[int], None] | None = None,
                     max_cases: int = CHUNK_CASES) -> dict:
    """Simulate ``gen`` a chunk of at most ``max_cases`` cases at a time, write the raw contract
    to ``raw`` and the ground truth to ``truth``, and return the manifest written.

    Memory is bounded by the chunk, not by the generation: each chunk's partitions are spooled
    to disk, then merged into one file per partition -- the same bytes whatever ``max_cases``.

    Full mode (``since`` is None): both folders are written beside their targets and swapped
    in only when complete, so a reader never sees two generations mixed. Incremental mode:
    only partitions on/after ``since`` are added; small dimension files are replaced.

    The caller has checked with ``owner_problem`` that every folder touched here is the
    generator's own (or empty, or missing).
    """
    if since is None:
        out_raw, out_truth = _sibling(raw, "tmp"), _sibling(truth, "tmp")
        _fresh_folder(out_raw, gen, "raw")
        _fresh_folder(out_truth, gen, "ground truth")
    else:
        out_raw = out_truth = _sibling(raw, "increment")
        _fresh_folder(out_raw, gen, "increment")
    spool = out_raw / SPOOL_NAME
    tally = Tally()
    for chunk, (lo, hi) in enumerate(gen.chunks(max_cases)):
        export = gen.export(lo, hi, progress=on_day)
        tally.add(export)
        for (name, key, _, _), table in zip(PARTITIONED, (export.cases, export.events, export.faults), strict=True):
            spool_partitions(table, key, spool / name, chunk, since)
        del export
    added = {}
    for name, _, role, order in PARTITIONED:
        added[name] = merge_partitions(spool / name, (out_truth if role == "truth" else out_raw) / name, order,
                                       on_file)
    shutil.rmtree(spool)
    manifest = gen.manifest(tally)
    if since is None:
        write_file(gen.staffing, out_raw / "staffing_schedule" / "staffing_schedule.parquet")
        write_file(gen.calendar, out_raw / "calendar_dim" / "calendar_dim.parquet")
        _write_manifest(manifest, out_truth)
        _swap(out_raw, raw)
        _swap(out_truth, truth)
        return manifest
    for name, key, role, _ in PARTITIONED:
        target_root = (truth if role == "truth" else raw) / name
        for value in added[name]:
            target = target_root / f"{key}={value}"
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(out_raw / name / f"{key}={value}", target)
    for name, table in (("staffing_schedule", gen.staffing), ("calendar_dim", gen.calendar)):
        tmp = raw / name / f".{name}.parquet.tmp"
        write_file(table, tmp)
        os.replace(tmp, raw / name / f"{name}.parquet")
    shutil.rmtree(out_raw, ignore_errors=True)
    _write_manifest(manifest, truth)
    return manifest


def _sibling(path: Path, tag: str) -> Path:
    return path.parent / f".{path.name}.{tag}"


def work_folders(raw: Path, truth: Path) -> list[Path]:
    """The temporary folders a generation may create (and remove) beside ``raw`` and ``truth``."""
    return [_sibling(raw, "tmp"), _sibling(raw, "old"), _sibling(raw, "increment"),
            _sibling(truth, "tmp"), _sibling(truth, "old")]


def marker(gen: Generation, role: str) -> dict:
    """What MARKER_NAME holds: who wrote the folder, and the settings of the full generation
    that created it (the ground truth's manifest.json has the current end after appends).
    No path and no time, so the same arguments still give byte-identical folders."""
    return {"written_by": "ops-sla synthetic data generator (ops-sla-generate), demo data only",
            "folder": role, "created_by_generation": gen.config.to_json()}


def _fresh_folder(folder: Path, gen: Generation, role: str) -> None:
    """An empty ``folder`` holding only the marker (a leftover of an earlier run, checked to be
    the generator's own, is removed first)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    _write_marker(folder, marker(gen, role))


def _write_marker(folder: Path, content: dict) -> None:
    (folder / MARKER_NAME).write_text(json.dumps(content, indent=2, sort_keys=True) + "\n")


def owner_problem(folder: Path, must_exist: bool = False) -> str | None:
    """Why the generator may not write to ``folder``, or None when it may: the folder is the
    generator's (its marker is there), or missing or empty (unless ``must_exist``: an
    incremental run appends only to a generation it wrote)."""
    if not os.path.lexists(folder):
        return "it does not exist" if must_exist else None
    if not folder.is_dir():
        return "it is not a folder"
    if (folder / MARKER_NAME).is_file():
        return None
    if must_exist:
        return f"it has no {MARKER_NAME}: it was not created by this generator"
    if any(folder.iterdir()):
        return f"it is not empty and has no {MARKER_NAME}: it was not created by this generator"
    return None


def _swap(new: Path, target: Path) -> None:
    old = _sibling(target, "old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _write_manifest(manifest: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / ".manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, folder / "manifest.json")


def read_manifest(truth: Path) -> dict:
    return json.loads((truth / "manifest.json").read_text())
