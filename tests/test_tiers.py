"""The test tiers (tests/tiers.py): every test gets exactly one, and keeps to it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.tiers import FIXTURE_TIERS, refusal, resolve

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]


def test_a_mark_gives_the_tier():
    assert resolve("t", ["parametrize", "dbt"], ["tmp_path"]) == ("dbt", None)


def test_an_unmarked_test_takes_the_tier_of_the_fixture_that_builds():
    assert FIXTURE_TIERS["demo_run"] == "e2e"
    assert resolve("t", [], ["tmp_path", "demo_run"]) == ("e2e", None)


@pytest.mark.parametrize("marks, fixtures, problem", [
    ([], ["tmp_path"], "t: has no tier"),
    (["unit", "e2e"], [], "t: has tiers unit and e2e"),
    (["unit"], ["demo_run"], "t: marked unit but uses demo_run, which makes it e2e"),
    (["dbt"], ["demo_run"], "t: marked dbt but uses demo_run"),
])
def test_no_tier_two_tiers_or_a_lighter_tier_than_a_fixture_is_a_problem(marks, fixtures,
                                                                          problem):
    tier, found = resolve("t", marks, fixtures)
    assert tier is None and found.startswith(problem)


def test_an_e2e_or_browser_test_may_use_any_fixture():
    assert resolve("t", ["e2e"], ["demo_run"]) == ("e2e", None)
    assert resolve("t", ["browser"], ["demo_run"]) == ("browser", None)


@pytest.mark.parametrize("tier, argv, refused", [
    ("unit", ["/x/.venv/bin/dbt", "parse"], "a unit test started `dbt parse`"),
    ("unit", "dbt --version", "a unit test started `dbt --version`"),
    ("unit", [sys.executable, "-c", "pass"], None),
    ("dbt", ["dbt", "test", "--select", "x"], None),
    ("dbt", ["dbt", "build", "--select", "warn_t01"], None),
    ("dbt", ["dbt", "build", "--exclude-resource-type", "unit_test"],
     "a dbt-tier test started a full"),
    ("e2e", ["dbt", "build"], None),
])
def test_what_each_tier_may_start(tier, argv, refused):
    why = refusal(tier, argv)
    assert (why is None) if refused is None else why.startswith(refused)


CASES = '''
import subprocess, pytest

@pytest.mark.unit
def test_marked():
    pass

def test_unmarked():
    pass

@pytest.mark.unit
def test_unit_starting_dbt():
    subprocess.run(["dbt", "--version"])
'''


def run_pytest(tmp_path: Path, cases: str, *args: str) -> subprocess.CompletedProcess:
    """pytest with only the tiers plugin over one file of ``cases``."""
    (tmp_path / "test_cases.py").write_text(cases)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.tiers", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "-c", "/dev/null", "-q", *args, str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_collection_fails_naming_a_test_without_a_tier(tmp_path):
    proc = run_pytest(tmp_path, CASES, "--collect-only")
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, proc.stdout + proc.stderr
    assert "test_cases.py::test_unmarked: has no tier" in proc.stderr
    assert "test_marked:" not in proc.stderr


def test_tiers_select_with_m_and_a_unit_test_that_starts_dbt_fails(tmp_path):
    cases = CASES.replace("def test_unmarked", "@pytest.mark.e2e\ndef test_unmarked")
    proc = run_pytest(tmp_path, cases, "-m", "unit")
    assert "1 failed, 1 passed, 1 deselected" in proc.stdout, proc.stdout + proc.stderr
    assert "a unit test started `dbt --version`: mark it dbt" in proc.stdout
