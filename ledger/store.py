"""The ledger store: a SQLite file beside the warehouse that dbt never rebuilds.

Why SQLite and not a table in the warehouse: DuckDB allows one writer per file and a build
holds it for minutes, but a supervisor must be able to act on an alert at any time; and a
warehouse can be deleted and rebuilt from raw without losing a single action. The store
lives at ``<warehouse dir>/<warehouse stem>.ledger.sqlite`` unless ``SEARCHLIGHT_LEDGER``
names another file.

Tables (see ledger/README.md for the lifecycle):

- ``alerts``: the register, one row per alert_id ever seen. ``first_detected_on`` is set
  once and never moved later; the other columns are the alert as the latest run saw it.
- ``actions``: the append-only, hash-chained history. Every row is who, when, what, a
  note, and the state it leaves behind. Triggers refuse UPDATE and DELETE; someone who
  drops them can still edit the file, which ``verify_chain`` detects.
- ``notifications``: one row per (alert_id, event) sent; its primary key is what makes a
  notification go out at most once, across sensor restarts.
- ``calendar_overrides``: the local working-day overrides the last sync read from the
  warehouse, so CLI actions count working days as the build does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
Clock = Callable[[], dt.datetime]
GENESIS = "0" * 64

SCHEMA = """
create table if not exists alerts (
    alert_id          text primary key,
    rule_code         text not null,
    rule_family       text,
    severity          text not null,
    subject_type      text,
    subject_id        text,
    dept_code         text,
    staff_id          text,
    first_detected_on text not null,
    last_seen_on      text,
    still_firing      integer not null default 1,
    metric_value      real,
    threshold_value   real,
    evidence          text,
    evidence_hash     text
);
create table if not exists actions (
    seq           integer primary key,
    alert_id      text not null,
    action        text not null,
    from_status   text,
    to_status     text not null,
    actor         text not null,
    acted_at      text not null,
    note          text,
    assignee      text,
    dept_code     text,
    due_on        text,
    evidence_hash text,
    prev_hash     text not null,
    hash          text not null
);
create index if not exists actions_alert on actions(alert_id, seq);
create trigger if not exists actions_no_update before update on actions
    begin select raise(abort, 'the ledger history is append-only'); end;
create trigger if not exists actions_no_delete before delete on actions
    begin select raise(abort, 'the ledger history is append-only'); end;
create table if not exists notifications (
    alert_id  text not null,
    event     text not null,
    sent_at   text not null,
    channels  integer not null,
    primary key (alert_id, event)
);
create table if not exists calendar_overrides (
    day        text primary key,
    is_workday integer not null
);
"""

# The columns that are hashed, in order; `hash` itself is not.
CHAIN_COLUMNS = ("seq", "alert_id", "action", "from_status", "to_status", "actor",
                 "acted_at", "note", "assignee", "dept_code", "due_on", "evidence_hash",
                 "prev_hash")


def ledger_path(warehouse: Path | str) -> Path:
    """``SEARCHLIGHT_LEDGER``, else ``<warehouse dir>/<warehouse stem>.ledger.sqlite``."""
    override = os.environ.get("SEARCHLIGHT_LEDGER")
    if override:
        return Path(override)
    warehouse = Path(warehouse)
    return warehouse.parent / f"{warehouse.stem}.ledger.sqlite"


def now_local() -> dt.datetime:
    return dt.datetime.now(TZ).replace(microsecond=0)


@contextmanager
def connect(path: Path | str) -> Iterator[sqlite3.Connection]:
    """A connection with the schema in place; commits on success, rolls back on error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    con.row_factory = sqlite3.Row
    try:
        con.execute("pragma journal_mode=wal")
        con.executescript(SCHEMA)
        con.execute("begin immediate")
        try:
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        else:
            con.execute("commit")
    finally:
        con.close()


def canonical(row: dict) -> str:
    return json.dumps({k: row.get(k) for k in CHAIN_COLUMNS}, ensure_ascii=False,
                      sort_keys=True, separators=(",", ":"), default=str)


def row_hash(row: dict) -> str:
    """sha256(prev_hash + canonical JSON of the row's hashed columns)."""
    return hashlib.sha256((row["prev_hash"] + canonical(row)).encode("utf-8")).hexdigest()


def append_action(con: sqlite3.Connection, **fields) -> dict:
    """Append one action to the chain (the only way a row enters ``actions``)."""
    last = con.execute("select seq, hash from actions order by seq desc limit 1").fetchone()
    row = {k: fields.get(k) for k in CHAIN_COLUMNS}
    row["seq"] = (last["seq"] + 1) if last else 1
    row["prev_hash"] = last["hash"] if last else GENESIS
    row["hash"] = row_hash(row)
    cols = [*CHAIN_COLUMNS, "hash"]
    con.execute(f"insert into actions ({', '.join(cols)}) values "
                f"({', '.join('?' * len(cols))})", [row[c] for c in cols])
    return row


@dataclass
class ChainReport:
    ok: bool
    entries: int
    head: str
    broken_seq: int | None = None
    problem: str = ""


def verify_chain(con: sqlite3.Connection) -> ChainReport:
    """Recompute the chain in seq order; name the first entry that does not fit.

    An edited row no longer matches its own hash; a deleted row leaves a gap in seq and
    the next row's prev_hash pointing at a row that is gone; reordered rows (seq values
    swapped) have prev_hash values that do not link to the row before them.
    """
    prev, expected_seq, n = GENESIS, 1, 0
    for r in con.execute("select * from actions order by seq"):
        row = dict(r)
        n += 1
        where = f"entry seq {row['seq']} ({row['action']} on {row['alert_id']})"
        if row["seq"] != expected_seq:
            return ChainReport(False, n, prev, row["seq"],
                               f"{where}: expected seq {expected_seq}; entries "
                               f"{expected_seq}–{row['seq'] - 1} were deleted or moved")
        if row["prev_hash"] != prev:
            return ChainReport(False, n, prev, row["seq"],
                               f"{where}: does not link to the entry before it "
                               "(an entry was deleted, inserted or reordered)")
        if row_hash(row) != row["hash"]:
            return ChainReport(False, n, prev, row["seq"],
                               f"{where}: its content does not match its hash (edited)")
        prev, expected_seq = row["hash"], expected_seq + 1
    return ChainReport(True, n, prev)
