"""What the console reads: the published snapshot of the marts, and the ledger store.

- **The snapshot** (``<warehouse stem>_published/``, searchlight/publish.py) is read, never
  the DuckDB file a build may be writing. Its tables are loaded into an in-memory DuckDB
  (``read_parquet``), once per published version: every request first checks which
  version ``current`` points at (one ``realpath``) and reloads when it moved, so a new
  run's snapshot shows without a restart. When the snapshot is missing or cannot be read
  the console answers "the data is being refreshed" (``DataUnavailable``), never a trace.
- **The ledger state** (status, assignee, handling department, due date) is newer than
  any snapshot: a supervisor acts between runs. It is the fold of the store's actions
  (``ledger.lifecycle.fold``), kept here as a DuckDB table beside the snapshot's, and
  brought up to date when the store's head moves: only the alerts that received new
  actions are folded again, so an action does not cost a fold of the whole history.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from ledger import lifecycle, store

REQUIRED = ("alerts", "supervision_ledger", "rule_coverage")
LOAD_WAIT_SECONDS = 2.0
VERIFY_WAIT_SECONDS = 5.0
# The columns the fold needs (not the chain's hashes): a third less to read at 10^6 rows.
FOLD_COLUMNS = ("seq, alert_id, action, to_status, actor, acted_at, note, assignee, "
                "dept_code, due_on, evidence_hash")
ITEM_COLUMNS = """
    select
        f.*,
        s.status,
        s.assignee,
        coalesce(s.handling_dept_code, f.dept_code) as handling_dept_code,
        s.due_on,
        s.last_seq,
        s.last_action,
        s.last_action_at,
        case f.severity when 'red' then 3 when 'yellow' then 2 else 1 end as severity_rank
