"""Publish the marts built on Spark as Parquet, in the layout of the DuckDB target.

searchlight.publish writes a complete version folder per run (`<table>.parquet` per
table, the rule catalogue, PUBLISHED.json) and switches readers to it in one rename; the
Spark target uses the same function and layout, giving it only its own table writer:
Spark writes a folder of part files, so each table is coalesced to one partition,
written to a hidden folder beside its target, and its one part file renamed to
`<table>.parquet`. BI tools, DuckDB, pandas and the console open the same paths
whichever engine built the marts.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from searchlight import publish
from searchlight.spark.dbt_runner import TARGET_PATH


def write_tables(session: Any, schema: str, out: Path) -> dict[str, int]:
    """Every table of the Spark database `schema` to out/<table>.parquet; row counts."""
    rows: dict[str, int] = {}
    tables = sorted(r.tableName for r in session.sql(f"show tables in {schema}").collect()
                    if not r.isTemporary)
    for table in tables:
        frame = session.table(f"{schema}.{table}")
        tmp_dir = out / f".{table}.spark-tmp"
        shutil.rmtree(tmp_dir, ignore_errors=True)
        frame.coalesce(1).write.option("compression", "zstd").parquet(tmp_dir.as_uri())
        parts = sorted(tmp_dir.glob("part-*.parquet"))
        if len(parts) != 1:
            raise RuntimeError(f"publishing {schema}.{table}: expected one Parquet part file "
                               f"from Spark, found {len(parts)} in {tmp_dir}")
        os.replace(parts[0], out / f"{table}.parquet")
        shutil.rmtree(tmp_dir)
        rows[table] = frame.count()
    return rows


def publish_marts(session: Any, warehouse: Path, schema: str = "marts") -> Path:
    """searchlight.publish.publish_marts with the tables from Spark and the rule catalogue
    from the Spark build's manifest. Returns `<published>/<schema>`."""
    return publish.publish_marts(
        warehouse, schema, manifest=TARGET_PATH / "manifest.json",
        write_tables=lambda out: write_tables(session, schema, out))
