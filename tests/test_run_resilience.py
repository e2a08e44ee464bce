"""A run against a warehouse another program holds, or that fails part-way (issue 14).

dbt is replaced by a stand-in that creates the few tables the later steps read, so these
tests exercise the run's own steps — locks, state file, messages, log — in seconds. The
real build under faults is tests/test_fault_injection.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from ledger import sync as ledger_sync
from searchlight import dbt, pipeline
from searchlight.cli import main
from searchlight.runstate import StepFailed, state_path

pytestmark = pytest.mark.e2e

HOLD = textwrap.dedent("""
    import duckdb, sys, time
    con = duckdb.connect(sys.argv[1], read_only=True)
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def hold_warehouse(warehouse: Path, seconds: float) -> subprocess.Popen:
    """A reader in another process holding the warehouse for ``seconds``."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(warehouse), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing" / "departments"
    folder.mkdir(parents=True)
    (folder / "departments.csv").write_text("dept_code,dept_name\n", encoding="utf-8")
    return folder.parent


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    return path


class StandInDbt:
    """dbt.invoke's stand-in: the tables the ledger sync, summary and publish read."""

    def __init__(self, after_build=None) -> None:
        self.after_build = after_build
        self.calls: list[list[str]] = []

    def __call__(self, args, warehouse, vars=None, quiet=True):
        self.calls.append(list(args))
        if "--select" not in args:  # the build (a run has one: ledger marts are views)
            with duckdb.connect(str(warehouse)) as con:
                con.execute("create schema if not exists marts")
                con.execute("create schema if not exists staging")
                con.execute("create or replace table marts.alerts (alert_id varchar, "
                            "rule_code varchar, severity varchar, as_of date, evidence varchar)")
                con.execute("create or replace table marts.rule_coverage (rule_code varchar, "
                            "as_of date, evaluated int, fired int, not_evaluable int, "
                            "not_evaluable_reasons varchar)")
                con.execute("insert into marts.rule_coverage values "
                            "('T01', date '2025-05-20', 0, 0, 0, '{}')")
                con.execute("create or replace table staging.stg_calendar_overrides "
                            "(calendar_date date, is_workday boolean)")
            if self.after_build:
                self.after_build(warehouse)
        return dbt.DbtResult(args=list(args), returncode=0)


def test_a_reader_opening_the_file_right_after_dbt_delays_the_run_instead_of_failing_it(
        landing, warehouse, monkeypatch):
    """Item 5: the reader holds the file when the ledger sync opens it; the run waits."""
    readers = []
    monkeypatch.setattr(dbt, "invoke", StandInDbt(
        after_build=lambda w: readers.append(hold_warehouse(w, 2))))
    monkeypatch.setenv("SEARCHLIGHT_LOCK_WAIT", "30")
    notes = []
    report = pipeline.run(landing, warehouse, progress=False, notify=notes.append)
    assert report.steps[-1] == "publish" and "ledger sync" in report.steps
    assert any("in use by PID" in n and "waiting up to 30 s" in n for n in notes), notes
    readers[0].wait()


def test_a_reader_holding_the_file_too_long_fails_the_run_before_it_changes_anything(
        landing, warehouse, monkeypatch, capsys):
    """Items 5 and 15: one line with the step, the cause, the state and what to do."""
    monkeypatch.setattr(dbt, "invoke", StandInDbt())
    monkeypatch.setenv("SEARCHLIGHT_LOCK_WAIT", "1")
    before = warehouse.read_bytes()
    reader = hold_warehouse(warehouse, 20)
    try:
        code = main(["run", "--landing", str(landing), "--warehouse", str(warehouse),
                     "--no-progress"])
    finally:
        reader.kill()
    assert code == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("searchlight run:")]
    assert len(lines) == 1, err
    line = lines[0]
    for fragment in ("step 'open warehouse' failed", f"in use by PID {reader.pid}",
                     "nothing was changed", "SEARCHLIGHT_LOCK_WAIT", "Details: "):
        assert fragment in line, line
    assert "IOException" not in err and "Traceback" not in err
    log = Path(line.split("Details: ")[1].strip())
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert warehouse.read_bytes() == before


