"""Business calendar for the generator: holidays, calendar_dim rows and a vectorised business clock.

The dbt project has its own business-time engine (macros/business_time.sql); this module
exists so that the *generator* can place work inside business hours. The property tests
compare the SQL engine against the reference implementation (pytests/reference/), not
against this file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import numpy as np

BUCKET_SECONDS = 900  # business boundaries and UTC offsets are whole quarter hours
SHORT_BREAK_BUCKETS = 8  # a closed gap shorter than 2 hours (a lunch break) does not end a working day


class CalendarError(ValueError):
    """A calendar argument (country, subdivision, zone, hours) is not usable."""


def holiday_names(
    first: dt.date, last: dt.date, country: str, subdiv: str | None
) -> dict[dt.date, str]:
    """Public holidays (observed days included) between ``first`` and ``last`` inclusive."""
    try:
        table = holidays.country_holidays(
            country, subdiv=subdiv, years=range(first.year, last.year + 1), observed=True
        )
    except NotImplementedError as exc:  # unknown country or subdivision
        raise CalendarError(f"unknown holiday country/subdivision {country!r}/{subdiv!r}: {exc}") from None
    names: dict[dt.date, str] = {}
    for day in sorted(table.keys()):
        if first <= day <= last:
            # several names on one day are joined in a stable order
            names[day] = "; ".join(sorted(table.get_list(day)))
    return names


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(f"unknown IANA time zone {name!r}") from exc


@dataclass(frozen=True)
class BusinessHours:
    tz: str = "America/Los_Angeles"
    open_minute: int = 8 * 60
    close_minute: int = 18 * 60
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)  # ISO weekday numbers

    def __post_init__(self) -> None:
        if not 0 <= self.open_minute < self.close_minute <= 24 * 60:
            raise CalendarError("business hours must satisfy 00:00 <= open < close <= 24:00")
        if self.open_minute % 15 or self.close_minute % 15:
            raise CalendarError("business hours must start and end on a quarter hour")


def daterange(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def local_instant(day: dt.date, minute_of_day: int, tz: ZoneInfo) -> int:
    """Epoch seconds of a local wall-clock time (fold=0 for ambiguous times)."""
    base = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    wall = base + dt.timedelta(minutes=minute_of_day)  # wall-clock arithmetic in zoneinfo
    return int(wall.timestamp())


@dataclass(frozen=True)
class Hours:
    """One open interval on one ISO weekday, in effect on local dates valid_from <= d < valid_to."""

    iso_weekday: int
    opens: int  # minutes after local midnight
    closes: int  # may be 24 * 60 (the next local midnight)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def applies(self, day: dt.date) -> bool:
        return (day.isoweekday() == self.iso_weekday
                and (self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day < self.valid_to))


@dataclass(frozen=True)
class Schedule:
    """A business schedule: a zone, effective-dated weekly hours (several intervals a day
    allowed) and closures of local dates (whole days or part of a day), in local minutes."""

    schedule_id: str
    tz: str
    hours: tuple[Hours, ...]
    closures: tuple[tuple[dt.date, int, int], ...] = ()  # (local date, closed from, closed until)

    def hours_on(self, day: dt.date) -> list[tuple[int, int]]:
        """The open intervals of local date ``day`` before closures (merged, sorted)."""
        return _merge([(h.opens, h.closes) for h in self.hours if h.applies(day)])

    def open_on(self, day: dt.date) -> list[tuple[int, int]]:
        """The open intervals of local date ``day``: its hours minus its closures."""
        closed = _merge([(lo, hi) for d, lo, hi in self.closures if d == day])
        out = []
        for lo, hi in self.hours_on(day):
            for c_lo, c_hi in closed:
                if c_hi <= lo or c_lo >= hi:
                    continue
                if c_lo > lo:
                    out.append((lo, c_lo))
                lo = max(lo, c_hi)
            if lo < hi:
                out.append((lo, hi))
        return out

    @classmethod
    def weekly(cls, schedule_id: str, hours: BusinessHours, holiday_dates: set[dt.date]) -> Schedule:
        """One interval a day on ``hours.weekdays``, the holidays closed all day (today's single schedule)."""
        rows = tuple(Hours(d, hours.open_minute, hours.close_minute) for d in hours.weekdays)
        return cls(schedule_id, hours.tz, rows, tuple((d, 0, 24 * 60) for d in sorted(holiday_dates)))


def _bridge(business: np.ndarray, max_gap: int) -> np.ndarray:
    """``business`` with its closed gaps shorter than ``max_gap`` buckets filled."""
    steps = np.diff(np.concatenate(([1], business.astype(np.int8), [1])))
    starts, ends = np.flatnonzero(steps == -1), np.flatnonzero(steps == 1)
    short = ends - starts < max_gap
    fill = np.zeros(len(business) + 1, dtype=np.int64)
    np.add.at(fill, starts[short], 1)
    np.add.at(fill, ends[short], -1)
    return business | (np.cumsum(fill)[:-1] > 0)


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        elif lo < hi:
            out.append((lo, hi))
    return out


class BusinessClock:
    """Maps epoch seconds to a business-second ordinal and back, for arrays, for one or more
    business sets (rows: schedules, or teams whose schedule changes) on one spine.

    The spine is a run of 15-minute UTC buckets; ``ordinal[r, b]`` is the business time of row
    ``r`` elapsed before bucket ``b`` (since the first bucket). Inside a business bucket the
    ordinal grows one second per second, elsewhere it stands still. ``row`` arguments are a
    row number or an array of them (one per instant).
    """

    def __init__(self, first_epoch: int, business: np.ndarray):
        if first_epoch % BUCKET_SECONDS:
            raise CalendarError("the business clock starts on a quarter hour")
        business = np.atleast_2d(np.asarray(business, dtype=bool))
        self.first_epoch = first_epoch
        self.n_buckets = business.shape[1]
        self.end_epoch = first_epoch + self.n_buckets * BUCKET_SECONDS
        self.business = business
        # ordinal (in seconds) at the start of each bucket, plus one past the end
        zeros = np.zeros((len(business), 1), dtype=np.int64)
        self.ordinal = np.concatenate((zeros, np.cumsum(business, axis=1, dtype=np.int64) * BUCKET_SECONDS), axis=1)
        # flat index (row * n_buckets + bucket) of the k-th business bucket of each row
        self._flat = np.flatnonzero(business.ravel())
        counts = business.sum(axis=1)
        self._count = counts
        self._start = np.concatenate(([0], np.cumsum(counts)[:-1]))
        # bucket index just past the end of the working day (business run, short breaks
        # bridged) containing bucket b, or for a closed bucket the next one; n_buckets + 1 when
        # none ends before the spine does
        worked = np.array([_bridge(r, SHORT_BREAK_BUCKETS) for r in business]).reshape(business.shape)
        ends = np.where(worked & ~np.concatenate((worked[:, 1:], zeros.astype(bool)), axis=1),
                        np.arange(self.n_buckets), self.n_buckets)
        self._day_end = np.minimum.accumulate(ends[:, ::-1], axis=1)[:, ::-1] + 1

    @classmethod
    def for_schedules(cls, first: dt.date, last: dt.date, schedules: list[Schedule]) -> BusinessClock:
        """One row per schedule over local dates ``first``..``last`` of each schedule's zone."""
        zones = [zone(s.tz) for s in schedules]
        first_epoch = min(local_instant(first, 0, z) for z in zones)
        end_epoch = max(local_instant(last + dt.timedelta(days=1), 0, z) for z in zones)
        if first_epoch % BUCKET_SECONDS or end_epoch % BUCKET_SECONDS:
            bad = ", ".join(s.tz for s in schedules)
            raise CalendarError(f"time zone {bad} has an offset that is not a whole quarter hour")
        business = np.zeros((len(schedules), (end_epoch - first_epoch) // BUCKET_SECONDS), dtype=bool)
        for row, (schedule, tz) in enumerate(zip(schedules, zones, strict=True)):
            for day in daterange(first, last):
                for lo_min, hi_min in schedule.open_on(day):
                    lo = local_instant(day, lo_min, tz) - first_epoch
                    hi = local_instant(day, hi_min, tz) - first_epoch
                    if lo % BUCKET_SECONDS or hi % BUCKET_SECONDS:
                        raise CalendarError(f"time zone {schedule.tz} has an offset that is not a whole quarter hour")
                    business[row, lo // BUCKET_SECONDS:hi // BUCKET_SECONDS] = True
        return cls(first_epoch, business)

    @classmethod
    def weekly(cls, first: dt.date, last: dt.date, hours: BusinessHours, holiday_dates: set[dt.date]) -> BusinessClock:
        """Today's single schedule: ``hours`` on its weekdays, holidays closed."""
        return cls.for_schedules(first, last, [Schedule.weekly("default", hours, holiday_dates)])

    def _bucket(self, offset: np.ndarray) -> np.ndarray:
        b = np.floor(offset / BUCKET_SECONDS).astype(np.int64)
        if (b < 0).any() or (b >= self.n_buckets).any():
            raise ValueError("instant outside the business calendar")
        return b

    def to_ordinal(self, epoch: np.ndarray, row: int | np.ndarray = 0) -> np.ndarray:
        """Business seconds elapsed since the start of the calendar, for epoch seconds."""
        offset = np.asarray(epoch, dtype=np.float64) - self.first_epoch
        b = self._bucket(offset)
        inside = offset - b * BUCKET_SECONDS
        return self.ordinal[row, b] + np.where(self.business[row, b], inside, 0.0)

    def from_ordinal(self, ordinal: np.ndarray, row: int | np.ndarray = 0) -> np.ndarray:
        """Latest instant (epoch seconds) at which ``ordinal`` business seconds have elapsed."""
        ordinal = np.asarray(ordinal, dtype=np.float64)
        k = np.floor(ordinal / BUCKET_SECONDS).astype(np.int64)
        if (k < 0).any() or (k >= self._count[row]).any():
            raise ValueError("business ordinal outside the business calendar")
        bucket = self._flat[self._start[row] + k] - np.asarray(row) * self.n_buckets
        return self.first_epoch + bucket * BUCKET_SECONDS + (ordinal - k * BUCKET_SECONDS)

    def day_end_after(self, epoch: np.ndarray, row: int | np.ndarray = 0) -> np.ndarray:
        """The end of the working day at or after ``epoch``: the first close at or after it (an
        instant at a close included) that is followed by at least 2 hours closed (a lunch
        break does not end the day). +inf when none comes within the calendar (a 24/7 row)."""
        b = self._bucket(np.asarray(epoch, dtype=np.float64) - 1 - self.first_epoch)
        end = self._day_end[row, b]
        return np.where(end > self.n_buckets, np.inf, self.first_epoch + end.astype(np.float64) * BUCKET_SECONDS)

    def splice(self, rows: list[list[tuple[int, int]]]) -> BusinessClock:
        """A clock whose row i follows row ``r`` of this clock from each ``(epoch, r)`` of
        ``rows[i]`` (sorted by epoch; the first one applies from the start of the spine):
        a team whose schedule changes at an instant (a quarter hour)."""
        out = np.zeros((len(rows), self.n_buckets), dtype=bool)
        for i, switches in enumerate(rows):
            starts = [(epoch - self.first_epoch) // BUCKET_SECONDS for epoch, _ in switches[1:]]
            bounds = np.clip([0, *starts, self.n_buckets], 0, self.n_buckets)
            for (_, r), lo, hi in zip(switches, bounds[:-1], bounds[1:], strict=True):
                out[i, lo:hi] = self.business[r, lo:hi]
        return BusinessClock(self.first_epoch, out)
