"""Run dbt as a subprocess against one warehouse file.

A subprocess, not dbt's in-process runner: dbt-duckdb keeps the DuckDB file open for as
long as its process lives (stack-pitfalls §1), and the CLI, the tests and Dagster must be
able to open the warehouse again as soon as dbt is done.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from searchlight.paths import DBT_PROJECT_DIR


class DbtError(RuntimeError):
    """dbt could not complete: the message lists the failing nodes and their errors."""


@dataclass
class DbtResult:
    args: list[str]
    returncode: int
    failures: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    node_count: int = 0


def build_args(as_of: str | None = None, full_refresh: bool = False,
               unit_tests: bool = False, exclude_ledger: bool = True) -> list[str]:
    """The `dbt build` arguments of a production run: the CLI and Dagster both use these.

    Unit tests are left out by default: dbt runs them one after another on every build
    (stack-pitfalls §3); `make test` runs them. The ledger models (tag:ledger) are built
    after ledger.sync has registered this build's alerts (ledger/sync.py); Dagster passes
    the same exclusion through its asset definition instead (exclude_ledger=False).
    """
    args = ["build"]
    if exclude_ledger:
        args += ["--exclude", "tag:ledger"]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    if as_of:
        args += ["--vars", json.dumps({"as_of": as_of})]
    return args


def dbt_env(warehouse: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SEARCHLIGHT_WAREHOUSE"] = str(Path(warehouse).resolve())
    # No network here: dbt's tracking would hang for ~30 s (dbt-core#9989).
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.setdefault("DBT_PROFILES_DIR", str(DBT_PROJECT_DIR))
    return env


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def invoke(args: list[str], warehouse: Path, vars: dict | None = None,
           quiet: bool = True) -> DbtResult:
    """Run `dbt <args>` for the project; raise DbtError naming what failed."""
    cmd = [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR),
           "--profiles-dir", str(DBT_PROJECT_DIR)]
    if vars:
        cmd += ["--vars", json.dumps(vars, ensure_ascii=False, default=str)]
    # A stale run_results.json from an earlier run must not be read as this run's.
    (DBT_PROJECT_DIR / "target" / "run_results.json").unlink(missing_ok=True)
    proc = subprocess.run(cmd, env=dbt_env(warehouse), capture_output=True, text=True,
                          check=False)  # failures are read from run_results below
    result = DbtResult(args=cmd, returncode=proc.returncode)
    _read_run_results(result)
    if not quiet:
        sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        detail = "\n".join(result.failures) or _tail(proc.stdout + proc.stderr)
        raise DbtError(f"dbt {' '.join(args[:1])} failed:\n{detail}")
    return result


def _read_run_results(result: DbtResult, target_dir: Path | None = None) -> None:
    path = (target_dir or DBT_PROJECT_DIR / "target") / "run_results.json"
    if not path.exists():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return
    result.elapsed_s = float(data.get("elapsed_time") or 0.0)
    result.node_count = len(data.get("results", []))
    for node in data.get("results", []):
        if node.get("status") in ("error", "fail", "runtime error"):
            message = (node.get("message") or "").strip()
            result.failures.append(f"- {node.get('unique_id')}: {message}")


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
