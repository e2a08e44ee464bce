"""The Spark target's configuration and table declarations, without starting Spark."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.lake import LakeTable
from searchlight.spark import catalog, session

pytestmark = pytest.mark.unit


def test_the_session_takes_the_spark_profiles_parameters_rendered_with_the_warehouse(
        tmp_path, monkeypatch):
    monkeypatch.setenv("SEARCHLIGHT_WAREHOUSE", str(tmp_path))
    monkeypatch.delenv("SEARCHLIGHT_SPARK_MASTER", raising=False)
    params = session.profile_parameters()
    assert params["spark.sql.session.timeZone"] == "Asia/Shanghai"
    assert params["spark.ui.enabled"] == "false"
    assert params["spark.master"] == "local[2]"
    assert params["spark.sql.warehouse.dir"] == f"{tmp_path}/spark-warehouse"
    assert f"databaseName={tmp_path}/metastore_db" in params[
        "spark.hadoop.javax.jdo.option.ConnectionURL"]
    assert params["spark.sql.ansi.enabled"] == "false"  # as dbt-spark forces it


def test_the_profile_needs_the_warehouse(monkeypatch):
    monkeypatch.delenv("SEARCHLIGHT_WAREHOUSE", raising=False)
    with pytest.raises(KeyError, match="SEARCHLIGHT_WAREHOUSE"):
        session.profile_parameters()


def test_lake_columns_get_spark_types_and_an_unknown_type_is_an_error():
    assert catalog.spark_type("TIMESTAMP") == "TIMESTAMP_NTZ"  # DuckDB's wall-clock time
    assert catalog.spark_type("DECIMAL(18,2)") == "DECIMAL(18,2)"
    assert catalog.spark_type("VARCHAR") == "STRING"
    with pytest.raises(ValueError, match="INTERVAL"):
        catalog.spark_type("INTERVAL")


def test_a_lake_table_is_declared_external_with_its_columns_and_folder(tmp_path):
    table = LakeTable("raw", "cases", (("case_id", "VARCHAR"), ("updated_at", "TIMESTAMP")),
                      tmp_path / "raw" / "cases")
    create, drop, declare = catalog.table_ddl(table)
    assert create == "CREATE DATABASE IF NOT EXISTS `raw`"
    assert drop == "DROP TABLE IF EXISTS `raw`.`cases`"
    assert declare == ("CREATE TABLE `raw`.`cases` (`case_id` STRING, `updated_at` "
                       f"TIMESTAMP_NTZ) USING parquet LOCATION '{Path(tmp_path).as_uri()}"
                       "/raw/cases'")


def test_the_pseudonym_function_holds_the_pads_not_the_key():
    from searchlight.dbt_plugin import hmac_pads

    sql = session.pseudonym_function_sql("a-secret-key")
    assert "a-secret-key" not in sql
    assert all(pad in sql for pad in hmac_pads("a-secret-key"))
    assert sql.startswith("CREATE OR REPLACE TEMPORARY FUNCTION sl_pseudonym")
