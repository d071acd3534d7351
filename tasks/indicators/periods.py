"""DHIS2 bimonthly periods (`yyyyNNB`), the unit every indicator and note is reported in, and date windows."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_PERIOD_ID = re.compile(r"^(\d{4})(0[1-6])B$")


@dataclass(frozen=True, order=True)
class Window:
    """Dates an indicator is computed over: an id and the first and last days (both inclusive).

    A bi-month is one; a whole SMS campaign is another, so the same SQL serves the note and the evaluation.
    """

    id: str
    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        """Midnight of the first day, for comparing timestamps."""
        return datetime.combine(self.start, datetime.min.time())

    @property
    def ends_before(self) -> datetime:
        """Midnight after the last day: timestamps of the period are strictly before it."""
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time())


@dataclass(frozen=True, order=True)
class Period(Window):
    """A bi-month: its DHIS2 id and its first and last days (both inclusive)."""

    def next(self) -> Period:
        """The following bi-month, so callers never do month arithmetic themselves."""
        return period_of(self.end + timedelta(days=1))

    def previous(self) -> Period:
        """The preceding bi-month."""
        return period_of(self.start - timedelta(days=1))


def parse_period(period_id: str) -> Period:
    """The period of a DHIS2 bimonthly id such as `201903B` (May–June 2019)."""
    match = _PERIOD_ID.match(str(period_id))
    if not match:
        raise ValueError(
            f"{period_id!r} is not a DHIS2 bimonthly period id: expected yyyyNNB with NN 01-06, e.g. 201903B"
        )
    year, index = int(match.group(1)), int(match.group(2))
    first_month, last_month = 2 * index - 1, 2 * index
    end = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Period(period_id, date(year, first_month, 1), end)


def period_of(day: date) -> Period:
    """The bi-month a date (or timestamp) falls in."""
    return parse_period(f"{day.year:04d}{(day.month + 1) // 2:02d}B")


def periods_between(first: date, last: date) -> list[Period]:
    """Every bi-month from the one holding `first` to the one holding `last`, in order (empty if reversed)."""
    periods: list[Period] = []
    current, final = period_of(first), period_of(last)
    while current <= final:
        periods.append(current)
        current = current.next()
    return periods
