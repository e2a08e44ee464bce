"""The headless run (contract/outputs.md): load, check expectations, build, publish.

`searchlight run` and the Dagster job both end up here or in the functions this calls,
so a file is loaded, validated and transformed the same way whichever way it came in.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.load import LoadReport, load_landing
from ledger import sync as ledger_sync
from searchlight import dbt, pseudonym_guard
from searchlight.publish import publish_marts

DEMO_KEY_WARNING = (
    "SEARCHLIGHT_PSEUDONYM_KEY is not set: pseudonyms use the public demo key. "
    "Set a secret key before loading real data."
)


@dataclass
class RunReport:
    load: LoadReport
    as_of: dt.date | None
    alerts_by_rule: dict[str, int] = field(default_factory=dict)
    coverage: list[dict] = field(default_factory=list)
    expectation_failures: list[str] = field(default_factory=list)
    published_to: Path | None = None
    dbt_seconds: float = 0.0
    ledger: object | None = None  # ledger.sync.LedgerRunReport
    # the pseudonym key differs from the one the warehouse was built with: rebuilt in full
    key_changed: bool = False


TARGETS = ("duckdb", "spark")


def run(landing: Path, warehouse: Path, as_of: dt.date | None = None,
        progress: bool = True, publish: bool = True,
        full_refresh: bool = False, target: str = "duckdb") -> RunReport:
    """target: the engine of the dbt build, "duckdb" (warehouse: a DuckDB file) or "spark"
    (warehouse: a folder; searchlight/spark/pipeline.py, docs/spark.md)."""
    if target == "spark":
        from searchlight.spark import pipeline as spark_pipeline

        return spark_pipeline.run(landing, warehouse, as_of=as_of, progress=progress,
                                  publish=publish, full_refresh=full_refresh)
    if target != "duckdb":
        raise ValueError(f"unknown target {target!r}: one of {', '.join(TARGETS)}")
    landing, warehouse = Path(landing), Path(warehouse)
    if not landing.is_dir():
        raise FileNotFoundError(f"landing folder {landing} does not exist")
    warehouse.parent.mkdir(parents=True, exist_ok=True)

    load = load_landing(warehouse, landing, progress=progress)
    failures = check_expectations(warehouse, load)

    # The ledger store outlives the warehouse: first detections go in before the build,
    # this run's alerts into the ledger after it, then the ledger marts (ledger/sync.py).
    ledger_sync.restore(warehouse)
    # Incremental models keep earlier runs' pseudonyms: under a new key they are all
    # recomputed, never mixed (searchlight/pseudonym_guard.py).
    key_changed = pseudonym_guard.key_changed(warehouse)
    result = dbt.invoke(dbt.build_args(as_of.isoformat() if as_of else None,
                                       full_refresh=full_refresh or key_changed), warehouse)
    pseudonym_guard.remember_key(warehouse)
    ledger_report = ledger_sync.after_build(warehouse)

    report = RunReport(load=load, as_of=as_of, expectation_failures=failures,
                       dbt_seconds=result.elapsed_s + ledger_report.dbt_seconds,
                       ledger=ledger_report, key_changed=key_changed)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        _summarise(con, report)
    if publish:
        report.published_to = publish_marts(warehouse)
    return report


def check_expectations(warehouse: Path, load: LoadReport) -> list[str]:
    """Run the expectation suites on the batches this run loaded; return what failed."""
    from expectations import run_suites

    batch_ids = [f.batch_id for f in load.files if f.status == "loaded" and f.batch_id]
    if not batch_ids:
        return []
    with duckdb.connect(str(warehouse)) as con:
        results = run_suites(con, batch_ids)
    return [
        f"{r.source}: {failure}" for r in results if not r.success for failure in r.failures
    ]


def _summarise(con: duckdb.DuckDBPyConnection, report: RunReport) -> None:
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
