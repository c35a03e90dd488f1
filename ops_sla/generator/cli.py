"""Command line of the generator (``python scripts/generate_data.py --help``)."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import NoReturn

import numpy as np
from tqdm import tqdm

from ops_sla import paths
from ops_sla.calendar import CalendarError, holiday_names, zone

from .world import Config, build
from .writer import read_manifest, write_generation


class UsageError(Exception):
    """A bad argument: reported on one line, nothing written."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is reported on one line (no usage block), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    d = Config()
    p = _Parser(
        prog="generate_data.py",
        description="Write a deterministic synthetic ops-sla raw data set (cases, events_log, "
        "staffing_schedule, calendar_dim as parquet) plus the ground truth of every injected fault.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--cases", type=int, default=d.cases, help="number of cases (full mode)")
    p.add_argument("--start", type=dt.date.fromisoformat, default=d.start, help="first intake date")
    p.add_argument("--end", type=dt.date.fromisoformat, default=d.end,
                   help="last intake date; the export is cut at the following midnight, team time")
    p.add_argument("--seed", type=int, default=d.seed, help="random seed")
    p.add_argument("--out", type=Path, default=None, help="raw folder (default: $OPS_SLA_RAW_DIR or data/raw)")
    p.add_argument("--truth-out", type=Path, default=None,
                   help="ground-truth folder (default: $OPS_SLA_TRUTH_DIR or <out>_ground_truth)")
    p.add_argument("--holiday-country", default=d.holiday_country, help="country code for the holidays package")
    p.add_argument("--holiday-subdiv", default=d.holiday_subdiv, help="subdivision (state/province), optional")
    p.add_argument("--team-tz", default=d.team_tz, help="IANA time zone of the team")
    p.add_argument("--mode", choices=("full", "incremental"), default="full",
                   help="full: replace the folder; incremental: append the next --days days")
    p.add_argument("--days", type=int, default=1, help="incremental mode: number of days to append")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p.parse_args(argv)


def _check_writable(folder: Path) -> None:
    probe = folder.resolve()
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write to {folder} ({probe} is not a writable folder)")
    # os.access says yes to root everywhere (/proc, /sys): try it, leaving nothing behind
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".generate_data-probe-", dir=probe))
    except OSError as exc:
        raise UsageError(f"cannot write to {folder} ({probe}: {exc.strerror})") from None


def resolve(args: argparse.Namespace) -> tuple[Config, Path, Path, dict | None]:
    raw = args.out or paths.raw_dir()
    truth = args.truth_out or paths.truth_dir(raw)
    _check_writable(raw)
    _check_writable(truth)
    if args.mode == "incremental":
        if args.days < 1:
            raise UsageError("--days must be at least 1")
        try:
            manifest = read_manifest(truth)
        except FileNotFoundError:
            raise UsageError(f"no earlier generation in {truth} (manifest.json missing): "
                             "run a full generation first") from None
        old = Config.from_json(manifest["config"])
        return dataclasses.replace(old, end=old.end + dt.timedelta(days=args.days)), raw, truth, manifest
    if args.cases < 1:
        raise UsageError("--cases must be a positive number of cases")
    if args.end < args.start:
        raise UsageError(f"--end {args.end} is before --start {args.start}")
    cfg = Config(cases=args.cases, start=args.start, end=args.end, seed=args.seed, team_tz=args.team_tz,
                 holiday_country=args.holiday_country, holiday_subdiv=args.holiday_subdiv)
    try:
        zone(cfg.team_tz)
        holiday_names(cfg.start, cfg.start, cfg.holiday_country, cfg.holiday_subdiv)
    except CalendarError as exc:
        raise UsageError(str(exc)) from None
    return cfg, raw, truth, None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        cfg, raw, truth, manifest = resolve(args)
    except UsageError as exc:
        print(f"generate_data.py: error: {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    n_days = (cfg.end - cfg.start).days + 1
    with tqdm(total=n_days, desc="simulating days", unit="day", disable=args.no_progress, leave=False) as bar:
        if manifest is None:
            gen = build(cfg, progress=bar.update)
            since = None
        else:
            gen = build(cfg, day_counts=manifest["day_counts"], weekday_rate=manifest["weekday_rate"],
                        closed_day_capacity=manifest.get("closed_day_capacity"), progress=bar.update)
            since = np.datetime64(Config.from_json(manifest["config"]).end + dt.timedelta(days=1))
    with tqdm(desc="writing partitions", unit="file", disable=args.no_progress, leave=False) as bar:
        write_generation(gen, raw, truth, since=since, progress=bar.update)
    rows = gen.manifest["rows"]
    print(f"{args.mode} generation {cfg.start}..{cfg.end}: {rows['cases']:,} cases, {rows['events_log']:,} events "
          f"-> {raw} (ground truth: {truth}) in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
