"""Publication is atomic: readers see one complete version, through the same paths."""

from __future__ import annotations

import duckdb
import pytest

from searchlight.publish import current_version, publish_marts, published_dir

pytestmark = pytest.mark.unit


def warehouse_with(tmp_path, n: int):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists marts")
        con.execute(f"create or replace table marts.alerts as select range as i from range({n})")
        con.execute(f"create or replace table marts.rule_coverage as select {n} as n")
    return warehouse


def read(path):
    return duckdb.connect().execute(f"select count(*) from '{path}'").fetchone()[0]


def test_readers_keep_the_path_and_see_the_newest_complete_version(tmp_path):
    warehouse = warehouse_with(tmp_path, 3)
    out = publish_marts(warehouse, manifest=tmp_path / "none.json")
    assert out == published_dir(warehouse) / "marts"
    assert read(out / "alerts.parquet") == 3
    warehouse_with(tmp_path, 5)
    publish_marts(warehouse, manifest=tmp_path / "none.json")
    assert read(out / "alerts.parquet") == 5
    assert read(published_dir(warehouse) / "catalog" / "rules.parquet") == 0


def test_old_versions_are_pruned_but_the_two_before_are_kept(tmp_path):
    warehouse = warehouse_with(tmp_path, 1)
    for _ in range(5):
        publish_marts(warehouse, manifest=tmp_path / "none.json")
    versions = sorted((published_dir(warehouse) / "versions").iterdir())
    assert len(versions) == 3 and versions[-1] == current_version(published_dir(warehouse))


def test_a_folder_published_before_versions_becomes_the_link(tmp_path):
    warehouse = warehouse_with(tmp_path, 2)
    old = published_dir(warehouse) / "marts"
    old.mkdir(parents=True)
    (old / "alerts.parquet").write_bytes(b"old")
    publish_marts(warehouse, manifest=tmp_path / "none.json")
    assert old.is_symlink() and read(old / "alerts.parquet") == 2


def test_a_failed_publication_leaves_the_current_version(tmp_path, monkeypatch):
    warehouse = warehouse_with(tmp_path, 2)
    publish_marts(warehouse, manifest=tmp_path / "none.json")
    before = current_version(published_dir(warehouse))

    def broken(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr("searchlight.publish.write_rule_catalog", broken)
    with pytest.raises(OSError):
        publish_marts(warehouse, manifest=tmp_path / "none.json")
    assert current_version(published_dir(warehouse)) == before
    assert len(list((published_dir(warehouse) / "versions").iterdir())) == 1
