"""Every rule's catalog entry (meta) and docs, read from dbt's manifest.

The auditors read a rule's definition, thresholds and basis in dbt docs; the dashboard
reads its meta. These tests keep both complete for every warn_ model and tie
meta.thresholds to the dbt vars the rule's SQL reads, so the docs cannot show one number
while the rule runs on another.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

from ingest.seeds import read_seed
from orchestration.prepare import ensure_manifest
from searchlight.dbt import dbt_env, dbt_executable
from searchlight.paths import DBT_PROJECT_DIR

REQUIRED_META = ("code", "family", "name_zh", "name_en", "severity", "legal_basis",
                 "legal_basis_en", "thresholds")
# Vars a rule may read that are not thresholds: the evaluation date and the rule list.
NON_THRESHOLD_VARS = {"as_of", "warning_rules"}
VAR_CALL = re.compile(r"""var\(\s*['"](\w+)['"]""")
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"\b[A-Za-z]{3,}(?:\s+[A-Za-z]{2,}){2,}")  # a few words in a row

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def rules() -> dict[str, dict]:
    manifest = json.loads(ensure_manifest().read_text())
    found = {n["name"]: n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["name"].startswith("warn_")}
    assert len(found) >= 37
    return found


@pytest.fixture(scope="module")
def project_vars() -> dict:
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def test_every_rule_has_its_catalog_meta(rules):
    for name, node in rules.items():
        meta = node["config"]["meta"]
        missing = [k for k in REQUIRED_META if meta.get(k) in (None, "")]
        assert not missing, f"{name}: meta lacks {missing}"
        assert isinstance(meta["thresholds"], dict), name
        # warn_t01_overdue_statutory is T01 of family T
        assert meta["code"] == name.split("_")[1].upper(), name
        assert meta["family"] == meta["code"][0], name
        assert CJK.search(meta["name_zh"]) and CJK.search(meta["legal_basis"]), name
        # English, though it may quote a Chinese term: "Bidding Law, art. 28"
        assert re.match(r"[\"A-Za-z]", meta["legal_basis_en"]), f"{name}: legal_basis_en"


def test_every_description_is_bilingual_and_ends_with_the_basis(rules):
    for name, node in rules.items():
        meta, description = node["config"]["meta"], node["description"].strip()
        chinese, _, english = description.partition("English:")
        assert "中文：" in chinese and CJK.search(chinese.split("中文：", 1)[1]), name
        assert ENGLISH_WORDS.search(english), f"{name}: no English definition"
        basis = description.split("\n\n")[-1]
        assert basis.startswith("**Basis / 依据**"), f"{name}: the basis is not the last paragraph"
        # The description's own line breaks may fall anywhere inside the long names.
        flat = " ".join(basis.split())
        assert meta["legal_basis"] in flat, f"{name}: Chinese basis missing"
        assert meta["legal_basis_en"] in flat, f"{name}: English basis missing"


def test_meta_thresholds_are_the_vars_in_force(rules, project_vars):
    for name, node in rules.items():
        for key, value in node["config"]["meta"]["thresholds"].items():
            assert key in project_vars, f"{name}: threshold {key} is no dbt var"
            assert value == project_vars[key], f"{name}: meta {key}={value!r}, var {project_vars[key]!r}"


def test_every_var_a_rule_reads_is_a_listed_threshold(rules):
    for name, node in rules.items():
        used = set(VAR_CALL.findall(node["raw_code"])) - NON_THRESHOLD_VARS
        listed = set(node["config"]["meta"]["thresholds"])
        assert used <= listed, f"{name}: reads vars {sorted(used - listed)} not in meta.thresholds"


def test_a_vars_override_shows_in_the_rule_meta(tmp_path):
    # The point of "{{ var(...) }}" in meta: docs built under --vars show the values in
    # force, not the defaults. Parse into a scratch target so the shared manifest stays.
    target = tmp_path / "target"
    cmd = [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
           "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
           "--vars", json.dumps({"t06_acceptance_limit_workdays": 7,
                                 "s06_red_categories": ["吃拿卡要", "索贿"]}, ensure_ascii=False)]
    proc = subprocess.run(cmd, env=dbt_env(tmp_path / "w.duckdb"), capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    t06 = nodes["model.searchlight.warn_t06_delay_before_acceptance"]["config"]["meta"]
    s06 = nodes["model.searchlight.warn_s06_qr_feedback"]["config"]["meta"]
    assert t06["thresholds"] == {"t06_acceptance_limit_workdays": 7}
    assert s06["thresholds"]["s06_red_categories"] == ["吃拿卡要", "索贿"]


# seeds/rule_catalogue.csv column -> the rule's meta key: the catalogue an auditor reads
# as a table and the meta the SQL and docs read must say the same.
CATALOGUE_META = {"code": "code", "family": "family", "name_zh": "name_zh",
                  "name_en": "name_en", "severity": "severity", "subject_type": "subject_type",
                  "legal_basis_zh": "legal_basis", "legal_basis_en": "legal_basis_en"}


def test_the_rule_catalogue_seed_lists_every_rule_once(project_vars):
    rows = read_seed("rule_catalogue")
    listed = [f"warn_{rule}" for rule in project_vars["warning_rules"]]
    assert sorted(r["model"] for r in rows) == sorted(listed), (
        "seeds/rule_catalogue.csv and var warning_rules name different rules")
    assert len({r["code"] for r in rows}) == len(rows)


def test_the_rule_catalogue_seed_agrees_with_every_rules_meta(rules):
    for row in read_seed("rule_catalogue"):
        meta = rules[row["model"]]["config"]["meta"]
        differ = {col: (row[col], meta.get(key)) for col, key in CATALOGUE_META.items()
                  if row[col] != meta.get(key)}
        assert not differ, f"{row['model']}: rule_catalogue.csv vs meta (seed, meta): {differ}"
