"""dbt on the `spark` target, in this process.

The DuckDB target runs dbt as a subprocess so that the DuckDB file is free when dbt exits
(searchlight/dbt.py). The Spark target does the opposite, for the same kind of reason:
the SparkSession (with the lake's tables and the pseudonym function registered on it) and
its Derby metastore belong to one process, so dbt must run inside the process that
prepared them (dbtRunner), where dbt-spark's getOrCreate() finds that session.
Its artifacts go to their own target path, so the two targets never re-parse each
other's manifest nor read each other's run_results.json.
"""

from __future__ import annotations

import json
from pathlib import Path

from searchlight.dbt import DbtError, DbtResult, dbt_env, last_lines, read_run_results
from searchlight.paths import DBT_PROJECT_DIR
from searchlight.spark.session import TARGET, environment

TARGET_PATH = DBT_PROJECT_DIR / "target-spark"


def invoke(args: list[str], warehouse: Path, vars: dict | None = None,
           quiet: bool = True) -> DbtResult:
    """Run `dbt <args> --target spark` in-process; raise DbtError naming what failed."""
    from dbt.cli.main import dbtRunner

    cmd = [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
           str(DBT_PROJECT_DIR), "--target", TARGET, "--target-path", str(TARGET_PATH)]
    if quiet:
        cmd.append("--quiet")
    if vars:
        cmd += ["--vars", json.dumps(vars, ensure_ascii=False, default=str)]
    (TARGET_PATH / "run_results.json").unlink(missing_ok=True)
    env = {k: v for k, v in dbt_env(warehouse).items() if k.startswith(("SEARCHLIGHT_", "DBT_"))}
    with environment(env):
        outcome = dbtRunner().invoke(cmd)
    result = DbtResult(args=["dbt", *cmd], returncode=0 if outcome.success else 1)
    read_run_results(result, TARGET_PATH)
    if not outcome.success:
        detail = ("\n".join(result.failures) or _messages(outcome.result)
                  or last_lines(str(outcome.exception or "")))
        raise DbtError(f"dbt {' '.join(args[:1])} (target spark) failed:\n{detail}")
    return result


def _messages(run_result: object) -> str:
    """The error messages of an in-process result that wrote no run_results.json
    (dbt show, run-operation)."""
    lines = []
    for node in getattr(run_result, "results", None) or []:
        if str(getattr(node, "status", "")) in ("error", "fail", "runtime error"):
            lines.append(f"- {getattr(getattr(node, 'node', None), 'unique_id', '?')}: "
                         f"{(getattr(node, 'message', '') or '').strip()}")
    return "\n".join(lines)
