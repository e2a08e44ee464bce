"""Between the ledger store and the warehouse: the one code path of the CLI and Dagster.

A run (``searchlight.pipeline.run`` and the Dagster job) does, in this order:

1. ``restore(warehouse)`` before ``dbt build``: copies the store into the warehouse's
   ``ledger`` schema (dbt source ``ledger``). ``alert_first_detections`` reads
   ``ledger.first_detections``, so a deleted and rebuilt warehouse keeps every alert's
   first_detected_on. Skipped when the copy already ends with the store's last entry.
2. ``dbt build``, one invocation for everything: marts.alerts for this run, and the
   ledger marts (marts.supervision_ledger, marts.rule_precision) as views over the
   ``ledger`` copies.
3. ``after_build(warehouse)``: copies the warehouse's departments and calendar overrides
   into the store, registers this run's alerts in it (lifecycle.sync_alerts, which ends
   by sealing the register) and copies the store into the warehouse again. The ledger
   marts, being views over those copies, then show this run's alerts and every action
   taken until now; dbt does not run again (a second invocation cost 5-15 s of start-up
   and parsing per run, issue 15).

DuckDB cannot read SQLite here (its extensions cannot be downloaded), hence the copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from ledger import lifecycle, store
from searchlight import faults
from searchlight.dbt_plugin import pseudonym_key, pseudonym_macro_sql
from searchlight.warehouse import connect as open_warehouse

_ALERT_COLUMNS = [
    ("alert_id", pa.string()), ("rule_code", pa.string()), ("rule_family", pa.string()),
    ("severity", pa.string()), ("subject_type", pa.string()), ("subject_id", pa.string()),
    ("dept_code", pa.string()), ("staff_id", pa.string()),
    ("first_detected_on", pa.string()), ("last_seen_on", pa.string()),
    ("still_firing", pa.int64()), ("metric_value", pa.float64()),
    ("threshold_value", pa.float64()), ("evidence", pa.string()),
    ("evidence_hash", pa.string()), ("occurred_on", pa.string()),
]
_ACTION_COLUMNS = [(c, pa.int64() if c == "seq" else pa.string())
                   for c in (*store.CHAIN_COLUMNS, "hash")]
_STATE_COLUMNS = [
    ("alert_id", pa.string()), ("status", pa.string()), ("assignee", pa.string()),
    ("handling_dept_code", pa.string()), ("due_on", pa.string()),
    ("last_action", pa.string()), ("last_action_at", pa.string()),
    ("last_actor", pa.string()), ("resolution_note", pa.string()), ("actions", pa.int64()),
    ("state_on", pa.string()),
]


@dataclass
class LedgerRunReport:
    store: Path
    sync: lifecycle.SyncReport


def _table(columns, rows: list[tuple], names: list[str]) -> pa.Table:
    """An Arrow table of ``columns`` from tuple rows whose fields are named ``names``;
    column by column (a dict per row took seconds per 10^5 alerts)."""
    by_name = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {}
    return pa.table({c: pa.array(by_name.get(c, [None] * len(rows)), type=t)
                     for c, t in columns})


def _rows(lcon, sql: str) -> tuple[list[str], list[tuple]]:
    cur = lcon.cursor()
    cur.row_factory = None
    cur.execute(sql)
    return [d[0] for d in cur.description], cur.fetchall()


def export(con: duckdb.DuckDBPyConnection, ledger: Path,
           clock: store.Clock = store.now_local) -> None:
    """Replace the warehouse's ``ledger`` schema with the store's current content."""
    with store.connect(ledger) as lcon:
        alert_names, alerts = _rows(lcon, "select * from alerts order by alert_id")
        action_names, actions = _rows(lcon, "select * from actions order by seq")
    states = lifecycle.fold(dict(zip(action_names, a, strict=True)) for a in actions)
    today = clock().date().isoformat()
    state_names = [c for c, _ in _STATE_COLUMNS]
    state_rows = [tuple(getattr(s, c) for c in state_names[:-1]) + (today,)
                  for s in states.values()]
    tables = {
        "first_detections": _table(_ALERT_COLUMNS[:1] + [_ALERT_COLUMNS[8]], alerts,
                                   alert_names),
        "alert_register": _table(_ALERT_COLUMNS, alerts, alert_names),
        "actions": _table(_ACTION_COLUMNS, actions, action_names),
        "state": _table(_STATE_COLUMNS, state_rows, state_names),
    }
    con.execute("create schema if not exists ledger")
    # The people in the state as keyed pseudonyms, computed here: the ledger marts are
    # views over these copies (built once, in the main dbt build), and the pseudonym
    # function is a temporary macro that lives only on the connection that made it
    # (searchlight/dbt_plugin.py), so no view can call it. Same function, same key.
    con.execute(pseudonym_macro_sql(pseudonym_key(warn=False)))
    extra = {"state": ", sl_pseudonym(assignee) as assignee_key, "
                      "sl_pseudonym(last_actor) as last_actor_key"}
    for name, table in tables.items():
        con.register("_ledger_copy", table)
        con.execute(f"create or replace table ledger.{name} as "
                    f"select *{extra.get(name, '')} from _ledger_copy")
        con.unregister("_ledger_copy")


def restore(warehouse: Path, clock: store.Clock = store.now_local) -> bool:
    """Before the build: the store's state into the warehouse (dbt source ``ledger``).

    Skipped (False) when the warehouse's copy already ends with the store's last entry:
    the last run's ``after_build`` wrote it and nothing was appended since, so the
    register and the history the build reads are the store's. Only ``state.state_on``
    may be a day old then, which nothing in the build reads but the ledger views' own
    tests, and ``after_build`` writes the copy again in any case. At 10M cases the copy
    took 16 s of every daily run (bench/RESULTS.md).
    """
    ledger = store.ledger_path(warehouse)
    with open_warehouse(warehouse) as con:  # waits for a reader's lock
        if copy_is_current(con, ledger):
            return False
        export(con, ledger, clock)
        return True


def copy_is_current(con: duckdb.DuckDBPyConnection, ledger: Path) -> bool:
    """Does the warehouse's copy of the ledger end with the store's last entry (same
    number of entries, same last sequence number and hash)? Every change of the store
    appends an entry (a registration, an action, the seal of a run), so an equal head
    means an equal store."""
    tables = {t for (t,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'ledger'"
    ).fetchall()}
    if not {"first_detections", "alert_register", "actions", "state"} <= tables:
        return False
    copy_head = con.execute("select count(*), max(seq), max_by(hash, seq) "
                            "from ledger.actions").fetchone()
    if not Path(ledger).exists():
        return copy_head[0] == 0
    with store.connect(ledger) as lcon:
        store_head = lcon.execute("select count(*), max(seq), (select hash from actions "
                                  "order by seq desc limit 1) from actions").fetchone()
    return tuple(copy_head) == tuple(store_head)


def after_build(warehouse: Path, clock: store.Clock = store.now_local) -> LedgerRunReport:
    """After the build: register this run's alerts, copy the store into the warehouse
    (the ledger marts are views over the copy: module doc)."""
    ledger = store.ledger_path(warehouse)
    with open_warehouse(warehouse) as con:  # waits for a reader's lock
        # in a fixed order: the ledger numbers the register actions in this order
        cur = con.execute("select * from marts.alerts order by alert_id")
        names = [d[0] for d in cur.description]
        alerts = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        overrides = con.execute(
            "select cast(calendar_date as varchar), is_workday "
            "from staging.stg_calendar_overrides where calendar_date is not null"
        ).fetchall()
        coverage_as_of = None if alerts else con.execute(
            "select max(as_of) from marts.rule_coverage").fetchone()[0]
        report = register_run(ledger, alerts, overrides, _departments(con), coverage_as_of,
                              clock)
        # the store has this run's alerts, the warehouse's copy not yet (fault injection)
        faults.kill_point("ledger sync:registered")
        export(con, ledger, clock)
    return LedgerRunReport(store=ledger, sync=report)


def register_run(ledger: Path, alerts: list[dict], overrides: list[tuple[str, bool]],
                 departments: list[tuple[str, str | None]] | None,
                 coverage_as_of: dt.date | None = None,
                 clock: store.Clock = store.now_local) -> lifecycle.SyncReport:
    """This run's alerts (rows of marts.alerts), calendar overrides (date text,
    is_workday) and departments (None: the mart is missing) into the store, whichever
    engine built them (the Spark target reads them from Spark: searchlight/spark/
    pipeline.py). coverage_as_of: the run's as_of when it raised no alert."""
    as_of = (alerts[0]["as_of"] if alerts else coverage_as_of) or clock().date()
    with store.connect(ledger) as lcon:
        lcon.execute("delete from calendar_overrides")
        lcon.executemany("insert into calendar_overrides values (?, ?)",
                         [(d, int(bool(w))) for d, w in overrides])
        if departments is not None:
            store.replace_departments(lcon, departments)
        report = lifecycle.sync_alerts(lcon, alerts, as_of, clock)
        if departments is None:
            report.warnings.append(
                "marts.dim_department is missing: the ledger keeps the department list "
                "of the run before, against which transfers are checked")
        elif not departments:
            report.warnings.append(
                "the warehouse knows no departments (no departments file loaded): "
                "`ledger transfer --dept` cannot be checked until it does")
    return report


def _departments(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]] | None:
    """The departments the warehouse knows (marts.dim_department: the current version of
    each code in raw departments), or None when the build did not make the mart."""
    try:
        return con.execute("select dept_code, dept_name from marts.dim_department "
                           "where dept_code is not null order by dept_code").fetchall()
    except duckdb.CatalogException:
        return None


def today(clock: store.Clock = store.now_local) -> dt.date:
    return clock().date()
