"""Every warning rule has all its files, each in its family's folder.

The checklist "Adding a rule" in dbt_project/README.md names the files a rule needs;
this test fails, naming the rule and the file, when one of them is missing or sits in
another family's folder: the rule's SQL, its coverage model, its YAML (holding both
models' entries, at least one unit test and both explanation templates), its row in the
rule catalogue seed, and the dbt vars its SQL reads. The demo planter and oracle are
checked by the synthetic package's own tests.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from ingest.seeds import read_seed
from orchestration.prepare import ensure_manifest
from searchlight.paths import DBT_PROJECT_DIR

pytestmark = pytest.mark.dbt

WARNINGS_DIR = DBT_PROJECT_DIR / "models" / "warnings"
VAR_CALL = re.compile(r"""var\(\s*['"](\w+)['"]\s*\)""")  # no default: the var must exist
PROJECT = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
RULES: list[str] = PROJECT["vars"]["warning_rules"]


@cache
def manifest() -> dict:
    return json.loads(ensure_manifest().read_text(encoding="utf-8"))


def family_folders() -> dict[str, str]:
    return {r["family"]: r["folder"] for r in read_seed("rule_families")}


def rule_files(rule: str) -> dict[str, str]:
    """What the rule needs -> its file name."""
    return {"rule SQL": f"warn_{rule}.sql", "coverage SQL": f"cov_{rule}.sql",
            "rule YAML": f"warn_{rule}.yml"}


def problems_of(rule: str) -> list[str]:
    """Everything missing or misplaced for one rule of var warning_rules."""
    found: list[str] = []
    folder = family_folders().get(rule[0].upper())
    if folder is None:
        return [f"family {rule[0].upper()} has no row (and folder) in seeds/rule_families.csv"]
    home = WARNINGS_DIR / folder
    for what, name in rule_files(rule).items():
        if not (home / name).is_file():
            elsewhere = sorted(str(p.relative_to(DBT_PROJECT_DIR)) for p in WARNINGS_DIR.rglob(name))
            where = f" (found in the wrong folder: {', '.join(elsewhere)})" if elsewhere else ""
            found.append(f"{what} models/warnings/{folder}/{name} is missing{where}")

    yml = f"models/warnings/{folder}/warn_{rule}.yml"
    nodes = manifest()["nodes"]
    for model in (f"warn_{rule}", f"cov_{rule}"):
        node = nodes.get(f"model.searchlight.{model}")
        if node is not None and not (node.get("patch_path") or "").endswith(yml):
            found.append(f"the YAML entry of {model} is not in {yml} "
                         f"(it is in {node.get('patch_path')})")
    unit_tests = [u for u in manifest()["unit_tests"].values()
                  if u["model"] == f"warn_{rule}" and u["original_file_path"] == yml]
    if not unit_tests:
        found.append(f"no unit test of warn_{rule} in {yml}")
    node = nodes.get(f"model.searchlight.warn_{rule}")
    meta = (node or {}).get("config", {}).get("meta") or {}
    for lang in ("zh", "en"):  # its alerts' explanation sentences (macros/explanations.sql)
        if node is not None and not meta.get(f"explanation_{lang}"):
            found.append(f"no meta.explanation_{lang} (the sentence template of its alerts) "
                         f"in {yml}")

    code = str(meta.get("code", rule.split("_")[0].upper()))
    for test, model, arguments in (("rule_alerts_are_well_formed", f"warn_{rule}", {}),
                                   ("rule_coverage_is_well_formed", f"cov_{rule}",
                                    {"rule_code": code})):
        if not has_shape_test(nodes, test, model, arguments):
            found.append(f"no {test} test on {model} in {yml}"
                         + (f" (rule_code: {code})" if arguments else ""))

    if not any(r["model"] == f"warn_{rule}" for r in read_seed("rule_catalogue")):
        found.append(f"no row for warn_{rule} in seeds/rule_catalogue.csv")

    for name in ("rule SQL", "coverage SQL"):
        path = home / rule_files(rule)[name]
        if path.is_file():
            missing = sorted(set(VAR_CALL.findall(path.read_text(encoding="utf-8")))
                             - set(PROJECT["vars"]))
            if missing:
                found.append(f"{path.name} reads vars {missing} that dbt_project.yml lacks")
    return found


def has_shape_test(nodes: dict, test: str, model: str, arguments: dict) -> bool:
    """Is the generic `test` (macros/generic_tests.sql) on `model`, with `arguments`?"""
    for node in nodes.values():
        metadata = node.get("test_metadata") or {}
        if (metadata.get("name") == test
                and f"model.searchlight.{model}" in node["depends_on"]["nodes"]
                and all(str(metadata.get("kwargs", {}).get(k)) == v
                        for k, v in arguments.items())):
            return True
    return False


@pytest.mark.parametrize("rule", RULES)
def test_the_rule_has_every_file_in_its_family_folder(rule):
    problems = problems_of(rule)
    assert not problems, f"rule {rule}:\n  " + "\n  ".join(problems)


def test_every_file_in_a_family_folder_belongs_to_a_listed_rule():
    expected = {f"{folder}/{name}" for rule in RULES
                for folder in [family_folders()[rule[0].upper()]]
                for name in rule_files(rule).values()}
    present = {p.relative_to(WARNINGS_DIR).as_posix() for p in WARNINGS_DIR.rglob("*")
               if p.is_file()}
    stray = sorted(present - expected)
    assert not stray, (f"files under models/warnings/ of no rule in var warning_rules: {stray} "
                       "(add the rule to the var, or move the file to its rule's folder)")


def test_every_family_folder_is_a_family_of_the_catalogue():
    folders = {p.name for p in WARNINGS_DIR.iterdir() if p.is_dir()}
    assert folders <= set(family_folders().values()), sorted(folders - set(family_folders().values()))


def test_a_missing_file_is_named(tmp_path, monkeypatch):
    # The check itself must keep working: a rule whose files are elsewhere is named.
    monkeypatch.setattr(__name__ + ".WARNINGS_DIR", Path(tmp_path))
    problems = problems_of("f03_repeated_applications")
    assert any("rule SQL models/warnings/fairness/warn_f03_repeated_applications.sql is missing"
               in p for p in problems), problems


def test_a_rule_without_its_explanation_templates_is_named(monkeypatch):
    # A manifest whose F03 meta lost its English template: the check names what is missing.
    real = manifest()
    node = real["nodes"]["model.searchlight.warn_f03_repeated_applications"]
    meta = {k: v for k, v in node["config"]["meta"].items() if k != "explanation_en"}
    broken = {**real, "nodes": {**real["nodes"], node["unique_id"]: {
        **node, "config": {**node["config"], "meta": meta}}}}
    monkeypatch.setattr(__name__ + ".manifest", lambda: broken)
    problems = problems_of("f03_repeated_applications")
    yml = "models/warnings/fairness/warn_f03_repeated_applications.yml"
    assert problems == [f"no meta.explanation_en (the sentence template of its alerts) in {yml}"]


def test_a_rule_without_its_shape_tests_is_named(monkeypatch):
    # A manifest whose F03 coverage model lost its test: the check names it.
    real = manifest()
    nodes = {uid: node for uid, node in real["nodes"].items()
             if not ((node.get("test_metadata") or {}).get("name") == "rule_coverage_is_well_formed"
                     and "model.searchlight.cov_f03_repeated_applications"
                     in node["depends_on"]["nodes"])}
    monkeypatch.setattr(__name__ + ".manifest", lambda: {**real, "nodes": nodes})
    problems = problems_of("f03_repeated_applications")
    yml = "models/warnings/fairness/warn_f03_repeated_applications.yml"
    expected = ("no rule_coverage_is_well_formed test on cov_f03_repeated_applications "
                f"in {yml} (rule_code: F03)")
    assert problems == [expected]
