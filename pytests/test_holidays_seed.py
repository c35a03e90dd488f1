"""`ops-sla-holidays`: the public holidays of each schedule written into schedule_closures.csv."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import holidays
from conftest import ROOT

COMMAND = Path(sys.executable).parent / "ops-sla-holidays"
HEADER = "schedule_id,closure_date,closed_from,closed_until,name,source"


def run(seeds: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(COMMAND), "--seeds-dir", str(seeds), *args], capture_output=True, text=True)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def seeds_folder(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "schedules.csv").write_text(
        "schedule_id,time_zone,holiday_country,holiday_subdivision,description\n"
        "us,America/New_York,US,,US desk\n"
        "eng,Europe/London,GB,ENG,England desk\n"
        "round_the_clock,UTC,,,no holidays\n")
    (seeds / "schedule_closures.csv").write_text(
        f"{HEADER}\n"
        "us,2025-12-24,14:00,24:00,Christmas Eve afternoon,own\n"
        "eng,2030-01-01,00:00,24:00,a stale holiday row,holidays\n"
        "round_the_clock,2025-06-01,00:00,24:00,Company day,own\n")
    return seeds


def test_writes_the_holidays_of_the_years_keeping_own_rows(tmp_path: Path) -> None:
    seeds = seeds_folder(tmp_path)
    proc = run(seeds, "--years", "2025", "2026")
    assert proc.returncode == 0, proc.stderr
    out = rows(seeds / "schedule_closures.csv")
    own = [r for r in out if r["source"] == "own"]
    assert [(r["schedule_id"], r["closure_date"], r["closed_from"], r["name"]) for r in own] == [
        ("round_the_clock", "2025-06-01", "00:00", "Company day"),
        ("us", "2025-12-24", "14:00", "Christmas Eve afternoon")]
    made = [r for r in out if r["source"] == "holidays"]
    # whole days, of the schedules with a country only, in the years asked (the stale 2030 row is gone)
    assert {(r["closed_from"], r["closed_until"]) for r in made} == {("00:00", "24:00")}
    assert {r["schedule_id"] for r in made} == {"us", "eng"}
    assert {r["closure_date"][:4] for r in made} == {"2025", "2026"}
    # exactly the package's holidays, observed days included
    for sid, country, subdiv in (("us", "US", None), ("eng", "GB", "ENG")):
        expected = holidays.country_holidays(country, subdiv=subdiv, years=[2025, 2026], observed=True)
        got = {dt.date.fromisoformat(r["closure_date"]): r["name"] for r in made if r["schedule_id"] == sid}
        assert set(got) == set(expected)
    names = {(r["schedule_id"], r["closure_date"]): r["name"] for r in made}
    assert names[("us", "2026-07-03")] == "Independence Day (observed)"  # July 4th 2026 is a Saturday
    assert names[("eng", "2026-12-28")] == "Boxing Day (observed)"
    assert names[("eng", "2025-08-25")] == "Late Summer Bank Holiday"
    # sorted by schedule, date, times, source: the same input gives the same bytes
    keys = [(r["schedule_id"], r["closure_date"], r["closed_from"], r["closed_until"], r["source"]) for r in out]
    assert keys == sorted(keys)
    first = (seeds / "schedule_closures.csv").read_bytes()
    assert first.startswith(HEADER.encode() + b"\n")
    assert run(seeds, "--years", "2025", "2026").returncode == 0
    assert (seeds / "schedule_closures.csv").read_bytes() == first
    assert sorted(p.name for p in seeds.iterdir()) == ["schedule_closures.csv", "schedules.csv"]


def test_unknown_source_or_years_refused_nothing_changed(tmp_path: Path) -> None:
    seeds = seeds_folder(tmp_path)
    closures = seeds / "schedule_closures.csv"
    closures.write_text(closures.read_text() + "us,2025-07-01,00:00,24:00,someone's,manual\n")
    before = closures.read_bytes()
    for args in ([], ["--years", "2026", "2025"]):
        proc = run(seeds, *args)
        assert proc.returncode == 2 and proc.stderr.startswith("ops-sla-holidays: error:"), proc.stderr
        assert len(proc.stderr.splitlines()) == 1
        assert closures.read_bytes() == before


def test_committed_seed_is_what_the_command_writes_for_2024_to_2026(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    proc = run(seeds)  # the default years
    assert proc.returncode == 0, proc.stderr
    assert (seeds / "schedule_closures.csv").read_bytes() == (ROOT / "seeds" / "schedule_closures.csv").read_bytes()
    committed = rows(ROOT / "seeds" / "schedule_closures.csv")
    assert {r["closure_date"][:4] for r in committed if r["source"] == "holidays"} == {"2024", "2025", "2026"}
    assert sum(r["source"] == "own" for r in committed) >= 3


def test_help() -> None:
    proc = subprocess.run([str(COMMAND), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "--years" in proc.stdout and "--seeds-dir" in proc.stdout and "(default: 2024 2026" in proc.stdout
