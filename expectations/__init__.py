"""Great Expectations suites per source (GX 1.x on pandas), generated from the contract.

    from expectations import run_suites
    results = run_suites(con, batch_ids)   # -> list[SuiteResult]

Great Expectations is imported only when a suite actually runs (the import takes seconds),
so importing this package is cheap for Dagster's code server and the CLI.
"""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from expectations.invariants import CONSISTENCY, CONTRACT, Check, checks_for
from expectations.run import (
    BATCHES_TABLE,
    RESULTS_TABLE,
    failures_since,
    pending_batches,
    read_rows,
    run_suites,
    store_results,
)

__all__ = [
    "BATCHES_TABLE",
    "CONSISTENCY",
    "CONTRACT",
    "RESULTS_TABLE",
    "Check",
    "ExpectationOutcome",
    "SuiteResult",
    "checks_for",
    "failures_since",
    "pending_batches",
    "read_rows",
    "run_suites",
    "store_results",
    "validate_frame",
]


def __getattr__(name: str):
    if name in ("SuiteResult", "ExpectationOutcome"):
        from expectations import outcomes

        return getattr(outcomes, name)
    if name in ("validate_frame", "SuiteRunner"):
        from expectations import suites

        return getattr(suites, name)
    raise AttributeError(name)
