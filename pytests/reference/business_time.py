"""Reference (oracle) implementation of business-time arithmetic.

Written from the textual definition only, with the standard library only, so it
can serve as an independent oracle for property tests of the SQL models.

Definitions
-----------
A :class:`BusinessCalendar` has an IANA zone, a daily opening and closing time
in local wall-clock time, the ISO weekdays that are business days, a set of
holiday dates (local dates) and the inclusive range of local dates it covers.

For a business local date ``d`` the business interval is the half-open
instant interval ``[open_instant(d), close_instant(d))`` where
``open_instant(d)`` is the instant at which the local wall clock on ``d``
reads ``open_time`` (resolved with :mod:`zoneinfo`, ``fold=0``; for a wall
time inside a DST gap that means the pre-transition offset is used), and
likewise for ``close_instant``.  An interval whose resolved close is not after
its resolved open is empty.

Business time between ``a`` and ``b`` is the measure of
``[min(a, b), max(a, b))`` intersected with the *union* of all business
intervals, signed negative when ``a > b``.

All internal arithmetic is done on integer microseconds since the Unix epoch
(the resolution of :class:`datetime.datetime`), so results are exact.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

__all__ = [
    "BusinessCalendar",
    "business_seconds_between",
    "business_minutes_between",
    "business_add",
]

_UTC = UTC
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)
_ONE_US = timedelta(microseconds=1)
_US_PER_SECOND = 1_000_000
_US_PER_MINUTE = 60 * _US_PER_SECOND
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class BusinessCalendar:
    """A business calendar in local wall-clock terms.

    ``business_weekdays`` uses ISO numbering (Monday=1 .. Sunday=7).
    ``holidays`` are local dates that are never business days.
    ``first_date``..``last_date`` (inclusive) is the covered range of local
    dates; instants are covered from local midnight starting ``first_date``
    (inclusive) to local midnight ending ``last_date`` (exclusive).
    Sets/lists passed for the two set fields are converted to frozensets.
    """

    tz: str
    first_date: date
    last_date: date
    open_time: time = time(8)
    close_time: time = time(18)
    business_weekdays: frozenset[int] = field(default=frozenset({1, 2, 3, 4, 5}))
    holidays: frozenset[date] = field(default=frozenset())

    def __post_init__(self) -> None:
        ZoneInfo(self.tz)  # raises ZoneInfoNotFoundError (a KeyError) if unknown
        object.__setattr__(self, "business_weekdays", frozenset(self.business_weekdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        for name in ("first_date", "last_date"):
            value = getattr(self, name)
            if not isinstance(value, date) or isinstance(value, datetime):
                raise TypeError(f"{name} must be a datetime.date, got {value!r}")
        if self.first_date > self.last_date:
            raise ValueError("first_date must be <= last_date")
        for name in ("open_time", "close_time"):
            value = getattr(self, name)
            if not isinstance(value, time):
                raise TypeError(f"{name} must be a datetime.time, got {value!r}")
            if value.tzinfo is not None:
                raise ValueError(f"{name} must be a naive (wall-clock) time")
        if not self.open_time < self.close_time:
            raise ValueError("open_time must be < close_time")
        if not self.business_weekdays <= frozenset(range(1, 8)):
            raise ValueError("business_weekdays must be ISO weekdays 1..7")

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's :class:`zoneinfo.ZoneInfo`."""
        return ZoneInfo(self.tz)

    def is_business_day(self, d: date) -> bool:
        """True if local date ``d`` is covered, a business weekday and not a holiday."""
        return (
            self.first_date <= d <= self.last_date
            and d.isoweekday() in self.business_weekdays
            and d not in self.holidays
        )


# --------------------------------------------------------------------------- helpers


