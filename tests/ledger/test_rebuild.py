"""Ledger state survives what dbt and operators do to the warehouse: a full refresh, and a
warehouse deleted and rebuilt from raw (with a later as_of, so first_detected_on would move
if anything forgot it). Two pipeline runs on a copy of the session's scale 0.1 demo."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from ledger import store
from ledger.evidence import material_hash
from searchlight import pipeline
from searchlight.cli import main
from synthetic.pseudonyms import pseudonym


def ledger_rows(warehouse) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select alert_id, status, assignee, first_detected_on, due_on, still_firing, "
            "is_handling_overdue from marts.supervision_ledger").fetchall()
    return {r[0]: r[1:] for r in rows}


def alerts(warehouse) -> dict[str, dt.date]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select alert_id, first_detected_on from marts.alerts"
                                ).fetchall())


def evidence(warehouse) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select alert_id, evidence from marts.alerts").fetchall())


def cli(warehouse, *argv) -> int:
    return main(["ledger", "--warehouse", str(warehouse), *argv])


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_run, copy_demo):
    # A copy of the session's demo run (conftest.copy_demo): its warehouse and ledger
    # store, so this module mutates its own copy without a build of its own.
    out, _, report = demo_run
    warehouse = copy_demo(tmp_path_factory.mktemp("ledger_demo"))
    first_alerts = alerts(warehouse)
    red = sorted(a for a, in duckdb.connect(str(warehouse), read_only=True).execute(
        "select alert_id from marts.alerts where severity = 'red'").fetchall())
    acted = {"closed": red[0], "dismissed": red[1], "transferred": red[2]}
    assert cli(warehouse, "assign", acted["closed"], "--to", "李四", "--by", "督查室") == 0
    assert cli(warehouse, "close", acted["closed"], "--note", "已整改", "--by", "督查室") == 0
    assert cli(warehouse, "dismiss", acted["dismissed"], "--reason", "调休日误判",
               "--by", "督查室") == 0
    # The run copied the warehouse's departments: one that exists nowhere is refused.
    assert cli(warehouse, "transfer", acted["transferred"], "--dept", "500106999",
               "--note", "属该局职责", "--by", "督查室") == 1
    with store.connect(store.ledger_path(warehouse)) as con:
        known = store.departments(con)
        own = con.execute("select dept_code from alerts where alert_id = ?",
                          [acted["transferred"]]).fetchone()[0]
    assert len(known) == 38 and known["500106024"] == "区审计局"
    other = next(code for code in known if code != own)
    assert cli(warehouse, "transfer", acted["transferred"], "--dept", other,
               "--note", "属该局职责", "--by", "督查室") == 0
    return out, warehouse, report, first_alerts, acted


def test_the_run_registers_every_alert_in_the_ledger_mart(demo):
    _, warehouse, report, first_alerts, _ = demo
    assert report.ledger.sync.registered == len(first_alerts) > 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ids = {r[0] for r in con.execute("select alert_id from marts.supervision_ledger"
                                                ).fetchall()}
    assert ids == set(first_alerts)


def test_actions_survive_a_full_refresh(demo):
    out, warehouse, _, first_alerts, acted = demo
    pipeline.run(out / "landing", warehouse, progress=False, publish=False,
                 full_refresh=True)
    rows = ledger_rows(warehouse)
    assert {s: rows[a][0] for s, a in acted.items()} == {
        "closed": "closed", "dismissed": "dismissed", "transferred": "transferred"}
    # the assignee, a person's name, only masked and pseudonymised in the mart
    assert rows[acted["closed"]][1] == "李*"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        key, actor, actor_key = con.execute(
            "select assignee_key, last_actor, last_actor_key from marts.supervision_ledger "
            "where alert_id = ?", [acted["closed"]]).fetchone()
        mart_columns = {c for c, in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'supervision_ledger'").fetchall()}
    assert (key, actor, actor_key) == (pseudonym("李四"), "督**", pseudonym("督查室"))
    assert "resolution_note" not in mart_columns  # notes stay in the store (ledger show)
    assert alerts(warehouse) == first_alerts  # ids and first_detected_on stable
    with duckdb.connect(str(warehouse), read_only=True) as con:
        precision = dict(con.execute(
            "select rule_code, dismissal_reasons from marts.rule_precision "
            "where dismissed_false_positive > 0").fetchall())
    assert "调休日误判" in "".join(precision.values())


def test_actions_and_first_detections_survive_a_warehouse_rebuilt_from_raw(demo):
    out, warehouse, report, first_alerts, acted = demo
    first_evidence = evidence(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        carded = {r[0]: r[1:] for r in con.execute(
            "select alert_id, staff_id, cast(date_trunc('month', occurred_on) as date) "
            "from marts.alerts where severity in ('yellow', 'red') and staff_id is not null"
        ).fetchall()}
    later = report.as_of + dt.timedelta(days=31)
    warehouse.unlink()
    pipeline.run(out / "landing", warehouse, as_of=later, progress=False, publish=False)
    again = alerts(warehouse)
    common = set(again) & set(first_alerts)
    assert len(common) >= len(first_alerts) // 2
    # Without the ledger these would all be the new run's as_of.
    assert {a: again[a] for a in common} == {a: first_alerts[a] for a in common}
    rows = ledger_rows(warehouse)
    assert set(first_alerts) <= set(rows)  # stopped firing: still in the ledger
    # Dismissed stays dismissed unless the rule now reports different evidence (31 days
    # of elapsed time against as_of alone is not: ledger/evidence.py).
    dismissed = acted["dismissed"]
    changed = material_hash(evidence(warehouse).get(dismissed, first_evidence[dismissed])) \
        != material_hash(first_evidence[dismissed])
    assert rows[dismissed][0] == ("new" if changed else "dismissed")
    assert rows[acted["transferred"]][0] == "transferred"
    with store.connect(store.ledger_path(warehouse)) as con:
        assert store.verify_chain(con).ok
    # Cards rest on the alerts on record: one that stopped firing keeps its month's card
    # (the ledger's register remembers it), one dismissed as a false positive gives none.
    stopped = {a: c for a, c in carded.items() if a not in again and a != dismissed}
    assert stopped, "the later as_of should stop some carded alert from firing"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        on_record = {a for a, in con.execute(
            "select alert_id from intermediate.int_alerts_on_record").fetchall()}
        cards = set(con.execute("select staff_id, month_start from marts.staff_cards"
                                ).fetchall())
    assert set(stopped) <= on_record
    assert set(stopped.values()) <= cards
    assert (dismissed in on_record) == (rows[dismissed][0] != "dismissed")
