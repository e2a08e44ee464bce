"""Load landed files into raw.<source>, quarantining invalid rows; one transaction per file.

Per file: content hash -> already loaded? (``duplicate``) -> read (``refused`` when the
file cannot be used at all) -> validate in SQL -> insert valid rows into raw.<source>,
invalid rows into raw.quarantine and the raw.load_files record, then commit. Any error
rolls the whole file back: nothing of it remains and it is not recorded as loaded.

Runs of small CSV files with the same header are validated by one query and then stored
file by file, each in its own transaction as above (see ``_load_group``). A larger plain
UTF-8 CSV file is read by DuckDB's parallel CSV reader when its record numbers can be
known exactly, by the exact readers otherwise (see ``load_with_duckdb_reader``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from ingest.checksums import batch_id as make_batch_id
from ingest.checksums import sha256_file
from ingest.readers import (
    FileRead,
    NativeCsv,
    RefusedFile,
    column_names,
    match_headers,
    open_file,
    with_progress,
)
from ingest.sources import SOURCES, Source, raw_table_ddl
from ingest.validate import RowSource, checked_select, ident, lit
from searchlight.faults import kill_point
from searchlight.warehouse import connect as open_warehouse

# What became of a file in this run. load_files records the first three; ALREADY_LOADED is
# a file loaded under the same name by an earlier run (nothing to do, nothing recorded).
LOADED, DUPLICATE, REFUSED, ALREADY_LOADED = "loaded", "duplicate", "refused", "already loaded"
STAGE = "_sl_checked"
JSONL_STAGE = "_sl_jsonl"
ARROW_VIEW = "_sl_arrow"

QUARANTINE_DDL = """CREATE TABLE IF NOT EXISTS raw.quarantine (
  batch_id VARCHAR, source VARCHAR, file_name VARCHAR, line BIGINT,
  row_text VARCHAR, reason VARCHAR, loaded_at TIMESTAMP
)"""
LOAD_FILES_DDL = """CREATE TABLE IF NOT EXISTS raw.load_files (
  batch_id VARCHAR, source VARCHAR, file_name VARCHAR, file_hash VARCHAR, status VARCHAR,
  rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, extra_columns VARCHAR,
  message VARCHAR, loaded_at TIMESTAMP
)"""


@dataclass
class FileResult:
    source: str
    file_name: str  # relative to the landing folder: '<source>/<file>'
    status: str  # loaded | duplicate | refused | already loaded
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    extra_columns: list[str] = field(default_factory=list)
    message: str | None = None
    batch_id: str | None = None
    file_hash: str | None = None
    # decided by an earlier run (loaded, or recorded as a duplicate): not news in this one
    seen_before: bool = False
    # refused because loading failed unexpectedly (not for what the file holds): retried
    failed: bool = False


@dataclass
class LoadReport:
    files: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def ok(self) -> bool:
        """True when no file was refused."""
        return not self.refused

    @property
    def refused(self) -> list[FileResult]:
        return [f for f in self.files if f.status == REFUSED]

    @property
    def new(self) -> list[FileResult]:
        """The files this run decided on (not those an earlier run loaded or recorded)."""
        return [f for f in self.files if not f.seen_before]

    def summary(self) -> str:
        failed = sum(1 for f in self.files if f.failed)
        return (f"{self.count(LOADED)} loaded, {self.count(DUPLICATE)} duplicate, "
                f"{self.count(REFUSED)} refused"
                + (f" ({failed} of them because loading failed)" if failed else "")
                + f", {self.count(ALREADY_LOADED)} already loaded by earlier runs; "
                f"{self.rows_loaded} rows loaded, {self.rows_quarantined} quarantined")


# --- schema ------------------------------------------------------------------------------

def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for source in SOURCES.values():
        con.execute(raw_table_ddl(source))
    con.execute(QUARANTINE_DDL)
    con.execute(LOAD_FILES_DDL)


def connect(warehouse_path: Path | str) -> duckdb.DuckDBPyConnection:
    """The loader's connection, with the same resource settings as dbt's profile.

    SEARCHLIGHT_THREADS (default 2), SEARCHLIGHT_MEMORY_LIMIT (default 4GB) and
    SEARCHLIGHT_TEMP_DIRECTORY (default: beside the warehouse) bound what a load may use,
    so a run fits the small machine it was sized for (bench/RESULTS.md).
    """
    path = str(warehouse_path)
    config = {"threads": int(os.environ.get("SEARCHLIGHT_THREADS") or 2),
              "memory_limit": os.environ.get("SEARCHLIGHT_MEMORY_LIMIT") or "4GB",
              "temp_directory": os.environ.get("SEARCHLIGHT_TEMP_DIRECTORY") or path + ".tmp"}
    return open_warehouse(path, config=config)  # waits a bounded time for a reader's lock


def _now() -> dt.datetime:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)


# --- one file ----------------------------------------------------------------------------

RowsCallback = Callable[[int], None]


def load_file(con: duckdb.DuckDBPyConnection, source: Source, path: Path, file_name: str,
              on_rows: RowsCallback | None = None) -> FileResult:
    """Load one landed file of a known source (see the module docstring).

    Every file ends as loaded, duplicate or refused, with a reason, and is recorded in
    raw.load_files; a file an earlier run already loaded under this name is reported as
    ``already loaded`` and not recorded again. Loading that fails for a reason other
    than the file's content (a bug, a full disk) refuses the file with the error as its
    reason: nothing of it is kept, and the next run tries it again.
    """
    file_hash = sha256_file(path)
    batch = make_batch_id(source.name, file_hash)
    result = FileResult(source.name, file_name, LOADED, batch_id=batch, file_hash=file_hash)
    earlier = con.execute(
        "SELECT file_name, batch_id FROM raw.load_files WHERE file_hash = ? AND status = ? "
        "ORDER BY file_name = ? DESC, loaded_at LIMIT 1",
        [file_hash, LOADED, file_name]).fetchone()
    if earlier and earlier[0] == file_name:
        result.status, result.seen_before = ALREADY_LOADED, True
        result.message = f"{file_name}: loaded by an earlier run (batch {earlier[1]})"
        return result
    if earlier:
        result.status = DUPLICATE
        result.message = (f"{file_name}: same content as {earlier[0]}, already loaded "
                          f"in batch {earlier[1]}; not loaded again")
        result.seen_before = not _record_once(con, result)
        return result
    try:
        read = open_file(path, file_name, source, native=True)
        if read.native is not None:
            if load_with_duckdb_reader(con, source, read, result, on_rows):
                return result
            read = open_file(path, file_name, source)  # the exact readers decide
        try:
            _load_in_transaction(con, source, read, result, on_rows)
        except RefusedFile:
            raise
        except Exception:  # the fast reader failed (a huge field?): the exact one decides
            if read.fmt != "csv":
                raise
            read.needs_slow_path = True
        if read.needs_slow_path:  # rows of the wrong width: redo with exact line numbers
            read = open_file(path, file_name, source, slow=True)
            _load_in_transaction(con, source, read, result, on_rows)
    except RefusedFile as exc:
        _refuse(con, result, str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure: report it, keep loading others
        _refuse(con, result, _failure_message(file_name, exc), failed=True)
    return result


def _failure_message(file_name: str, exc: BaseException) -> str:
    cause = " ".join(str(exc).split()) or type(exc).__name__
    return (f"{file_name}: loading failed ({type(exc).__name__}: {cause[:300]}); nothing of "
            "it was kept and the next run tries it again")


def _refuse(con: duckdb.DuckDBPyConnection, result: FileResult, message: str,
            failed: bool = False) -> None:
    result.status, result.message, result.failed = REFUSED, message, failed
    result.rows_read = result.rows_loaded = result.rows_quarantined = 0
    try:
        _record_once(con, result)
    except Exception as exc:  # noqa: BLE001 - e.g. a broken connection: the report says so
        result.message += f" (and it could not be recorded in raw.load_files: {exc})"


def _load_in_transaction(con: duckdb.DuckDBPyConnection, source: Source, read: FileRead,
                         result: FileResult, on_rows: RowsCallback | None) -> None:
    stream = with_progress(read.stream, on_rows) if on_rows else read.stream
    loaded_at = _now()
    con.begin()
    try:
        con.register(ARROW_VIEW, stream)
        rows = _row_source(con, source, read)
        result.extra_columns = rows_extra_names(rows)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} AS {checked_select(source, rows)}")
        if read.needs_slow_path:
            con.rollback()
            return
        _store_stage_rows(con, source, read, result, loaded_at, _stage_in_file_order(con))
        con.execute(f"DROP TABLE IF EXISTS {STAGE}")
        if read.fmt == "jsonl":
            con.execute(f"DROP TABLE IF EXISTS {JSONL_STAGE}")
        kill_point("load:before-commit")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister(ARROW_VIEW)


# --- DuckDB's own CSV reader ------------------------------------------------------------

# A plain UTF-8 CSV file (every record one line: ``readers.NativeCsv``) is read by
# DuckDB's parallel CSV reader straight into the validation query: no Arrow batches built
# in Python, and the query runs on both cores (from an Arrow stream it ran on one). Its
# rows come in file order (preserve_insertion_order), so a row's record number is its
# position in the stage plus 2 (the header is record 1): its rowid less the first one
# (a table written in an open transaction numbers its rows from a large offset). If DuckDB reads another number
# of rows than the file has data lines, or cannot read the file at all (a row of the
# wrong width, a field over its line limit), nothing is kept and the exact readers load
# the file as before: results never differ from theirs.


def _native_relation(native: NativeCsv) -> str:
    names = column_names(native.width)
    columns = "{" + ", ".join(f"{lit(n)}: 'VARCHAR'" for n in names) + "}"
    # '' for an empty field, quoted or not, as the Arrow reader gives it
    values = ", ".join(f"coalesce({n}, '') AS {n}" for n in names)
    return (f"(SELECT {values}, CAST(NULL AS BIGINT) AS _line FROM read_csv("
            f"{lit(str(native.path))}, columns = {columns}, header = true, "
            "auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
            "strict_mode = true, null_padding = false, encoding = 'utf-8', "
            "max_line_size = 100000000))")


def load_with_duckdb_reader(con: duckdb.DuckDBPyConnection, source: Source,
                            read: FileRead, result: FileResult,
                            on_rows: RowsCallback | None) -> bool:
    """Load ``read`` with DuckDB's reader in the file's transaction; False (and nothing
    kept) when the exact readers must load it instead (see above)."""
    assert read.native is not None and read.header is not None
    loaded_at = _now()
    con.begin()
    try:
        rows = _row_source(con, source, read, relation=_native_relation(read.native))
        result.extra_columns = rows_extra_names(rows)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} AS "
                        f"{checked_select(source, rows)}")
        except duckdb.Error:
            con.rollback()
            return False
        [(count, first, last)] = con.execute(
            f"SELECT count(*), min(rowid), max(rowid) FROM {STAGE}").fetchall()
        if count != read.native.records or (count and last - first + 1 != count):
            con.rollback()
            return False
        _store_stage_rows(con, source, read, result, loaded_at, True,
                          line=f"(rowid - {first or 0} + 2)")
        con.execute(f"DROP TABLE IF EXISTS {STAGE}")
        kill_point("load:before-commit")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    if on_rows:
        on_rows(result.rows_read)
    return True


def _store_stage_rows(con: duckdb.DuckDBPyConnection, source: Source, read: FileRead,
                      result: FileResult, loaded_at: dt.datetime, in_order: bool,
                      where: str = "", line: str = "_line") -> None:
    """Valid rows to raw, invalid ones to quarantine, then the load_files row (in the
    file's transaction). ``where``: which of the stage's rows are this file's; ``line``:
    the SQL of a row's record number."""
    good = insert_raw(con, source, result.batch_id, read.file_name, loaded_at, in_order,
                       where, line)
    bad = _insert_quarantine(con, source, read, result.batch_id, loaded_at, in_order, where,
                             line)
    result.rows_loaded = good
    result.rows_quarantined = bad + len(read.bad_rows)
    result.rows_read = result.rows_loaded + result.rows_quarantined
    if result.rows_quarantined:
        result.message = f"{result.rows_quarantined} row(s) quarantined"
    # A file refused earlier (say for an encoding declared since) ends as loaded only.
    con.execute("DELETE FROM raw.load_files WHERE file_name = ? AND file_hash = ? "
                "AND status = ?", [result.file_name, result.file_hash, REFUSED])
    record_file(con, result, loaded_at)


# --- many small files at once --------------------------------------------------------------

# Daily deliveries are small, and validating one costs ~20-40 ms of query planning
# whatever its size. Runs of small CSV files with the same header are therefore
# validated by one query (each row tagged with its file), and then each file is stored
# in its own transaction exactly as load_file does. Anything unusual in a run (a
# duplicate, a refusal, another header, a row of the wrong width, a failing query) and
# the run is loaded file by file instead, so results never differ from load_file's.
GROUP_FILE_BYTES = 4 * 1024 * 1024
GROUP_BYTES = 64 * 1024 * 1024
GROUP_FILES = 64
FILE_COLUMN = "_file"


def _small_csv_run(paths: list[Path], start: int) -> list[Path]:
    """The longest run of small CSV files from paths[start] within the group limits."""
    run: list[Path] = []
    total = 0
    for path in paths[start:start + GROUP_FILES]:
        size = path.stat().st_size
        if path.suffix.lower() != ".csv" or size > GROUP_FILE_BYTES or total + size > GROUP_BYTES:
            break
        run.append(path)
        total += size
    return run


def _load_group(con: duckdb.DuckDBPyConnection, source: Source, paths: list[Path],
                names: list[str], on_file: Callable[[str], RowsCallback | None] | None
                ) -> list[FileResult]:
    def one_by_one() -> list[FileResult]:
        con.execute(f"DROP TABLE IF EXISTS {STAGE}")
        return [load_file(con, source, p, n, on_file(n) if on_file else None)
                for p, n in zip(paths, names, strict=True)]

    hashes = [sha256_file(p) for p in paths]
    if len(set(hashes)) < len(hashes):
        return one_by_one()
    marks = ", ".join("?" for _ in hashes)
    [(seen,)] = con.execute(f"SELECT count(*) FROM raw.load_files WHERE status = ? AND "
                            f"file_hash IN ({marks})", [LOADED, *hashes]).fetchall()
    if seen:
        return one_by_one()
    try:
        reads = [open_file(p, n, source) for p, n in zip(paths, names, strict=True)]
    except RefusedFile:
        return one_by_one()
    first = reads[0]
    if first.fmt != "csv" or any(r.fmt != "csv" or r.header != first.header for r in reads):
        return one_by_one()

    schema = first.stream.schema.append(pa.field(FILE_COLUMN, pa.int32()))

    def batches() -> Iterator[pa.RecordBatch]:
        for k, read in enumerate(reads):
            on_rows = on_file(read.file_name) if on_file else None
            for batch in read.stream:
                tag = pa.repeat(pa.scalar(k, pa.int32()), batch.num_rows)
                yield pa.RecordBatch.from_arrays([*batch.columns, tag], schema=schema)
                if on_rows:
                    on_rows(batch.num_rows)

    con.register(ARROW_VIEW, pa.RecordBatchReader.from_batches(schema, batches()))
    try:
        rows = _row_source(con, source, first)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} AS "
                    f"{checked_select(source, rows, keep=(FILE_COLUMN,))}")
    except Exception:  # noqa: BLE001 - e.g. a file that pyarrow cannot parse: one by one
        return one_by_one()
    finally:
        con.unregister(ARROW_VIEW)
    if any(r.needs_slow_path for r in reads):
        return one_by_one()
    in_order = dict(con.execute(
        f"SELECT {FILE_COLUMN}, min(_line - rowid) = max(_line - rowid) FROM {STAGE} "
        f"GROUP BY {FILE_COLUMN}").fetchall())

    results = []
    for k, (read, file_hash) in enumerate(zip(reads, hashes, strict=True)):
        result = FileResult(source.name, read.file_name, LOADED, file_hash=file_hash,
                            batch_id=make_batch_id(source.name, file_hash),
                            extra_columns=rows_extra_names(rows))
        loaded_at = _now()
        try:
            con.begin()
            try:
                _store_stage_rows(con, source, read, result, loaded_at, in_order.get(k, True),
                                  where=f"{FILE_COLUMN} = {k}")
                kill_point("load:before-commit")
                con.commit()
            except BaseException:
                con.rollback()
                raise
        except Exception as exc:  # noqa: BLE001 - as load_file: report it, load the others
            _refuse(con, result, _failure_message(read.file_name, exc), failed=True)
        results.append(result)
    con.execute(f"DROP TABLE IF EXISTS {STAGE}")
    return results


