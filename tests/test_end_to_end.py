"""The demo district, end to end: generated files → warehouse → alerts.

For every rule the generator planted, the alerts equal its ground truth (precision and
recall 1.0), and running again on the same files changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from searchlight import pipeline

pytestmark = pytest.mark.e2e


def snapshot(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        raw_rows = {
            t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema='raw'"
            ).fetchall()
        }
        alerts = con.execute(
            "select alert_id, rule_code, subject_id, severity, first_detected_on "
            "from marts.alerts order by alert_id").fetchall()
    return {"raw_rows": raw_rows, "alerts": alerts}


def test_alerts_equal_the_planted_ground_truth_for_every_rule(demo_run):
    out, warehouse, _ = demo_run
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found_rows = con.execute(
            "select rule_code, subject_id, severity from marts.alerts").fetchall()
    found: dict[str, dict[str, str]] = {}
    for rule, subject, severity in found_rows:
        found.setdefault(rule, {})[subject] = severity
    for rule, expected in truth["alerts"].items():
        actual = found.get(rule, {})
        missed = sorted(set(expected) - set(actual))
        spurious = sorted(set(actual) - set(expected))
        assert not missed and not spurious, (
            f"{rule}: missed {missed[:10]} (recall < 1), spurious {spurious[:10]} "
            "(precision < 1)")
        assert actual == expected, f"{rule}: severities differ"
        assert expected, f"{rule}: the generator planted nothing"


def test_quarantine_holds_exactly_the_planted_bad_rows(demo_run):
    out, warehouse, report = demo_run
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        by_source = dict(con.execute(
            "select source, count(*) from raw.quarantine group by source").fetchall())
        unexplained = con.execute(
            "select count(*) from raw.quarantine where reason is null or reason = ''"
        ).fetchone()[0]
    assert by_source == {k: v for k, v in truth["quarantined_rows"].items() if v}
    assert unexplained == 0
    for f in report.load.files:
        assert f.rows_read == f.rows_loaded + f.rows_quarantined, f.file_name


def test_a_rerun_on_the_same_files_changes_nothing(demo_run, copy_demo, tmp_path, capsys):
    out, _, _ = demo_run
    warehouse = copy_demo(tmp_path)  # the shared demo stays as built for its readers
    before = snapshot(warehouse)
    second = pipeline.run(out / "landing", warehouse, progress=False)
    after = snapshot(warehouse)
    assert after == before
    assert all(f.status != "loaded" for f in second.load.files)
    # Issue 14 item 14: a file loaded under its own name is "already loaded", and the
    # report does not list each earlier file as a duplicate of itself.
    assert {f.status for f in second.load.files} == {"already loaded"}
    from searchlight.cli import print_report

    capsys.readouterr()
    print_report(second, warehouse)
    printed = capsys.readouterr().out
    assert "duplicate" not in printed and "same content as" not in printed
    assert f"{len(second.load.files):,} file(s) loaded or recorded by earlier runs" in printed


def test_the_demo_says_its_expectation_failures_are_planted(demo_run):
    """Issue 14 item 14: each failure is traced to the rows the generator planted."""
    from searchlight.hints import planted_expectation_failures

    out, warehouse, report = demo_run
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    assert report.failed_expectations, "the demo plants rows that break expectations"
    for failure, planted, unexplained in planted_expectation_failures(
            warehouse, report.failed_expectations, truth):
        assert planted and not unexplained, (str(failure), planted, unexplained)


def test_marts_publish_as_parquet_for_readers(demo_run):
    _, _, report = demo_run
    alerts = report.published_to / "alerts.parquet"
    assert alerts.exists()
    with duckdb.connect() as con:
        n = con.execute("select count(*) from read_parquet(?)", [str(alerts)]).fetchone()[0]
    assert n == sum(report.alerts_by_rule.values())


def test_the_commands_the_demo_prints_work_as_pasted(demo_run, tmp_path):
    """Issue 14 item 11: on a fresh shell (nothing on PATH but the system's) every command
    the demo prints runs, from the folder it was printed in, with the console script."""
    import os
    import shutil
    import subprocess

    from searchlight import hints
    from searchlight.paths import PROJECT_ROOT

    out, _, _ = demo_run
    copy = tmp_path / "demo"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns("landing"))
    warehouse = copy / "warehouse.duckdb"
    script = PROJECT_ROOT / ".venv" / "bin" / "searchlight"
    if not script.exists():
        pytest.skip("no console script: the project is not installed in .venv")
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    prefix = hints.command_prefix(str(script), cwd=PROJECT_ROOT)
    assert prefix == ".venv/bin/searchlight"
    alert_id = hints.first_new_alert(warehouse)
    commands = [c for c, _ in hints.ledger_commands(warehouse, alert_id, prefix,
                                                    cwd=PROJECT_ROOT)]
    steps = dict(hints.next_steps(warehouse, copy / "warehouse_published" / "marts",
                                  copy / "ground_truth.json", cwd=PROJECT_ROOT))
    commands.append(steps["try SQL"])
    # the console's steps name this warehouse (the server itself is the browser tests')
    assert steps["supervision console at http://127.0.0.1:8000"].endswith(
        f"console --warehouse {hints.shell_path(warehouse, PROJECT_ROOT)}")
    for command in commands:
        done = subprocess.run(command, shell=True, cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    for target in ("dev", "docs"):  # long-running: the make targets must exist
        command = next(c for c in steps.values() if c.endswith(f"make {target}"))
        dry = subprocess.run(command.replace("make", "make -n", 1), shell=True,
                             cwd=PROJECT_ROOT, env=env, capture_output=True, check=False)
        assert dry.returncode == 0, command
    for what in ("warehouse (DuckDB)", "marts as Parquet", "ground truth"):
        assert (PROJECT_ROOT / steps[what]).exists() or Path(steps[what]).exists(), what
