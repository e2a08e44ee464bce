"""The China working-day calendar: official holidays and make-up working days (调休).

The ``holidays`` package knows each year's State Council schedule. A year is *covered*
only when the package has that year's official schedule (its table of substituted
days); for any other year there is no answer, only an error naming the year — dates are
law, never a guess. Calendar overrides (``calendar_overrides`` source) win over the
library, and a year that appears in the overrides is covered (weekends off by default,
then the overrides).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

import holidays
import numpy as np
import pyarrow as pa
from holidays.countries.china import ChinaStaticHolidays

DayLike = dt.date | dt.datetime | str
Overrides = dict[dt.date, bool]


class CalendarNotCovered(ValueError):
    """A date falls in a year whose official schedule is not known."""


@lru_cache(maxsize=1)
def covered_years() -> tuple[int, ...]:
    """Years whose official schedule the installed ``holidays`` package holds."""
    return tuple(sorted(ChinaStaticHolidays.special_public_holidays))


@lru_cache(maxsize=1)
def _library() -> holidays.HolidayBase:
    years = covered_years()
    # Neighbouring years too: a make-up day can fall in the year before its holiday.
    return holidays.China(years=range(years[0] - 1, years[-1] + 2), language="zh_CN")


@cache
def _library_year(year: int) -> tuple[np.ndarray, tuple[str | None, ...]]:
    """(is_workday per day of the year, holiday name per day) from the library."""
    lib = _library()
    days = _days_of(year)
    flags = np.array([lib.is_working_day(d) for d in days], dtype=bool)
    names = tuple(lib.get(d) for d in days)
    return flags, names


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
                flags = _library_year(year)[0].copy()
            elif year in self._override_years:
                flags = np.array([d.weekday() < 5 for d in _days_of(year)], dtype=bool)
            else:
                raise CalendarNotCovered(
                    f"the working-day calendar does not cover {year}: the holidays "
                    f"package knows China's official schedule for {covered_years()[0]}–"
                    f"{covered_years()[-1]}; add {year}'s days to calendar_overrides or "
                    "upgrade the holidays package")
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


def builtin_calendar_table() -> pa.Table:
    """Every day of every covered year: day, is_workday, holiday_name (library only)."""
    days: list[dt.date] = []
    flags: list[bool] = []
    names: list[str | None] = []
    for year in covered_years():
        year_flags, year_names = _library_year(year)
        days += _days_of(year)
        flags += year_flags.tolist()
        names += list(year_names)
    return pa.table({"day": pa.array(days, pa.date32()),
                     "is_workday": pa.array(flags, pa.bool_()),
                     "holiday_name": pa.array(names, pa.string())})


def write_builtin_calendar(con: Any) -> int:
    """(Re)write raw.calendar_builtin; returns the number of days written."""
    table = builtin_calendar_table()
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.register("_sl_calendar", table)
    try:
        con.execute("CREATE OR REPLACE TABLE raw.calendar_builtin AS "
                    "SELECT day, is_workday, holiday_name FROM _sl_calendar ORDER BY day")
    finally:
        con.unregister("_sl_calendar")
    return table.num_rows
