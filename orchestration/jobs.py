"""``searchlight_daily``: everything — raw loads, expectation checks, dbt build, publish.

The in-process executor runs the steps one after another in one process, so no two steps
ever hold the DuckDB file at once; the run tag lets ``dagster.yaml`` allow one such run
at a time across the instance.
"""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

from orchestration.resources import WAREHOUSE_RUN_TAG

searchlight_daily = define_asset_job(
    name="searchlight_daily",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    tags={WAREHOUSE_RUN_TAG: "write"},
    description="Load every new landing file, check the expectations, build dbt "
                "(models, tests, alerts) and publish the marts.",
)
