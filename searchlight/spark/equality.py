"""Are two builds' alerts and coverage the same? Row by row, value by value.

Used by the equality test (tests/test_spark.py) and the benchmark (bench/
spark_equality.py) to compare a DuckDB build with a Spark build. Every column of
marts.alerts and marts.rule_coverage is compared; the JSON columns (evidence,
not_evaluable_reasons) are compared as parsed values, numbers as exact decimals, because
the engines print the same JSON differently (docs/spark.md, "What differs"): Spark keeps
a decimal's scale (75.00 where DuckDB writes 75.0) and writes 1.0E-4 for 0.0001.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

# (table, key column, JSON columns)
COMPARED = (
    ("alerts", "alert_id", ("evidence",)),
    ("rule_coverage", "rule_code", ("not_evaluable_reasons",)),
)


def parse_json(text: str | None) -> Any:
    return None if text is None else json.loads(text, parse_float=Decimal)


def read_table(source: Path | str, table: str, schema: str = "marts") -> list[dict]:
    """Rows of a mart from a DuckDB warehouse file or a published folder
    (`<published>/marts`, one `<table>.parquet` per table)."""
    source = Path(source)
    if source.is_dir():
        query = f"select * from read_parquet('{source / (table + '.parquet')}')"
        con = duckdb.connect()
    else:
        query = f'select * from {schema}."{table}"'
        con = duckdb.connect(str(source), read_only=True)
    with con:
        cur = con.execute(query)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def differences(expected: Iterable[Mapping], actual: Iterable[Mapping], key: str,
                json_columns: Iterable[str] = (), names: tuple[str, str] = ("duckdb", "spark"),
                ) -> list[str]:
    """Every difference between two sets of rows keyed by `key`, one line each: rows only
    on one side, then each differing value (JSON columns compared as parsed values)."""
    left = {row[key]: row for row in expected}
    right = {row[key]: row for row in actual}
    json_columns = set(json_columns)
    found = []
    for k in sorted(left.keys() - right.keys()):
        found.append(f"{key}={k}: only on {names[0]}: {_show(left[k])}")
    for k in sorted(right.keys() - left.keys()):
        found.append(f"{key}={k}: only on {names[1]}: {_show(right[k])}")
    for k in sorted(left.keys() & right.keys()):
        a, b = left[k], right[k]
        for column in sorted(a.keys() | b.keys()):
            if column not in a or column not in b:
                found.append(f"{key}={k}: column {column} only on "
                             f"{names[0] if column in a else names[1]}")
                continue
            va, vb = a[column], b[column]
            if column in json_columns:
                same = parse_json(va) == parse_json(vb)
            else:
                same = va == vb
            if not same:
                found.append(f"{key}={k}: {column}: {names[0]} {va!r} != {names[1]} {vb!r}")
    return found


def _show(row: Mapping) -> str:
    return ", ".join(f"{c}={v!r}" for c, v in row.items() if c != "evidence")


def compare_builds(expected: Path | str, actual: Path | str,
                   names: tuple[str, str] = ("duckdb", "spark")) -> dict[str, list[str]]:
    """Differences per compared mart between two builds (warehouse files or published
    marts folders); an empty list per table means equal."""
    return {table: differences(read_table(expected, table), read_table(actual, table), key,
                               json_columns, names)
            for table, key, json_columns in COMPARED}
