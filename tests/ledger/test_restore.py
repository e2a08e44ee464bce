"""restore() copies the store into the warehouse before a build, and only when the copy
does not already end with the store's last entry (ledger/sync.py)."""

from __future__ import annotations

import duckdb
import pytest

from ledger import lifecycle, store
from ledger.sync import restore
from tests.ledger.conftest import AS_OF, DEPARTMENTS, make_alert

pytestmark = pytest.mark.unit


@pytest.fixture
def warehouse(tmp_path, clock):
    """A warehouse whose store holds three registered alerts (none copied yet)."""
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    with store.connect(store.ledger_path(path)) as con:
        store.replace_departments(con, DEPARTMENTS)
        lifecycle.sync_alerts(con, [make_alert("T01-a"), make_alert("T02-b", "yellow"),
                                    make_alert("T07-c", "info", dept="D02")], AS_OF, clock)
    return path


def copied_actions(warehouse) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select seq, action, alert_id from ledger.actions order by seq"
                           ).fetchall()


def store_actions(warehouse) -> list[tuple]:
    with store.connect(store.ledger_path(warehouse)) as con:
        return [tuple(r) for r in con.execute(
            "select seq, action, alert_id from actions order by seq").fetchall()]


def test_the_first_restore_copies_and_a_second_one_has_nothing_to_do(warehouse, clock):
    assert restore(warehouse, clock) is True
    assert copied_actions(warehouse) == store_actions(warehouse)
    assert restore(warehouse, clock) is False


def test_an_action_taken_since_the_copy_is_copied(warehouse, clock):
    restore(warehouse, clock)
    with store.connect(store.ledger_path(warehouse)) as con:
        lifecycle.act(con, "T01-a", "assign", "督查室", assignee="李四", clock=clock)
    assert copied_actions(warehouse) != store_actions(warehouse)
    assert restore(warehouse, clock) is True
    assert copied_actions(warehouse) == store_actions(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select status, assignee from ledger.state "
                           "where alert_id = 'T01-a'").fetchone() == ("assigned", "李四")


@pytest.mark.parametrize("damage", [
    "drop schema ledger cascade",
    "drop table ledger.state",
    "delete from ledger.actions where seq = (select max(seq) from ledger.actions)",
], ids=["no-ledger-schema", "a-copy-missing", "a-shorter-history"])
def test_a_missing_or_partial_copy_is_written_again(warehouse, clock, damage):
    restore(warehouse, clock)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(damage)
    assert restore(warehouse, clock) is True
    assert copied_actions(warehouse) == store_actions(warehouse)
