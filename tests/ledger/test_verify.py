"""`verify` sees rows cut off the end of the history: the head anchor beside the store,
the register cross-check inside it, and a head hash written down elsewhere.

(Edited, deleted and reordered rows inside the chain: tests/ledger/test_lifecycle.py.)
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from ledger import lifecycle, store

pytestmark = pytest.mark.unit


def act(path, alert_id, action, clock, **kw):
    with store.connect(path) as con:
        return lifecycle.act(con, alert_id, action, "王督查", clock=clock, **kw)


def verify(path, **kw):
    with store.connect(path) as con:
        return store.verify_chain(con, **kw)


@pytest.fixture
def attacker(ledger_file, clock):
    """Six actions through searchlight, then someone with the file drops the trigger."""
    act(ledger_file, "T01-a", "assign", clock, assignee="李四")
    act(ledger_file, "T01-a", "close", clock, note="已整改")
    act(ledger_file, "T02-b", "dismiss", clock, note="误报")
    report = verify(ledger_file)
    assert report.ok and report.entries == 6 and not report.warnings
    con = sqlite3.connect(ledger_file)
    con.execute("drop trigger actions_no_delete")
    yield con
    con.close()


def anchor_lines(path) -> list[dict]:
    return [json.loads(x) for x in store.anchor_path(path).read_text("utf-8").splitlines()]


def test_every_commit_that_appends_anchors_the_new_head(ledger_file, clock):
    first = anchor_lines(ledger_file)  # the fixture's sync: three registers, one commit
    assert [a["seq"] for a in first] == [3]
    row = act(ledger_file, "T01-a", "assign", clock, assignee="李四")
    last = anchor_lines(ledger_file)[-1]
    assert (last["seq"], last["hash"], last["acted_at"]) == (4, row["hash"], row["acted_at"])
    with store.connect(ledger_file) as con:  # a commit without an append: no line
        con.execute("select 1")
    assert len(anchor_lines(ledger_file)) == 2


def test_a_refused_action_anchors_nothing(ledger_file, clock):
    with pytest.raises(lifecycle.LedgerError):
        act(ledger_file, "T01-a", "close", clock)
    assert len(anchor_lines(ledger_file)) == 1


def test_verify_names_the_cut_when_the_last_action_is_deleted(ledger_file, attacker):
    attacker.execute("delete from actions where seq = 6")
    attacker.commit()
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 6
    assert "entries after seq 5 were removed" in report.problem
    assert "seq 6" in report.problem and anchor_lines(ledger_file)[-1]["hash"] in report.problem


def test_verify_fails_when_every_action_is_deleted(ledger_file, attacker):
    attacker.execute("delete from actions")
    attacker.commit()
    report = verify(ledger_file)
    assert not report.ok and report.entries == 0 and report.broken_seq == 1
    assert "entries after seq 0 were removed" in report.problem


def test_a_cut_tail_rewritten_with_new_rows_is_named(ledger_file, attacker, clock):
    attacker.execute("delete from actions where seq >= 5")
    attacker.commit()
    act(ledger_file, "T02-b", "assign", clock, assignee="赵六")  # seq 5 again, other content
    act(ledger_file, "T07-c", "assign", clock, assignee="赵六")  # seq 6 again
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 5 and "rewritten" in report.problem


def test_without_the_anchor_a_cut_reaching_a_register_row_is_still_found(ledger_file,
                                                                         attacker):
    store.anchor_path(ledger_file).unlink()
    attacker.execute("delete from actions where seq >= 3")  # T07-c's register and after
    attacker.commit()
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 3
    assert "T07-c" in report.problem and "register action" in report.problem


def test_a_store_that_predates_the_anchor_warns_and_the_next_action_starts_it(
        ledger_file, clock):
    store.anchor_path(ledger_file).unlink()
    report = verify(ledger_file)
    assert report.ok and "no anchor" in report.warnings[0]
    assert not store.anchor_path(ledger_file).exists()  # verify never writes
    act(ledger_file, "T01-a", "assign", clock, assignee="李四")
    assert [a["seq"] for a in anchor_lines(ledger_file)] == [4]
    report = verify(ledger_file)
    assert report.ok and not report.warnings


def test_rows_past_the_anchor_are_named(ledger_file, clock):
    """The anchor file cut (or rows forged with a plain sqlite3 connection)."""
    act(ledger_file, "T07-c", "assign", clock, assignee="赵六")  # seq 4
    lines = store.anchor_path(ledger_file).read_text("utf-8").splitlines()
    store.anchor_path(ledger_file).write_text("\n".join(lines[:-1]) + "\n", "utf-8")
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 4 and "not anchored" in report.problem


def test_anchor_lines_written_out_of_order_by_two_writers_are_fine(ledger_file, clock):
    act(ledger_file, "T01-a", "assign", clock, assignee="李四")
    act(ledger_file, "T02-b", "assign", clock, assignee="李四")
    lines = store.anchor_path(ledger_file).read_text("utf-8").splitlines()
    lines[-2], lines[-1] = lines[-1], lines[-2]
    store.anchor_path(ledger_file).write_text("\n".join(lines) + "\n", "utf-8")
    assert verify(ledger_file).ok


def test_a_torn_anchor_line_does_not_swallow_the_next(ledger_file, clock):
    with open(store.anchor_path(ledger_file), "a", encoding="utf-8") as f:
        f.write('{"seq": 9, "ha')  # a crash in the middle of a write
    act(ledger_file, "T01-a", "assign", clock, assignee="李四")
    last = store.anchor_path(ledger_file).read_text("utf-8").splitlines()[-1]
    assert json.loads(last)["seq"] == 4
    report = verify(ledger_file)
    assert not report.ok and "line 2 is not an anchor entry" in report.problem


def test_expect_head_finds_a_cut_that_took_the_anchor_with_it(ledger_file, attacker):
    written_down = verify(ledger_file).head
    assert verify(ledger_file, expect_head=written_down).ok
    attacker.execute("drop trigger if exists actions_no_delete")  # connect restored it
    attacker.execute("delete from actions where seq = 6")
    attacker.commit()
    cut = anchor_lines(ledger_file)[:-1]  # the attacker rewrites the anchor to match
    store.anchor_path(ledger_file).write_text(
        "".join(json.dumps(a) + "\n" for a in cut), "utf-8")
    assert verify(ledger_file).ok  # nothing left inside to tell
    report = verify(ledger_file, expect_head=written_down.upper())
    assert not report.ok and written_down in report.problem and report.broken_seq == 6
