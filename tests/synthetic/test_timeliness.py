"""The T oracle (synthetic/families/timeliness.py) against the hand-computed conformance cases."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from ingest.calendar import is_workday
from synthetic.clock import Clock
from synthetic.families.timeliness import RULES, evaluate_t_rules

pytestmark = pytest.mark.unit

CONFORMANCE = Path(__file__).parents[1] / "conformance"


def test_rule_reading_matches_the_conformance_cases():
    """evaluate_t_rules on the hand-computed conformance district gives its T alerts."""
    root = CONFORMANCE
    assert root.exists(), "tests/conformance (copy of ../shared/conformance) is missing"

    def ts(v):
        return datetime.fromisoformat(v) if v else None

    land = root / "landing"
    versions = []
    for f in sorted((land / "cases").glob("*.csv")):
        for r in csv.DictReader(io.StringIO(f.read_text(encoding="utf-8"))):
            versions.append({
                "case_id": r["case_id"], "item_code": r["item_code"], "channel": r["channel"],
                "status": r["status"], "submitted_at": ts(r["submitted_at"]),
                "accepted_at": ts(r["accepted_at"]), "completed_at": ts(r["completed_at"]),
                "updated_at": ts(r["updated_at"]), "_file": f.name,
                "promised_limit_days": int(r["promised_limit_days"])
                if r["promised_limit_days"] else None})
    events: dict[str, list[dict]] = {}
    for f in sorted((land / "case_events").glob("*.csv")):
        for r in csv.DictReader(io.StringIO(f.read_text(encoding="utf-8"))):
            events.setdefault(r["case_id"], []).append({
                "seq": int(r["seq"]), "event_type": r["event_type"],
                "event_at": ts(r["event_at"]), "procedure_type": r["procedure_type"] or None})
    items = {}
    for f in sorted((land / "items").glob("*.csv")):
        for r in csv.DictReader(io.StringIO(f.read_text(encoding="utf-8"))):
            items[r["item_code"]] = {
                "item_type": r["item_type"], "limit_unit": r["limit_unit"] or None,
                "statutory_limit_days": int(r["statutory_limit_days"]),
                "promised_limit_days": int(r["promised_limit_days"])}
    overrides = {}
    for f in sorted((land / "calendar_overrides").glob("*.csv")):
        for r in csv.DictReader(io.StringIO(f.read_text(encoding="utf-8"))):
            overrides[date.fromisoformat(r["day"])] = r["is_workday"].strip().lower() in (
                "true", "1", "是", "y")
    expected = json.loads((root / "expected_alerts.json").read_text(encoding="utf-8"))
    clock = Clock(lambda d: overrides.get(d, is_workday(d)))
    got = evaluate_t_rules(versions, events, items, date.fromisoformat(expected["as_of"]),
                           clock)
    for rule in RULES:
        assert got[rule] == expected["alerts"][rule], rule
