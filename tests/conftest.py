import datetime as dt
import json
import os
from pathlib import Path

import pytest

# Every test has one tier (unit, dbt, e2e, browser, spark): marks, checks and guards.
from tests.tiers import pytest_collection_modifyitems, tier_guard  # noqa: F401

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


@pytest.fixture(scope="session")
def conformance_run(tmp_path_factory):
    """The shared conformance cases (tests/conformance) built once for every test that
    reads them: (warehouse, the run's report). Built under the cases' pseudonym key, set
    for the build only."""

    from searchlight import pipeline

    cases = Path(__file__).parent / "conformance"
    expected = json.loads((cases / "expected_alerts.json").read_text(encoding="utf-8"))
    warehouse = tmp_path_factory.mktemp("conformance") / "c.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEARCHLIGHT_PSEUDONYM_KEY", expected["pseudonym_key"])
        report = pipeline.run(cases / "landing", warehouse,
                              as_of=dt.date.fromisoformat(expected["as_of"]),
                              progress=False, publish=False)
    return warehouse, report


@pytest.fixture(scope="session")
def copy_demo(demo_run):
    """copy_demo(folder) -> a private copy of the demo warehouse, its ledger store and the
    store's head anchor in ``folder``, for a test that changes them: every other test
    reads ``demo_run`` as it was built, and nobody builds the demo twice. The landing
    files are only ever read: use ``demo_run``'s."""
    import shutil

    from ledger import store

    _, source, _ = demo_run

    def copy(folder):
        folder.mkdir(parents=True, exist_ok=True)
        warehouse = folder / source.name
        shutil.copyfile(source, warehouse)
        ledger = store.ledger_path(source)
        shutil.copyfile(ledger, store.ledger_path(warehouse))
        if store.anchor_path(ledger).exists():
            shutil.copyfile(store.anchor_path(ledger),
                            store.anchor_path(store.ledger_path(warehouse)))
        return warehouse

    return copy

