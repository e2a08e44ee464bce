"""The headless run (contract/outputs.md): load, check expectations, build, publish.

`searchlight run` and the Dagster job both end up here or in the functions this calls,
so a file is loaded, validated and transformed the same way whichever way it came in.

A run is a sequence of steps (searchlight/runstate.py), each safe to repeat: a run
killed or failed anywhere leaves a state the next run completes — files not loaded are
loaded, batches not validated are validated, the marts are rebuilt, the ledger synced and
the Parquet published again. A failure ends in ``runstate.StepFailed``: the step, the
cause, the warehouse's state, what to do, and the log file with the details.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.load import LoadReport, load_landing
from ingest.sources import SOURCES
from ledger import sync as ledger_sync
from searchlight import dbt, pseudonym_guard
from searchlight import warehouse as warehouse_lock
from searchlight.publish import publish_marts
from searchlight.runstate import Run

DEMO_KEY_WARNING = (
    "SEARCHLIGHT_PSEUDONYM_KEY is not set: pseudonyms use the public demo key. "
    "Set a secret key before loading real data."
)

Notify = Callable[[str], None]


class LandingError(ValueError):
    """The landing folder cannot be used as given: the message says what is wrong."""


@dataclass
class RunReport:
    load: LoadReport
    as_of: dt.date | None
    alerts_by_rule: dict[str, int] = field(default_factory=dict)
    coverage: list[dict] = field(default_factory=list)
    # failed expectations stored since the last complete run ('<source>: <failure>')
    expectation_failures: list[str] = field(default_factory=list)
    failed_expectations: list = field(default_factory=list)  # expectations.offenders.StoredFailure
    published_to: Path | None = None
    dbt_seconds: float = 0.0
    ledger: object | None = None  # ledger.sync.LedgerRunReport
    # the pseudonym key differs from the one the warehouse was built with: rebuilt in full
    key_changed: bool = False
    notes: list[str] = field(default_factory=list)  # what a person should know about the run
    log: Path | None = None
    # the steps this run did, in order (searchlight/runstate.py)
    steps: list[str] = field(default_factory=list)
    step_seconds: dict[str, float] = field(default_factory=dict)  # wall time of each step
    # Dagster asset keys of what this run built, for searchlight.dagster_record
    built_models: list[dict] = field(default_factory=list)


def landed_files(landing: Path) -> list[Path]:
    """Every file a run would consider (hidden files and folders are not deliveries)."""
    return [p for p in sorted(landing.rglob("*")) if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(landing).parts)]


def check_landing(landing: Path) -> None:
    """Refuse a landing path that is missing or is a file, saying what is expected."""
    expected = (f"one folder per source, e.g. {landing}/cases/cases_2025-05.csv "
                "(sources: ../shared/contract/sources.md)")
    if landing.is_file():
        raise LandingError(f"landing folder {landing} is a file, not a folder: --landing "
                           f"takes the folder that holds {expected}")
    if not landing.is_dir():
        raise LandingError(f"landing folder {landing} does not exist: --landing takes the "
                           f"folder that holds {expected}")


def _loaded_batches(warehouse: Path) -> int:
    if not warehouse.exists():
        return 0
    with warehouse_lock.connect(warehouse, read_only=True) as con:
        has_table = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' "
            "and table_name = 'load_files'").fetchone()[0]
        if not has_table:
            return 0
        return con.execute(
            "select count(*) from raw.load_files where status = 'loaded'").fetchone()[0]


TARGETS = ("duckdb", "spark")


def run(landing: Path, warehouse: Path, as_of: dt.date | None = None,
        progress: bool = True, publish: bool = True,
        full_refresh: bool = False, notify: Notify | None = None,
        target: str = "duckdb") -> RunReport:
    """Load, validate, build, sync the ledger, publish (module docstring).

    ``notify`` receives what a person should know while it runs (waiting for the lock,
    completing an interrupted run, an empty landing folder); they are also in
    ``RunReport.notes``. ``target``: the engine of the dbt build, "duckdb" (warehouse: a
    DuckDB file) or "spark" (warehouse: a folder; searchlight/spark/pipeline.py).
    """
    if target == "spark":
        from searchlight.spark import pipeline as spark_pipeline

        return spark_pipeline.run(landing, warehouse, as_of=as_of, progress=progress,
                                  publish=publish, full_refresh=full_refresh, notify=notify)
    if target != "duckdb":
        raise ValueError(f"unknown target {target!r}: one of {', '.join(TARGETS)}")
    landing, warehouse = Path(landing), Path(warehouse)
    check_landing(landing)
    if warehouse.is_dir():
        raise LandingError(f"warehouse {warehouse} is a folder: --warehouse takes the DuckDB "
                           "file to build (created when missing)")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []

    def tell(message: str) -> None:
        notes.append(message)
        if notify:
            notify(message)

    files = landed_files(landing)
    if not files and not _loaded_batches(warehouse):
        raise LandingError(
            f"landing folder {landing} holds no files and the warehouse {warehouse} has "
            "nothing loaded: there is nothing to build (nothing was changed). Put the "
            f"exports in {landing}/<source>/ (e.g. {landing}/cases/cases_2025-05.csv; "
            f"sources: {', '.join(SOURCES)})")
    if not files:
        tell(f"landing folder {landing} holds no files: rebuilding from the files loaded "
             "by earlier runs")

    state = Run(warehouse)
    previous_notify = warehouse_lock.set_notify(tell)
    try:
        with state.active():
            if state.previous:
                tell(state.previous.describe())
            report = _run_steps(state, landing, warehouse, as_of, progress, publish,
                                full_refresh, tell)
    finally:
        warehouse_lock.set_notify(previous_notify)
    report.notes = notes
    report.log = state.log.path
    report.steps = list(state.steps_done)
    report.step_seconds = dict(state.step_seconds)
    return report


def _run_steps(state: Run, landing: Path, warehouse: Path, as_of: dt.date | None,
               progress: bool, publish: bool, full_refresh: bool,
               tell: Notify) -> RunReport:
    with state.step("open warehouse"):  # a reader holding the file: wait, or change nothing
        warehouse_lock.wait_until_free(warehouse)
    with state.step("load"):
        load = load_landing(warehouse, landing, progress=progress)
    with state.step("expectations"):
        failures = check_expectations(warehouse, since=state.last_complete)

    # The ledger store outlives the warehouse: first detections go in before the build,
    # this run's alerts into the ledger after it, and the store is copied in again, which
    # the ledger marts (views built by the one dbt build) then show (ledger/sync.py).
    with state.step("ledger restore"):
        ledger_sync.restore(warehouse)
    with state.step("dbt build"):
        # Incremental models keep earlier runs' pseudonyms: under a new key they are all
        # recomputed, never mixed (searchlight/pseudonym_guard.py).
        key_changed = pseudonym_guard.key_changed(warehouse)
        result = dbt.invoke(dbt.build_args(as_of.isoformat() if as_of else None,
                                           full_refresh=full_refresh or key_changed),
                            warehouse)
        pseudonym_guard.remember_key(warehouse)
    with state.step("ledger sync"):
        ledger_report = ledger_sync.after_build(warehouse)

    report = RunReport(load=load, as_of=as_of, failed_expectations=failures,
                       expectation_failures=[str(f) for f in failures],
                       dbt_seconds=result.elapsed_s,
                       ledger=ledger_report, key_changed=key_changed,
                       built_models=result.nodes)
    with state.step("summary"), warehouse_lock.connect(warehouse, read_only=True) as con:
        _summarise(con, report)
    if publish:
        with state.step("publish"):
            report.published_to = publish_marts(warehouse)
    state.complete()
    return report


def check_expectations(warehouse: Path, since: dt.datetime | None = None) -> list:
    """Validate every loaded batch that has no results yet — this run's files and any an
    interrupted run loaded (expectations/run.py) — and return the failures stored since
    ``since`` (the start of the last complete run; None: all), so a run after an
    interrupted one reports what that one validated too."""
    from expectations import failures_since, pending_batches, run_suites

    with warehouse_lock.connect(warehouse) as con:
        pending = pending_batches(con)
        if pending:
            run_suites(con, pending)
        return failures_since(con, since)


def _summarise(con, report: RunReport) -> None:
    rows = con.execute(
        "select rule_code, count(*) from marts.alerts group by rule_code order by rule_code"
    ).fetchall()
    report.alerts_by_rule = {code: n for code, n in rows}
    cov = con.execute(
        "select rule_code, as_of, evaluated, fired, not_evaluable, not_evaluable_reasons "
        "from marts.rule_coverage order by rule_code"
    ).fetchall()
    report.coverage = [
        dict(zip(("rule_code", "as_of", "evaluated", "fired", "not_evaluable",
                  "not_evaluable_reasons"), row)) for row in cov
    ]
    if cov and report.as_of is None:
        report.as_of = cov[0][1]


def pseudonym_key_is_default() -> bool:
    return not os.environ.get("SEARCHLIGHT_PSEUDONYM_KEY")
