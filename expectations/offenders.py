"""Which raw rows break a failed expectation: their business keys, file and line.

Great Expectations reports how many rows failed and a sample of the failing *values*; a
person following up needs the *rows* (which case, in which export, on which line). The
checks are few and simple (``invariants.py``), so each is restated here as a SQL
condition on ``raw.<source>``, in the meaning GX gives it (nulls are ignored where GX
ignores them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb

from expectations.invariants import Check, checks_for
from ingest.sources import SOURCES


@dataclass
class StoredFailure:
    """A failed expectation as stored in raw.expectation_results."""

    source: str
    expectation: str  # snake case, e.g. expect_column_values_to_not_be_null
    column: str | None
    unexpected_count: int | None
    element_count: int | None
    why: str
    kind: str
    batch_ids: list[str]
    exception: str | None = None

    def __str__(self) -> str:
        from expectations.run import describe_failure

        return f"{self.source}: " + describe_failure(
            self.expectation, self.column, self.unexpected_count, self.element_count,
            self.why, self.kind, self.exception)

    @classmethod
    def from_row(cls, source: str, expectation: str, column: str | None,
                 unexpected: int | None, elements: int | None, batch_ids: str | None,
                 details: str | None) -> StoredFailure:
        d = json.loads(details or "{}")
        return cls(source, expectation, column, unexpected, elements, d.get("why", ""),
                   d.get("kind", ""), json.loads(batch_ids or "[]"), d.get("exception"))


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def check_of(failure: StoredFailure) -> Check | None:
    """The check of the source's suite the stored failure came from."""
    for check in checks_for(failure.source):
        if (_snake(check.expectation) == failure.expectation
                and check.column_label == (failure.column or "") and check.why == failure.why):
            return check
    return None


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _lit(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def unexpected_condition(check: Check) -> str | None:
    """A SQL condition true for the rows that break ``check`` (None: not row-wise)."""
    k = check.kwargs
    name = check.expectation
    if name == "ExpectColumnValuesToNotBeNull":
        cond = f"{_q(k['column'])} is null"
    elif name == "ExpectColumnValuesToBeBetween":
        col, parts = _q(k["column"]), []
        if k.get("min_value") is not None:
            parts.append(f"{col} < {_lit(k['min_value'])}")
        if k.get("max_value") is not None:
            parts.append(f"{col} > {_lit(k['max_value'])}")
        cond = "(" + " or ".join(parts or ["false"]) + ")"
    elif name == "ExpectColumnValuesToBeInSet":
        values = ", ".join(_lit(v) for v in k["value_set"])
        cond = f"{_q(k['column'])} not in ({values})"
    elif name == "ExpectColumnPairValuesAToBeGreaterThanB":
        a, b = _q(k["column_A"]), _q(k["column_B"])
        op = ">=" if k.get("or_equal") else ">"
        cond = f"{a} is not null and {b} is not null and not ({a} {op} {b})"
    else:
        return None
    if check.when:
        column, value = check.when
        cond = f"{_q(column)} = {_lit(value)} and {cond}"
    return cond


def offending_rows(con: duckdb.DuckDBPyConnection, failure: StoredFailure,
                   limit: int = 5) -> list[dict]:
    """Up to ``limit`` rows of the failure's batches that break it: business key, file,
    line. Empty when the check cannot be restated (it is not found or not row-wise)."""
    check = check_of(failure)
    source = SOURCES[failure.source]
    keys = [*source.key, "_file_name", "_line"]
    select = ", ".join(_q(c) for c in keys)
    batches = ", ".join("?" for _ in failure.batch_ids) or "NULL"
    if check is None:
        return []
    if check.expectation == "ExpectCompoundColumnsToBeUnique":
        cols = ", ".join(_q(c) for c in check.kwargs["column_list"])
        sql = (f"select {select} from raw.{source.name} where _batch_id in ({batches}) "
               f"qualify count(*) over (partition by {cols}) > 1")
    else:
        cond = unexpected_condition(check)
        if cond is None:
            return []
        sql = f"select {select} from raw.{source.name} where _batch_id in ({batches}) and {cond}"
    rows = con.execute(f"{sql} order by _file_name, _line limit {int(limit)}",
                       failure.batch_ids).fetchall()
    return [dict(zip(keys, row, strict=True)) for row in rows]
