"""`searchlight ledger …`: tables for people, --json for scripts, refusals exit 1."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from ledger import lifecycle, store
from searchlight import ledger_cli
from searchlight.cli import main
from tests.ledger.conftest import AS_OF, make_alert

pytestmark = pytest.mark.unit


@pytest.fixture
def run(ledger_file, clock, monkeypatch, capsys):
    monkeypatch.setattr(ledger_cli, "clock", clock)
    monkeypatch.setenv("SEARCHLIGHT_USER", "督查员甲")

    def _run(*argv):
        code = main(["ledger", "--ledger", str(ledger_file), *argv])
        out = capsys.readouterr()
        return code, out.out, out.err
    return _run


def test_list_json_filters_by_status_rule_department_severity(run):
    code, out, _ = run("--json", "list")
    assert code == 0 and {i["alert_id"] for i in json.loads(out)} == {"T01-a", "T02-b", "T07-c"}
    assert [i["alert_id"] for i in json.loads(run("--json", "list", "--rule", "t02")[1])] == \
        ["T02-b"]
    assert [i["alert_id"] for i in json.loads(run("--json", "list", "--dept", "D02")[1])] == \
        ["T07-c"]
    assert [i["alert_id"] for i in json.loads(run("--json", "list", "--severity", "red")[1])] \
        == ["T01-a"]
    run("assign", "T01-a", "--to", "李四")
    assert [i["alert_id"] for i in json.loads(run("--json", "list", "--status", "assigned")[1])
            ] == ["T01-a"]


def test_list_overdue_shows_items_past_their_deadline(run, clock):
    assert json.loads(run("--json", "list", "--overdue")[1]) == []
    clock.advance(days=20)  # past red (5) and yellow (10) working days, not info (15)
    overdue = json.loads(run("--json", "list", "--overdue")[1])
    assert [i["alert_id"] for i in overdue] == ["T01-a", "T02-b"]
    assert "督办超期" in run("list")[1]


def test_an_action_records_who_when_what_and_the_note(run, clock):
    code, out, _ = run("--json", "assign", "T01-a", "--to", "李四", "--note", "请核实")
    assert code == 0
    action = json.loads(out)["action"]
    assert (action["actor"], action["acted_at"], action["action"], action["note"]) == (
        "督查员甲", clock.now.isoformat(), "assign", "请核实")
    code, out, _ = run("--json", "close", "T01-a", "--by", "王主任", "--note", "已整改")
    assert json.loads(out)["state"]["status"] == "closed"
    show = json.loads(run("--json", "show", "T01-a")[1])
    assert [h["action"] for h in show["history"]] == ["register", "assign", "close"]
    assert [h["actor"] for h in show["history"]][1:] == ["督查员甲", "王主任"]
    assert show["evidence"]["case_id"] == "ST01-a"


def test_show_prints_the_alert_evidence_and_history_as_tables(run):
    run("transfer", "T01-a", "--dept", "D09", "--note", "转办至D09")
    code, out, _ = run("show", "T01-a")
    assert code == 0
    for text in ("evidence", "history", "transfer", "转办至D09", "D09", "case_id"):
        assert text in out


@pytest.mark.parametrize("argv", [
    ["close", "T01-a"],
    ["assign", "NOPE"],
    ["dismiss", "T01-a", "--reason", " "],
    ["reopen", "T01-a", "--note", "x"],
    ["transfer", "T01-a", "--dept", "D01", "--note", "same"],
])
def test_refusals_exit_1_with_a_message_and_change_nothing(run, ledger_file, argv):
    before = sqlite3.connect(ledger_file).execute("select count(*) from actions").fetchone()
    code, _, err = run(*argv)
    assert code == 1 and "refused" in err
    assert sqlite3.connect(ledger_file).execute("select count(*) from actions"
                                                ).fetchone() == before


def test_dismiss_without_a_reason_is_refused_by_the_parser(run):
    with pytest.raises(SystemExit) as exc:
        run("dismiss", "T01-a")
    assert exc.value.code == 2


def test_verify_exits_0_when_intact_and_3_naming_the_broken_entry(run, ledger_file):
    assert run("verify")[0] == 0
    con = sqlite3.connect(ledger_file)
    con.execute("drop trigger actions_no_update")
    con.execute("update actions set note = 'rewritten' where seq = 2")
    con.commit()
    code, _, err = run("verify")
    assert code == 3 and "seq 2" in err


def test_verify_checks_a_head_hash_written_down_earlier(run, ledger_file):
    code, out, _ = run("--json", "verify")
    head = json.loads(out)["head"]
    assert code == 0 and run("verify", "--expect-head", head)[0] == 0
    code, _, err = run("verify", "--expect-head", "ab" * 32)
    assert code == 3 and "ab" * 8 in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_store_options_and_json_go_before_or_after_the_command(ledger_file, tmp_path,
                                                                 monkeypatch, capsys, where):
    monkeypatch.delenv("SEARCHLIGHT_LEDGER", raising=False)
    warehouse = tmp_path / "w.duckdb"  # the fixture's store is w.ledger.sqlite beside it
    for options in (["--warehouse", str(warehouse), "--json"],
                    ["--ledger", str(ledger_file), "--json"]):
        argv = (["ledger", *options, "list", "--rule", "T01"] if where == "before"
                else ["ledger", "list", "--rule", "T01", *options])
        assert main(argv) == 0
        assert [i["alert_id"] for i in json.loads(capsys.readouterr().out)] == ["T01-a"]


def test_an_option_before_the_command_is_not_erased_by_the_command(ledger_file, capsys):
    # --json before, --ledger after: both count
    assert main(["ledger", "--json", "show", "T01-a", "--ledger", str(ledger_file)]) == 0
    assert json.loads(capsys.readouterr().out)["alert_id"] == "T01-a"


@pytest.mark.parametrize("argv", [
    ["list"], ["show", "X"], ["verify"], ["assign", "X", "--to", "李四"],
    ["close", "X", "--note", "已整改"],
])
def test_a_wrong_store_path_is_refused_and_creates_nothing(tmp_path, monkeypatch, capsys,
                                                           argv):
    monkeypatch.delenv("SEARCHLIGHT_LEDGER", raising=False)
    monkeypatch.setenv("SEARCHLIGHT_USER", "督查员甲")
    for options in (["--ledger", str(tmp_path / "typo" / "none.sqlite")],
                    ["--warehouse", str(tmp_path / "typo" / "warehouse.duckdb")]):
        assert main(["ledger", *argv, *options]) == 1
        assert "no ledger at" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_a_ledger_store_is_refused_untouched(tmp_path, capsys):
    not_a_store = tmp_path / "warehouse.duckdb"
    not_a_store.write_bytes(b"DUCK" * 100)
    assert main(["ledger", "list", "--ledger", str(not_a_store)]) == 1
    assert "is not a ledger store" in capsys.readouterr().err
    assert not_a_store.read_bytes() == b"DUCK" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse.duckdb"]


def test_close_without_its_resolution_note_is_refused(run):
    run("assign", "T01-a", "--to", "李四")
    code, out, err = run("--json", "close", "T01-a")
    assert code == 1 and "close needs a note" in err
    refusal = json.loads(out)
    assert refusal["ok"] is False and "close needs a note" in refusal["error"]
    assert json.loads(run("--json", "show", "T01-a")[1])["status"] == "assigned"


def test_expect_seq_refuses_an_action_on_a_state_that_changed_meanwhile(run):
    shown = json.loads(run("--json", "show", "T01-a")[1])["history"][-1]["seq"]
    assert run("assign", "T01-a", "--to", "李四", "--expect-seq", str(shown))[0] == 0
    code, out, _ = run("--json", "assign", "T01-a", "--to", "王五",
                         "--expect-seq", str(shown))
    assert code == 1 and "changed meanwhile" in json.loads(out)["error"]
    history = json.loads(run("--json", "show", "T01-a")[1])["history"]
    assert [h["assignee"] for h in history if h["action"] == "assign"] == ["李四"]


# --- what each date, department and comparison means ------------------------------------

def plain(text: str) -> str:
    """Output as read: table rules and line wrapping left out."""
    return " ".join(re.sub("[│┃]", " ", text).split())


def test_list_says_which_date_the_alerts_are_as_of_and_which_is_today(run, ledger_file):
    code, out, _ = run("list")
    assert code == 0
    # the fixture's run evaluated data as of 2026-09-25; today is 2026-09-28
    assert "alerts as of 2026-09-25 (the evaluation date of the last run)" in plain(out)
    assert "overdue = past due_on on today, 2026-09-28" in plain(out)
    assert "as of 2026-09-28" not in plain(out)


def test_list_and_show_name_each_department(run):
    run("transfer", "T01-a", "--dept", "D09", "--note", "转办至D09")
    item = next(i for i in json.loads(run("--json", "list")[1]) if i["alert_id"] == "T01-a")
    assert (item["dept_code"], item["dept_name"]) == ("D01", "区政务服务管理办公室")
    assert (item["handling_dept_code"], item["handling_dept_name"]) == ("D09",
                                                                        "区市场监督管理局")
    assert "区市场监督管理局" in run("list")[1]
    out = plain(run("show", "T01-a")[1])
    assert "D01 区政务服务管理办公室" in out and "D09 区市场监督管理局" in out


# C01 evidence of the demo district: a reception at a prohibited venue, 100 a head.
C01_AT_A_PROHIBITED_VENUE = {
    "expense_id": "JD20260300047", "occurred_on": "2026-03-17", "invoice_no": "29135285",
    "amount": 400.0, "guests": 3, "companions": 1, "amount_per_head": 100.0,
    "companion_limit": 3.0, "venue_type": "娱乐场所", "over_per_head_cap": False,
    "over_companion_limit": False, "prohibited_venue": True, "reception_per_person_cap": 150}


@pytest.fixture
def c01(ledger_file, clock):
    alert = {**make_alert("C01-x", evidence=C01_AT_A_PROHIBITED_VENUE),
             "metric_value": 100.0, "threshold_value": 150.0}
    with store.connect(ledger_file) as con:
        lifecycle.sync_alerts(con, [alert], AS_OF, clock)
    return "C01-x"


def test_show_prints_the_condition_c01_fired_on_not_only_its_metric(run, c01):
    shown = json.loads(run("--json", "show", c01)[1])
    compared = shown["compared"]
    assert compared["fires_when"] == "any" and compared["holds"] is True
    assert [(c["what"].split(" (")[0].split(",")[0], c["met"]) for c in compared["checks"]] \
        == [("amount per head", False), ("companions", False), ("venue type", True)]
    out = plain(run("show", c01)[1])
    assert "what C01 compared (it fires when any condition holds)" in out
    assert "✓ holds venue type 娱乐场所 is a prohibited venue" in out
    assert "✗ not met amount per head" in out
    assert "100.0 / 150.0 = amount per head / per-head cap" in out


def test_show_says_when_the_evidence_does_not_show_the_condition(run, ledger_file, clock):
    """Evidence without the keys the rule compares now (an older version of the rule)."""
    alert = make_alert("T01-old", evidence={"case_id": "X", "days": 12})
    with store.connect(ledger_file) as con:
        lifecycle.sync_alerts(con, [alert], AS_OF, clock)
    out = plain(run("show", "T01-old")[1])
    assert "✗ not met elapsed days" in out
    assert "does not show the rule's condition holding" in out
    assert json.loads(run("--json", "show", "T01-old")[1])["compared"]["holds"] is False