def rows_extra_names(rows: RowSource) -> list[str]:
    return [name for name, _ in rows.extra]


def _row_source(con: duckdb.DuckDBPyConnection, source: Source, read: FileRead,
                relation: str = ARROW_VIEW) -> RowSource:
    """How the validation query finds each canonical column in this file's rows
    (``relation``: where a CSV file's rows are, columns c0, c1, ... and _line)."""
    if read.fmt == "jsonl":
        return _jsonl_row_source(con, source, read.file_name)
    assert read.header is not None
    header = read.header
    raw = {name: f"c{i}" for name, i in header.columns.items()}
    extra = [(header.headers[i], f"c{i}") for i in header.extras]
    pairs = ", ".join(f"{lit(h)}, c{i}" for i, h in enumerate(header.headers))
    return RowSource(relation, raw, extra, f"CAST(json_object({pairs}) AS VARCHAR)")


def _jsonl_row_source(con: duckdb.DuckDBPyConnection, source: Source,
                      file_name: str) -> RowSource:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {JSONL_STAGE} AS SELECT line, _line, "
        "CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END AS _ok "
        f"FROM {ARROW_VIEW} WHERE trim(line) <> ''")
    keys = [k for (k,) in con.execute(
        f"SELECT k FROM (SELECT unnest(json_keys(line)) AS k, _line FROM {JSONL_STAGE} "
        "WHERE _ok) GROUP BY k ORDER BY min(_line), k").fetchall()]
    header = match_headers(source, keys, file_name)

    def value(key: str) -> str:
        path = lit('$."' + key.replace('"', '\\"') + '"')
        return f"CASE WHEN _ok THEN json_extract_string(line, {path}) END"

    raw = {name: value(keys[i]) for name, i in header.columns.items()}
    extra = [(keys[i], value(keys[i])) for i in header.extras]
    return RowSource(
        JSONL_STAGE, raw, extra, "line",
        row_error="CASE WHEN NOT _ok THEN 'line ' || _line || ' is not a JSON object' END")


