"""Default locations, overridable by environment variables (see README)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def raw_dir() -> Path:
    return Path(os.environ.get("OPS_SLA_RAW_DIR", ROOT / "data" / "raw"))


def truth_dir(raw: Path | None = None) -> Path:
    """Ground truth of injected faults: beside the raw folder, never inside the contract."""
    if "OPS_SLA_TRUTH_DIR" in os.environ:
        return Path(os.environ["OPS_SLA_TRUTH_DIR"])
    raw = raw or raw_dir()
    return raw.parent / f"{raw.name}_ground_truth"


def warehouse() -> Path:
    return Path(os.environ.get("OPS_SLA_DB", ROOT / "data" / "ops_sla.duckdb"))


def publish_dir() -> Path:
    return Path(os.environ.get("OPS_SLA_PUBLISH_DIR", ROOT / "publish"))


def dbt_target_path(path: str | None = None) -> Path:
    """dbt's target folder: `path` (a --target-path), else $DBT_TARGET_PATH, else target/ (the
    project sets no target-path); a relative one is relative to the project, as dbt reads it."""
    target = Path(path or os.environ.get("DBT_TARGET_PATH", "target"))
    return target if target.is_absolute() else ROOT / target