def test_a_run_failing_after_the_build_says_so_and_the_next_run_completes_it(
        landing, warehouse, monkeypatch):
    """Item 5: the step, the warehouse's state; the next run syncs and publishes."""
    monkeypatch.setattr(dbt, "invoke", StandInDbt())
    real_after_build = ledger_sync.after_build

    def broken(warehouse, *args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(ledger_sync, "after_build", broken)
    with pytest.raises(StepFailed) as failed:
        pipeline.run(landing, warehouse, progress=False)
    message = failed.value.line()
    assert "step 'ledger sync' failed: No space left on device" in message
    assert "the marts are rebuilt" in message and "supervision ledger" in message
    assert "run the same command again" in message
    state = json.loads(state_path(warehouse).read_text(encoding="utf-8"))
    assert (state["status"], state["step"]) == ("failed", "ledger sync")

    monkeypatch.setattr(ledger_sync, "after_build", real_after_build)
    notes = []
    report = pipeline.run(landing, warehouse, progress=False, notify=notes.append)
    assert any("failed (No space left on device) in step 'ledger sync': this run "
               "completes it" in n for n in notes), notes
    assert {"ledger sync", "publish"} <= set(report.steps)
    assert (report.published_to / "alerts.parquet").exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # no alert, no action: only the register's seal entry (alert_id '*') may be there
        assert con.execute("select count(*) from ledger.actions "
                           "where alert_id <> '*'").fetchone() == (0,)
    state = json.loads(state_path(warehouse).read_text(encoding="utf-8"))
    assert state["status"] == "complete"


def test_a_failing_dbt_build_is_one_line_and_its_output_goes_to_the_log_without_colours(
        landing, warehouse, monkeypatch, tmp_path, capsys):
    """Item 15: no traceback and no raw dbt log on the terminal."""
    fake = tmp_path / "dbt"
    fake.write_text(textwrap.dedent("""\
        #!/bin/sh
        printf '\\033[0m12:00:01  1 of 2 START sql table model staging.stg_cases [RUN]\\n'
        printf '\\033[0m12:00:02  1 of 2 ERROR creating sql table model staging.stg_cases '
        printf '\\033[31m[ERROR in 0.1s]\\033[0m\\n'
        printf 'Runtime Error in model stg_cases: Conversion Error: bad date\\n'
        exit 1
        """))
    fake.chmod(0o755)
    monkeypatch.setattr(dbt, "dbt_executable", lambda: str(fake))
    code = main(["run", "--landing", str(landing), "--warehouse", str(warehouse),
                 "--no-progress"])
    assert code == 1
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if line.startswith("searchlight run:")]
    assert "step 'dbt build' failed" in line and "\x1b" not in err
    assert "Traceback" not in err and "START sql table" not in err
    log = Path(line.split("Details: ")[1].strip()).read_text(encoding="utf-8")
    assert "Runtime Error in model stg_cases: Conversion Error: bad date" in log
    assert "[ERROR in 0.1s]" in log and "\x1b" not in log


def test_a_refused_file_makes_the_exit_code_and_the_summary_say_so(
        landing, warehouse, monkeypatch, capsys):
    """Item 1: a file that could not be used is named at the end, and the run exits 4."""
    monkeypatch.setattr(dbt, "invoke", StandInDbt())
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    (landing / "cases").mkdir()
    (landing / "cases" / "broken.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    code = main(["run", "--landing", str(landing), "--warehouse", str(warehouse),
                 "--no-progress"])
    assert code == 4
    captured = capsys.readouterr()
    assert "refused, not loaded: cases/broken.csv: the file's encoding is not one we accept" \
        in " ".join(captured.err.split())
    assert "1 file(s) refused" in captured.err
