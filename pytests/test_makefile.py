"""The Makefile keeps the demo and a team's own data apart.

The own-data targets never run the generator; `make demo-daily` appends a generated day only
after the warehouse has accepted a daily run, so a refusal leaves the raw folder as it was.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import ROOT, dbt_env, run_generator

# how the Makefile may call the generator (the script, or its module)
GENERATOR_CALLS = ("generate_data", "ops_sla.generator", "ops-sla-generate")


def make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # -o: take .venv as it is (never reinstall it from a test)
    return subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_own_data_targets_never_run_the_generator() -> None:
    for target in ("build", "daily", "publish", "docs"):
        proc = make("-n", target)
        assert proc.returncode == 0, proc.stderr
        assert not any(call in proc.stdout for call in GENERATOR_CALLS), (target, proc.stdout)
    for target in ("run", "demo", "demo-daily"):
        proc = make("-n", target)
        assert proc.returncode == 0, proc.stderr
        assert any(call in proc.stdout for call in GENERATOR_CALLS), (target, proc.stdout)


def _state(root: Path) -> dict[str, tuple]:
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else b"<dir>", p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))}


def test_refused_demo_daily_appends_no_day(tmp_path: Path) -> None:
    """A warehouse that refuses a daily run (here: none built yet) gets no generated day."""
    raw = tmp_path / "raw"
    run_generator(raw, "--cases", "5", "--start", "2025-10-01", "--end", "2025-10-01")
    before = _state(tmp_path)
    env = dbt_env(raw, tmp_path / "warehouse" / "ops_sla.duckdb", tmp_path / "target",
                  OPS_SLA_PUBLISH_DIR=str(tmp_path / "publish"), OPS_SLA_THREADS="1")
    proc = make("demo-daily", env=env)
    assert proc.returncode != 0
    # no full build: no manifest of one to compare the code with, and no build in the log
    assert "no manifest of a full build" in proc.stdout + proc.stderr, proc.stdout[-3000:]
    assert f"no day was generated, {raw} is unchanged" in proc.stderr, proc.stderr
    assert "generate_data" not in proc.stdout
    generated = ("raw", "raw_ground_truth")
    assert {k: v for k, v in _state(tmp_path).items() if k.split("/")[0] in generated} \
        == {k: v for k, v in before.items() if k.split("/")[0] in generated}
    assert not (tmp_path / "publish").exists()