def _to_us(dt: datetime, name: str) -> int:
    """Aware datetime -> integer microseconds since the epoch (TypeError if naive)."""
    if not isinstance(dt, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise TypeError(f"{name} must be timezone-aware, got naive {dt!r}")
    return (dt.astimezone(_UTC) - _EPOCH) // _ONE_US


def _from_us(us: int) -> datetime:
    """Integer microseconds since the epoch -> aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=us)


def _wall_to_us(d: date, t: time, zone: ZoneInfo) -> int:
    """Instant at which the local wall clock on ``d`` reads ``t`` (fold=0)."""
    local = datetime.combine(d, t.replace(fold=0), tzinfo=zone)
    return _to_us(local, "wall")


def _local_date(us: int, zone: ZoneInfo) -> date:
    return _from_us(us).astimezone(zone).date()


def _range_us(cal: BusinessCalendar) -> tuple[int, int]:
    """Covered instants as ``[start, end)`` in microseconds."""
    zone = cal.zone
    start = _wall_to_us(cal.first_date, time(0), zone)
    end = _wall_to_us(cal.last_date + _ONE_DAY, time(0), zone)
    return start, end


def _check_in_range(us: int, cal: BusinessCalendar, name: str) -> None:
    start, end = _range_us(cal)
    if not start <= us < end:
        raise ValueError(
            f"{name}={_from_us(us).isoformat()} is outside the calendar range "
            f"{cal.first_date}..{cal.last_date} ({cal.tz})"
        )


def _day_interval(d: date, cal: BusinessCalendar) -> tuple[int, int] | None:
    """Business interval ``[open, close)`` of local date ``d`` in microseconds, or None."""
    if not cal.is_business_day(d):
        return None
    zone = cal.zone
    o = _wall_to_us(d, cal.open_time, zone)
    c = _wall_to_us(d, cal.close_time, zone)
    if c <= o:  # only possible for pathological open/close inside DST transitions
        return None
    return o, c


def _dates(lo: date, hi: date):
    """Inclusive ascending date range."""
    d = lo
    while d <= hi:
        yield d
        if d == date.max:
            return
        d += _ONE_DAY


def _minutes_to_us(minutes: object) -> int:
    """Exact minutes -> microseconds, rounded half-to-even to a whole microsecond."""
    if isinstance(minutes, bool) or not isinstance(minutes, (numbers.Real, Decimal)):
        raise TypeError(f"minutes must be a real number, got {type(minutes).__name__}")
    if isinstance(minutes, (float, Decimal)) and not math.isfinite(minutes):
        raise ValueError(f"minutes must be finite, got {minutes!r}")
    return round(Fraction(minutes) * _US_PER_MINUTE)


# --------------------------------------------------------------------------- public API


def business_seconds_between(
    a: datetime | None, b: datetime | None, cal: BusinessCalendar
) -> Fraction | None:
    """Signed business seconds between instants ``a`` and ``b`` (exact).

    Positive if ``a <= b``, negative with the same magnitude otherwise.
    Returns None if either argument is None; raises TypeError for naive
    datetimes and ValueError if either instant is outside the calendar range.
    """
    if a is None or b is None:
        return None
    a_us = _to_us(a, "a")
    b_us = _to_us(b, "b")
    _check_in_range(a_us, cal, "a")
    _check_in_range(b_us, cal, "b")
    lo, hi = min(a_us, b_us), max(a_us, b_us)
    if lo == hi:
        return Fraction(0)

    zone = cal.zone
    # Day by day over the local dates spanned (one extra day each side for safety),
    # collecting each day's business interval clipped to [lo, hi).
    first = max(cal.first_date, _local_date(lo, zone) - _ONE_DAY)
    last = min(cal.last_date, _local_date(hi, zone) + _ONE_DAY)
    pieces: list[tuple[int, int]] = []
    for d in _dates(first, last):
        iv = _day_interval(d, cal)
        if iv is None:
            continue
        s, e = max(iv[0], lo), min(iv[1], hi)
        if s < e:
            pieces.append((s, e))

    # Measure of the union (intervals of different days never overlap in practice,
    # but a skipped local date -- e.g. Pacific/Apia 2011-12-30 -- can duplicate one).
    total = 0
    covered_until = None
    for s, e in sorted(pieces):
        if covered_until is not None:
            s = max(s, covered_until)
        if s < e:
            total += e - s
        covered_until = e if covered_until is None else max(covered_until, e)

    magnitude = Fraction(total, _US_PER_SECOND)
    return magnitude if a_us <= b_us else -magnitude


def business_minutes_between(
    a: datetime | None, b: datetime | None, cal: BusinessCalendar
) -> float | None:
    """Signed business minutes between ``a`` and ``b`` (``seconds / 60`` as a float).

    Same None / TypeError / ValueError behaviour as :func:`business_seconds_between`.
    """
    seconds = business_seconds_between(a, b, cal)
    if seconds is None:
        return None
    return float(seconds / 60)


def business_add(
    a: datetime | None, minutes: int | float | Fraction | Decimal | None, cal: BusinessCalendar
) -> datetime | None:
    """The LATEST instant ``t`` with ``business_seconds_between(a, t) == minutes * 60``.

    ``minutes`` may be negative.  It is converted exactly and rounded
    half-to-even to a whole microsecond.  Consequences of the latest-instant
    rule: a target reached exactly at a close returns the next opening instant;
    ``minutes == 0`` returns ``a`` if ``a`` is inside business hours
    (``open <= a < close``) and otherwise the next opening instant.

    Returns an aware UTC datetime, or None if ``a`` or ``minutes`` is None.
    Raises TypeError for a naive ``a``, ValueError if ``a`` is outside the
    calendar range or if no such instant exists inside the range.
    """
    if a is None or minutes is None:
        return None
    a_us = _to_us(a, "a")
    _check_in_range(a_us, cal, "a")
    target = _minutes_to_us(minutes)
    zone = cal.zone
    a_date = _local_date(a_us, zone)
    result: int | None = None

    if target >= 0:
        # Walk forward.  Stop in the first interval where strictly less than its
        # remaining length is still needed: the reached point is then the latest
        # instant (business time keeps increasing right after it).  If the target
        # is hit exactly at a close, the next interval's start is returned.
        remaining = target
        cursor = a_us  # everything before cursor is already accounted for
        for d in _dates(max(cal.first_date, a_date - _ONE_DAY), cal.last_date):
            iv = _day_interval(d, cal)
            if iv is None:
                continue
            start, end = max(iv[0], cursor), iv[1]
            if start >= end:
                continue
            available = end - start
            if remaining < available:
                result = start + remaining
                break
            remaining -= available
            cursor = end
    else:
        # Walk backward.  The first point (walking back) at which the accumulated
        # business time reaches |target| is the latest instant with that value.
        remaining = -target
        cursor = a_us  # everything at/after cursor is already accounted for
        d = min(cal.last_date, a_date + _ONE_DAY)
        while d >= cal.first_date:
            iv = _day_interval(d, cal)
            if iv is not None:
                start, end = iv[0], min(iv[1], cursor)
                if start < end:
                    available = end - start
                    if remaining <= available:
                        result = end - remaining
                        break
                    remaining -= available
                    cursor = start
            if d == date.min:
                break
            d -= _ONE_DAY

    if result is None:
        raise ValueError(
            f"business_add({a.isoformat()}, {minutes!r}) leaves the calendar range "
            f"{cal.first_date}..{cal.last_date} ({cal.tz})"
        )
    _check_in_range(result, cal, "result")
    return _from_us(result)
