"""Every model and singular test passes sqlfluff with the house style (dbt_project/.sqlfluff).

`make lint` runs the same command; this test is how CI (`make test`) enforces it. The
jinja templater renders each file alone (no dbt, no warehouse), with the project's macros
and vars (dbt_project/sqlfluff_libs).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from searchlight.paths import DBT_PROJECT_DIR

pytestmark = pytest.mark.unit

LINTED = ("models", "tests")  # every model and singular test (there are no analyses)


def sqlfluff() -> str:
    candidate = Path(sys.executable).with_name("sqlfluff")
    found = str(candidate) if candidate.exists() else shutil.which("sqlfluff")
    if found is None:
        pytest.fail("sqlfluff is not installed: pip install -e '.[dev]'")
    return found


def test_every_model_and_test_is_lint_clean():
    proc = subprocess.run(
        [sqlfluff(), "lint", *LINTED, "--processes", "2", "--format", "json",
         "--disable-progress-bar"],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=False)
    assert proc.stdout.strip(), proc.stderr
    problems = [f"{f['filepath']}:{v['start_line_no']}:{v['start_line_pos']} {v['code']} "
                f"{v['description']}"
                for f in json.loads(proc.stdout) for v in f["violations"]]
    assert not problems, ("sqlfluff (cd dbt_project && sqlfluff fix <file>, then review):\n"
                          + "\n".join(problems))
    assert proc.returncode == 0, proc.stderr


def test_the_lint_sees_every_model():
    # a templating failure is a violation (TMP) above; here: no folder was left out
    models = list((DBT_PROJECT_DIR / "models").rglob("*.sql"))
    assert len(models) >= 100
