"""A warehouse fed day by day ends exactly where one full build over the same files ends.

The demo district (every T rule planted, quarantined rows, re-exports with ISO offsets,
JSON Lines events) is generated, and its June exports are split into one file per day,
as a platform sending daily exports would deliver them. Then:

  * day by day: one run over everything before the last ``DAYS`` June days, then one run
    per day as that day's files arrive (``as_of`` moves with the data: open cases keep
    their clock running, windows extend);
  * full: one run on an empty warehouse over all the files.

Both must end with the same alerts, the same rule coverage, the same supervision
ledger for the alerts still firing, and the same rows in every incremental model (which
a daily run patches instead of rebuilding; ``loaded_through``, the watermark, aside). ``first_detected_on`` is left out of the comparison on purpose:
it is the as_of of the first run that raised an alert, so a warehouse that ran on June 28
legitimately remembers an earlier date than one built once on June 30.

``DAYS`` defaults to 1 (one more day of exports arrives) so ``make test`` stays fast; ``SEARCHLIGHT_TEST_DAILY_DAYS=30``
replays the whole month of June day by day (about one run per day, minutes).
"""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.sources import SOURCES, header_lookup, normalize_header
from searchlight import pipeline
from searchlight.paths import DBT_PROJECT_DIR
from synthetic.district import generate_district

SCALE = 0.1
DAYS = int(os.environ.get("SEARCHLIGHT_TEST_DAILY_DAYS", "1"))
ALERT_COLUMNS = ("alert_id", "rule_code", "rule_family", "severity", "subject_type",
                 "subject_id", "dept_code", "staff_id", "as_of", "metric_value",
                 "threshold_value", "evidence")  # all but first_detected_on (see above)

pytestmark = pytest.mark.e2e


# --------------------------------------------------------------------------- daily files

def _day_of_csv_rows(path: Path, column: str) -> tuple[pd.DataFrame, pd.Series]:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    lookup = header_lookup(SOURCES[path.parent.name])
    col = next(h for h in df.columns if lookup.get(normalize_header(h)) == column)
    return df, df[col].str.slice(0, 10)


def split_june_daily(landing: Path) -> list[str]:
    """Replace the June exports of cases and case_events by one file per day.

    Returns the June days in order. The re-export file (changes from June 30 noon, in ISO
    form with offset) is June 30's second delivery and keeps its name.
    """
    days: set[str] = set()
    june = landing / "cases" / "cases_2026-06.csv"
    df, day = _day_of_csv_rows(june, "updated_at")
    for d, part in df.groupby(day, sort=True):
        part.to_csv(landing / "cases" / f"cases_{d}.csv", index=False, encoding="utf-8")
        days.add(d)
    june.unlink()
    june = landing / "case_events" / "case_events_2026-06.jsonl"
    by_day: dict[str, list[str]] = defaultdict(list)
    for line in june.read_text(encoding="utf-8").splitlines():
        by_day[json.loads(line)["event_at"][:10]].append(line)
    for d, lines in by_day.items():
        (landing / "case_events" / f"case_events_{d}.jsonl").write_text(
            "\n".join(lines) + "\n", encoding="utf-8")
        days.add(d)
    june.unlink()
    return sorted(days)


def _arrives_on(name: str, days: list[str]) -> str | None:
    """The June day a file is delivered on (None: before the replayed days)."""
    if "reexport" in name:
        return days[-1]
    return next((d for d in days if d in name), None)


# --------------------------------------------------------------------------- comparison

def incremental_models() -> list[str]:
    """schema.name of every model dbt builds incrementally from raw (from the manifest)."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    return sorted(f"{n['schema']}.{n['name']}" for n in manifest["nodes"].values()
                  if n["resource_type"] == "model"
                  and n["config"]["materialized"] == "incremental"
                  and "loaded_through" in (n.get("raw_code") or ""))


def snapshot(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        alerts = con.execute(f"select {', '.join(ALERT_COLUMNS)} from marts.alerts "
                             "order by alert_id").fetchall()
        coverage = con.execute("select * from marts.rule_coverage order by rule_code").fetchall()
        ledger = ledger_rows(con)
        patched = {m: con.execute(f"select * exclude (loaded_through) from {m} "
                                  "order by all").fetchall() for m in incremental_models()}
    return {"alerts": alerts, "coverage": coverage, "ledger": ledger, "patched": patched}


def ledger_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The ledger state that must match: alert_id, status and assignee of every alert
    still firing. Alerts that fired on an earlier day and stopped (a T03 case that became
    T02) stay in the day-by-day ledger with their history, as the lifecycle requires, and
    a single full build never saw them; due_on counts from the day an alert was
    registered, like first_detected_on. Neither is a difference in the final state."""
    return con.execute("select alert_id, status, assignee from marts.supervision_ledger "
                       "where still_firing order by alert_id").fetchall()


# --------------------------------------------------------------------------- the test

@pytest.fixture(scope="module")
def daily_landing(tmp_path_factory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("daily")
    generate_district(out, scale=SCALE, seed=11)
    days = split_june_daily(out / "landing")
    return out / "landing", days


def test_day_by_day_ends_where_one_full_build_ends(daily_landing, tmp_path):
    landing, june_days = daily_landing
    replay = june_days[-DAYS:]

    # Day by day: a landing folder that receives the files as they are delivered.
    daily = tmp_path / "daily_landing"
    warehouse = tmp_path / "daily.duckdb"
    files = sorted(p for p in landing.rglob("*") if p.is_file())

    def deliver(day: str | None) -> int:
        n = 0
        for f in files:
            if _arrives_on(f.name, replay) == day:
                target = daily / f.relative_to(landing)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, target)
                n += 1
        return n

    deliver(None)
    as_ofs = [pipeline.run(daily, warehouse, progress=False, publish=False).as_of]
    for day in replay:
        assert deliver(day), f"no file arrives on {day}"
        as_ofs.append(pipeline.run(daily, warehouse, progress=False, publish=False).as_of)
    # as_of follows the data (the latest updated_at): it moves forward with the deliveries.
    assert as_ofs == sorted(as_ofs) and as_ofs[0] < as_ofs[-1]

    full = tmp_path / "full.duckdb"
    pipeline.run(landing, full, progress=False, publish=False)

    got, want = snapshot(warehouse), snapshot(full)
    assert want["alerts"], "the demo must raise alerts, or this comparison proves nothing"
    assert got["alerts"] == want["alerts"]
    assert got["coverage"] == want["coverage"]
    assert got["ledger"] == want["ledger"]
    assert len(got["patched"]) >= 8, "the incremental staging models were not found"
    for model, rows in want["patched"].items():
        assert rows, f"{model} is empty: this comparison proves nothing"
        assert got["patched"][model] == rows, f"{model} differs after daily runs"

