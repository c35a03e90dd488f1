"""Reference (oracle) implementation of business time under several schedules (issue 29).

Written from the contract in SPEC-schedules.md only, with the standard library and
:mod:`zoneinfo`, so it can serve as an independent oracle for the SQL models and the
generator.  It shares no code with ``reference.business_time`` (the single-schedule oracle)
but follows its conventions: integer microseconds internally (results are exact), ``fold=0``
for local wall times, the LATEST-instant rule for ``add`` and ValueError outside the
covered range.

Definitions
-----------
A :class:`Schedule` has an id, an IANA zone, effective-dated hours rows and closures, and
a covered range of LOCAL dates ``first..last`` (inclusive; in the schedule's own zone).

For a covered local date ``d`` the business set of ``d`` is the union of the intervals
``[opens, closes)`` of the hours rows in effect on ``d`` (``valid_from <= d < valid_to``,
blank bounds open, ``iso_weekday == d.isoweekday()``), minus the closures of ``d``
``[closed_from, closed_until)``.  Every wall time ``HH:MM`` of ``d`` is resolved to an
instant with :mod:`zoneinfo` and ``fold=0`` (a wall time inside a DST gap takes the
pre-transition offset; an ambiguous one its first occurrence); ``24:00`` is local midnight
starting ``d + 1``.  An interval whose resolved close is not after its resolved open is
empty.  The schedule's business set is the union over its covered dates; its covered
instants are ``[local midnight starting first, local midnight starting last + 1)``.

A case's ownership is a list of :class:`Segment`: each segment owns the instants from its
``starts_at`` up to the next segment's ``starts_at``; the first one also owns everything
before (its ``starts_at`` is not a lower bound).  Case business time between ``a`` and
``b`` is the sum over segments of the measure of ``[a, b) ∩ segment ∩ business set of the
segment's schedule``, signed negative when ``a > b``.
"""

from __future__ import annotations

import csv
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

__all__ = [
    "HoursRow",
    "Closure",
    "Schedule",
    "DefaultSchedule",
    "TeamSchedule",
    "Segment",
    "load_schedules",
    "load_team_schedules",
    "schedule_seconds_between",
    "schedule_minutes_between",
    "schedule_add",
    "case_segments",
    "case_seconds_between",
    "case_minutes_between",
    "case_add",
]

DEFAULT_ID = "default"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_US_PER_SECOND = 1_000_000
_US_PER_MINUTE = 60 * _US_PER_SECOND
_ONE_DAY = timedelta(days=1)
_MINUTES_PER_DAY = 24 * 60
# Sentinels for "no bound" on segment windows: far outside any datetime (year 9999 is ~2.5e17 us).
_NEG_INF = -(1 << 62)
_POS_INF = 1 << 62


# --------------------------------------------------------------------------- small helpers


