"""What the CLI tells a person to do next, as commands that work when pasted.

A fresh clone has the console script in ``.venv/bin`` and nothing on PATH: a printed
``searchlight ledger list`` fails with "command not found". So every printed command
names the program the way this process was started (``.venv/bin/searchlight`` relative to
the current folder, the absolute path otherwise, plain ``searchlight`` only when PATH
finds that very script), paths are relative to the current folder when inside it, and
every argument is shell-quoted.

Also here: which of the demo's expectation failures it planted on purpose.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from pathlib import Path

import duckdb

from searchlight.paths import PROJECT_ROOT


def _absolute(path: Path | str) -> Path:
    return Path(os.path.abspath(path))  # not resolve(): .venv/bin/python is a symlink


def shell_path(path: Path | str, cwd: Path | None = None) -> str:
    """The path as a shell word: relative to ``cwd`` when inside it, quoted when needed."""
    path, cwd = _absolute(path), _absolute(cwd or Path.cwd())
    try:
        text = path.relative_to(cwd).as_posix() or "."
    except ValueError:
        text = path.as_posix()
    return shlex.quote(text)


def command_prefix(argv0: str | None = None, cwd: Path | None = None) -> str:
    """How to start ``searchlight`` from ``cwd`` as this process was started."""
    argv0 = argv0 if argv0 is not None else sys.argv[0]
    script = _absolute(argv0) if argv0 else None
    if script is not None and script.name == "searchlight" and script.is_file():
        found = shutil.which("searchlight")
        if found and _absolute(found) == script:
            return "searchlight"
        word = shell_path(script, cwd)
        return word if "/" in word else f"./{word}"
    # started as `python -m searchlight.cli` (or from tests): the same interpreter
    return f"{shell_path(sys.executable, cwd)} -m searchlight.cli"


def make_command(target: str, cwd: Path | None = None) -> str:
    cwd = _absolute(cwd or Path.cwd())
    if cwd == _absolute(PROJECT_ROOT):
        return f"make {target}"
    return f"make -C {shell_path(PROJECT_ROOT, cwd)} {target}"


def sql_command(warehouse: Path, sql: str, cwd: Path | None = None) -> str:
    """Run one query read-only with the project's Python (no DuckDB CLI is installed)."""
    # double-quoted Python strings, so the shell quoting stays one pair of single quotes
    program = (f"import duckdb; duckdb.connect({json.dumps(str(_absolute(warehouse)))}, "
               f"read_only=True).sql({json.dumps(sql)}).show()")
    return f"{shell_path(sys.executable, cwd)} -c {shlex.quote(program)}"


def first_new_alert(warehouse: Path) -> str | None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select alert_id from marts.supervision_ledger where status = 'new' "
                          "order by severity = 'red' desc, alert_id limit 1").fetchone()
    return row[0] if row else None


def ledger_commands(warehouse: Path, alert_id: str, prefix: str,
                    cwd: Path | None = None) -> list[tuple[str, str]]:
    """(command, comment) to work one alert through the ledger (督办台账)."""
    ledger = f"{prefix} ledger --warehouse {shell_path(warehouse, cwd)}"
    alert = shlex.quote(alert_id)
    return [
        (f"{ledger} list --severity red", ""),
        (f"{ledger} show {alert}", ""),
        (f"{ledger} assign {alert} --to 李四 --by 督查室", ""),
        (f"{ledger} close {alert} --note 已整改 --by 督查室", ""),
        (f"{ledger} verify", "the history is hash-chained"),
    ]


def next_steps(warehouse: Path, published: Path | None, ground_truth: Path,
               cwd: Path | None = None) -> list[tuple[str, str]]:
    """(what, command or path) after the demo."""
    steps = [("warehouse (DuckDB)", shell_path(warehouse, cwd))]
    if published:
        steps.append(("marts as Parquet", shell_path(published, cwd)))
    steps += [
        ("ground truth", shell_path(ground_truth, cwd)),
        ("lineage and checks, Dagster UI at http://127.0.0.1:3000", make_command("dev", cwd)),
        *console_steps(warehouse, cwd),
        ("rule docs for auditors", make_command("docs", cwd)),
        ("try SQL", sql_command(warehouse, "select rule_code, severity, subject_id, "
                                           "evidence from marts.alerts limit 10", cwd)),
    ]
    return steps


def console_steps(warehouse: Path, cwd: Path | None = None) -> list[tuple[str, str]]:
    """The supervision console over ``warehouse``: a first account, then the server
    (nothing is reachable without signing in; the password is asked for)."""
    try:  # the console is an extra (pip install -e '.[console]')
        import console  # noqa: F401
    except ImportError:
        return []
    prefix = command_prefix(cwd=cwd)
    where = shell_path(warehouse, cwd)
    return [("console account (asks a password)",
             f"{prefix} users add admin --role supervisor --warehouse {where}"),
            ("supervision console at http://127.0.0.1:8000",
             f"{prefix} console --warehouse {where}")]


# --- the demo's planted expectation failures ---------------------------------------------

def planted_expectation_failures(warehouse: Path, failures: list,
                                 truth: dict) -> list[tuple[object, list[str], list[dict]]]:
    """For each failed expectation: the demo's scenarios that planted the rows breaking
    it, and the breaking rows no scenario explains (these would be a real problem)."""
    from expectations.offenders import offending_rows

    scenarios: dict[str, str] = {}
    for s in truth.get("scenarios", []):
        if s.get("case_id"):
            scenarios.setdefault(str(s["case_id"]), s.get("scenario", ""))
    for r in truth.get("invalid_rows", []):
        if r.get("case_id"):
            scenarios.setdefault(str(r["case_id"]), f"invalid row: {r.get('problem', '')}")
    out = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for failure in failures:
            rows = offending_rows(con, failure, limit=20)
            planted = [f"{scenarios[str(r[k])]} ({k} {r[k]})" for r in rows
                       for k in ("case_id",) if str(r.get(k)) in scenarios]
            unexplained = [r for r in rows if str(r.get("case_id")) not in scenarios]
            if not rows:  # cannot tell which rows: never claim it was planted
                unexplained = [{"rows": failure.unexpected_count}]
            out.append((failure, planted, unexplained))
    return out
