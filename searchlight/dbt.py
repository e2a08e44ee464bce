"""Run dbt as a subprocess against one warehouse file.

A subprocess, not dbt's in-process runner: dbt-duckdb keeps the DuckDB file open for as
long as its process lives (stack-pitfalls §1), and the CLI, the tests and Dagster must be
able to open the warehouse again as soon as dbt is done.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from searchlight.paths import DBT_PROJECT_DIR

# "12:00:01  3 of 647 OK created sql table model staging.stg_cases ... [OK in 0.4s]"
_NODE_DONE = re.compile(r"\b\d+ of \d+ (OK|PASS|WARN|ERROR|FAIL|SKIP)\b")
# "Runtime Error in model x", "Compilation Error", "Parsing Error", "Database Error", ...
_ERROR_LINE = re.compile(r"\b[A-Z][a-z]+ Error\b")


class DbtError(RuntimeError):
    """dbt could not complete: the message lists the failing nodes and their errors;
    ``result`` holds what dbt reported of each node it ran."""

    def __init__(self, message: str, failures: list[str] | None = None,
                 lock_holder: str | None = None, output: str = "",
                 result: DbtResult | None = None) -> None:
        super().__init__(message)
        self.failures = failures or []
        self.lock_holder = lock_holder
        self.output = output
        self.result = result

    def summary(self) -> str:
        """One line: how many nodes failed and the first one's error."""
        if self.lock_holder:
            return (f"dbt could not open the warehouse: it is in use by {self.lock_holder}")
        if not self.failures:  # no run_results (dbt stopped before building): its error line
            lines = [ln.strip() for ln in self.output.splitlines() if ln.strip()]
            errors = [ln for ln in lines if _ERROR_LINE.search(ln)]
            line = (errors or lines or [str(self)])[0]
            return "dbt failed: " + " ".join(line.split())[:300]
        first = " ".join(self.failures[0].lstrip("- ").split())
        if len(first) > 240:
            first = first[:237] + "…"
        more = f" (and {len(self.failures) - 1} more)" if len(self.failures) > 1 else ""
        return f"{len(self.failures)} dbt node(s) failed, first {first}{more}"

    @property
    def todo(self) -> str:
        from searchlight.warehouse import WarehouseBusy

        if self.lock_holder:
            return WarehouseBusy.todo
        return ("read the failing node's error in the log, fix its cause (the data or the "
                "model), then run the same command again")


@dataclass
class DbtResult:
    args: list[str]
    returncode: int
    failures: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    node_count: int = 0
    # per node of run_results.json: unique_id, status, message, completed_at (UTC ISO),
    # execution_time
    nodes: list[dict] = field(default_factory=list)


def build_args(as_of: str | None = None, full_refresh: bool = False,
               unit_tests: bool = False) -> list[str]:
    """The `dbt build` arguments of a production run: the CLI and Dagster both use these.

    One dbt invocation per run builds everything, the ledger marts included: they are
    views over the ledger copies, which ledger.sync rewrites after registering this
    build's alerts (ledger/sync.py), so no second build is needed. Unit tests are left
    out by default: dbt runs them one after another on every build (stack-pitfalls §3);
    `make test` runs them.
    """
    args = ["build"]
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
    # Output goes to a log file and to one-line messages: no colour codes in either.
    env["DBT_USE_COLORS"] = "false"
    env["SEARCHLIGHT_DBT_CONNECT_ATTEMPTS"] = str(connect_attempts())
    return env


def connect_attempts() -> int:
    """dbt-duckdb's connect attempts that wait about SEARCHLIGHT_LOCK_WAIT seconds in all
    (it sleeps 1, 2, 4, ... seconds after each failed attempt)."""
    from searchlight.warehouse import lock_wait_seconds

    return max(1, math.ceil(math.log2(lock_wait_seconds() + 1)))


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def invoke(args: list[str], warehouse: Path, vars: dict | None = None,
           quiet: bool = True) -> DbtResult:
    """Run `dbt <args>` for the project; raise DbtError naming what failed.

    dbt's output goes to the run's log file (searchlight.runstate), not the terminal.
    Before dbt starts, the warehouse lock is waited for (searchlight.warehouse); dbt's own
    connect retries (profiles.yml) cover a reader that opens the file in between.
    """
    from searchlight import faults, runstate
    from searchlight.warehouse import holder_of, wait_until_free

    cmd = [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR),
           "--profiles-dir", str(DBT_PROJECT_DIR)]
    if vars:
        cmd += ["--vars", json.dumps(vars, ensure_ascii=False, default=str)]
    # A stale run_results.json from an earlier run must not be read as this run's.
    (DBT_PROJECT_DIR / "target" / "run_results.json").unlink(missing_ok=True)
    wait_until_free(warehouse)
    log = runstate.active_log()
    if log:
        log.line("$ " + " ".join(cmd))
    output: list[str] = []
    with subprocess.Popen(cmd, env=dbt_env(warehouse), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                          errors="replace") as proc:
        assert proc.stdout is not None
        for line in proc.stdout:  # read as it comes: the log and the kill points follow it
            output.append(line)
            if log:
                log.write(line)
            if not quiet:
                sys.stdout.write(line)
            if _NODE_DONE.search(line):
                faults.step_kill_point("node-done")
    result = DbtResult(args=cmd, returncode=proc.returncode)
    read_run_results(result)
    if proc.returncode != 0:
        text = runstate.strip_ansi("".join(output))
        holder = holder_of(text) if "Could not set lock" in text else None
        detail = "\n".join(result.failures) or last_lines(text)
        raise DbtError(f"dbt {' '.join(args[:1])} failed:\n{detail}", result.failures, holder,
                       text, result)
    return result


def read_run_results(result: DbtResult, target_dir: Path | None = None) -> None:
    """Fill `result` from dbt's run_results.json in `target_dir` (the project's target/ when
    None): elapsed time, one entry per node, and the failures named by node."""
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
        message = (node.get("message") or "").strip()
        completed = [t.get("completed_at") for t in node.get("timing", [])
                     if t.get("name") == "execute"]
        result.nodes.append({"unique_id": node.get("unique_id"), "status": node.get("status"),
                             "message": message,
                             "completed_at": completed[0] if completed else None,
                             "execution_time": node.get("execution_time")})
        if node.get("status") in ("error", "fail", "runtime error"):
            result.failures.append(f"- {node.get('unique_id')}: {message}")


def last_lines(text: str, lines: int = 40) -> str:
    """The end of a command's output, where its error is."""
    return "\n".join(text.strip().splitlines()[-lines:])
