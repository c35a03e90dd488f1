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


class BusinessClock:
    """Maps epoch seconds to a business-second ordinal and back, for arrays.

    The clock is a spine of 15-minute UTC buckets; ``ordinal[b]`` is the business time
    elapsed before bucket ``b`` (since the first bucket). Inside a business bucket the
    ordinal grows one second per second, elsewhere it stands still.
    """

    def __init__(self, first: dt.date, last: dt.date, hours: BusinessHours, holiday_dates: set[dt.date]):
        tz = zone(hours.tz)
        self.first_epoch = local_instant(first, 0, tz)
        self.end_epoch = local_instant(last + dt.timedelta(days=1), 0, tz)
        if self.first_epoch % BUCKET_SECONDS or self.end_epoch % BUCKET_SECONDS:
            raise CalendarError(f"time zone {hours.tz} has an offset that is not a whole quarter hour")
        n_buckets = (self.end_epoch - self.first_epoch) // BUCKET_SECONDS
        business = np.zeros(n_buckets, dtype=bool)
        for day in daterange(first, last):
            if day.isoweekday() in hours.weekdays and day not in holiday_dates:
                lo = (local_instant(day, hours.open_minute, tz) - self.first_epoch) // BUCKET_SECONDS
                hi = (local_instant(day, hours.close_minute, tz) - self.first_epoch) // BUCKET_SECONDS
                business[lo:hi] = True
        self.business = business
        # ordinal (in seconds) at the start of each bucket, plus one past the end
        self.ordinal = np.concatenate(([0], np.cumsum(business, dtype=np.int64) * BUCKET_SECONDS))
        # bucket index of the k-th business bucket (for the inverse)
        self.business_buckets = np.flatnonzero(business)

    def to_ordinal(self, epoch: np.ndarray) -> np.ndarray:
        """Business seconds elapsed since the start of the calendar, for epoch seconds."""
        offset = np.asarray(epoch, dtype=np.float64) - self.first_epoch
        b = np.floor(offset / BUCKET_SECONDS).astype(np.int64)
        if (b < 0).any() or (b >= len(self.business)).any():
            raise ValueError("instant outside the business calendar")
        inside = offset - b * BUCKET_SECONDS
        return self.ordinal[b] + np.where(self.business[b], inside, 0.0)

    def from_ordinal(self, ordinal: np.ndarray) -> np.ndarray:
        """Latest instant (epoch seconds) at which ``ordinal`` business seconds have elapsed."""
        ordinal = np.asarray(ordinal, dtype=np.float64)
        k = np.floor(ordinal / BUCKET_SECONDS).astype(np.int64)
        if (k < 0).any() or (k >= len(self.business_buckets)).any():
            raise ValueError("business ordinal outside the business calendar")
        bucket = self.business_buckets[k]
        return self.first_epoch + bucket * BUCKET_SECONDS + (ordinal - k * BUCKET_SECONDS)
