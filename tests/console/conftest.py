"""A small warehouse for the console's tests, built without dbt: marts tables written
straight into a DuckDB file, a ledger store synced with its alerts, and the snapshot
published with searchlight.publish (the same code a run uses)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from ledger import lifecycle, store
from searchlight.publish import publish_marts

AS_OF = dt.date(2026, 9, 25)
NOW = dt.datetime(2026, 9, 28, 9, 0, tzinfo=store.TZ)
PASSWORD = "correct horse"
DEPTS = {"D01": "区市场监督管理局", "D02": "区民政局", "D03": "区公安分局"}


class Clock:
    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def make_alerts() -> list[dict]:
    """24 alerts: rules T01 (red), S04 (yellow), K01 (info); departments D01–D03; months
    July–September; staff on the T01 and S04 ones."""
    alerts = []
    for i in range(24):
        rule, severity, family = [("T01", "red", "T"), ("S04", "yellow", "S"),
                                  ("K01", "info", "K")][i % 3]
        dept = ["D01", "D02", "D03"][i % 3 if i < 12 else (i // 3) % 3]
        occurred = dt.date(2026, 7 + i % 3, 1 + i)
        alerts.append({
            "alert_id": f"{rule}-{i:016x}", "rule_code": rule, "rule_family": family,
            "severity": severity, "subject_type": "case", "subject_id": f"C-{i:04d}",
            "dept_code": dept, "staff_id": f"G{i % 5:02d}" if rule != "K01" else None,
            "as_of": AS_OF, "metric_value": 20.0 + i, "threshold_value": 20.0,
            "evidence": json.dumps({"case_id": f"C-{i:04d}", "elapsed_days": 20 + i,
                                    "statutory_limit_days": 20}, ensure_ascii=False),
            "first_detected_on": AS_OF, "occurred_on": occurred,
        })
    return alerts


def build_warehouse(folder: Path, alerts: list[dict], clock: Clock,
                    coverage: dict[str, tuple[int, int]] | None = None,
                    explanations: bool = False) -> Path:
    """Write marts into ``folder/w.duckdb``, sync the ledger, publish the snapshot."""
    warehouse = folder / "w.duckdb"
    with store.connect(store.ledger_path(warehouse)) as con:
        lifecycle.sync_alerts(con, alerts, AS_OF, clock)
        register = [dict(r) for r in con.execute("select * from alerts")]
        states = lifecycle.current_states(con)
    coverage = coverage or {"T01": (100, 8), "S04": (40, 8), "K01": (20, 8)}
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists marts")
        con.execute("""create or replace table marts.alerts (alert_id varchar, rule_code varchar,
            rule_family varchar, severity varchar, subject_type varchar, subject_id varchar,
            dept_code varchar, staff_id varchar, as_of date, metric_value double,
            threshold_value double, evidence varchar, first_detected_on date,
            occurred_on date)""")
        con.executemany("insert into marts.alerts values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        [[a[k] for k in ("alert_id", "rule_code", "rule_family", "severity",
                                         "subject_type", "subject_id", "dept_code", "staff_id",
                                         "as_of", "metric_value", "threshold_value",
                                         "evidence", "first_detected_on", "occurred_on")]
                         for a in alerts])
        if explanations:  # marts.alerts as issue 13 item 5 makes it
            con.execute("alter table marts.alerts add column explanation_zh varchar")
            con.execute("alter table marts.alerts add column explanation_en varchar")
            con.execute("update marts.alerts set explanation_zh = '办件 ' || subject_id "
                        "|| ' 已用 ' || cast(metric_value as integer) || ' 个工作日', "
                        "explanation_en = 'case ' || subject_id || ' took ' "
                        "|| cast(metric_value as integer) || ' working days'")
        con.execute("""create or replace table marts.supervision_ledger (alert_id varchar,
            rule_code varchar, rule_family varchar, severity varchar, subject_type varchar,
            subject_id varchar, dept_code varchar, staff_id varchar, first_detected_on date,
            last_seen_on date, still_firing boolean, status varchar)""")
        con.executemany("insert into marts.supervision_ledger values (?,?,?,?,?,?,?,?,?,?,?,?)",
                        [[r["alert_id"], r["rule_code"], r["rule_family"], r["severity"],
                          r["subject_type"], r["subject_id"], r["dept_code"], r["staff_id"],
                          r["first_detected_on"], r["last_seen_on"], bool(r["still_firing"]),
                          states[r["alert_id"]].status] for r in register])
        con.execute("""create or replace table marts.rule_coverage (rule_code varchar,
            as_of date, evaluated bigint, fired bigint, not_evaluable bigint,
            not_evaluable_reasons varchar)""")
        con.executemany("insert into marts.rule_coverage values (?,?,?,?,?,?)",
                        [[code, AS_OF, ev, fired, 1, '{"no completion time": 1}']
                         for code, (ev, fired) in coverage.items()])
        dismissed = {}
        for s in states.values():
            if s.status == "dismissed":
                code = s.alert_id.split("-")[0]
                dismissed[code] = dismissed.get(code, 0) + 1
        con.execute("""create or replace table marts.rule_precision (rule_code varchar,
            alerts_registered bigint, closed_confirmed bigint, dismissed_false_positive bigint,
            still_open bigint, measured_precision double, dismissal_reasons varchar)""")
        con.executemany("insert into marts.rule_precision values (?,?,?,?,?,?,?)",
                        [[code, 8, 0, dismissed.get(code, 0), 8 - dismissed.get(code, 0),
                          0.0 if dismissed.get(code) else None, "{}"] for code in coverage])
        con.execute("create or replace table marts.dim_department as select * from "
                    "(values " + ", ".join(f"('{c}', '{n}')" for c, n in DEPTS.items())
                    + ") as t(dept_code, dept_name)")
        con.execute("create or replace table marts.dim_staff as select 'G0' || i as staff_id, "
                    "'D01' as dept_code, '张*' as staff_name_masked from range(5) as r(i)")
        con.execute("""create or replace table marts.staff_cards as
            select staff_id, 'D01' as dept_code, date '2026-09-01' as month_start,
                   'red' as card, 1 as red_alerts, 0 as yellow_alerts,
                   '["x"]' as alert_ids, '["T01"]' as rule_codes
            from (values ('G00'), ('G01')) as t(staff_id)""")
        con.execute("""create or replace table marts.integrity_risk_index as
            select 'department' as level, d as subject_id, d as dept_code,
                   m as month_start, 3 as alerts, 3.0 as alert_points, 50 as cases_handled,
                   10 as reviews, 1.0 as bad_reviews, 2 as complaints, 0.0 as alert_rate,
                   0.0 as bad_review_share, 0.0 as complaint_rate, 42.5 as risk_index
            from (values ('D01'), ('D02')) as a(d),
                 (values (date '2026-08-01'), (date '2026-09-01')) as b(m)""")
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps({"nodes": {
        f"model.searchlight.warn_{code.lower()}": {
            "resource_type": "model", "name": f"warn_{code.lower()}",
            "config": {"meta": {"code": code, "family": code[0], "name_zh": name_zh,
                                "name_en": name_en, "severity": sev,
                                "legal_basis": "《行政许可法》第四十二条",
                                "legal_basis_en": "Administrative Licensing Law, art. 42",
                                "subject_type": "case", "thresholds": {"limit_days": 20}}}}
        for code, name_zh, name_en, sev in (
            ("T01", "超法定时限", "overdue against the statutory limit", "red"),
            ("S04", "工单超期", "ticket overdue", "yellow"),
            ("K01", "重点项目滞后", "key project behind", "info"))}}), encoding="utf-8")
    publish_marts(warehouse, manifest=manifest)
    return warehouse


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def warehouse(tmp_path, clock) -> Path:
    return build_warehouse(tmp_path, make_alerts(), clock)


@pytest.fixture(scope="session")
def accounts_file(tmp_path_factory) -> Path:
    """Four accounts, hashed once for the session (Argon2 is slow on purpose)."""
    from console.users import UserStore

    path = tmp_path_factory.mktemp("accounts") / "w.users.sqlite"
    users = UserStore(path)
    users.add("督查员甲", "supervisor", PASSWORD)
    users.add("督查员乙", "supervisor", PASSWORD)
    users.add("市监局", "department", PASSWORD, "D01")
    users.add("审计员", "auditor", PASSWORD)
    return path


@pytest.fixture
def app(warehouse, clock, accounts_file):
    from console.app import create_app
    from console.users import users_path

    shutil.copy(accounts_file, users_path(store.ledger_path(warehouse)))
    return create_app(warehouse, secret="s" * 48, clock=clock)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client, name: str, password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token, "next": "/"},
                       follow_redirects=False)


@pytest.fixture
def client_for(app):
    from fastapi.testclient import TestClient

    clients = []

    def make(name: str | None = None, lang: str | None = None):
        client = TestClient(app)
        clients.append(client)
        if lang:
            client.cookies.set("searchlight_lang", lang)
        if name:
            assert sign_in(client, name).status_code == 303
        return client

    yield make
    for c in clients:
        c.close()
