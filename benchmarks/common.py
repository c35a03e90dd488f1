"""Shared pieces of the benchmarks: the printed table and the working folder."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Row:
    """One line of the printed table: what was measured, the figure, the goal, pass/fail."""

    suite: str
    measure: str
    value: str
    goal: str = ""
    ok: bool | None = None
    note: str = ""


@dataclass
class Context:
    """Where the benchmark works (a scratch folder) and the full-scale raw data, if built."""

    work: Path
    raw: Path | None = None
    db: Path | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_measured(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Run a command in a child process: wall time and *that child's* peak resident memory.

    The child is reaped with os.wait4, whose rusage covers exactly this process (and its
    waited-for descendants), not every child the benchmark has run so far.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(seconds, usage.ru_maxrss / 1024, proc.returncode, out.read(), err.read())


def print_table(rows: list[Row], file=sys.stdout) -> None:
    headers = ("suite", "measure", "value", "goal", "ok", "note")
    cells = [(r.suite, r.measure, r.value, r.goal, "" if r.ok is None else ("yes" if r.ok else "NO"), r.note)
             for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line, file=file)
    print("-+-".join("-" * w for w in widths), file=file)
    for c in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)), file=file)


def rss_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
