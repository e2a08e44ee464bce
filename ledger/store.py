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
  drops them can still edit the file, which ``verify_chain`` detects. Cutting rows off
  the end leaves a valid chain, so every commit that appends also appends the new head
  to an anchor file outside the database (``<store>.head``, see ``anchor_path``).
- ``notifications``: one row per (alert_id, event, channel) claimed; its primary key is
  what makes a notification reach each channel at most once, across sensor restarts.
- ``calendar_overrides``: the local working-day overrides the last sync read from the
  warehouse, so CLI actions count working days as the build does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
Clock = Callable[[], dt.datetime]
GENESIS = "0" * 64

# One claim per (alert, event, channel). `channel` is `channel_id(url)`, never the URL
# (Apprise URLs carry tokens and passwords); ALL_CHANNELS marks claims migrated from the
# table of one claim per (alert, event), which covered every channel configured then.
NOTIFICATIONS_TABLE = """
create table if not exists notifications (
    alert_id  text not null,
    event     text not null,
    channel   text not null,
    sent_at   text not null,
    primary key (alert_id, event, channel)
);
"""
ALL_CHANNELS = "*"

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
    evidence_hash     text,
    occurred_on       text
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
""" + NOTIFICATIONS_TABLE + """
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


def anchor_path(ledger: Path | str) -> Path:
    """``<store>.head``: the head of the chain after every commit that appended to it."""
    ledger = Path(ledger)
    return ledger.with_name(ledger.name + ".head")


def now_local() -> dt.datetime:
    return dt.datetime.now(TZ).replace(microsecond=0)


class LedgerConnection(sqlite3.Connection):
    """A connection that remembers the last row appended in its open transaction, so
    ``connect`` can anchor the new head once the transaction has committed."""

    appended: dict | None = None


