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
  to an anchor file outside the database (``<store>.head``, see ``anchor_path``): an
  intent line before the commit, a confirmation after it, so a crash in between is told
  from a cut. Each run ends with a ``seal`` entry: the digest of the register as that run
  left it (``register_hash`` of every row), so an edited register row is found too.
- ``notifications``: one row per (alert_id, event, channel) claimed; its primary key is
  what makes a notification reach each channel at most once, across sensor restarts.
- ``calendar_overrides``: the local working-day overrides the last sync read from the
  warehouse, so CLI actions count working days as the build does.
- ``departments``: the warehouse's departments (code, name) at the last sync, so a
  transfer to a department nobody knows is refused and people read names, not codes.
- ``ledger_meta``: facts about the store itself: since when it is anchored
  (``anchored_since``), the as_of of the alerts of the last run (``alerts_as_of``).
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
    occurred_on       text,
    register_hash     text
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
create table if not exists departments (
    dept_code text primary key,
    dept_name text
);
create table if not exists ledger_meta (
    key   text primary key,
    value text not null
);
"""

# The columns that are hashed, in order; `hash` itself is not.
CHAIN_COLUMNS = ("seq", "alert_id", "action", "from_status", "to_status", "actor",
                 "acted_at", "note", "assignee", "dept_code", "due_on", "evidence_hash",
                 "prev_hash")

# Every column of the register but register_hash, which holds their hash. A column added
# to `alerts` must be added here, or edits of it go unseen (tests/ledger/test_seal.py).
REGISTER_COLUMNS = ("alert_id", "rule_code", "rule_family", "severity", "subject_type",
                    "subject_id", "dept_code", "staff_id", "first_detected_on",
                    "last_seen_on", "still_firing", "metric_value", "threshold_value",
                    "evidence", "evidence_hash", "occurred_on")

SYSTEM_ACTOR = "searchlight"
# The system entry that seals the register at the end of a run; it is about the whole
# register, so its alert_id names no alert.
SEAL = "seal"
REGISTER_ID = "*"


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
    """A connection that remembers what its open transaction appended, so ``connect`` can
    anchor the new head around the commit: ``appended`` is the last row appended,
    ``appended_after`` the (seq, hash) of the head before the first one."""

    appended: dict | None = None
    appended_after: tuple[int, str] | None = None


@contextmanager
def connect(path: Path | str) -> Iterator[sqlite3.Connection]:
    """A connection with the schema in place; commits on success, rolls back on error.

    A commit that appended actions is anchored twice: an intent line (the head to be and
    the head it follows) before the commit, the head itself after it. See ``_anchor``.
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
            _migrate_register_hash(con)
            _migrate_anchored_since(con, path)
            yield con
            if con.appended is not None:
                _anchor_intent(con, path)
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


def _migrate_register_hash(con: sqlite3.Connection) -> None:
    """Stores made before the register was sealed: add the column, empty. The next run
    fills it and appends the first ``seal``; until then verify says the register is not
    sealed yet (a warning: nothing was wrong with such a store)."""
    columns = {r[1] for r in con.execute("pragma table_info(alerts)")}
    if "register_hash" not in columns:
        con.execute("alter table alerts add column register_hash text")


def _migrate_anchored_since(con: sqlite3.Connection, ledger: Path) -> None:
    """Stores anchored before the store recorded it: an anchor file beside the store is
    the proof it has had one, so a later deletion of the file is reported as such."""
    if meta(con, "anchored_since") is not None or not anchor_path(ledger).exists():
        return
    seqs = [entry["seq"] for entry in _anchor_entries(anchor_path(ledger)) if "seq" in entry]
    set_meta(con, "anchored_since", str(min(seqs, default=0)))


