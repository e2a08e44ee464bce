"""Great Expectations 1.x suites on pandas DataFrames, one per source.

GX runs on a DataFrame read from DuckDB by ``expectations/run.py``: GX's SQL data sources
do not work with DuckDB. A pandas frame of a whole source is not small at a district's
volume (10M cases would need ~20 GiB), so run.py hands GX chunks of at most
``SEARCHLIGHT_EXPECTATION_CHUNK_ROWS`` rows and ``combine_outcomes`` adds their counts up;
a ``SuiteRunner(row_wise_only=True)`` leaves out the expectations a chunk cannot decide
(``invariants.WHOLE_TABLE``), which run.py computes over the whole selection in SQL. The
context is ephemeral (nothing written to disk), analytics are off and progress bars are
silent.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.row_conditions import Column as Col

from expectations.invariants import CONSISTENCY, Check, check_columns, checks_for, is_row_wise

RESULT_FORMAT = "SUMMARY"  # COMPLETE can be huge (stack-pitfalls §6)
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


def _expectation(check: Check):
    cls = getattr(gxe, check.expectation)
    kwargs = dict(check.kwargs)
    if check.when:
        column, value = check.when
        kwargs["row_condition"] = Col(column) == value
    return cls(**kwargs, meta={"kind": check.kind, "why": check.why})


class SuiteRunner:
    """An ephemeral GX context with one pandas data asset and suite per source.

    ``row_wise_only`` leaves the whole-table expectations (``invariants.WHOLE_TABLE``) out
    of the suites: for validating a chunk of a source's rows.
    """

    def __init__(self, row_wise_only: bool = False) -> None:
        self.row_wise_only = row_wise_only
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False)
        self.datasource = self.context.data_sources.add_pandas("searchlight_raw")
        self._definitions: dict[str, Any] = {}
        self._checks: dict[str, list[Check]] = {}

    def _definition(self, source: str):
        if source not in self._definitions:
            asset = self.datasource.add_dataframe_asset(name=source)
            batch_definition = asset.add_batch_definition_whole_dataframe(f"{source}_rows")
            checks = [c for c in checks_for(source)
                      if is_row_wise(c) or not self.row_wise_only]
            suite = self.context.suites.add(gx.ExpectationSuite(
                name=f"raw.{source}", expectations=[_expectation(c) for c in checks]))
            self._checks[source] = checks
            self._definitions[source] = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=f"raw.{source}", data=batch_definition,
                                        suite=suite))
        return self._definitions[source]

    def validate(self, source: str, frame: pd.DataFrame) -> SuiteResult:
        """Run the suite of ``source`` on ``frame`` (raw columns plus ``_batch_id``)."""
        definition = self._definition(source)
        missing = [c for c in check_columns(source) if c not in frame.columns]
        if missing:  # a raw table always has every column; a hand-made frame may not
            frame = frame.assign(**{c: None for c in missing})
        result = definition.run(batch_parameters={"dataframe": frame},
                                result_format=RESULT_FORMAT)
        outcomes = [_outcome(r) for r in result.results]
        batch_ids = (sorted(str(b) for b in frame["_batch_id"].dropna().unique())
                     if "_batch_id" in frame.columns else [])
        failures = [o for o in outcomes if not o.success]
        return SuiteResult(source=source, success=not failures,
                           statistics=dict(result.statistics), failures=failures,
                           outcomes=outcomes, batch_ids=batch_ids, row_count=len(frame))


def _outcome(r) -> ExpectationOutcome:
    config = r.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
    meta = config.meta or {}
    res = r.result or {}
    exception = None
    if r.exception_info and r.exception_info.get("raised_exception"):
        exception = r.exception_info.get("exception_message") or "raised an exception"
    column = kwargs.get("column")
    if column is None and "column_A" in kwargs:
        column = f"{kwargs['column_A']},{kwargs['column_B']}"
    elif column is None and "column_list" in kwargs:
        column = ",".join(c for c in kwargs["column_list"] if c != "_batch_id")
    details: dict[str, Any] = {
        "kind": meta.get("kind"),
        "why": meta.get("why"),
        "kwargs": {k: json_safe(v) for k, v in kwargs.items()},
    }
    for key in ("missing_count", "unexpected_percent"):
        if res.get(key) is not None:
            details[key] = json_safe(res[key])
    if res.get("partial_unexpected_list"):
        details["partial_unexpected"] = [json_safe(v)
                                         for v in res["partial_unexpected_list"][:SAMPLE]]
    if exception:
        details["exception"] = exception
    return ExpectationOutcome(
        expectation=config.type, column=column, kind=meta.get("kind", CONSISTENCY),
        why=meta.get("why", ""), success=bool(r.success) and not exception,
        unexpected_count=_int(res.get("unexpected_count")),
        element_count=_int(res.get("element_count")), details=details)


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


def _int(v) -> int | None:
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
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def validate_frame(source: str, frame: pd.DataFrame) -> SuiteResult:
    """Validate one DataFrame against one source's suite (a fresh context)."""
    return SuiteRunner().validate(source, frame)
