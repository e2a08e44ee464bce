"""The China working-day calendar: official holidays and make-up working days (调休).

The calendar is reviewed reference data, ``seeds/china_calendar.csv`` (every day of every
year with an official State Council schedule; where each year comes from:
``seeds/china_calendar_sources.csv``), written from the ``holidays`` package by
``make calendar`` (``ingest/calendar_seed.py``). dbt loads the same file as a seed for
``int_calendar``; here the ledger's due dates and the demo read it. A year is *covered*
only when the file has it; for any other year there is no answer, only an error naming
the year — dates are law, never a guess. Calendar overrides (``calendar_overrides``
source) win over the file, and a year that appears in the overrides is covered
(weekends off by default, then the overrides).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np

from ingest.seeds import read_seed

CALENDAR_SEED = "china_calendar"

DayLike = dt.date | dt.datetime | str
Overrides = dict[dt.date, bool]


class CalendarNotCovered(ValueError):
    """A date falls in a year whose official schedule is not known."""


@lru_cache(maxsize=1)
def seed_years() -> dict[int, tuple[np.ndarray, tuple[str | None, ...]]]:
    """Year -> (is_workday per day of the year, holiday name per day), from the seed."""
    by_year: dict[int, list[dict[str, str]]] = {}
    for row in read_seed(CALENDAR_SEED):
        by_year.setdefault(int(row["day"][:4]), []).append(row)
    years = {}
    for year, rows in by_year.items():
        # A year is all or nothing: a missing or repeated day would shift every count.
        if [r["day"] for r in rows] != [d.isoformat() for d in _days_of(year)]:
            raise ValueError(f"seeds/{CALENDAR_SEED}.csv: {year} does not list every day of "
                             "the year once, in order (regenerate it: make calendar)")
        flags = np.array([r["is_workday"] == "true" for r in rows], dtype=bool)
        years[year] = (flags, tuple(r["holiday_name"] or None for r in rows))
    return years


def covered_years() -> tuple[int, ...]:
    """Years whose official schedule the calendar seed holds."""
    return tuple(sorted(seed_years()))


def _days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    n = (dt.date(year + 1, 1, 1) - first).days
    return [first + dt.timedelta(days=i) for i in range(n)]


def _as_date(day: DayLike) -> dt.date:
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    return dt.date.fromisoformat(str(day)[:10])


def normalise_overrides(rows: Any = None) -> Overrides:
    """Overrides from a DataFrame (columns day, is_workday) or (day, is_workday) pairs."""
    if rows is None:
        return {}
    if isinstance(rows, dict):
        return {_as_date(k): bool(v) for k, v in rows.items()}
    if hasattr(rows, "itertuples"):  # pandas DataFrame
        pairs: Iterable = zip(rows["day"], rows["is_workday"], strict=True)
    else:
        pairs = rows
    return {_as_date(d): bool(w) for d, w in pairs}


class WorkCalendar:
    """Working days on the China calendar, with local overrides; cached per year."""

    def __init__(self, overrides: Any = None) -> None:
        self.overrides = normalise_overrides(overrides)
        self._override_years = {d.year for d in self.overrides}
        self._years: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def covers(self, year: int) -> bool:
        return year in covered_years() or year in self._override_years

    def year_flags(self, year: int) -> tuple[np.ndarray, np.ndarray]:
        """(is_workday per day, cumulative workdays up to and including each day)."""
        if year not in self._years:
            if year in covered_years():
                flags = seed_years()[year][0].copy()
            elif year in self._override_years:
                flags = np.array([d.weekday() < 5 for d in _days_of(year)], dtype=bool)
            else:
                raise CalendarNotCovered(
                    f"the working-day calendar does not cover {year}: seeds/"
                    f"{CALENDAR_SEED}.csv has China's official schedule for "
                    f"{covered_years()[0]}–{covered_years()[-1]}; add {year}'s days to "
                    "calendar_overrides, or upgrade the holidays package and run "
                    "make calendar")
            start = dt.date(year, 1, 1)
            for day, is_work in self.overrides.items():
                if day.year == year:
                    flags[(day - start).days] = is_work
            self._years[year] = (flags, np.cumsum(flags))
        return self._years[year]

    def is_workday(self, day: DayLike) -> bool:
        d = _as_date(day)
        flags, _ = self.year_flags(d.year)
        return bool(flags[d.timetuple().tm_yday - 1])

    def workdays(self, a: DayLike, b: DayLike) -> int:
        """Working days d with date(a) < d <= date(b); 0 when b <= a."""
        start, end = _as_date(a), _as_date(b)
        if end <= start:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            _, cum = self.year_flags(year)
            hi = cum[end.timetuple().tm_yday - 1] if year == end.year else cum[-1]
            lo = cum[start.timetuple().tm_yday - 1] if year == start.year else 0
            total += int(hi - lo)
        return total


_DEFAULT = WorkCalendar()


def is_workday(day: DayLike, overrides: Any = None) -> bool:
    """Is this a working day? Raises CalendarNotCovered naming an unknown year."""
    cal = _DEFAULT if overrides is None else WorkCalendar(overrides)
    return cal.is_workday(day)


def workdays(a: DayLike, b: DayLike, overrides: Any = None) -> int:
    """Number of working days d with date(a) < d <= date(b); 0 when b <= a."""
    cal = _DEFAULT if overrides is None else WorkCalendar(overrides)
    return cal.workdays(a, b)
