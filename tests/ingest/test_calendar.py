"""The China working-day calendar: make-up days, May Day, uncovered years, overrides."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from ingest.calendar import (
    CalendarNotCovered,
    covered_years,
    is_workday,
    workdays,
    write_builtin_calendar,
)

pytestmark = pytest.mark.unit


def test_covered_years_are_the_years_with_an_official_schedule():
    years = covered_years()
    assert 2024 in years and 2025 in years and 2026 in years
    assert 1999 not in years and max(years) + 1 not in years


def test_make_up_sunday_2025_04_27_is_a_workday():
    assert is_workday(dt.date(2025, 4, 27))


def test_may_5_2025_is_not_a_workday():
    assert not is_workday(dt.date(2025, 5, 5))
    assert all(not is_workday(dt.date(2025, 5, d)) for d in range(1, 6))


def test_workdays_across_may_day_count_the_make_up_sunday_and_skip_the_break():
    # after Fri 25 Apr: Sun 27 (make-up), Mon 28, Tue 29, Wed 30; 1-5 May off; Tue 6 May
    assert workdays(dt.datetime(2025, 4, 25, 9), dt.datetime(2025, 5, 6, 10)) == 5
    assert workdays("2025-04-30", "2025-05-05") == 0
    assert workdays("2025-05-06", "2025-05-06") == 0
    assert workdays("2025-05-06", "2025-04-01") == 0


def test_workdays_across_a_year_boundary():
    # 2024-12-31 (Tue) -> 2025-01-02: 1 Jan holiday, 2 Jan Thursday
    assert workdays("2024-12-30", "2025-01-02") == 2


def test_an_uncovered_year_raises_naming_the_year():
    year = max(covered_years()) + 1
    with pytest.raises(CalendarNotCovered, match=str(year)):
        is_workday(dt.date(year, 3, 2))
    with pytest.raises(CalendarNotCovered, match=str(year)):
        workdays("2025-12-01", f"{year}-01-10")


def test_overrides_win_over_the_library_and_cover_their_year():
    local = pd.DataFrame({"day": [dt.date(2025, 5, 9), dt.date(2025, 5, 5)],
                          "is_workday": [False, True]})
    assert is_workday("2025-05-09") and not is_workday("2025-05-09", overrides=local)
    assert is_workday("2025-05-05", overrides=local)
    assert workdays("2025-05-08", "2025-05-12", overrides=local) == 1
    year = max(covered_years()) + 1
    pairs = [(dt.date(year, 1, 1), False)]
    jan_2 = dt.date(year, 1, 2)
    assert is_workday(jan_2, overrides=pairs) == (jan_2.weekday() < 5)
    assert not is_workday(dt.date(year, 1, 1), overrides=pairs)


def test_builtin_calendar_table_has_every_day_of_every_covered_year():
    con = duckdb.connect()
    n = write_builtin_calendar(con)
    rows = con.execute("SELECT count(*), count(DISTINCT day), min(day), max(day) "
                       "FROM raw.calendar_builtin").fetchone()
    first, last = covered_years()[0], covered_years()[-1]
    assert rows == (n, n, dt.date(first, 1, 1), dt.date(last, 12, 31))
    assert con.execute("SELECT is_workday, holiday_name IS NOT NULL FROM raw.calendar_builtin "
                       "WHERE day IN ('2025-04-27', '2025-05-01') ORDER BY day").fetchall() == \
        [(True, False), (False, True)]
