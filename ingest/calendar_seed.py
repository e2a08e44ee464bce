"""Write the China working-day calendar seed from the installed ``holidays`` package.

``seeds/china_calendar.csv`` (every day of every year with an official schedule: day,
is_workday, holiday_name) and ``seeds/china_calendar_sources.csv`` (for each year, the
documents the package cites for it) are reviewed reference data: the warehouse, the
ledger and the demo read them, never the package. After upgrading ``holidays`` run
``make calendar`` and review the diff (a changed date changes alerts);
``tests/ingest/test_calendar_seed.py`` fails while the files and the package disagree.

A year is included only when the package holds that year's official schedule (its table
of substituted days, 调休): for other years it would guess from the fixed-date rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import holidays
from holidays.countries.china import China, ChinaStaticHolidays

from ingest.seeds import seed_path

CALENDAR_SEED = "china_calendar"
SOURCES_SEED = "china_calendar_sources"
CALENDAR_HEADER = ("day", "is_workday", "holiday_name")
SOURCES_HEADER = ("year", "label", "url")
# "* [2024 changes (Order #795)](https://...)" in the References of China's docstring
_REFERENCE = re.compile(r"^\s*\*\s*\[((\d{4})[^\]]*)\]\((\S+)\)\s*$")


def official_years() -> tuple[int, ...]:
    """Years whose official schedule the installed package holds."""
    return tuple(sorted(ChinaStaticHolidays.special_public_holidays))


def calendar_rows() -> list[tuple[str, str, str]]:
    """(day, is_workday, holiday_name) for every day of every official year, as text."""
    years = official_years()
    # Neighbouring years too: a make-up day can fall in the year before its holiday.
    lib = holidays.China(years=range(years[0] - 1, years[-1] + 2), language="zh_CN")
    rows = []
    day, last = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
    while day <= last:
        if day.year in years:
            rows.append((day.isoformat(), "true" if lib.is_working_day(day) else "false",
                         lib.get(day) or ""))
        day += dt.timedelta(days=1)
    return rows


def source_rows() -> list[tuple[str, str, str]]:
    """(year, label, url): the official documents the package cites for each year.

    Read off the "References" of the package's China class (its "Checked With" list of
    third-party cross-checks is left out): per year the State Council General Office's
    notice of that year's holidays and the orders or notices that changed it, with the
    package's own label and its link to an archived copy. Never typed by hand.
    """
    years = set(official_years())
    doc = China.__doc__ or ""
    references = doc.split("References:", 1)[-1].split("Checked With:", 1)[0]
    rows = []
    for line in references.splitlines():
        m = _REFERENCE.match(line)
        if m and int(m.group(2)) in years:
            rows.append((m.group(2), m.group(1), m.group(3)))
    missing = years - {int(r[0]) for r in rows}
    if missing:
        raise ValueError(f"the holidays package cites no official source for {sorted(missing)}: "
                         "review those years by hand before adding them to the calendar")
    return rows


def render(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def expected_files() -> dict[str, str]:
    """Seed name -> the CSV text the installed package gives."""
    return {CALENDAR_SEED: render(CALENDAR_HEADER, calendar_rows()),
            SOURCES_SEED: render(SOURCES_HEADER, source_rows())}


def main() -> None:
    for name, text in expected_files().items():
        path = seed_path(name)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(text, encoding="utf-8")
        state = "unchanged" if old == text else "written: review the diff before committing"
        print(f"{path} ({text.count(chr(10)) - 1} rows, holidays {holidays.__version__}): {state}")


if __name__ == "__main__":
    main()
