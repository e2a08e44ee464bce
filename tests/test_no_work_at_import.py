"""Importing a project module does no work: no subprocess, no file written, no project
data file read (issue 12). Work belongs to the entry points — the CLI, Dagster's
``defs()``, ``python -m orchestration.prepare``, the tests' fixtures — so that Dagster's
code server, ``searchlight --help`` and a test collection stay fast and never run
``dbt parse`` behind the user's back.

Each import runs in a fresh interpreter with an audit hook (PEP 578) that records what
the import did and where in the project it was asked for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]

# Runs in the child interpreter: argv[1] = the project root, argv[2:] = modules to import.
PROBE = r'''
import importlib, json, os, sys, traceback

# `python -c` leaves __main__ without __file__, which pyspark takes for a doctest run
# (pyspark.sql.connect.utils.check_dependencies): it then exits 0 from inside GX's import
# of pyspark, before the probe prints. A probe is no doctest.
sys.modules["__main__"].__file__ = "<import probe>"

root = os.path.realpath(sys.argv[1])
venv = os.path.realpath(sys.prefix)  # the venv may live inside the project: a library
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
SPAWN = {"subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec",
         "os.fork", "os.forkpty", "pty.spawn"}
CHANGE = {"os.mkdir", "os.remove", "os.rename", "os.rmdir", "os.truncate", "os.symlink",
          "os.link", "os.utime", "os.chmod", "shutil.copyfile", "shutil.rmtree",
          "shutil.move", "sqlite3.connect"}
seen = []


def blame():
    """The project lines that asked for this, or None when a library did it on its own.

    The innermost project frame decides: when the next frame in is the import machinery,
    the project only imported a library and the work is that library's import (not ours
    to fix); when it is a call, a project module called something at import time.
    """
    stack = traceback.extract_stack()[:-2]
    mine = [i for i, f in enumerate(stack) if in_project(f.filename)]
    if not mine:
        return None
    inner = mine[-1]
    if inner + 1 < len(stack) and stack[inner + 1].filename.startswith("<frozen importlib"):
        return None
    return [f"{os.path.relpath(stack[i].filename, root)}:{stack[i].lineno}" for i in mine][-3:]


def report(kind, what):
    frames = blame()
    if frames is not None:
        seen.append((kind, what, frames))


def in_project(path):
    real = os.path.realpath(path)
    return real.startswith(root + os.sep) and not real.startswith(venv + os.sep)


def project_data_file(path):
    return in_project(path) and not path.endswith((".py", ".pyc"))


def hook(event, args):
    if event == "open":
        path, mode, flags = args
        writes = (any(c in mode for c in "wax+") if isinstance(mode, str)
                  else bool((flags or 0) & WRITE_FLAGS))
        if not isinstance(path, (str, bytes, os.PathLike)):
            return
        path = os.fsdecode(path)
        if writes:
            report("write", path)
        elif project_data_file(path):
            report("read", path)
    elif event in SPAWN:
        report("spawn", repr(args)[:200])
    elif event in CHANGE:
        report(event, repr(args)[:200])


sys.addaudithook(hook)
for name in sys.argv[2:]:
    importlib.import_module(name)
print(json.dumps(seen))
'''


def project_modules() -> list[str]:
    """Every module of the packages pyproject.toml ships (a new package is covered too)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    tops = sorted({p.rstrip("*").rstrip(".") for p in patterns})
    modules = []
    for top in tops:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__main__":
                continue  # running it is its job
            modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def import_effects(modules: list[str], cwd: Path, root: Path = ROOT,
                   pythonpath: list[Path] | None = None) -> list[list]:
    """What importing ``modules`` in a fresh interpreter did: [kind, what, project lines]."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(cwd),
           "TMPDIR": str(cwd), "DAGSTER_HOME": str(cwd / "dagster")}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    proc = subprocess.run([sys.executable, "-c", PROBE, str(root), *modules], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_project_has_modules_to_import():
    modules = project_modules()
    assert {"orchestration.definitions", "orchestration.dbt_assets",
            "expectations.invariants", "searchlight.cli"} <= set(modules)


def test_importing_every_project_module_runs_nothing_and_writes_nothing(tmp_path):
    effects = import_effects(project_modules(), tmp_path)
    assert effects == [], "work at import time:\n" + "\n".join(
        f"  {kind} {what} (from {' <- '.join(reversed(frames))})"
        for kind, what, frames in effects)
    assert list(tmp_path.iterdir()) == []


def test_the_probe_reports_what_a_module_does_and_not_what_a_library_does(tmp_path):
    """The hook is not blind: each kind of work is reported with its line; a library that
    works when it is imported is that library's business."""
    project, library = tmp_path / "project", tmp_path / "library"
    (project / "busy").mkdir(parents=True)
    library.mkdir()
    (project / "settings.yml").write_text("a: 1\n")
    (library / "noisy.py").write_text("open('noisy.log', 'w').close()\n")
    (project / "busy" / "__init__.py").write_text(
        "import pathlib, subprocess, sys\n"
        "import noisy\n"
        "subprocess.run([sys.executable, '-c', 'pass'])\n"
        "pathlib.Path('out.txt').write_text('x')\n"
        "SETTINGS = (pathlib.Path(__file__).parents[1] / 'settings.yml').read_text()\n")
    effects = import_effects(["busy"], tmp_path, root=project,
                             pythonpath=[project, library])
    found = {(kind, frames[-1]) for kind, _, frames in effects}
    assert found == {("spawn", "busy/__init__.py:3"), ("write", "busy/__init__.py:4"),
                     ("read", "busy/__init__.py:5")}, effects
