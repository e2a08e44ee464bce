"""The closed loop: which action may follow which state, and what each one records.

    new ──assign──▶ assigned ──feedback──▶ feedback ──close──▶ closed ──reopen──▶ new
                       ▲                      │                  (or fires again with
                       └──assign (退回重办)─────┘                   new evidence)
    any open state ──transfer (转办)──▶ transferred ──assign / feedback / close──▶ …
    any open state ──dismiss (reason required)──▶ dismissed ──reopen──▶ new
    A reopened alert is new with no assignee. TRANSITIONS below is the exact table.

The current state of an alert is the fold of its actions; nothing else is stored, so the
state cannot disagree with the history. Every function here raises ``LedgerError`` and
changes nothing when an action is not allowed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
import sqlite3
from dataclasses import asdict, dataclass

from ingest.calendar import CalendarNotCovered, WorkCalendar
from ledger import evidence, store

STATUSES = ("new", "assigned", "transferred", "feedback", "closed", "dismissed")
OPEN = ("new", "assigned", "transferred", "feedback")
RESOLVED = ("closed", "dismissed")
SYSTEM_ACTOR = store.SYSTEM_ACTOR

# action -> (states it may follow, state it leaves). assign from feedback is 退回重办:
# the reported handling is not good enough and goes back to a person to redo.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "assign": (("new", "assigned", "transferred", "feedback"), "assigned"),
    "transfer": (OPEN, "transferred"),
    "feedback": (("assigned", "transferred", "feedback"), "feedback"),
    "close": (("assigned", "transferred", "feedback"), "closed"),
    "dismiss": (OPEN, "dismissed"),
    "reopen": (RESOLVED, "new"),
}

# What the note of each action must say. Every person's action needs one except assign,
# whose "what" is the assignee (--to) itself; its note stays optional.
NOTE_REQUIRED = {
    "transfer": "why it goes to that department",
    "feedback": "what the department reported",
    "close": "the resolution: what was confirmed and done",
    "dismiss": "why it is a false positive",
    "reopen": "why it is reopened",
}

# A system row that re-records a resolution's evidence fingerprint in the current form
# (ledger/evidence.py), written once per resolved alert of a store from before it.
REHASH = "rehash"

# Working days to handle an alert, by severity (督办时限). Override with
# SEARCHLIGHT_LEDGER_DUE_DAYS="red=3,yellow=10,info=20".
DEFAULT_DUE_DAYS = {"red": 5, "yellow": 10, "info": 15}


class LedgerError(ValueError):
    """An action the ledger refuses; the message says why. Nothing was changed."""


class StaleState(LedgerError):
    """The alert changed after the person looked at it (another action landed in between):
    the action was taken on a state that is gone, so it is refused, not applied on top."""


def due_days() -> dict[str, int]:
    days = dict(DEFAULT_DUE_DAYS)
    spec = os.environ.get("SEARCHLIGHT_LEDGER_DUE_DAYS", "")
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, _, value = part.partition("=")
        days[key.strip()] = int(value)
    return days


def calendar(con: sqlite3.Connection) -> WorkCalendar:
    rows = con.execute("select day, is_workday from calendar_overrides").fetchall()
    return WorkCalendar([(dt.date.fromisoformat(d), bool(w)) for d, w in rows])


def add_workdays(cal: WorkCalendar, start: dt.date, n: int) -> dt.date | None:
    """The n-th working day after ``start``; None when the calendar does not cover it."""
    day = start
    try:
        while n > 0:
            day += dt.timedelta(days=1)
            if cal.is_workday(day):
                n -= 1
    except CalendarNotCovered:
        return None
    return day


def due_on(con: sqlite3.Connection, severity: str, start: dt.date) -> str | None:
    days = due_days().get(severity, max(DEFAULT_DUE_DAYS.values()))
    day = add_workdays(calendar(con), start, days)
    return day.isoformat() if day else None


@dataclass
class State:
    alert_id: str
    status: str
    assignee: str | None = None
    handling_dept_code: str | None = None
    due_on: str | None = None
    last_action: str | None = None
    last_action_at: str | None = None
    last_actor: str | None = None
    resolved_evidence_hash: str | None = None  # evidence when closed/dismissed
    resolution_note: str | None = None
    actions: int = 0
    last_seq: int | None = None  # seq of the alert's latest entry: the state's version

    def as_dict(self) -> dict:
        return asdict(self)


def fold(rows) -> dict[str, State]:
    """The current state of every alert from its actions, in seq order."""
    states: dict[str, State] = {}
    for r in rows:
        if r["action"] == store.SEAL:  # about the whole register, not one alert
            continue
        s = states.get(r["alert_id"]) or State(r["alert_id"], r["to_status"])
        s.actions += 1
        s.last_seq = r["seq"]
        states[r["alert_id"]] = s
        if r["action"] == REHASH:  # bookkeeping, not something done to the alert
            s.resolved_evidence_hash = r["evidence_hash"]
            continue
        s.status = r["to_status"]
        if r["action"] in ("register", "reopen"):
            s.due_on = r["due_on"]
            s.resolved_evidence_hash = s.resolution_note = None
        if r["action"] == "reopen":
            s.assignee = None  # back to new: nobody holds it until it is assigned again
        if r["action"] in ("register",):
            s.handling_dept_code = r["dept_code"]
        if r["action"] in ("assign", "transfer"):
            s.assignee = r["assignee"] if r["assignee"] is not None else s.assignee
            s.handling_dept_code = r["dept_code"] or s.handling_dept_code
            if r["action"] == "transfer" and r["assignee"] is None:
                s.assignee = None  # a transfer hands over to the other department
        if r["action"] in ("close", "dismiss"):
            s.resolved_evidence_hash = r["evidence_hash"]
            s.resolution_note = r["note"]
        s.last_action, s.last_action_at, s.last_actor = r["action"], r["acted_at"], r["actor"]
    return states


def current_states(con: sqlite3.Connection) -> dict[str, State]:
    # plain dicts: folding sqlite3.Row objects took twice as long (10^5 entries a run)
    cur = con.cursor()
    cur.row_factory = None
    cur.execute("select * from actions order by seq")
    names = [d[0] for d in cur.description]
    return fold(dict(zip(names, row, strict=True)) for row in cur)


def current_state(con: sqlite3.Connection, alert_id: str) -> State | None:
    return fold(con.execute("select * from actions where alert_id = ? order by seq",
                            [alert_id])).get(alert_id)


def act(con: sqlite3.Connection, alert_id: str, action: str, actor: str,
        note: str | None = None, assignee: str | None = None, dept_code: str | None = None,
        clock: store.Clock = store.now_local, expected_seq: int | None = None) -> dict:
    """Record one action by a person; refuse (LedgerError) anything not allowed.

    ``expected_seq`` is the state the person acted on: the seq of the alert's latest
    entry when they looked at it (``State.last_seq``). If another entry has landed since,
    the action is refused with ``StaleState``: two people assigning at once must not have
    the second silently overwrite the first. The check and the append happen in one write
    transaction (``store.connect`` holds BEGIN IMMEDIATE; a connection outside a
    transaction gets one here), so no action can land between them.
    """
    if not con.in_transaction:
        con.execute("begin immediate")
        try:
            row = act(con, alert_id, action, actor, note=note, assignee=assignee,
                      dept_code=dept_code, clock=clock, expected_seq=expected_seq)
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
        return row
    alert = con.execute("select * from alerts where alert_id = ?", [alert_id]).fetchone()
    state = current_state(con, alert_id)
    if alert is None or state is None:
        raise LedgerError(f"unknown alert id {alert_id!r}: see `searchlight ledger list`")
    if action not in TRANSITIONS:
        raise LedgerError(f"unknown action {action!r}; one of {', '.join(TRANSITIONS)}")
    if expected_seq is not None and state.last_seq != expected_seq:
        raise StaleState(
            f"{alert_id} changed meanwhile: you acted on entry {expected_seq}, but entry "
            f"{state.last_seq} ({state.last_action} by {state.last_actor} at "
            f"{state.last_action_at}) has landed since and it is now {state.status}; "
            f"reload it and decide again")
    allowed_from, to_status = TRANSITIONS[action]
    if state.status not in allowed_from:
        hint = (" (it was never assigned: assign or transfer it first)"
                if action in ("close", "feedback") and state.status == "new" else "")
        raise LedgerError(f"cannot {action} {alert_id}: it is {state.status}{hint}; "
                          f"{action} is allowed when {' or '.join(allowed_from)}")
    if not actor or not actor.strip():
        raise LedgerError("who acts must be known: pass --by or set SEARCHLIGHT_USER")
    note = (note or "").strip() or None
    if action in NOTE_REQUIRED and not note:
        flag = "--reason" if action == "dismiss" else "--note"
        raise LedgerError(f"{action} needs a note ({flag}) saying {NOTE_REQUIRED[action]}")
    if action == "assign" and not assignee:
        raise LedgerError("assign needs an assignee (--to)")
    if action == "transfer":
        if not dept_code:
            raise LedgerError("transfer needs the receiving department (--dept)")
        if dept_code == state.handling_dept_code:
            raise LedgerError(f"{alert_id} is already with department {dept_code}")
    if dept_code:
        check_department(con, dept_code)
    now = clock()
    fields = {"alert_id": alert_id, "action": action, "from_status": state.status,
              "to_status": to_status, "actor": actor.strip(), "acted_at": now.isoformat(),
              "note": note, "assignee": assignee, "dept_code": dept_code}
    if action == "assign":
        fields["dept_code"] = dept_code or state.handling_dept_code
    if action in ("close", "dismiss"):
        fields["evidence_hash"] = evidence.material_hash(alert["evidence"])
    if action == "reopen":
        fields["due_on"] = due_on(con, alert["severity"], now.date())
    return store.append_action(con, **fields)


def check_department(con: sqlite3.Connection, dept_code: str) -> None:
    """Refuse a department the warehouse does not know (the list the last run copied,
    ``store.departments``). A store with no list (never synced since the list was kept,
    or a warehouse without a departments file) cannot check: the code is accepted and the
    CLI says it was not checked; refusing every transfer there would stop the work."""
    known = store.departments(con)
    if not known or dept_code in known:
        return
    close = difflib.get_close_matches(dept_code, list(known), n=3, cutoff=0.6)
    named = [" ".join(filter(None, (code, known[code]))) for code in close]
    hint = f" (did you mean {', '.join(named)}?)" if named else ""
    raise LedgerError(f"unknown department {dept_code!r}: none of the {len(known)} "
                      f"departments the warehouse had at the last run{hint}; list them with "
                      "`searchlight ledger departments`")


@dataclass
class SyncReport:
    registered: int = 0
    reopened: int = 0
    rehashed: int = 0
    stopped_firing: int = 0
    firing: int = 0
    warnings: list[str] | None = None


def sync_alerts(con: sqlite3.Connection, alerts: list[dict], as_of: dt.date,
                clock: store.Clock = store.now_local) -> SyncReport:
    """Bring the register up to date with one run's alerts (the rows of marts.alerts).

    - a new alert_id is registered (status new, due_on counted from today);
    - first_detected_on is the earliest ever seen and never moves later;
    - an alert that stops firing stays, with ``still_firing = 0`` and its history;
    - a closed or dismissed alert that fires with evidence different from the evidence
      it was closed or dismissed on is reopened by the system; with the same evidence it
      stays resolved. "Different" is judged on ``evidence.material_hash``: values that only
      measure elapsed time against as_of do not count.

    Set-based, in the caller's transaction (issue 15: one query and one chain append per
    alert took 101 s for a 10-million-case build): the register is read once, each
    alert's row is computed in Python, new rows are inserted and only rows whose values
    changed are updated, each with one statement; the system's entries (rehash, register,
    reopen) are chained in one pass, in alert order, each alert's rehash before its
    register or reopen, as the per-alert code did (tests/ledger/test_sync_reference.py
    holds the two to the same bytes). They carry the run's one wall-clock time.
    """
    report = SyncReport(warnings=[])
    today = clock().date()
    states = current_states(con)
    # The register as the last run left it, read and hashed once: the check below and the
    # seal at the end both use it (the seal re-hashes only the rows this run wrote).
    before_run = store.register_rows(con)
    # Before this run rewrites the register: has anyone edited it since the last seal?
    found = store.register_problem(con, before_run)
    if found:
        report.warnings.append(f"the ledger register was edited outside searchlight: "
                               f"{found}; sealed as found, the chain records it")
    # One deadline per severity for the whole run (they all count from today): reading the
    # calendar per alert made a full build with 10^5 new alerts take minutes.
    due_by_severity: dict[str, str | None] = {}

    def due(severity: str) -> str | None:
        if severity not in due_by_severity:
            due_by_severity[severity] = due_on(con, severity, today)
        return due_by_severity[severity]

    register = {alert_id: values for alert_id, _, _, values in before_run}
    written: dict[str, str | None] = {}  # alert_id -> register_hash written with its row
    inserts: list[tuple] = []
    updates: dict[str, tuple] = {}
    entries: list[dict] = []
    acted_at = clock().isoformat()
    firing_ids = set()
    for a in alerts:
        alert_id = a["alert_id"]
        firing_ids.add(alert_id)
        ev_hash = evidence.material_hash(a["evidence"])
        state = states.get(alert_id)
        before = register.get(alert_id)
        if state is not None and state.status in RESOLVED:
            # the evidence it was resolved on: the register row before this run's
            entry = _legacy_resolution_rehash(state, before[_EVIDENCE] if before else None,
                                              acted_at)
            if entry:
                entries.append(entry)
                report.rehashed += 1
        first = str(a.get("first_detected_on") or as_of)
        if before is not None:
            first = min(before[_FIRST_DETECTED], first)
        row = _as_stored((alert_id, a["rule_code"], a.get("rule_family"), a["severity"],
                          a.get("subject_type"), a.get("subject_id"), a.get("dept_code"),
                          a.get("staff_id"), first, str(as_of), 1, a.get("metric_value"),
                          a.get("threshold_value"), a["evidence"], ev_hash,
                          str(a["occurred_on"]) if a.get("occurred_on") else None))
        if before is None or row != before:  # equal values store equal bytes: no write
            written[alert_id] = (store.register_row_hash(row) if _stored_exactly(row)
                                 else None)  # hashed as read back, below
            if before is None:
                inserts.append(row + (written[alert_id],))
            else:
                updates[alert_id] = row
        register[alert_id] = row
        if state is None:
            due_day = due(a["severity"])
            if due_day is None:
                report.warnings.append(f"{alert_id}: no due_on, the working-day "
                                       f"calendar does not cover the days after {today}")
            entries.append({"alert_id": alert_id, "action": "register", "to_status": "new",
                            "actor": SYSTEM_ACTOR, "acted_at": acted_at,
                            "dept_code": a.get("dept_code"), "due_on": due_day,
                            "evidence_hash": ev_hash,
                            "note": f"raised by {a['rule_code']} in the run as of {as_of}"})
            report.registered += 1
        elif state.status in RESOLVED and state.resolved_evidence_hash != ev_hash:
            entries.append({"alert_id": alert_id, "action": "reopen",
                            "from_status": state.status, "to_status": "new",
                            "actor": SYSTEM_ACTOR, "acted_at": acted_at,
                            "due_on": due(a["severity"]), "evidence_hash": ev_hash,
                            "note": f"fired again as of {as_of} with changed evidence "
                                    f"after it was {state.status}"})
            report.reopened += 1
    # Alerts that stopped firing: their rows as stored, with still_firing 0.
    stopped = [alert_id for alert_id, row in register.items()
               if row[_STILL_FIRING] == 1 and alert_id not in firing_ids]
    for alert_id in stopped:
        row = register[alert_id]
        register[alert_id] = row[:_STILL_FIRING] + (0,) + row[_STILL_FIRING + 1:]
        written[alert_id] = store.register_row_hash(register[alert_id])
    _write_register(con, inserts, updates, stopped, written)
    store.append_actions(con, entries)
    report.stopped_firing, report.firing = len(stopped), len(firing_ids)
    store.set_meta(con, "alerts_as_of", str(as_of))
    store.set_meta(con, "alerts_synced_at", clock().isoformat())
    store.seal_register(con, as_of, clock, found,
                        _register_after(con, before_run, written))
    return report


# Positions in a register row (store.REGISTER_COLUMNS).
_FIRST_DETECTED = store.REGISTER_COLUMNS.index("first_detected_on")
_STILL_FIRING = store.REGISTER_COLUMNS.index("still_firing")
_EVIDENCE = store.REGISTER_COLUMNS.index("evidence")
_REAL = {store.REGISTER_COLUMNS.index(c) for c in ("metric_value", "threshold_value")}


def _as_stored(row: tuple) -> tuple:
    """The row with an integer in a REAL column as the float SQLite stores for it
    (exactly, below 2^53), so the row compares and hashes as it will be read back."""
    if all(type(row[i]) is not int or abs(row[i]) >= 2**53 for i in _REAL):
        return row
    return tuple(float(v) if i in _REAL and type(v) is int and abs(v) < 2**53 else v
                 for i, v in enumerate(row))


def _stored_exactly(row: tuple) -> bool:
    """Whether SQLite gives back exactly these values (text in the TEXT columns, a finite
    float in the REAL ones): then the row's register_hash is known without reading it
    back. Anything else (a number in a text column, NaN, which SQLite stores as NULL) is
    converted by SQLite and hashed as read back (``_register_after``)."""
    for i, v in enumerate(row):
        if v is None or (i == _STILL_FIRING and type(v) is int):
            continue
        if i in _REAL:
            if type(v) is not float or not math.isfinite(v):
                return False
        elif type(v) is not str:
            return False
    return True


def _write_register(con: sqlite3.Connection, inserts: list[tuple],
                    updates: dict[str, tuple], stopped: list[str],
                    written: dict[str, str | None]) -> None:
    """One statement per kind of change; each written row carries its register_hash (the
    seal's, ``store.seal_register``), or NULL when it is hashed as read back."""
    columns = [*store.REGISTER_COLUMNS, "register_hash"]
    marks = ", ".join("?" * len(columns))
    con.executemany(f"insert into alerts ({', '.join(columns)}) values ({marks})", inserts)
    con.executemany(f"update alerts set ({', '.join(columns)}) = ({marks}) "
                    "where alert_id = ?",
                    [(*row, written[alert_id], alert_id) for alert_id, row in updates.items()])
    con.executemany("update alerts set still_firing = 0, register_hash = ? "
                    "where alert_id = ?", [(written[i], i) for i in stopped])


def _register_after(con: sqlite3.Connection, before_run: list, written: dict
                    ) -> list[tuple[str, str, str | None]]:
    """(alert_id, hash now, stored register_hash) of every register row after this run's
    writes, in alert_id order, for the seal: rows not written keep the hashes read before
    the run; rows written with a known hash are sealed as written; the few whose values
    SQLite converted are read back and hashed."""
    rows = {alert_id: (now, stored) for alert_id, now, stored, _ in before_run
            if alert_id not in written}
    rows.update((alert_id, (h, h)) for alert_id, h in written.items() if h is not None)
    unknown = [alert_id for alert_id, h in written.items() if h is None]
    for start in range(0, len(unknown), 500):
        chunk = unknown[start:start + 500]
        cur = con.cursor()
        cur.row_factory = None
        for values in cur.execute(f"select {', '.join(store.REGISTER_COLUMNS)} from alerts "
                                  f"where alert_id in ({', '.join('?' * len(chunk))})",
                                  chunk):
            rows[values[0]] = (store.register_row_hash(values), None)
    return [(alert_id, *rows[alert_id]) for alert_id in sorted(rows)]


def _legacy_resolution_rehash(state: State, before: str | None,
                              acted_at: str) -> dict | None:
    """The entry that re-records, once, a resolution fingerprint written before material
    hashing; None when there is none to write.

    Such stores recorded sha256 of the whole evidence text on close/dismiss, and the old
    rule reopened a resolved alert as soon as it fired with other text; so the register
    row of a still-resolved alert (``before``: its evidence before this run) holds
    exactly the evidence it was resolved on. Its material fingerprint goes into the chain
    (a system ``rehash`` row: the history, not a side table, says why the comparison
    changed); comparing the old hash with the new one would reopen every resolved alert
    once on upgrade. Updates ``state`` to the new fingerprint.
    """
    if before is None or state.resolved_evidence_hash != evidence.legacy_hash(before):
        return None
    fingerprint = evidence.material_hash(before)
    if fingerprint == state.resolved_evidence_hash:
        return None
    state.resolved_evidence_hash = fingerprint
    return {"alert_id": state.alert_id, "action": REHASH, "from_status": state.status,
            "to_status": state.status, "actor": SYSTEM_ACTOR, "acted_at": acted_at,
            "evidence_hash": fingerprint,
            "note": "fingerprint of the evidence it was resolved on, recomputed without "
                    "as_of measurements (ledger/evidence.py)"}


def is_overdue(state: State, today: dt.date) -> bool:
    """督办超期: still open after its handling deadline."""
    return (state.status in OPEN and state.due_on is not None
            and dt.date.fromisoformat(state.due_on) < today)
