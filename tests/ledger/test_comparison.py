"""What `ledger show` says a rule compared holds for every alert the rules raise on the
demo district (all 37 rules fire there), and agrees with the rules' own flags."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from ingest.calendar import WorkCalendar
from ledger import comparison

pytestmark = pytest.mark.e2e

WARNINGS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "warnings"

# Evidence keys in which a rule states, per condition, whether it held: the printed
# conditions must say the same, in this order (a condition missing here has no flag).
FLAGS = {
    "C01": ["over_per_head_cap", "over_companion_limit", "prohibited_venue"],
    "T04": ["has_unlawful_suspension", "is_over_cap", "is_too_many", "has_late_start"],
    "P03": ["is_tight_spread", "is_arithmetic_progression"],
    "S06": ["is_red_category"],
}


def rule_models() -> set[str]:
    return {re.match(r"warn_([a-z]\d\d)_", p.name).group(1).upper()
            for p in WARNINGS.glob("warn_*.sql")}


@pytest.fixture(scope="module")
def demo_alerts(demo_run):
    _, warehouse, _ = demo_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select alert_id, rule_code, evidence from marts.alerts "
                           "order by alert_id").fetchall()
        overrides = con.execute("select calendar_date, is_workday from "
                                "staging.stg_calendar_overrides "
                                "where calendar_date is not null").fetchall()
    return rows, WorkCalendar([(d, bool(w)) for d, w in overrides])


def test_every_rule_has_its_comparison():
    assert rule_models() == set(comparison.RULES)


def test_every_rule_fires_on_the_demo(demo_alerts):
    rows, _ = demo_alerts
    assert {code for _, code, _ in rows} == set(comparison.RULES)


def test_what_show_prints_holds_for_every_alert_of_every_rule(demo_alerts):
    rows, calendar = demo_alerts
    wrong = []
    for alert_id, code, evidence in rows:
        compared = comparison.compared(code, json.loads(evidence), calendar)
        if not compared.holds:
            wrong.append((alert_id, [c.text() for c in compared.checks]))
    assert wrong == []


def test_each_condition_agrees_with_the_rules_own_flag(demo_alerts):
    rows, calendar = demo_alerts
    seen = set()
    for alert_id, code, evidence in rows:
        if code not in FLAGS:
            continue
        ev = json.loads(evidence)
        checks = comparison.compared(code, ev, calendar).checks
        assert [c.met for c in checks[:len(FLAGS[code])]] == [ev[f] for f in FLAGS[code]], \
            alert_id
        seen.add(code)
    assert seen == set(FLAGS)


def test_a_condition_that_does_not_hold_is_shown_as_such():
    """C01's per-head cap is compared with '>': 150.00 a head does not fire."""
    ev = {"amount_per_head": 150.0, "reception_per_person_cap": 150, "companions": 4,
          "companion_limit": 3.0, "guests": 9, "venue_type": "机关食堂",
          "prohibited_venue": False}
    compared = comparison.compared("c01", ev)
    assert [c.met for c in compared.checks] == [False, True, False] and compared.holds
    assert compared.checks[0].text() == \
        "amount per head (amount / (guests + companions)): 150 > 150"


def test_a_rule_it_does_not_know_gives_none():
    assert comparison.compared("X99", {"a": 1}) is None
    assert comparison.compared("T01", None) is None