"""
OPTIONAL = ("rule_precision", "staff_cards", "integrity_risk_index", "dim_department",
            "dim_staff")

_STATE_SCHEMA = pa.schema([
    ("alert_id", pa.string()), ("status", pa.string()), ("assignee", pa.string()),
    ("handling_dept_code", pa.string()), ("due_on", pa.date32()),
    ("last_action", pa.string()), ("last_action_at", pa.string()),
    ("last_actor", pa.string()), ("last_seq", pa.int64()),
])


class DataUnavailable(Exception):
    """The published snapshot is missing or being replaced: try again shortly."""


@dataclass
class SnapshotInfo:
    version: str
    folder: Path
    published_at: dt.datetime | None = None
    as_of: dt.date | None = None
    tables: set[str] = field(default_factory=set)
    alert_columns: set[str] = field(default_factory=set)
    has_catalog: bool = False

    @property
    def has_explanations(self) -> bool:
        return {"explanation_zh", "explanation_en"} <= self.alert_columns


def snapshot_folder(published: Path) -> tuple[str, Path] | None:
    """(version id, folder holding ``marts/``) of what readers see now, or None."""
    current = published / "current"
    if os.path.lexists(current):
        folder = Path(os.path.realpath(current))
        return (folder.name, folder) if folder.is_dir() else None
    marts = published / "marts"
    if marts.is_dir():  # published before versions existed: tables replaced one by one
        try:
            stamp = max(f.stat().st_mtime_ns for f in marts.glob("*.parquet"))
        except ValueError:
            return None
        return f"unversioned-{stamp}", published
    return None


class ConsoleData:
    """The snapshot and the ledger state, in one in-memory DuckDB shared by requests."""

    def __init__(self, published: Path, ledger: Path) -> None:
        self.published = Path(published)
        self.ledger = Path(ledger)
        self.db = duckdb.connect(":memory:")
        self._lock = threading.RLock()
        self.snapshot: SnapshotInfo | None = None
        self._head: int | None = None
        self._head_hash: str | None = None  # to notice a store replaced by another one
        self.states: dict[str, lifecycle.State] = {}
        self.generation = 0  # moves whenever the snapshot or the ledger state changes
        self._cache: dict[tuple, object] = {}
        self._verify_lock = threading.Lock()
        self._verified: tuple | None = None
        self._verifying: threading.Thread | None = None

    # ------------------------------------------------------------------ freshness
    def refresh(self) -> SnapshotInfo:
        """Bring the snapshot and the ledger state up to date; DataUnavailable if no
        complete snapshot can be read.

        While another request is loading (a new snapshot: seconds at 400,000 alerts),
        requests answer from the data loaded before, which stays consistent (the load
        runs in one transaction); with nothing loaded yet, "being refreshed"."""
        if not self._lock.acquire(timeout=LOAD_WAIT_SECONDS):
            if self.snapshot is not None:
                return self.snapshot
            raise DataUnavailable("the snapshot is being loaded")
        try:
            found = snapshot_folder(self.published)
            if found is None:
                self.snapshot = None
                raise DataUnavailable(f"no published snapshot in {self.published}")
            version, folder = found
            if self.snapshot is None or self.snapshot.version != version:
                try:
                    self.snapshot = self._load_snapshot(version, folder)
                except DataUnavailable:
                    self.snapshot = None
                    raise
                self._refresh_ledger()
                self._rebuild_items()
            elif not (folder / "marts").is_dir():
                self.snapshot = None
                raise DataUnavailable(f"snapshot {version} was removed")
            else:
                change = self._refresh_ledger()
                if change == "full":
                    self._rebuild_items()
                elif change:
                    self.generation += 1
            return self.snapshot
        finally:
            self._lock.release()

    def warm_up(self) -> None:
        """Load everything once (at start, in the background): the first person to open
        a page does not wait for the fold of the whole history."""
        try:
            self.refresh()
        except DataUnavailable:
            pass

    def _rebuild_items(self) -> None:
        """alert_items = facts ⋈ ledger state, materialised: the list and the overview
        filter one table instead of joining 400,000 rows on every request."""
        self.db.execute(f"create or replace table alert_items as {ITEM_COLUMNS} "
                        "from facts as f left join ledger_state as s "
                        "on f.alert_id = s.alert_id")
        self.generation += 1

    def cached(self, key: tuple, compute):
        """``compute()`` once per data generation (snapshot and ledger state) and key."""
        full = (self.generation, *key)
        if full not in self._cache:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[full] = compute()
        return self._cache[full]

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.db.cursor()

    def parquet(self, table: str) -> str:
        assert self.snapshot is not None
        return str(self.snapshot.folder / "marts" / f"{table}.parquet")

    # ------------------------------------------------------------------ snapshot
    def _load_snapshot(self, version: str, folder: Path) -> SnapshotInfo:
        marts = folder / "marts"
        info = SnapshotInfo(version, folder)
        missing = [t for t in REQUIRED if not (marts / f"{t}.parquet").exists()]
        if missing:
            raise DataUnavailable(f"snapshot {version} lacks {', '.join(missing)}")
        info.tables = {p.stem for p in marts.glob("*.parquet")}
        meta = folder / "PUBLISHED.json"
        try:
            if meta.exists():
                stamp = json.loads(meta.read_text("utf-8")).get("published_at")
                info.published_at = dt.datetime.fromisoformat(stamp) if stamp else None
            else:
                info.published_at = dt.datetime.fromtimestamp(
                    (marts / "alerts.parquet").stat().st_mtime, dt.UTC)
            con = self.db
            con.execute("begin")
            try:
                self._load_tables(con, marts, info)
                catalog = folder / "catalog" / "rules.parquet"
                info.has_catalog = catalog.exists()
                if info.has_catalog:
                    con.execute("create or replace table catalog as "
                                f"select * from read_parquet('{_q(catalog)}')")
                else:
                    con.execute("create or replace table catalog as select "
                                "cast(null as varchar) as rule_code where false")
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        except (duckdb.Error, OSError, ValueError) as exc:
            raise DataUnavailable(f"snapshot {version} could not be read: {exc}") from exc
        info.as_of = self.db.execute("select max(as_of) from coverage").fetchall()[0][0]
        return info

    def _load_tables(self, con, marts: Path, info: SnapshotInfo) -> None:
        alerts = _q(marts / "alerts.parquet")
        ledger = _q(marts / "supervision_ledger.parquet")
        info.alert_columns = {r[0] for r in con.execute(
            f"describe select * from read_parquet('{alerts}')").fetchall()}
        explain = ("a.explanation_zh, a.explanation_en" if info.has_explanations
                   else "cast(null as varchar) as explanation_zh, "
                        "cast(null as varchar) as explanation_en")
        stopped = self._stopped_firing_register()
        con.register("_stopped", stopped)
        # Every alert the ledger registered (firing or not) with the facts of this run's
        # alerts; an alert that stopped firing keeps the month of its violation from the
        # register (its occurred_on), as the cards do.
        con.execute(f"""
            create or replace table facts as
            select
                coalesce(l.alert_id, a.alert_id) as alert_id,
                coalesce(l.rule_code, a.rule_code) as rule_code,
                coalesce(l.rule_family, a.rule_family) as rule_family,
                coalesce(l.severity, a.severity) as severity,
                coalesce(l.subject_type, a.subject_type) as subject_type,
                coalesce(l.subject_id, a.subject_id) as subject_id,
                coalesce(l.dept_code, a.dept_code) as dept_code,
                coalesce(l.staff_id, a.staff_id) as staff_id,
                cast(coalesce(a.first_detected_on, l.first_detected_on) as date)
                    as first_detected_on,
                cast(l.last_seen_on as date) as last_seen_on,
                coalesce(l.still_firing, a.alert_id is not null) as still_firing,
                coalesce(cast(a.occurred_on as date), try_cast(s.occurred_on as date),
                         cast(l.first_detected_on as date))
                    as occurred_on,
                coalesce(a.metric_value, s.metric_value) as metric_value,
                coalesce(a.threshold_value, s.threshold_value) as threshold_value,
                {explain}
            from read_parquet('{ledger}') as l
            full outer join read_parquet('{alerts}') as a on l.alert_id = a.alert_id
            left join _stopped as s on coalesce(l.alert_id, a.alert_id) = s.alert_id
        """)
        con.unregister("_stopped")
        con.execute(f"create or replace table coverage as select * from "
                    f"read_parquet('{_q(marts / 'rule_coverage.parquet')}')")
        for table in OPTIONAL:
            path = marts / f"{table}.parquet"
            if path.exists():
                con.execute(f"create or replace table {table} as select * from "
                            f"read_parquet('{_q(path)}')")
            else:
                con.execute(f"drop table if exists {table}")

    def _stopped_firing_register(self) -> pa.Table:
        schema = pa.schema([("alert_id", pa.string()), ("occurred_on", pa.string()),
                            ("metric_value", pa.float64()),
                            ("threshold_value", pa.float64())])
        rows: list[dict] = []
        if self.ledger.exists():
            with _read_only(self.ledger) as con:
                columns = {r[1] for r in con.execute("pragma table_info(alerts)")}
                occurred = "occurred_on" if "occurred_on" in columns else "null"
                rows = [dict(r) for r in con.execute(
                    f"select alert_id, {occurred} as occurred_on, metric_value, "
                    "threshold_value from alerts where still_firing = 0")]
        return pa.Table.from_pylist(rows, schema=schema)

    # ------------------------------------------------------------------ ledger
    def _refresh_ledger(self) -> str | None:
        """Fold what the store holds beyond what was folded: "full" (everything folded
        again: alert_items must be rebuilt), "partial" (alert_items updated), or None."""
        if not self.ledger.exists():
            if self._head is None:
                self.db.register("_state", pa.Table.from_pylist([], schema=_STATE_SCHEMA))
                self.db.execute("create or replace table ledger_state as select * from _state")
                self.db.unregister("_state")
                self._head = 0
                return "full"
            return None
        with _read_only(self.ledger) as con:
            head, head_hash = con.execute(
                "select seq, hash from actions order by seq desc limit 1").fetchone() or (0, None)
            if head == self._head and head_hash == self._head_hash:
                return None
            known = con.execute("select hash from actions where seq = ?",
                                [self._head or 0]).fetchone()
            full = self._head is None or known is None or known[0] != self._head_hash
            if full:  # first load, or another store put in its place: fold it all
                states = lifecycle.fold(con.execute(
                    f"select {FOLD_COLUMNS} from actions order by seq"))
                self.states = states
            else:  # only the alerts that received actions since
                states = lifecycle.fold(con.execute(
                    f"select {FOLD_COLUMNS} from actions where alert_id in (select alert_id "
                    "from actions where seq > ?) order by seq", [self._head]))
                self.states.update(states)
        table = pa.Table.from_pylist([_state_row(s) for s in states.values()],
                                     schema=_STATE_SCHEMA)
        con = self.db
        con.register("_state", table)
        try:
            con.execute("begin")
            if full:
                con.execute("create or replace table ledger_state as select * from _state")
            else:
                con.execute("delete from ledger_state where alert_id in "
                            "(select alert_id from _state)")
                con.execute("insert into ledger_state select * from _state")
                if _has_table(con, "alert_items"):
                    con.execute("""update alert_items set status = s.status,
                            assignee = s.assignee,
                            handling_dept_code = coalesce(s.handling_dept_code,
                                                          alert_items.dept_code),
                            due_on = s.due_on, last_seq = s.last_seq,
                            last_action = s.last_action, last_action_at = s.last_action_at
                        from _state as s where alert_items.alert_id = s.alert_id""")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            con.unregister("_state")
        self._head, self._head_hash = head, head_hash
        return "full" if full else "partial"

    def history(self, alert_id: str) -> list[dict]:
        """The alert's actions from the store itself (newest data, not the cache)."""
        if not self.ledger.exists():
            return []
        with _read_only(self.ledger) as con:
            return [dict(r) for r in con.execute(
                "select * from actions where alert_id = ? order by seq", [alert_id])]

    def register_row(self, alert_id: str) -> dict | None:
        if not self.ledger.exists():
            return None
        with _read_only(self.ledger) as con:
            r = con.execute("select * from alerts where alert_id = ?", [alert_id]).fetchone()
        return dict(r) if r else None

    def verify(self) -> store.ChainReport | None:
        """The chain check of the store as it is now, or None while it is computed.

        Recomputing every hash takes long on a large store (about a minute for 10^6
        entries on a busy machine), so it runs in the background, once per state of the
        store (its head and its anchor file); the page refreshes itself until done."""
        key = self._verify_key()
        with self._verify_lock:
            if self._verified is not None and self._verified[0] == key:
                return self._verified[1]
            if self._verifying is None or not self._verifying.is_alive():
                self._verifying = threading.Thread(target=self._verify, args=(key,),
                                                   name="console-verify", daemon=True)
                self._verifying.start()
        self._verifying.join(timeout=VERIFY_WAIT_SECONDS)  # a small store: answer now
        with self._verify_lock:
            if self._verified is not None and self._verified[0] == key:
                return self._verified[1]
        return None

    def head_is_in_chain(self, head: str) -> bool:
        wanted = head.strip().lower()
        if wanted == store.GENESIS:
            return True
        with _read_only(self.ledger) as con:
            return bool(con.execute("select 1 from actions where hash = ?",
                                    [wanted]).fetchone())

    def _verify_key(self) -> tuple:
        anchor = store.anchor_path(self.ledger)
        stat = anchor.stat() if anchor.exists() else None
        with _read_only(self.ledger) as con:
            head = con.execute("select seq, hash from actions order by seq desc "
                               "limit 1").fetchone()
        return (tuple(head) if head else None,
                (stat.st_size, stat.st_mtime_ns) if stat else None)

    def _verify(self, key: tuple) -> None:
        with _read_only(self.ledger) as con:
            report = store.verify_chain(con)
        with self._verify_lock:
            self._verified = (key, report)


def _has_table(con, name: str) -> bool:
    return bool(con.execute("select 1 from information_schema.tables where table_name = ?",
                            [name]).fetchall())


def _state_row(s: lifecycle.State) -> dict:
    return {"alert_id": s.alert_id, "status": s.status, "assignee": s.assignee,
            "handling_dept_code": s.handling_dept_code,
            "due_on": dt.date.fromisoformat(s.due_on) if s.due_on else None,
            "last_action": s.last_action, "last_action_at": s.last_action_at,
            "last_actor": s.last_actor, "last_seq": s.last_seq}


class _read_only:
    """A read-only connection to the store: the console reads it without ever taking the
    write lock (``store.connect`` holds BEGIN IMMEDIATE for its whole block)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        self.con = sqlite3.connect(f"{Path(self.path).resolve().as_uri()}?mode=ro", uri=True,
                                   timeout=10)
        self.con.row_factory = sqlite3.Row
        return self.con

    def __exit__(self, *exc) -> None:
        self.con.close()


def _q(path: Path) -> str:
    return str(path).replace("'", "''")
