"""Console timings at the 10-million-case scale: ~400,000 alerts (figures, not a test).

Generates, once, a synthetic published snapshot (the marts the console reads) with N
alerts over 37 rules, 40 departments and twelve months, and a ledger store holding their
register rows plus a realistic share of actions (a valid hash chain), under --data. Then
times the pages through the application (Starlette's TestClient: the full FastAPI stack,
without the network) and prints one line per request.

    python bench/console_bench.py [--alerts 400000] [--data /tmp/bench/console] [--repeat 5]

Targets (issue 13): the alert list with any filter < 0.5 s, the overview < 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ledger import store
from searchlight.publish import publish_marts

RULES = [f"{f}{i:02d}" for f, n in (("T", 9), ("F", 7), ("S", 6), ("P", 7), ("L", 5),
                                     ("C", 2), ("K", 1)) for i in range(1, n + 1)]
SEVERITY = {code: ("red" if i % 3 == 0 else "yellow" if i % 3 == 1 else "info")
            for i, code in enumerate(RULES)}
AS_OF = dt.date(2026, 6, 30)
PASSWORD = "bench-password"


def generate(folder: Path, n: int, seed: int = 7) -> Path:
    """The warehouse file (marts only), its ledger store, and the published snapshot."""
    folder.mkdir(parents=True, exist_ok=True)
    warehouse = folder / "warehouse.duckdb"
    t0 = time.time()
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists marts")
        codes = "[" + ", ".join(f"'{c}'" for c in RULES) + "]"
        red = "[" + ", ".join(f"'{c}'" for c in RULES if SEVERITY[c] == "red") + "]"
        yellow = "[" + ", ".join(f"'{c}'" for c in RULES if SEVERITY[c] == "yellow") + "]"
        con.execute(f"""
            create or replace table marts.alerts as
            with n as (
                select range as i,
                       {codes}[cast(1 + hash(range, 0) % {len(RULES)} as bigint)] as rule_code
                from range({n})
            )
            select
                rule_code || '-' || lpad(to_hex(i), 16, '0') as alert_id,
                rule_code, substr(rule_code, 1, 1) as rule_family,
                case when list_contains({red}, rule_code) then 'red'
                     when list_contains({yellow}, rule_code) then 'yellow'
                     else 'info' end as severity,
                'case' as subject_type, 'C-' || i as subject_id,
                'D' || lpad(cast(hash(i, 1) % 40 + 1 as varchar), 2, '0') as dept_code,
                'G' || lpad(cast(hash(i, 2) % 2000 as varchar), 5, '0') as staff_id,
                date '{AS_OF}' as as_of,
                cast(20 + hash(i, 3) % 30 as double) as metric_value,
                cast(20 as double) as threshold_value,
                '{{"case_id": "C-' || i || '", "elapsed_days": ' || (20 + hash(i, 3) % 30)
                    || ', "statutory_limit_days": 20, "accepted_at": "2026-01-05 09:00:00",'
                    || ' "item_code": "ITEM-' || (i % 900) || '"}}' as evidence,
                date '{AS_OF}' - cast(hash(i, 4) % 120 as integer) as first_detected_on,
                date '{AS_OF}' - cast(hash(i, 5) % 365 as integer) as occurred_on
            from n
        """)
        count = con.execute("select count(*) from marts.alerts").fetchall()[0][0]
        alerts = con.execute("select alert_id, rule_code, rule_family, severity, subject_type,"
                             " subject_id, dept_code, staff_id, metric_value, threshold_value,"
                             " evidence, first_detected_on, occurred_on "
                             "from marts.alerts order by alert_id").fetchall()
    print(f"alerts: {count:,} in {time.time() - t0:.1f} s")
    t0 = time.time()
    states = _ledger(store.ledger_path(warehouse), alerts, seed)
    print(f"ledger: {sum(len(v) for v in states.values()):,} actions in "
          f"{time.time() - t0:.1f} s")
    t0 = time.time()
    with duckdb.connect(str(warehouse)) as con:
        state_table = pa.table({"alert_id": list(states),
                                "status": [s[-1] for s in states.values()]})
        con.register("_state_arrow", state_table)
        con.execute("create or replace table _state as select * from _state_arrow")
        con.unregister("_state_arrow")
        con.execute("""create or replace table marts.supervision_ledger as
            select a.alert_id, a.rule_code, a.rule_family, a.severity, a.subject_type,
                   a.subject_id, a.dept_code, a.staff_id, a.first_detected_on,
                   date '2026-06-30' as last_seen_on, true as still_firing, s.status
            from marts.alerts a join _state s using (alert_id)""")
        con.execute("""create or replace table marts.rule_coverage as
            select rule_code, date '2026-06-30' as as_of, count(*) * 20 as evaluated,
                   count(*) as fired, 5 as not_evaluable,
                   '{"no completion time": 5}' as not_evaluable_reasons
            from marts.alerts group by 1""")
        con.execute("""create or replace table marts.rule_precision as
            select a.rule_code, count(*) as alerts_registered,
                   count(*) filter (where s.status = 'closed') as closed_confirmed,
                   count(*) filter (where s.status = 'dismissed') as dismissed_false_positive,
                   count(*) filter (where s.status not in ('closed', 'dismissed')) as still_open,
                   null::double as measured_precision, '{}' as dismissal_reasons
            from marts.alerts a join _state s using (alert_id) group by 1""")
        con.execute("drop table _state")
        con.execute("""create or replace table marts.dim_department as
            select 'D' || lpad(cast(i as varchar), 2, '0') as dept_code,
                   '区第' || i || '局' as dept_name from range(1, 41) as t(i)""")
        con.execute("""create or replace table marts.dim_staff as
            select 'G' || lpad(cast(i as varchar), 5, '0') as staff_id,
                   'D' || lpad(cast(i % 40 + 1 as varchar), 2, '0') as dept_code,
                   '张*' as staff_name_masked from range(2000) as t(i)""")
        con.execute("""create or replace table marts.staff_cards as
            select staff_id, min(dept_code) as dept_code,
                   cast(date_trunc('month', occurred_on) as date) as month_start,
                   case when count(*) filter (where severity = 'red') > 0 then 'red'
                        else 'yellow' end as card,
                   count(*) filter (where severity = 'red') as red_alerts,
                   count(*) filter (where severity = 'yellow') as yellow_alerts,
                   '[]' as alert_ids, '[]' as rule_codes
            from marts.alerts where severity in ('red', 'yellow') group by 1, 3""")
        con.execute("""create or replace table marts.integrity_risk_index as
            select 'department' as level, dept_code as subject_id, dept_code,
                   cast(date_trunc('month', occurred_on) as date) as month_start,
                   count(*) as alerts, count(*) * 1.0 as alert_points,
                   count(*) * 20 as cases_handled, 100 as reviews, 3.0 as bad_reviews,
                   7 as complaints, 0.0 as alert_rate, 0.0 as bad_review_share,
                   0.0 as complaint_rate, least(100, count(*) / 12.0) as risk_index
            from marts.alerts group by 1, 2, 3, 4""")
    publish_marts(warehouse, manifest=folder / "no-manifest.json")
    print(f"snapshot published in {time.time() - t0:.1f} s")
    return warehouse


def _ledger(path: Path, alerts, seed: int) -> dict[str, list[str]]:
    """Register every alert, then act on about a third of them; a valid chain."""
    rnd = random.Random(seed)
    path.unlink(missing_ok=True)
    with store.connect(path) as con:
        con.executemany(
            "insert into alerts (alert_id, rule_code, rule_family, severity, subject_type, "
            "subject_id, dept_code, staff_id, first_detected_on, last_seen_on, still_firing, "
            "metric_value, threshold_value, evidence, evidence_hash, occurred_on) "
            "values (?,?,?,?,?,?,?,?,?,?,1,?,?,?,?,?)",
            [(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], str(a[11]), str(AS_OF),
              a[8], a[9], a[10], "x", str(a[12])) for a in alerts])
        rows, prev, seq = [], store.GENESIS, 0
        states: dict[str, list[str]] = {}
        now = dt.datetime(2026, 6, 30, 9, 0, tzinfo=store.TZ)

        def add(alert, action, frm, to, actor, **kw):
            nonlocal prev, seq
            seq += 1
            row = {c: None for c in store.CHAIN_COLUMNS}
            row.update(seq=seq, alert_id=alert[0], action=action, from_status=frm,
                       to_status=to, actor=actor, prev_hash=prev,
                       acted_at=(now + dt.timedelta(seconds=seq)).isoformat(), **kw)
            row["hash"] = prev = store.row_hash(row)
            rows.append(row)
            states.setdefault(alert[0], []).append(to)

        for a in alerts:
            add(a, "register", None, "new", "searchlight", dept_code=a[6],
                due_on=str(AS_OF + dt.timedelta(days=rnd.choice((-3, 5, 12)))),
                note="raised in the run")
        for a in alerts:
            roll = rnd.random()
            if roll < 0.35:
                add(a, "assign", "new", "assigned", "王督查", assignee="李四", dept_code=a[6])
                if roll < 0.2:
                    add(a, "feedback", "assigned", "feedback", "承办员", note="已核查")
                if roll < 0.08:
                    add(a, "close", "feedback", "closed", "王督查", note="属实，已整改",
                        evidence_hash="x")
            elif roll < 0.38:
                add(a, "dismiss", "new", "dismissed", "王督查", note="误报", evidence_hash="x")
        cols = [*store.CHAIN_COLUMNS, "hash"]
        con.executemany(f"insert into actions ({', '.join(cols)}) values "
                        f"({', '.join('?' * len(cols))})", [[r[c] for c in cols] for r in rows])
    with open(store.anchor_path(path), "w", encoding="utf-8") as f:
        f.write(json.dumps({"seq": rows[-1]["seq"], "hash": rows[-1]["hash"],
                            "acted_at": rows[-1]["acted_at"]}) + "\n")
    return states


def timed(client, path: str, repeat: int) -> tuple[float, float, float, int, int]:
    """(first, median of the rest) wall seconds, the median CPU seconds of this process
    (all threads: on a machine shared with other work the wall time says more about the
    neighbours than about the console), the status and the bytes of one page."""
    times, cpu, status, size = [], [], 0, 0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        r = client.get(path)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        status, size = r.status_code, len(r.content)
    rest = slice(1, None) if repeat > 1 else slice(None)
    return (times[0], statistics.median(times[rest]), statistics.median(cpu[rest]), status,
            size)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alerts", type=int, default=400_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/bench/console"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from console.app import create_app
    from console.users import UserStore, users_path

    folder = args.data / f"a{args.alerts}"
    warehouse = folder / "warehouse.duckdb"
    if args.regenerate or not (folder / "warehouse_published" / "current").exists():
        generate(folder, args.alerts)
    users = UserStore(users_path(store.ledger_path(warehouse)))
    if users.get("bench") is None:
        users.add("bench", "supervisor", PASSWORD)
        users.add("bench-dept", "department", PASSWORD, "D07")

    app = create_app(warehouse, secret="bench-" * 8)
    t0 = time.perf_counter()
    app.state.data.refresh()  # what the console does once, in the background, at start
    print(f"\nload at start (snapshot into memory, fold of the whole ledger): "
          f"{time.perf_counter() - t0:.2f} s")
    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)[1]
    client.post("/login", data={"name": "bench", "password": PASSWORD, "csrf_token": token},
                follow_redirects=False)
    with sqlite3.connect(store.ledger_path(warehouse)) as con:
        actions = con.execute("select count(*) from actions").fetchone()[0]
    alert_id = re.search(r'href="/alerts/([A-Z]\d\d-[0-9a-f]+)"',
                         client.get("/alerts?status=new").text)[1]
    pages = [
        ("overview", "/"), ("overview, wall", "/?wall=1"),
        ("list, no filter", "/alerts"),
        ("list, severity=red", "/alerts?severity=red"),
        ("list, family=T", "/alerts?family=T"),
        ("list, rule=P03", "/alerts?rule=P03"),
        ("list, department", "/alerts?dept=D07"),
        ("list, status=assigned", "/alerts?status=assigned"),
        ("list, month", "/alerts?month=2026-03"),
        ("list, overdue", "/alerts?overdue=1"),
        ("list, still firing", "/alerts?firing=yes"),
        ("list, rule+month+sev", "/alerts?rule=T01&month=2026-05&severity=red"),
        ("list, search id", f"/alerts?q={alert_id[4:12]}"),
        ("list, sort due_on asc", "/alerts?sort=due_on&order=asc"),
        ("list, page 1000", "/alerts?page=1000"),
        ("list, htmx partial", "/alerts?severity=yellow"),
        ("one alert", f"/alerts/{alert_id}"),
        ("rules", "/rules"), ("cards", "/cards"),
        ("csv, family=K", "/alerts?family=K&format=csv"),
        ("ledger verify", "/ledger/verify"),
    ]
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() \
        else "?"
    print(f"\n{args.alerts:,} alerts requested; {actions:,} ledger actions; "
          f"median of {args.repeat} requests after the first; load average {load}\n")
    print(f"{'page':26} {'first s':>8} {'median s':>9} {'CPU s':>7} {'status':>6} {'KB':>8}")
    for name, path in pages:
        headers = {"HX-Request": "true"} if "htmx" in name else None
        if headers:
            client.headers.update(headers)
        first_s, median_s, cpu_s, status, size = timed(client, path, args.repeat)
        if headers:
            del client.headers["HX-Request"]
        print(f"{name:26} {first_s:8.3f} {median_s:9.3f} {cpu_s:7.3f} {status:6} "
              f"{size / 1024:8.0f}")

    # an action, then the list: the cache folds only the alert that changed
    page = client.get(f"/alerts/{alert_id}").text
    seq = re.search(r'data-action="assign">.*?name="expected_seq" value="(\d+)"', page,
                    re.DOTALL)[1]
    t0 = time.perf_counter()
    r = client.post(f"/alerts/{alert_id}/actions", data={
        "action": "assign", "assignee": "bench", "expected_seq": seq,
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page)[1]})
    acted = time.perf_counter() - t0
    t0 = time.perf_counter()
    client.get("/alerts?status=assigned")
    after = time.perf_counter() - t0
    print(f"\nassign through the console {acted:.3f} s (status {r.status_code}); "
          f"the next list {after:.3f} s")
    dept = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', dept.get("/login").text)[1]
    dept.post("/login", data={"name": "bench-dept", "password": PASSWORD, "csrf_token": token})
    first_s, median_s, cpu_s, _, _ = timed(dept, "/alerts?severity=red", args.repeat)
    print(f"department handler's list, red: first {first_s:.3f} s, median {median_s:.3f} s "
          f"(CPU {cpu_s:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
