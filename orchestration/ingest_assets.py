"""One asset per raw source (``raw/<source>``) and the load ledger of every delivered file.

Each asset loads the new files of its landing folder with ``ingest.load.load_source`` —
the function ``searchlight run`` uses — and reports what happened to every file: loaded,
duplicate or refused, with row counts and the reason for a refusal. A refused file or a
quarantined row is not a failure (contract/outputs.md): it is counted and shown.
"""

from collections.abc import Sequence

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
    multi_asset,
)

from ingest.sources import DUCKDB_TYPES, LINEAGE_COLUMNS, SOURCES, Source
from orchestration.resources import WAREHOUSE_POOL, SearchlightResource

RAW_GROUP = "raw"
LOAD_FILES_KEY = AssetKey(["raw", "load_files"])
QUARANTINE_KEY = AssetKey(["raw", "quarantine"])


def raw_key(source_name: str) -> AssetKey:
    return AssetKey(["raw", source_name])


def column_schema(source: Source) -> TableSchema:
    columns = [
        TableColumn(c.name, DUCKDB_TYPES[c.kind],
                    description=" · ".join(x for x in (
                        "/".join(c.aliases), c.meaning, "personal" if c.personal else "",
                        "one of " + ", ".join(c.values) if c.values else "") if x))
        for c in source.columns
    ]
    columns += [TableColumn(name, typ, description="lineage") for name, typ in
                LINEAGE_COLUMNS.items()]
    return TableSchema(columns=columns)


def load_metadata(results: Sequence, table_rows: int | None = None) -> dict:
    """Materialization metadata from the FileResults of one load."""
    loaded = [r for r in results if r.status == "loaded"]
    refused = [r for r in results if r.status == "refused"]
    duplicates = [r for r in results if r.status == "duplicate"]
    lines = ["| file | status | read | loaded | quarantined | note |",
             "|---|---|---:|---:|---:|---|"]
    for r in results:
        if r.seen_before:  # decided by an earlier run: counted, not listed
            continue
        note = r.message or (f"extra columns kept: {', '.join(r.extra_columns)}"
                             if r.extra_columns else "")
        lines.append(f"| {r.file_name} | {r.status} | {r.rows_read} | {r.rows_loaded} | "
                     f"{r.rows_quarantined} | {str(note).replace('|', '/')} |")
    already = [r for r in results if r.status == "already loaded"]
    failed = [r for r in refused if r.failed]  # refused because loading itself failed
    metadata = {
        "files": len(results),
        "files_loaded": len(loaded),
        "files_duplicate": len(duplicates),
        "files_refused": len(refused),
        "files_failed": len(failed),
        "files_already_loaded": len(already),
        "rows_loaded": sum(r.rows_loaded or 0 for r in results),
        "rows_quarantined": sum(r.rows_quarantined or 0 for r in results),
        # the batches the expectation check validates (orchestration/checks.py)
        "batch_ids": MetadataValue.json([r.batch_id for r in loaded if r.batch_id]),
        "refused": MetadataValue.json(
            [{"file": r.file_name, "message": r.message} for r in refused]),
        "file_report": MetadataValue.md("\n".join(lines) if results else "no new files"),
    }
    if table_rows is not None:
        metadata["dagster/row_count"] = table_rows
    return metadata


def build_raw_asset(source: Source) -> AssetsDefinition:
    @asset(
        key=raw_key(source.name),
        group_name=RAW_GROUP,
        pool=WAREHOUSE_POOL,
        kinds={"duckdb", "python"},
        description=(f"{source.title_zh} — raw.{source.name}: every version of every row of "
                     f"the files in landing/{source.name}/, append-only, with batch id, file "
                     "and line. Rejected rows are in raw.quarantine."),
        metadata={"dagster/column_schema": column_schema(source),
                  "dagster/table_name": f"raw.{source.name}",
                  "business_key": ", ".join(source.key), "family": source.family},
    )
    def _raw(context: AssetExecutionContext, searchlight: SearchlightResource):
        from ingest.load import load_source

        with searchlight.connect() as con:
            results = load_source(con, source.name, searchlight.landing)
            rows = _table_rows(con, source.name)
        for r in results:
            if r.status == "refused" and r.failed:
                context.log.error(f"{r.file_name} refused: {r.message}")
            elif r.status == "refused":
                context.log.warning(f"{r.file_name} refused: {r.message}")
        return MaterializeResult(metadata=load_metadata(results, rows))

    return _raw


def _table_rows(con, source_name: str) -> int | None:
    try:
        return con.execute(f"select count(*) from raw.{source_name}").fetchone()[0]
    except duckdb.CatalogException:  # no table yet
        return None


raw_assets: list[AssetsDefinition] = [build_raw_asset(s) for s in SOURCES.values()]


@multi_asset(
    specs=[
        AssetSpec(LOAD_FILES_KEY, group_name=RAW_GROUP, kinds={"duckdb"},
                  deps=[a.key for a in raw_assets],
                  description="One row per delivered file: loaded, duplicate or refused, "
                              "with row counts that reconcile (rows_read = loaded + "
                              "quarantined). Written by every raw load; this step also "
                              "refuses, by name, files outside any source folder."),
        AssetSpec(QUARANTINE_KEY, group_name=RAW_GROUP, kinds={"duckdb"},
                  deps=[a.key for a in raw_assets],
                  description="Every rejected row with its file, line and reason. Written "
                              "by every raw load; this step reports the totals."),
    ],
    name="raw_load_ledger",
    pool=WAREHOUSE_POOL,
)
def raw_load_ledger(context: AssetExecutionContext, searchlight: SearchlightResource):
    from ingest.load import ensure_raw_schema, refuse_unknown

    with searchlight.connect() as con:
        ensure_raw_schema(con)
        stray = refuse_unknown(con, searchlight.landing) if searchlight.landing.is_dir() else []
        by_status = dict(con.execute(
            "select status, count(*) from raw.load_files group by status").fetchall())
        files = sum(by_status.values())
        by_source = dict(con.execute(
            "select source, count(*) from raw.quarantine group by source").fetchall())
        quarantined = sum(by_source.values())
    for r in stray:
        context.log.warning(r.message)
    yield MaterializeResult(asset_key=LOAD_FILES_KEY, metadata={
        "dagster/row_count": files,
        "by_status": MetadataValue.json(by_status),
        "stray_files_refused": MetadataValue.json([r.message for r in stray]),
    })
    yield MaterializeResult(asset_key=QUARANTINE_KEY, metadata={
        "dagster/row_count": quarantined,
        "by_source": MetadataValue.json(by_source),
    })


all_raw_assets: list[AssetsDefinition] = [*raw_assets, raw_load_ledger]

__all__ = ["all_raw_assets", "build_raw_asset", "load_metadata", "raw_key"]