def meta(con: sqlite3.Connection, key: str) -> str | None:
    row = con.execute("select value from ledger_meta where key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(con: sqlite3.Connection, key: str, value: str) -> None:
    con.execute("insert into ledger_meta (key, value) values (?, ?) on conflict (key) "
                "do update set value = excluded.value", [key, value])


def _anchored_since(con: sqlite3.Connection, up_to_seq: int | None = None) -> str | None:
    """Since when the store has had an anchor: recorded in ledger_meta, or implied by a
    seal in the chain up to ``up_to_seq`` (the code that seals always anchors), which no
    edit of a table outside the chain can take back."""
    since = meta(con, "anchored_since")
    if since is not None:
        return f"seq {since}"
    last_seq = 2**62 if up_to_seq is None else up_to_seq
    seal = con.execute("select seq from actions where action = ? and seq <= ? "
                       "order by seq limit 1", [SEAL, last_seq]).fetchone()
    return f"seq {seal[0]} at the latest (its seal)" if seal else None


def _anchor(ledger: Path, row: dict) -> None:
    """Confirm the committed head in the anchor file, flushed to disk.

    After the commit, not before: a confirmed anchor for a row that a failed commit
    never wrote would make an intact store look cut. A failure here leaves the store
    intact and the anchor behind, which ``verify_chain`` reports, so it warns instead
    of raising (the caller's action did happen). Two writers may append their lines out
    of order (each writes after releasing the lock): verify compares against the highest
    seq.
    """
    _write_anchor_line(ledger, {"seq": row["seq"], "hash": row["hash"],
                                "acted_at": row["acted_at"]}, row["seq"], "committed")


def _anchor_intent(con: LedgerConnection, ledger: Path) -> None:
    """Before the commit: write the head this commit will make and the head it follows.

    Why: a crash between the commit and the confirmation (``_anchor``) used to leave
    committed rows past the anchor, which verify cannot tell from rows forged into the
    store. With the intent line, such rows are anchored (the intent matches them); and an
    intent that never reached the store (a crash before the commit) is recognised as
    interrupted when it follows an entry that is in the chain. Still inside the
    transaction, so the store records that it is anchored in the same commit.
    """
    row = con.appended
    after_seq, after_hash = con.appended_after or (0, GENESIS)
    line = {"seq": row["seq"], "hash": row["hash"], "acted_at": row["acted_at"],
            "pending": True, "after_seq": after_seq, "after_hash": after_hash}
    target = anchor_path(ledger)
    since = _anchored_since(con, after_seq)  # a seal of this very commit is not anchored yet
    if since is not None and not target.exists():
        line["restarted"] = True  # the anchor was deleted: verify keeps saying so
    if _write_anchor_line(ledger, line, row["seq"], "about to be committed") and since is None:
        set_meta(con, "anchored_since", str(row["seq"]))


def _write_anchor_line(ledger: Path, entry: dict, seq: int, what: str) -> bool:
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    target = anchor_path(ledger)
    try:
        with open(target, "ab") as f:
            # A line torn by a crash must not swallow the next one.
            start = b"\n" if f.tell() and not _ends_with_newline(target) else b""
            f.write(start + line.encode("utf-8") + b"\n")
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        warnings.warn(f"ledger head seq {seq} {what} but not anchored in {target}: {exc}",
                      stacklevel=4)
        return False
    return True


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def _anchor_entries(target: Path) -> Iterator[dict]:
    """The anchor file's entries; a line that is not one yields ``{"line": n}``."""
    for number, line in enumerate(target.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            entry["seq"], entry["hash"] = int(entry["seq"]), str(entry["hash"])
        except (ValueError, KeyError, TypeError):
            yield {"line": number}
            continue
        yield entry


# What json.dumps(..., ensure_ascii=False, sort_keys=True, separators=(",", ":"),
# default=str) writes, with the encoder made once: json.dumps builds one per call, a
# measurable part of chaining 10^5 entries in a run.
_CANONICAL_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                                   default=str)


def canonical(row: dict) -> str:
    return _CANONICAL_JSON.encode({k: row.get(k) for k in CHAIN_COLUMNS})


def row_hash(row: dict) -> str:
    """sha256(prev_hash + canonical JSON of the row's hashed columns)."""
    return hashlib.sha256((row["prev_hash"] + canonical(row)).encode("utf-8")).hexdigest()


def append_action(con: sqlite3.Connection, **fields) -> dict:
    """Append one action to the chain (the only way a row enters ``actions``, with
    ``append_actions``).

    Through a ``connect`` connection the new head is anchored after the commit; a plain
    sqlite3 connection appends without an anchor, which ``verify_chain`` reports.
    """
    return append_actions(con, [fields])[0]


def append_actions(con: sqlite3.Connection, entries: list[dict]) -> list[dict]:
    """Append actions to the chain in the order given: the head is read once, each row's
    seq, prev_hash and hash computed in one pass (``row_hash``, as for one action), and
    the rows inserted in one statement. A run's sync registers 10^5 alerts this way; one
    query and one insert per alert took minutes (issue 15). Returns the rows written."""
    if not entries:
        return []
    last = con.execute("select seq, hash from actions order by seq desc limit 1").fetchone()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    rows = []
    for fields in entries:
        seq += 1
        row = {k: fields.get(k) for k in CHAIN_COLUMNS}
        row["seq"], row["prev_hash"] = seq, prev
        row["hash"] = prev = row_hash(row)
        rows.append(row)
    cols = [*CHAIN_COLUMNS, "hash"]
    con.executemany(f"insert into actions ({', '.join(cols)}) values "
                    f"({', '.join('?' * len(cols))})", [[r[c] for c in cols] for r in rows])
    if isinstance(con, LedgerConnection):
        if con.appended is None:
            con.appended_after = (rows[0]["seq"] - 1, rows[0]["prev_hash"])
        con.appended = rows[-1]
    return rows


# --- the register's seal ---------------------------------------------------------------

# Compact JSON, as the C encoder writes it: floats as repr, text as UTF-8. Anything that
# is not JSON (a BLOB written into the file) is hashed as its repr rather than crash verify.
_REGISTER_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=repr)


