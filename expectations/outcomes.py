"""What a suite run gives back, without Great Expectations (its import takes seconds).

``expectations/run.py`` builds outcomes itself for checks it decides in SQL (whole-table
uniqueness, row-wise checks no row breaks) and adds up GX's outcomes over chunks; both
need these classes, and a run in which every row passes never imports GX at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from expectations.invariants import CONSISTENCY

SAMPLE = 5  # unexpected values kept in details["partial_unexpected"]


@dataclass
class ExpectationOutcome:
    """The result of one expectation on one batch of rows."""

    expectation: str  # GX expectation type, e.g. expect_column_values_to_not_be_null
    column: str | None
    kind: str  # contract | consistency
    why: str
    success: bool
    unexpected_count: int | None
    element_count: int | None
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        from expectations.run import describe_failure

        return describe_failure(self.expectation, self.column, self.unexpected_count,
                                self.element_count, self.why, self.kind,
                                self.details.get("exception"))


@dataclass
class SuiteResult:
    """One source's suite on the rows of the given load batches."""

    source: str
    success: bool
    statistics: dict[str, Any]
    failures: list[ExpectationOutcome]
    outcomes: list[ExpectationOutcome]
    batch_ids: list[str]
    row_count: int

    @property
    def consistency_only(self) -> bool:
        """True when it failed, but only on consistency invariants (a warning)."""
        return not self.success and all(f.kind == CONSISTENCY for f in self.failures)


def combine_outcomes(parts: list[ExpectationOutcome]) -> ExpectationOutcome:
    """One expectation's outcome over several chunks of rows: counts summed, success when
    every chunk succeeded, the first ``SAMPLE`` unexpected values. Row-wise expectations
    only (``invariants.ROW_WISE``): their verdict on a row does not depend on other rows.
    """
    if len(parts) == 1:
        return parts[0]
    first = parts[0]

    def total(attr_or_key, in_details=False):
        values = [(p.details.get(attr_or_key) if in_details else getattr(p, attr_or_key))
                  for p in parts]
        return None if all(v is None for v in values) else sum(v or 0 for v in values)

    unexpected, elements = total("unexpected_count"), total("element_count")
    missing = total("missing_count", in_details=True)
    details: dict[str, Any] = {k: first.details[k] for k in ("kind", "why", "kwargs")
                               if k in first.details}
    if missing is not None:
        details["missing_count"] = missing
    counted = (elements or 0) - (missing or 0)  # GX: percent of the non-missing values
    if unexpected is not None and counted > 0:
        details["unexpected_percent"] = unexpected / counted * 100
    sample = [v for p in parts for v in p.details.get("partial_unexpected", [])][:SAMPLE]
    if sample:
        details["partial_unexpected"] = sample
    exception = next((p.details["exception"] for p in parts if p.details.get("exception")),
                     None)
    if exception:
        details["exception"] = exception
    return ExpectationOutcome(
        expectation=first.expectation, column=first.column, kind=first.kind, why=first.why,
        success=all(p.success for p in parts), unexpected_count=unexpected,
        element_count=elements, details=details)


def suite_result(source: str, outcomes: list[ExpectationOutcome], batch_ids: list[str],
                 row_count: int) -> SuiteResult:
    """A SuiteResult from outcomes put together outside one GX run (chunks, SQL)."""
    failures = [o for o in outcomes if not o.success]
    ok = len(outcomes) - len(failures)
    statistics = {"evaluated_expectations": len(outcomes), "successful_expectations": ok,
                  "unsuccessful_expectations": len(failures),
                  "success_percent": ok / len(outcomes) * 100 if outcomes else None}
    return SuiteResult(source=source, success=not failures, statistics=statistics,
                       failures=failures, outcomes=outcomes, batch_ids=batch_ids,
                       row_count=row_count)


def int_or_none(v) -> int | None:
    return None if v is None else int(v)


def json_safe(v) -> Any:
    """JSON-safe form of what GX returns (numpy scalars, timestamps, conditions, tuples)."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return None if isinstance(v, float) and math.isnan(v) else v
    if isinstance(v, dict):
        return {str(k): json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [json_safe(x) for x in v]
    if hasattr(v, "item"):  # numpy scalar
        try:
            return json_safe(v.item())
        except (ValueError, TypeError):
            pass
    import pandas as pd

    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)
