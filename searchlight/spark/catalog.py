"""Declare the lake's Parquet folders as Spark tables (dbt sources `raw` and `ledger`).

Each table is declared with the loader's column types (ingest.lake.lake_tables), not
inferred from its files: a source never delivered has an empty folder, and inference
would also turn a file's missing column into a schema change. The tables are external
(dropping one leaves its files), and they are declared again on every run: a new column
after an upgrade reaches Spark, and Spark lists the folder's files afresh.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ingest.lake import LakeTable, lake_tables

# DuckDB type (information_schema.columns.data_type) -> Spark SQL type. DuckDB's TIMESTAMP
# is a wall-clock time without zone; Parquet keeps it so and Spark reads TIMESTAMP_NTZ.
_SIMPLE_TYPES = {
    "VARCHAR": "STRING",
    "JSON": "STRING",
    "BIGINT": "BIGINT",
    "INTEGER": "INT",
    "SMALLINT": "SMALLINT",
    "TINYINT": "TINYINT",
    "DOUBLE": "DOUBLE",
    "FLOAT": "FLOAT",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP_NTZ",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def spark_type(duckdb_type: str) -> str:
    """The Spark type of a lake column; an unknown type is an error, never a guess."""
    upper = duckdb_type.upper()
    if upper in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[upper]
    if match := _DECIMAL.fullmatch(upper):
        return f"DECIMAL({match[1]},{match[2]})"
    raise ValueError(f"no Spark type for the lake column type {duckdb_type!r}")


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def table_ddl(table: LakeTable, location: str | None = None) -> list[str]:
    """The statements that (re)declare one lake table; location: the URI the engine reads
    the folder at (default: the local path)."""
    where = location or table.location.resolve().as_uri()
    columns = ", ".join(f"{quote(name)} {spark_type(typ)}" for name, typ in table.columns)
    name = f"{quote(table.schema)}.{quote(table.name)}"
    return [
        f"CREATE DATABASE IF NOT EXISTS {quote(table.schema)}",
        f"DROP TABLE IF EXISTS {name}",
        f"CREATE TABLE {name} ({columns}) USING parquet LOCATION '{where}'",
    ]


def declare(session: Any, tables: Iterable[LakeTable]) -> list[str]:
    """Declare every table on the session; returns their names."""
    names = []
    for table in tables:
        table.location.mkdir(parents=True, exist_ok=True)
        for statement in table_ddl(table):
            session.sql(statement)
        names.append(f"{table.schema}.{table.name}")
    return names


def cluster_ddl(warehouse: Path, lake_uri: str) -> list[str]:
    """The statements that declare a Spark-target warehouse's lake on a cluster that reads
    the lake at lake_uri (e.g. hdfs://nameservice/searchlight/lake), once it is copied there
    (docs/spark.md, "On a cluster")."""
    from searchlight.spark.pipeline import SparkWarehouse

    wh = SparkWarehouse(Path(warehouse).resolve())
    statements = []
    for table in lake_tables(wh.loader_db, wh.lake):
        location = f"{lake_uri.rstrip('/')}/{table.schema}/{table.name}"
        statements += table_ddl(table, location)
    return list(dict.fromkeys(statements))  # CREATE DATABASE once per schema


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m searchlight.spark.catalog",
        description="Print the DDL that declares the lake's tables on a Spark cluster.")
    parser.add_argument("--warehouse", type=Path, required=True,
                        help="the warehouse folder of `searchlight run --target spark`")
    parser.add_argument("--lake-uri", required=True,
                        help="where the cluster reads the folder's lake/ (hdfs://, s3a://, ...)")
    args = parser.parse_args(argv)
    for statement in cluster_ddl(args.warehouse, args.lake_uri):
        print(statement + ";")
    return 0


if __name__ == "__main__":
    sys.exit(main())
