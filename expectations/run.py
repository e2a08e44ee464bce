"""Run the suites on the raw rows of some load batches and store the outcomes.

``run_suites(con, batch_ids)`` is what ``searchlight run`` and the Dagster asset checks
both call. It validates each source that has rows and appends one row per expectation it
computed to ``raw.expectation_results``.

What a run computes (issue 15: the suites took 186 s at 10M cases, 13 s at 10k):
- only ``invariants.run_checks``: the contract checks the loader already enforces on
  every loaded row are left out (``invariants.loader_enforces``; a test per check);
- whole-table expectations (uniqueness within an export) in DuckDB SQL, as before;
- row-wise expectations first counted in one SQL pass over the columns they need; when
  no row breaks any of them their outcomes come from that pass (the same GX gives a
  clean frame, tested for every source) and Great Expectations is not imported at all;
  when one fails, GX validates that source's row-wise checks on chunks and reports the
  failures with its own details.

Which batches have been validated is recorded in ``raw.expectation_batches`` in the same
transaction as their results, and the callers validate ``pending_batches(con)``: every
loaded batch without results, whichever run loaded it. A run killed after loading some
files and before (or during) their validation leaves them pending, and the next run
validates them; validating only "the files this run loaded" would skip them forever.

Why chunks: a DataFrame of every raw row of a district (10M cases, 40M events) does not
fit the 6 GiB of issue 7. When GX runs, rows are read in chunks of at most
``SEARCHLIGHT_EXPECTATION_CHUNK_ROWS`` rows (default 250,000) and each chunk is released
before the next, so memory is bounded by the chunk size, not by the data volume. Row-wise
expectations add up over chunks; the whole-table ones (``invariants.WHOLE_TABLE``) are
computed exactly over the whole selection in DuckDB SQL, with the same counts GX gives on
one frame.
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
    is_row_wise,
    run_checks,
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
              batch_ids: Sequence[str] | None = None, rows: int | None = None,
              columns: Sequence[str] | None = None):
    """The rows of ``read_rows`` as DataFrames of at most ``rows`` rows (``chunk_rows()``),
    streamed from DuckDB: only one chunk (at least one 2,048-row vector) is in memory.
    ``columns``: only these (default: every column the suite needs).
    Do not run other queries on ``con`` until the generator is exhausted."""
    rows = chunk_rows(rows)
    params = list(batch_ids) if batch_ids is not None else []
    con.execute(_select_sql(source, None if batch_ids is None else len(params), columns),
                params)
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
        # Whole batches together up to UNIQUE_PART_ROWS rows per query: a query per batch
        # cost ~20 ms each for 200 daily files of a small district (seconds in all).
        sizes = con.execute(f'select "_batch_id", count(*) from ({rows_sql}) group by 1 '
                            'order by 1', params).fetchall()
        parts = []
        for group in _batch_groups(sizes):
            marks = ", ".join("?" for _ in group)
            parts.append((f'select * from ({rows_sql}) where "_batch_id" in ({marks})'
                          if None not in group else
                          f'select * from ({rows_sql}) where "_batch_id" is null',
                          [*params, *[b for b in group if b is not None]]))
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


UNIQUE_PART_ROWS = 2_000_000


def _batch_groups(sizes: list[tuple[str | None, int]]) -> list[list[str | None]]:
    """Batch ids in order, grouped so a group holds at most UNIQUE_PART_ROWS rows (a batch
    larger than that alone); a NULL batch id (a hand-made row) in a group of its own."""
    groups: list[list[str | None]] = []
    rows = 0
    for batch, n in sizes:
        if batch is None:
            groups.append([None])
            rows = UNIQUE_PART_ROWS
            continue
        if not groups or rows + n > UNIQUE_PART_ROWS or groups[-1] == [None]:
            groups.append([])
            rows = 0
        groups[-1].append(batch)
        rows += n
    return groups


def _whole_table_outcome(check: Check, counts: dict):
    from expectations.outcomes import SAMPLE, ExpectationOutcome, json_safe

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


def _lit(value) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(float(value)) if isinstance(value, float) else str(int(value))


def _count_where(condition: str) -> str:
    """Rows where ``condition`` is true, 0 when none. Not ``count_if``: DuckDB 2.0's
    count_if is NULL when every input is NULL (a small batch whose column is all empty),
    which read as "not counted" and sent a clean source to GX (3-5 s of import)."""
    return f"count(*) filter (where {condition})"


def _tally_sql(check: Check) -> tuple[str, str | None, str]:
    """SQL aggregates over the selection for one row-wise check, counted as GX counts them
    on a frame: (elements, missing or None when GX reports none, unexpected)."""
    k = check.kwargs
    domain = f'"{check.when[0]}" = {_lit(check.when[1])}' if check.when else "true"
    if check.expectation == "ExpectColumnValuesToNotBeNull":
        return (_count_where(domain), None, _count_where(f'{domain} and "{k["column"]}" is null'))
    if check.expectation == "ExpectColumnPairValuesAToBeGreaterThanB":
        a, b = f'"{k["column_A"]}"', f'"{k["column_B"]}"'
        op = ">=" if k.get("or_equal") else ">"
        return (_count_where(domain), _count_where(f"{domain} and ({a} is null or {b} is null)"),
                _count_where(f"{domain} and not ({a} {op} {b})"))  # NULL when either is missing
    column = f'"{k["column"]}"'
    if check.expectation == "ExpectColumnValuesToBeBetween":
        bad = " or ".join([*([f"{column} < {_lit(k['min_value'])}"]
                             if k.get("min_value") is not None else []),
                           *([f"{column} > {_lit(k['max_value'])}"]
                             if k.get("max_value") is not None else [])]) or "false"
    elif check.expectation == "ExpectColumnValuesToBeInSet":
        bad = f"not list_contains([{', '.join(_lit(v) for v in k['value_set'])}], {column})"
    else:
        raise ValueError(f"no SQL tally for {check.expectation}")
    return (_count_where(domain), _count_where(f"{domain} and {column} is null"),
            _count_where(f"{domain} and ({bad})"))


def _gx_kwargs(check: Check) -> dict:
    """The kwargs GX reports back for a check (its config normalises them: bounds become
    floats, unset ones are left out, a row condition is spelled out)."""
    kwargs = {k: v for k, v in check.kwargs.items()}
    if check.expectation == "ExpectColumnValuesToBeBetween":
        kwargs = {k: (float(v) if k in ("min_value", "max_value") else v)
                  for k, v in kwargs.items() if v is not None}
    if check.when:
        kwargs["row_condition"] = {"column": {"name": check.when[0]}, "operator": "==",
                                   "parameter": check.when[1], "type": "comparison"}
    return kwargs


def _clean_outcome(check: Check, elements: int, missing: int | None):
    """The outcome GX gives a row-wise check that no row breaks (tests prove it equal)."""
    from expectations.outcomes import ExpectationOutcome, json_safe

    details: dict = {"kind": check.kind, "why": check.why,
                     "kwargs": {k: json_safe(v) for k, v in _gx_kwargs(check).items()}}
    if missing is not None:
        details["missing_count"] = missing
    if elements - (missing or 0) > 0:
        details["unexpected_percent"] = 0.0
    return ExpectationOutcome(expectation=_snake(check.expectation), column=check.column_label,
                              kind=check.kind, why=check.why, success=True,
                              unexpected_count=0, element_count=elements, details=details)


def _tally(con: duckdb.DuckDBPyConnection, source: str, checks: list[Check],
           batch_ids: Sequence[str] | None) -> tuple[int, list[str], list[tuple]]:
    """One pass over the selection: its rows, its batches and each check's counts."""
    params = list(batch_ids) if batch_ids is not None else []
    columns = check_columns(source, checks)
    rows_sql = _select_sql(source, None if batch_ids is None else len(params), columns)
    parts = [_tally_sql(c) for c in checks]
    aggregates = [x for p in parts for x in p if x is not None]
    row = con.execute(f'select count(*), list(distinct "_batch_id") filter '
                      f'(where "_batch_id" is not null)'
                      f'{"".join(", " + a for a in aggregates)} from ({rows_sql})',
                      params).fetchone()
    values = iter(row[2:])
    counts = [(next(values), None if missing is None else next(values), next(values))
              for _, missing, _ in parts]
    return row[0], sorted(row[1] or []), counts


