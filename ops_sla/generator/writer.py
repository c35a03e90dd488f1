"""Deterministic parquet output and all-or-nothing replacement of a generation."""

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
    """
    ex = gen.export
    if since is None:
        tmp_raw, tmp_truth = _sibling(raw, "tmp"), _sibling(truth, "tmp")
        for d in (tmp_raw, tmp_truth):
            shutil.rmtree(d, ignore_errors=True)
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
    shutil.rmtree(staged, ignore_errors=True)
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
