"""Great Expectations 1.x suites on pandas DataFrames, one per source.

GX runs on a DataFrame read from DuckDB by ``expectations/run.py``: GX's SQL data sources
do not work with DuckDB, and a pandas frame of one load's rows is small. The context is
ephemeral (nothing written to disk), analytics are off and progress bars are silent.
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

from expectations.invariants import CONSISTENCY, Check, check_columns, checks_for

RESULT_FORMAT = "SUMMARY"  # COMPLETE can be huge (stack-pitfalls §6)


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
        where = f"({self.column})" if self.column else ""
        if self.details.get("exception"):
            return f"{self.expectation}{where} could not run: {self.details['exception']}"
        counts = (f"{self.unexpected_count} of {self.element_count} rows"
                  if self.unexpected_count is not None else "failed")
        return f"{self.expectation}{where}: {counts} — expected: {self.why} [{self.kind}]"


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
    """An ephemeral GX context with one pandas data asset and suite per source."""

    def __init__(self) -> None:
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
            checks = checks_for(source)
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
        "kwargs": {k: _plain(v) for k, v in kwargs.items()},
    }
    for key in ("missing_count", "unexpected_percent"):
        if res.get(key) is not None:
            details[key] = _plain(res[key])
    if res.get("partial_unexpected_list"):
        details["partial_unexpected"] = [_plain(v) for v in res["partial_unexpected_list"][:5]]
    if exception:
        details["exception"] = exception
    return ExpectationOutcome(
        expectation=config.type, column=column, kind=meta.get("kind", CONSISTENCY),
        why=meta.get("why", ""), success=bool(r.success) and not exception,
        unexpected_count=_int(res.get("unexpected_count")),
        element_count=_int(res.get("element_count")), details=details)


def _int(v) -> int | None:
    return None if v is None else int(v)


def _plain(v) -> Any:
    """JSON-safe form of what GX returns (numpy scalars, timestamps, conditions, tuples)."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return None if isinstance(v, float) and math.isnan(v) else v
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [_plain(x) for x in v]
    if hasattr(v, "item"):  # numpy scalar
        try:
            return _plain(v.item())
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