def _stage_in_file_order(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the stage's rows are stored in record order, so inserts need no sort.

    True when each row's record number is its storage position (rowid) plus the same
    constant, as a CSV read on the fast path gives them (records 2, 3, 4, ...); then a
    plain INSERT ... SELECT keeps that order (preserve_insertion_order) and the sort by
    _line is skipped. Otherwise (gaps, or rows stored out of order) inserts sort.
    """
    low, high = con.execute(f"SELECT min(_line - rowid), max(_line - rowid) FROM {STAGE}"
                            ).fetchone()
    return low == high


def insert_raw(con: duckdb.DuckDBPyConnection, source: Source, batch: str, file_name: str,
                loaded_at: dt.datetime, in_order: bool = False, where: str = "",
                line: str = "_line") -> int:
    """Insert the valid rows of the stage in record order; returns how many."""
    cols = ", ".join(ident(c) for c in source.column_names)
    return con.execute(
        f"INSERT INTO raw.{source.name} ({cols}, _batch_id, _file_name, _line, _loaded_at, "
        f"_extra) SELECT {cols}, ?, ?, {line}, ?, _extra FROM {STAGE} WHERE _reason IS NULL"
        + (f" AND {where}" if where else "") + ("" if in_order else " ORDER BY _line"),
        [batch, file_name, loaded_at]).fetchone()[0]


def _insert_quarantine(con: duckdb.DuckDBPyConnection, source: Source, read: FileRead,
                       batch: str, loaded_at: dt.datetime, in_order: bool = False,
                       where: str = "", line: str = "_line") -> int:
    """Insert the invalid rows of the stage; returns how many (not counting read.bad_rows)."""
    bad = con.execute(
        f"INSERT INTO raw.quarantine SELECT ?, ?, ?, {line}, _row_text, _reason, ? "
        f"FROM {STAGE} WHERE _reason IS NOT NULL" + (f" AND {where}" if where else "")
        + ("" if in_order else " ORDER BY _line"),
        [batch, source.name, read.file_name, loaded_at]).fetchone()[0]
    if read.bad_rows:
        con.executemany(
            "INSERT INTO raw.quarantine VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[batch, source.name, read.file_name, b.line, b.row_text,
              f"line {b.line}: {b.reason}", loaded_at] for b in read.bad_rows])
    return bad


def record_file(con: duckdb.DuckDBPyConnection, result: FileResult,
                loaded_at: dt.datetime) -> None:
    """The raw.load_files row of a file; the last step before commit."""
    con.execute(
        "INSERT INTO raw.load_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [result.batch_id, result.source, result.file_name, result.file_hash, result.status,
         result.rows_read, result.rows_loaded, result.rows_quarantined,
         json.dumps(result.extra_columns, ensure_ascii=False) if result.extra_columns
         else None, result.message, loaded_at])


def _record_once(con: duckdb.DuckDBPyConnection, result: FileResult) -> bool:
    """Record a duplicate or refused file once per (file name, content): reruns add
    nothing. A refusal's reason is brought up to date (it can change between runs: a
    file that failed unexpectedly may be refused for its content next time). Returns
    whether this is the first record of it."""
    seen = con.execute(
        "SELECT status, message FROM raw.load_files WHERE file_name = ? AND file_hash = ? "
        "LIMIT 1", [result.file_name, result.file_hash]).fetchone()
    if not seen:
        record_file(con, result, _now())
    elif seen != (result.status, result.message) and result.status == REFUSED:
        con.execute("UPDATE raw.load_files SET status = ?, message = ? WHERE file_name = ? "
                    "AND file_hash = ?", [result.status, result.message, result.file_name,
                                          result.file_hash])
    return not seen


# --- a folder ----------------------------------------------------------------------------

ACCEPTED = {".csv", ".jsonl", ".xlsx"}


def _landed_files(folder: Path) -> list[Path]:
    """Files of a source folder in file-name order (hidden files are not deliveries)."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
                  key=lambda p: p.name)


