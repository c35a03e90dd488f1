"""Several business schedules (issue 29): the SQL against the independent references.

One module-scoped build: a small `--world global` export (1,500 cases, 2025-09-15..2025-12-31:
both DST changes of each hemisphere, EMEA's new hours from 2025-10-06, the Christmas closures)
plus a few hand-made probe cases, built with `dbt build --full-refresh` in a temporary copy of
the project whose seeds carry three extra test schedules, five teams and three dated targets
(EXTRA_SEED_ROWS: a schedule with a week without hours, 24/7 in a DST zone, 24/7 at UTC+05:45
with local closures; a team for each, a team whose only team_schedules row starts after its
cases, a team that switches schedules; targets changing during the export). The project's own
seed rows are all there, unchanged; models, macros and tests are the project's files.

* property tests (hypothesis; one DuckDB query per batch): the per-schedule business minutes
  and the inverse (case_instant_at_ordinal) of every schedule, on one-segment lists built from
  int_business_time_index, against reference.schedules; then the same per case, on the
  segments of int_case_ownership against segments the reference builds from the raw data;
* case by case: every row of marts.case_sla against reference.sla measuring each case under
  its ownership segments;
* named pitfall tests (dbt_zendesk issues): 24/7 week wrap, holidays at a week boundary, DST
  weeks, coverage gaps, local-day holidays, a case routed away from the default schedule, a
  case moving from London to Los Angeles mid-SLA.

Instants travel as epoch microseconds both ways.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, compile_inline, dbt_env, run_dbt, run_generator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from reference import schedules as S
from reference import sla as R

US = 1_000_000
US_PER_MIN = 60 * US
US_PER_DAY = 86_400 * US
TOL = 1e-6  # minutes
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
GENERATE = ["--world", "global", "--cases", "1500", "--start", "2025-09-15", "--end", "2025-12-31"]
# few examples of large batches: each query has a fixed planning cost (~0.4 s). An example is
# a list of pairs Hypothesis draws - its buffer holds ~100 of them - plus EXTRA_PAIRS more drawn
# from the same pools by a Random it seeds (st.randoms). No shrinking: a query per step would
# take minutes, and the failure message names the differing rows already
EXTRA_PAIRS = 700
HYPOTHESIS = settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
MAX_EXAMPLES = 8  # differing rows named in a failure message

LA = ZoneInfo("America/Los_Angeles")
LON = ZoneInfo("Europe/London")
SYD = ZoneInfo("Australia/Sydney")
KOL = ZoneInfo("Asia/Kolkata")
KTM = ZoneInfo("Asia/Kathmandu")

# test schedules and teams, appended to a copy of the project's seeds
_WEEKDAYS = range(1, 6)
_ALL_DAYS = range(1, 8)
EXTRA_SEED_ROWS = {
    "schedules.csv": [
        'gap_la,America/Los_Angeles,,,"Test: 08:00-18:00 weekdays, no hours 2025-10-06..2025-10-12"',
        'la_247,America/Los_Angeles,,,"Test: around the clock where clocks change"',
        'ktm_247,Asia/Kathmandu,,,"Test: around the clock at UTC+05:45, local closures"',
    ],
    "schedule_hours.csv": [
        *(f"gap_la,,2025-10-06,{d},08:00,18:00" for d in _WEEKDAYS),
        *(f"gap_la,2025-10-13,,{d},08:00,18:00" for d in _WEEKDAYS),
        *(f"la_247,,,{d},00:00,24:00" for d in _ALL_DAYS),
        *(f"ktm_247,,,{d},00:00,24:00" for d in _ALL_DAYS),
    ],
    "schedule_closures.csv": [
        # the spring-forward Sunday (23 h) and the Monday after it
        "la_247,2026-03-08,00:00,24:00,Test closure,own",
        "la_247,2026-03-09,00:00,24:00,Test closure,own",
        "ktm_247,2025-10-02,00:00,24:00,Test holiday,own",
        "ktm_247,2025-12-24,12:15,24:00,Test early close,own",
    ],
    "team_schedules.csv": [
        "gap,gap_la,,Test: a week without hours",
        "allday,la_247,,Test: 24/7 Los Angeles",
        "ktm,ktm_247,,Test: 24/7 Kathmandu",
        # its only row starts after its cases: the first row applies since always
        "late,americas,2025-11-01,Test: schedule row dated after the cases",
        # EMEA's schedule, then the Americas' from 2025-10-20 (local midnight in Los Angeles)
        "moving,emea,,Test: switches schedule",
        "moving,americas,2025-10-20,Test: switches schedule",
    ],
    # effective-dated targets (after every probe's intake): all tiers' SLA A lower from
    # 2025-11-17, Tier 1's own SLA A since always (it beats the later all-tiers row), Tier 1's
    # own SLA B from 2025-12-01 (local intake date of the intake team's schedule)
    "sla_targets.csv": [
        "SLA_A,,1200,Test: lower from 2025-11-17,2025-11-17",
        "SLA_A,TIER_1,1600,Test: Tier 1 since always,",
        "SLA_B,TIER_1,90,Test: Tier 1 from 2025-12-01,2025-12-01",
    ],
}
PROJECT_FILES = ("dbt_project.yml", "selectors.yml")
PROJECT_DIRS = ("models", "macros", "seeds", "tests", "analyses")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def at(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)


def to_us(dt: datetime) -> int:
    return (dt - EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def _fmt(us: int | None) -> str:
    return "NULL" if us is None else from_us(us).isoformat()


# --------------------------------------------------------------------------- probe cases
# Hand-made cases added to the generated export, each with the instants its named test
# works out by hand. (case id, team_id or None, team_tz, tier, intake, [(status, instant, team)])


@dataclass(frozen=True)
class Probe:
    case_id: str
    team_id: str | None
    team_tz: str
    tier: str
    intake: datetime
    events: tuple[tuple[str, datetime, str | None], ...]


def _lifecycle(touch: datetime, resolved: datetime) -> list[tuple[str, datetime, None]]:
    return [("TRIAGE", touch, None), ("ASSIGNMENT", touch + timedelta(minutes=10), None),
            ("INVESTIGATION", touch + timedelta(minutes=20), None),
            ("REVIEW_QA", resolved - timedelta(minutes=30), None), ("RESOLVED", resolved, None)]


def _probe(case_id: str, team: str | None, tz: str, intake: datetime, touch: datetime, resolved: datetime,
           *extra: tuple[str, datetime, str | None], tier: str = "TIER_2") -> Probe:
    events = [("INTAKE", intake, None), *_lifecycle(touch, resolved), *extra]
    return Probe(case_id, team, tz, tier, intake, tuple(sorted(events, key=lambda e: e[1])))


PROBES = {p.case_id: p for p in [
    # London -> Los Angeles at 16:00 UTC (08:00 PST); a HANDOFF without a team is quarantined
    _probe("SR-PROBE-LON-LA", "emea", "Europe/London", utc(2025, 11, 3, 15), utc(2025, 11, 3, 20),
           utc(2025, 11, 6, 18), ("HANDOFF", utc(2025, 11, 3, 16), "americas"),
           ("HANDOFF", utc(2025, 11, 4, 17), None)),
    # team-less (schedule `default`) handed to APAC an hour after intake
    _probe("SR-PROBE-DEFAULT-AWAY", None, "America/Los_Angeles", utc(2025, 11, 3, 16), utc(2025, 11, 3, 23, 30),
           utc(2025, 11, 6, 1), ("HANDOFF", utc(2025, 11, 3, 17), "apac")),
    # 24/7 UTC over Sunday -> Monday: exactly on target (met), and past it
    _probe("SR-PROBE-ESC-WRAP", "escalation", "UTC", utc(2025, 11, 9, 23), utc(2025, 11, 10, 1),
           utc(2025, 11, 10, 23), tier="TIER_3"),
    _probe("SR-PROBE-ESC-WRAP-LATE", "escalation", "UTC", utc(2025, 11, 9, 23, 30), utc(2025, 11, 10, 2),
           utc(2025, 11, 11), tier="TIER_3"),
    # 24/7 Los Angeles over the fall-back Sunday (25 h)
    _probe("SR-PROBE-ALLDAY-DST", "allday", "America/Los_Angeles", utc(2025, 11, 1, 19), utc(2025, 11, 3, 20),
           utc(2025, 11, 4, 19)),
    # Americas over Columbus Day (Monday 2025-10-13) and over the fall-back weekend
    _probe("SR-PROBE-COLUMBUS", "americas", "America/Los_Angeles", utc(2025, 10, 11), utc(2025, 10, 14, 16, 1),
           utc(2025, 10, 16, 20)),
    _probe("SR-PROBE-DST-WEEKEND", "americas", "America/Los_Angeles", utc(2025, 11, 1), utc(2025, 11, 3, 17, 30),
           utc(2025, 11, 5, 20)),
    # a week without hours: across it, and from inside it
    _probe("SR-PROBE-GAP", "gap", "America/Los_Angeles", utc(2025, 10, 4), utc(2025, 10, 14, 16),
           utc(2025, 10, 20, 20)),
    _probe("SR-PROBE-INSIDE-GAP", "gap", "America/Los_Angeles", utc(2025, 10, 8, 19), utc(2025, 10, 13, 15, 30),
           utc(2025, 10, 15, 20)),
    # a team whose only schedule row is dated after the case
    _probe("SR-PROBE-LATE-TEAM", "late", "America/Los_Angeles", utc(2025, 10, 1, 16), utc(2025, 10, 1, 19),
           utc(2025, 10, 3, 20)),
    # a team switching from EMEA's schedule to the Americas' (2025-10-20 00:00 PDT = 07:00 UTC)
    _probe("SR-PROBE-MOVING", "moving", "Europe/London", utc(2025, 10, 17, 15), utc(2025, 10, 20, 17),
           utc(2025, 10, 22, 20)),
    # hand-offs tying at one instant (the later event id owns) to a team that switches schedule
    # later: two hand-offs, and one at the intake instant itself
    _probe("SR-PROBE-TIE", "americas", "America/Los_Angeles", utc(2025, 10, 16, 16), utc(2025, 10, 16, 17),
           utc(2025, 10, 21, 20), ("HANDOFF", utc(2025, 10, 17, 14), "india"),
           ("HANDOFF", utc(2025, 10, 17, 14), "moving")),
    _probe("SR-PROBE-TIE-INTAKE", "emea", "Europe/London", utc(2025, 10, 17, 14), utc(2025, 10, 20, 17),
           utc(2025, 10, 21, 20), ("HANDOFF", utc(2025, 10, 17, 14), "moving")),
    # handed to EMEA at its intake instant (test_time_before_an_intake_hand_off_is_the_intake_teams)
    _probe("SR-PROBE-AWAY-AT-INTAKE", "americas", "America/Los_Angeles", utc(2025, 11, 3, 16), utc(2025, 11, 3, 16, 30),
           utc(2025, 11, 4, 20), ("HANDOFF", utc(2025, 11, 3, 16), "emea")),
    # 24/7 Kathmandu (+05:45) closed on its local 2025-10-02 = 2025-10-01 18:15 .. 10-02 18:15 UTC
    _probe("SR-PROBE-KTM", "ktm", "Asia/Kathmandu", utc(2025, 10, 1, 18), utc(2025, 10, 2, 18, 30),
           utc(2025, 10, 3, 20)),
]}
PROBE_EVENT_ID = 9_200_000_000_000


def _la_date(dt: datetime) -> str:
    return dt.astimezone(LA).date().isoformat()


def add_probes(raw: Path) -> None:
    """Write PROBES into the export: each case in the folder of its intake's local date, each
    event ingested 30 s after it in the folder of that local date (var business_time_zone)."""
    case_schema = pq.read_schema(next((raw / "cases").glob("*/*.parquet")))
    event_schema = pq.read_schema(next((raw / "events_log").glob("*/*.parquet")))
    cases: dict[str, list[dict]] = {}
    events: dict[str, list[dict]] = {}
    event_id = PROBE_EVENT_ID
    for p in PROBES.values():
        cases.setdefault(_la_date(p.intake), []).append({
            "case_id": p.case_id, "intake_ts": p.intake, "case_type": "VENDOR_ASSESSMENT", "tier": p.tier,
            "team_tz": p.team_tz, "team_id": p.team_id})
        for status, ts, team in p.events:
            event_id += 1
            ingested = ts + timedelta(seconds=30)
            events.setdefault(_la_date(ingested), []).append({
                "event_id": event_id, "case_id": p.case_id, "status": status, "event_ts": ts,
                "ingestion_ts": ingested, "team_id": team})
    for folder, schema, rows_by_day, key in (("cases", case_schema, cases, "intake_date"),
                                             ("events_log", event_schema, events, "ingestion_date")):
        for day, rows in rows_by_day.items():
            path = raw / folder / f"{key}={day}" / "part-probe.parquet"
            assert path.parent.is_dir(), f"the export has no folder {path.parent}"
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


# --------------------------------------------------------------------------- the build


def copy_project(dst: Path) -> None:
    """What dbt needs of the project, with EXTRA_SEED_ROWS appended to the seeds."""
    dst.mkdir(parents=True)
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, dst / name)
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, dst / name)
    for seed, rows in EXTRA_SEED_ROWS.items():
        path = dst / "seeds" / seed
        text = path.read_text()
        path.write_text(text + ("" if text.endswith("\n") else "\n") + "".join(f"{r}\n" for r in rows))


# the macros under test, compiled once with placeholder arguments (they embed their arguments
# verbatim, so the compiled text is a template for any column expressions)
_CALLS = {
    "between": "{{ case_business_minutes_between('__A__', '__B__', '__SEGMENTS__') }}",
    "ordinal": "{{ case_business_ordinal_us('__A__', '__SEGMENTS__') }}",
    "instant": "{{ case_instant_at_ordinal('__ORDINAL__', '__SEGMENTS__') }}",
    "minutes_to_us": "{{ minutes_to_us('__MINUTES__') }}",
    "default_between": "{{ business_minutes_between('__A__', '__B__') }}",
}


@dataclass
class Macros:
    templates: dict[str, str]

    def fill(self, name: str, **args: str) -> str:
        sql = self.templates[name]
        for key, value in args.items():
            sql = sql.replace(f"__{key.upper()}__", f"({value})")
        return sql

    def between(self, a: str, b: str, segments: str) -> str:
        return self.fill("between", a=a, b=b, segments=segments)

    def ordinal(self, a: str, segments: str) -> str:
        return self.fill("ordinal", a=a, segments=segments)

    def instant(self, ordinal: str, segments: str) -> str:
        return self.fill("instant", ordinal=ordinal, segments=segments)

    def minutes_to_us(self, minutes: str) -> str:
        return self.fill("minutes_to_us", minutes=minutes)

    def default_between(self, a: str, b: str) -> str:
        return self.fill("default_between", a=a, b=b)


def compile_macros(project: Path, env: dict[str, str]) -> Macros:
    return Macros(compile_inline(_CALLS, env, "--project-dir", str(project)))


@dataclass
class World:
    raw: Path
    project: Path
    con: duckdb.DuckDBPyConnection
    macros: Macros
    schedules: dict[str, S.Schedule]
    teams: dict[str, list[S.TeamSchedule]]
    cases: pd.DataFrame
    events: pd.DataFrame
    ownership: dict[str, R.Ownership]
    sla: pd.DataFrame
    cache: dict = field(default_factory=dict)

    def __repr__(self) -> str:  # Hypothesis prints the arguments of a failing example
        return f"World({self.raw.parent})"

    def query(self, sql: str, columns: dict[str, tuple[pa.DataType, list]]) -> list[tuple]:
        """Run `sql` with the batch registered as table `inp`."""
        self.con.register("inp", pa.table({k: pa.array(v, type=t) for k, (t, v) in columns.items()}))
        try:
            return self.con.execute(sql).fetchall()
        finally:
            self.con.unregister("inp")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterable[World]:
    """The export, its build, the compiled macros and the references. The build runs in a
    thread (a subprocess: it leaves the interpreter free); the macros compile meanwhile against
    a DuckDB file of the same name in another folder (the compiled SQL names the catalog by the
    file's stem; the build holds the warehouse's lock), and the references are computed."""
    base = tmp_path_factory.mktemp("schedules_sql")
    raw, project, db = base / "raw", base / "project", base / "ops_sla.duckdb"
    run_generator(raw, *GENERATE)
    add_probes(raw)
    copy_project(project)
    (base / "compile").mkdir()
    with ThreadPoolExecutor(2) as pool:
        build = pool.submit(run_dbt, ["build", "--full-refresh", "--project-dir", str(project)],
                            dbt_env(raw, db, base / "target"))
        compiled = pool.submit(compile_macros, project,
                               dbt_env(raw, base / "compile" / db.name, base / "compile" / "target"))
        export = R.load_raw(raw)
        cal = R.business_calendar(export.calendar)
        cases = R.prepare_cases(export.cases)
        events = R.clean_events(export.events, cases, cal)
        schedules = R.load_all_schedules(project / "seeds", export.calendar)
        teams = S.load_team_schedules(project / "seeds", schedules)
        ownership = R.case_ownership(cases, events, teams)
        sla = R.case_sla(cases, events, cal, R.data_as_of(cases, events), ownership=ownership,
                         targets=R.load_sla_targets(project / "seeds"))
        build.result()
        macros = compiled.result()
    con = duckdb.connect(str(db), read_only=True)
    yield World(raw, project, con, macros, schedules, teams, cases, events, ownership, sla)
    con.close()


# --------------------------------------------------------------------------- per-schedule SQL


def schedule_query(m: Macros) -> str:
    """Per row of `inp` (i, schedule_id, a_us, b_us, n): the schedule's business minutes a -> b
    and the latest instant n business minutes after a, through the case macros on a list of
    one segment of that schedule (the struct of int_case_ownership.segments); and the
    single-schedule macro business_minutes_between (schedule `default` only)."""
    seg = "segments"
    return f"""
        with one_segment as (
            select
                schedule_id,
                [struct_pack(
                    starts_us := first_bucket_us, first_bucket_us := first_bucket_us,
                    bucket_count := bucket_count, business_bucket_count := business_bucket_count,
                    ordinal_base := ordinal_base, bucket_number_base := bucket_number_base,
                    shift_us := cast(0 as bigint), case_us_at_start := cast(0 as bigint)
                )] as segments
            from intermediate.int_business_time_index
        ),
        p as (
            select inp.i, inp.schedule_id, make_timestamptz(inp.a_us) as a, make_timestamptz(inp.b_us) as b,
                   inp.n, one_segment.segments
            from inp inner join one_segment on inp.schedule_id = one_segment.schedule_id
        ),
        q as (
            select p.*, {m.ordinal('p.a', 'p.segments')} + {m.minutes_to_us('p.n')} as target_us
            from p
        )
        select
            i,
            {m.between('a', 'b', seg)} as ab,
            epoch_us({m.instant('target_us', seg)}) as t_us,
            case when schedule_id = 'default' then {m.default_between('a', 'b')} end as default_ab
        from q
        order by i
    """


def sql_per_schedule(w: World, rows: list[tuple[str, int, int, float]]) -> list[tuple]:
    """(schedule_id, a_us, b_us, n) -> (minutes a -> b, add(a, n) as epoch us, default macro's minutes)."""
    sids, a, b, n = zip(*rows, strict=True)
    out = w.query(schedule_query(w.macros), {
        "i": (pa.int64(), list(range(len(rows)))), "schedule_id": (pa.string(), list(sids)),
        "a_us": (pa.int64(), list(a)), "b_us": (pa.int64(), list(b)), "n": (pa.float64(), list(n))})
    assert [r[0] for r in out] == list(range(len(rows))), "a row of the batch has no schedule in the index"
    return [r[1:] for r in out]


def _none_outside(fn, *args):
    try:
        return fn(*args)
    except ValueError:  # outside the covered range: the SQL gives NULL
        return None


def ref_between(schedule: S.Schedule, a: int, b: int) -> float | None:
    return _none_outside(S.schedule_minutes_between, from_us(a), from_us(b), schedule)


def ref_add(schedule: S.Schedule, a: int, n: float) -> int | None:
    t = _none_outside(S.schedule_add, from_us(a), n, schedule)
    return None if t is None else to_us(t)


def check_per_schedule(w: World, rows: list[tuple[str, int, int, float]]) -> None:
    got = sql_per_schedule(w, rows)
    problems = []
    for (sid, a, b, n), (ab, t_us, default_ab) in zip(rows, got, strict=True):
        s = w.schedules[sid]
        want = ref_between(s, a, b)
        if (ab is None) != (want is None) or (want is not None and abs(ab - want) > TOL):
            problems.append(f"{sid}: minutes {_fmt(a)} -> {_fmt(b)}: sql={ab!r} reference={want!r}")
        if sid == "default" and ((default_ab is None) != (want is None) or (
                want is not None and abs(default_ab - want) > TOL)):
            problems.append(f"default: business_minutes_between {_fmt(a)} -> {_fmt(b)}: sql={default_ab!r} "
                            f"reference={want!r}")
        want_t = ref_add(s, a, n)
        if t_us != want_t:
            problems.append(f"{sid}: {_fmt(a)} + {n!r} min: sql={_fmt(t_us)} reference={_fmt(want_t)}")
    assert not problems, f"{len(problems)} of {len(rows)} rows differ:\n" + "\n".join(problems[:MAX_EXAMPLES])


# special local dates: DST changes (US, EU, AU), EMEA's new hours, week wraps around them
DST_DATES = [date(2025, 3, 9), date(2025, 11, 2), date(2026, 3, 8), date(2025, 3, 30), date(2025, 10, 26),
             date(2026, 3, 29), date(2025, 4, 6), date(2025, 10, 5), date(2026, 4, 5)]
OTHER_DATES = [date(2025, 10, 6), date(2025, 10, 13), date(2025, 12, 24), date(2025, 12, 31), date(2026, 1, 1)]


def special_dates(s: S.Schedule) -> list[date]:
    """Dates around DST changes, closures (holidays), hours changes, and the range's ends."""
    near = {d + timedelta(days=k) for d in [*DST_DATES, *OTHER_DATES] for k in (-1, 0, 1)}
    near |= {c.day + timedelta(days=k) for c in s.closures if date(2025, 6, 1) <= c.day <= date(2026, 6, 1)
             for k in (-1, 0, 1)}
    near |= {s.first, s.first + timedelta(days=1), s.last - timedelta(days=1), s.last}
    return sorted(d for d in near if s.first <= d <= s.last)


def boundary_points(s: S.Schedule) -> list[int]:
    """Every open and close of the special dates, and their local midnights (epoch us)."""
    points = set()
    for d in special_dates(s):
        points.add(to_us(datetime(d.year, d.month, d.day, tzinfo=s.zone)))
        for start, end in s.intervals(d):
            points |= {to_us(start), to_us(end)}
    return sorted(points)


def schedule_points(w: World, sid: str) -> list[int]:
    key = ("points", sid)
    if key not in w.cache:
        w.cache[key] = boundary_points(w.schedules[sid])
    return w.cache[key]


def covered_us(s: S.Schedule) -> tuple[int, int]:
    return to_us(s.covered_from), to_us(s.covered_until)


SPECIAL_OFFSETS_US = [0, 1, US, 15 * US_PER_MIN, 60 * US_PER_MIN, 4 * 60 * US_PER_MIN, 10 * 60 * US_PER_MIN,
                      US_PER_DAY, 2 * US_PER_DAY, 3 * US_PER_DAY, 7 * US_PER_DAY, 30 * US_PER_DAY]
SPECIAL_MINUTES = [0, 1, 15, 30, 60, 90, 120, 240, 300, 480, 510, 600, 1440, 2400, 3000, 10_080]


def minutes_strategy() -> st.SearchStrategy[float]:
    whole = st.builds(lambda m, s: float(s * m), st.sampled_from(SPECIAL_MINUTES), st.sampled_from([1, 1, 1, -1]))
    micro = st.integers(-20_000 * US_PER_MIN, 20_000 * US_PER_MIN).map(lambda us: us / US_PER_MIN)
    return st.one_of(whole, micro)


JITTER = st.sampled_from([0, 0, 0, 1, -1, US, -15 * US_PER_MIN])
OFFSETS = st.one_of(
    st.builds(lambda sign, o, j: sign * o + j, st.sampled_from([-1, 1]), st.sampled_from(SPECIAL_OFFSETS_US), JITTER),
    st.integers(-14 * US_PER_DAY, 45 * US_PER_DAY),
)
MINUTES = minutes_strategy()


def schedule_instants(w: World, sid: str) -> st.SearchStrategy[int]:
    """Instants for schedule `sid`: its opens, closes and local midnights of the special dates
    (jittered), anywhere in its range, and the range's edges (just outside -> NULL).
    Built once per schedule (a strategy is validated when first drawn from)."""
    key = ("instants", sid)
    if key not in w.cache:
        lo, hi = covered_us(w.schedules[sid])
        w.cache[key] = st.one_of(
            st.builds(lambda p, j: p + j, st.sampled_from(schedule_points(w, sid)), JITTER),
            st.integers(lo, hi - 1),
            st.sampled_from([lo - 1, lo, hi - 1, hi]),
        )
    return w.cache[key]


@st.composite
def schedule_pair(draw: st.DrawFn, w: World, sids: list[str]) -> tuple[str, int, int, float]:
    sid = draw(st.sampled_from(sids))
    instant = schedule_instants(w, sid)
    a = draw(instant)
    b = draw(instant) if draw(st.integers(0, 2)) == 0 else a + draw(OFFSETS)
    return sid, a, b, draw(MINUTES)


def random_minutes(rng: random.Random) -> float:
    if rng.random() < 0.5:
        return float(rng.choice(SPECIAL_MINUTES) * rng.choice([1, 1, 1, -1]))
    return rng.randint(-20_000 * US_PER_MIN, 20_000 * US_PER_MIN) / US_PER_MIN


def random_schedule_pairs(rng: random.Random, w: World, sids: list[str], n: int) -> list[tuple[str, int, int, float]]:
    """`n` more pairs like schedule_pair's, from a Random."""
    jitter = [0, 0, 0, 1, -1, US, -15 * US_PER_MIN]

    def instant(sid: str) -> int:
        lo, hi = covered_us(w.schedules[sid])
        kind = rng.random()
        if kind < 0.6:
            return rng.choice(schedule_points(w, sid)) + rng.choice(jitter)
        return rng.randrange(lo, hi) if kind < 0.98 else rng.choice([lo - 1, lo, hi - 1, hi])

    out = []
    for _ in range(n):
        sid = rng.choice(sids)
        a = instant(sid)
        kind = rng.random()
        if kind < 0.3:
            b = instant(sid)
        elif kind < 0.65:
            b = a + rng.choice([-1, 1]) * rng.choice(SPECIAL_OFFSETS_US) + rng.choice(jitter)
        else:
            b = a + rng.randint(-14 * US_PER_DAY, 45 * US_PER_DAY)
        out.append((sid, a, b, random_minutes(rng)))
    return out


@HYPOTHESIS
@given(data=st.data())
def test_per_schedule_minutes_and_inverse_match_reference(world: World, data: st.DataObject) -> None:
    """Every schedule of the seeds (and `default`): business minutes between random instants
    and the latest instant n business minutes on, against reference.schedules."""
    sids = sorted(world.schedules)
    batch = data.draw(st.lists(schedule_pair(world, sids), min_size=40, max_size=100))
    batch += random_schedule_pairs(data.draw(st.randoms(use_true_random=True)), world, sids, EXTRA_PAIRS)
    check_per_schedule(world, batch)


def test_per_schedule_every_open_and_close(world: World) -> None:
    """Each open and close (and local midnight) of the special dates of every schedule, a
    microsecond either side, to the next one: exact boundaries, split-shift lunches, DST days,
    closures, hours changes and week wraps; the add lands on them exactly."""
    rows = []
    for sid in sorted(world.schedules):
        s = world.schedules[sid]
        points = schedule_points(world, sid)
        for p, q in zip(points, points[1:], strict=False):
            n = (ref_between(s, p, q) or 0.0)
            rows += [(sid, p, q, n), (sid, p - 1, q + 1, -n), (sid, p + 1, q - 1, 0.0)]
    check_per_schedule(world, rows)


def test_every_schedule_is_indexed_over_its_whole_range(world: World) -> None:
    """One index row per schedule of the seeds (and `default`), each covering local midnight of
    the calendar's first date to local midnight after its last, in the schedule's own zone:
    no instant of the range lacks a bucket (the spine gaps of dbt_zendesk #162)."""
    rows = world.con.execute("select schedule_id, first_bucket_us, bucket_count, epoch_us(covers_until), "
                             "business_bucket_count from intermediate.int_business_time_index").fetchall()
    assert sorted(r[0] for r in rows) == sorted(world.schedules)
    for sid, first_us, buckets, until_us, business in rows:
        lo, hi = covered_us(world.schedules[sid])
        assert (first_us, until_us, buckets * 15 * US_PER_MIN) == (lo, hi, hi - lo), sid
        total = ref_between(world.schedules[sid], lo, hi - 1)
        assert business * 15 == pytest.approx(total, abs=1e-6), sid


# --------------------------------------------------------------------------- per-case SQL


def case_query(m: Macros) -> str:
    seg = "segments"
    return f"""
        with p as (
            select inp.i, make_timestamptz(inp.a_us) as a, make_timestamptz(inp.b_us) as b, inp.n,
                   ownership.segments
            from inp inner join intermediate.int_case_ownership as ownership on inp.case_id = ownership.case_id
        ),
        q as (
            select p.*, {m.ordinal('p.a', 'p.segments')} + {m.minutes_to_us('p.n')} as target_us
            from p
        )
        select i, {m.between('a', 'b', seg)} as ab, epoch_us({m.instant('target_us', seg)}) as t_us
        from q
        order by i
    """


def check_per_case(w: World, rows: list[tuple[str, int, int, float]]) -> None:
    cids, a, b, n = zip(*rows, strict=True)
    got = w.query(case_query(w.macros), {
        "i": (pa.int64(), list(range(len(rows)))), "case_id": (pa.string(), list(cids)),
        "a_us": (pa.int64(), list(a)), "b_us": (pa.int64(), list(b)), "n": (pa.float64(), list(n))})
    assert [r[0] for r in got] == list(range(len(rows))), "a case of the batch is not in int_case_ownership"
    problems = []
    for (cid, a, b, n), (_, ab, t_us) in zip(rows, got, strict=True):
        segments = w.ownership[cid].segments
        want = _none_outside(S.case_minutes_between, from_us(a), from_us(b), segments)
        if (ab is None) != (want is None) or (want is not None and abs(ab - want) > TOL):
            problems.append(f"{cid}: minutes {_fmt(a)} -> {_fmt(b)}: sql={ab!r} reference={want!r}")
        t = _none_outside(S.case_add, from_us(a), n, segments)
        want_t = None if t is None else to_us(t)
        if t_us != want_t:
            problems.append(f"{cid}: {_fmt(a)} + {n!r} min: sql={_fmt(t_us)} reference={_fmt(want_t)}")
    assert not problems, f"{len(problems)} of {len(rows)} rows differ:\n" + "\n".join(problems[:MAX_EXAMPLES])


def case_points(w: World, cid: str) -> list[int]:
    """The instants that matter for a case: intake, its segments' starts, its clean events."""
    if "case_points" not in w.cache:
        points: dict[str, set[int]] = {}
        for c, t in zip(w.cases["case_id"], w.cases["intake_ts"], strict=True):
            points[c] = {to_us(t.to_pydatetime())}
        clean = w.events[w.events["disposition"] == "clean"]
        for c, t in zip(clean["case_id"], clean["event_ts"], strict=True):
            points[c].add(to_us(t.to_pydatetime()))
        for c, o in w.ownership.items():
            points[c] |= {to_us(s.starts_at) for s in o.segments if s.starts_at is not None}
        w.cache["case_points"] = {c: sorted(p) for c, p in points.items()}
    return w.cache["case_points"][cid]


def handed_off_cases(w: World) -> list[str]:
    key = ("handed_off",)
    if key not in w.cache:
        w.cache[key] = sorted(cid for cid, o in w.ownership.items() if len(o.segments) > 1)
    return w.cache[key]


CASE_JITTER = st.sampled_from([0, 0, 1, -1, US, 30 * US_PER_MIN, -60 * US_PER_MIN])
CASE_OFFSETS = st.integers(-3 * US_PER_DAY, 10 * US_PER_DAY)


@st.composite
def case_pair(draw: st.DrawFn, w: World, ids: st.SearchStrategy[str]) -> tuple[str, int, int, float]:
    """A case and two instants: one of its points (jittered), or anywhere from 2 days before
    the first to 5 days after the last; the same strategies for every case (a new strategy
    per case would be validated on each first draw)."""
    cid = draw(ids)
    points = case_points(w, cid)

    def instant() -> int:
        if draw(st.booleans()):
            return points[draw(st.integers(0, len(points) - 1))] + draw(CASE_JITTER)
        return draw(st.integers(points[0] - 2 * US_PER_DAY, points[-1] + 5 * US_PER_DAY))

    a = instant()
    b = instant() if draw(st.booleans()) else a + draw(CASE_OFFSETS)
    return cid, a, b, draw(MINUTES)


def random_case_pairs(rng: random.Random, w: World, n: int) -> list[tuple[str, int, int, float]]:
    """`n` more pairs like case_pair's (two in three on a case handed off), from a Random."""
    moved, every = handed_off_cases(w), sorted(w.ownership)
    jitter = [0, 0, 1, -1, US, 30 * US_PER_MIN, -60 * US_PER_MIN]

    def instant(points: list[int]) -> int:
        if rng.random() < 0.6:
            return rng.choice(points) + rng.choice(jitter)
        return rng.randint(points[0] - 2 * US_PER_DAY, points[-1] + 5 * US_PER_DAY)

    out = []
    for _ in range(n):
        cid = rng.choice(moved) if rng.random() < 2 / 3 else rng.choice(every)
        points = case_points(w, cid)
        a = instant(points)
        b = instant(points) if rng.random() < 0.5 else a + rng.randint(-3 * US_PER_DAY, 10 * US_PER_DAY)
        out.append((cid, a, b, random_minutes(rng)))
    return out


def test_reference_segments_match_int_case_ownership(world: World) -> None:
    """Segment starts (the first one at intake in the SQL) and teams of every case, and the
    data reaches what the per-case properties need: hand-offs, several schedules."""
    rows = world.con.execute("select case_id, intake_team_id, final_team_id, handoff_count, "
                             "list_transform(segments, lambda s: s.starts_us) from intermediate.int_case_ownership"
                             ).fetchall()
    assert len(rows) == len(world.ownership)
    problems = []
    for cid, intake_team, final_team, handoffs, starts in rows:
        o = world.ownership[cid]
        # the SQL lists a segment per owner change (a hand-off to the team owning it already
        # too); the reference merges those: compare the instants where the schedule changes
        mine = [to_us(s.starts_at) for s in o.segments[1:]]
        if not set(mine) <= set(starts) or (intake_team or "default", final_team, handoffs) != (
                o.intake_team_id, o.final_team_id, o.handoff_count):
            problems.append(f"{cid}: sql starts={[_fmt(s) for s in starts]} teams=({intake_team}, {final_team}, "
                            f"{handoffs}); reference starts={[_fmt(s) for s in mine]} teams=({o.intake_team_id}, "
                            f"{o.final_team_id}, {o.handoff_count})")
    assert not problems, "\n".join(problems[:MAX_EXAMPLES])
    moved = handed_off_cases(world)
    assert len(moved) > 200
    assert {s.schedule.schedule_id for o in world.ownership.values() for s in o.segments} == set(world.schedules)


@HYPOTHESIS
@given(data=st.data())
def test_per_case_minutes_and_inverse_match_reference(world: World, data: st.DataObject) -> None:
    """Real cases (mostly handed off): case_business_minutes_between and the inverse on
    int_case_ownership.segments vs reference.schedules on segments built from the raw data."""
    if "case_ids" not in world.cache:  # mostly cases handed off, some not
        moved = st.sampled_from(handed_off_cases(world))
        world.cache["case_ids"] = st.one_of(moved, moved, st.sampled_from(sorted(world.ownership)))
    batch = data.draw(st.lists(case_pair(world, world.cache["case_ids"]), min_size=40, max_size=100))
    batch += random_case_pairs(data.draw(st.randoms(use_true_random=True)), world, EXTRA_PAIRS)
    check_per_case(world, batch)


# --------------------------------------------------------------------------- case by case

KEY_COLUMNS = ["tier", "case_type", "case_status", "intake_team_id", "intake_schedule_id", "final_team_id",
               "handoff_count", "first_touch_source", "sla_b_target_minutes", "sla_a_target_minutes",
               "sla_b_breached", "sla_a_breached_including_wait", "sla_a_breached_paused_wait",
               "customer_wait_intervals", "reopen_count", "open_rework_intervals", "clean_event_count",
               "delivered_copies", "has_conflicting_copies"]
MINUTE_COLUMNS = [
    "sla_b_business_minutes", "sla_a_business_minutes_including_wait", "sla_a_business_minutes_paused_wait",
    "customer_wait_business_minutes", "open_elapsed_business_minutes_including_wait",
    "open_elapsed_business_minutes_paused_wait", *(f"{s}_business_minutes" for s in R.STAGES),
    "investigation_to_review_qa_customer_wait_business_minutes", "rework_business_minutes",
]
MILESTONES = ["intake", "first_touch", "first_resolution", "cancelled", "sla_b_breach", "sla_a_breach"]
TS_COLUMNS = ["intake_date_local", *(f"{m}_ts_{clock}" for m in MILESTONES
                                     for clock in ("local", "utc", "intake_team_local"))]


def compare_case_sla(ref: pd.DataFrame, mart: pd.DataFrame) -> list[str]:
    problems = []
    only = set(ref["case_id"]) ^ set(mart["case_id"])
    if only:
        problems.append(f"case ids in only one side: {sorted(only)[:MAX_EXAMPLES]} ({len(only)})")
    absent = [c for c in KEY_COLUMNS + MINUTE_COLUMNS + TS_COLUMNS if c not in mart.columns]
    if absent:
        problems.append(f"columns missing from marts.case_sla: {absent}")
    j = ref.merge(mart, on="case_id", suffixes=("_ref", "_mart")).sort_values("case_id")
    for col in [c for c in KEY_COLUMNS + MINUTE_COLUMNS + TS_COLUMNS if c not in absent]:
        a, b = j[f"{col}_ref"], j[f"{col}_mart"]
        both = a.notna() & b.notna()
        diff = a.isna() != b.isna()
        if col in MINUTE_COLUMNS:
            diff[both] = (a[both].astype(float) - b[both].astype(float)).abs() > TOL
        elif col in TS_COLUMNS:
            diff[both] = pd.to_datetime(a[both]) != pd.to_datetime(b[both])
        else:
            diff[both] = [x != y for x, y in zip(a[both].astype(object), b[both].astype(object), strict=True)]
        if diff.any():
            ex = j[diff].head(MAX_EXAMPLES)
            lines = [f"    {cid} ({team} -> {final}): reference={x!r} mart={y!r}" for cid, team, final, x, y in
                     zip(ex["case_id"], ex["intake_team_id_ref"], ex["final_team_id_ref"], ex[f"{col}_ref"],
                         ex[f"{col}_mart"], strict=True)]
            problems.append(f"{col}: {int(diff.sum())} case(s) differ, first: {', '.join(ex['case_id'])}\n"
                            + "\n".join(lines))
    return problems


def test_case_sla_matches_reference_case_by_case(world: World) -> None:
    """Every case of marts.case_sla: both SLAs' minutes (both wait policies), customer wait,
    stages, rework, breach flags and instants (local, UTC, the intake team's clock), intake and
    final team, hand-off count: equal to reference.sla measuring each case under its segments."""
    mart = world.con.execute("select * from marts.case_sla").df()
    problems = compare_case_sla(world.sla, mart)
    assert not problems, "reference and marts.case_sla disagree:\n" + "\n".join(problems)


def test_the_data_reaches_the_interesting_cases(world: World) -> None:
    """Guard against a vacuous comparison: every team, hand-offs, breaches inside hand-off cases."""
    s = world.sla
    assert set(s["intake_team_id"]) >= {"americas", "emea", "apac", "india", "escalation", "default"}
    moved = s[s["handoff_count"] > 0]
    assert len(moved) > 200 and (moved["intake_team_id"] != moved["final_team_id"]).all()
    assert moved["sla_a_breached_including_wait"].eq(True).sum() > 10
    assert moved["sla_b_breached"].eq(True).sum() > 0
    assert set(s["case_status"]) == {"resolved", "open", "cancelled"}
    # every target of the seeds is in effect for some cases
    assert set(zip(s["tier"], s["sla_b_target_minutes"], s["sla_a_target_minutes"], strict=True)) >= {
        ("TIER_1", 120, 1600), ("TIER_1", 90, 1600), ("TIER_2", 120, 1440), ("TIER_2", 120, 1200)}


# --------------------------------------------------------------------------- named pitfalls


def minutes(w: World, rows: list[tuple[str, datetime, datetime]]) -> list[float | None]:
    """SQL business minutes of each (schedule, a, b); each checked against the reference too."""
    got = sql_per_schedule(w, [(sid, to_us(a), to_us(b), 0.0) for sid, a, b in rows])
    for (sid, a, b), (ab, _, _) in zip(rows, got, strict=True):
        assert ab == pytest.approx(ref_between(w.schedules[sid], to_us(a), to_us(b)), abs=TOL), (sid, a, b)
    return [r[0] for r in got]


def add(w: World, rows: list[tuple[str, datetime, float]]) -> list[datetime | None]:
    """SQL latest instant n business minutes after a, per schedule; checked against the reference."""
    got = sql_per_schedule(w, [(sid, to_us(a), to_us(a), n) for sid, a, n in rows])
    for (sid, a, n), (_, t_us, _) in zip(rows, got, strict=True):
        assert t_us == ref_add(w.schedules[sid], to_us(a), n), (sid, a, n)
    return [None if r[1] is None else from_us(r[1]) for r in got]


def case_row(w: World, case_id: str) -> pd.Series:
    return w.con.execute("select * from marts.case_sla where case_id = ?", [case_id]).df().iloc[0]


def naive_utc(dt: datetime) -> pd.Timestamp:
    return pd.Timestamp(dt).tz_convert("UTC").tz_localize(None)


def case_minutes(w: World, case_id: str, a: datetime, b: datetime) -> float:
    """SQL case_business_minutes_between on the case's segments of int_case_ownership."""
    got = w.query(case_query(w.macros), {"i": (pa.int64(), [0]), "case_id": (pa.string(), [case_id]),
                                         "a_us": (pa.int64(), [to_us(a)]), "b_us": (pa.int64(), [to_us(b)]),
                                         "n": (pa.float64(), [0.0])})
    return got[0][1]


def test_24_7_loses_no_time_at_the_week_wrap(world: World) -> None:
    """dbt_zendesk #215: a 24/7 schedule lost minutes where one week's rows met the next
    (Sunday to Monday); business minutes must equal calendar minutes, across DST too."""
    w = world
    assert minutes(w, [
        ("escalation", utc(2025, 11, 9, 23), utc(2025, 11, 10, 1)),
        ("escalation", utc(2025, 11, 9, 23, 59, 59), utc(2025, 11, 10, 0, 0, 1)),
        ("escalation", utc(2025, 1, 1), utc(2026, 1, 1)),
        # Los Angeles 24/7: Sun 2025-11-02 00:00 PDT -> Mon 01:00 PST = 26 h (25-hour Sunday)
        ("la_247", at(LA, 2025, 11, 2), at(LA, 2025, 11, 3, 1)),
        ("la_247", at(LA, 2025, 10, 27), at(LA, 2025, 11, 3)),  # 169 h
        ("la_247", at(LA, 2025, 3, 3), at(LA, 2025, 3, 10)),  # 167 h
        ("ktm_247", at(KTM, 2025, 11, 9, 23), at(KTM, 2025, 11, 10, 1)),
    ]) == [120, pytest.approx(2 / 60), 365 * 1440, 26 * 60, 169 * 60, 167 * 60, 120]
    assert add(w, [("escalation", utc(2025, 11, 9, 23), 120), ("escalation", utc(2025, 11, 10, 1), -120),
                   ("la_247", at(LA, 2025, 11, 1, 12), 1440)]) == [
        utc(2025, 11, 10, 1), utc(2025, 11, 9, 23), utc(2025, 11, 2, 19)]
    # the cases: exactly on target over the wrap is met; 30 min later breaches at Mon 01:30 UTC
    wrap, late, dst = (case_row(w, c) for c in ("SR-PROBE-ESC-WRAP", "SR-PROBE-ESC-WRAP-LATE", "SR-PROBE-ALLDAY-DST"))
    assert (wrap["sla_b_business_minutes"], wrap["sla_b_breached"]) == (120, False)
    assert (wrap["sla_a_business_minutes_including_wait"], wrap["sla_a_breached_including_wait"]) == (1440, False)
    assert (late["sla_b_business_minutes"], late["sla_b_breached"]) == (150, True)
    assert late["sla_b_breach_ts_utc"] == naive_utc(utc(2025, 11, 10, 1, 30))
    # 24/7 Los Angeles from Sat 12:00 PDT: 49 h to the Monday touch; 24 h after intake is Sun 11:00 PST
    assert dst["sla_b_business_minutes"] == 49 * 60
    assert dst["sla_a_breach_ts_utc"] == naive_utc(utc(2025, 11, 2, 19))
    assert dst["sla_a_breach_ts_intake_team_local"] == pd.Timestamp(2025, 11, 2, 11)


def test_no_double_counting_at_a_holiday_on_a_week_boundary(world: World) -> None:
    """dbt_zendesk #107: time spanning a weekend next to a holiday was joined to both weeks'
    schedules and counted twice (or the holiday removed twice)."""
    w = world
    assert minutes(w, [
        # Americas, Columbus Day Mon 2025-10-13: Fri 17:00 -> Tue 09:00 = 60 + 60; two weeks = 2 x 3000 - 600
        ("americas", at(LA, 2025, 10, 10, 17), at(LA, 2025, 10, 14, 9)),
        ("americas", at(LA, 2025, 10, 6), at(LA, 2025, 10, 20)),
        # EMEA's Christmas week: Mon 510 + Tue 510 + Wed 08:00-13:00 (early close) 300, Thu/Fri holidays
        ("emea", at(LON, 2025, 12, 22), at(LON, 2025, 12, 29)),
        ("emea", at(LON, 2025, 12, 24, 12), at(LON, 2025, 12, 29, 9)),
        # APAC, Labour Day Mon 2025-10-06, the day after Sydney's clocks went forward
        ("apac", at(SYD, 2025, 9, 29), at(SYD, 2025, 10, 13)),
        ("apac", at(SYD, 2025, 10, 3, 16), at(SYD, 2025, 10, 7, 10)),
        # 24/7 Los Angeles closed on the spring-forward Sunday (23 h) and the Monday: Saturday only
        ("la_247", at(LA, 2026, 3, 7), at(LA, 2026, 3, 10)),
    ]) == [120, 5400, 1320, 60 + 60, 2 * 2400 - 480, 60 + 60, 1440]
    # from inside the holiday the next opening is Tuesday's
    assert add(w, [("americas", at(LA, 2025, 10, 13, 12), 0), ("americas", at(LA, 2025, 10, 10, 17, 30), 60)]) == [
        at(LA, 2025, 10, 14, 8), at(LA, 2025, 10, 14, 8, 30)]
    row = case_row(w, "SR-PROBE-COLUMBUS")  # touched Tue 09:01 PDT: 121 minutes, breached at 09:00
    assert row["sla_b_business_minutes"] == pytest.approx(121)
    assert row["sla_b_breach_ts_utc"] == naive_utc(at(LA, 2025, 10, 14, 9))


def test_no_double_counting_in_a_dst_week(world: World) -> None:
    """dbt_zendesk #144: a week in which the clocks change had some hours counted twice; here a
    business week is its hours, whichever hemisphere and whichever direction."""
    w = world
    got = minutes(w, [
        ("americas", at(LA, 2025, 10, 27), at(LA, 2025, 11, 3)),
        ("americas", at(LA, 2026, 3, 2), at(LA, 2026, 3, 9)),
        ("default", at(LA, 2025, 10, 27), at(LA, 2025, 11, 3)),
        ("emea", at(LON, 2025, 10, 20), at(LON, 2025, 10, 27)),
        ("emea", at(LON, 2026, 3, 23), at(LON, 2026, 3, 30)),
        ("apac", at(SYD, 2025, 9, 29), at(SYD, 2025, 10, 6)),
        ("apac", at(SYD, 2025, 3, 31), at(SYD, 2025, 4, 7)),
        ("india", at(KOL, 2025, 10, 27), at(KOL, 2025, 11, 3)),
        # the weekend itself: Fri 17:00 PDT -> Mon 09:00 PST
        ("americas", at(LA, 2025, 10, 31, 17), at(LA, 2025, 11, 3, 9)),
        # London's fall-back Sunday between Friday 16:00 and Monday 09:00 (new hours 08:00-16:30)
        ("emea", at(LON, 2025, 10, 24, 16), at(LON, 2025, 10, 27, 9)),
    ])
    assert got == [3000, 3000, 3000, 2550, 2550, 2400, 2400, 2400, 120, 30 + 60]
    assert add(w, [("americas", at(LA, 2025, 10, 31, 17), 120), ("apac", at(SYD, 2025, 10, 3, 16), 120)]) == [
        at(LA, 2025, 11, 3, 9), at(SYD, 2025, 10, 7, 10)]
    row = case_row(w, "SR-PROBE-DST-WEEKEND")  # 60 on Friday + 90 on Monday; target met Mon 09:00 PST
    assert row["sla_b_business_minutes"] == 150
    assert row["sla_b_breach_ts_utc"] == naive_utc(at(LA, 2025, 11, 3, 9))


def test_coverage_gap_gives_zero_minutes_not_wrong_ones(world: World) -> None:
    """dbt_zendesk #86 and #162: gaps in the schedule spine (dates between schedule periods)
    gave cases zero business minutes. Here a stretch without hours counts zero and only that
    stretch, a team is never without a schedule (its first row applies since always), and a
    team switching schedules is measured on each in turn."""
    w = world
    assert minutes(w, [
        ("gap_la", at(LA, 2025, 10, 6), at(LA, 2025, 10, 11)),  # the week without hours
        ("gap_la", at(LA, 2025, 10, 3, 17), at(LA, 2025, 10, 14, 9)),  # 60 + Mon 10-13 600 + 60
        ("gap_la", at(LA, 2025, 9, 29), at(LA, 2025, 10, 20)),  # two weeks of hours around it
    ]) == [0, 720, 6000]
    assert add(w, [("gap_la", at(LA, 2025, 10, 8, 12), 0), ("gap_la", at(LA, 2025, 10, 8, 12), 30),
                   ("gap_la", at(LA, 2025, 10, 8, 12), -30)]) == [
        at(LA, 2025, 10, 13, 8), at(LA, 2025, 10, 13, 8, 30), at(LA, 2025, 10, 3, 17, 30)]
    gap, inside, late, moving = (case_row(w, c) for c in (
        "SR-PROBE-GAP", "SR-PROBE-INSIDE-GAP", "SR-PROBE-LATE-TEAM", "SR-PROBE-MOVING"))
    # across the gap: 720, the target met Mon 10-13 09:00 PDT
    assert (gap["sla_b_business_minutes"], gap["sla_b_breach_ts_utc"]) == (720, naive_utc(at(LA, 2025, 10, 13, 9)))
    # from inside it: Wed 12:00 -> Mon 08:30 = 30 (not zero, not NULL)
    assert inside["sla_b_business_minutes"] == 30 and not inside["sla_b_breached"]
    # a team whose only row is dated 2025-11-01: its October case is measured on that schedule
    assert (late["intake_schedule_id"], late["sla_b_business_minutes"]) == ("americas", 180)
    assert late["sla_b_breach_ts_utc"] == naive_utc(at(LA, 2025, 10, 1, 11))
    # EMEA's schedule on Fri 10-17 (16:00-16:30 BST = 30), the Americas' from Mon 10-20 00:00 PDT
    # (08:00-10:00 PDT = 120): 150, target met at 09:30 PDT; EMEA's alone would give 540 by then
    assert moving["sla_b_business_minutes"] == 150
    assert moving["sla_b_breach_ts_utc"] == naive_utc(at(LA, 2025, 10, 20, 9, 30))
    assert minutes(w, [("emea", utc(2025, 10, 17, 15), utc(2025, 10, 20, 17))]) == [30 + 510]
    assert case_minutes(w, "SR-PROBE-MOVING", at(LA, 2025, 10, 19, 23), at(LA, 2025, 10, 20, 8)) == 0


def test_holidays_are_local_days_not_utc_days(world: World) -> None:
    """A holiday is the schedule's local date: Sydney's closes 13:00 UTC the day before to 13:00
    UTC; read as a UTC day it would close the next local morning instead (Sydney opens 22:00 UTC
    the day before). Kathmandu's (+05:45) runs 18:15 UTC to 18:15 UTC."""
    w = world
    assert minutes(w, [
        # APAC Labour Day Mon 2025-10-06 (AEDT +11): local day = 10-05 13:00 -> 10-06 13:00 UTC
        ("apac", utc(2025, 10, 5, 13), utc(2025, 10, 6, 13)),
        # UTC day 10-06 holds Sydney's Tuesday 09:00-11:00 (22:00-24:00 UTC): open
        ("apac", utc(2025, 10, 6), utc(2025, 10, 7)),
        # ... and UTC day 10-05 Sydney's closed Monday morning (and its Sunday)
        ("apac", utc(2025, 10, 5), utc(2025, 10, 6)),
        # India, 2025-10-02 (IST +05:30): closed 10-01 18:30 -> 10-02 18:30 UTC; 10-01 a full day
        ("india", at(KOL, 2025, 10, 2), at(KOL, 2025, 10, 3)),
        ("india", at(KOL, 2025, 10, 1), at(KOL, 2025, 10, 2)),
        # 24/7 Kathmandu closed 2025-10-02 local: 18:00 -> 18:15 UTC (10-01) and 18:15 -> 18:30 (10-02) open
        ("ktm_247", utc(2025, 10, 1, 18), utc(2025, 10, 2, 18, 30)),
        ("ktm_247", utc(2025, 10, 2), utc(2025, 10, 3)),  # 18:15 -> 24:00 UTC
        # early close 12:15 local on 2025-12-24 = 06:30 UTC
        ("ktm_247", utc(2025, 12, 24), utc(2025, 12, 25)),
    ]) == [0, 120, 0, 0, 480, 30, 345, 390 + 345]
    assert add(w, [("apac", utc(2025, 10, 5, 21), 60), ("ktm_247", utc(2025, 10, 1, 18), 30)]) == [
        utc(2025, 10, 6, 23), utc(2025, 10, 2, 18, 30)]
    row = case_row(w, "SR-PROBE-KTM")
    assert row["sla_b_business_minutes"] == 30


def test_case_routed_away_from_default_does_not_keep_it(world: World) -> None:
    """dbt_zendesk #262: a ticket moved to another schedule kept being measured on the default
    one. A team-less case (schedule `default`, Los Angeles 08-18) handed to APAC an hour after
    intake accrues Sydney's hours from then on."""
    w = world
    row = case_row(w, "SR-PROBE-DEFAULT-AWAY")
    assert (row["intake_team_id"], row["intake_schedule_id"], row["final_team_id"], row["handoff_count"]) == (
        "default", "default", "apac", 1)
    # intake Mon 08:00 PST; default 60 to 17:00 UTC, then Sydney from Tue 09:00 AEDT = 22:00 UTC: 90 by the touch
    assert row["sla_b_business_minutes"] == 150
    assert row["sla_b_breach_ts_utc"] == naive_utc(utc(2025, 11, 3, 23))
    assert case_minutes(w, "SR-PROBE-DEFAULT-AWAY", utc(2025, 11, 3, 16), utc(2025, 11, 3, 23)) == 120
    # the default schedule alone would give 420 and a breach at 10:00 PST
    assert minutes(w, [("default", utc(2025, 11, 3, 16), utc(2025, 11, 3, 23))]) == [420]


def test_case_moving_london_to_los_angeles_breaches_across_both_schedules(world: World) -> None:
    """An EMEA case at Mon 2025-11-03 15:00 GMT handed to the Americas at 16:00 UTC (08:00 PST):
    London accrues 60 minutes, Los Angeles the rest. SLA B (120) breaches at 09:00 PST; SLA A
    (1440) at Wed 11:00 PST (60 + 600 + 600 + 180): neither schedule alone gives these."""
    w = world
    row = case_row(w, "SR-PROBE-LON-LA")
    assert (row["intake_team_id"], row["final_team_id"], row["handoff_count"]) == ("emea", "americas", 1)
    assert row["sla_b_business_minutes"] == 60 + 240
    assert row["sla_b_breach_ts_utc"] == naive_utc(utc(2025, 11, 3, 17))
    assert row["sla_b_breach_ts_intake_team_local"] == pd.Timestamp(2025, 11, 3, 17)  # GMT
    assert row["sla_b_breach_ts_local"] == pd.Timestamp(2025, 11, 3, 9)  # business_time_zone
    assert row["sla_a_business_minutes_including_wait"] == 60 + 3 * 600 + 120
    assert row["sla_a_breach_ts_utc"] == naive_utc(utc(2025, 11, 5, 19))
    # London alone: 90 on Monday, Tue 08:30 GMT; Los Angeles alone: 10:00 PST
    assert add(w, [("emea", utc(2025, 11, 3, 15), 120), ("americas", utc(2025, 11, 3, 15), 120)]) == [
        utc(2025, 11, 4, 8, 30), utc(2025, 11, 3, 18)]


def test_handoff_without_team_is_quarantined_and_the_case_stays(world: World) -> None:
    """DECISIONLOG "Several business schedules": a HANDOFF without team_id is quarantined
    (HANDOFF_WITHOUT_TEAM); the case stays with the team owning it, and it is no hand-off."""
    q = world.con.execute("select case_id, status, source_file, source_row from marts.quarantined_events "
                          "where reason_code = 'HANDOFF_WITHOUT_TEAM'").fetchall()
    mine = world.events[world.events["reason_code"] == "HANDOFF_WITHOUT_TEAM"]
    assert q == [("SR-PROBE-LON-LA", "HANDOFF", f, r) for f, r in zip(mine["source_file"], mine["source_row"],
                                                                       strict=True)]
    row = case_row(world, "SR-PROBE-LON-LA")
    assert (row["final_team_id"], row["handoff_count"]) == ("americas", 1)


def test_hand_offs_tying_at_one_instant_keep_the_new_owners_schedule_switch(world: World) -> None:
    """Two hand-offs at one instant (the later event id owns), and one at the intake instant,
    to team `moving` (EMEA's schedule, the Americas' from 2025-10-20 00:00 PDT = 07:00 UTC): the
    switch splits the owner's segment. (The SQL once ended a tie's owner at its own start and
    missed the switch: SLA A 1650.)"""
    w = world
    switch = to_us(utc(2025, 10, 20, 7))
    starts = dict(w.con.execute("select case_id, list_transform(segments, lambda s: s.starts_us) "
                                "from intermediate.int_case_ownership where case_id like 'SR-PROBE-TIE%'").fetchall())
    assert switch in starts["SR-PROBE-TIE"] and switch in starts["SR-PROBE-TIE-INTAKE"]
    tie, at_intake = case_row(w, "SR-PROBE-TIE"), case_row(w, "SR-PROBE-TIE-INTAKE")
    assert (tie["final_team_id"], tie["handoff_count"]) == ("moving", 2)
    # Americas Thu 09:00-18:00 PDT 540, EMEA Fri 15:00-16:30 BST 90, Americas Mon 600 + Tue 08:00-13:00 300
    assert tie["sla_a_business_minutes_including_wait"] == 540 + 90 + 600 + 300
    assert tie["sla_a_breach_ts_utc"] == naive_utc(at(LA, 2025, 10, 21, 11, 30))
    # from intake: EMEA Fri 15:00-16:30 BST 90, then the Americas Mon 08:00-10:00 PDT
    assert (at_intake["intake_team_id"], at_intake["intake_schedule_id"]) == ("emea", "emea")
    assert at_intake["sla_b_business_minutes"] == 90 + 120
    assert at_intake["sla_b_breach_ts_utc"] == naive_utc(at(LA, 2025, 10, 20, 8, 30))


def test_time_before_an_intake_hand_off_is_the_intake_teams(world: World) -> None:
    """SPEC-schedules: "the first segment also covers everything before intake". A case of the
    Americas handed to EMEA at its intake instant (Mon 2025-11-03 16:00 UTC): the intake
    team's empty segment is the first, so 08:00-16:00 UTC before intake is Los Angeles' night
    (0 minutes), not EMEA's day (480, what the SQL once read: it dropped the intake team when a
    hand-off tied with intake); from intake on, EMEA owns the case."""
    case, a, b = "SR-PROBE-AWAY-AT-INTAKE", utc(2025, 11, 3, 8), utc(2025, 11, 3, 16)
    ref = S.case_minutes_between(a, b, world.ownership[case].segments)
    assert ref == 0
    assert case_minutes(world, case, a, b) == ref
    # from intake on, EMEA's hours (08:00-16:30 GMT since 2025-10-06): 16:00-16:30 of the hour
    # 16:00-17:00 UTC, not the Americas' whole hour (08:00-09:00 PST)
    a, b = utc(2025, 11, 3, 16), utc(2025, 11, 3, 17)
    assert S.case_minutes_between(a, b, world.ownership[case].segments) == 30
    assert case_minutes(world, case, a, b) == 30


# --------------------------------------------------------------------------- live SLA state


def test_running_clocks_project_under_the_owning_schedules(world: World) -> None:
    """Issue 30 on the global export (hand-offs across five zones): for every running clock in
    marts.sla_clock_status, the projected breach is reference.schedules' case_add(as-of,
    remaining) on the case's ownership segments built from the raw data - the schedule owning
    the case after as-of, not the intake team's - and for the two clocks without pauses the
    elapsed minutes are the case's business minutes from intake to as-of."""
    rows = world.con.execute("""
        select clocks.case_id, clocks.sla_clock, clocks.elapsed_business_minutes,
               clocks.remaining_business_minutes, epoch_us(clocks.intake_ts_utc), epoch_us(clocks.as_of_ts_utc),
               epoch_us(clocks.breach_ts_utc), ownership.segment_count
        from marts.sla_clock_status as clocks
        inner join intermediate.int_case_ownership as ownership on clocks.case_id = ownership.case_id
        where clocks.clock_status = 'running'""").fetchall()
    # cases whose schedule at as-of is not the one at intake: the projection must use the former
    moved = {r[0] for r in rows if world.ownership[r[0]].segments[-1].schedule.schedule_id
             != world.ownership[r[0]].intake_schedule_id}
    assert len(rows) > 50 and len(moved) > 5, f"too few running clocks ({len(rows)}; {len(moved)} cases moved)"
    problems = []
    for cid, clock, elapsed, remaining, intake_us, as_of_us, breach_us, _ in rows:
        segments = world.ownership[cid].segments
        as_of = from_us(as_of_us)
        expected_breach = to_us(S.case_add(as_of, remaining, segments))
        if breach_us is None or abs(breach_us - expected_breach) > 1_000:
            problems.append(f"{cid} {clock}: breach {_fmt(breach_us)}, reference {_fmt(expected_breach)}")
        if clock != "sla_a_paused_wait":
            expected = S.case_minutes_between(from_us(intake_us), as_of, segments)
            if abs(elapsed - expected) > TOL:
                problems.append(f"{cid} {clock}: elapsed {elapsed}, reference {expected}")
    assert not problems, "\n".join(problems[:MAX_EXAMPLES])
