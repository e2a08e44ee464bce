"""Runs killed with SIGKILL during the load, during dbt and during the ledger sync, then
a rerun: the warehouse, the ledger store and the published Parquet end equal to a clean
run's, table by table, and expectation results cover every loaded batch (issue 14).

Each run is `searchlight run` in its own process group; ``SEARCHLIGHT_KILL_AT`` makes it
kill itself and its dbt subprocess at a named point (searchlight/faults.py), so where it
dies is decided by the run's progress, not by timing. The three kills are chained on one
warehouse — each run resumes what the killed one before it left — and the last, unkilled
run must leave exactly what one clean run leaves. On the conformance landing (23 files).

Compared: every table of every schema of the warehouse (raw tables, load_files,
quarantine, expectation results summed per expectation, staging to marts, alerts, the
ledger copies), every table of the ledger store, and the published files with their row
counts. Left out of the comparison: the columns that say *when* something happened
(load, validation, recording and action times, the incremental models' watermarks) and
the action hashes that chain those times.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingest.sources import SOURCES

pytestmark = pytest.mark.e2e

CONFORMANCE = Path(__file__).parent / "conformance"
EXPECTED = json.loads((CONFORMANCE / "expected_alerts.json").read_text(encoding="utf-8"))
VOLATILE = {"_loaded_at", "loaded_at", "run_at", "validated_at", "acted_at", "hash",
            "prev_hash", "last_action_at", "sent_at",
            "loaded_through",  # incremental models' watermark: the latest _loaded_at
            "recorded_at"}  # alert_first_detections: when a first detection was recorded
# Summed per expectation: how the batches were grouped into validation calls may differ
# between a clean run and one resumed after a kill; what was found in them may not.
EXPECTATION_TOTALS = """
    select source, expectation, "column", bool_and(success), sum(unexpected_count),
           sum(element_count)
    from raw.expectation_results group by all order by all"""


def run_searchlight(landing: Path, warehouse: Path, kill_at: str | None = None,
                    ) -> subprocess.CompletedProcess:
    env = {**os.environ, "SEARCHLIGHT_PSEUDONYM_KEY": EXPECTED["pseudonym_key"]}
    env.pop("SEARCHLIGHT_KILL_AT", None)
    env.pop("DAGSTER_HOME", None)
    if kill_at:
        env["SEARCHLIGHT_KILL_AT"] = kill_at
    return subprocess.run(
        [sys.executable, "-m", "searchlight.cli", "run", "--landing", str(landing),
         "--warehouse", str(warehouse), "--as-of", EXPECTED["as_of"], "--no-progress"],
        env=env, capture_output=True, text=True, timeout=1800, check=False,
        start_new_session=True)  # its own process group: the kill takes dbt along


def _rows(con, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall(), key=repr)


def warehouse_tables(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name, list(column_name order by ordinal_position) "
            "from information_schema.columns group by 1, 2 order by 1, 2").fetchall()
        out = {}
        for schema, table, columns in tables:
            name = f"{schema}.{table}"
            if name == "raw.expectation_results":
                out[name] = con.execute(EXPECTATION_TOTALS).fetchall()
                continue
            kept = ", ".join(f'"{c}"' for c in columns if c not in VOLATILE)
            out[name] = _rows(con, f'select {kept} from "{schema}"."{table}"')
    return out


def ledger_tables(store: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(store)
    try:
        out = {}
        for (table,) in con.execute("select name from sqlite_master where type = 'table'"):
            columns = [r[1] for r in con.execute(f"pragma table_info({table})")]
            kept = ", ".join(c for c in columns if c not in VOLATILE)
            # ledger_meta is key/value: its wall-clock facts (alerts_synced_at, ...) vary
            where = " where key not like '%\\_at' escape '\\'" if table == "ledger_meta" else ""
            out[table] = _rows(con, f"select {kept} from {table}{where}")
        return out
    finally:
        con.close()


def published(warehouse: Path) -> dict[str, int]:
    folder = warehouse.parent / f"{warehouse.stem}_published" / "marts"
    with duckdb.connect() as con:
        return {p.name: con.execute("select count(*) from read_parquet(?)",
                                    [str(p)]).fetchone()[0]
                for p in sorted(folder.glob("*.parquet"))}


def everything(warehouse: Path) -> dict:
    return {"warehouse": warehouse_tables(warehouse),
            "ledger": ledger_tables(warehouse.parent / f"{warehouse.stem}.ledger.sqlite"),
            "published": published(warehouse)}


def _first_difference(clean_rows: list[tuple], resumed_rows: list[tuple]) -> str:
    only_clean = [r for r in clean_rows if r not in resumed_rows]
    only_resumed = [r for r in resumed_rows if r not in clean_rows]
    return (f"{len(clean_rows)} vs {len(resumed_rows)} rows; only in the clean run: "
            f"{only_clean[:2]}; only after the kills: {only_resumed[:2]}")


def unvalidated_batches(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        validated = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' "
            "and table_name = 'expectation_batches'").fetchone()[0]
        return [b for (b,) in con.execute(
            "select batch_id from raw.load_files where status = 'loaded' "
            + ("and batch_id not in (select batch_id from raw.expectation_batches) "
               if validated else "") + "order by 1").fetchall()]


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fault") / "landing"
    shutil.copytree(CONFORMANCE / "landing", folder)
    return folder


@pytest.fixture(scope="module")
def clean(landing, tmp_path_factory) -> dict:
    warehouse = tmp_path_factory.mktemp("clean") / "w.duckdb"
    started = time.monotonic()
    done = run_searchlight(landing, warehouse)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"state": everything(warehouse), "seconds": time.monotonic() - started}


def test_runs_killed_in_load_dbt_and_ledger_sync_then_rerun_equal_a_clean_run(
        landing, clean, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    started = time.monotonic()

    # 1. killed inside the 5th file's transaction: its rows inserted, not committed
    killed = run_searchlight(landing, warehouse, kill_at="load:before-commit#5")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        files, rows_loaded = con.execute(
            "select count(distinct file_hash), sum(rows_loaded) from raw.load_files "
            "where status = 'loaded'").fetchone()
        in_raw = sum(con.execute(f"select count(*) from raw.{s}").fetchone()[0]
                     for s in SOURCES)
    assert files == 4, "4 files committed, the 5th rolled back"
    assert in_raw == rows_loaded, "rows of a file whose load was not committed are in raw"
    assert len(unvalidated_batches(warehouse)) == 4, "killed before the expectations"

    # 2. killed during dbt (after 40 nodes): the load completed and every batch — those
    #    the first run loaded too — was validated before dbt started
    killed = run_searchlight(landing, warehouse, kill_at="dbt build:node-done#40")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert "the previous run (started" in killed.stderr and "'load'" in killed.stderr
    assert unvalidated_batches(warehouse) == []

    # 3. killed during the ledger sync: alerts registered in the store, not yet copied
    #    into the warehouse that the ledger marts (views) read
    killed = run_searchlight(landing, warehouse, kill_at="ledger sync:registered")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]

    # 4. the rerun completes it, and the result is the clean run's
    rerun = run_searchlight(landing, warehouse)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "in step 'ledger sync': this run completes it" in rerun.stderr
    resumed = everything(warehouse)
    seconds = time.monotonic() - started
    expected = clean["state"]
    assert resumed["published"] == expected["published"]
    for part in ("ledger", "warehouse"):
        assert sorted(resumed[part]) == sorted(expected[part]), f"{part}: other tables"
        differing = {table: _first_difference(rows, resumed[part][table])
                     for table, rows in expected[part].items()
                     if resumed[part][table] != rows}
        assert differing == {}, f"{part} tables that differ from a clean run"
    assert unvalidated_batches(warehouse) == []
    verify = subprocess.run([sys.executable, "-m", "searchlight.cli", "ledger",
                             "--warehouse", str(warehouse), "verify"],
                            capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    print(f"\nfault injection: clean run {clean['seconds']:.0f} s, four runs with three "
          f"kills {seconds:.0f} s ({dt.datetime.now():%H:%M})")
