"""A process killed around the commit of an action is a crash, not tampering.

Each test runs one action in a subprocess that dies (os._exit, no clean-up, as SIGKILL
would leave it) right before or right after the store's ``commit``, then checks what
``verify`` says of the store it left.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ledger import lifecycle, store
from searchlight.cli import main

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

# Dies at the commit of the store's transaction: before it, or after it and before
# anything else (the anchor's confirmation) happens.
CRASHING_ACTION = """
import os, sys
from ledger import lifecycle, store

path, when = sys.argv[1], sys.argv[2]
execute = store.LedgerConnection.execute

def dying_execute(self, sql, *args):
    if sql == "commit" and when == "before":
        os._exit(137)
    result = execute(self, sql, *args)
    if sql == "commit" and when == "after":
        os._exit(137)
    return result

store.LedgerConnection.execute = dying_execute
with store.connect(path) as con:
    lifecycle.act(con, "T01-a", "assign", "王督查", assignee="李四")
"""


def crash(path: Path, when: str) -> None:
    done = subprocess.run([sys.executable, "-c", CRASHING_ACTION, str(path), when],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 137, done.stderr


def verify(path):
    with store.connect(path) as con:
        return store.verify_chain(con)


def entries(path) -> int:
    with store.connect(path) as con:
        return con.execute("select count(*) from actions").fetchone()[0]


def test_a_crash_right_after_the_commit_is_not_reported_as_tampering(ledger_file, clock,
                                                                      capsys):
    before = entries(ledger_file)
    crash(ledger_file, "after")
    assert entries(ledger_file) == before + 1  # the assign was committed
    report = verify(ledger_file)
    assert report.ok, report.problem
    assert any("committed but its anchor was not confirmed" in w for w in report.warnings)
    assert main(["ledger", "verify", "--ledger", str(ledger_file)]) == 0
    assert "tampered" not in capsys.readouterr().err
    with store.connect(ledger_file) as con:  # work goes on, and stays verifiable
        lifecycle.act(con, "T01-a", "feedback", "李四", note="已补正", clock=clock)
    assert verify(ledger_file).ok


def test_a_crash_right_before_the_commit_leaves_nothing_and_says_so(ledger_file, clock):
    before = entries(ledger_file)
    crash(ledger_file, "before")
    assert entries(ledger_file) == before  # nothing of the assign reached the store
    report = verify(ledger_file)
    assert report.ok, report.problem
    assert any("interrupted before it reached the store" in w and f"seq {before + 1}" in w
               for w in report.warnings)
    with store.connect(ledger_file) as con:  # the same seq again, with other content
        lifecycle.act(con, "T01-a", "assign", "王督查", assignee="王五", clock=clock)
    report = verify(ledger_file)
    assert report.ok, report.problem
    assert any("interrupted" in w for w in report.warnings)  # the chain's record of it


def test_a_cut_is_still_a_cut_when_the_commit_was_confirmed(ledger_file, clock):
    with store.connect(ledger_file) as con:
        lifecycle.act(con, "T01-a", "assign", "王督查", assignee="李四", clock=clock)
    con = sqlite3.connect(ledger_file)
    con.execute("drop trigger actions_no_delete")
    con.execute("delete from actions where seq = 5")
    con.commit()
    con.close()
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 5
    assert "entries after seq 4 were removed" in report.problem


def test_an_intent_following_an_entry_not_in_the_chain_is_a_rewrite(ledger_file):
    intent = {"seq": 5, "hash": "ab" * 32, "acted_at": "2026-09-28T10:00:00+08:00",
              "pending": True, "after_seq": 4, "after_hash": "cd" * 32}
    with open(store.anchor_path(ledger_file), "a", encoding="utf-8") as f:
        f.write(json.dumps(intent) + "\n")
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 4 and "rewritten" in report.problem


@pytest.mark.parametrize("when", ["before", "after"])
def test_the_cli_exits_0_after_either_crash(ledger_file, when, capsys):
    crash(ledger_file, when)
    assert main(["ledger", "verify", "--ledger", str(ledger_file)]) == 0
    out = capsys.readouterr()
    assert "intact" in out.out and "note" in out.err
