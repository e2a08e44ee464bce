"""dbt docs for auditors (issue 14 item 16): an overview in both languages instead of dbt's
stock "Welcome!" page, and a description for every column of the marts users read.

The columns are those the built warehouse has (the demo's), not those the YAML happens to
list: a column added to a model without a description fails here.
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from orchestration.prepare import ensure_manifest

USER_MARTS = ("alerts", "rule_coverage", "supervision_ledger", "rule_precision",
              "staff_cards", "integrity_risk_index", "dept_alerts_monthly")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(ensure_manifest().read_text(encoding="utf-8"))


@pytest.mark.dbt
def test_the_docs_open_on_an_overview_for_auditors_in_both_languages(manifest):
    overview = [d for d in manifest["docs"].values()
                if d["name"] == "__overview__" and d["package_name"] == "searchlight"]
    assert overview, "no {% docs __overview__ %} in the project: dbt shows its Welcome page"
    text = overview[0]["block_contents"]
    assert len(CJK.findall(text)) > 200, "the overview needs its Chinese half"
    for english in ("What Searchlight does", "How to read a rule's page",
                    "Where the legal basis and the thresholds are"):
        assert english in text
    for chinese in ("探照灯做什么", "怎样阅读一条规则的页面", "法律依据和阈值在哪里"):
        assert chinese in text
    for pointer in ("legal_basis", "thresholds", "dbt_project.yml", "models/warnings"):
        assert pointer in text


def test_every_column_of_the_marts_users_read_is_described(manifest, demo_run):
    _, warehouse, _ = demo_run
    models = {n["name"]: n for n in manifest["nodes"].values()
              if n["resource_type"] == "model" and n["name"] in USER_MARTS}
    assert set(models) == set(USER_MARTS)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        built = con.execute(
            "select table_name, list(column_name order by ordinal_position) "
            "from information_schema.columns where table_schema = 'marts' "
            f"and table_name in ({', '.join('?' for _ in USER_MARTS)}) group by 1",
            list(USER_MARTS)).fetchall()
    assert {t for t, _ in built} == set(USER_MARTS)
    undescribed = {
        table: [c for c in columns
                if not (models[table]["columns"].get(c) or {}).get("description", "").strip()]
        for table, columns in built}
    assert {t: cs for t, cs in undescribed.items() if cs} == {}
