import os

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