@contextmanager
def connect(path: Path | str) -> Iterator[sqlite3.Connection]:
    """A connection with the schema in place; commits on success, rolls back on error.

    After a commit that appended actions, the new head is appended to the anchor file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), timeout=30, isolation_level=None,
                          factory=LedgerConnection)
    con.row_factory = sqlite3.Row
    try:
        con.execute("pragma journal_mode=wal")
        con.executescript(SCHEMA)
        con.execute("begin immediate")
        try:
            _migrate_notifications(con)
            _migrate_alert_occurred_on(con)
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        else:
            con.execute("commit")
            if con.appended is not None:
                _anchor(path, con.appended)
    finally:
        con.close()


def _migrate_notifications(con: sqlite3.Connection) -> None:
    """Stores made before claims were per channel: one claim per (alert, event), sent to
    every channel then configured. Keep each as a claim for ALL_CHANNELS, so nothing
    already announced is announced again."""
    columns = {r[1] for r in con.execute("pragma table_info(notifications)")}
    if "channel" in columns:
        return
    con.execute("alter table notifications rename to notifications_per_event")
    con.execute(NOTIFICATIONS_TABLE.strip())  # not executescript: it would commit
    con.execute("insert into notifications (alert_id, event, channel, sent_at) "
                "select alert_id, event, ?, sent_at from notifications_per_event",
                [ALL_CHANNELS])
    con.execute("drop table notifications_per_event")


def _migrate_alert_occurred_on(con: sqlite3.Connection) -> None:
    """Stores made before alerts had occurred_on: add the column, empty. The next run
    fills it for every alert still firing; for one that stopped before, the monthly
    judgements fall back to its first_detected_on (int_alerts_on_record)."""
    columns = {r[1] for r in con.execute("pragma table_info(alerts)")}
    if "occurred_on" not in columns:
        con.execute("alter table alerts add column occurred_on text")


def _anchor(ledger: Path, row: dict) -> None:
    """Append the committed head to the anchor file, flushed to disk.

    After the commit, not before: an anchor for a row that a failed commit never wrote
    would make an intact store look cut. A failure here leaves the store intact and
    the anchor behind, which ``verify_chain`` reports, so it warns instead of raising
    (the caller's action did happen). Two writers may append their lines out of order
    (each writes after releasing the lock): verify compares against the highest seq.
    """
    line = json.dumps({"seq": row["seq"], "hash": row["hash"], "acted_at": row["acted_at"]},
                      ensure_ascii=False, separators=(",", ":"))
    target = anchor_path(ledger)
    try:
        with open(target, "ab") as f:
            # A line torn by a crash must not swallow the next one.
            start = b"\n" if f.tell() and not _ends_with_newline(target) else b""
            f.write(start + line.encode("utf-8") + b"\n")
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        warnings.warn(f"ledger head seq {row['seq']} committed but not anchored in "
                      f"{target}: {exc}", stacklevel=3)


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def canonical(row: dict) -> str:
    return json.dumps({k: row.get(k) for k in CHAIN_COLUMNS}, ensure_ascii=False,
                      sort_keys=True, separators=(",", ":"), default=str)


def row_hash(row: dict) -> str:
    """sha256(prev_hash + canonical JSON of the row's hashed columns)."""
    return hashlib.sha256((row["prev_hash"] + canonical(row)).encode("utf-8")).hexdigest()


def append_action(con: sqlite3.Connection, **fields) -> dict:
    """Append one action to the chain (the only way a row enters ``actions``).

    Through a ``connect`` connection the new head is anchored after the commit; a plain
    sqlite3 connection appends without an anchor, which ``verify_chain`` reports.
    """
    last = con.execute("select seq, hash from actions order by seq desc limit 1").fetchone()
    row = {k: fields.get(k) for k in CHAIN_COLUMNS}
    row["seq"] = (last["seq"] + 1) if last else 1
    row["prev_hash"] = last["hash"] if last else GENESIS
    row["hash"] = row_hash(row)
    cols = [*CHAIN_COLUMNS, "hash"]
    con.execute(f"insert into actions ({', '.join(cols)}) values "
                f"({', '.join('?' * len(cols))})", [row[c] for c in cols])
    if isinstance(con, LedgerConnection):
        con.appended = row
    return row


@dataclass
class ChainReport:
    ok: bool
    entries: int
    head: str
    broken_seq: int | None = None
    problem: str = ""
    # Not failures, but limits of what could be checked (e.g. a store without anchor).
    warnings: list[str] = field(default_factory=list)


def verify_chain(con: sqlite3.Connection, expect_head: str | None = None) -> ChainReport:
    """Check the history; name the first entry that does not fit.

    1. The links, in seq order: an edited row no longer matches its own hash; a deleted
       row leaves a gap in seq and the next row's prev_hash pointing at a row that is
       gone; reordered rows (seq values swapped) do not link to the row before them.
    2. The tail, against the anchor file: the chain's head is the anchored head with the
       highest seq, and every anchored (seq, hash) is in the chain. Rows cut off the end
       leave valid links but miss the anchor.
    3. Inside the database: every alert in the register has its ``register`` action
       (a cut that reaches a register row, even without an anchor file).
    4. ``expect_head``, a head hash written down elsewhere, must be in the chain.
    """
    prev, expected_seq, n = GENESIS, 1, 0
    hashes: dict[int, str] = {}
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
        hashes[row["seq"]] = row["hash"]
    report = ChainReport(True, n, prev)
    problem = (_check_anchor(_database_file(con), hashes, report.warnings)
               or _check_register(con)
               or _check_expected_head(expect_head, hashes))
    if problem:
        report.ok, report.broken_seq, report.problem = False, *problem
    return report


def _database_file(con: sqlite3.Connection) -> Path | None:
    for _, name, file in con.execute("pragma database_list"):
        if name == "main":
            return Path(file) if file else None
    return None


def _check_anchor(ledger: Path | None, hashes: dict[int, str],
                  warnings_: list[str]) -> tuple[int, str] | None:
    head_seq = max(hashes, default=0)
    target = anchor_path(ledger) if ledger else None
    if target is None or not target.exists():
        warnings_.append(f"no anchor ({target.name if target else 'in-memory store'}; the "
                         "store predates it): the tail cannot be checked; the next action "
                         "starts it")
        return None
    anchored: list[tuple[int, str, str]] = []
    for number, line in enumerate(target.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            anchored.append((int(entry["seq"]), str(entry["hash"]), entry.get("acted_at")))
        except (ValueError, KeyError, TypeError):
            return head_seq + 1, f"anchor {target.name} line {number} is not an anchor entry"
    if not anchored:
        return head_seq + 1, f"anchor {target.name} is empty: it was cut"
    top_seq, top_hash, top_at = max(anchored)
    if top_seq > head_seq:
        return head_seq + 1, (f"entries after seq {head_seq} were removed: the anchor "
                              f"records seq {top_seq} with hash {top_hash} "
                              f"(acted at {top_at})")
    for seq, hash_, acted_at in anchored:
        if hashes.get(seq) != hash_:
            return seq, (f"entry seq {seq} is not the one anchored (hash {hash_}, acted at "
                         f"{acted_at}): the history was rewritten from there")
    if top_seq < head_seq:
        return top_seq + 1, (f"entries after seq {top_seq} are not anchored (the anchor "
                             f"ends at seq {top_seq}): added outside searchlight, the "
                             "anchor file was cut, or it could not be written (see the "
                             "warning of that action); the next action re-anchors")
    return None


def _check_register(con: sqlite3.Connection) -> tuple[int, str] | None:
    missing = [r[0] for r in con.execute(
        "select alert_id from alerts where alert_id not in "
        "(select alert_id from actions where action = 'register') order by alert_id")]
    if not missing:
        return None
    head_seq = con.execute("select coalesce(max(seq), 0) from actions").fetchone()[0]
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return head_seq + 1, (f"entries after seq {head_seq} were removed: alert "
                          f"{', '.join(missing[:3])}{more} is in the register without its "
                          "register action")


def _check_expected_head(expect_head: str | None,
                         hashes: dict[int, str]) -> tuple[int, str] | None:
    if expect_head is None:
        return None
    wanted = expect_head.strip().lower()
    if wanted in hashes.values() or (wanted == GENESIS):
        return None
    head_seq = max(hashes, default=0)
    return head_seq + 1, (f"the expected head {wanted} is not in the chain: entries were "
                          "removed or rewritten since it was written down")
