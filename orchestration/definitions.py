"""The Dagster entry point: ``dagster dev -m orchestration.definitions``.

Lineage runs from each landing folder (``raw/<source>``) through staging, intermediate
and warning models to ``marts/alerts``; the expectation suites and dbt tests are asset
checks; ``searchlight_daily`` runs everything on a schedule (06:00 Asia/Shanghai) or when
``landing_sensor`` sees new files.

Nothing is built at import: ``defs`` is a ``@definitions`` function that Dagster calls when
it loads the code location; it parses the dbt project first when the manifest is stale.
"""

from __future__ import annotations

from pathlib import Path

from dagster import Definitions, definitions, in_process_executor

from orchestration.checks import expectation_checks
from orchestration.dbt_assets import build_dbt_assets
from orchestration.ingest_assets import all_raw_assets
from orchestration.jobs import searchlight_daily
from orchestration.ledger_assets import ledger_sync
from orchestration.resources import build_resources
from orchestration.schedules import daily_schedule
from orchestration.sensors import landing_sensor, notification_sensor


def build_definitions(landing: str | Path | None = None,
                      warehouse: str | Path | None = None) -> Definitions:
    """The definitions; ``landing``/``warehouse`` default to the environment (resources.py).

    Runs ``dbt parse`` when the manifest is missing or stale (orchestration/prepare.py).
    """
    return Definitions(
        assets=[*all_raw_assets, *build_dbt_assets(), ledger_sync],
        asset_checks=expectation_checks,
        jobs=[searchlight_daily],
        schedules=[daily_schedule],
        sensors=[landing_sensor, notification_sensor],
        resources=build_resources(landing, warehouse),
        executor=in_process_executor,
    )


@definitions
def defs() -> Definitions:
    """What ``dagster dev -m orchestration.definitions`` loads."""
    return build_definitions()
