"""`searchlight run --target spark`: the headless run with the models on Apache Spark.

The same steps as searchlight.pipeline, in the same order, with Spark as the engine of
the dbt build (docs/spark.md):

1. load the landing folder with the loader (ingest.load) into its DuckDB file, and run
   the expectation suites there: one loader, one set of guarantees, whichever engine;
2. copy the ledger store into the loader's `ledger` schema (ledger.sync.export);
3. export what the loader committed, and the ledger copies, to the Parquet lake
   (ingest.lake) and declare the lake's folders as Spark tables;
4. `dbt build --target spark` in this process, on the session prepared in (3), with the
   pseudonym function registered on it;
5. this run's alerts, read from Spark, into the ledger store; the ledger copies to the
   lake again and declared again, which the ledger marts (views over them, built in
   step 4) then show: dbt does not run a second time (ledger/sync.py);
6. publish the marts as Parquet (searchlight.spark.publish).

The warehouse is a folder (`--warehouse DIR`):

    DIR/loader.duckdb       the loader's database (raw, quarantine, load records, checks)
    DIR/lake/               its Parquet copy, read by Spark (ingest/lake.py)
    DIR/spark-warehouse/    the dbt models as Parquet tables (spark.sql.warehouse.dir)
    DIR/metastore_db/       the Derby metastore of the local session (one process at a time)
    DIR.ledger.sqlite       the ledger store, beside the folder (ledger.store.ledger_path)
    DIR_published/         the published marts, as beside a DuckDB warehouse file
                            (searchlight.publish: versions, current, marts -> current/marts)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ingest.lake import export_raw, export_schema, lake_tables
from ingest.load import load_landing
from ledger import store
from ledger import sync as ledger_sync
from searchlight import dbt as duckdb_dbt
from searchlight.spark import catalog, dbt_runner, session

LOADER_DB = "loader.duckdb"
LAKE = "lake"


class SparkWarehouseError(RuntimeError):
    """The --warehouse given to the Spark target cannot be used (the message says why)."""


@dataclass(frozen=True)
class SparkWarehouse:
    """The folder of a Spark-target warehouse and what lives in it (module doc)."""

    root: Path

    @property
    def loader_db(self) -> Path:
        return self.root / LOADER_DB

    @property
    def lake(self) -> Path:
        return self.root / LAKE

    @property
    def ledger(self) -> Path:
        return store.ledger_path(self.root)


def open_warehouse(warehouse: Path) -> SparkWarehouse:
    root = Path(warehouse).resolve()
    if root.exists() and not root.is_dir():
        raise SparkWarehouseError(
            f"--warehouse {warehouse}: the spark target keeps its warehouse in a folder, and "
            "this is a file (a DuckDB warehouse?); give a folder path")
    root.mkdir(parents=True, exist_ok=True)
    return SparkWarehouse(root)


def spark_session(warehouse: SparkWarehouse) -> Any:
    """The process's session for this warehouse; one warehouse per process (the session,
    its warehouse dir and its metastore are fixed when the JVM's session starts)."""
    with session.environment(duckdb_dbt.dbt_env(warehouse.root)):
        params = session.profile_parameters()
    spark = session.get_session(params)
    wanted = params["spark.sql.warehouse.dir"]
    current = spark.conf.get("spark.sql.warehouse.dir")
    if Path(current.removeprefix("file:")).resolve() != Path(wanted).resolve():
        raise SparkWarehouseError(
            f"this process's Spark session already serves the warehouse at {current}; "
            f"run {warehouse.root} in another process")
    return spark


def declare_lake(spark: Any, warehouse: SparkWarehouse,
                 schemas: tuple[str, ...] = ("raw", "ledger")) -> list[str]:
    return catalog.declare(spark, lake_tables(warehouse.loader_db, warehouse.lake, schemas))


def run(landing: Path, warehouse: Path, as_of: dt.date | None = None,
        progress: bool = True, publish: bool = True, full_refresh: bool = False,
        notify=None):
    """searchlight.pipeline.run for the Spark target (module docstring): the same steps,
    recorded the same way (searchlight/runstate.py: state and logs beside the loader's
    file, so an interrupted run is completed by the next)."""
    from searchlight import pipeline
    from searchlight import warehouse as warehouse_lock
    from searchlight.runstate import Run

    landing = Path(landing)
    pipeline.check_landing(landing)
    wh = open_warehouse(warehouse)
    notes: list[str] = []

    def tell(message: str) -> None:
        notes.append(message)
        if notify:
            notify(message)

    state = Run(wh.loader_db)
    previous_notify = warehouse_lock.set_notify(tell)
    try:
        with state.active():
            if state.previous:
                tell(state.previous.describe())
            report = _run_steps(state, landing, wh, as_of, progress, publish, full_refresh)
    finally:
        warehouse_lock.set_notify(previous_notify)
    report.notes = notes
    report.log = state.log.path
    report.steps = list(state.steps_done)
    report.step_seconds = dict(state.step_seconds)
    return report


