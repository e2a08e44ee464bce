"""Asset checks from the expectation suites: one per raw source, on its unvalidated batches.

The check validates every batch of its source that has no results yet — the load this run
just did, and any batch a crashed run loaded but did not validate
(``expectations.pending_batches``) — with ``expectations.run_suites``, what ``searchlight
run`` calls, which stores every outcome in ``raw.expectation_results``. Checks never block the
build: a failure of consistency invariants (what the loader does not check) is a WARN. The
contract checks the loader enforces are left out of a run (``expectations.invariants.
loader_enforces``: such a row is quarantined, never loaded; a test per check proves it);
should one be validated and fail, the row escaped the loader and the check is an ERROR.
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    MetadataValue,
    asset_check,
)

from ingest.sources import SOURCES, Source
from orchestration.ingest_assets import raw_key
from orchestration.resources import WAREHOUSE_POOL, SearchlightResource

CHECK_NAME = "expectations"


def check_result(source_name: str, batch_ids: list[str], results: list) -> AssetCheckResult:
    """Turn a SuiteResult (or none: nothing new to validate) into a Dagster check result."""
    if not results:
        return AssetCheckResult(passed=True, metadata={
            "batches": MetadataValue.json(batch_ids), "rows": 0,
            "note": "no new rows to validate" if not batch_ids else "batches have no rows"})
    r = results[0]
    lines = ["| expectation | column | unexpected | of rows | kind | expected |",
             "|---|---|---:|---:|---|---|"]
    for f in r.failures:
        lines.append(f"| {f.expectation} | {f.column or ''} | {f.unexpected_count} | "
                     f"{f.element_count} | {f.kind} | {f.why} |")
    severity = (AssetCheckSeverity.WARN if r.success or r.consistency_only
                else AssetCheckSeverity.ERROR)
    return AssetCheckResult(
        passed=r.success,
        severity=severity,
        description=None if r.success else f"{len(r.failures)} expectation(s) failed",
        metadata={
            "batches": MetadataValue.json(r.batch_ids),
            "rows": r.row_count,
            "evaluated": int(r.statistics.get("evaluated_expectations", 0)),
            "failed": len(r.failures),
            "success_percent": float(r.statistics.get("success_percent") or 0.0),
            "failures": MetadataValue.md("\n".join(lines) if r.failures else "none"),
            "stored_in": "raw.expectation_results",
        },
    )


def build_expectation_check(source: Source) -> AssetChecksDefinition:
    @asset_check(
        asset=raw_key(source.name),
        name=CHECK_NAME,
        blocking=False,
        pool=WAREHOUSE_POOL,
        description=(f"Great Expectations suite raw.{source.name} on the batches not validated "
                     "yet: the consistency invariants the loader does not check (warning)."),
    )
    def _check(context: AssetCheckExecutionContext,
               searchlight: SearchlightResource) -> AssetCheckResult:
        from expectations import pending_batches, run_suites

        with searchlight.connect() as con:
            batch_ids = pending_batches(con, sources=[source.name])
            results = run_suites(con, batch_ids, sources=[source.name]) if batch_ids else []
        return check_result(source.name, batch_ids, results)

    return _check


expectation_checks: list[AssetChecksDefinition] = [
    build_expectation_check(s) for s in SOURCES.values()]