def register_row_hash(values) -> str:
    """sha256 of the JSON array of a register row's REGISTER_COLUMNS values, in that
    order, as stored (``values``: that sequence, or a mapping with those keys). An array,
    not an object with sorted keys: hashing every row of a 400,000-alert register at each
    run and each verify must stay a matter of seconds (it is ~5 µs a row this way)."""
    if not isinstance(values, tuple | list):
        values = [values[k] for k in REGISTER_COLUMNS]
    return hashlib.sha256(_REGISTER_JSON.encode(list(values)).encode()).hexdigest()


def register_rows(con: sqlite3.Connection) -> list[tuple[str, str, str | None, tuple]]:
    """(alert_id, the hash of its row now, its stored register_hash, the row's
    REGISTER_COLUMNS values as stored), by alert_id."""
    cur = con.cursor()
    cur.row_factory = None
    return [(row[0], register_row_hash(row[:-1]), row[-1], row[:-1]) for row in cur.execute(
        f"select {', '.join(REGISTER_COLUMNS)}, register_hash from alerts "
        "order by alert_id")]


def _digest(pairs) -> tuple[int, str]:
    """(rows, sha256 over every ``alert_id register_hash`` line, in alert_id order)."""
    digest, n = hashlib.sha256(), 0
    for alert_id, row_hash in pairs:
        digest.update(f"{alert_id}\t{row_hash}\n".encode())
        n += 1
    return n, digest.hexdigest()


def last_seal(con: sqlite3.Connection) -> sqlite3.Row | None:
    return con.execute("select * from actions where action = ? order by seq desc limit 1",
                       [SEAL]).fetchone()


