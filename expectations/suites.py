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

import os
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.row_conditions import Column as Col

from expectations.invariants import (
    CONSISTENCY,
    Check,
    check_columns,
    checks_for,
    is_row_wise,
    loader_enforces,
)
from expectations.outcomes import (  # re-exported: callers import them from here too
    SAMPLE,
    ExpectationOutcome,
    SuiteResult,
    combine_outcomes,
    int_or_none,
    json_safe,
    suite_result,
)

RESULT_FORMAT = "SUMMARY"  # COMPLETE can be huge (stack-pitfalls §6)
__all__ = ["SAMPLE", "ExpectationOutcome", "SuiteResult", "SuiteRunner", "combine_outcomes",
           "json_safe", "suite_result", "validate_frame"]


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
    of the suites: for validating a chunk of a source's rows. ``loaded`` leaves out the
    checks the loader enforces (``invariants.loader_enforces``): for rows read from raw.
    """

    def __init__(self, row_wise_only: bool = False, loaded: bool = False) -> None:
        self.row_wise_only = row_wise_only
        self.loaded = loaded
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
                      if (is_row_wise(c) or not self.row_wise_only)
                      and not (self.loaded and loader_enforces(source, c))]
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
        missing = [c for c in check_columns(source, self._checks[source])
                   if c not in frame.columns]
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
        unexpected_count=int_or_none(res.get("unexpected_count")),
        element_count=int_or_none(res.get("element_count")), details=details)


def validate_frame(source: str, frame: pd.DataFrame) -> SuiteResult:
    """Validate one DataFrame against one source's suite (a fresh context)."""
    return SuiteRunner().validate(source, frame)
