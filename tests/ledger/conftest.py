"""Fixtures of the ledger tests: a store with a few alerts, on a fixed clock."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from ledger import evidence, lifecycle, store

AS_OF = dt.date(2026, 9, 25)
NOW = dt.datetime(2026, 9, 28, 9, 0, tzinfo=store.TZ)  # Monday before National Day
# What the warehouse's marts.dim_department held at the fixture's sync.
DEPARTMENTS = [("D01", "区政务服务管理办公室"), ("D02", "区民政局"), ("D07", "区公安分局"),
               ("D09", "区市场监督管理局")]


def make_alert(alert_id: str, severity: str = "red", evidence: dict | None = None,
               dept: str = "D01", rule: str | None = None) -> dict:
    return {"alert_id": alert_id, "rule_code": rule or alert_id.split("-")[0],
            "rule_family": "T", "severity": severity, "subject_type": "case",
            "subject_id": "S" + alert_id, "dept_code": dept, "staff_id": "G01",
            "as_of": AS_OF, "metric_value": 12.0, "threshold_value": 10.0,
            "evidence": json.dumps(evidence or {"case_id": "S" + alert_id, "days": 12}),
            "first_detected_on": AS_OF}


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += dt.timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger_file(tmp_path, clock):
    """A store with three registered alerts: T01-a (red), T02-b (yellow), T07-c (info),
    and the department list of its sync."""
    path = tmp_path / "w.ledger.sqlite"
    with store.connect(path) as con:
        store.replace_departments(con, DEPARTMENTS)
        lifecycle.sync_alerts(con, [make_alert("T01-a"), make_alert("T02-b", "yellow"),
                                    make_alert("T07-c", "info", dept="D02")], AS_OF, clock)
    return path


def insert_legacy_register_row(con, a: dict, seen_on: str, evidence_hash: str) -> None:
    """A register row of alert ``a`` as stores before the seal wrote it (no register_hash,
    no occurred_on), first and last seen on ``seen_on``."""
    con.execute("insert into alerts (alert_id, rule_code, rule_family, severity, "
                "subject_type, subject_id, dept_code, staff_id, first_detected_on, "
                "last_seen_on, metric_value, threshold_value, evidence, evidence_hash) "
                "values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [a["alert_id"], a["rule_code"], a["rule_family"], a["severity"],
                 a["subject_type"], a["subject_id"], a["dept_code"], a["staff_id"],
                 seen_on, seen_on, a["metric_value"], a["threshold_value"],
                 a["evidence"], evidence_hash])


def legacy_store(path, clock, alerts: list[dict] | None = None):
    """A store as the ledger wrote it before the head anchor and the register's seal:
    three alerts registered, no ``<store>.head``, no seal, no ``register_hash``, nothing
    in ledger_meta (written with a plain sqlite3 connection, which anchors nothing)."""
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    con.executescript(store.SCHEMA)
    for a in alerts or [make_alert("T01-a"), make_alert("T02-b", "yellow"),
                        make_alert("T07-c", "info", dept="D02")]:
        insert_legacy_register_row(con, a, str(AS_OF), evidence.material_hash(a["evidence"]))
        store.append_action(con, alert_id=a["alert_id"], action="register", to_status="new",
                            actor=store.SYSTEM_ACTOR, acted_at=clock().isoformat(),
                            dept_code=a["dept_code"], due_on="2026-10-15",
                            evidence_hash=evidence.material_hash(a["evidence"]))
    con.commit()
    con.close()
    return path
