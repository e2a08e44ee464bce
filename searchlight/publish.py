"""Publish the marts as Parquet beside the warehouse for BI tools and SQL clients.

Readers must never need the file a build writes: DuckDB allows one writer and no reader
beside it, and DuckDB 2.0 files cannot be opened by the older DuckDB builds that BI
drivers bundle. Each table is written to a temporary file and renamed into place, so a
reader sees the previous complete file or the new one, never a half-written one.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


def published_dir(warehouse: Path) -> Path:
    return Path(warehouse).with_suffix("").parent / (Path(warehouse).stem + "_published")


def publish_marts(warehouse: Path, schema: str = "marts") -> Path:
    out = published_dir(warehouse) / schema
    out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "order by table_name", [schema]).fetchall()]
        for table in tables:
            final = out / f"{table}.parquet"
            tmp = out / f".{table}.parquet.tmp"
            con.execute(f"copy {schema}.\"{table}\" to '{tmp}' (format parquet)")
            os.replace(tmp, final)
    return out
