"""`verify` sees rows cut off the end of the history: the head anchor beside the store,
the register cross-check inside it, and a head hash written down elsewhere. Every commit
that appends writes two anchor lines: an intent before the commit, a confirmation after.
The fixture's store: three registers and the run's seal (seq 1–4).

(Edited, deleted and reordered rows inside the chain: tests/ledger/test_lifecycle.py.)
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from ledger import lifecycle, store
from searchlight.cli import main
from tests.ledger.conftest import legacy_store

pytestmark = pytest.mark.unit


def act(path, alert_id, action, clock, **kw):
    with store.connect(path) as con:
        return lifecycle.act(con, alert_id, action, "王督查", clock=clock, **kw)


def verify(path, **kw):
    with store.connect(path) as con:
        return store.verify_chain(con, **kw)


@pytest.fixture
def attacker(ledger_file, clock):
    """Seven entries through searchlight, then someone with the file drops the trigger."""
    act(ledger_file, "T01-a", "assign", clock, assignee="李四")  # seq 5
    act(ledger_file, "T01-a", "close", clock, note="已整改")  # seq 6
    act(ledger_file, "T02-b", "dismiss", clock, note="误报")  # seq 7
    report = verify(ledger_file)
    assert report.ok and report.entries == 7 and not report.warnings
    con = sqlite3.connect(ledger_file)
    con.execute("drop trigger actions_no_delete")
    yield con
    con.close()


def anchor_lines(path) -> list[dict]:
    return [json.loads(x) for x in store.anchor_path(path).read_text("utf-8").splitlines()]


def confirmed(path) -> list[dict]:
    return [a for a in anchor_lines(path) if not a.get("pending")]


def keep_anchor_lines(path, keep) -> None:
    """Rewrite the anchor file with the lines ``keep(line)`` accepts."""
    kept = [a for a in anchor_lines(path) if keep(a)]
    store.anchor_path(path).write_text("".join(json.dumps(a) + "\n" for a in kept), "utf-8")


def test_every_commit_that_appends_anchors_the_new_head(ledger_file, clock):
    first = anchor_lines(ledger_file)  # the fixture's sync: one commit, seq 1-4
    assert [(a["seq"], a.get("pending", False)) for a in first] == [(4, True), (4, False)]
    assert (first[0]["after_seq"], first[0]["after_hash"]) == (0, store.GENESIS)
    row = act(ledger_file, "T01-a", "assign", clock, assignee="李四")
    intent, last = anchor_lines(ledger_file)[-2:]
    assert (last["seq"], last["hash"], last["acted_at"]) == (5, row["hash"], row["acted_at"])
    assert (intent["seq"], intent["hash"], intent["after_seq"], intent["after_hash"]) == (
        5, row["hash"], 4, row["prev_hash"])
    with store.connect(ledger_file) as con:  # a commit without an append: no line
        con.execute("select 1")
    assert len(anchor_lines(ledger_file)) == 4


def test_a_refused_action_anchors_nothing(ledger_file, clock):
    with pytest.raises(lifecycle.LedgerError):
        act(ledger_file, "T01-a", "close", clock)
    assert len(anchor_lines(ledger_file)) == 2


def test_verify_names_the_cut_when_the_last_action_is_deleted(ledger_file, attacker):
    attacker.execute("delete from actions where seq = 7")
    attacker.commit()
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 7
    assert "entries after seq 6 were removed" in report.problem
    assert "seq 7" in report.problem and confirmed(ledger_file)[-1]["hash"] in report.problem


def test_verify_fails_when_every_action_is_deleted(ledger_file, attacker):
    attacker.execute("delete from actions")
    attacker.commit()
    report = verify(ledger_file)
    assert not report.ok and report.entries == 0 and report.broken_seq == 1
    assert "entries after seq 0 were removed" in report.problem


def test_a_cut_tail_rewritten_with_new_rows_is_named(ledger_file, attacker, clock):
    attacker.execute("delete from actions where seq >= 6")
    attacker.commit()
    act(ledger_file, "T02-b", "assign", clock, assignee="赵六")  # seq 6 again, other content
    act(ledger_file, "T07-c", "assign", clock, assignee="赵六")  # seq 7 again
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 6 and "rewritten" in report.problem


def test_without_the_anchor_a_cut_reaching_a_register_row_is_still_found(ledger_file,
                                                                         attacker):
    store.anchor_path(ledger_file).unlink()
    attacker.execute("delete from actions where seq >= 3")  # T07-c's register and after
    attacker.commit()
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 3
    assert "T07-c" in report.problem and "register action" in report.problem


def test_a_store_that_predates_the_anchor_warns_and_the_next_action_starts_it(
        tmp_path, clock):
    path = legacy_store(tmp_path / "old.ledger.sqlite", clock)
    report = verify(path)
    assert report.ok and "no anchor" in report.warnings[0]
    assert not store.anchor_path(path).exists()  # verify never writes
    act(path, "T01-a", "assign", clock, assignee="李四")
    assert [a["seq"] for a in confirmed(path)] == [4]
    report = verify(path)
    assert report.ok and not [w for w in report.warnings if "anchor" in w]


def test_rows_past_the_anchor_are_named(ledger_file, clock):
    """The anchor file cut (or rows forged with a plain sqlite3 connection)."""
    act(ledger_file, "T07-c", "assign", clock, assignee="赵六")  # seq 5
    keep_anchor_lines(ledger_file, lambda a: a["seq"] < 5)
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 5 and "not anchored" in report.problem


def test_anchor_lines_written_out_of_order_by_two_writers_are_fine(ledger_file, clock):
    act(ledger_file, "T01-a", "assign", clock, assignee="李四")
    act(ledger_file, "T02-b", "assign", clock, assignee="李四")
    # The first writer confirms after the second one's whole commit (each confirms after
    # releasing the lock): intent 5, intent 6, confirm 6, confirm 5.
    lines = store.anchor_path(ledger_file).read_text("utf-8").splitlines()
    lines[-3:] = [lines[-2], lines[-1], lines[-3]]
    store.anchor_path(ledger_file).write_text("\n".join(lines) + "\n", "utf-8")
    assert [json.loads(x)["seq"] for x in lines[-4:]] == [5, 6, 6, 5]
    report = verify(ledger_file)
    assert report.ok and not report.warnings


def test_a_torn_anchor_line_does_not_swallow_the_next(ledger_file, clock):
    with open(store.anchor_path(ledger_file), "a", encoding="utf-8") as f:
        f.write('{"seq": 9, "ha')  # a crash in the middle of a write
    act(ledger_file, "T01-a", "assign", clock, assignee="李四")
    last = store.anchor_path(ledger_file).read_text("utf-8").splitlines()[-1]
    assert json.loads(last)["seq"] == 5
    report = verify(ledger_file)
    assert not report.ok and "line 3 is not an anchor entry" in report.problem


def test_expect_head_finds_a_cut_that_took_the_anchor_with_it(ledger_file, attacker):
    written_down = verify(ledger_file).head
    assert verify(ledger_file, expect_head=written_down).ok
    attacker.execute("drop trigger if exists actions_no_delete")  # connect restored it
    attacker.execute("delete from actions where seq = 7")
    attacker.commit()
    keep_anchor_lines(ledger_file, lambda a: a["seq"] < 7)  # the anchor rewritten to match
    assert verify(ledger_file).ok  # nothing left inside to tell
    report = verify(ledger_file, expect_head=written_down.upper())
    assert not report.ok and written_down in report.problem and report.broken_seq == 7


# --- a store that has had an anchor must say when it is gone ----------------------------

def test_a_deleted_anchor_of_an_anchored_store_is_reported_missing(ledger_file, clock,
                                                                   capsys):
    act(ledger_file, "T01-a", "assign", clock, assignee="李四")
    store.anchor_path(ledger_file).unlink()
    report = verify(ledger_file)
    assert not report.ok and report.scope == "anchor"
    assert "is missing, though this store has been anchored since seq 4" in report.problem
    assert not any("predates" in w for w in report.warnings)
    assert main(["ledger", "verify", "--ledger", str(ledger_file)]) == 3
    assert "ledger anchor missing" in capsys.readouterr().err
    # The next action starts a new anchor; verify keeps saying where, for good.
    act(ledger_file, "T02-b", "assign", clock, assignee="李四")
    report = verify(ledger_file)
    assert report.ok
    assert any("restarted there" in w and "seq 6" in w for w in report.warnings)


def test_the_seal_in_the_chain_says_the_store_was_anchored(ledger_file):
    """Deleting the anchor file and the store's own record of it is not enough: the code
    that seals a run always anchors, and the seal is in the chain."""
    store.anchor_path(ledger_file).unlink()
    con = sqlite3.connect(ledger_file)
    con.execute("delete from ledger_meta where key = 'anchored_since'")
    con.commit()
    con.close()
    report = verify(ledger_file)
    assert not report.ok and "is missing" in report.problem and "its seal" in report.problem


def test_a_store_anchored_before_the_store_recorded_it_is_recorded_on_open(tmp_path, clock):
    path = legacy_store(tmp_path / "old.ledger.sqlite", clock)
    with sqlite3.connect(path) as con:  # what the previous version wrote: confirmed heads
        seq, hash_, at = con.execute(
            "select seq, hash, acted_at from actions order by seq desc limit 1").fetchone()
    store.anchor_path(path).write_text(
        json.dumps({"seq": seq, "hash": hash_, "acted_at": at}) + "\n", "utf-8")
    assert verify(path).ok  # opening it records that it is anchored
    store.anchor_path(path).unlink()
    report = verify(path)
    assert not report.ok and f"anchored since seq {seq}" in report.problem
