"""The China working-day calendar: make-up days, May Day, uncovered years, overrides."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ingest import calendar
from ingest.calendar import CalendarNotCovered, covered_years, is_workday, workdays

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


def test_a_seed_year_with_a_missing_day_is_refused_naming_the_year(monkeypatch):
    # a dropped line would shift every working-day count after it: all or nothing
    rows = [{"day": f"2030-01-{d:02d}", "is_workday": "true", "holiday_name": ""}
            for d in range(1, 32)]
    rows += [{"day": "2031-01-01", "is_workday": "false", "holiday_name": "元旦"}]
    monkeypatch.setattr(calendar, "read_seed", lambda name: rows)
    calendar.seed_years.cache_clear()
    try:
        with pytest.raises(ValueError, match="2030 does not list every day"):
            calendar.covered_years()
    finally:
        calendar.seed_years.cache_clear()