def validate_source(con: duckdb.DuckDBPyConnection, source: str,
                    batch_ids: Sequence[str] | None = None, rows: int | None = None,
                    runner=None, sql_first: bool = True):
    """One source's SuiteResult, or None when it has no rows: the checks a run computes
    (``invariants.run_checks``), in suite order. Whole-table expectations in SQL. Row-wise
    ones are first counted in one SQL pass; when no row breaks any of them, that pass
    gives their outcomes (the same GX gives a clean frame: tests/test_expectations.py),
    and Great Expectations is not even imported. Otherwise (or ``sql_first=False``) GX
    validates them on chunks of at most ``rows`` rows, reading only their columns, and
    reports the failures with its own details."""
    checks = run_checks(source)
    row_wise_checks = [c for c in checks if is_row_wise(c)]
    n, seen, counts = _tally(con, source, row_wise_checks, batch_ids)
    if not n:
        return None
    whole = {i: _compound_unique(con, source, c, batch_ids)
             for i, c in enumerate(checks) if not is_row_wise(c)}
    if sql_first and all(unexpected == 0 for _, _, unexpected in counts):
        row_wise = iter([_clean_outcome(c, elements, missing) for c, (elements, missing, _)
                         in zip(row_wise_checks, counts, strict=True)])
    else:
        row_wise = iter(_gx_outcomes(con, source, row_wise_checks, batch_ids, rows, runner))
    outcomes = [_whole_table_outcome(c, whole[i]) if i in whole else next(row_wise)
                for i, c in enumerate(checks)]
    from expectations.outcomes import suite_result

    return suite_result(source, outcomes, seen, n)