def _run_steps(state, landing: Path, wh: SparkWarehouse, as_of: dt.date | None,
               progress: bool, publish: bool, full_refresh: bool):
    from searchlight import pipeline
    from searchlight import warehouse as warehouse_lock

    with state.step("open warehouse"):
        warehouse_lock.wait_until_free(wh.loader_db)
    with state.step("load"):
        load = load_landing(wh.loader_db, landing, progress=progress)
    with state.step("expectations"):
        failures = pipeline.check_expectations(wh.loader_db, since=state.last_complete)
    with state.step("ledger restore"), duckdb.connect(str(wh.loader_db)) as con:
        ledger_sync.export(con, wh.ledger)
    with state.step("lake export"):
        export_raw(wh.loader_db, wh.lake)
        export_schema(wh.loader_db, wh.lake, "ledger")
    with state.step("dbt build"):
        spark = spark_session(wh)
        session.register_pseudonym(spark)
        declare_lake(spark, wh)
        # Staging is rebuilt in full on Spark (no incremental state to refresh), so
        # --full-refresh changes nothing that the build does not already do.
        result = dbt_runner.invoke(
            duckdb_dbt.build_args(as_of.isoformat() if as_of else None,
                                  full_refresh=full_refresh), wh.root)
    with state.step("ledger sync"):
        ledger_report = after_build(spark, wh)

    report = pipeline.RunReport(load=load, as_of=as_of, failed_expectations=failures,
                                expectation_failures=[str(f) for f in failures],
                                dbt_seconds=result.elapsed_s,
                                ledger=ledger_report, built_models=result.nodes)
    with state.step("summary"):
        summarise(spark, report)
    if publish:
        from searchlight.spark.publish import publish_marts

        with state.step("publish"):
            report.published_to = publish_marts(spark, wh.root)
    state.complete()
    return report


def after_build(spark: Any, wh: SparkWarehouse,
                clock: store.Clock = store.now_local) -> ledger_sync.LedgerRunReport:
    """ledger.sync.after_build for Spark: this run's alerts from Spark into the store,
    the store's copies to the lake, declared again (the ledger marts are views over them,
    so they show the new copies without another dbt build)."""
    alerts = [row.asDict() for row in spark.table("marts.alerts").collect()]
    overrides = [(r[0], r[1]) for r in spark.sql(
        "select cast(calendar_date as string), is_workday from staging.stg_calendar_overrides "
        "where calendar_date is not null").collect()]
    coverage_as_of = None if alerts else spark.sql(
        "select max(as_of) from marts.rule_coverage").collect()[0][0]
    sync_report = ledger_sync.register_run(wh.ledger, alerts, overrides, departments(spark),
                                           coverage_as_of, clock)
    with duckdb.connect(str(wh.loader_db)) as con:
        ledger_sync.export(con, wh.ledger, clock)
    export_schema(wh.loader_db, wh.lake, "ledger")
    declare_lake(spark, wh, ("ledger",))
    return ledger_sync.LedgerRunReport(store=wh.ledger, sync=sync_report)


def departments(spark: Any) -> list[tuple[str, str | None]] | None:
    """As ledger.sync._departments: marts.dim_department, or None without the mart."""
    if not spark.catalog.tableExists("dim_department", "marts"):
        return None
    return [(r[0], r[1]) for r in spark.sql(
        "select dept_code, dept_name from marts.dim_department where dept_code is not null "
        "order by dept_code").collect()]


def summarise(spark: Any, report) -> None:
    rows = spark.sql("select rule_code, count(*) from marts.alerts group by rule_code "
                     "order by rule_code").collect()
    report.alerts_by_rule = {r[0]: r[1] for r in rows}
    cov = spark.sql("select rule_code, as_of, evaluated, fired, not_evaluable, "
                    "not_evaluable_reasons from marts.rule_coverage order by rule_code").collect()
    report.coverage = [r.asDict() for r in cov]
    if cov and report.as_of is None:
        report.as_of = cov[0]["as_of"]