def register_problem(con: sqlite3.Connection, rows: list | None = None) -> str | None:
    """How the register differs from its last seal, or None (also None before the first
    seal: a store from before sealing has nothing to compare with). ``rows``: the
    register as ``register_rows`` read it, when the caller has it already."""
    seal = last_seal(con)
    if seal is None:
        return None
    since = f"the seal of the run at seq {seal['seq']} (acted at {seal['acted_at']})"
    rows = register_rows(con) if rows is None else rows
    edited = [alert_id for alert_id, now, stored, *_ in rows if now != stored]
    if edited:
        more = f" and {len(edited) - 3} more" if len(edited) > 3 else ""
        return (f"alert {', '.join(edited[:3])}{more}: its register row (severity, "
                f"first_detected_on, evidence, …) was edited after {since}")
    n, digest = _digest((alert_id, stored) for alert_id, _, stored, *_ in rows)
    if digest != seal["evidence_hash"]:
        return (f"the register ({n} alerts) does not match {since}: register rows were "
                "added, removed or re-hashed since")
    return None


def seal_register(con: sqlite3.Connection, as_of: object, clock: Clock,
                  found: str | None = None, rows: list | None = None) -> dict | None:
    """After a run changed the register: refresh each row's ``register_hash`` and chain
    the digest of them all in a ``seal`` entry (none when nothing changed since the last
    seal). Why a digest per run and not an entry per row: every run moves last_seen_on
    (and the as_of measurements of the evidence) of every firing alert; one entry per
    alert per run would grow the chain by the register's size each day.

    ``found`` is ``register_problem`` taken before the run changed the register. A run
    cannot refuse to register the warehouse's alerts, so it seals the register as it
    found it and says so in the chain (from_status ``edited``, the problem as its note),
    where no edit can take it back; verify reports that seal for good.

    ``rows``: (alert_id, hash now, stored register_hash) of every register row in
    alert_id order, when the caller knows them (the sync hashes only the rows it wrote);
    by default read and hashed here.
    """
    rows = register_rows(con) if rows is None else rows
    con.executemany("update alerts set register_hash = ? where alert_id = ?",
                    [(now, alert_id) for alert_id, now, stored, *_ in rows if now != stored])
    n, digest = _digest((alert_id, now) for alert_id, now, *_ in rows)
    last = last_seal(con)
    if found is None and last is not None and last["evidence_hash"] == digest:
        return None
    note = f"the register as the run as of {as_of} left it: {n} alerts " \
           "(evidence_hash: sha256 of their register_hash)"
    if found:
        note = f"found before this run: {found}; sealed as found. " + note
    return append_action(con, alert_id=REGISTER_ID, action=SEAL,
                         from_status="edited" if found else None, to_status="sealed",
                         actor=SYSTEM_ACTOR, acted_at=clock().isoformat(),
                         evidence_hash=digest, note=note)


# --- departments -------------------------------------------------------------------------

def replace_departments(con: sqlite3.Connection, rows: list[tuple[str, str | None]]) -> None:
    """The warehouse's department list, copied at each sync (see ``lifecycle.act``)."""
    con.execute("delete from departments")
    con.executemany("insert or replace into departments (dept_code, dept_name) "
                    "values (?, ?)", rows)


def departments(con: sqlite3.Connection) -> dict[str, str | None]:
    return dict(con.execute("select dept_code, dept_name from departments "
                            "order by dept_code").fetchall())


@dataclass
class ChainReport:
    ok: bool
    entries: int
    head: str
    broken_seq: int | None = None
    problem: str = ""
    # Not failures, but limits of what could be checked (e.g. a store without anchor) and
    # events the chain records (an interrupted commit, a register found edited by a run).
    warnings: list[str] = field(default_factory=list)
    # What is broken: "history" (the chain or its tail), "anchor" (the anchor file is
    # gone) or "register" (a register row no longer matches its seal).
    scope: str = ""


