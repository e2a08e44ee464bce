"""The register (store table ``alerts``) is sealed into the chain at the end of each run:
an edit of any of its fields, made outside searchlight, fails ``verify``; the next run
records in the chain that it found one; stores from before the seal keep verifying."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from ledger import lifecycle, store
from searchlight.cli import main
from tests.ledger.conftest import AS_OF, legacy_store, make_alert

pytestmark = pytest.mark.unit


def verify(path):
    with store.connect(path) as con:
        return store.verify_chain(con)


def edit(path, sql: str, params=()) -> None:
    """What someone with the file does: a plain connection, no searchlight."""
    con = sqlite3.connect(path)
    con.execute(sql, params)
    con.commit()
    con.close()


def sync(path, clock, alerts, as_of=AS_OF):
    with store.connect(path) as con:
        return lifecycle.sync_alerts(con, alerts, as_of, clock)


def edited_value(column: str, value):
    if column == "still_firing":
        return 1 - value
    if isinstance(value, float):
        return value + 1
    if column.endswith("_on"):
        return "2020-01-01"
    return f"{value}-edited" if value is not None else "edited"


def test_every_column_of_the_register_is_sealed(ledger_file):
    with sqlite3.connect(ledger_file) as con:
        columns = {r[1] for r in con.execute("pragma table_info(alerts)")}
    assert set(store.REGISTER_COLUMNS) == columns - {"register_hash"}


@pytest.mark.parametrize("column", [c for c in store.REGISTER_COLUMNS if c != "alert_id"])
def test_an_edit_of_any_register_field_fails_verify_naming_the_alert(ledger_file, column,
                                                                     capsys):
    with sqlite3.connect(ledger_file) as con:
        value = con.execute(f"select {column} from alerts where alert_id = 'T02-b'"
                            ).fetchone()[0]
    edit(ledger_file, f"update alerts set {column} = ? where alert_id = 'T02-b'",
         [edited_value(column, value)])
    report = verify(ledger_file)
    assert not report.ok and report.scope == "register"
    assert "T02-b" in report.problem and "edited after the seal" in report.problem
    assert main(["ledger", "verify", "--ledger", str(ledger_file)]) == 3
    assert "ledger register edited outside searchlight" in capsys.readouterr().err


def test_an_edit_that_also_recomputes_the_row_hash_is_found_by_the_digest(ledger_file):
    with sqlite3.connect(ledger_file) as con:
        con.row_factory = sqlite3.Row
        row = dict(con.execute("select * from alerts where alert_id = 'T01-a'").fetchone())
    row["severity"] = "info"
    edit(ledger_file, "update alerts set severity = 'info', register_hash = ? "
         "where alert_id = 'T01-a'", [store.register_row_hash(row)])
    report = verify(ledger_file)
    assert not report.ok and report.scope == "register"
    assert "does not match the seal" in report.problem


def test_a_deleted_register_row_is_found(ledger_file):
    edit(ledger_file, "delete from alerts where alert_id = 'T07-c'")
    report = verify(ledger_file)
    assert not report.ok and "T07-c" in report.problem and "register row" in report.problem


def test_the_next_run_records_an_edit_it_found_in_the_chain(ledger_file, clock):
    edit(ledger_file, "update alerts set first_detected_on = '2020-01-01' "
         "where alert_id = 'T07-c'")  # T07-c stops firing: the run keeps the edited row
    report = sync(ledger_file, clock, [make_alert("T01-a"), make_alert("T02-b", "yellow")])
    assert any("edited outside searchlight" in w and "T07-c" in w for w in report.warnings)
    with sqlite3.connect(ledger_file) as con:
        seal = con.execute("select from_status, note from actions where action = 'seal' "
                           "order by seq desc limit 1").fetchone()
    assert seal[0] == "edited" and "T07-c" in seal[1]
    report = verify(ledger_file)
    assert report.ok  # sealed as found; the chain says so, for good
    assert any("found the register edited" in w and "T07-c" in w for w in report.warnings)


def test_a_run_that_changes_nothing_appends_no_seal(ledger_file, clock):
    alerts = [make_alert("T01-a"), make_alert("T02-b", "yellow"),
              make_alert("T07-c", "info", dept="D02")]
    with sqlite3.connect(ledger_file) as con:
        before = con.execute("select count(*) from actions").fetchone()[0]
    sync(ledger_file, clock, alerts)
    with sqlite3.connect(ledger_file) as con:
        assert con.execute("select count(*) from actions").fetchone()[0] == before
    sync(ledger_file, clock, alerts, as_of=AS_OF + dt.timedelta(days=1))  # last_seen_on
    with sqlite3.connect(ledger_file) as con:
        assert con.execute("select count(*) from actions").fetchone()[0] == before + 1
    assert verify(ledger_file).ok


def test_the_seal_is_no_alert(ledger_file):
    with store.connect(ledger_file) as con:
        states = lifecycle.current_states(con)
    assert set(states) == {"T01-a", "T02-b", "T07-c"}


def test_a_store_from_before_the_seal_verifies_and_the_next_run_seals_it(tmp_path, clock):
    path = legacy_store(tmp_path / "old.ledger.sqlite", clock)
    with sqlite3.connect(path) as con:  # the old chain, as it was
        old_chain = con.execute("select seq, hash from actions order by seq").fetchall()
    report = verify(path)  # opening it adds the register_hash column; nothing fails
    assert report.ok and any("not sealed yet" in w for w in report.warnings)
    edit(path, "update alerts set severity = 'info' where alert_id = 'T01-a'")
    assert verify(path).ok  # before the first seal, an edit cannot be seen: the warning says so
    sync(path, clock, [make_alert("T01-a"), make_alert("T02-b", "yellow"),
                       make_alert("T07-c", "info", dept="D02")])
    with sqlite3.connect(path) as con:
        chain = con.execute("select seq, hash, action from actions order by seq").fetchall()
    assert [(s, h) for s, h, _ in chain[:len(old_chain)]] == old_chain
    assert [a for _, _, a in chain[len(old_chain):]] == ["seal"]
    report = verify(path)
    assert report.ok and not any("sealed" in w for w in report.warnings)
    edit(path, "update alerts set severity = 'info' where alert_id = 'T01-a'")
    assert not verify(path).ok