def _gx_outcomes(con: duckdb.DuckDBPyConnection, source: str, checks: list[Check],
                 batch_ids: Sequence[str] | None, rows: int | None, runner) -> list:
    """The row-wise checks' outcomes from GX, chunk by chunk, counts added up."""
    from expectations.outcomes import combine_outcomes
    from expectations.suites import SuiteRunner

    runner = runner or SuiteRunner(row_wise_only=True, loaded=True)
    if not (runner.row_wise_only and runner.loaded):  # outcomes would not line up
        raise ValueError("validate_source needs a SuiteRunner(row_wise_only=True, loaded=True)")
    per_check: list[list] = [[] for _ in checks]
    for frame in iter_rows(con, source, batch_ids, rows, check_columns(source, checks)):
        part = runner.validate(source, frame)
        for bucket, outcome in zip(per_check, _in_suite_order(checks, part.outcomes),
                                   strict=True):
            bucket.append(outcome)
        del frame, part
    return [combine_outcomes(b) for b in per_check]


def _in_suite_order(checks: list[Check], outcomes: list) -> list:
    """GX's outcomes in the order of ``checks`` (GX returns them in an order of its own,
    e.g. conditional expectations first), matched by type and the kwargs GX reports."""
    from expectations.outcomes import json_safe

    left = list(outcomes)
    ordered = []
    for check in checks:
        kwargs = {k: json_safe(v) for k, v in _gx_kwargs(check).items()}
        match = next(o for o in left if o.expectation == _snake(check.expectation)
                     and o.details.get("kwargs") == kwargs)
        left.remove(match)
        ordered.append(match)
    return ordered


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
    results = []
    runner = _LazyRunner()  # GX is imported only if some source has a failing row
    for source in wanted:
        if not source_has_rows(con, source, batch_ids):
            continue
        result = validate_source(con, source, batch_ids, chunk_rows, runner)
        if result is not None:
            results.append(result)
    if results or covered:
        store_results(con, results, batch_ids=covered)
    return results


class _LazyRunner:
    """A SuiteRunner(row_wise_only=True, loaded=True) made on first use: one GX context
    for all sources of a run, and none at all when every row passes (the import alone
    takes seconds)."""

    row_wise_only = loaded = True

    def __init__(self) -> None:
        self._runner = None

    def validate(self, source: str, frame):
        if self._runner is None:
            from expectations.suites import SuiteRunner

            self._runner = SuiteRunner(row_wise_only=True, loaded=True)
        return self._runner.validate(source, frame)


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
