"""The calendar seed is what the installed holidays package says, and nothing else.

seeds/china_calendar.csv is reviewed reference data: an upgrade of ``holidays`` that moves
a date (or adds a year) must show up here as a failure, be regenerated with
``make calendar`` and be reviewed in the diff, because a changed date changes alerts.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from ingest.calendar_seed import CALENDAR_SEED, SOURCES_SEED, expected_files, official_years
from ingest.seeds import read_seed, seed_path

pytestmark = pytest.mark.unit


def test_the_committed_calendar_seed_equals_the_installed_holidays_package():
    for name, text in expected_files().items():
        committed = seed_path(name).read_text(encoding="utf-8")
        assert committed == text, (
            f"seeds/{name}.csv differs from what the installed holidays package gives: run "
            "`make calendar`, review the changed dates in the diff, commit")


def test_every_year_of_the_seed_is_complete_and_has_its_official_source():
    days = [dt.date.fromisoformat(r["day"]) for r in read_seed(CALENDAR_SEED)]
    years = sorted({d.year for d in days})
    assert years == list(official_years())
    assert days == [dt.date(years[0], 1, 1) + dt.timedelta(days=i) for i in range(len(days))]
    cited = {int(r["year"]) for r in read_seed(SOURCES_SEED)}
    assert cited == set(years)


def test_the_2025_may_day_break_and_its_make_up_sunday():
    with seed_path(CALENDAR_SEED).open(encoding="utf-8", newline="") as f:
        rows = {r["day"]: r for r in csv.DictReader(f)}
    assert rows["2025-04-27"]["is_workday"] == "true"  # Sunday, make-up working day
    assert [rows[f"2025-05-0{d}"]["is_workday"] for d in range(1, 6)] == ["false"] * 5
    assert rows["2025-05-01"]["holiday_name"]
