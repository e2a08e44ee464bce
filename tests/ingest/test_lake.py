"""The loader's output copied to the Parquet lake (ingest/lake.py), for the Spark target.

These run on DuckDB alone (no Spark): they prove the lake keeps the loader's guarantees,
a batch whole or not at all, counts that reconcile, nothing twice.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.lake import (
    LakeExportError,
    batch_file,
    export_raw,
    export_schema,
    lake_tables,
    reconcile,
)
from ingest.load import load_landing

from .conftest import CASES_HEADER, RESIDENT_IDS, case_row

pytestmark = pytest.mark.unit


def parquet_rows(path: Path) -> int:
    with duckdb.connect() as con:
        return con.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0]


@pytest.fixture
def loaded(tmp_path, write, landing):
    """Two case files (one with a quarantined row) loaded into a loader database."""
    write("cases/a.csv", "\n".join([CASES_HEADER, case_row("C1"), case_row("C2")]) + "\n")
    write("cases/b.csv", "\n".join([CASES_HEADER, case_row("C3", RESIDENT_IDS[1]),
                                    case_row("C4", "not-an-id")]) + "\n")
    db = tmp_path / "loader.duckdb"
    report = load_landing(db, landing, progress=False)
    return db, tmp_path / "lake", report


def test_every_loaded_batch_becomes_one_parquet_file_with_its_rows(loaded):
    db, lake, report = loaded
    exported = export_raw(db, lake)
    batches = {f.batch_id: f for f in report.files if f.status == "loaded"}
    assert sorted(exported.batches_exported) == sorted(batches)
    for batch_id, result in batches.items():
        assert parquet_rows(batch_file(lake, "cases", batch_id)) == result.rows_loaded
    quarantined = [f for f in batches.values() if f.rows_quarantined]
    assert len(quarantined) == 1
    assert parquet_rows(batch_file(lake, "quarantine", quarantined[0].batch_id)) == 1
    assert parquet_rows(lake / "raw" / "load_files" / "data.parquet") == len(report.files)
    assert reconcile(db, lake) == []


def test_a_second_export_writes_nothing_and_a_missing_batch_is_exported_again(loaded):
    db, lake, _ = loaded
    first = export_raw(db, lake)
    assert export_raw(db, lake).batches_exported == []
    lost = batch_file(lake, "cases", first.batches_exported[0])
    lost.unlink()  # e.g. a run killed after the loader's commit, before the export
    assert reconcile(db, lake) != []
    assert export_raw(db, lake).batches_exported == [first.batches_exported[0]]
    assert reconcile(db, lake) == []


def test_no_file_name_has_a_colon_and_no_temporary_file_is_left(loaded):
    db, lake, _ = loaded
    export_raw(db, lake)
    names = [p.name for p in lake.rglob("*") if p.is_file()]
    assert names and not [n for n in names if ":" in n or n.endswith(".tmp")]


def test_rows_that_do_not_match_the_loaders_count_are_not_exported(loaded):
    db, lake, report = loaded
    batch = next(f.batch_id for f in report.files if f.status == "loaded")
    with duckdb.connect(str(db)) as con:
        con.execute("update raw.load_files set rows_loaded = rows_loaded + 1 "
                    "where batch_id = ?", [batch])
    with pytest.raises(LakeExportError, match="the loader recorded"):
        export_raw(db, lake)
    assert not batch_file(lake, "cases", batch).exists()
    assert not list(lake.rglob("*.tmp"))


def test_a_stray_file_in_the_lake_is_reported(loaded):
    db, lake, _ = loaded
    export_raw(db, lake)
    copied = next((lake / "raw" / "cases").glob("*.parquet"))
    (lake / "raw" / "cases" / "cases-000000000000.parquet").write_bytes(copied.read_bytes())
    assert [p for p in reconcile(db, lake) if "no loaded batch" in p]


def test_lake_tables_carry_the_loaders_types_even_for_a_source_never_delivered(loaded):
    db, lake, _ = loaded
    export_raw(db, lake)
    tables = {(t.schema, t.name): dict(t.columns) for t in lake_tables(db, lake)}
    assert tables[("raw", "cases")]["submitted_at"] == "TIMESTAMP"
    assert tables[("raw", "staff")]["staff_id"] == "VARCHAR"  # no staff file landed


def test_a_schema_of_small_tables_is_rewritten_whole(tmp_path):
    db = tmp_path / "loader.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema ledger")
        con.execute("create table ledger.state as select 1 as n")
    assert export_schema(db, tmp_path / "lake", "ledger") == ["ledger.state"]
    with duckdb.connect(str(db)) as con:
        con.execute("insert into ledger.state values (2)")
    export_schema(db, tmp_path / "lake", "ledger")
    assert parquet_rows(tmp_path / "lake" / "ledger" / "state" / "data.parquet") == 2
