"""The ledger sync as one Dagster step after the dbt build: the same function as
``searchlight run`` (``ledger.sync.after_build``): register this build's alerts in the
ledger store and copy the store into the warehouse's ``ledger`` schema.

The main dbt asset copies the store in before it builds (``ledger.sync.restore``), so
alert_first_detections sees the remembered first detections, and builds the ledger marts
(marts.supervision_ledger, marts.rule_precision) as views over the ``ledger`` copies: this
step rewrites those copies, after which the views show this run's alerts and every
action (one dbt invocation per run, issue 15). The published Parquet depends on this step.
"""

from __future__ import annotations

from dagster import AssetKey, MaterializeResult, asset

from orchestration.resources import WAREHOUSE_POOL, SearchlightResource

LEDGER_SYNC = AssetKey(["ledger", "sync"])
LEDGER_KEYS = [LEDGER_SYNC]


@asset(
    key=LEDGER_SYNC,
    deps=[AssetKey(["marts", "alerts"])],
    group_name="ledger",
    pool=WAREHOUSE_POOL,
    kinds={"sqlite", "duckdb"},
    description="督办台账 sync: this run's alerts registered in the ledger store, the store "
                "copied into the warehouse's ledger schema, which the views "
                "marts.supervision_ledger and marts.rule_precision read (ledger/README.md)",
)
def ledger_sync(searchlight: SearchlightResource) -> MaterializeResult:
    from ledger.sync import after_build

    report = after_build(searchlight.warehouse)
    sync = report.sync
    return MaterializeResult(metadata={
        "store": str(report.store), "registered": sync.registered, "reopened": sync.reopened,
        "stopped_firing": sync.stopped_firing, "firing": sync.firing})
