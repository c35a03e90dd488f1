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
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .world import Generation

# the generator's mark on a folder it created; a dot file at the folder's top, outside the
# contract's table folders, so the build never reads it
MARKER_NAME = ".ops_sla_generator.json"

WRITE_OPTIONS = dict(compression="zstd", compression_level=3, use_dictionary=True, write_statistics=True,
                     row_group_size=1 << 20)


def write_file(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, **WRITE_OPTIONS)


def write_partitioned(table: pa.Table, key: str, root: Path, since: np.datetime64 | None = None,
                      progress: Callable[[int], None] | None = None) -> list[str]:
    """``root/<key>=YYYY-MM-DD/part-0.parquet`` per value of ``key`` (the key is in the path only).

    The table must be sorted by ``key``. Returns the partition values written.
    """
    keys = table.column(key).to_numpy()
    body = table.drop_columns([key])
    values, starts = np.unique(keys, return_index=True)
    bounds = list(starts) + [len(keys)]
    written = []
    for j, value in enumerate(values):
        if since is not None and value < since:
            continue
        part = body.slice(bounds[j], bounds[j + 1] - bounds[j])
        write_file(part, root / f"{key}={value}" / "part-0.parquet")
        written.append(str(value))
        if progress is not None:
            progress(1)
    return written


def partition_count(table: pa.Table, key: str) -> int:
    return len(pc.unique(table.column(key)))


def write_generation(gen: Generation, raw: Path, truth: Path, since: np.datetime64 | None = None,
                     progress: Callable[[int], None] | None = None) -> None:
    """Write the raw contract to ``raw`` and the ground truth to ``truth``.

    Full mode (``since`` is None): both folders are written beside their targets and swapped
    in only when complete, so a reader never sees two generations mixed. Incremental mode:
    only partitions on/after ``since`` are added; small dimension files are replaced.

    The caller has checked with ``owner_problem`` that every folder touched here is the
    generator's own (or empty, or missing).
    """
    ex = gen.export
    if since is None:
        tmp_raw, tmp_truth = _sibling(raw, "tmp"), _sibling(truth, "tmp")
        _fresh_folder(tmp_raw, gen, "raw")
        _fresh_folder(tmp_truth, gen, "ground truth")
        write_partitioned(ex.cases, "intake_date", tmp_raw / "cases", progress=progress)
        write_partitioned(ex.events, "ingestion_date", tmp_raw / "events_log", progress=progress)
        write_file(gen.staffing, tmp_raw / "staffing_schedule" / "staffing_schedule.parquet")
        write_file(gen.calendar, tmp_raw / "calendar_dim" / "calendar_dim.parquet")
        write_partitioned(ex.faults, "batch_date", tmp_truth / "faults")
        _write_manifest(gen.manifest, tmp_truth)
        _swap(tmp_raw, raw)
        _swap(tmp_truth, truth)
        return
    staged = _sibling(raw, "increment")
    _fresh_folder(staged, gen, "increment")
    added = {
        "cases": write_partitioned(ex.cases, "intake_date", staged / "cases", since, progress),
        "events_log": write_partitioned(ex.events, "ingestion_date", staged / "events_log", since, progress),
        "faults": write_partitioned(ex.faults, "batch_date", staged / "faults", since),
    }
    for table, values in added.items():
        key = {"cases": "intake_date", "events_log": "ingestion_date", "faults": "batch_date"}[table]
        target_root = (truth if table == "faults" else raw) / table
        for value in values:
            target = target_root / f"{key}={value}"
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged / table / f"{key}={value}", target)
    for name, table in (("staffing_schedule", gen.staffing), ("calendar_dim", gen.calendar)):
        tmp = raw / name / f".{name}.parquet.tmp"
        write_file(table, tmp)
        os.replace(tmp, raw / name / f"{name}.parquet")
    shutil.rmtree(staged, ignore_errors=True)
    _write_manifest(gen.manifest, truth)


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
