"""Record a CLI run in Dagster, so its UI shows what was built and when.

``searchlight run`` and ``searchlight demo`` build the same assets as the Dagster job, but
outside Dagster: after ``make demo`` the UI would show every asset as "never
materialized". When ``DAGSTER_HOME`` names an instance folder (``make demo`` and ``make
dev`` use ``.dagster``), each asset the run built is reported to that instance as a
runless materialization (``DagsterInstance.report_runless_asset_event``), under the same
asset key the Dagster definitions give it (orchestration/asset_keys.py): the raw sources
and load records, every dbt model the build ran successfully, the ledger marts and the
published Parquet. Without DAGSTER_HOME nothing is imported and nothing recorded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from orchestration import asset_keys
from searchlight.paths import DBT_PROJECT_DIR

BUILT_BY = "searchlight run (CLI)"
_BUILT_RESOURCES = ("model.", "seed.", "snapshot.")


def dagster_home() -> Path | None:
    home = os.environ.get("DAGSTER_HOME")
    return Path(home) if home and Path(home).is_dir() else None


def built_asset_paths(report, manifest_path: Path | None = None) -> list[tuple[list[str], dict]]:
    """(asset key path, metadata) for every asset the run built."""
    from ingest.sources import SOURCES

    load = report.load
    out: list[tuple[list[str], dict]] = []
    for name in SOURCES:
        files = [f for f in load.files if f.source == name and not f.seen_before]
        out.append(([asset_keys.RAW_SOURCE, name], {
            "files_loaded": sum(1 for f in files if f.status == "loaded"),
            "files_refused": sum(1 for f in files if f.status == "refused"),
            "rows_loaded": sum(f.rows_loaded for f in files),
            "rows_quarantined": sum(f.rows_quarantined for f in files)}))
    for table in ("load_files", "quarantine"):
        out.append(([asset_keys.RAW_SOURCE, table], {}))

    manifest_path = manifest_path or DBT_PROJECT_DIR / "target" / "manifest.json"
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"]
    for node in report.built_models:
        uid = node.get("unique_id") or ""
        if uid.startswith(_BUILT_RESOURCES) and node.get("status") == "success" and uid in nodes:
            out.append((asset_keys.model_key_path(nodes[uid]), {
                "dbt_unique_id": uid, "execution_seconds": node.get("execution_time") or 0.0}))
    if "ledger sync" in report.steps:
        from orchestration.ledger_assets import LEDGER_KEYS

        out += [(list(key.path), {}) for key in LEDGER_KEYS]
    if report.published_to:
        out.append((["published", "marts"], {"path": str(report.published_to)}))
    return out


def record_run(report, warehouse: Path) -> int:
    """Report the run's assets to the Dagster instance at DAGSTER_HOME; return how many."""
    if dagster_home() is None:
        return 0
    from dagster import AssetKey, AssetMaterialization, DagsterInstance

    events = built_asset_paths(report)
    instance = DagsterInstance.get()
    try:
        for path, metadata in events:
            instance.report_runless_asset_event(AssetMaterialization(
                asset_key=AssetKey(path), description=f"built by {BUILT_BY}",
                metadata={**metadata, "built_by": BUILT_BY, "warehouse": str(warehouse),
                          "as_of": str(report.as_of)}))
    finally:
        instance.dispose()
    return len(events)
