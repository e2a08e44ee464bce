"""A new pseudonym key never leaves two pseudonyms for one person in the warehouse.

The incremental staging models keep the pseudonyms of earlier runs; searchlight/
pseudonym_guard.py makes a run under another key rebuild them in full.
"""

from __future__ import annotations

import duckdb
import pytest

from searchlight import pseudonym_guard
from searchlight.dbt_plugin import KEY_ENV, pseudonym_macro_sql


@pytest.mark.unit
def test_fingerprint_is_remembered_and_compared(tmp_path, monkeypatch):
    warehouse = tmp_path / "w.duckdb"
    assert not pseudonym_guard.key_changed(warehouse)  # nothing built yet
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema staging")
        con.execute("create table staging.stg_cases_versions (case_id varchar)")
    # staging without a fingerprint: built before the guard, key unknown -> rebuild once
    assert pseudonym_guard.key_changed(warehouse)

    monkeypatch.setenv(KEY_ENV, "key-one")
    pseudonym_guard.remember_key(warehouse)
    assert not pseudonym_guard.key_changed(warehouse)
    monkeypatch.setenv(KEY_ENV, "key-two")
    assert pseudonym_guard.key_changed(warehouse)
    # the fingerprint is not the key, nor a pseudonym of anything users hold
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stored = con.execute("select fingerprint from meta.pseudonym_key").fetchone()[0]
    assert "key-one" not in stored and len(stored) == 16


@pytest.mark.e2e
def test_a_run_under_a_new_key_rebuilds_every_pseudonym(tmp_path, monkeypatch, demo_run,
                                                       copy_demo):
    from searchlight import pipeline

    source, _, _ = demo_run
    warehouse = copy_demo(tmp_path)

    monkeypatch.setenv(KEY_ENV, "a-rotated-key")
    report = pipeline.run(source / "landing", warehouse, progress=False, publish=False)
    assert report.key_changed
    assert report.load.rows_loaded == 0  # nothing new: only the key changed

    with duckdb.connect(str(warehouse)) as con:
        con.execute(pseudonym_macro_sql("a-rotated-key"))
        stale = con.execute(
            "select count(*) from staging.stg_cases_versions v "
            "join raw.cases r on r._batch_id = v.source_batch_id and r._line = v.source_line "
            "where v.applicant_key is distinct from sl_pseudonym(r.applicant_id)").fetchone()[0]
        rows = con.execute("select count(*) from staging.stg_cases_versions").fetchone()[0]
    assert rows > 0 and stale == 0

    again = pipeline.run(source / "landing", warehouse, progress=False, publish=False)
    assert not again.key_changed
