"""The lock file is what runs: every pinned package is installed at exactly its version,
and every dependency pyproject.toml declares is pinned (issue 12).

`make` installs requirements.lock, so in CI (`.ci/run` → `make test`) these prove that a
fresh machine runs the locked versions; on a developer's machine they fail after a
hand-installed upgrade or a dependency added to pyproject.toml without `make lock`.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;#]+)")


def pins(text: str) -> dict[str, tuple[str, Requirement]]:
    """Canonical name -> (locked version, requirement with its marker) of a lock file."""
    found = {}
    for line in text.splitlines():
        m = PIN.match(line)
        if m:
            req = Requirement(line.split("#", 1)[0].strip())
            found[canonicalize_name(m["name"])] = (m["version"], req)
    return found


def locked_extras(makefile: str) -> list[str]:
    m = re.search(r"^LOCK_EXTRAS\s*:?=\s*(.*)$", makefile, re.MULTILINE)
    assert m, "the Makefile names the extras the lock covers (LOCK_EXTRAS)"
    return m[1].split()


def declared(pyproject: str, extras: list[str]) -> list[Requirement]:
    project = tomllib.loads(pyproject)["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    return [Requirement(r) for r in reqs]


def not_installed_as_locked(locked: dict[str, tuple[str, Requirement]]) -> list[str]:
    wrong = []
    for name, (version, req) in sorted(locked.items()):
        if req.marker is not None and not req.marker.evaluate():
            continue  # pinned for another platform
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            wrong.append(f"{name}=={version}: not installed")
            continue
        if installed != version:
            wrong.append(f"{name}=={version}: {installed} installed")
    return wrong


def missing_from_lock(reqs: list[Requirement],
                      locked: dict[str, tuple[str, Requirement]]) -> list[str]:
    problems = []
    for req in reqs:
        pinned = locked.get(canonicalize_name(req.name))
        if pinned is None:
            problems.append(f"{req}: not in the lock")
        elif not req.specifier.contains(pinned[0], prereleases=True):
            problems.append(f"{req}: the lock pins {pinned[0]}")
    return problems


def test_every_locked_package_is_installed_at_its_locked_version():
    locked = pins(LOCK.read_text(encoding="utf-8"))
    assert len(locked) > 50  # the whole tree, not only the direct dependencies
    assert not_installed_as_locked(locked) == [], (
        "the environment differs from requirements.lock: run `make` (it reinstalls)")


def test_every_dependency_of_pyproject_is_pinned_in_the_lock():
    extras = locked_extras((ROOT / "Makefile").read_text(encoding="utf-8"))
    assert "dev" in extras
    reqs = declared((ROOT / "pyproject.toml").read_text(encoding="utf-8"), extras)
    problems = missing_from_lock(reqs, pins(LOCK.read_text(encoding="utf-8")))
    assert problems == [], "pyproject.toml changed since the lock: run `make lock`"


def test_a_version_other_than_the_locked_one_and_an_unlocked_dependency_are_found():
    version = importlib.metadata.version("duckdb")
    pytest_version = importlib.metadata.version("pytest")
    locked = pins(f"duckdb=={version}.post99\n    # via searchlight\npytest=={pytest_version}\n")
    assert not_installed_as_locked(locked) == [f"duckdb=={version}.post99: {version} installed"]
    reqs = [Requirement("pytest>=8"), Requirement("holidays>=0.60"), Requirement("duckdb<1")]
    assert missing_from_lock(reqs, locked) == [
        "holidays>=0.60: not in the lock", f"duckdb<1: the lock pins {version}.post99"]


def test_a_pin_for_another_platform_is_not_required_here():
    locked = pins('pywin32==311 ; sys_platform == "win32"\n')
    assert not_installed_as_locked(locked) == []
