"""Test tiers: every test has exactly one, so `make test-fast` can leave the slow ones out.

    unit     pure Python (DuckDB, SQLite, GX included): no dbt, no pipeline build
    dbt      runs dbt (unit tests, parse, small selected builds), no full pipeline build
    e2e      builds a pipeline or demo warehouse (a full `dbt build`)
    browser  drives a browser against the console
    spark    runs Spark (a JVM)

`make test-fast` runs `unit or dbt`; `make test` runs everything. A test gets its tier
from a mark (`@pytest.mark.unit`, or `pytestmark = pytest.mark.unit` for a whole module),
or, unmarked, from a fixture it uses that builds something (``FIXTURE_TIERS``: a test
that reads `demo_run` is e2e). Collection fails on a test with no tier, with two, or
with a tier lighter than a fixture it uses; and while a test runs, a unit test that
starts dbt, or a dbt test that starts a full `dbt build`, fails naming the tier it needs.
This module is the conftest's plugin (tests/conftest.py imports its hooks).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

ORDERED = ("unit", "dbt", "e2e")  # lightest first: a test may not be lighter than its fixtures
TIERS = (*ORDERED, "browser", "spark")
FAST = ("unit", "dbt")  # what `make test-fast` selects

# Fixtures that build something: a test using one is at least that tier.
FIXTURE_TIERS = {
    "demo_run": "e2e",  # tests/conftest.py: the demo district through the whole pipeline
    "copy_demo": "e2e",  # tests/conftest.py: a private copy of demo_run's warehouse
    "conformance_duckdb": "e2e",  # tests/conftest.py: the conformance cases through the pipeline
}


def resolve(test: str, marks: Iterable[str], fixtures: Iterable[str]
            ) -> tuple[str | None, str | None]:
    """(tier, None) or (None, the problem) for one test from its marks and fixtures."""
    marked = sorted(set(marks) & set(TIERS), key=TIERS.index)
    implied = sorted({FIXTURE_TIERS[f] for f in fixtures if f in FIXTURE_TIERS},
                     key=TIERS.index)
    if len(marked) > 1:
        return None, f"{test}: has tiers {' and '.join(marked)}; give it one"
    if not marked:
        if implied:
            return implied[-1], None
        return None, (f"{test}: has no tier; mark it (or its module) with one of "
                      f"{', '.join(TIERS)} (tests/tiers.py)")
    tier = marked[0]
    heavier = [t for t in implied if tier in ORDERED and ORDERED.index(t) > ORDERED.index(tier)]
    if heavier:
        users = sorted(f for f in fixtures if FIXTURE_TIERS.get(f) == heavier[-1])
        return None, (f"{test}: marked {tier} but uses {', '.join(users)}, which makes "
                      f"it {heavier[-1]}")
    return tier, None


@pytest.hookimpl(tryfirst=True)  # before -m deselects by the marks this adds
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems = []
    for item in items:
        tier, problem = resolve(item.nodeid, (m.name for m in item.iter_markers()),
                                getattr(item, "fixturenames", ()))
        if problem:
            problems.append(problem)
        elif not item.get_closest_marker(tier):
            item.add_marker(tier)
    if problems:
        raise pytest.UsageError("tests without exactly one tier:\n  " + "\n  ".join(problems))


def tier_of(item: pytest.Item) -> str | None:
    return next((m.name for m in item.iter_markers() if m.name in TIERS), None)


def refusal(tier: str | None, args: Sequence[str] | str) -> str | None:
    """Why a test of ``tier`` may not start this command, or None."""
    argv = args.split() if isinstance(args, str) else [str(a) for a in args]
    if not argv or Path(argv[0]).name != "dbt":
        return None
    command = next((a for a in argv[1:] if not a.startswith("-")), "")
    if tier == "unit":
        return (f"a unit test started `dbt {' '.join(argv[1:])[:60]}`: mark it dbt "
                f"(or e2e when it builds the pipeline)")
    if tier == "dbt" and command == "build" and not {"--select", "-s"} & set(argv):
        return "a dbt-tier test started a full `dbt build`: mark it e2e"
    return None


@pytest.fixture(autouse=True)
def tier_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail a test that does more than its tier says (see ``refusal``)."""
    tier = tier_of(request.node)
    if tier not in FAST:
        return
    real_popen = subprocess.Popen

    class GuardedPopen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, args, *rest, **kwargs):
            why = refusal(tier, args)
            if why:
                pytest.fail(why, pytrace=False)
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", GuardedPopen)
