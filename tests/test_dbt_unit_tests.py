"""dbt unit tests of every rule and model: one pytest case each, so `-k f03` runs one rule's.

Production builds leave unit tests out (they run one after another, stack-pitfalls §3);
here they run against an empty warehouse: `dbt build --empty` of models and seeds creates
the relations the fixtures take their column types from (the tested models and everything
upstream), then one `dbt test` runs the unit tests this session selected, and each case
reads its own result from that run.

    pytest tests/test_dbt_unit_tests.py -k f03      # the unit tests of F03 only
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import pytest

from ingest.load import ensure_raw_schema
from ledger.sync import restore
from orchestration.prepare import ensure_manifest
from searchlight import dbt

pytestmark = pytest.mark.dbt

@dataclass(frozen=True)
class UnitTest:
    unique_id: str
    model: str
    name: str
    selector: str  # dotted fqn: selects exactly this unit test

    @property
    def label(self) -> str:
        return f"{self.model}.{self.name}"


def manifest_unit_tests() -> list[UnitTest]:
    """The project's unit tests, from the manifest (`dbt parse` first when it is stale)."""
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return sorted((UnitTest(uid, node["model"], node["name"], ".".join(node["fqn"]))
                   for uid, node in manifest["unit_tests"].items()), key=lambda u: u.label)


UNIT_TESTS = manifest_unit_tests()


@pytest.fixture(scope="session")
def unit_test_results(request, tmp_path_factory) -> dict[str, tuple[str, str]]:
    """One dbt run for the unit tests of this session's selected cases: unique_id ->
    (status, message)."""
    selected = sorted({item.callspec.params["unit_test"] for item in request.session.items
                       if item.originalname == "test_dbt_unit_test"},
                      key=lambda u: u.label)
    warehouse = tmp_path_factory.mktemp("dbt_unit") / "unit.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
    restore(warehouse)  # the ledger schema, as every run has it before dbt builds
    models = sorted({f"+{u.model}" for u in selected})
    # Models and seeds only (a seed a model reads must exist too). No --vars: a var that
    # differs from the last parse's makes dbt parse the whole project again; the empty
    # relations have the same columns whatever as_of is.
    dbt.invoke(["build", "--empty", "--select", *models, "--resource-type", "model",
                "--resource-type", "seed"], warehouse)
    try:
        result = dbt.invoke(["test", "--no-use-colors", "--select",
                             *(u.selector for u in selected)], warehouse)
    except dbt.DbtError as failed:  # a failing unit test: each case reports its own
        if failed.result is None or not failed.result.nodes:
            raise
        result = failed.result
    return {n["unique_id"]: (n["status"], n["message"]) for n in result.nodes}


@pytest.mark.parametrize("unit_test", UNIT_TESTS, ids=lambda u: u.label)
def test_dbt_unit_test(unit_test: UnitTest, unit_test_results):
    status, message = unit_test_results.get(unit_test.unique_id,
                                            ("not run", "dbt did not run this unit test"))
    if status != "pass":
        pytest.fail(f"{unit_test.label}: {status}\n{message}", pytrace=False)


def test_the_rules_have_unit_tests_to_run():
    # at least a firing and a quiet case for each T rule; each test selects itself alone
    assert len(UNIT_TESTS) >= 18
    assert len({u.selector for u in UNIT_TESTS}) == len(UNIT_TESTS)
