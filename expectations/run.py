"""Run the suites on the raw rows of some load batches and store the outcomes.

``run_suites(con, batch_ids)`` is what ``searchlight run`` and the Dagster asset checks
both call. It reads ``raw.<source>`` (only the columns the suite needs), validates each
source that has rows, and appends one row per expectation to ``raw.expectation_results``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import duckdb

from expectations.invariants import check_columns
from ingest.sources import DECIMAL, INT, RATING, SOURCES

RESULTS_TABLE = "raw.expectation_results"
RESULTS_DDL = f"""
create table if not exists {RESULTS_TABLE} (
  run_at TIMESTAMP,          -- China local time of the run_suites call
  source VARCHAR,
  batch_ids VARCHAR,         -- JSON array of the load batches validated
  expectation VARCHAR,       -- GX expectation type
  "column" VARCHAR,          -- column, or comma-separated columns
  success BOOLEAN,
  unexpected_count BIGINT,
  element_count BIGINT,
  details VARCHAR            -- JSON: kind (contract|consistency), why, arguments, examples
)"""

_NUMERIC = {INT, DECIMAL, RATING}


def _raw_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from information_schema.tables "
                       "where table_schema = 'raw'").fetchall()
    return {r[0] for r in rows}


def _select_sql(source: str, n_batches: int | None) -> str:
    cols = []
    for name in check_columns(source):
        kind = SOURCES[source].column(name).kind if not name.startswith("_") else None
        if kind in _NUMERIC:
            cols.append(f'cast("{name}" as double) as "{name}"')  # NaN for null, no Decimal
        else:
            cols.append(f'"{name}"')
    sql = f"select {', '.join(cols)} from raw.{source}"
    if n_batches is not None:
        sql += f" where _batch_id in ({', '.join('?' * n_batches)})"
    return sql


def read_rows(con: duckdb.DuckDBPyConnection, source: str,
              batch_ids: Sequence[str] | None = None):
    """The raw rows of ``source`` in ``batch_ids`` (all rows when None), as a DataFrame."""
    params = list(batch_ids) if batch_ids is not None else []
    return con.execute(_select_sql(source, None if batch_ids is None else len(params)),
                       params).df()


def run_suites(con: duckdb.DuckDBPyConnection, batch_ids: Sequence[str] | None = None,
               sources: Iterable[str] | None = None) -> list:
    """Validate each source's raw rows of ``batch_ids``; store and return the results.

    ``batch_ids=None`` validates every row. Sources without rows (or without a raw table)
    are skipped. ``sources`` limits the run to some sources (the Dagster check of one raw
    asset passes its own). Returns one ``SuiteResult`` per source validated.
    """
    if batch_ids is not None and len(batch_ids) == 0:
        return []
    existing = _raw_tables(con)
    wanted = [s for s in (sources or SOURCES) if s in existing]
    frames = {}
    for source in wanted:
        frame = read_rows(con, source, batch_ids)
        if len(frame):
            frames[source] = frame
    if not frames:
        return []

    from expectations.suites import SuiteRunner  # the GX import takes seconds: only now

    runner = SuiteRunner()
    results = [runner.validate(source, frame) for source, frame in frames.items()]
    store_results(con, results)
    return results


def store_results(con: duckdb.DuckDBPyConnection, results: list,
                  run_at: dt.datetime | None = None) -> None:
    """Append one row per expectation outcome to raw.expectation_results."""
    run_at = run_at or dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    con.execute("create schema if not exists raw")
    con.execute(RESULTS_DDL)
    rows = [
        (run_at, r.source, json.dumps(r.batch_ids), o.expectation, o.column, o.success,
         o.unexpected_count, o.element_count,
         json.dumps(o.details, ensure_ascii=False, default=str))
        for r in results for o in r.outcomes
    ]
    if rows:
        con.executemany(
            f"insert into {RESULTS_TABLE} (run_at, source, batch_ids, expectation, \"column\", "
            "success, unexpected_count, element_count, details) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
