"""Transfers go to departments the warehouse knows: the list is copied into the store at
each run (marts.dim_department); a store without one accepts the code and says so."""

from __future__ import annotations

import json
import sqlite3

import duckdb
import pytest

from ledger import lifecycle, store, sync
from searchlight import ledger_cli
from searchlight.cli import main
from tests.ledger.conftest import AS_OF, make_alert

pytestmark = pytest.mark.unit


def actions(path) -> int:
    with sqlite3.connect(path) as con:
        return con.execute("select count(*) from actions").fetchone()[0]


@pytest.fixture
def run(ledger_file, clock, monkeypatch, capsys):
    monkeypatch.setattr(ledger_cli, "clock", clock)
    monkeypatch.setenv("SEARCHLIGHT_USER", "督查员甲")

    def _run(*argv):
        code = main(["ledger", "--ledger", str(ledger_file), *argv])
        out = capsys.readouterr()
        return code, out.out, " ".join(out.err.split())  # as read, whatever the wrapping
    return _run


@pytest.mark.parametrize("argv", [
    ["transfer", "T01-a", "--dept", "999", "--note", "转办"],
    ["assign", "T01-a", "--to", "李四", "--dept", "999"],
])
def test_a_department_the_warehouse_does_not_know_is_refused(run, ledger_file, argv):
    before = actions(ledger_file)
    code, _, err = run(*argv)
    assert code == 1
    assert "unknown department '999'" in err and "searchlight ledger departments" in err
    assert actions(ledger_file) == before


def test_a_near_miss_is_offered(ledger_file, clock):
    with store.connect(ledger_file) as con, \
            pytest.raises(lifecycle.LedgerError, match="did you mean D09 区市场监督管理局"):
        lifecycle.act(con, "T01-a", "transfer", "王督查", note="转办", dept_code="D9",
                      clock=clock)


def test_a_known_department_is_accepted(run):
    code, out, err = run("--json", "transfer", "T01-a", "--dept", "D09", "--note", "属D09职责")
    assert code == 0 and json.loads(out)["state"]["handling_dept_code"] == "D09"
    assert "not checked" not in err


def test_without_a_department_list_the_code_is_accepted_and_the_cli_says_so(run,
                                                                           ledger_file):
    with store.connect(ledger_file) as con:
        store.replace_departments(con, [])
    code, _, err = run("transfer", "T01-a", "--dept", "999", "--note", "转办")
    assert code == 0 and "department 999 was not checked" in err


def test_departments_lists_codes_and_names(run):
    code, out, _ = run("departments")
    assert code == 0 and "D09" in out and "区市场监督管理局" in out
    code, out, _ = run("--json", "departments")
    assert {"dept_code": "D02", "dept_name": "区民政局"} in json.loads(out)


def warehouse_with(path, departments: list[tuple[str, str]] | None):
    """The tables after_build reads, as a build leaves them."""
    alert = make_alert("T01-a")
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create schema staging")
        con.execute("create table staging.stg_calendar_overrides "
                    "(calendar_date date, is_workday boolean)")
        con.execute("create table marts.rule_coverage (rule_code varchar, as_of date)")
        con.execute("create table marts.alerts (alert_id varchar, rule_code varchar, "
                    "rule_family varchar, severity varchar, subject_type varchar, "
                    "subject_id varchar, dept_code varchar, staff_id varchar, as_of date, "
                    "metric_value double, threshold_value double, evidence varchar, "
                    "occurred_on date, first_detected_on date)")
        con.execute("insert into marts.alerts values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [alert[c] for c in ("alert_id", "rule_code", "rule_family", "severity",
                                        "subject_type", "subject_id", "dept_code",
                                        "staff_id", "as_of", "metric_value",
                                        "threshold_value", "evidence")]
                    + [None, AS_OF])
        if departments is not None:
            con.execute("create table marts.dim_department (dept_code varchar, "
                        "dept_name varchar, parent_dept_code varchar, region_code varchar)")
            for code, name in departments:
                con.execute("insert into marts.dim_department values (?, ?, null, null)",
                            [code, name])


def test_the_run_copies_the_warehouse_departments_into_the_store(tmp_path, clock,
                                                                 monkeypatch):
    monkeypatch.delenv("SEARCHLIGHT_LEDGER", raising=False)
    warehouse = tmp_path / "w.duckdb"
    warehouse_with(warehouse, [("500106001", "区政务服务管理办公室"), ("500106008", "区民政局")])
    report = sync.after_build(warehouse, clock=clock)
    with store.connect(store.ledger_path(warehouse)) as con:
        assert store.departments(con) == {"500106001": "区政务服务管理办公室",
                                          "500106008": "区民政局"}
        assert store.meta(con, "alerts_as_of") == AS_OF.isoformat()
        with pytest.raises(lifecycle.LedgerError, match="unknown department '999'"):
            lifecycle.act(con, "T01-a", "transfer", "王督查", note="转办", dept_code="999",
                          clock=clock)
    assert not report.sync.warnings


def test_a_warehouse_without_departments_leaves_transfers_unchecked_and_says_so(
        tmp_path, clock, monkeypatch):
    monkeypatch.delenv("SEARCHLIGHT_LEDGER", raising=False)
    warehouse = tmp_path / "w.duckdb"
    warehouse_with(warehouse, [])
    report = sync.after_build(warehouse, clock=clock)
    assert any("knows no departments" in w for w in report.sync.warnings)
    with store.connect(store.ledger_path(warehouse)) as con:
        row = lifecycle.act(con, "T01-a", "transfer", "王督查", note="转办",
                            dept_code="999", clock=clock)
    assert row["dept_code"] == "999"


def test_a_build_without_the_department_mart_keeps_the_list_of_the_run_before(
        tmp_path, clock, monkeypatch):
    monkeypatch.delenv("SEARCHLIGHT_LEDGER", raising=False)
    warehouse = tmp_path / "w.duckdb"
    warehouse_with(warehouse, [("500106001", "区政务服务管理办公室")])
    sync.after_build(warehouse, clock=clock)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts.dim_department")
    report = sync.after_build(warehouse, clock=clock)
    assert any("dim_department is missing" in w for w in report.sync.warnings)
    with store.connect(store.ledger_path(warehouse)) as con:
        assert store.departments(con) == {"500106001": "区政务服务管理办公室"}
