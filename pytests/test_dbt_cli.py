"""`python -m ops_sla.dbt_cli`, the Makefile's dbt: dbt's own command line and exit status,
with the garbage collector set for one command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import DBT, ROOT


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


# (not --version: it asks PyPI for the latest release, so two calls may print different lines)
@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["no-such-command"], ["build", "--no-such-flag"]])
def test_same_output_and_exit_status_as_dbt(args: list[str]) -> None:
    ours = _run([sys.executable, "-m", "ops_sla.dbt_cli", *args])
    theirs = _run([str(DBT), *args])
    assert ours.returncode == theirs.returncode
    assert ours.stdout == theirs.stdout
    assert ours.stderr.replace(str(DBT), "dbt") == theirs.stderr.replace(str(DBT), "dbt")


CHILD = """
import atexit, gc, json
from ops_sla import dbt_cli
default = gc.get_threshold()
atexit.register(lambda: print(json.dumps(
    {"default": default, "during": gc.get_threshold(), "frozen": gc.get_freeze_count()})))
dbt_cli.main(["--help"])
"""


def test_collects_the_young_generation_less_often_and_freezes_the_imports() -> None:
    proc = _run([sys.executable, "-c", CHILD])
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["during"][0] == 20_000 != seen["default"][0]
    assert seen["during"][1:] == seen["default"][1:]  # the older generations keep theirs
    assert seen["frozen"] > 10_000  # dbt's modules, classes and functions
