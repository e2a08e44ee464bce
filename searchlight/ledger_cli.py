"""`searchlight ledger …`: work the 督办台账 from a terminal.

    searchlight ledger list   [--status S] [--rule T01] [--dept D] [--severity red] [--overdue]
    searchlight ledger show   ALERT_ID
    searchlight ledger assign   ALERT_ID --to PERSON [--dept D] [--note …]   (also 退回重办)
    searchlight ledger transfer ALERT_ID --dept D --note … [--to PERSON]      (转办)
    searchlight ledger feedback ALERT_ID --note …
    searchlight ledger close    ALERT_ID --note …                            (the resolution)
    searchlight ledger dismiss  ALERT_ID --reason …                          (false positive)
    searchlight ledger reopen   ALERT_ID --note …
    searchlight ledger verify

--warehouse W, --ledger FILE and --json go before or after the command. The store is
``--ledger FILE``, else ``SEARCHLIGHT_LEDGER``, else beside ``--warehouse`` (default
``SEARCHLIGHT_WAREHOUSE``): ``<stem>.ledger.sqlite``. Only a run creates a store: every
command here refuses a path where there is none, so a mistyped path is an error, not an
empty ledger. It never opens the DuckDB warehouse, so a running build never blocks it.
Who acts: ``--by``, else ``SEARCHLIGHT_USER``, else the OS user.

``--expect-seq N`` acts only if the alert's latest entry is still seq N (the ``#`` of the
last row ``show`` printed): a change by someone else since is refused ("changed
meanwhile"). Without it the command acts on the state it reads in the same write
transaction, so its own read and write cannot be split; what remains is the time between
a person reading ``show`` and typing the command, which only ``--expect-seq`` covers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sqlite3
from pathlib import Path

from rich.table import Table

from ledger import lifecycle, store

ACTIONS = ("assign", "transfer", "feedback", "close", "dismiss", "reopen")
# Tests replace this to fix "now".
clock: store.Clock = store.now_local


def _store_options(after_command: bool) -> argparse.ArgumentParser:
    """--warehouse, --ledger, --json, for `ledger` itself and again for each command.

    After the command their default is SUPPRESS: argparse copies every attribute of the
    command's namespace over the outer one, so a default there would erase a value given
    before the command."""
    def default(value):
        return argparse.SUPPRESS if after_command else value

    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--warehouse", type=Path, default=default(None),
                         help="warehouse file the ledger sits beside "
                              "(default SEARCHLIGHT_WAREHOUSE)")
    options.add_argument("--ledger", type=Path, default=default(None),
                         help="ledger store file (SQLite)")
    options.add_argument("--json", action="store_true", default=default(False),
                         help="machine-readable output")
    return options


def add_parser(sub) -> None:
    p = sub.add_parser("ledger", help="the supervision ledger (督办台账): list, show, act, verify",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                       parents=[_store_options(after_command=False)])
    lsub = p.add_subparsers(dest="ledger_command", required=True)
    common = [_store_options(after_command=True)]

    ls = lsub.add_parser("list", help="ledger items, filtered", parents=common)
    ls.add_argument("--status", choices=lifecycle.STATUSES)
    ls.add_argument("--rule", help="rule code, e.g. T01")
    ls.add_argument("--dept", "--department", dest="dept",
                    help="department (alert's or handling)")
    ls.add_argument("--severity", choices=("info", "yellow", "red"))
    ls.add_argument("--overdue", action="store_true", help="only 督办超期 items")
    ls.add_argument("--all", action="store_true",
                    help="include alerts that stopped firing and are resolved")

    show = lsub.add_parser("show", help="an alert, its evidence and its full history",
                           parents=common)
    show.add_argument("alert_id")

    for action in ACTIONS:
        a = lsub.add_parser(action, help=f"{action} an alert", parents=common)
        a.add_argument("alert_id")
        a.add_argument("--by", help="who acts (default SEARCHLIGHT_USER or the OS user)")
        a.add_argument("--note", help="what was done or why")
        if action in ("assign", "transfer"):
            a.add_argument("--to", dest="assignee", help="person responsible")
            a.add_argument("--dept", help="responsible department")
        if action == "dismiss":
            a.add_argument("--reason", required=True, help="why it is a false positive")
        a.add_argument("--expect-seq", type=int, metavar="N",
                       help="act only if the alert's latest history entry is still seq N "
                            "(as `show` printed it); refused when it changed meanwhile")

    verify = lsub.add_parser("verify", help="recompute the hash chain of the history",
                             parents=common)
    verify.add_argument("--expect-head", metavar="HASH",
                        help="a head hash written down earlier (a report, a document "
                             "system): it must still be in the chain")


def _store_path(args) -> Path:
    if args.ledger:
        return args.ledger
    if os.environ.get("SEARCHLIGHT_LEDGER"):
        return Path(os.environ["SEARCHLIGHT_LEDGER"])
    from orchestration.resources import default_warehouse

    return store.ledger_path(args.warehouse or default_warehouse())


def _not_a_store(path: Path) -> str | None:
    """Why ``path`` cannot be worked on, or None. Checked before ``store.connect``, which
    would create a store (and its directory) wherever it is pointed."""
    if not path.exists():
        return (f"no ledger at {path}: a run creates it (`searchlight run` or "
                "`searchlight demo`); check --warehouse / --ledger / SEARCHLIGHT_LEDGER")
    try:
        # mode=rw: never creates; reading the catalogue writes nothing
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)
        try:
            tables = {r[0] for r in con.execute(
                "select name from sqlite_master where type = 'table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError:
        tables = set()
    if not {"alerts", "actions"} <= tables:
        return f"{path} is not a ledger store (a SQLite file with alerts and actions)"
    return None


def _actor(args) -> str:
    if args.by:
        return args.by
    if os.environ.get("SEARCHLIGHT_USER"):
        return os.environ["SEARCHLIGHT_USER"]
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no OS user name: the action is refused below
        return ""


def _expected_seq(con, args) -> int | None:
    """The state the person acts on: ``--expect-seq``, else the one read now, inside the
    same write transaction as the action (see the module doc for the residual race)."""
    if args.expect_seq is not None:
        return args.expect_seq
    state = lifecycle.current_state(con, args.alert_id)
    return state.last_seq if state else None


def run(args, console, err) -> int:
    path = _store_path(args)
    problem = _not_a_store(path)
    if problem:
        if args.json:
            print(json.dumps({"ok": False, "error": problem}, ensure_ascii=False))
        err.print(f"[bold red]searchlight ledger:[/] {problem}")
        return 1
    cmd = args.ledger_command
    with store.connect(path) as con:
        try:
            if cmd == "list":
                return _list(con, args, console)
            if cmd == "show":
                return _show(con, args, console, err)
            if cmd == "verify":
                return _verify(con, args, console, err)
            note = args.reason if cmd == "dismiss" else args.note
            row = lifecycle.act(con, args.alert_id, cmd, _actor(args), note=note,
                                assignee=getattr(args, "assignee", None),
                                dept_code=getattr(args, "dept", None), clock=clock,
                                expected_seq=_expected_seq(con, args))
        except lifecycle.LedgerError as exc:
            if args.json:
                print(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False))
            err.print(f"[bold red]refused:[/] {exc}")
            return 1
    state = _rows(path, alert_id=args.alert_id)[0]
    if args.json:
        print(json.dumps({"ok": True, "action": row, "state": state},
                         ensure_ascii=False, default=str))
    else:
        console.print(f"{row['action']} {row['alert_id']}: {row['from_status']} → "
                      f"[bold]{row['to_status']}[/] by {row['actor']} at {row['acted_at']} "
                      f"(entry {row['seq']})")
    return 0


def _rows(path: Path, alert_id: str | None = None) -> list[dict]:
    with store.connect(path) as con:
        return _items(con, alert_id)


def _items(con, alert_id: str | None = None) -> list[dict]:
    today = clock().date()
    sql = "select * from alerts" + (" where alert_id = ?" if alert_id else "")
    alerts = {r["alert_id"]: dict(r) for r in con.execute(sql, [alert_id] if alert_id else [])}
    states = (lifecycle.current_states(con) if alert_id is None
              else {alert_id: lifecycle.current_state(con, alert_id)})
    items = []
    for aid, a in sorted(alerts.items()):
        s = states.get(aid)
        if s is None:
            continue
        items.append({
            "alert_id": aid, "rule_code": a["rule_code"], "severity": a["severity"],
            "dept_code": a["dept_code"], "staff_id": a["staff_id"],
            "subject_type": a["subject_type"], "subject_id": a["subject_id"],
            "first_detected_on": a["first_detected_on"], "last_seen_on": a["last_seen_on"],
            "still_firing": bool(a["still_firing"]), "status": s.status,
            "assignee": s.assignee, "handling_dept_code": s.handling_dept_code,
            "due_on": s.due_on, "last_action": s.last_action,
            "last_action_at": s.last_action_at,
            "is_handling_overdue": lifecycle.is_overdue(s, today),
        })
    return items


def _list(con, args, console) -> int:
    items = _items(con)
    if args.status:
        items = [i for i in items if i["status"] == args.status]
    elif not args.all:
        items = [i for i in items if i["still_firing"] or i["status"] in lifecycle.OPEN]
    if args.rule:
        items = [i for i in items if i["rule_code"] == args.rule.upper()]
    if args.dept:
        items = [i for i in items if args.dept in (i["dept_code"], i["handling_dept_code"])]
    if args.severity:
        items = [i for i in items if i["severity"] == args.severity]
    if args.overdue:
        items = [i for i in items if i["is_handling_overdue"]]
    if args.json:
        print(json.dumps(items, ensure_ascii=False, indent=2, default=str))
        return 0
    table = Table(title=f"督办台账 supervision ledger ({len(items)} items, "
                        f"as of {clock().date()})")
    for col in ("alert_id", "rule", "sev", "dept", "status", "assignee", "due_on",
                "overdue", "firing", "last action"):
        table.add_column(col, no_wrap=col in ("alert_id", "due_on"))
    colour = {"red": "red", "yellow": "yellow", "info": "cyan"}
    for i in items:
        table.add_row(
            i["alert_id"], i["rule_code"],
            f"[{colour.get(i['severity'], 'white')}]{i['severity']}[/]",
            i["handling_dept_code"] or i["dept_code"] or "", i["status"],
            i["assignee"] or "", i["due_on"] or "",
            "[bold red]督办超期[/]" if i["is_handling_overdue"] else "",
            "yes" if i["still_firing"] else "no",
            f"{i['last_action']} {(i['last_action_at'] or '')[:16]}")
    console.print(table)
    return 0


def _show(con, args, console, err) -> int:
    items = _items(con, args.alert_id)
    if not items:
        raise lifecycle.LedgerError(f"unknown alert id {args.alert_id!r}: see "
                                    "`searchlight ledger list`")
    item = items[0]
    alert = dict(con.execute("select * from alerts where alert_id = ?",
                             [args.alert_id]).fetchone())
    history = [dict(r) for r in con.execute(
        "select seq, action, from_status, to_status, actor, acted_at, note, assignee, "
        "dept_code, due_on, hash from actions where alert_id = ? order by seq",
        [args.alert_id])]
    evidence = json.loads(alert["evidence"]) if alert["evidence"] else None
    if args.json:
        print(json.dumps({**item, "metric_value": alert["metric_value"],
                          "threshold_value": alert["threshold_value"],
                          "evidence": evidence, "history": history},
                         ensure_ascii=False, indent=2, default=str))
        return 0
    head = Table(title=f"alert {args.alert_id}", show_header=False)
    head.add_column("field", style="bold")
    head.add_column("value")
    for key in ("rule_code", "severity", "subject_type", "subject_id", "dept_code",
                "staff_id", "first_detected_on", "last_seen_on", "still_firing", "status",
                "assignee", "handling_dept_code", "due_on", "is_handling_overdue"):
        head.add_row(key, str(item[key]))
    head.add_row("metric / threshold", f"{alert['metric_value']} / {alert['threshold_value']}")
    console.print(head)
    ev = Table(title="evidence", show_header=False)
    ev.add_column("key", style="bold")
    ev.add_column("value")
    for k, v in (evidence or {}).items():
        ev.add_row(k, json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict))
                   else str(v))
    console.print(ev)
    hist = Table(title="history (append-only, hash-chained)")
    for col in ("#", "when", "who", "action", "status", "to", "note"):
        hist.add_column(col)
    for h in history:
        target = " ".join(x for x in (h["assignee"], h["dept_code"]) if x)
        if h["due_on"]:
            target = (target + f" due {h['due_on']}").strip()
        hist.add_row(str(h["seq"]), h["acted_at"][:19], h["actor"], h["action"],
                     f"{h['from_status'] or '∅'} → {h['to_status']}", target, h["note"] or "")
    console.print(hist)
    return 0


def _verify(con, args, console, err) -> int:
    report = store.verify_chain(con, expect_head=args.expect_head)
    if args.json:
        print(json.dumps(vars(report), ensure_ascii=False))
    elif report.ok:
        console.print(f"[green]ledger history intact[/]: {report.entries} entries, "
                      f"head {report.head}")
        for warning in report.warnings:
            err.print(f"[yellow]note[/]: {warning}")
    else:
        err.print(f"[bold red]ledger history tampered with[/]: first broken entry: "
                  f"{report.problem}")
    return 0 if report.ok else 3


def today() -> dt.date:
    return clock().date()
