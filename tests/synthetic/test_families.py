"""Every warning rule has a demo planter and oracle: one family module owns it.

A rule added to ``dbt_project.yml`` (var ``warning_rules``) without plants and a ground
truth in ``synthetic/families/`` would be checked by nothing end to end; this test names
the rule and the family module it belongs in.
"""

from __future__ import annotations

import pytest
import yaml

from searchlight.paths import DBT_PROJECT_DIR
from synthetic.families import CASE_PLANTERS, FAMILY_MODULES, ROW_FAMILIES

pytestmark = pytest.mark.unit


def warning_rule_codes() -> list[str]:
    """T01, F03, ... from the dbt var warning_rules (t01_overdue_statutory, ...)."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return [name.split("_")[0].upper() for name in project["vars"]["warning_rules"]]


def test_every_warning_rule_is_owned_by_exactly_one_family_module():
    codes = warning_rule_codes()
    assert len(codes) == len(set(codes)) >= 37
    owners = {code: [letters for letters, module in FAMILY_MODULES.items()
                     if code in module.RULES] for code in codes}
    unowned = sorted(code for code, found in owners.items() if not found)
    shared = {code: found for code, found in owners.items() if len(found) > 1}
    assert not unowned, (f"rules without a demo planter and oracle: {unowned}; add each to "
                         "RULES of its family's module in synthetic/families/ and plant it")
    assert not shared, f"rules claimed by more than one family module: {shared}"
    for letters, module in FAMILY_MODULES.items():
        assert module.RULES, letters
        assert all(code[0] in letters for code in module.RULES), (letters, module.RULES)
        unknown = set(module.RULES) - set(codes)
        assert not unknown, f"{module.__name__}.RULES names rules dbt does not have: {unknown}"


def test_every_family_module_is_wired_into_the_district():
    """A family module the district never calls would plant nothing."""
    planters = {fn.__module__ for fn in CASE_PLANTERS}
    row_families = {type(fam).__module__: fam for fam in ROW_FAMILIES}
    for letters, module in FAMILY_MODULES.items():
        name = module.__name__
        assert name in planters or name in row_families, f"{name} ({letters}) is not called"
        if name in row_families:  # its oracle evaluates exactly the rules it owns
            assert tuple(row_families[name].rules) == tuple(module.RULES), name
