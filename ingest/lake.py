"""The loader's output as Parquet files in a lake folder, for engines that cannot read
the DuckDB file (Spark: docs/spark.md).

The loader (ingest/load.py) stays the one place that decides what is loaded: it loads
into its DuckDB database with all its guarantees (a file all or nothing, counts that
reconcile, nothing loaded twice). This module then copies what the loader committed into
Parquet, where Spark (or DuckDB, or any Parquet reader) reads it:

    <lake>/raw/<source>/<batch>.parquet         one file per loaded batch (= landed file)
    <lake>/raw/quarantine/<batch>.parquet       the batch's quarantined rows, if any
    <lake>/raw/load_files/data.parquet          the whole table, rewritten every run
    <lake>/raw/expectation_results/data.parquet (small tables: one file each)
    <lake>/ledger/<table>/data.parquet          copies of the ledger store (ledger.sync)

Guarantees, the loader's carried over:
- **All or nothing per file.** Every Parquet file is written under a hidden temporary
  name (``.<name>.tmp``; Spark and DuckDB skip files starting with a dot) and renamed
  into place, so a reader sees a batch whole or not at all.
- **Nothing twice.** A batch's file is named after its batch id (one per landed content),
  so a batch can exist once only; an export that is repeated (after a crash between the
  rename of the quarantine file and the raw file, or on a lake deleted and rebuilt)
  replaces a file with the same rows.
- **Counts reconcile.** The rows written for a batch must equal the loader's
  ``load_files.rows_loaded`` (and ``rows_quarantined``); a difference stops the export
  with an error naming the batch, before the file is renamed into place.

A batch is exported when its raw file is missing, which makes the export self-healing:
a run killed after the DuckDB commit exports the batch on the next run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.sources import SOURCES

# Small tables rewritten whole on every export: (schema, table).
WHOLE_TABLES = (("raw", "load_files"), ("raw", "expectation_results"))
QUARANTINE = "quarantine"
DATA_FILE = "data.parquet"


class LakeExportError(RuntimeError):
    """The rows written for a batch do not match what the loader recorded."""


@dataclass
class LakeReport:
    lake: Path
    batches_exported: list[str] = field(default_factory=list)
    rows_exported: int = 0
    tables_rewritten: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LakeTable:
    """A table of the lake as an engine must declare it: columns typed, and where."""

    schema: str
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type)
    location: Path


def table_dir(lake: Path, schema: str, table: str) -> Path:
    return Path(lake) / schema / table


def batch_file(lake: Path, table: str, batch_id: str) -> Path:
    """A batch's file in a raw table's folder. Batch ids are '<source>:<hash>', and a
    colon is not allowed in a Hadoop path: '<source>-<hash>.parquet' (sources are named
    [a-z_], so no two batch ids give one name)."""
    return table_dir(lake, "raw", table) / f"{batch_id.replace(':', '-')}.parquet"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def write_parquet(con: duckdb.DuckDBPyConnection, query: str, final: Path,
                  params: list | None = None, expected_rows: int | None = None,
                  what: str = "") -> int:
    """COPY query to final via a hidden temporary file and a rename; returns the rows.

    expected_rows: the count the loader recorded; any other count leaves no file and
    raises LakeExportError naming `what`."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.tmp")
    written = int(con.execute(
        f"COPY ({query}) TO '{_sql_path(tmp)}' (FORMAT parquet, COMPRESSION zstd)",
        params or []).fetchone()[0])
    if expected_rows is not None and written != expected_rows:
        tmp.unlink(missing_ok=True)
        raise LakeExportError(f"{what}: {written} rows to export, the loader recorded "
                              f"{expected_rows}; not exported")
    os.replace(tmp, final)
    return written


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name = ?", [schema, table]).fetchone()[0])


def _loaded_batches(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int, int]]:
    """(source, batch_id, rows_loaded, rows_quarantined) of every loaded batch."""
    if not _has_table(con, "raw", "load_files"):
        return []
    return con.execute(
        "select source, batch_id, rows_loaded, rows_quarantined from raw.load_files "
        "where status = 'loaded' order by loaded_at, batch_id").fetchall()


def export_batch(con: duckdb.DuckDBPyConnection, lake: Path, source: str, batch_id: str,
                 rows_loaded: int, rows_quarantined: int) -> int:
    """One loaded batch: its quarantined rows, then its raw rows (the file whose presence
    marks the batch exported). Returns the raw rows written."""
    if rows_quarantined:
        write_parquet(con, "select * from raw.quarantine where batch_id = ? order by line",
                      batch_file(lake, QUARANTINE, batch_id), [batch_id],
                      expected_rows=rows_quarantined,
                      what=f"batch {batch_id} ({source}), raw.quarantine")
    return write_parquet(con, f"select * from raw.{source} where _batch_id = ? order by _line",
                         batch_file(lake, source, batch_id), [batch_id],
                         expected_rows=rows_loaded,
                         what=f"batch {batch_id} ({source}), raw.{source}")


