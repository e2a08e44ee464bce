"""The ledger marts as one Dagster step after the dbt build: the same function as
``searchlight run`` (``ledger.sync.after_build``): register this build's alerts in the
ledger store, copy the store into the warehouse, ``dbt build --select tag:ledger``.

The main dbt asset excludes ``tag:ledger`` and copies the store in before it builds
(``ledger.sync.restore``), so alert_first_detections sees the remembered first detections.
"""

from __future__ import annotations

from dagster import AssetKey, AssetSpec, MaterializeResult, multi_asset

from orchestration.resources import WAREHOUSE_POOL, SearchlightResource

SUPERVISION_LEDGER = AssetKey(["marts", "supervision_ledger"])
RULE_PRECISION = AssetKey(["marts", "rule_precision"])
LEDGER_KEYS = [SUPERVISION_LEDGER, RULE_PRECISION]


@multi_asset(
    name="supervision_ledger",
    specs=[
        AssetSpec(SUPERVISION_LEDGER, deps=[AssetKey(["marts", "alerts"])], group_name="marts",
                  kinds={"dbt", "sqlite"},
                  description="督办台账: every alert with its workflow state (ledger/README.md)"),
        AssetSpec(RULE_PRECISION, deps=[AssetKey(["marts", "alerts"])], group_name="marts",
                  kinds={"dbt"},
                  description="each rule's precision measured in the ledger"),
    ],
    pool=WAREHOUSE_POOL,
)
def supervision_ledger(searchlight: SearchlightResource):
    from ledger.sync import after_build

    report = after_build(searchlight.warehouse)
    sync = report.sync
    yield MaterializeResult(asset_key=SUPERVISION_LEDGER, metadata={
        "store": str(report.store), "registered": sync.registered, "reopened": sync.reopened,
        "stopped_firing": sync.stopped_firing, "firing": sync.firing})
    yield MaterializeResult(asset_key=RULE_PRECISION)
