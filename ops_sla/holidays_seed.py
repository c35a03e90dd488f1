"""``ops-sla-holidays``: write the public holidays of every schedule into seeds/schedule_closures.csv.

For each schedule of schedules.csv with a ``holiday_country``, one whole-day closure row
(00:00-24:00, source ``holidays``) per public holiday of the ``holidays`` package (country and
subdivision of the schedule, observed days included) in the years asked for. The rows with
source ``own`` (the teams' own closures) are kept as they are; the earlier ``holidays`` rows are
replaced, so the file holds the holidays of exactly those years. Rows are sorted by schedule,
date, times, source and name, so the same seeds and years give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from pathlib import Path

from ops_sla.atomic import replacing
from ops_sla.calendar import CalendarError, holiday_names
from ops_sla.schedules import CLOSURES, SCHEDULES, SEEDS_DIR, read_rows

COLUMNS = ["schedule_id", "closure_date", "closed_from", "closed_until", "name", "source"]
DEFAULT_YEARS = (2024, 2026)  # the default generation's calendar (Dec 2024 .. Dec 2026)
OWN, HOLIDAYS = "own", "holidays"


def holiday_rows(schedules: list[dict[str, str]], first_year: int, last_year: int) -> list[dict[str, str]]:
    """Whole-day closure rows of the public holidays of each schedule with a holiday country."""
    rows = []
    for schedule in schedules:
        if not schedule["holiday_country"]:
            continue
        names = holiday_names(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31),
                              schedule["holiday_country"], schedule["holiday_subdivision"] or None)
        rows += [{"schedule_id": schedule["schedule_id"], "closure_date": day.isoformat(), "closed_from": "00:00",
                  "closed_until": "24:00", "name": name, "source": HOLIDAYS} for day, name in names.items()]
    return rows


def sort_key(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(row[c] for c in ("schedule_id", "closure_date", "closed_from", "closed_until", "source", "name"))


def closures_csv(own: list[dict[str, str]], holidays: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(own + holidays, key=sort_key))
    return out.getvalue()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="ops-sla-holidays",
        description="Write the public holidays of every schedule of schedules.csv with a holiday_country "
        "(whole days, observed days included, from the holidays package) into schedule_closures.csv, "
        f"source '{HOLIDAYS}'. The rows with source '{OWN}' are kept; the earlier '{HOLIDAYS}' rows are "
        "replaced by those of the years given.",
    )
    p.add_argument("--years", nargs=2, type=int, metavar=("FIRST", "LAST"), default=list(DEFAULT_YEARS),
                   help="first and last year, inclusive (default: {} {}, the calendar of the generator's "
                   "default data set)".format(*DEFAULT_YEARS))
    p.add_argument("--seeds-dir", type=Path, default=SEEDS_DIR,
                   help="folder of schedules.csv and schedule_closures.csv (default: the project's seeds/)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    first, last = args.years
    target = args.seeds_dir / CLOSURES
    try:
        if not 1900 <= first <= last <= 2200:
            raise CalendarError(f"--years {first} {last}: need FIRST <= LAST, both between 1900 and 2200")
        existing = read_rows(target) if target.exists() else []
        foreign = sorted({r["source"] for r in existing} - {OWN, HOLIDAYS})
        if foreign:
            raise CalendarError(f"{target} has rows with source {foreign}: only '{OWN}' and '{HOLIDAYS}' are known "
                                "(nothing was changed)")
        holidays = holiday_rows(read_rows(args.seeds_dir / SCHEDULES), first, last)
    except CalendarError as exc:
        print(f"ops-sla-holidays: error: {exc}", file=sys.stderr)
        return 2
    own = [{c: r[c] for c in COLUMNS} for r in existing if r["source"] == OWN]
    with replacing(target) as tmp:
        tmp.write_text(closures_csv(own, holidays), encoding="utf-8")
    print(f"{target}: {len(holidays)} holiday rows for {first}..{last}, {len(own)} own rows kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
