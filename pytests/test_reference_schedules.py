"""Tests of the several-schedules reference oracle (issue 29, SPEC-schedules.md).

Two kinds:

* Property tests (hypothesis) against a brute force written here, independent of the oracle's
  interval arithmetic: an instant is business when some local date around it has an hours row
  in effect whose [open, close) contains it and no closure of that date does (the wall times
  resolved here with ``datetime.timestamp``).  Every boundary lies on a quarter hour of UTC
  (all zones used have offsets in whole quarter hours), so the measure of [lo, hi) is summed
  over the cells cut by the UTC quarter-hour grid (plus the ownership boundaries of a case),
  each cell being wholly business or not: exact for any lo, hi.
* Named tests, each value worked out by hand in the comments, for the pitfalls of issue 29
  (dbt_zendesk #215, #107, #144, #86/#162, #262, holidays on local days, London -> Los Angeles).

Zones: LA = America/Los_Angeles (PDT -7 until 2025-11-02 02:00, then PST -8; PDT again from
2025-03-09 03:00), London (BST +1 until 2025-10-26 02:00, GMT +0; BST from 2025-03-30 01:00 UTC),
Sydney (AEST +10 from 2025-04-06 03:00 -> 02:00, AEDT +11 from 2025-10-05 02:00 -> 03:00),
Kolkata +05:30.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference.business_time import BusinessCalendar, business_add, business_seconds_between
from reference.schedules import (
    Closure,
    DefaultSchedule,
    HoursRow,
    Schedule,
    Segment,
    TeamSchedule,
    case_add,
    case_minutes_between,
    case_seconds_between,
    case_segments,
    load_schedules,
    load_team_schedules,
    schedule_add,
    schedule_minutes_between,
    schedule_seconds_between,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FIRST, LAST = date(2025, 1, 1), date(2026, 12, 31)

LA = ZoneInfo("America/Los_Angeles")
LON = ZoneInfo("Europe/London")
SYD = ZoneInfo("Australia/Sydney")
KOL = ZoneInfo("Asia/Kolkata")

US = 1_000_000
MINUTE_US = 60 * US
QUARTER_US = 15 * MINUTE_US
DAY_US = 24 * 60 * MINUTE_US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

WEEKDAYS = range(1, 6)
ALL_DAYS = range(1, 8)


# ----------------------------------------------------------------------------- builders


def weekly(sid: str, tz: str, spans: list[tuple[str, str]], days=WEEKDAYS, closures=(),
           valid_from: date | None = None, valid_to: date | None = None, extra_rows=(),
           first: date = FIRST, last: date = LAST) -> Schedule:
    """A schedule open ``spans`` on ``days`` (rows valid_from..valid_to), plus ``extra_rows``."""
    rows = [HoursRow(valid_from, valid_to, wd, o, c) for wd in days for o, c in spans]
    return Schedule(sid, tz, tuple(rows) + tuple(extra_rows), tuple(closures), first, last)


AMERICAS = weekly("americas", "America/Los_Angeles", [("08:00", "18:00")],
                  closures=[Closure(date(2025, 12, 24), "14:00", "24:00")])
EMEA = weekly("emea", "Europe/London", [("09:00", "17:30")], valid_to=date(2025, 10, 6),
              extra_rows=[HoursRow(date(2025, 10, 6), None, wd, "08:00", "16:30") for wd in WEEKDAYS],
              closures=[Closure(date(2025, 12, 24), "13:00", "24:00")])
APAC = weekly("apac", "Australia/Sydney", [("09:00", "17:00")], closures=[Closure(date(2025, 12, 31))])
INDIA = weekly("india", "Asia/Kolkata", [("09:00", "13:00"), ("14:00", "18:00")])
ESCALATION = weekly("escalation", "UTC", [("00:00", "24:00")], days=ALL_DAYS)
DEFAULT = DefaultSchedule().schedule(FIRST, LAST)

TEAMS: dict[str, list[TeamSchedule]] = {
    "americas": [TeamSchedule(None, AMERICAS)],
    "emea": [TeamSchedule(None, EMEA)],
    "apac": [TeamSchedule(None, APAC)],
    "india": [TeamSchedule(None, INDIA)],
    "escalation": [TeamSchedule(None, ESCALATION)],
    "default": [TeamSchedule(None, DEFAULT)],
    # a team that moves from the EMEA schedule to the Americas one on 2025-10-06
    "moving": [TeamSchedule(None, EMEA), TeamSchedule(date(2025, 10, 6), AMERICAS)],
}


def at(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def mins(a: datetime, b: datetime, schedule: Schedule) -> float | None:
    return schedule_minutes_between(a, b, schedule)


def one(schedule: Schedule) -> list[Segment]:
    return [Segment(None, schedule)]


# ----------------------------------------------------------------------------- brute force


def to_us(dt: datetime) -> int:
    return (dt - EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def wall_us(d: date, hhmm: str, tz: str) -> int:
    """Instant of wall time ``hhmm`` of local date ``d`` (fold=0; '24:00' = next midnight)."""
    h, m = (int(x) for x in hhmm.split(":"))
    naive = datetime(d.year, d.month, d.day) + timedelta(hours=h, minutes=m)
    return int(naive.replace(tzinfo=ZoneInfo(tz)).timestamp()) * US


Spans = list[tuple[int, int]]
# keyed by id(schedule); the schedule is kept in the value and checked, as an id can be reused
_DAY_CACHE: dict[tuple[int, date], tuple[Schedule, Spans, Spans]] = {}


def brute_day(s: Schedule, d: date) -> tuple[Spans, Spans]:
    """(open spans, closed spans) of local date ``d`` as raw instant pairs, no merging."""
    key = (id(s), d)
    cached = _DAY_CACHE.get(key)
    if cached is None or cached[0] is not s:
        opens = [(wall_us(d, r.opens, s.tz), wall_us(d, r.closes, s.tz)) for r in s.hours
                 if r.iso_weekday == d.isoweekday()
                 and (r.valid_from is None or r.valid_from <= d)
                 and (r.valid_to is None or d < r.valid_to)]
        closed = [(wall_us(d, c.closed_from, s.tz), wall_us(d, c.closed_until, s.tz))
                  for c in s.closures if c.day == d]
        cached = _DAY_CACHE[key] = (s, opens, closed)
    return cached[1], cached[2]


def is_business(s: Schedule, t: int) -> bool:
    """Point membership in the schedule's business set, straight from the definition."""
    d0 = from_us(t).astimezone(ZoneInfo(s.tz)).date()
    for d in (d0 - timedelta(days=1), d0, d0 + timedelta(days=1)):
        if not s.first <= d <= s.last:
            continue
        opens, closed = brute_day(s, d)
        if any(o <= t < c for o, c in opens) and not any(f <= t < u for f, u in closed):
            return True
    return False


