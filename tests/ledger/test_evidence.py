"""The evidence that matters: measurements against as_of do not count as new evidence, and
every evidence key of a rule measured against as_of has been classified."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ledger import evidence

WARNINGS = Path(__file__).parents[2] / "dbt_project" / "models" / "warnings"

# Evidence keys of the rules measured against as_of that are facts of the subject (ids,
# dates something happened, counts, the rule's parameters): unchanged from one day to the
# next while nothing happens. Reviewed with MEASUREMENT_KEYS; a new key must go in one.
FACT_KEYS = {
    "accepted_at", "bad_review_count", "bad_review_ids", "bad_share", "case_id",
    "case_promised_limit_days", "category", "closed_at", "completed_at", "completed_on",
    "created_at", "deadline_at", "dept_code", "elapsed_at_start", "ended_at",
    "extension_days", "feedback_id", "first_response_event_at", "handled_at",
    "has_extension", "has_late_start", "has_unlawful_suspension", "is_open",
    "is_open_at_as_of", "is_over_cap", "is_red_category", "is_too_many", "item_code",
    "item_statutory_limit_days", "item_type", "k01_red_days_late", "k01_yellow_days_late",
    "limit_unit", "margin_days", "milestone", "planned_on", "procedure_types", "project_id",
    "project_name", "promised_limit_days", "rating", "rectified_at", "responded_at",
    "review_count", "review_id", "reviewed_at", "reviewed_staff_id", "reviewed_staff_source",
    "s01_rectification_limit_workdays", "s02_min_bad_share", "s02_min_reviews",
    "s02_window_days", "s06_handling_limit_workdays", "s_bad_rating_max", "staff_id",
    "started_at", "status", "statutory_limit_days", "submitted_at",
    "suspend_start_event_seqs", "suspension_count", "t03_margin_ratio",
    "t03_min_margin_days", "t04_late_start_ratio", "t04_max_suspensions",
    "t04_suspension_cap_days", "t06_acceptance_limit_workdays", "ticket_id",
    "unlawful_suspension_count", "window_id",
}
# Columns of int_cases_clocked measured to the end of as_of while a case is open.
CLOCK_COLUMNS = {"as_of", "clock_end_at", "clock_days_gross", "lawful_suspended_days",
                 "elapsed_days", "is_open"}
EVIDENCE_PAIR = re.compile(r"\(\s*'([a-z_0-9]+)'\s*,\s*(.+?)\),?\s*$", re.MULTILINE)

pytestmark = pytest.mark.unit


def evidence_pairs(sql: str) -> list[tuple[str, str]]:
    block = sql[sql.index("json_object(["):]
    return EVIDENCE_PAIR.findall(block[:block.index("])")])


def measured_against_as_of(sql: str, pairs) -> bool:
    """The rule reads as_of itself, counts suspensions clipped at the clock end, or puts a
    clock column of an open case in its evidence."""
    return ("as_of" in sql or "int_case_suspension_periods" in sql
            or ("int_cases_clocked" in sql
                and any(expr.strip("' ") in CLOCK_COLUMNS for _, expr in pairs)))


def rules_measured_against_as_of() -> dict[str, list[str]]:
    rules = {}
    for path in sorted(WARNINGS.glob("*/warn_*.sql")):
        sql = path.read_text(encoding="utf-8")
        pairs = evidence_pairs(sql)
        if measured_against_as_of(sql, pairs):
            rules[path.stem.split("_")[1].upper()] = [k for k, _ in pairs]
    return rules


def test_every_evidence_key_of_a_rule_measured_against_as_of_is_classified():
    rules = rules_measured_against_as_of()
    # the detection itself must keep finding the rules known to measure open things
    assert {"T01", "T02", "T03", "T04", "T05", "T06", "S01", "S02", "S04", "S06",
            "K01"} <= set(rules)
    unclassified = {f"{rule}.{key}" for rule, keys in rules.items() for key in keys
                    if key not in evidence.MEASUREMENT_KEYS and key not in FACT_KEYS}
    assert not unclassified, (
        "classify these evidence keys: a value that moves with as_of while the subject is "
        "open goes in ledger.evidence.MEASUREMENT_KEYS, anything else in FACT_KEYS here")
    assert not set(evidence.MEASUREMENT_KEYS) & FACT_KEYS


def test_every_measurement_key_is_still_used_by_some_rule():
    used = {k for keys in rules_measured_against_as_of().values() for k in keys}
    assert set(evidence.MEASUREMENT_KEYS) <= used


T01_DAY_1 = {"case_id": "C1", "accepted_at": "2026-09-01 09:00:00", "completed_at": None,
             "clock_end_at": "2026-09-25 23:59:59", "gross_days": 18,
             "lawful_suspended_days": 0, "elapsed_days": 18, "statutory_limit_days": 15}


def test_elapsed_time_against_as_of_does_not_change_the_fingerprint():
    day_2 = {**T01_DAY_1, "clock_end_at": "2026-09-28 23:59:59", "gross_days": 19,
             "elapsed_days": 19}
    assert evidence.material_hash(json.dumps(T01_DAY_1)) == \
        evidence.material_hash(json.dumps(day_2))
    # key order and spacing are not evidence either
    reordered = json.dumps(dict(reversed(list(T01_DAY_1.items()))), indent=2)
    assert evidence.material_hash(reordered) == evidence.material_hash(json.dumps(T01_DAY_1))


@pytest.mark.parametrize(("key", "value"), [
    ("completed_at", "2026-09-28 10:00:00"),  # the case ended: a fact
    ("statutory_limit_days", 20),
    ("case_id", "C2"),
])
def test_a_changed_fact_changes_the_fingerprint(key, value):
    assert evidence.material_hash(json.dumps({**T01_DAY_1, key: value})) != \
        evidence.material_hash(json.dumps(T01_DAY_1))


def test_evidence_that_is_not_a_json_object_is_compared_as_text():
    assert evidence.material("not json") == "not json"
    assert evidence.material(None) == ""
    assert evidence.material_hash("[1, 2]") != evidence.material_hash("[1,2]")
