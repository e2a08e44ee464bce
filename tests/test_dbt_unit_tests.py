"""dbt unit tests of every rule and model, run as part of `make test`.

Production builds leave unit tests out (they run one after another, stack-pitfalls §3);
here they run against an empty warehouse: `dbt run --empty` creates every relation the
fixtures take their column types from, then `dbt test` runs the unit tests.
"""

from __future__ import annotations

import duckdb

from ingest.load import ensure_raw_schema
from ledger.sync import restore
from searchlight import dbt


def test_every_dbt_unit_test_passes(tmp_path):
    warehouse = tmp_path / "unit.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
    restore(warehouse)  # the ledger schema, as every run has it before dbt builds
    dbt.invoke(["seed"], warehouse)  # reference data (seeds/), as every build loads it
    dbt.invoke(["run", "--empty"], warehouse, vars={"as_of": "2025-05-20"})
    result = dbt.invoke(["test", "--select", "test_type:unit"], warehouse)
    assert result.failures == []
    assert result.node_count >= 18  # at least a firing and a quiet case for each T rule