def verify_chain(con: sqlite3.Connection, expect_head: str | None = None) -> ChainReport:
    """Check the history and the register; name the first thing that does not fit.

    1. The links, in seq order: an edited row no longer matches its own hash; a deleted
       row leaves a gap in seq and the next row's prev_hash pointing at a row that is
       gone; reordered rows (seq values swapped) do not link to the row before them.
    2. The tail, against the anchor file: the chain's head is the anchored head with the
       highest seq, and every anchored (seq, hash) is in the chain. Rows cut off the end
       leave valid links but miss the anchor. A missing anchor file of a store that has
       had one is a failure; of a store from before anchors, a warning.
    3. Inside the database: every alert in the register has its ``register`` action
       (a cut that reaches a register row, even without an anchor file), and every
       registered alert its register row.
    4. The register against its last seal: an edited field of any row.
    5. ``expect_head``, a head hash written down elsewhere, must be in the chain.
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
                               f"{expected_seq}–{row['seq'] - 1} were deleted or moved",
                               scope="history")
        if row["prev_hash"] != prev:
            return ChainReport(False, n, prev, row["seq"],
                               f"{where}: does not link to the entry before it "
                               "(an entry was deleted, inserted or reordered)",
                               scope="history")
        if row_hash(row) != row["hash"]:
            return ChainReport(False, n, prev, row["seq"],
                               f"{where}: its content does not match its hash (edited)",
                               scope="history")
        prev, expected_seq = row["hash"], expected_seq + 1
        hashes[row["seq"]] = row["hash"]
    report = ChainReport(True, n, prev)
    # A missing anchor is reported last: what the database itself shows (a register row
    # without its action, an edited register) names more than "the tail cannot be seen".
    missing: list[tuple[None, str]] = []
    checks = (("history", lambda: _check_anchor(con, _database_file(con), hashes,
                                                report.warnings, missing)),
              ("history", lambda: _check_register_actions(con)),
              ("register", lambda: _check_register_seal(con, report.warnings)),
              ("history", lambda: _check_expected_head(expect_head, hashes)),
              ("anchor", lambda: missing[0] if missing else None))
    for scope, check in checks:
        problem = check()
        if problem:
            report.ok, report.broken_seq, report.problem = False, *problem
            report.scope = scope
            break
    return report


def _database_file(con: sqlite3.Connection) -> Path | None:
    for _, name, file in con.execute("pragma database_list"):
        if name == "main":
            return Path(file) if file else None
    return None


def _check_anchor(con: sqlite3.Connection, ledger: Path | None, hashes: dict[int, str],
                  warnings_: list[str], missing: list[tuple[None, str]]
                  ) -> tuple[int, str] | None:
    head_seq = max(hashes, default=0)
    target = anchor_path(ledger) if ledger else None
    if target is None or not target.exists():
        since = _anchored_since(con)
        if target is not None and since is not None:
            missing.append((None, (
                f"the anchor {target.name} is missing, though this store has been "
                f"anchored since {since}: it was deleted or moved, and rows cut off the "
                "end of the history cannot be seen without it. Put it back beside the "
                "store (from where the store was copied, or a backup); the next action "
                "starts a new one, and verify then says where it restarted")))
            return None
        warnings_.append(f"no anchor ({target.name if target else 'in-memory store'}; the "
                         "store predates it): the tail cannot be checked; the next action "
                         "starts it")
        return None
    confirmed: list[tuple[int, str, str]] = []
    intents: list[dict] = []
    for entry in _anchor_entries(target):
        if "line" in entry:
            return head_seq + 1, (f"anchor {target.name} line {entry['line']} is not an "
                                  "anchor entry")
        if entry.get("restarted"):
            warnings_.append(f"the anchor was missing when seq {entry['seq']} was written "
                             f"(at {entry.get('acted_at')}) and restarted there: a cut of "
                             "the entries before it could not be seen")
        if entry.get("pending"):
            intents.append(entry)
        else:
            confirmed.append((entry["seq"], entry["hash"], entry.get("acted_at")))
    if not confirmed and not intents:
        return head_seq + 1, f"anchor {target.name} is empty: it was cut"
    anchored = list(confirmed)
    confirmed_keys = {(seq, hash_) for seq, hash_, _ in confirmed}
    astray: tuple[int, str] | None = None  # an intent that follows no entry of the chain
    for intent in intents:
        seq, hash_, at = intent["seq"], intent["hash"], intent.get("acted_at")
        after_seq, after_hash = int(intent.get("after_seq", 0)), intent.get("after_hash")
        if hashes.get(seq) == hash_:
            anchored.append((seq, hash_, at))
            if (seq, hash_) not in confirmed_keys:
                warnings_.append(f"entry seq {seq} (at {at}) was committed but its anchor "
                                 "was not confirmed: the writer stopped right after the "
                                 "commit; the line written before it anchors it")
        elif (seq, hash_) in confirmed_keys:
            continue  # committed and confirmed, yet gone: the check below names the cut
        elif hashes.get(after_seq, GENESIS if after_seq == 0 else None) == after_hash:
            warnings_.append(f"a commit of seq {seq} (at {at}) was interrupted before it "
                             f"reached the store (a crash or a failed commit): it follows "
                             f"seq {after_seq}, which is in the history, and nothing of it "
                             "was written")
        elif astray is None:
            astray = after_seq, (f"entry seq {after_seq} is not the one the anchor's intent "
                                 f"for seq {seq} (at {at}) followed (hash {after_hash}): "
                                 "the history was rewritten from there")
    top_seq, top_hash, top_at = max(anchored, default=(0, GENESIS, None))
    if top_seq > head_seq:
        return head_seq + 1, (f"entries after seq {head_seq} were removed: the anchor "
                              f"records seq {top_seq} with hash {top_hash} "
                              f"(acted at {top_at})")
    for seq, hash_, acted_at in anchored:
        if hashes.get(seq) != hash_:
            return seq, (f"entry seq {seq} is not the one anchored (hash {hash_}, acted at "
                         f"{acted_at}): the history was rewritten from there")
    if astray:
        return astray
    if top_seq < head_seq:
        return top_seq + 1, (f"entries after seq {top_seq} are not anchored (the anchor "
                             f"ends at seq {top_seq}): added outside searchlight, the "
                             "anchor file was cut, or it could not be written (see the "
                             "warning of that action); the next action re-anchors")
    return None


def _check_register_actions(con: sqlite3.Connection) -> tuple[int, str] | None:
    head_seq = con.execute("select coalesce(max(seq), 0) from actions").fetchone()[0]
    missing = [r[0] for r in con.execute(
        "select alert_id from alerts where alert_id not in "
        "(select alert_id from actions where action = 'register') order by alert_id")]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        return head_seq + 1, (f"entries after seq {head_seq} were removed: alert "
                              f"{', '.join(missing[:3])}{more} is in the register without "
                              "its register action")
    gone = con.execute(
        "select seq, alert_id from actions where action = 'register' and alert_id not in "
        "(select alert_id from alerts) order by seq limit 1").fetchone()
    if gone:
        return gone[0], (f"alert {gone[1]} was registered at seq {gone[0]}, but its "
                         "register row was deleted")
    return None


def _check_register_seal(con: sqlite3.Connection,
                         warnings_: list[str]) -> tuple[int | None, str] | None:
    for seal in con.execute("select seq, acted_at, note from actions where action = ? "
                            "and from_status = 'edited' order by seq", [SEAL]):
        warnings_.append(f"the run at seq {seal['seq']} (at {seal['acted_at']}) found the "
                         f"register edited: {seal['note']}")
    if last_seal(con) is None:
        count = con.execute("select count(*) from alerts").fetchone()[0]
        if count:
            warnings_.append(f"the register ({count} alerts) is not sealed yet (the store "
                             "predates sealing): an edit of it cannot be seen until the "
                             "next run seals it")
        return None
    problem = register_problem(con)
    return (None, problem) if problem else None


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