def load_source(con: duckdb.DuckDBPyConnection, source_name: str, landing_dir: Path | str,
                on_file: Callable[[str], RowsCallback | None] | None = None
                ) -> list[FileResult]:
    """Load every new file of one source, in file-name order."""
    source = SOURCES[source_name]
    ensure_raw_schema(con)
    landing = Path(landing_dir)
    paths = _landed_files(landing / source_name)
    results: list[FileResult] = []
    i = 0
    while i < len(paths):
        run = _small_csv_run(paths, i)
        if len(run) > 1:
            names = [p.relative_to(landing).as_posix() for p in run]
            results += _load_group(con, source, run, names, on_file)
            i += len(run)
            continue
        file_name = paths[i].relative_to(landing).as_posix()
        results.append(load_file(con, source, paths[i], file_name,
                                 on_file(file_name) if on_file else None))
        i += 1
    return results


def refuse_unknown(con: duckdb.DuckDBPyConnection, landing: Path) -> list[FileResult]:
    """Folders that are not a source, and files outside any folder: refused, by name."""
    results = []
    for entry in sorted(landing.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name in SOURCES:
            continue
        paths = _landed_files(entry) if entry.is_dir() else [entry]
        if entry.is_dir() and not paths:
            results.append(FileResult(entry.name, entry.name + "/", REFUSED, message=(
                f"{entry.name}/: not a source we know (sources: see contract/sources.md)")))
        for path in paths:
            file_name = path.relative_to(landing).as_posix()
            where = (f"folder '{entry.name}' is not a source we know" if entry.is_dir()
                     else "files must be in a folder named after their source")
            file_hash = sha256_file(path)
            result = FileResult(entry.name if entry.is_dir() else "", file_name, REFUSED,
                                message=f"{file_name}: {where}; not loaded",
                                batch_id=make_batch_id(entry.name, file_hash),
                                file_hash=file_hash)
            _record_once(con, result)
            results.append(result)
    return results


def load_landing(warehouse_path: Path | str, landing_dir: Path | str,
                 progress: bool = True) -> LoadReport:
    """Load every new file under landing/<source>/ (the calendar is a dbt seed, not raw)."""
    landing = Path(landing_dir)
    if not landing.is_dir():
        raise FileNotFoundError(f"landing folder {landing} does not exist")
    report = LoadReport()
    with connect(warehouse_path) as con, _Progress(progress) as bar:
        ensure_raw_schema(con)
        for name in SOURCES:
            report.files += load_source(con, name, landing, on_file=bar.file)
            bar.done(report.files)
        report.files += refuse_unknown(con, landing)
    return report


class _Progress:
    """Per-file row counts with rich; silent when disabled."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.task = None
        self.reported = 0

    def __enter__(self) -> Self:
        if self.enabled:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                TextColumn("{task.completed:,.0f} rows"), TimeElapsedColumn(),
                                transient=False)
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def file(self, file_name: str) -> RowsCallback | None:
        if self.bar is None:
            return None
        self._finish_task()
        self.task = self.bar.add_task(file_name, total=None)
        task = self.task
        return lambda n: self.bar.advance(task, n)

    def _finish_task(self) -> None:
        if self.bar is not None and self.task is not None:
            completed = self.bar.tasks[-1].completed if self.bar.tasks else 0
            self.bar.update(self.task, total=max(completed, 1), completed=max(completed, 1))
            self.task = None

    def done(self, files: list[FileResult]) -> None:
        if self.bar is None:
            return
        self._finish_task()
        for result in files[self.reported:]:
            if result.seen_before:  # decided by an earlier run: the summary counts them
                continue
            self.bar.console.print(f"  {result.file_name}: {result.status}"
                                   + (f" — {result.message}" if result.message else ""))
        self.reported = len(files)