def brute_measure(lo: int, hi: int, member: Callable[[int], bool], cuts=()) -> int:
    """Measure of {t in [lo, hi): member(t)}, membership constant on each grid/cut cell."""
    if lo >= hi:
        return 0
    points = {lo, hi, *(c for c in cuts if lo < c < hi)}
    points.update(range(-(-lo // QUARTER_US) * QUARTER_US, hi, QUARTER_US))
    pts = sorted(points)
    return sum(q - p for p, q in zip(pts, pts[1:], strict=False) if member(p))


def brute_seconds(a: datetime, b: datetime, member: Callable[[int], bool], cuts=()) -> Fraction:
    a_us, b_us = to_us(a), to_us(b)
    m = Fraction(brute_measure(min(a_us, b_us), max(a_us, b_us), member, cuts), US)
    return m if a_us <= b_us else -m


class BruteCase:
    """A case's business set by brute force from the raw intake, handoffs and team rows."""

    def __init__(self, intake_at: datetime, intake_team: str | None, handoffs, teams) -> None:
        self.intake = to_us(intake_at)
        self.intake_team = intake_team if intake_team is not None else "default"
        self.handoffs = [(to_us(t), eid, team) for t, eid, team in handoffs]
        self.teams = teams
        self.cuts = [h[0] for h in self.handoffs] + [
            wall_us(r.valid_from, "00:00", r.schedule.tz) for rows in teams.values() for r in rows if r.valid_from
        ]

    def owner_team(self, t: int) -> str:
        best = None
        for us, eid, team in self.handoffs:
            if team is not None and self.intake <= us <= t and (best is None or (us, eid) > best[:2]):
                best = (us, eid, team)
        return best[2] if best else self.intake_team

    def schedule(self, t: int) -> Schedule:
        rows = sorted(self.teams[self.owner_team(t)], key=lambda r: (r.valid_from is not None, r.valid_from))
        chosen = rows[0].schedule  # the earliest row applies since always
        for r in rows[1:]:
            if wall_us(r.valid_from, "00:00", r.schedule.tz) <= t:
                chosen = r.schedule
        return chosen

    def member(self, t: int) -> bool:
        return is_business(self.schedule(t), t)

    def seconds(self, a: datetime, b: datetime) -> Fraction:
        return brute_seconds(a, b, self.member, self.cuts)


# ----------------------------------------------------------------------------- strategies

ZONES = ["America/Los_Angeles", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "UTC",
         "Australia/Lord_Howe",  # a 30-minute DST shift
         "America/Santiago",  # DST changes at local midnight
         "Asia/Kathmandu"]  # +05:45
# DST changes in both hemispheres, a week wrap at a year end, an ordinary week
ANCHORS = [date(2025, 3, 9), date(2025, 11, 2), date(2025, 3, 30), date(2025, 10, 26), date(2025, 4, 6),
           date(2025, 10, 5), date(2025, 9, 7), date(2025, 12, 28), date(2025, 7, 13)]
SPAN_DAYS = 12  # schedules cover anchor +- SPAN_DAYS; instants are drawn within anchor +- 4 days


def hhmm(quarter: int) -> str:
    return f"{quarter // 4:02d}:{quarter % 4 * 15:02d}"


@st.composite
def schedules(draw, anchor: date, sid: str = "s") -> Schedule:
    """Random schedule: split shifts, overlaps, 24/7, effective dating with gaps, closures."""
    tz = draw(st.sampled_from(ZONES))
    near = st.integers(-6, 6).map(lambda k: anchor + timedelta(days=k))
    rows: list[HoursRow] = []
    kind = draw(st.sampled_from(["random", "24/7", "office"]))
    if kind == "24/7":
        rows += [HoursRow(None, None, wd, "00:00", "24:00") for wd in ALL_DAYS]
    elif kind == "office":
        rows += [HoursRow(None, None, wd, "09:00", "17:00") for wd in WEEKDAYS]
    for _ in range(draw(st.integers(0, 10))):
        wd = draw(st.integers(1, 7))
        o = draw(st.integers(0, 95))
        c = draw(st.integers(o + 1, 96))
        vf, vt = draw(st.none() | near), draw(st.none() | near)
        if vf is not None and vt is not None and vt <= vf:
            vf, vt = vt, (vf if vf > vt else None)
        rows.append(HoursRow(vf, vt, wd, hhmm(o), hhmm(c)))
    closures = []
    for _ in range(draw(st.integers(0, 4))):
        f = draw(st.integers(0, 95))
        closures.append(Closure(draw(near), hhmm(f), hhmm(draw(st.integers(f + 1, 96)))))
    return Schedule(sid, tz, tuple(rows), tuple(closures),
                    anchor - timedelta(days=SPAN_DAYS), anchor + timedelta(days=SPAN_DAYS))


def instants(anchor: date, days: int = 4):
    """Instants within anchor +- days (UTC midnight), often exactly on a quarter hour."""
    base = to_us(datetime.combine(anchor, time(0), tzinfo=UTC))
    return st.one_of(
        st.integers(-days * DAY_US, days * DAY_US),
        st.integers(-days * 96, days * 96).map(lambda q: q * QUARTER_US),
    ).map(lambda off: from_us(base + off))


@st.composite
def schedule_and_instants(draw, n: int = 2):
    anchor = draw(st.sampled_from(ANCHORS))
    return (draw(schedules(anchor)), *(draw(instants(anchor)) for _ in range(n)))


minutes_st = st.one_of(
    st.integers(0, 6000),
    st.fractions(Fraction(0), Fraction(6000), max_denominator=1000),
    st.floats(0, 6000, allow_nan=False, allow_infinity=False),
)

FAST = settings(max_examples=90, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CASES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------------------- properties: one schedule


@FAST
@given(schedule_and_instants(2))
def test_between_matches_brute_force(args):
    s, a, b = args
    got = schedule_seconds_between(a, b, s)
    assert got == brute_seconds(a, b, lambda t: is_business(s, t))
    # antisymmetry, and 0 <= f <= wall clock
    assert schedule_seconds_between(b, a, s) == -got
    wall = Fraction(abs(to_us(b) - to_us(a)), US)
    assert 0 <= abs(got) <= wall
    always_open = {r.iso_weekday for r in s.hours
                   if (r.opens, r.closes, r.valid_from, r.valid_to) == ("00:00", "24:00", None, None)}
    if always_open == set(ALL_DAYS) and not s.closures:
        assert abs(got) == wall  # 24/7 loses nothing and counts nothing twice


@FAST
@given(schedule_and_instants(3))
def test_between_is_additive(args):
    s, a, b, c = args
    ab, bc, ac = (schedule_seconds_between(x, y, s) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac


@FAST
@given(schedule_and_instants(1), minutes_st, st.booleans())
def test_add_is_latest_inverse_of_between(args, minutes, backward):
    s, a = args
    minutes = -minutes if backward else minutes
    target = round(Fraction(minutes) * MINUTE_US)
    try:
        t = schedule_add(a, minutes, s)
    except ValueError:
        # only when the covered range holds too little business time that way
        start, end = (to_us(s.covered_from), to_us(s.covered_until))
        available = (brute_measure(to_us(a), end, lambda x: is_business(s, x)) if target >= 0
                     else brute_measure(start, to_us(a), lambda x: is_business(s, x)))
        assert available <= abs(target) if target >= 0 else available < abs(target)
        return
    assert schedule_seconds_between(a, t, s) == Fraction(target, US)
    assert brute_seconds(a, t, lambda x: is_business(s, x)) == Fraction(target, US)
    # latest: t is a business instant, so any later instant has more business time
    assert is_business(s, to_us(t))


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(ANCHORS), st.sampled_from(ZONES), st.integers(0, 94), st.integers(1, 95),
       st.frozensets(st.integers(-6, 6), max_size=4), st.frozensets(st.integers(1, 7), min_size=1),
       st.data())
def test_default_schedule_agrees_with_single_schedule_oracle(anchor, tz, o, length, holiday_offsets, weekdays, data):
    """The ``default`` schedule is today's single-schedule calendar (vars + calendar_dim holidays)."""
    c = min(95, o + length)
    if c <= o:
        return
    holidays = frozenset(anchor + timedelta(days=k) for k in holiday_offsets)
    first, last = anchor - timedelta(days=SPAN_DAYS), anchor + timedelta(days=SPAN_DAYS)
    s = DefaultSchedule(tz, hhmm(o), hhmm(c), weekdays, holidays).schedule(first, last)
    cal = BusinessCalendar(tz=tz, first_date=first, last_date=last, open_time=time(o // 4, o % 4 * 15),
                           close_time=time(c // 4, c % 4 * 15), business_weekdays=weekdays, holidays=holidays)
    a, b = data.draw(instants(anchor)), data.draw(instants(anchor))
    assert schedule_seconds_between(a, b, s) == business_seconds_between(a, b, cal)
    m = data.draw(st.integers(-3000, 3000))
    try:
        expected = business_add(a, m, cal)
    except ValueError:
        with pytest.raises(ValueError):
            schedule_add(a, m, s)
        return
    assert schedule_add(a, m, s) == expected


# ----------------------------------------------------------------------------- properties: cases


@st.composite
def random_cases(draw):
    anchor = draw(st.sampled_from(ANCHORS))
    pool = [draw(schedules(anchor, f"s{i}")) for i in range(draw(st.integers(1, 3)))]
    teams: dict[str, list[TeamSchedule]] = {}
    for name in ("default", "t1", "t2", "t3"):
        rows = [TeamSchedule(None, draw(st.sampled_from(pool)))]
        if draw(st.booleans()):  # a schedule switch near the anchor
            rows.append(TeamSchedule(anchor + timedelta(days=draw(st.integers(-3, 3))), draw(st.sampled_from(pool))))
        teams[name] = rows
    intake = draw(instants(anchor, 2))
    n = draw(st.integers(0, 4))
    ids = draw(st.permutations(range(n)))
    handoffs: list[tuple[datetime, int, str | None]] = []
    for i in range(n):
        if handoffs and draw(st.booleans()):
            when = handoffs[draw(st.integers(0, len(handoffs) - 1))][0]  # a tie at one instant
        elif draw(st.booleans()):
            when = intake  # at intake exactly
        else:
            when = intake + timedelta(microseconds=draw(st.integers(-DAY_US, 3 * DAY_US)))
        handoffs.append((when, ids[i], draw(st.sampled_from(["default", "t1", "t2", "t3", None]))))
    intake_team = draw(st.sampled_from([None, "t1", "t2", "t3"]))
    segments = case_segments(intake, intake_team, handoffs, teams)
    return anchor, segments, BruteCase(intake, intake_team, handoffs, teams)


@CASES
@given(random_cases(), st.data())
def test_case_between_matches_brute_force(case, data):
    anchor, segments, brute = case
    a, b, c = (data.draw(instants(anchor)) for _ in range(3))
    ab = case_seconds_between(a, b, segments)
    assert ab == brute.seconds(a, b)
    assert case_seconds_between(b, a, segments) == -ab
    assert ab + case_seconds_between(b, c, segments) == case_seconds_between(a, c, segments)
    assert 0 <= abs(ab) <= Fraction(abs(to_us(b) - to_us(a)), US)


@CASES
@given(random_cases(), st.data(), minutes_st, st.booleans())
def test_case_add_is_latest_inverse_of_between(case, data, minutes, backward):
    anchor, segments, brute = case
    a = data.draw(instants(anchor))
    minutes = -minutes if backward else minutes
    target = Fraction(round(Fraction(minutes) * MINUTE_US), US)
    try:
        t = case_add(a, minutes, segments)
    except ValueError:
        # the walk ran out of the covered range: check there was not enough time that way
        last, first = segments[-1].schedule, segments[0].schedule
        if target >= 0:
            assert brute.seconds(a, last.covered_until - timedelta(microseconds=1)) <= target
        else:
            assert -brute.seconds(a, first.covered_from) < -target
        return
    assert case_seconds_between(a, t, segments) == target
    assert brute.seconds(a, t) == target
    assert brute.member(to_us(t))  # latest: time accrues right after t


# ----------------------------------------------------------------------------- named: one schedule


def test_split_shift_lunch_is_not_business():
    # India Mon 2025-11-03: 09:00-13:00 and 14:00-18:00 IST = 480 min; 12:30 -> 14:30 = 30 + 30.
    assert mins(at(KOL, 2025, 11, 3, 0), at(KOL, 2025, 11, 4, 0), INDIA) == 480
    assert mins(at(KOL, 2025, 11, 3, 12, 30), at(KOL, 2025, 11, 3, 14, 30), INDIA) == 60
    assert INDIA.intervals(date(2025, 11, 3)) == [(utc(2025, 11, 3, 3, 30), utc(2025, 11, 3, 7, 30)),
                                                  (utc(2025, 11, 3, 8, 30), utc(2025, 11, 3, 12, 30))]
    # 12:30 + 60 min: 30 min to 13:00, 30 more from 14:00 -> 14:30.
    assert schedule_add(at(KOL, 2025, 11, 3, 12, 30), 60, INDIA) == at(KOL, 2025, 11, 3, 14, 30)
    # 12:00 + 60 min is reached exactly at the 13:00 close: the latest such instant is 14:00.
    assert schedule_add(at(KOL, 2025, 11, 3, 12), 60, INDIA) == at(KOL, 2025, 11, 3, 14)
    # at 13:30 (lunch) + 0 -> 14:00; Friday 18:00 + 0 -> Monday 09:00
    assert schedule_add(at(KOL, 2025, 11, 3, 13, 30), 0, INDIA) == at(KOL, 2025, 11, 3, 14)
    assert schedule_add(at(KOL, 2025, 11, 7, 18), 0, INDIA) == at(KOL, 2025, 11, 10, 9)
    # backward: Mon 14:30 - 60 -> 12:30; Mon 09:30 - 60 -> Friday 17:30
    assert schedule_add(at(KOL, 2025, 11, 3, 14, 30), -60, INDIA) == at(KOL, 2025, 11, 3, 12, 30)
    assert schedule_add(at(KOL, 2025, 11, 10, 9, 30), -60, INDIA) == at(KOL, 2025, 11, 7, 17, 30)


def test_overlapping_and_repeated_rows_are_not_double_counted():
    # 09:00-13:00 U 11:00-15:00 U 15:00-16:00 (adjacent) U 09:00-13:00 again = 09:00-16:00 = 420 min.
    s = weekly("ov", "Europe/London", [("09:00", "13:00"), ("11:00", "15:00"), ("15:00", "16:00"), ("09:00", "13:00")])
    assert mins(at(LON, 2025, 7, 14), at(LON, 2025, 7, 15), s) == 420
    assert s.intervals(date(2025, 7, 14)) == [(at(LON, 2025, 7, 14, 9), at(LON, 2025, 7, 14, 16))]
    assert schedule_add(at(LON, 2025, 7, 14, 9), 400, s) == at(LON, 2025, 7, 14, 15, 40)


def test_24_7_loses_nothing_at_the_week_wrap():
    """dbt_zendesk #215: a 24/7 schedule lost time from Sunday to Monday."""
    # Escalation (UTC): Sun 2025-11-09 23:00 -> Mon 01:00 = 120 min; a whole year = 365 days.
    assert mins(utc(2025, 11, 9, 23), utc(2025, 11, 10, 1), ESCALATION) == 120
    assert mins(utc(2025, 11, 9, 23, 59, 59), utc(2025, 11, 10, 0, 0, 1), ESCALATION) == pytest.approx(2 / 60)
    assert mins(utc(2025, 1, 1), utc(2026, 1, 1), ESCALATION) == 365 * 1440
    assert schedule_add(utc(2025, 11, 9, 23), 120, ESCALATION) == utc(2025, 11, 10, 1)
    assert schedule_add(utc(2025, 11, 10, 1), -120, ESCALATION) == utc(2025, 11, 9, 23)
    # 24/7 in zones with DST: the measure is the elapsed time, 167 h / 169 h in the DST weeks.
    la247 = weekly("la247", "America/Los_Angeles", [("00:00", "24:00")], days=ALL_DAYS)
    syd247 = weekly("syd247", "Australia/Sydney", [("00:00", "24:00")], days=ALL_DAYS)
    assert mins(at(LA, 2025, 3, 3), at(LA, 2025, 3, 10), la247) == 167 * 60
    assert mins(at(LA, 2025, 10, 27), at(LA, 2025, 11, 3), la247) == 169 * 60
    assert mins(at(SYD, 2025, 9, 29), at(SYD, 2025, 10, 6), syd247) == 167 * 60
    assert mins(at(SYD, 2025, 3, 31), at(SYD, 2025, 4, 7), syd247) == 169 * 60
    # Sunday -> Monday wrap across the LA fall-back Sunday: Sun 2025-11-02 00:00 PDT -> Mon 01:00 PST = 26 h
    assert mins(at(LA, 2025, 11, 2), at(LA, 2025, 11, 3, 1), la247) == 26 * 60


def test_dst_week_is_not_double_counted_in_either_hemisphere():
    """dbt_zendesk #144: a DST week counted some hours twice."""
    # Americas Mon-Fri 08-18: any week = 3000 min, DST weeks included (LA changes on Sundays).
    assert mins(at(LA, 2025, 3, 3), at(LA, 2025, 3, 10), AMERICAS) == 3000
    assert mins(at(LA, 2025, 10, 27), at(LA, 2025, 11, 3), AMERICAS) == 3000
    # London 2025-10-26 (old hours until 10-06 are 09:00-17:30, new 08:00-16:30: both 8.5 h)
    assert mins(at(LON, 2025, 10, 20), at(LON, 2025, 10, 27), EMEA) == 2550
    assert mins(at(LON, 2025, 3, 24), at(LON, 2025, 3, 31), EMEA) == 2550
    # Sydney: DST begins 2025-10-05, ends 2025-04-06 (Sundays): 5 x 8 h
    assert mins(at(SYD, 2025, 9, 29), at(SYD, 2025, 10, 6), APAC) == 2400
    assert mins(at(SYD, 2025, 3, 31), at(SYD, 2025, 4, 7), APAC) == 2400
    # A desk open on the DST Sunday itself: 00:00-24:00 local is 25 h (fall back) / 23 h (spring).
    sunday = weekly("sun", "America/Los_Angeles", [("00:00", "24:00")], days=[7])
    assert mins(at(LA, 2025, 11, 2), at(LA, 2025, 11, 3), sunday) == 25 * 60
    assert mins(at(LA, 2025, 3, 9), at(LA, 2025, 3, 10), sunday) == 23 * 60
    assert mins(at(SYD, 2025, 4, 6), at(SYD, 2025, 4, 7), weekly("s", "Australia/Sydney", [("00:00", "24:00")],
                                                                 days=[7])) == 25 * 60
    # A shift inside the repeated hour (01:00-02:00 on 2025-11-02 in LA): 01:00 PDT -> 02:00 PST = 2 h.
    night = weekly("night", "America/Los_Angeles", [("01:00", "02:00")], days=[7])
    assert mins(at(LA, 2025, 11, 1), at(LA, 2025, 11, 3), night) == 120
    # A shift opening inside the skipped hour (02:30 on 2025-03-09, fold=0 = PST) -> 04:00 PDT = 30 min.
    gap = weekly("gap", "America/Los_Angeles", [("02:30", "04:00")], days=[7])
    assert gap.intervals(date(2025, 3, 9)) == [(utc(2025, 3, 9, 10, 30), utc(2025, 3, 9, 11))]


def test_holiday_at_a_week_boundary_is_not_double_counted():
    """dbt_zendesk #107: a holiday at a week boundary was counted twice (or removed twice)."""
    # Mon-Fri 08-18 LA with Monday 2025-11-03 (the Monday after the fall-back Sunday) closed:
    # two weeks 2025-10-27 .. 2025-11-10 = 2 x 3000 - 600 = 5400.
    s = weekly("h", "America/Los_Angeles", [("08:00", "18:00")], closures=[Closure(date(2025, 11, 3))])
    assert mins(at(LA, 2025, 10, 27), at(LA, 2025, 11, 10), s) == 5400
    assert mins(at(LA, 2025, 10, 31, 17), at(LA, 2025, 11, 4, 9), s) == 120
    # 24/7 closed Sun 2025-11-02 (25 h) and Mon 2025-11-03: Sat 00:00 -> Tue 00:00 leaves Saturday = 24 h.
    s247 = weekly("h247", "America/Los_Angeles", [("00:00", "24:00")], days=ALL_DAYS,
                  closures=[Closure(date(2025, 11, 2)), Closure(date(2025, 11, 3))])
    assert mins(at(LA, 2025, 11, 1), at(LA, 2025, 11, 4), s247) == 1440
    # the same closure listed twice removes it once
    twice = weekly("h2", "America/Los_Angeles", [("08:00", "18:00")],
                   closures=[Closure(date(2025, 11, 3)), Closure(date(2025, 11, 3))])
    assert mins(at(LA, 2025, 10, 27), at(LA, 2025, 11, 10), twice) == 5400


def test_holidays_are_local_days_not_utc_days():
    # APAC company day 2025-12-31 (AEDT +11): open 09-17 local would be 2025-12-30 22:00 -> 12-31 06:00 UTC.
    assert mins(utc(2025, 12, 30, 20), utc(2025, 12, 31, 7), APAC) == 0
    # UTC day 2025-12-31 holds Sydney's 2026-01-01 09:00-11:00 (22:00-24:00 UTC): open.
    assert mins(utc(2025, 12, 31), utc(2026, 1, 1), APAC) == 120
    assert APAC.intervals(date(2025, 12, 31)) == []
    assert schedule_add(utc(2025, 12, 30, 21), 60, APAC) == utc(2025, 12, 31, 23)
    # Kolkata 24/7 closed 2025-08-15 (IST): closed 2025-08-14 18:30 -> 2025-08-15 18:30 UTC.
    k = weekly("k", "Asia/Kolkata", [("00:00", "24:00")], days=ALL_DAYS, closures=[Closure(date(2025, 8, 15))])
    assert mins(utc(2025, 8, 14, 18), utc(2025, 8, 15, 19), k) == 60
    assert mins(utc(2025, 8, 15), utc(2025, 8, 16), k) == 330  # 18:30 -> 24:00 UTC
    assert schedule_add(utc(2025, 8, 14, 18), 30, k) == utc(2025, 8, 15, 18, 30)


def test_partial_day_closures():
    # EMEA Wed 2025-12-24 (GMT) closes at 13:00: 08:00-13:00 = 300 min (new hours).
    assert mins(at(LON, 2025, 12, 24), at(LON, 2025, 12, 25), EMEA) == 300
    # Americas Wed 2025-12-24 (PST) closes at 14:00: 08:00-14:00 = 360 min.
    assert mins(at(LA, 2025, 12, 24), at(LA, 2025, 12, 25), AMERICAS) == 360
    # 13:30 + 60 -> reached exactly at the 14:00 early close + 30 -> next day 08:30
    assert schedule_add(at(LA, 2025, 12, 24, 13), 90, AMERICAS) == at(LA, 2025, 12, 25, 8, 30)
    # a closure in the middle of the day splits it; one outside the hours changes nothing
    s = weekly("mid", "America/Los_Angeles", [("08:00", "18:00")],
               closures=[Closure(date(2025, 7, 14), "12:00", "13:15"), Closure(date(2025, 7, 15), "19:00", "24:00")])
    assert s.intervals(date(2025, 7, 14)) == [(at(LA, 2025, 7, 14, 8), at(LA, 2025, 7, 14, 12)),
                                              (at(LA, 2025, 7, 14, 13, 15), at(LA, 2025, 7, 14, 18))]
    assert mins(at(LA, 2025, 7, 14), at(LA, 2025, 7, 16), s) == 525 + 600


def test_hours_change_on_a_local_date():
    # EMEA: 09:00-17:30 before 2025-10-06, 08:00-16:30 from it (BST +1 until 2025-10-26).
    # Fri 10-03 16:00 -> 17:30 = 90; Mon 10-06 08:00 -> 09:00 = 60.
    assert mins(at(LON, 2025, 10, 3, 16), at(LON, 2025, 10, 6, 9), EMEA) == 150
    assert mins(at(LON, 2025, 9, 29, 8, 30), at(LON, 2025, 9, 29, 9, 30), EMEA) == 30
    assert mins(at(LON, 2025, 10, 13, 8, 30), at(LON, 2025, 10, 13, 9, 30), EMEA) == 60
    # Fri 17:00 + 60: 30 on Friday (old hours), 30 from Monday 08:00 (new hours) -> 08:30
    assert schedule_add(at(LON, 2025, 10, 3, 17), 60, EMEA) == at(LON, 2025, 10, 6, 8, 30)
    assert schedule_add(at(LON, 2025, 10, 6, 8, 30), -60, EMEA) == at(LON, 2025, 10, 3, 17)


def test_coverage_gap_gives_zero_never_a_wrong_non_zero():
    """dbt_zendesk #86/#162: a schedule with no hours for some dates."""
    # LA 08-18 Mon-Fri until 2025-10-06 and again from 2025-10-13: the week between has no hours.
    s = weekly("gap", "America/Los_Angeles", [("08:00", "18:00")], valid_to=date(2025, 10, 6),
               extra_rows=[HoursRow(date(2025, 10, 13), None, wd, "08:00", "18:00") for wd in WEEKDAYS])
    assert mins(at(LA, 2025, 10, 6), at(LA, 2025, 10, 11), s) == 0
    assert s.intervals(date(2025, 10, 8)) == []
    # Fri 10-03 17:00 -> Tue 10-14 09:00 = 60 + Mon 10-13 600 + 60 = 720
    assert mins(at(LA, 2025, 10, 3, 17), at(LA, 2025, 10, 14, 9), s) == 720
    # from inside the gap, + 0 and + 30 land after it
    assert schedule_add(at(LA, 2025, 10, 8, 12), 0, s) == at(LA, 2025, 10, 13, 8)
    assert schedule_add(at(LA, 2025, 10, 8, 12), 30, s) == at(LA, 2025, 10, 13, 8, 30)
    assert schedule_add(at(LA, 2025, 10, 8, 12), -30, s) == at(LA, 2025, 10, 3, 17, 30)
    # hours that start only on 2025-06-02: nothing before, and never time borrowed from elsewhere
    late = weekly("late", "Europe/London", [("09:00", "17:00")], valid_from=date(2025, 6, 2))
    assert mins(at(LON, 2025, 1, 1), at(LON, 2025, 6, 2), late) == 0
    assert mins(at(LON, 2025, 1, 1), at(LON, 2025, 6, 3), late) == 480
    with pytest.raises(ValueError):
        schedule_add(at(LON, 2025, 5, 1), -1, late)  # nothing before: leaves the range


def test_range_none_and_type_errors():
    assert schedule_seconds_between(None, utc(2025, 7, 1), AMERICAS) is None
    assert schedule_add(utc(2025, 7, 1), None, AMERICAS) is None
    assert case_seconds_between(utc(2025, 7, 1), None, one(AMERICAS)) is None
    assert case_minutes_between(None, None, one(AMERICAS)) is None
    assert case_add(None, 10, one(AMERICAS)) is None
    with pytest.raises(TypeError):
        schedule_seconds_between(datetime(2025, 7, 1), utc(2025, 7, 2), AMERICAS)
    with pytest.raises(TypeError):
        schedule_add(utc(2025, 7, 1), True, AMERICAS)
    # covered range: local midnight 2025-01-01 .. local midnight 2027-01-01, in each zone
    assert APAC.covered_from == utc(2024, 12, 31, 13)
    assert AMERICAS.covered_until == utc(2027, 1, 1, 8)
    assert APAC.covers(utc(2024, 12, 31, 13)) and not AMERICAS.covers(utc(2024, 12, 31, 13))
    with pytest.raises(ValueError):
        schedule_seconds_between(utc(2024, 12, 31, 12), utc(2025, 1, 2), APAC)
    with pytest.raises(ValueError):
        schedule_seconds_between(utc(2025, 1, 2), AMERICAS.covered_until, AMERICAS)
    with pytest.raises(ValueError):
        schedule_add(at(LA, 2026, 12, 31, 17), 61, AMERICAS)  # runs out of the range
    # exactly at the last close: no later opening -> no latest instant
    with pytest.raises(ValueError):
        schedule_add(at(LA, 2026, 12, 31, 17), 60, AMERICAS)
    assert schedule_add(at(LA, 2026, 12, 31, 17), 59, AMERICAS) == at(LA, 2026, 12, 31, 17, 59)
    # fractional minutes are exact to the microsecond
    assert schedule_add(at(LA, 2025, 7, 14, 8), Fraction(1, 3), AMERICAS) == at(LA, 2025, 7, 14, 8, 0, 20)
    assert schedule_seconds_between(at(LA, 2025, 7, 14, 8), at(LA, 2025, 7, 14, 8, 0, 0, 1), AMERICAS) == \
        Fraction(1, US)


def test_invalid_configuration_is_refused():
    with pytest.raises(ValueError):
        HoursRow(None, None, 8, "08:00", "18:00")
    with pytest.raises(ValueError):
        HoursRow(None, None, 1, "18:00", "08:00")
    with pytest.raises(ValueError):
        HoursRow(None, None, 1, "08:00", "24:15")
    with pytest.raises(ValueError):
        Closure(date(2025, 1, 1), "13:00", "13:00")
    with pytest.raises(KeyError):
        Schedule("x", "Mars/Olympus", (), (), FIRST, LAST)
    with pytest.raises(ValueError):
        Schedule("x", "UTC", (), (), LAST, FIRST)


# ----------------------------------------------------------------------------- named: cases


def test_case_moving_london_to_los_angeles_breaches_across_both_schedules():
    # EMEA case at Mon 2025-11-03 15:00 GMT (new hours 08:00-16:30), 4 h target; handed to the
    # Americas at 16:00 UTC (08:00 PST). London accrues 15:00-16:00 = 60 min, Los Angeles the
    # remaining 180 from 08:00 PST -> 11:00 PST = 19:00 UTC.
    intake = utc(2025, 11, 3, 15)
    segments = case_segments(intake, "emea", [(utc(2025, 11, 3, 16), "h1", "americas")], TEAMS)
    assert [(s.starts_at, s.schedule.schedule_id) for s in segments] == [(None, "emea"),
                                                                         (utc(2025, 11, 3, 16), "americas")]
    assert case_add(intake, 240, segments) == utc(2025, 11, 3, 19)
    assert case_minutes_between(intake, utc(2025, 11, 3, 19), segments) == 240
    # London alone: 90 on Monday + 150 from Tue 08:00 -> Tue 10:30 GMT; Los Angeles alone: 08:00 PST + 4 h.
    assert case_add(intake, 240, one(EMEA)) == utc(2025, 11, 4, 10, 30)
    assert case_add(intake, 240, one(AMERICAS)) == utc(2025, 11, 3, 20)
    # backward from the breach: -240 goes back to the intake instant
    assert case_add(utc(2025, 11, 3, 19), -240, segments) == intake
    # a target met exactly when London closes moves to the next business instant of the owner
    late = case_segments(intake, "emea", [(utc(2025, 11, 3, 18), "h1", "americas")], TEAMS)
    assert case_add(intake, 90, late) == utc(2025, 11, 3, 18)


def test_case_routed_away_from_default_does_not_keep_it():
    """dbt_zendesk #262: a ticket moved to another schedule kept the default one."""
    # Team-less case (default: LA 08-18) at Mon 2025-11-03 16:00 UTC = 08:00 PST, to APAC at 17:00 UTC.
    # Sydney (AEDT +11) opens Tue 09:00 = 22:00 UTC: 60 (default) + 60 (APAC 22:00-23:00) = 120.
    intake = utc(2025, 11, 3, 16)
    segments = case_segments(intake, None, [(utc(2025, 11, 3, 17), 7, "apac")], TEAMS)
    assert [s.schedule.schedule_id for s in segments] == ["default", "apac"]
    assert [s.team for s in segments] == ["default", "apac"]
    assert case_minutes_between(intake, utc(2025, 11, 3, 23), segments) == 120
    assert case_minutes_between(intake, utc(2025, 11, 3, 23), one(DEFAULT)) == 420
    # 90 min: 60 by 17:00 UTC, then 30 from Sydney's 09:00 -> 22:30 UTC
    assert case_add(intake, 90, segments) == utc(2025, 11, 3, 22, 30)


def test_handoff_ties_before_intake_and_without_team():
    intake = utc(2025, 11, 3, 16)
    when = utc(2025, 11, 3, 17)
    # two handoffs at one instant: the last by event_id owns, whatever the input order
    first, second = (when, "e1", "americas"), (when, "e2", "india")
    for handoffs in ([first, second], [second, first]):
        segs = case_segments(intake, "emea", handoffs, TEAMS)
        assert [(s.starts_at, s.team) for s in segs] == [(None, "emea"), (when, "india")]
    # a handoff before intake is ignored; one without a team (quarantined upstream) too
    segs = case_segments(intake, "emea", [(utc(2025, 11, 3, 15), "e0", "apac"), (when, "e1", None)], TEAMS)
    assert [s.team for s in segs] == ["emea"]
    # a handoff at intake replaces the intake team from intake on; the intake team keeps what is before
    segs = case_segments(intake, "emea", [(intake, "e0", "americas")], TEAMS)
    assert [(s.starts_at, s.team) for s in segs] == [(None, "emea"), (intake, "americas")]
    # the first segment also covers time before intake: Mon 2025-11-03 08:00-16:00 GMT (intake 16:00 UTC)
    assert case_minutes_between(utc(2025, 11, 3, 0), intake, segs) == 480
    # handing to the team that owns already changes nothing
    segs = case_segments(intake, "emea", [(when, "e1", "emea")], TEAMS)
    assert [s.team for s in segs] == ["emea"]
    with pytest.raises(ValueError):
        case_segments(intake, "nobody", [], TEAMS)


def test_team_schedule_switch_splits_at_local_midnight_of_the_new_zone():
    # Team "moving": EMEA schedule, then the Americas one from 2025-10-06 = 00:00 PDT = 07:00 UTC.
    segs = case_segments(utc(2025, 10, 3, 12), "moving", [], TEAMS)
    assert [(s.starts_at, s.schedule.schedule_id, s.team) for s in segs] == [
        (None, "emea", "moving"), (utc(2025, 10, 6, 7), "americas", "moving")]
    # Fri 10-03 16:00 UTC (17:00 BST) -> Mon 10-06 16:00 UTC (09:00 PDT): 30 (EMEA Friday) + 60 (LA Monday).
    assert case_minutes_between(utc(2025, 10, 3, 16), utc(2025, 10, 6, 16), segs) == 90
    # EMEA alone would count Monday 08:00-16:30 BST instead: 30 + 510
    assert case_minutes_between(utc(2025, 10, 3, 16), utc(2025, 10, 6, 16), one(EMEA)) == 540
    assert case_add(utc(2025, 10, 3, 16), 31, segs) == utc(2025, 10, 6, 15, 1)
    # the switch also applies when the team takes the case over later
    segs = case_segments(utc(2025, 10, 1, 12), "india", [(utc(2025, 10, 3, 12), 1, "moving")], TEAMS)
    assert [(s.starts_at, s.schedule.schedule_id) for s in segs] == [
        (None, "india"), (utc(2025, 10, 3, 12), "emea"), (utc(2025, 10, 6, 7), "americas")]


def test_case_range_errors_follow_the_owner():
    # A case handed at 2027-01-01 02:00 UTC to LA, whose range ends 2027-01-01 08:00 UTC, from Sydney
    # (range ended at 2026-12-31 13:00 UTC): the Sydney part after its range end is not covered.
    segs = [Segment(None, APAC), Segment(utc(2026, 12, 31, 20), AMERICAS)]
    with pytest.raises(ValueError):
        case_seconds_between(utc(2026, 12, 31, 12), utc(2026, 12, 31, 21), segs)
    with pytest.raises(ValueError):
        case_add(utc(2026, 12, 31, 12), 600, segs)
    assert case_seconds_between(utc(2026, 12, 31, 20), utc(2026, 12, 31, 21), segs) == 3600  # 12:00-13:00 PST
    with pytest.raises(ValueError):
        case_seconds_between(utc(2025, 7, 1), utc(2025, 7, 2), [])
    with pytest.raises(ValueError):
        case_seconds_between(utc(2025, 7, 1), utc(2025, 7, 2),
                             [Segment(None, APAC), Segment(utc(2025, 7, 3), EMEA), Segment(utc(2025, 7, 2), INDIA)])


# ----------------------------------------------------------------------------- loading


def test_load_schedules_from_the_seeds():
    schedules = load_schedules(SEEDS, FIRST, LAST)
    assert {k: v.tz for k, v in schedules.items()} == {
        "americas": "America/Los_Angeles", "emea": "Europe/London", "apac": "Australia/Sydney",
        "india": "Asia/Kolkata", "escalation": "UTC", "default": "America/Los_Angeles"}
    teams = load_team_schedules(SEEDS, schedules)
    assert {t: [r.schedule.schedule_id for r in rows] for t, rows in teams.items()} == {
        "americas": ["americas"], "emea": ["emea"], "apac": ["apac"], "india": ["india"],
        "escalation": ["escalation"], "default": ["default"]}
    # the seeds' own closures (holiday rows may be added by ops-sla-holidays: only own ones checked)
    assert Closure(date(2025, 12, 24), "13:00", "24:00", "Christmas Eve afternoon") in schedules["emea"].closures
    assert schedules["apac"].intervals(date(2025, 12, 31)) == []
    # hours as in the seeds, on a day no public holiday falls on (Thu 2025-10-16)
    d = date(2025, 10, 16)
    for sid, built in (("americas", AMERICAS), ("emea", EMEA), ("apac", APAC), ("india", INDIA),
                       ("escalation", ESCALATION), ("default", DEFAULT)):
        assert schedules[sid].intervals(d) == built.intervals(d), sid
    assert schedules["emea"].intervals(date(2025, 10, 3)) == EMEA.intervals(date(2025, 10, 3))


def test_load_schedules_parses_blanks_24_00_and_the_default(tmp_path):
    (tmp_path / "schedules.csv").write_text(
        "schedule_id,time_zone,holiday_country,holiday_subdivision,description\n"
        "night,Asia/Kolkata,,,night desk, no holidays\n")  # an unquoted comma in the description
    (tmp_path / "schedule_hours.csv").write_text(
        "schedule_id,valid_from,valid_to,iso_weekday,opens_at,closes_at\n"
        "night,,2025-07-01,1,20:00,24:00\n"
        "night,2025-07-01,,1,22:00,24:00\n"
        "night,2025-07-01,,2,00:00,02:00\n")
    (tmp_path / "schedule_closures.csv").write_text(
        "schedule_id,closure_date,closed_from,closed_until,name,source\n"
        "night,2025-07-14,23:00,24:00,early close,own\n")
    (tmp_path / "team_schedules.csv").write_text(
        "team_id,schedule_id,valid_from,team_name\n"
        "nights,default,,Nights\n"
        "nights,night,2025-07-01,Nights\n")
    holiday = date(2025, 7, 4)
    schedules = load_schedules(tmp_path, FIRST, LAST, default=DefaultSchedule("Europe/London", "09:00", "17:00",
                                                                              frozenset({1, 2, 3, 4, 5}),
                                                                              frozenset({holiday})))
    night = schedules["night"]
    # before 07-01: Monday 20:00-24:00 IST; from it Mon 22:00-24:00 then Tue 00:00-02:00 (adjacent: one interval)
    assert mins(at(KOL, 2025, 6, 23), at(KOL, 2025, 6, 25), night) == 240
    assert mins(at(KOL, 2025, 7, 7), at(KOL, 2025, 7, 9), night) == 240
    assert schedule_add(at(KOL, 2025, 7, 7, 22), 150, night) == at(KOL, 2025, 7, 8, 0, 30)
    assert mins(at(KOL, 2025, 7, 14), at(KOL, 2025, 7, 16), night) == 180  # 22-23 + 00-02
    # the default: London 09-17 Mon-Fri minus the calendar_dim holiday (Fri 2025-07-04)
    assert mins(at(LON, 2025, 6, 30), at(LON, 2025, 7, 7), schedules["default"]) == 4 * 480
    teams = load_team_schedules(tmp_path, schedules)
    assert [(r.valid_from, r.schedule.schedule_id) for r in teams["nights"]] == [(None, "default"),
                                                                                (date(2025, 7, 1), "night")]
    assert teams["default"][0].schedule is schedules["default"]
    # the id 'default' is reserved
    (tmp_path / "schedules.csv").write_text(
        "schedule_id,time_zone,holiday_country,holiday_subdivision,description\ndefault,UTC,,,x\n")
    with pytest.raises(ValueError):
        load_schedules(tmp_path, FIRST, LAST)
