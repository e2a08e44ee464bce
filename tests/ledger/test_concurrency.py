"""Two people acting on one alert at the same moment (issue 14 item 9): each action names
the state it was taken on (``expected_seq``); one lands, the other is refused as stale,
and the chain stays valid."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from ledger import lifecycle, store

pytestmark = pytest.mark.unit


def last_seq(path, alert_id):
    with store.connect(path) as con:
        return lifecycle.current_state(con, alert_id).last_seq


def assigns(path):
    with sqlite3.connect(path) as con:
        return con.execute("select actor, assignee from actions where action = 'assign' "
                           "order by seq").fetchall()


def test_two_assigns_racing_on_two_connections_one_lands_one_is_refused(ledger_file, clock):
    seen = last_seq(ledger_file, "T01-a")  # both people opened the page on this state
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def assign(actor: str, to: str) -> None:
        barrier.wait()
        try:
            with store.connect(ledger_file) as con:
                outcomes[actor] = lifecycle.act(con, "T01-a", "assign", actor, assignee=to,
                                                clock=clock, expected_seq=seen)
        except lifecycle.LedgerError as exc:
            outcomes[actor] = exc

    threads = [threading.Thread(target=assign, args=a)
               for a in (("督查员甲", "李四"), ("督查员乙", "王五"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    refused = [o for o in outcomes.values() if isinstance(o, Exception)]
    landed = [o for o in outcomes.values() if isinstance(o, dict)]
    assert len(landed) == 1 and len(refused) == 1
    assert isinstance(refused[0], lifecycle.StaleState)
    assert "changed meanwhile" in str(refused[0]) and "reload" in str(refused[0])
    assert assigns(ledger_file) == [(landed[0]["actor"], landed[0]["assignee"])]
    with store.connect(ledger_file) as con:
        assert store.verify_chain(con).ok


def test_an_action_on_the_state_it_saw_lands_and_moves_the_version(ledger_file, clock):
    seen = last_seq(ledger_file, "T01-a")
    with store.connect(ledger_file) as con:
        row = lifecycle.act(con, "T01-a", "assign", "督查员甲", assignee="李四",
                            clock=clock, expected_seq=seen)
    assert last_seq(ledger_file, "T01-a") == row["seq"] > seen


def test_a_stale_action_changes_nothing_and_names_what_landed(ledger_file, clock):
    seen = last_seq(ledger_file, "T01-a")
    with store.connect(ledger_file) as con:
        lifecycle.act(con, "T01-a", "assign", "督查员甲", assignee="李四", clock=clock)
    with pytest.raises(lifecycle.StaleState, match=r"assign by 督查员甲.*now assigned"), \
            store.connect(ledger_file) as con:
        lifecycle.act(con, "T01-a", "dismiss", "督查员乙", note="误报", clock=clock,
                      expected_seq=seen)
    with store.connect(ledger_file) as con:
        assert lifecycle.current_state(con, "T01-a").status == "assigned"


def test_another_alerts_actions_do_not_make_a_state_stale(ledger_file, clock):
    seen = last_seq(ledger_file, "T01-a")
    with store.connect(ledger_file) as con:
        lifecycle.act(con, "T02-b", "assign", "督查员乙", assignee="王五", clock=clock)
        lifecycle.act(con, "T01-a", "assign", "督查员甲", assignee="李四", clock=clock,
                      expected_seq=seen)


def test_a_plain_connection_gets_its_own_write_transaction(ledger_file, clock):
    """Outside ``store.connect`` (autocommit), the check and the append still happen
    under one BEGIN IMMEDIATE: nothing else can write between them."""
    seen = last_seq(ledger_file, "T01-a")
    con = sqlite3.connect(ledger_file, isolation_level=None)
    con.row_factory = sqlite3.Row
    try:
        lifecycle.act(con, "T01-a", "assign", "督查员甲", assignee="李四", clock=clock,
                      expected_seq=seen)
        assert not con.in_transaction
        with pytest.raises(lifecycle.StaleState):
            lifecycle.act(con, "T01-a", "assign", "督查员乙", assignee="王五", clock=clock,
                          expected_seq=seen)
        assert not con.in_transaction  # rolled back, not left holding the lock
    finally:
        con.close()
    assert assigns(ledger_file) == [("督查员甲", "李四")]
