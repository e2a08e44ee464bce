"""Run the suites on the raw rows of some load batches and store the outcomes.

``run_suites(con, batch_ids)`` is what ``searchlight run`` and the Dagster asset checks
both call. It reads ``raw.<source>`` (only the columns the suite needs), validates each
source that has rows, and appends one row per expectation to ``raw.expectation_results``.

Which batches have been validated is recorded in ``raw.expectation_batches`` in the same
transaction as their results, and the callers validate ``pending_batches(con)``: every
loaded batch without results, whichever run loaded it. A run killed after loading some
files and before (or during) their validation leaves them pending, and the next run
validates them; validating only "the files this run loaded" would skip them forever.

Why chunks: a DataFrame of every raw row of a district (10M cases, 40M events) does not
fit the 6 GiB of issue 7. Sources are validated one at a time, read in chunks of at most
``SEARCHLIGHT_EXPECTATION_CHUNK_ROWS`` rows (default 250,000) and each chunk is released
before the next, so memory is bounded by the chunk size, not by the data volume. Row-wise
expectations add up over chunks; the whole-table ones (``invariants.WHOLE_TABLE``:
uniqueness of a key within an export) are computed exactly over the whole selection in
DuckDB SQL, with the same counts GX gives on one frame.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import duckdb

from expectations.invariants import (
    Check,
    check_columns,
    check_invariants,
    checks_for,
    is_row_wise,
)
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

BATCHES_TABLE = "raw.expectation_batches"
BATCHES_DDL = f"""
create table if not exists {BATCHES_TABLE} (
  batch_id VARCHAR,          -- a load batch (raw.load_files.batch_id) whose rows were validated
  source VARCHAR,
  validated_at TIMESTAMP     -- run_at of its rows in raw.expectation_results
)"""

_NUMERIC = {INT, DECIMAL, RATING}
CHUNK_ROWS_ENV = "SEARCHLIGHT_EXPECTATION_CHUNK_ROWS"
DEFAULT_CHUNK_ROWS = 250_000
_VECTOR = 2048  # rows in a DuckDB vector: fetch_df_chunk counts in vectors


def chunk_rows(value: int | str | None = None) -> int:
    """The chunk size: ``value``, else $SEARCHLIGHT_EXPECTATION_CHUNK_ROWS, else 250,000."""
    if value is None:
        value = os.environ.get(CHUNK_ROWS_ENV) or DEFAULT_CHUNK_ROWS
    n = int(value)
    if n < 1:
        raise ValueError(f"{CHUNK_ROWS_ENV} must be a positive number of rows, not {value!r}")
    return n


def _raw_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from information_schema.tables "
                       "where table_schema = 'raw'").fetchall()
    return {r[0] for r in rows}


def _select_sql(source: str, n_batches: int | None,
                columns: Sequence[str] | None = None) -> str:
    cols = []
    for name in columns or check_columns(source):
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


def iter_rows(con: duckdb.DuckDBPyConnection, source: str,
              batch_ids: Sequence[str] | None = None, rows: int | None = None):
    """The rows of ``read_rows`` as DataFrames of at most ``rows`` rows (``chunk_rows()``),
    streamed from DuckDB: only one chunk (at least one 2,048-row vector) is in memory.
    Do not run other queries on ``con`` until the generator is exhausted."""
    rows = chunk_rows(rows)
    params = list(batch_ids) if batch_ids is not None else []
    con.execute(_select_sql(source, None if batch_ids is None else len(params)), params)
    while True:
        fetched = con.fetch_df_chunk(max(1, rows // _VECTOR))
        if not len(fetched):
            return
        if len(fetched) <= rows:
            yield fetched
        else:  # rows < 2,048: cut the vector up
            for start in range(0, len(fetched), rows):
                yield fetched.iloc[start:start + rows].reset_index(drop=True)
        del fetched


def _snake(class_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def _compound_unique(con: duckdb.DuckDBPyConnection, source: str, check: Check,
                     batch_ids: Sequence[str] | None) -> dict:
    """ExpectCompoundColumnsToBeUnique over the whole selection, as GX counts it: rows whose
    combination occurs more than once are unexpected (nulls compare equal, as in pandas);
    rows with every column missing are ignored (GX's default ignore_row_if).

    When ``_batch_id`` is one of the columns (every key check: unique within an export),
    two rows of different batches never collide, so the count is made batch by batch: the
    hash table holds one export's keys, not the whole table's (40M events)."""
    columns = check.kwargs["column_list"]
    params = list(batch_ids) if batch_ids is not None else []
    rows_sql = _select_sql(source, None if batch_ids is None else len(params), columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    all_missing = " and ".join(f'"{c}" is null' for c in columns)
    if "_batch_id" in columns:
        parts = [(f'select * from ({rows_sql}) where "_batch_id" is not distinct from ?',
                  [*params, b]) for (b,) in con.execute(
                      f'select distinct "_batch_id" from ({rows_sql}) order by 1',
                      params).fetchall()]
    else:
        parts = [(rows_sql, params)]
    counts = {"elements": 0, "missing": 0, "unexpected": 0, "examples": []}
    for part_sql, part_params in parts:
        con.execute(f"""
            with selected as ({part_sql}),
            kept as (select {quoted} from selected where not ({all_missing})),
            repeated as (select {quoted}, count(*) as n from kept group by all
                         having count(*) > 1)
            select (select count(*) from selected), (select count(*) from kept),
                   (select coalesce(sum(n), 0) from repeated),
                   (select list(struct_pack({quoted}, n) order by {quoted})
                    from (select * from repeated order by {quoted} limit 5))
            """, part_params)
        elements, kept, unexpected, sample = con.fetchone()
        counts["elements"] += int(elements)
        counts["missing"] += int(elements - kept)
        counts["unexpected"] += int(unexpected)
        if len(counts["examples"]) < 5:
            counts["examples"] += [{c: s[c] for c in columns}
                                   for s in (sample or []) for _ in range(s["n"])]
    return counts


def _whole_table_outcome(check: Check, counts: dict):
    from expectations.suites import SAMPLE, ExpectationOutcome, json_safe

    unexpected, elements, missing = counts["unexpected"], counts["elements"], counts["missing"]
    details = {"kind": check.kind, "why": check.why,
               "kwargs": {k: json_safe(v) for k, v in check.kwargs.items()},
               "missing_count": missing}
    if elements - missing > 0:
        details["unexpected_percent"] = unexpected / (elements - missing) * 100
    if counts["examples"]:
        details["partial_unexpected"] = [json_safe(v) for v in counts["examples"][:SAMPLE]]
    return ExpectationOutcome(expectation=_snake(check.expectation), column=check.column_label,
                              kind=check.kind, why=check.why, success=unexpected == 0,
                              unexpected_count=unexpected, element_count=elements,
                              details=details)


def validate_source(con: duckdb.DuckDBPyConnection, source: str,
                    batch_ids: Sequence[str] | None = None, rows: int | None = None,
                    runner=None):
    """One source's SuiteResult, or None when it has no rows: whole-table expectations in
    SQL, row-wise ones by GX on chunks of at most ``rows`` rows, outcomes in suite order."""
    checks = checks_for(source)
    whole = {i: _compound_unique(con, source, c, batch_ids)
             for i, c in enumerate(checks) if not is_row_wise(c)}
    if whole:
        row_count = next(iter(whole.values()))["elements"]
    else:
        params = list(batch_ids) if batch_ids is not None else []
        sql = _select_sql(source, None if batch_ids is None else len(params), ["_batch_id"])
        row_count = con.execute(f"select count(*) from ({sql})", params).fetchone()[0]
    if not row_count:
        return None

    from expectations.suites import SuiteRunner, combine_outcomes, suite_result

    runner = runner or SuiteRunner(row_wise_only=True)
    if not runner.row_wise_only:  # its outcomes would not line up with the row-wise checks
        raise ValueError("validate_source needs a SuiteRunner(row_wise_only=True)")
    per_check: list[list] = [[] for c in checks if is_row_wise(c)]
    seen_batches: set[str] = set()
    n = 0
    for frame in iter_rows(con, source, batch_ids, rows):
        part = runner.validate(source, frame)
        n += part.row_count
        seen_batches.update(part.batch_ids)
        for bucket, outcome in zip(per_check, part.outcomes, strict=True):
            bucket.append(outcome)
        del frame, part
    row_wise = iter(combine_outcomes(b) for b in per_check)
    outcomes = [_whole_table_outcome(c, whole[i]) if i in whole else next(row_wise)
                for i, c in enumerate(checks)]
    return suite_result(source, outcomes, sorted(seen_batches), n)


def run_suites(con: duckdb.DuckDBPyConnection, batch_ids: Sequence[str] | None = None,
               sources: Iterable[str] | None = None,
               chunk_rows: int | None = None) -> list:
    """Validate each source's raw rows of ``batch_ids``; store and return the results.

    ``batch_ids=None`` validates every row. Sources without rows (or without a raw table)
    are skipped. ``sources`` limits the run to some sources (the Dagster check of one raw
    asset passes its own). Returns one ``SuiteResult`` per source validated. One source
    at a time, in chunks of at most ``chunk_rows`` rows (module docstring: why).
    """
    check_invariants()  # a mis-declared check fails here, before any row is read
    if batch_ids is not None and len(batch_ids) == 0:
        return []
    existing = _raw_tables(con)
    wanted = [s for s in (sources or SOURCES) if s in existing]
    covered = None if batch_ids is None else [
        b for b in batch_ids if sources is None or batch_source(b) in wanted]
    runner = None
    results = []
    for source in wanted:
        if runner is None and source_has_rows(con, source, batch_ids):
            from expectations.suites import SuiteRunner  # the GX import takes seconds

            runner = SuiteRunner(row_wise_only=True)
        if runner is None:
            continue
        result = validate_source(con, source, batch_ids, chunk_rows, runner)
        if result is not None:
            results.append(result)
    if results or covered:
        store_results(con, results, batch_ids=covered)
    return results


def batch_source(batch_id: str) -> str:
    return batch_id.split(":", 1)[0]  # ingest.checksums.batch_id: '<source>:<hash>'


def pending_batches(con: duckdb.DuckDBPyConnection,
                    sources: Iterable[str] | None = None) -> list[str]:
    """Loaded batches (raw.load_files) that have no validation results yet, in load order."""
    if "load_files" not in _raw_tables(con):
        return []
    _ensure_batches_table(con)
    wanted = list(sources) if sources is not None else None
    rows = con.execute(
        f"""select batch_id, source from raw.load_files
            where status = 'loaded' and batch_id not in (select batch_id from {BATCHES_TABLE})
            order by loaded_at, file_name""").fetchall()
    return [b for b, source in rows if wanted is None or source in wanted]


def _ensure_batches_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create raw.expectation_batches; on a warehouse validated before it existed, seed it
    from the batch ids stored with the results, so those batches are not validated again."""
    if "expectation_batches" in _raw_tables(con):
        return
    con.execute("create schema if not exists raw")
    con.execute(BATCHES_DDL)
    if "expectation_results" in _raw_tables(con):
        con.execute(f"""
            insert into {BATCHES_TABLE}
            select batch_id, split_part(batch_id, ':', 1), min(run_at)
            from (select unnest(from_json(batch_ids, '["VARCHAR"]')) as batch_id, run_at
                  from {RESULTS_TABLE})
            group by batch_id""")


def describe_failure(expectation: str, column: str | None, unexpected_count: int | None,
                     element_count: int | None, why: str, kind: str,
                     exception: str | None = None) -> str:
    """One line per failed expectation: the words the run report and the CLI print."""
    where = f"({column})" if column else ""
    if exception:
        return f"{expectation}{where} could not run: {exception}"
    counts = (f"{unexpected_count} of {element_count} rows"
              if unexpected_count is not None else "failed")
    return f"{expectation}{where}: {counts} — expected: {why} [{kind}]"


def failures_since(con: duckdb.DuckDBPyConnection, since: dt.datetime | None) -> list:
    """Every failed expectation stored after ``since`` (all when None), in the order they
    were stored, as ``offenders.StoredFailure`` (str() is the line the CLI prints)."""
    from expectations.offenders import StoredFailure

    if "expectation_results" not in _raw_tables(con):
        return []
    rows = con.execute(
        f"""select source, expectation, "column", unexpected_count, element_count,
                   batch_ids, details
            from {RESULTS_TABLE} where not success and (?::timestamp is null or run_at > ?)
            order by run_at, source, rowid""", [since, since]).fetchall()
    return [StoredFailure.from_row(*row) for row in rows]


def source_has_rows(con: duckdb.DuckDBPyConnection, source: str,
                    batch_ids: Sequence[str] | None) -> bool:
    params = list(batch_ids) if batch_ids is not None else []
    sql = _select_sql(source, None if batch_ids is None else len(params), ["_batch_id"])
    return con.execute(f"select exists ({sql})", params).fetchone()[0]


def store_results(con: duckdb.DuckDBPyConnection, results: list,
                  run_at: dt.datetime | None = None,
                  batch_ids: Sequence[str] | None = None) -> None:
    """Append one row per expectation outcome to raw.expectation_results and record
    ``batch_ids`` as validated (raw.expectation_batches), in one transaction: a crash
    leaves both or neither, so a batch is never marked validated without its results."""
    run_at = run_at or dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    con.execute("create schema if not exists raw")
    con.execute(RESULTS_DDL)
    _ensure_batches_table(con)
    rows = [
        (run_at, r.source, json.dumps(r.batch_ids), o.expectation, o.column, o.success,
         o.unexpected_count, o.element_count,
         json.dumps(o.details, ensure_ascii=False, default=str))
        for r in results for o in r.outcomes
    ]
    covered = sorted(set(batch_ids or []) | {b for r in results for b in r.batch_ids})
    con.begin()
    try:
        if rows:
            con.executemany(
                f"insert into {RESULTS_TABLE} (run_at, source, batch_ids, expectation, "
                "\"column\", success, unexpected_count, element_count, details) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        if covered:
            con.executemany(
                f"insert into {BATCHES_TABLE} select ?, ?, ? where ? not in "
                f"(select batch_id from {BATCHES_TABLE})",
                [(b, batch_source(b), run_at, b) for b in covered])
        con.commit()
    except BaseException:
        con.rollback()
        raise