def _to_us(dt: datetime, name: str) -> int:
    """Aware datetime -> integer microseconds since the epoch (TypeError if naive)."""
    if not isinstance(dt, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise TypeError(f"{name} must be timezone-aware, got naive {dt!r}")
    return (dt.astimezone(UTC) - _EPOCH) // _ONE_US


def _from_us(us: int) -> datetime:
    """Integer microseconds since the epoch -> aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=us)


def _parse_hhmm(value: str | time, name: str) -> int:
    """'HH:MM' (00:00..24:00) or a naive :class:`datetime.time` -> minutes after local midnight."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError(f"{name} must be a naive wall-clock time, got {value!r}")
        if value.second or value.microsecond:
            raise ValueError(f"{name} must be on a whole minute, got {value!r}")
        return value.hour * 60 + value.minute
    if not isinstance(value, str):
        raise TypeError(f"{name} must be 'HH:MM', got {value!r}")
    text = value.strip()
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(f"{name} must be 'HH:MM', got {value!r}")
    hours, minutes = int(parts[0]), int(parts[1])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise ValueError(f"{name} must be between 00:00 and 24:00, got {value!r}")
    return hours * 60 + minutes


def _parse_date(value: str | date | None, name: str) -> date | None:
    """'YYYY-MM-DD', a date or blank/None -> date or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, not a datetime: {value!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        return date.fromisoformat(text) if text else None
    raise TypeError(f"{name} must be a date, 'YYYY-MM-DD' or None, got {value!r}")


def _wall_us(d: date, minute: int, zone: ZoneInfo) -> int:
    """Instant at which the local wall clock of date ``d`` reads ``minute`` after midnight.

    ``minute == 1440`` ('24:00') is local midnight starting ``d + 1``.  ``fold=0``.
    """
    if minute == _MINUTES_PER_DAY:
        d, minute = d + _ONE_DAY, 0
    local = datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=zone, fold=0)
    return _to_us(local, "wall time")


def _local_date(us: int, zone: ZoneInfo) -> date:
    return _from_us(us).astimezone(zone).date()


def _minutes_to_us(minutes: object) -> int:
    """Exact minutes -> microseconds, rounded half-to-even to a whole microsecond."""
    if isinstance(minutes, bool) or not isinstance(minutes, (numbers.Real, Decimal)):
        raise TypeError(f"minutes must be a real number, got {type(minutes).__name__}")
    if isinstance(minutes, (float, Decimal)) and not math.isfinite(minutes):
        raise ValueError(f"minutes must be finite, got {minutes!r}")
    return round(Fraction(minutes) * _US_PER_MINUTE)


def _subtract(intervals: list[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    """Sorted disjoint intervals minus one interval."""
    cs, ce = cut
    if ce <= cs:
        return intervals
    out: list[tuple[int, int]] = []
    for s, e in intervals:
        if e <= cs or s >= ce:
            out.append((s, e))
            continue
        if s < cs:
            out.append((s, cs))
        if ce < e:
            out.append((ce, e))
    return out


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open intervals as sorted, disjoint, non-adjacent intervals (empties dropped)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(iv for iv in intervals if iv[0] < iv[1]):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class HoursRow:
    """One row of ``schedule_hours.csv``: open ``[opens, closes)`` on ``iso_weekday``.

    In effect on local date ``d`` when ``(valid_from is None or valid_from <= d) and
    (valid_to is None or d < valid_to) and d.isoweekday() == iso_weekday``.
    ``opens``/``closes`` are local wall-clock 'HH:MM' ('24:00' allowed = next local midnight);
    ``opens`` must be before ``closes``.  Field order follows the CSV columns.
    """

    valid_from: date | None
    valid_to: date | None
    iso_weekday: int
    opens: str
    closes: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "valid_from", _parse_date(self.valid_from, "valid_from"))
        object.__setattr__(self, "valid_to", _parse_date(self.valid_to, "valid_to"))
        if isinstance(self.iso_weekday, bool) or int(self.iso_weekday) != self.iso_weekday:
            raise TypeError(f"iso_weekday must be an integer, got {self.iso_weekday!r}")
        object.__setattr__(self, "iso_weekday", int(self.iso_weekday))
        if not 1 <= self.iso_weekday <= 7:
            raise ValueError(f"iso_weekday must be 1..7, got {self.iso_weekday}")
        if not _parse_hhmm(self.opens, "opens") < _parse_hhmm(self.closes, "closes"):
            raise ValueError(f"opens {self.opens!r} must be before closes {self.closes!r}")
        if self.valid_from is not None and self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} must be after valid_from {self.valid_from}")

    def applies_to(self, d: date) -> bool:
        """True if this row is in effect on local date ``d``."""
        return (
            d.isoweekday() == self.iso_weekday
            and (self.valid_from is None or self.valid_from <= d)
            and (self.valid_to is None or d < self.valid_to)
        )


@dataclass(frozen=True)
class Closure:
    """One row of ``schedule_closures.csv``: closed on local ``day`` in ``[closed_from, closed_until)``.

    The defaults ('00:00'..'24:00') close the whole local day.
    """

    day: date
    closed_from: str = "00:00"
    closed_until: str = "24:00"
    name: str = ""

    def __post_init__(self) -> None:
        day = _parse_date(self.day, "day")
        if day is None:
            raise ValueError("a closure needs a date")
        object.__setattr__(self, "day", day)
        if not _parse_hhmm(self.closed_from, "closed_from") < _parse_hhmm(self.closed_until, "closed_until"):
            raise ValueError(f"closed_from {self.closed_from!r} must be before closed_until {self.closed_until!r}")


def _as_hours_row(row: HoursRow | Sequence[Any]) -> HoursRow:
    return row if isinstance(row, HoursRow) else HoursRow(*row)


def _as_closure(row: Closure | date | Sequence[Any]) -> Closure:
    if isinstance(row, Closure):
        return row
    if isinstance(row, date):
        return Closure(row)
    return Closure(*row)


@dataclass(frozen=True)
class Schedule:
    """A business schedule: id, IANA zone, hours rows, closures, covered local dates.

    ``hours`` and ``closures`` accept :class:`HoursRow`/:class:`Closure` objects or plain
    tuples in their field order (a bare :class:`datetime.date` in ``closures`` closes the
    whole day); they are stored as tuples.  ``first``..``last`` (inclusive) are the covered
    LOCAL dates of the schedule's zone.
    """

    schedule_id: str
    tz: str
    hours: tuple[HoursRow, ...]
    closures: tuple[Closure, ...]
    first: date
    last: date
    _cache: dict[date, tuple[tuple[int, int], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        ZoneInfo(self.tz)  # ZoneInfoNotFoundError (a KeyError) if unknown
        object.__setattr__(self, "hours", tuple(_as_hours_row(r) for r in self.hours))
        object.__setattr__(self, "closures", tuple(_as_closure(c) for c in self.closures))
        for name in ("first", "last"):
            value = getattr(self, name)
            if not isinstance(value, date) or isinstance(value, datetime):
                raise TypeError(f"{name} must be a datetime.date, got {value!r}")
        if self.first > self.last:
            raise ValueError("first must be <= last")

    # -- zone and range

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's :class:`zoneinfo.ZoneInfo`."""
        return ZoneInfo(self.tz)

    def _range_us(self) -> tuple[int, int]:
        zone = self.zone
        return _wall_us(self.first, 0, zone), _wall_us(self.last, _MINUTES_PER_DAY, zone)

    @property
    def covered_from(self) -> datetime:
        """First covered instant (local midnight starting ``first``), aware UTC."""
        return _from_us(self._range_us()[0])

    @property
    def covered_until(self) -> datetime:
        """End of the covered instants (local midnight ending ``last``, exclusive), aware UTC."""
        return _from_us(self._range_us()[1])

    def covers(self, t: datetime) -> bool:
        """True if instant ``t`` is inside the covered range."""
        start, end = self._range_us()
        return start <= _to_us(t, "t") < end

    # -- business intervals

    def _intervals_us(self, d: date) -> tuple[tuple[int, int], ...]:
        """Business intervals of local date ``d`` in microseconds (sorted, disjoint); () outside the range."""
        cached = self._cache.get(d)
        if cached is not None:
            return cached
        if not self.first <= d <= self.last:
            result: tuple[tuple[int, int], ...] = ()
        else:
            zone = self.zone
            opened = _merge(
                (_wall_us(d, _parse_hhmm(r.opens, "opens"), zone), _wall_us(d, _parse_hhmm(r.closes, "closes"), zone))
                for r in self.hours
                if r.applies_to(d)
            )
            for c in self.closures:
                if c.day == d and opened:
                    cut = (
                        _wall_us(d, _parse_hhmm(c.closed_from, "closed_from"), zone),
                        _wall_us(d, _parse_hhmm(c.closed_until, "closed_until"), zone),
                    )
                    opened = _subtract(opened, cut)
            result = tuple(opened)
        self._cache[d] = result
        return result

    def intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """Business instant intervals ``[start, end)`` of local date ``d``, merged and sorted.

        The union of the hours rows in effect on ``d`` minus the closures of ``d``; aware UTC
        datetimes.  Empty for a date outside ``first..last``.
        """
        return [(_from_us(s), _from_us(e)) for s, e in self._intervals_us(d)]

    def _dates_around(self, lo_us: int, hi_us: int) -> tuple[date, date]:
        """Covered local dates whose intervals can meet ``[lo_us, hi_us]`` (one spare day each side)."""
        zone = self.zone
        return (
            max(self.first, _local_date(lo_us, zone) - _ONE_DAY),
            min(self.last, _local_date(hi_us, zone) + _ONE_DAY),
        )

    def _iter_forward(self, start: int, stop: int | None) -> Iterator[tuple[int, int]]:
        """Business intervals clipped to ``[start, stop)`` in ascending order, adjacent ones merged."""
        zone = self.zone
        d = max(self.first, _local_date(start, zone) - _ONE_DAY)
        last = self.last if stop is None else min(self.last, _local_date(stop, zone) + _ONE_DAY)
        pending: tuple[int, int] | None = None
        while d <= last:
            for s, e in self._intervals_us(d):
                s = max(s, start)
                if stop is not None:
                    e = min(e, stop)
                if s >= e:
                    continue
                if pending is not None and s <= pending[1]:
                    pending = (pending[0], max(pending[1], e))
                    continue
                if pending is not None:
                    yield pending
                pending = (s, e)
            d += _ONE_DAY
        if pending is not None:
            yield pending

    def _iter_backward(self, start: int, stop: int | None) -> Iterator[tuple[int, int]]:
        """Business intervals clipped to ``[stop, start)`` in descending order, adjacent ones merged."""
        zone = self.zone
        d = min(self.last, _local_date(start, zone) + _ONE_DAY)
        first = self.first if stop is None else max(self.first, _local_date(stop, zone) - _ONE_DAY)
        pending: tuple[int, int] | None = None
        while d >= first:
            for s, e in reversed(self._intervals_us(d)):
                e = min(e, start)
                if stop is not None:
                    s = max(s, stop)
                if s >= e:
                    continue
                if pending is not None and e >= pending[0]:
                    pending = (min(pending[0], s), pending[1])
                    continue
                if pending is not None:
                    yield pending
                pending = (s, e)
            d -= _ONE_DAY
        if pending is not None:
            yield pending

    def _measure(self, lo: int, hi: int) -> int:
        """Measure (microseconds) of ``[lo, hi)`` ∩ business set."""
        if lo >= hi:
            return 0
        first, last = self._dates_around(lo, hi)
        pieces: list[tuple[int, int]] = []
        d = first
        while d <= last:
            for s, e in self._intervals_us(d):
                pieces.append((max(s, lo), min(e, hi)))
            d += _ONE_DAY
        return sum(e - s for s, e in _merge(pieces))


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class DefaultSchedule:
    """The settings the ``default`` schedule is built from (vars + ``calendar_dim``).

    ``tz`` = var ``business_time_zone``, ``opens``/``closes`` = ``business_day_open``/
    ``business_day_close``, ``weekdays`` = ``business_weekdays``, ``holidays`` = the local
    dates ``calendar_dim`` flags ``is_holiday`` (each closes the whole day).  The defaults
    are today's vars (dbt_project.yml) with no holidays.
    """

    tz: str = "America/Los_Angeles"
    opens: str = "08:00"
    closes: str = "18:00"
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    holidays: frozenset[date] = frozenset()

    def schedule(self, first: date, last: date, schedule_id: str = DEFAULT_ID) -> Schedule:
        """The :class:`Schedule` these settings define over local dates ``first..last``."""
        return Schedule(
            schedule_id=schedule_id,
            tz=self.tz,
            hours=tuple(HoursRow(None, None, wd, self.opens, self.closes) for wd in sorted(self.weekdays)),
            closures=tuple(Closure(d, "00:00", "24:00", "holiday") for d in sorted(self.holidays)),
            first=first,
            last=last,
        )


_TODAYS_DEFAULT = DefaultSchedule()


def _read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a seed CSV as stripped strings (blank = ''); values beyond the header are dropped
    (an unquoted comma in a trailing free-text column such as ``description``)."""
    with path.open(newline="", encoding="utf-8") as fh:
        return [
            {k.strip(): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
            for row in csv.DictReader(fh)
        ]


def load_schedules(
    seeds_dir: str | Path,
    first: date,
    last: date,
    default: DefaultSchedule | Schedule | None = _TODAYS_DEFAULT,
) -> dict[str, Schedule]:
    """Schedules of ``schedules.csv`` + ``schedule_hours.csv`` + ``schedule_closures.csv``.

    Every schedule covers local dates ``first..last`` (the calendar_dim range) in its own
    zone.  Closures are read as written, whatever their ``source`` (public holidays enter
    only as the ``holidays`` rows the ``ops-sla-holidays`` command writes; ``holiday_country``
    itself is not expanded here).  ``default`` adds the reserved schedule ``default``
    (a :class:`DefaultSchedule` is built over ``first..last``; a :class:`Schedule` is taken as
    is; None adds none).  ValueError if a seed names ``default``, repeats an id or if hours or
    closures name an unknown schedule.
    """
    seeds = Path(seeds_dir)
    schedules_rows = _read_csv(seeds / "schedules.csv")
    hours_rows = _read_csv(seeds / "schedule_hours.csv")
    closure_rows = _read_csv(seeds / "schedule_closures.csv")

    zones: dict[str, str] = {}
    for row in schedules_rows:
        sid = row["schedule_id"]
        if sid == DEFAULT_ID:
            raise ValueError("schedule id 'default' is reserved (built from the vars)")
        if sid in zones:
            raise ValueError(f"schedule {sid!r} is listed twice in schedules.csv")
        zones[sid] = row["time_zone"]

    hours: dict[str, list[HoursRow]] = {sid: [] for sid in zones}
    for row in hours_rows:
        sid = row["schedule_id"]
        if sid not in hours:
            raise ValueError(f"schedule_hours.csv names unknown schedule {sid!r}")
        hours[sid].append(
            HoursRow(row["valid_from"] or None, row["valid_to"] or None, int(row["iso_weekday"]),
                     row["opens_at"], row["closes_at"])
        )

    closures: dict[str, list[Closure]] = {sid: [] for sid in zones}
    for row in closure_rows:
        sid = row["schedule_id"]
        if sid not in closures:
            raise ValueError(f"schedule_closures.csv names unknown schedule {sid!r}")
        closures[sid].append(Closure(row["closure_date"], row["closed_from"], row["closed_until"], row.get("name", "")))

    result = {
        sid: Schedule(sid, tz, tuple(hours[sid]), tuple(closures[sid]), first, last) for sid, tz in zones.items()
    }
    if isinstance(default, DefaultSchedule):
        result[DEFAULT_ID] = default.schedule(first, last)
    elif isinstance(default, Schedule):
        result[DEFAULT_ID] = default
    elif default is not None:
        raise TypeError(f"default must be a DefaultSchedule, a Schedule or None, got {default!r}")
    return result


class TeamSchedule(NamedTuple):
    """One row of ``team_schedules.csv``: from local midnight starting ``valid_from`` (in the
    zone of ``schedule``; None = since always) the team works to ``schedule``."""

    valid_from: date | None
    schedule: Schedule


def load_team_schedules(seeds_dir: str | Path, schedules: Mapping[str, Schedule]) -> dict[str, list[TeamSchedule]]:
    """Team -> its rows of ``team_schedules.csv`` ordered by ``valid_from`` (None first).

    Team ``default`` maps to schedule ``default`` (since always) unless the seed lists it;
    it is added only when ``schedules`` has a ``default`` schedule.  ValueError for an
    unknown schedule id.
    """
    teams: dict[str, list[TeamSchedule]] = {}
    for row in _read_csv(Path(seeds_dir) / "team_schedules.csv"):
        sid = row["schedule_id"]
        if sid not in schedules:
            raise ValueError(f"team_schedules.csv names unknown schedule {sid!r}")
        teams.setdefault(row["team_id"], []).append(TeamSchedule(_parse_date(row["valid_from"], "valid_from"),
                                                                 schedules[sid]))
    if DEFAULT_ID not in teams and DEFAULT_ID in schedules:
        teams[DEFAULT_ID] = [TeamSchedule(None, schedules[DEFAULT_ID])]
    for rows in teams.values():
        rows.sort(key=lambda r: (r.valid_from is not None, r.valid_from or date.min))
    return teams


# --------------------------------------------------------------------------- one schedule


def _check_in(us: int, schedule: Schedule, name: str) -> None:
    start, end = schedule._range_us()
    if not start <= us < end:
        raise ValueError(
            f"{name}={_from_us(us).isoformat()} is outside the covered range "
            f"{schedule.first}..{schedule.last} ({schedule.tz}) of schedule {schedule.schedule_id!r}"
        )


def schedule_seconds_between(a: datetime | None, b: datetime | None, schedule: Schedule) -> Fraction | None:
    """Signed business seconds of ``schedule`` between instants ``a`` and ``b`` (exact).

    The measure of ``[min(a, b), max(a, b))`` ∩ business set, negative when ``a > b``.
    None if either is None; TypeError for naive datetimes; ValueError outside the covered
    range (both ``a`` and ``b`` must be covered instants).
    """
    if a is None or b is None:
        return None
    a_us, b_us = _to_us(a, "a"), _to_us(b, "b")
    _check_in(a_us, schedule, "a")
    _check_in(b_us, schedule, "b")
    magnitude = Fraction(schedule._measure(min(a_us, b_us), max(a_us, b_us)), _US_PER_SECOND)
    return magnitude if a_us <= b_us else -magnitude


def schedule_minutes_between(a: datetime | None, b: datetime | None, schedule: Schedule) -> float | None:
    """:func:`schedule_seconds_between` / 60 as a float (None in -> None out)."""
    seconds = schedule_seconds_between(a, b, schedule)
    return None if seconds is None else float(seconds / 60)


def schedule_add(
    a: datetime | None, minutes: int | float | Fraction | Decimal | None, schedule: Schedule
) -> datetime | None:
    """The LATEST instant ``t`` with ``schedule_seconds_between(a, t) == minutes * 60``.

    Same rule and errors as :func:`case_add` with one segment.
    """
    if a is None or minutes is None:
        return None
    return case_add(a, minutes, [Segment(None, schedule)])


# --------------------------------------------------------------------------- ownership


@dataclass(frozen=True)
class Segment:
    """A case's ownership segment: from ``starts_at`` (until the next segment starts) the case
    accrues business time under ``schedule``.  The first segment of a list also owns every
    instant before (its ``starts_at`` is informative only; :func:`case_segments` sets it to
    None).  ``team`` is informative (the owning team)."""

    starts_at: datetime | None
    schedule: Schedule
    team: str | None = None


def _windows(segments: Sequence[Segment]) -> list[tuple[Schedule, int, int]]:
    """Segments -> ``(schedule, start_us, end_us)`` half-open windows covering all instants."""
    if not segments:
        raise ValueError("a case needs at least one segment")
    starts: list[int] = [_NEG_INF]
    for i, seg in enumerate(segments[1:], start=1):
        if seg.starts_at is None:
            raise ValueError(f"segment {i} needs a starts_at (only the first may be None)")
        us = _to_us(seg.starts_at, f"segments[{i}].starts_at")
        if us <= starts[-1]:
            raise ValueError("segments must start at strictly increasing instants")
        starts.append(us)
    ends = starts[1:] + [_POS_INF]
    return [(seg.schedule, s, e) for seg, s, e in zip(segments, starts, ends, strict=True)]


def _owner(windows: list[tuple[Schedule, int, int]], us: int) -> Schedule:
    for schedule, s, e in windows:
        if s <= us < e:
            return schedule
    raise AssertionError("windows cover every instant")  # pragma: no cover


def _team_timeline(
    team: str, rows: Sequence[TeamSchedule | tuple[date | None, Schedule]]
) -> list[tuple[int, Schedule]]:
    """A team's rows -> ``(start_us, schedule)`` with strictly increasing starts, the first at -inf."""
    if not rows:
        raise ValueError(f"team {team!r} has no schedule")
    parsed = [TeamSchedule(_parse_date(r[0], "valid_from"), r[1]) for r in rows]
    parsed.sort(key=lambda r: (r.valid_from is not None, r.valid_from or date.min))
    timeline: list[tuple[int, Schedule]] = []
    seen: set[date | None] = set()
    for i, row in enumerate(parsed):
        if row.valid_from in seen:
            raise ValueError(f"team {team!r} has two rows valid from {row.valid_from}")
        seen.add(row.valid_from)
        # The earliest row applies since always (no gaps), whatever its valid_from.
        start = _NEG_INF if i == 0 else _wall_us(row.valid_from, 0, row.schedule.zone)  # type: ignore[arg-type]
        if timeline and start <= timeline[-1][0]:
            raise ValueError(f"team {team!r}: rows' start instants are not increasing")
        timeline.append((start, row.schedule))
    return timeline


def case_segments(
    intake_at: datetime,
    intake_team: str | None,
    handoffs: Sequence[tuple[datetime, Any, str | None]],
    team_schedules: Mapping[str, Sequence[TeamSchedule | tuple[date | None, Schedule]]],
) -> list[Segment]:
    """Ownership segments of a case (SPEC-schedules.md, Semantics).

    The intake team (None -> ``default``) owns from ``intake_at`` and, as the first segment,
    everything before.  Each handoff ``(event_at, event_id, team)`` at or after ``intake_at``
    starts its team's ownership at ``event_at``; handoffs before intake are ignored, and so
    are handoffs whose team is None (the SQL quarantines them: ``handoff_without_team``).
    Several at one instant: the last by ``event_id`` owns.  Within a team's ownership the
    team's schedule switches (``team_schedules``) split the segment at local midnight of
    ``valid_from`` in the new schedule's zone.  Consecutive segments of the same team and
    schedule are merged.  The first segment's ``starts_at`` is None.  ValueError for an
    unknown team.
    """
    intake_us = _to_us(intake_at, "intake_at")
    owner_changes: list[tuple[int, str]] = [(_NEG_INF, intake_team if intake_team is not None else DEFAULT_ID)]
    clean = []
    for i, handoff in enumerate(handoffs):
        event_at, event_id, team = handoff
        us = _to_us(event_at, f"handoffs[{i}].event_at")
        if us >= intake_us and team is not None:
            clean.append((us, event_id, team))
    clean.sort(key=lambda h: (h[0], h[1]))
    for us, _event_id, team in clean:
        if owner_changes[-1][0] == us:
            owner_changes[-1] = (us, team)  # a later event_id at the same instant wins
        else:
            owner_changes.append((us, team))

    timelines: dict[str, list[tuple[int, Schedule]]] = {}
    pieces: list[tuple[int, Schedule, str]] = []
    for k, (start, team) in enumerate(owner_changes):
        end = owner_changes[k + 1][0] if k + 1 < len(owner_changes) else _POS_INF
        if team not in team_schedules:
            raise ValueError(f"unknown team {team!r} (not in team_schedules)")
        if team not in timelines:
            timelines[team] = _team_timeline(team, team_schedules[team])
        timeline = timelines[team]
        for j, (row_start, schedule) in enumerate(timeline):
            row_end = timeline[j + 1][0] if j + 1 < len(timeline) else _POS_INF
            s, e = max(start, row_start), min(end, row_end)
            if s < e:
                pieces.append((s, schedule, team))

    segments: list[Segment] = []
    for s, schedule, team in pieces:
        if segments and segments[-1].team == team and segments[-1].schedule == schedule:
            continue
        segments.append(Segment(None if s == _NEG_INF else _from_us(s), schedule, team))
    return segments


# --------------------------------------------------------------------------- case arithmetic


def case_seconds_between(a: datetime | None, b: datetime | None, segments: Sequence[Segment]) -> Fraction | None:
    """Signed business seconds of a case between ``a`` and ``b`` (exact).

    Sum over segments of the measure of ``[min, max)`` ∩ segment ∩ the segment schedule's
    business set; negative when ``a > b``.  None if either is None.  ValueError if ``a``
    or ``b`` is outside the covered range of the schedule owning it, or if a part of
    ``[min, max)`` lies outside the covered range of the schedule owning that part.
    """
    if a is None or b is None:
        return None
    windows = _windows(segments)
    a_us, b_us = _to_us(a, "a"), _to_us(b, "b")
    _check_in(a_us, _owner(windows, a_us), "a")
    _check_in(b_us, _owner(windows, b_us), "b")
    lo, hi = min(a_us, b_us), max(a_us, b_us)
    total = 0
    for schedule, ws, we in windows:
        s, e = max(lo, ws), min(hi, we)
        if s >= e:
            continue
        start, end = schedule._range_us()
        if s < start or e > end:
            raise ValueError(
                f"[{_from_us(s).isoformat()}, {_from_us(e).isoformat()}) is owned by schedule "
                f"{schedule.schedule_id!r} but outside its covered range {schedule.first}..{schedule.last}"
            )
        total += schedule._measure(s, e)
    magnitude = Fraction(total, _US_PER_SECOND)
    return magnitude if a_us <= b_us else -magnitude


def case_minutes_between(a: datetime | None, b: datetime | None, segments: Sequence[Segment]) -> float | None:
    """:func:`case_seconds_between` / 60 as a float (None in -> None out)."""
    seconds = case_seconds_between(a, b, segments)
    return None if seconds is None else float(seconds / 60)


def case_add(
    a: datetime | None, minutes: int | float | Fraction | Decimal | None, segments: Sequence[Segment]
) -> datetime | None:
    """The LATEST instant ``t`` with ``case_seconds_between(a, t, segments) == minutes * 60``.

    ``minutes`` (int, float, Fraction or Decimal; may be negative: walks backward) is
    converted exactly and rounded half-to-even to a whole microsecond.  Consequences of the
    latest-instant rule: a target reached exactly at a close returns the next opening
    instant of the case (under the schedule owning the case there); ``minutes == 0`` returns
    ``a`` if ``a`` is a business instant of its owner, else the next one.  The result is
    always a business instant of the schedule owning it.

    Returns an aware UTC datetime; None if ``a`` or ``minutes`` is None.  TypeError for a
    naive ``a``; ValueError if ``a`` is outside its owner's covered range, or if the walk
    meets an instant outside the covered range of its owner before reaching the target.
    """
    if a is None or minutes is None:
        return None
    windows = _windows(segments)
    a_us = _to_us(a, "a")
    _check_in(a_us, _owner(windows, a_us), "a")
    target = _minutes_to_us(minutes)

    def leaves(schedule: Schedule) -> ValueError:
        return ValueError(
            f"case_add({a.isoformat()}, {minutes!r}) leaves the covered range "
            f"{schedule.first}..{schedule.last} ({schedule.tz}) of schedule {schedule.schedule_id!r}"
        )

    if target >= 0:
        # Walk forward.  Stop in the first business interval where strictly less than its
        # length is still needed: right after the reached point time keeps accruing, so it is
        # the latest instant.  A target met exactly at an interval's end moves on to the next
        # interval's start (possibly under the next segment's schedule).
        remaining = target
        for schedule, ws, we in windows:
            if we <= a_us:
                continue
            start, end = schedule._range_us()
            s0 = max(a_us, ws)
            if s0 < start:
                raise leaves(schedule)
            stop = None if we >= end else we
            for s, e in schedule._iter_forward(s0, stop):
                if remaining < e - s:
                    return _from_us(s + remaining)
                remaining -= e - s
            if we > end:
                raise leaves(schedule)
    else:
        # Walk backward.  The first point (walking back) where the accumulated time reaches
        # |target| is the latest instant with that value.
        remaining = -target
        for schedule, ws, we in reversed(windows):
            if ws >= a_us:
                continue
            start, end = schedule._range_us()
            e0 = min(a_us, we)
            if e0 > end:
                raise leaves(schedule)
            stop = None if ws <= start else ws
            for s, e in schedule._iter_backward(e0, stop):
                if remaining <= e - s:
                    return _from_us(e - remaining)
                remaining -= e - s
            if ws < start:
                raise leaves(schedule)
    raise AssertionError("unreachable: the last window is unbounded")  # pragma: no cover
