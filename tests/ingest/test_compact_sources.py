"""The compact sources of sources.md (tenders ... key_projects): which columns a file must
carry, and the versions the staging models choose between (the later file by name wins:
dbt unit test stg_tenders_the_file_whose_name_sorts_last_wins_then_the_later_line)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ingest.load import load_source

TENDERS_HEADER = "tender_id,buyer_dept_code,procedure_type,estimated_value,published_at"

pytestmark = pytest.mark.unit


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_every_version_stays_in_raw_with_its_file_name_and_line(con, write, landing):
    # what the staging unit test gives as fixtures: '<source>/<file>' and the record line
    write("tenders/a.csv", f"{TENDERS_HEADER}\nT1,D1,询价,100.00,2025-04-01\n"
                           "T1,D2,询价,150.00,2025-04-01\n")
    write("tenders/b.csv", f"{TENDERS_HEADER}\nT1,D3,询价,200.00,2025-04-01\n")
    load_source(con, "tenders", landing)
    write("tenders/c.csv", f"{TENDERS_HEADER}\nT1,D4,邀请招标,300.01,2025-04-02\n")  # a later run
    [a, b, c] = load_source(con, "tenders", landing)
    assert [r.status for r in (a, b, c)] == ["already loaded", "already loaded", "loaded"]
    assert _rows(con, "SELECT _file_name, _line, buyer_dept_code, estimated_value "
                      "FROM raw.tenders ORDER BY _file_name, _line") == [
        ("tenders/a.csv", 2, "D1", Decimal("100.00")), ("tenders/a.csv", 3, "D2", Decimal("150.00")),
        ("tenders/b.csv", 2, "D3", Decimal("200.00")), ("tenders/c.csv", 2, "D4", Decimal("300.01"))]


def test_money_loads_to_the_cent(con, write, landing):
    write("tenders/a.csv", f"{TENDERS_HEADER}\nT1,D1,询价,867187.88,2025-04-01\n")
    load_source(con, "tenders", landing)
    assert _rows(con, "SELECT typeof(estimated_value), estimated_value::VARCHAR "
                      "FROM raw.tenders") == [("DECIMAL(18,2)", "867187.88")]


def test_a_column_no_rule_needs_may_be_absent_or_empty(con, write, landing):
    # subsidy_programs.program_name only labels L03's evidence; a milestone without
    # planned_on is not evaluable for K01 (coverage), so neither costs the row
    write("subsidy_programs/p.csv", "program_code,max_amount_per_period\nLB,800.00\n")
    write("key_projects/k.csv", "project_id,dept_code,milestone,planned_on\n"
                                "K1,D01,开工,\nK1,D01,竣工,2026-06-30\n")
    [programs] = load_source(con, "subsidy_programs", landing)
    [projects] = load_source(con, "key_projects", landing)
    assert (programs.status, programs.rows_loaded) == ("loaded", 1)
    assert (projects.status, projects.rows_loaded, projects.rows_quarantined) == \
        ("loaded", 2, 0)
    assert _rows(con, "SELECT milestone, planned_on FROM raw.key_projects ORDER BY _line") \
        == [("开工", None), ("竣工", dt.date(2026, 6, 30))]


def test_a_column_a_rule_cannot_judge_without_is_still_required(con, write, landing):
    # without procedure_type P01, P04 and P05 would quietly judge the tender as not theirs
    write("tenders/a.csv", "tender_id,buyer_dept_code\nT1,D1\n")
    write("tenders/b.csv", f"{TENDERS_HEADER}\nT2,D1,,100.00,2025-04-01\n")
    refused, loaded = load_source(con, "tenders", landing)
    assert refused.status == "refused"
    assert "missing required column(s) procedure_type" in refused.message
    assert (loaded.status, loaded.rows_loaded, loaded.rows_quarantined) == ("loaded", 0, 1)
