"""The set-based sync writes, byte for byte, what the per-alert sync wrote.

``lifecycle.sync_alerts`` registered alerts one at a time until issue 15 (one upsert and
one chain append per alert: 101 s of a 10-million-case build). The set-based version must
not change a single stored value: the chain's hashes, the register's rows and their
``register_hash``, ``ledger_meta``, the anchor file and the run reports. The fixture
``sync_reference.json`` was written by the per-alert code (commit e668fc4) running
``scenario`` below; the test runs the same scenario with the current code and compares
every column of every row as SQLite quotes it (so 1, 1.0 and '1' differ).

Regenerate it only on purpose (a deliberate change of what the ledger stores):
    python -m tests.ledger.test_sync_reference --write
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from ledger import evidence, lifecycle, store
from tests.ledger.conftest import (
    AS_OF,
    DEPARTMENTS,
    NOW,
    Clock,
    insert_legacy_register_row,
    make_alert,
)

pytestmark = pytest.mark.unit

REFERENCE = Path(__file__).with_name("sync_reference.json")
TABLES = ("alerts", "actions", "ledger_meta", "departments", "calendar_overrides")


def _alerts(prefix: str, n: int, as_of: dt.date, **kw) -> list[dict]:
    severities = ("red", "yellow", "info")
    return [{**make_alert(f"{prefix}-{i:03d}", severities[i % 3],
                          dept=f"D0{1 + i % 3}", **kw), "as_of": as_of} for i in range(n)]


def _legacy_resolved(path: Path, clock: Clock) -> None:
    """A store from before material hashing and sealing: L-1 dismissed and L-2 closed on
    the sha256 of their whole evidence text (the rehash case), L-3 open."""
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    con.executescript(store.SCHEMA)
    for alert_id, action in (("L-1", "dismiss"), ("L-2", "close"), ("L-3", None)):
        a = make_alert(alert_id, evidence={"case_id": alert_id, "elapsed_days": 30})
        insert_legacy_register_row(con, a, "2026-09-01", evidence.legacy_hash(a["evidence"]))
        store.append_action(con, alert_id=alert_id, action="register", to_status="new",
                            actor=store.SYSTEM_ACTOR, acted_at=clock().isoformat(),
                            dept_code="D01", due_on="2026-09-20",
                            evidence_hash=evidence.legacy_hash(a["evidence"]))
        if action:
            if action == "close":
                store.append_action(con, alert_id=alert_id, action="assign",
                                    from_status="new", to_status="assigned", actor="王督查",
                                    acted_at=clock().isoformat(), assignee="李四",
                                    dept_code="D01")
            store.append_action(con, alert_id=alert_id, action=action,
                                from_status="assigned" if action == "close" else "new",
                                to_status="closed" if action == "close" else "dismissed",
                                actor="王督查", acted_at=clock().isoformat(), note="旧",
                                evidence_hash=evidence.legacy_hash(a["evidence"]))
    con.commit()
    con.close()


def _sync(path: Path, alerts: list[dict], as_of: dt.date, clock: Clock,
          overrides=()) -> dict:
    with store.connect(path) as con:
        con.execute("delete from calendar_overrides")
        con.executemany("insert into calendar_overrides values (?, ?)", list(overrides))
        store.replace_departments(con, DEPARTMENTS)
        report = lifecycle.sync_alerts(con, alerts, as_of, clock)
    return vars(report)


def scenario(tmp: Path) -> dict:
    """Six runs over one store, covering every branch of sync_alerts; returns what they
    stored and reported."""
    path = tmp / "w.ledger.sqlite"
    clock = Clock(NOW - dt.timedelta(days=30))
    _legacy_resolved(path, clock)
    clock.now = NOW
    reports = []
    # 1: the legacy alerts fire again (L-1 with the same material evidence: rehashed and
    # still dismissed; L-2 with a changed fact: rehashed, then reopened) and 40 new ones.
    legacy = [make_alert("L-1", evidence={"case_id": "L-1", "elapsed_days": 31}),
              make_alert("L-2", evidence={"case_id": "L-2", "elapsed_days": 31,
                                          "step": "new"}),
              make_alert("L-3", evidence={"case_id": "L-3", "elapsed_days": 30})]
    first = _alerts("T01", 40, AS_OF)
    first[5]["first_detected_on"] = None  # falls back to as_of
    first[6]["occurred_on"] = dt.date(2026, 9, 1)
    first[7]["metric_value"] = first[7]["threshold_value"] = None
    first[8]["evidence"] = "not json"
    # values SQLite converts as it stores them: an integer in a REAL column, NaN (stored
    # as NULL), a number in a TEXT column
    first[9]["metric_value"], first[9]["threshold_value"] = 13, float("nan")
    first[10]["staff_id"], first[10]["subject_id"] = 7, 1.5
    reports.append(_sync(path, legacy + first, AS_OF, clock,
                         overrides=[("2026-10-09", 0), ("2026-10-10", 1)]))
    # people act between runs
    with store.connect(path) as con:
        for alert_id, action, kw in (
                ("T01-000", "assign", {"assignee": "张三"}),
                ("T01-000", "close", {"note": "核实整改"}),
                ("T01-001", "dismiss", {"note": "误报"}),
                ("T01-002", "dismiss", {"note": "误报"}),
                ("T01-003", "assign", {"assignee": "李四"})):
            clock.advance(minutes=1)
            lifecycle.act(con, alert_id, action, "王督查", clock=clock, **kw)
    # 2: a day later. T01-000 (closed) fires with a changed fact: reopened; T01-001
    # (dismissed) with only a measurement changed: stays; T01-002 stops firing, as do
    # T01-030..039; T01-010 is seen with an earlier first detection (moves back) and
    # T01-011 with a later one (stays); T01-012 changes severity; 5 new alerts.
    clock.advance(days=1)
    as_of2 = AS_OF + dt.timedelta(days=1)
    second = [{**a, "as_of": as_of2} for a in first[:30] if a["alert_id"] != "T01-002"]
    by_id = {a["alert_id"]: a for a in second}
    by_id["T01-000"]["evidence"] = json.dumps({"case_id": "ST01-000", "days": 13,
                                               "step": "x"})
    by_id["T01-001"]["evidence"] = json.dumps({"case_id": "ST01-001", "days": 12,
                                               "elapsed_days": 99})
    by_id["T01-010"]["first_detected_on"] = AS_OF - dt.timedelta(days=3)
    by_id["T01-011"]["first_detected_on"] = as_of2
    by_id["T01-012"]["severity"] = "info"
    by_id["T01-013"]["metric_value"] = 2**60  # beyond a float's exact integers
    second += _alerts("F03", 5, as_of2, rule="F03")
    reports.append(_sync(path, legacy + second, as_of2, clock))
    # 3: the same alerts again on the same as_of: nothing to register, no new seal
    clock.advance(hours=1)
    reports.append(_sync(path, legacy + second, as_of2, clock))
    # 4: someone edits the register between runs; the run seals it as found
    with sqlite3.connect(path) as con:
        con.execute("update alerts set severity = 'info' where alert_id = 'T01-003'")
    clock.advance(days=1)
    as_of3 = as_of2 + dt.timedelta(days=1)
    reports.append(_sync(path, [{**a, "as_of": as_of3} for a in second], as_of3, clock))
    # 5: a wall clock past the calendar's years: new alerts get no due_on (a warning each)
    clock.now = dt.datetime(2099, 6, 1, 9, 0, tzinfo=store.TZ)
    reports.append(_sync(path, _alerts("K01", 3, as_of3, rule="K01"), as_of3, clock))
    # 6: no alerts at all: everything stops firing
    clock.advance(days=1)
    reports.append(_sync(path, [], as_of3, clock))
    return {"tables": dump(path), "anchor": store.anchor_path(path).read_text("utf-8"),
            "reports": reports}


def dump(path: Path) -> dict[str, list[list[str]]]:
    """Every row of TABLES, in primary-key order, each value as SQLite quotes it."""
    con = sqlite3.connect(path)
    try:
        out = {}
        for table in TABLES:
            cols = [r[1] for r in con.execute(f"pragma table_info({table})")]
            quoted = ", ".join(f"quote({c})" for c in cols)
            out[table] = [list(r) for r in con.execute(
                f"select {quoted} from {table} order by 1")]
        return out
    finally:
        con.close()


def test_the_set_based_sync_stores_what_the_per_alert_sync_stored(tmp_path):
    reference = json.loads(REFERENCE.read_text("utf-8"))
    got = json.loads(json.dumps(scenario(tmp_path), ensure_ascii=False, default=str))
    for table in TABLES:
        assert got["tables"][table] == reference["tables"][table], table
    assert got["anchor"] == reference["anchor"]
    assert got["reports"] == reference["reports"]
    with store.connect(tmp_path / "w.ledger.sqlite") as con:
        report = store.verify_chain(con)
    assert report.ok, report.problem


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        REFERENCE.write_text(json.dumps(scenario(Path(tmp)), ensure_ascii=False, indent=1,
                                        default=str) + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE}")
