"""Publish the marts as Parquet beside the warehouse for BI tools, SQL clients and the console.

Readers must never need the file a build writes: DuckDB allows one writer and no reader
beside it, and DuckDB 2.0 files cannot be opened by the older DuckDB builds that BI
drivers bundle.

A publication is atomic as a whole, not table by table: a reader must never see this
run's alerts beside the last run's coverage. Each run writes a complete new version
folder, then switches one symlink:

    <warehouse stem>_published/
        versions/<id>/marts/<table>.parquet   every table of schema marts, this run
        versions/<id>/catalog/rules.parquet   the rule catalogue this build ran with
        versions/<id>/PUBLISHED.json          when, as of which day, which tables, rows
        current -> versions/<id>              switched with one rename (atomic on POSIX)
        marts   -> current/marts              the path BI readers use, unchanged
        catalog -> current/catalog

``<published>/marts/alerts.parquet`` is the same path as before versions existed; it
resolves through ``current`` to the newest complete version. The two versions before the
current one are kept, so a reader that resolved the old path a moment ago can finish
reading; older ones are removed.

The rule catalogue (code, family, names, severity, legal basis, subject, thresholds in
force) comes from the ``meta`` of the warning models in the dbt manifest of the build
that just ran: the console and BI readers show a rule's basis and thresholds from the
same snapshot as its alerts, on any warehouse ``searchlight run`` built.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb

from searchlight.paths import DBT_PROJECT_DIR

KEEP_PREVIOUS_VERSIONS = 2
CATALOG_COLUMNS = ("rule_code", "rule_family", "name_zh", "name_en", "severity",
                   "legal_basis", "legal_basis_en", "subject_type", "subject", "thresholds",
                   "model")


def published_dir(warehouse: Path) -> Path:
    return Path(warehouse).with_suffix("").parent / (Path(warehouse).stem + "_published")


def current_version(published: Path) -> Path | None:
    """The folder of the version readers see now, or None when nothing is published."""
    current = Path(published) / "current"
    if current.is_symlink() or current.is_dir():
        resolved = current.resolve()
        return resolved if resolved.is_dir() else None
    return None


def publish_marts(warehouse: Path, schema: str = "marts",
                  manifest: Path | None = None,
                  write_tables: Callable[[Path], dict[str, int]] | None = None) -> Path:
    """Write a new version of every table of ``schema`` and switch readers to it.

    write_tables(folder) writes each table to ``folder/<table>.parquet`` and returns the
    row counts; default: from the DuckDB warehouse (the Spark target passes its own,
    searchlight/spark/publish.py). Returns ``<published>/<schema>``, the stable path
    readers use."""
    published = published_dir(warehouse)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    version = published / "versions" / f"{stamp}-{uuid.uuid4().hex[:6]}"
    out = version / schema
    out.mkdir(parents=True)
    try:
        tables = (write_tables(out) if write_tables
                  else _write_tables(warehouse, schema, out))
        rules = write_rule_catalog(manifest or DBT_PROJECT_DIR / "target" / "manifest.json",
                                   version / "catalog" / "rules.parquet")
        (version / "PUBLISHED.json").write_text(json.dumps({
            "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "warehouse": str(Path(warehouse).resolve()),
            "schema": schema, "tables": tables, "rules_in_catalog": rules,
        }, ensure_ascii=False, indent=2), encoding="utf-8")
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    _switch(published, version, schema)
    _prune(published)
    return published / schema


def _write_tables(warehouse: Path, schema: str, out: Path) -> dict[str, int]:
    tables: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "order by table_name", [schema]).fetchall()]
        for table in names:
            target = out / f"{table}.parquet"
            con.execute(f"copy {schema}.\"{table}\" to '{target}' (format parquet)")
            tables[table] = con.execute(
                f"select count(*) from {schema}.\"{table}\"").fetchone()[0]
    return tables


def rule_catalog(manifest: Path) -> list[dict]:
    """One row per warning rule from the models' ``meta`` (the rule catalogue: rules.md)."""
    if not Path(manifest).exists():
        return []
    nodes = json.loads(Path(manifest).read_text(encoding="utf-8")).get("nodes", {})
    rows = []
    for node in nodes.values():
        meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
        if node.get("resource_type") != "model" or not meta.get("code"):
            continue
        rows.append({
            "rule_code": str(meta["code"]), "rule_family": meta.get("family"),
            "name_zh": meta.get("name_zh"), "name_en": meta.get("name_en"),
            "severity": meta.get("severity"), "legal_basis": meta.get("legal_basis"),
            "legal_basis_en": meta.get("legal_basis_en"),
            "subject_type": meta.get("subject_type"), "subject": meta.get("subject"),
            "thresholds": json.dumps(meta.get("thresholds") or {}, ensure_ascii=False,
                                     sort_keys=True),
            "model": node.get("name"),
        })
    return sorted(rows, key=lambda r: r["rule_code"])


def write_rule_catalog(manifest: Path, target: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = rule_catalog(manifest)
    target.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(
        [{c: r.get(c) for c in CATALOG_COLUMNS} for r in rows],
        schema=pa.schema([(c, pa.string()) for c in CATALOG_COLUMNS]))
    pq.write_table(table, target)
    return len(rows)


def _switch(published: Path, version: Path, schema: str) -> None:
    """Point ``current`` at ``version`` in one rename; make the stable links once."""
    tmp = published / f".current-{version.name}"
    tmp.unlink(missing_ok=True)
    os.symlink(Path("versions") / version.name, tmp, target_is_directory=True)
    os.replace(tmp, published / "current")
    for name in (schema, "catalog"):
        link = published / name
        if link.is_symlink():
            continue
        if link.exists():
            # A folder from before versions: once, moved aside and replaced by the link.
            aside = published / f".{name}-before-versions"
            shutil.rmtree(aside, ignore_errors=True)
            link.rename(aside)
            os.symlink(Path("current") / name, link, target_is_directory=True)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.symlink(Path("current") / name, link, target_is_directory=True)


def _prune(published: Path) -> None:
    current = current_version(published)
    versions = sorted((p for p in (published / "versions").iterdir() if p.is_dir()),
                      key=lambda p: p.name)
    older = [v for v in versions if current is None or v.resolve() != current]
    for stale in older[:-KEEP_PREVIOUS_VERSIONS] if KEEP_PREVIOUS_VERSIONS else older:
        shutil.rmtree(stale, ignore_errors=True)