def export_whole_table(con: duckdb.DuckDBPyConnection, lake: Path, schema: str,
                       table: str) -> int:
    """Rewrite a small table's one file (atomically); returns its rows."""
    return write_parquet(con, f'select * from {schema}."{table}"',
                         table_dir(lake, schema, table) / DATA_FILE)


def export_raw(loader_db: Path | str, lake: Path | str) -> LakeReport:
    """Every loaded batch not yet in the lake, then the small raw tables (module doc)."""
    lake = Path(lake)
    report = LakeReport(lake=lake)
    with duckdb.connect(str(loader_db)) as con:
        for source, batch_id, rows_loaded, rows_quarantined in _loaded_batches(con):
            if source not in SOURCES:  # refused folders are never "loaded"; be strict
                raise LakeExportError(f"batch {batch_id}: unknown source {source!r}")
            if (batch_file(lake, source, batch_id)).exists():
                continue
            report.rows_exported += export_batch(con, lake, source, batch_id,
                                                 rows_loaded, rows_quarantined)
            report.batches_exported.append(batch_id)
        for schema, table in WHOLE_TABLES:
            if _has_table(con, schema, table):
                export_whole_table(con, lake, schema, table)
                report.tables_rewritten.append(f"{schema}.{table}")
    return report


def export_schema(loader_db: Path | str, lake: Path | str, schema: str) -> list[str]:
    """Rewrite every table of a schema of small tables (the ledger copies) in the lake."""
    with duckdb.connect(str(loader_db)) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "order by table_name", [schema]).fetchall()]
        for table in tables:
            export_whole_table(con, Path(lake), schema, table)
    return [f"{schema}.{t}" for t in tables]


def lake_tables(loader_db: Path | str, lake: Path | str,
                schemas: tuple[str, ...] = ("raw", "ledger")) -> list[LakeTable]:
    """The lake's tables with the loader's column types, for an engine to declare them
    (a source never delivered has an empty folder, whose columns no reader can infer)."""
    lake = Path(lake)
    marks = ", ".join("?" for _ in schemas)
    with duckdb.connect(str(loader_db), read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name, column_name, data_type from "
            f"information_schema.columns where table_schema in ({marks}) "
            "order by table_schema, table_name, ordinal_position", list(schemas)).fetchall()
    tables: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, data_type in rows:
        tables.setdefault((schema, table), []).append((column, data_type))
    return [LakeTable(schema, table, tuple(cols), table_dir(lake, schema, table))
            for (schema, table), cols in tables.items()]


def reconcile(loader_db: Path | str, lake: Path | str) -> list[str]:
    """Differences between the loader's records and the lake's files (empty: none).

    For every loaded batch: its raw file holds rows_loaded rows and its quarantine file
    rows_quarantined; and no file in the lake belongs to a batch the loader has not loaded.
    """
    lake = Path(lake)
    problems: list[str] = []
    with duckdb.connect(str(loader_db), read_only=True) as con:
        batches = _loaded_batches(con)
        expected_files = set()
        for source, batch_id, rows_loaded, rows_quarantined in batches:
            raw_file = batch_file(lake, source, batch_id)
            expected_files.add(raw_file)
            if not raw_file.exists():
                problems.append(f"{source} batch {batch_id}: not in the lake")
                continue
            n = _parquet_rows(con, raw_file)
            if n != rows_loaded:
                problems.append(f"{source} batch {batch_id}: {n} rows in the lake, "
                                f"{rows_loaded} loaded")
            q_file = batch_file(lake, QUARANTINE, batch_id)
            q = _parquet_rows(con, q_file) if q_file.exists() else 0
            if rows_quarantined and q != rows_quarantined:
                problems.append(f"{source} batch {batch_id}: {q} quarantined rows in the "
                                f"lake, {rows_quarantined} quarantined")
            if q_file.exists():
                expected_files.add(q_file)
        for source in (*SOURCES, QUARANTINE):
            folder = table_dir(lake, "raw", source)
            for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
                if path not in expected_files:
                    problems.append(f"{path.relative_to(lake)}: no loaded batch of that id")
    return problems


def _parquet_rows(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    return int(con.execute(
        f"select count(*) from read_parquet('{_sql_path(path)}')").fetchone()[0])
