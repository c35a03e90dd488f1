"""Command line of the generator (``ops-sla-generate --help``)."""

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

from .params import Params
from .teams import load_teams
from .world import CHUNK_CASES, Config, build
from .writer import owner_problem, read_manifest, work_folders, write_generation


class UsageError(Exception):
    """A bad argument: reported on one line, nothing written."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is reported on one line (no usage block), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


# Options that describe a new generation. An incremental run continues the earlier generation
# with the settings recorded in its manifest, so it refuses them rather than ignoring them;
# each defaults to None so that an option given explicitly can be told from one left out.
FULL_ONLY = ("cases", "start", "end", "seed", "holiday_country", "holiday_subdiv", "team_tz", "world", "schedules_dir")
INCREMENTAL_ONLY = ("days",)
DEFAULT_DAYS = 1


def _option(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    d = Config()
    p = _Parser(
        prog="ops-sla-generate",
        description="Write a deterministic synthetic ops-sla raw data set (cases, events_log, "
        "staffing_schedule, calendar_dim as parquet) plus the ground truth of every injected fault.",
        epilog="--cases, --start, --end, --seed, --holiday-country, --holiday-subdiv, --team-tz, --world and "
        "--schedules-dir describe a full generation; --mode incremental continues the earlier one with the "
        "settings in its manifest and refuses them. --days is for --mode incremental only. The data is for "
        "demos and tests: the generator writes only to a folder it created (marked by .ops_sla_generator.json) "
        "or an empty or new one, and refuses any other (a team's own export), changing nothing.",
    )
    p.add_argument("--cases", type=int, default=None, help=f"number of cases (default: {d.cases})")
    p.add_argument("--start", type=dt.date.fromisoformat, default=None, help=f"first intake date (default: {d.start})")
    p.add_argument("--end", type=dt.date.fromisoformat, default=None,
                   help=f"last intake date; the export is cut at the following midnight, team time (default: {d.end})")
    p.add_argument("--seed", type=int, default=None, help=f"random seed (default: {d.seed})")
    p.add_argument("--out", type=Path, default=None, help="raw folder (default: $OPS_SLA_RAW_DIR or data/raw)")
    p.add_argument("--truth-out", type=Path, default=None,
                   help="ground-truth folder (default: $OPS_SLA_TRUTH_DIR or <out>_ground_truth)")
    p.add_argument("--holiday-country", default=None,
                   help=f"country code for the holidays package (default: {d.holiday_country})")
    p.add_argument("--holiday-subdiv", default=None, help="subdivision (state/province), optional (default: none)")
    p.add_argument("--team-tz", default=None, help=f"IANA time zone of the team (default: {d.team_tz})")
    p.add_argument("--world", choices=("default", "global"), default=None,
                   help="default: one team in --team-tz working the default hours (08:00-18:00, --holiday-country "
                   "holidays); global: the teams of the schedule seeds (team_schedules.csv), each case owned by a "
                   "team and worked in its schedule's hours, some handed off follow-the-sun (HANDOFF events); "
                   "partition dates, calendar_dim and mislabelled times stay in --team-tz (default: default)")
    p.add_argument("--schedules-dir", type=Path, default=None,
                   help="--world global: folder of schedules.csv, schedule_hours.csv, schedule_closures.csv and "
                   "team_schedules.csv (default: the project's seeds/)")
    p.add_argument("--mode", choices=("full", "incremental"), default="full",
                   help="full: replace the folder; incremental: append the next --days days (default: full)")
    p.add_argument("--days", type=int, default=None,
                   help=f"incremental mode: number of days to append (default: {DEFAULT_DAYS})")
    p.add_argument("--chunk-cases", type=int, default=CHUNK_CASES,
                   help="cases simulated at a time: bounds the generator's memory (about 0.5 GB per 100,000); "
                   f"the files written do not depend on it (default: {CHUNK_CASES:,})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p.parse_args(argv)


def _given(args: argparse.Namespace, dests: tuple[str, ...]) -> list[str]:
    """The options among ``dests`` given on the command line, as spelled there."""
    return [_option(dest) for dest in dests if getattr(args, dest) is not None]


def _check_mode_options(args: argparse.Namespace) -> None:
    if args.mode == "incremental":
        given = _given(args, FULL_ONLY)
        if given:
            verb, pronoun = ("is", "it") if len(given) == 1 else ("are", "them")
            raise UsageError(f"{', '.join(given)} {verb} for a full generation only: --mode incremental continues "
                             f"the earlier generation with the settings in its manifest (leave {pronoun} out, or "
                             "generate again in full mode)")
    else:
        given = _given(args, INCREMENTAL_ONLY)
        if given:
            raise UsageError(f"{', '.join(given)} is for --mode incremental only: a full generation covers "
                             "--start..--end")


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


def _check_own_folders(raw: Path, truth: Path, incremental: bool) -> None:
    """The generator writes demo data: it replaces (full mode) or appends to (incremental
    mode) only folders it created, so a team's own export is never touched. Checked before
    anything is written (the writability probe too)."""
    what = "append to" if incremental else "replace"
    if incremental and not os.path.lexists(raw) and (truth / "manifest.json").is_file():
        raise UsageError(f"no earlier generation in {raw} to append to (it does not exist): run a full "
                         "generation first")
    # an incremental run appends to the raw folder of a generation: an empty one is not
    checks = [(raw, "--out (or $OPS_SLA_RAW_DIR)", incremental and os.path.lexists(raw)),
              (truth, "--truth-out (or $OPS_SLA_TRUTH_DIR)", False)]
    checks += [(folder, None, False) for folder in work_folders(raw, truth)]
    for folder, option, must_exist in checks:
        problem = owner_problem(folder, must_exist)
        if problem is None:
            continue
        if option is None:
            raise UsageError(f"refusing to use {folder}, the temporary folder it writes beside {raw.name} or "
                             f"{truth.name}: {problem}; nothing was changed. Remove or rename that folder yourself")
        raise UsageError(f"refusing to {what} {folder}: {problem} (the generator writes demo data and "
                         f"never touches a folder it did not create, e.g. a team's own export); nothing was "
                         f"changed. Choose another {option}, or remove that folder yourself if it holds "
                         f"nothing you need")


def resolve(args: argparse.Namespace) -> tuple[Config, Path, Path, dict | None]:
    _check_mode_options(args)
    raw = args.out or paths.raw_dir()
    truth = args.truth_out or paths.truth_dir(raw)
    _check_own_folders(raw, truth, args.mode == "incremental")
    _check_writable(raw)
    _check_writable(truth)
    if args.chunk_cases < 1:
        raise UsageError("--chunk-cases must be at least 1")
    if args.mode == "incremental":
        days = DEFAULT_DAYS if args.days is None else args.days
        if days < 1:
            raise UsageError("--days must be at least 1")
        try:
            manifest = read_manifest(truth)
        except FileNotFoundError:
            raise UsageError(f"no earlier generation in {truth} (manifest.json missing): "
                             "run a full generation first") from None
        old = Config.from_json(manifest["config"])
        return dataclasses.replace(old, end=old.end + dt.timedelta(days=days)), raw, truth, manifest
    given = {dest: getattr(args, dest) for dest in FULL_ONLY if getattr(args, dest) is not None}
    if "schedules_dir" in given:
        if given.get("world") != "global":
            raise UsageError("--schedules-dir is for --world global only")
        given["schedules_dir"] = str(given["schedules_dir"].resolve())
    cfg = Config(**given)
    if cfg.cases < 1:
        raise UsageError("--cases must be a positive number of cases")
    if cfg.end < cfg.start:
        raise UsageError(f"--end {cfg.end} is before --start {cfg.start}")
    try:
        zone(cfg.team_tz)
        holiday_names(cfg.start, cfg.start, cfg.holiday_country, cfg.holiday_subdiv)
        if cfg.world == "global":
            load_teams(cfg.seeds, cfg.calendar_first, cfg.calendar_last, Params().world)
    except CalendarError as exc:
        raise UsageError(str(exc)) from None
    return cfg, raw, truth, None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        cfg, raw, truth, manifest = resolve(args)
    except UsageError as exc:
        print(f"ops-sla-generate: error: {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    n_days = (cfg.end - cfg.start).days + 1
    if manifest is None:
        gen = build(cfg)
        since = None
    else:
        gen = build(cfg, day_counts=manifest["day_counts"], weekday_rate=manifest["weekday_rate"],
                    closed_day_capacity=manifest.get("closed_day_capacity"))
        since = np.datetime64(Config.from_json(manifest["config"]).end + dt.timedelta(days=1))
    with (tqdm(total=n_days, desc="simulating days", unit="day", disable=args.no_progress, leave=False) as days,
          tqdm(desc="writing partitions", unit="file", disable=args.no_progress, leave=False) as files):
        written = write_generation(gen, raw, truth, since=since, on_day=days.update, on_file=files.update,
                                   max_cases=args.chunk_cases)
    rows = written["rows"]
    print(f"{args.mode} generation {cfg.start}..{cfg.end}: {rows['cases']:,} cases, {rows['events_log']:,} events "
          f"-> {raw} (ground truth: {truth}) in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
