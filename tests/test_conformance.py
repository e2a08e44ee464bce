"""The shared conformance cases (tests/conformance, a copy of ../shared/conformance).

Their expected alerts were computed by hand and by an independent implementation of
contract/rules.md. For every rule Searchlight implements (every rule in
marts.rule_coverage), marts.alerts must hold exactly the expected subjects with the
expected severities: nothing missing, nothing more.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

CONFORMANCE = Path(__file__).parent / "conformance"
EXPECTED = json.loads((CONFORMANCE / "expected_alerts.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def conformance_warehouse(conformance_duckdb):
    """Built once per test session (tests/conftest.py): tests/test_spark.py compares it."""
    return conformance_duckdb


def implemented_rules(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [r[0] for r in con.execute(
            "select distinct rule_code from marts.rule_coverage order by 1").fetchall()]


def alerts_of(warehouse: Path, rule_code: str) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select subject_id, severity from marts.alerts where rule_code = ?",
                           [rule_code]).fetchall()
    return dict(rows)


def test_every_conformance_file_loads_without_quarantine(conformance_warehouse):
    _, report = conformance_warehouse
    assert [f for f in report.load.files if f.status != "loaded"] == []
    assert sum(f.rows_quarantined for f in report.load.files) == 0


def test_the_case_timeliness_rules_are_implemented(conformance_warehouse):
    warehouse, _ = conformance_warehouse
    rules = implemented_rules(warehouse)
    assert {f"T0{i}" for i in range(1, 10)} <= set(rules)


@pytest.mark.parametrize("rule_code", sorted(EXPECTED["alerts"]))
def test_alerts_match_the_hand_computed_cases(conformance_warehouse, rule_code):
    warehouse, _ = conformance_warehouse
    if rule_code not in implemented_rules(warehouse):
        pytest.xfail(f"{rule_code} is not implemented yet (its issue is still open)")
    assert alerts_of(warehouse, rule_code) == EXPECTED["alerts"][rule_code]
