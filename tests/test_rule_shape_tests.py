"""The two set-based tests every rule carries (macros/generic_tests.sql) find each problem
they stand for: each case plants one bad row in a copy of a rule's model and expects the
test to name it. Without this a test that selects nothing would pass every build.

The tests are compiled by dbt for T03 (the SQL a build runs), then run by DuckDB against
a table standing in for the model.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from ingest.load import ensure_raw_schema
from ledger.sync import restore
from searchlight import dbt
from searchlight.paths import DBT_PROJECT_DIR

pytestmark = pytest.mark.dbt

ALERTS_TEST = "rule_alerts_are_well_formed"
COVERAGE_TEST = "rule_coverage_is_well_formed"
RULE_MODEL = "warn_t03_approaching_deadline"
COVERAGE_MODEL = "cov_t03_approaching_deadline"

GOOD_ALERTS = [("T03-a", "T03", "info", "C1"), ("T03-b", "T03", "yellow", "C2")]
GOOD_SCOPE = [("C1", "T03"), ("C2", "T03")]


@pytest.fixture(scope="module")
def compiled_tests(tmp_path_factory) -> dict[str, str]:
    """test name -> its compiled SQL, the model's relation replaced by `stand_in`."""
    warehouse = tmp_path_factory.mktemp("shape") / "shape.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
    restore(warehouse)
    dbt.invoke(["compile", "--select", f"test_name:{ALERTS_TEST},{RULE_MODEL}",
                f"test_name:{COVERAGE_TEST},{COVERAGE_MODEL}"], warehouse)
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))
    nodes = manifest["nodes"]
    compiled = {}
    for node in nodes.values():
        name = (node.get("test_metadata") or {}).get("name")
        if name in (ALERTS_TEST, COVERAGE_TEST) and node.get("compiled_code"):
            model = nodes[node["depends_on"]["nodes"][0]]
            if model["name"] in (RULE_MODEL, COVERAGE_MODEL):
                compiled[name] = node["compiled_code"].replace(model["relation_name"],
                                                               "stand_in")
    assert set(compiled) == {ALERTS_TEST, COVERAGE_TEST}
    return compiled


def problems(sql: str, columns: str, rows: list[tuple]) -> list[tuple]:
    with duckdb.connect() as con:
        con.execute(f"create table stand_in ({columns})")
        con.executemany(f"insert into stand_in values ({', '.join('?' * len(rows[0]))})",
                        rows)
        return sorted(con.execute(sql).fetchall())


ALERT_COLUMNS = "alert_id varchar, rule_code varchar, severity varchar, subject_id varchar"


@pytest.mark.parametrize("bad_row, expected", [
    ((None, "T03", "info", "C3"), ("alert_id is null", "C3")),
    (("T03-a", "T03", "info", "C3"), ("alert_id appears more than once", "T03-a")),
    (("T03-c", None, "info", "C3"), ("rule_code is null", "T03-c")),
    (("T03-c", "T03", "orange", "C3"), ("severity is not info, yellow or red", "orange")),
    (("T03-c", "T03", "info", None), ("subject_id is null", "T03-c")),
    (("T03-c", "T03", "red", "C1"), ("subject_id appears more than once", "C1")),
], ids=["no-id", "twice-id", "no-rule", "bad-severity", "no-subject", "twice-subject"])
def test_the_alert_test_names_each_problem(compiled_tests, bad_row, expected):
    sql = compiled_tests[ALERTS_TEST]
    assert problems(sql, ALERT_COLUMNS, GOOD_ALERTS) == []
    assert problems(sql, ALERT_COLUMNS, [*GOOD_ALERTS, bad_row]) == [expected]


def test_the_alert_test_lets_a_null_severity_pass_as_accepted_values_did(compiled_tests):
    rows = [*GOOD_ALERTS, ("T03-c", "T03", None, "C3")]
    assert problems(compiled_tests[ALERTS_TEST], ALERT_COLUMNS, rows) == []


@pytest.mark.parametrize("bad_row, expected", [
    ((None, "T03"), ("subject_id is null", "T03")),
    (("C1", "T03"), ("subject_id appears more than once", "C1")),
    (("C3", "T01"), ("rule_code is not T03", "T01")),
], ids=["no-subject", "twice-subject", "other-rule"])
def test_the_coverage_test_names_each_problem(compiled_tests, bad_row, expected):
    sql = compiled_tests[COVERAGE_TEST]
    columns = "subject_id varchar, rule_code varchar"
    assert problems(sql, columns, GOOD_SCOPE) == []
    assert problems(sql, columns, [*GOOD_SCOPE, bad_row]) == [expected]
