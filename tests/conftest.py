import datetime as dt
import json
import os
from pathlib import Path

import pytest

# Tests never talk to the network: dbt tracking and GX analytics off.
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

DEMO_SCALE = 0.1  # about 1,000 cases: every planted scenario, a fast build
DEMO_SEED = 11


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The demo district generated and run once for every test that reads it."""
    from searchlight import pipeline
    from synthetic.district import generate_district

    out = tmp_path_factory.mktemp("demo")
    generate_district(out, scale=DEMO_SCALE, seed=DEMO_SEED)
    warehouse = out / "warehouse.duckdb"
    first = pipeline.run(out / "landing", warehouse, progress=False)
    return out, warehouse, first


CONFORMANCE = Path(__file__).parent / "conformance"
CONFORMANCE_EXPECTED = json.loads(
    (CONFORMANCE / "expected_alerts.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def conformance_duckdb(tmp_path_factory):
    """The conformance landing built once on DuckDB (test_conformance, test_spark)."""
    from searchlight import pipeline

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEARCHLIGHT_PSEUDONYM_KEY", CONFORMANCE_EXPECTED["pseudonym_key"])
        warehouse = tmp_path_factory.mktemp("conformance") / "c.duckdb"
        report = pipeline.run(CONFORMANCE / "landing", warehouse,
                              as_of=dt.date.fromisoformat(CONFORMANCE_EXPECTED["as_of"]),
                              progress=False, publish=False)
    return warehouse, report
