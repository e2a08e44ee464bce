"""Fixtures of the ledger tests: a store with a few alerts, on a fixed clock."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ledger import lifecycle, store

AS_OF = dt.date(2026, 9, 25)
NOW = dt.datetime(2026, 9, 28, 9, 0, tzinfo=store.TZ)  # Monday before National Day


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
    """A store with three registered alerts: T01-a (red), T02-b (yellow), T07-c (info)."""
    path = tmp_path / "w.ledger.sqlite"
    with store.connect(path) as con:
        lifecycle.sync_alerts(con, [make_alert("T01-a"), make_alert("T02-b", "yellow"),
                                    make_alert("T07-c", "info", dept="D02")], AS_OF, clock)
    return path
