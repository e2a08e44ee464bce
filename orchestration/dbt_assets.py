"""The dbt project as Dagster assets, with lineage continuous from the raw sources.

``SearchlightTranslator`` maps ``source('raw', X)`` to the asset ``raw/X`` that
``ingest_assets.py`` materialises, and keys each model by its schema and name
(``staging/stg_cases``, ``marts/alerts``), grouped by schema. dbt tests become asset
checks (dagster-dbt's default). The build runs ``dbt build`` as a subprocess through
``DbtCliResource`` — the arguments ``searchlight run`` passes too (unit tests excluded,
``as_of`` as a var) — so the DuckDB lock ends when dbt exits.
"""

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Config,
    MaterializeResult,
    asset,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource
from dagster_dbt import dbt_assets as dbt_assets_decorator
from pydantic import Field, field_validator

from orchestration import asset_keys
from orchestration.asset_keys import RAW_SOURCE
from orchestration.ledger_assets import LEDGER_KEYS
from orchestration.prepare import ensure_manifest
from orchestration.resources import WAREHOUSE_POOL, SearchlightResource, dbt_project
from searchlight.dbt import build_args


class SearchlightTranslator(DagsterDbtTranslator):
    """dbt node → Dagster asset: raw sources to ``raw/<table>``, models to ``<schema>/<name>``,
    grouped by schema and the warning models by rule family (orchestration/asset_keys.py)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        props = dbt_resource_props
        if props["resource_type"] == "source":
            if props["source_name"] == RAW_SOURCE:
                return AssetKey([RAW_SOURCE, props.get("identifier") or props["name"]])
            return super().get_asset_key(props)
        return AssetKey(asset_keys.model_key_path(props))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return None
        return asset_keys.group_name(dbt_resource_props)


translator = SearchlightTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtBuildConfig(Config):
    """Run config of the dbt step (launchpad: ops → searchlight_dbt → config)."""

    as_of: str | None = Field(
        default=None, description="evaluation date YYYY-MM-DD; default: the project's own")
    full_refresh: bool = Field(
        default=False, description="rebuild incremental models (the ledger survives it)")
    unit_tests: bool = Field(default=False, description="also run dbt unit tests")

    @field_validator("as_of")
    @classmethod
    def _iso_date(cls, v: str | None) -> str | None:
        return None if not v else dt.date.fromisoformat(v).isoformat()


def dbt_build_args(config: DbtBuildConfig, key_changed: bool = False) -> list[str]:
    """The `dbt build` arguments: the same function `searchlight run` uses (the ledger
    marts are views built with everything else, ledger/sync.py). A changed pseudonym key
    forces a full refresh (searchlight/pseudonym_guard.py)."""
    return build_args(config.as_of, config.full_refresh or key_changed, config.unit_tests)


def build_dbt_assets(manifest: Path | None = None) -> list[AssetsDefinition]:
    """The dbt build and the publish step after it, from the project's manifest.

    ``@dbt_assets`` reads the manifest when it is applied, so this runs ``dbt parse`` first
    when the manifest is missing or stale (``ensure_manifest``): an entry point
    (``definitions.py``, the tests) calls it, importing this module does no work.
    """
    manifest = manifest or ensure_manifest()

    @dbt_assets_decorator(
        manifest=manifest,
        project=dbt_project(),
        dagster_dbt_translator=translator,
        name="searchlight_dbt",
        pool=WAREHOUSE_POOL,
    )
    def searchlight_dbt(context: AssetExecutionContext, dbt: DbtCliResource,
                        searchlight: SearchlightResource, config: DbtBuildConfig):
        yield from run_dbt_build(context, dbt, searchlight, config)

    return [searchlight_dbt, build_published_marts(searchlight_dbt)]


def run_dbt_build(context: AssetExecutionContext, dbt: DbtCliResource,
                  searchlight: SearchlightResource, config: DbtBuildConfig):
    """The body of the ``searchlight_dbt`` step: ledger restore, key guard, ``dbt build``."""
    from ledger.sync import restore
    from searchlight import pseudonym_guard

    restore(searchlight.warehouse)  # remembered first detections (source ledger)
    key_changed = pseudonym_guard.key_changed(searchlight.warehouse)
    if key_changed:
        context.log.warning("the pseudonym key changed: incremental models rebuilt in full")
    with searchlight.dbt_environment():
        invocation = dbt.cli(dbt_build_args(config, key_changed), context=context)
    yield from invocation.stream()
    pseudonym_guard.remember_key(searchlight.warehouse)


def _mart_keys(assets_def: AssetsDefinition) -> list[AssetKey]:
    """The marts the publish step copies (every dbt asset while the project has no mart)."""
    keys = [k for k in assets_def.keys if k.path[0] == "marts"] or list(assets_def.keys)
    return sorted(keys, key=lambda k: k.to_user_string())


def build_published_marts(searchlight_dbt: AssetsDefinition) -> AssetsDefinition:
    """The publish step, downstream of every mart of ``searchlight_dbt`` and the ledger."""

    @asset(
        key=AssetKey(["published", "marts"]),
        deps=[*_mart_keys(searchlight_dbt), *LEDGER_KEYS],
        group_name="published",
        pool=WAREHOUSE_POOL,
        kinds={"parquet"},
        description="The marts as Parquet beside the warehouse, a complete new version per "
                    "run switched at once (searchlight/publish.py), for BI tools, SQL clients "
                    "and the console, which must not open the file a build writes.",
    )
    def published_marts(searchlight: SearchlightResource) -> MaterializeResult:
        from searchlight.publish import publish_marts

        out = publish_marts(searchlight.warehouse)
        files = sorted(p.name for p in out.glob("*.parquet"))
        return MaterializeResult(metadata={"path": str(out), "tables": len(files),
                                           "files": ", ".join(files)})

    return published_marts
