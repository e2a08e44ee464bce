"""`searchlight ledger …`: work the 督办台账 from a terminal.

    searchlight ledger list   [--status S] [--rule T01] [--dept D] [--severity red] [--overdue]
    searchlight ledger show   ALERT_ID
    searchlight ledger assign   ALERT_ID --to PERSON [--dept D] [--note …]   (also 退回重办)
    searchlight ledger transfer ALERT_ID --dept D --note … [--to PERSON]      (转办)
    searchlight ledger feedback ALERT_ID --note …
    searchlight ledger close    ALERT_ID --note …                            (the resolution)
    searchlight ledger dismiss  ALERT_ID --reason …                          (false positive)
    searchlight ledger reopen   ALERT_ID --note …
    searchlight ledger verify [--expect-head HASH]                      (exit 3: tampered)
    searchlight ledger departments                                    (codes for --dept)

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

from ledger import comparison, lifecycle, store

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

    lsub.add_parser("departments", parents=common,
                    help="the departments the warehouse knows (for --dept), code and name")

    verify = lsub.add_parser("verify", parents=common,
                             help="check the hash chain, its anchor and the register "
                                  "(exit 0 intact, 3 tampered with)")
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
            if cmd == "departments":
                return _departments(con, args, console)
            note = args.reason if cmd == "dismiss" else args.note
            dept = getattr(args, "dept", None)
            row = lifecycle.act(con, args.alert_id, cmd, _actor(args), note=note,
                                assignee=getattr(args, "assignee", None),
                                dept_code=dept, clock=clock,
                                expected_seq=_expected_seq(con, args))
            if dept and not store.departments(con):
                err.print(f"[yellow]note[/]: department {dept} was not checked: the ledger "
                          "has no department list (the warehouse had none at the last run)")
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
    names = store.departments(con)
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
            "dept_code": a["dept_code"], "dept_name": names.get(a["dept_code"]),
            "staff_id": a["staff_id"],
            "subject_type": a["subject_type"], "subject_id": a["subject_id"],
            "first_detected_on": a["first_detected_on"], "last_seen_on": a["last_seen_on"],
            "still_firing": bool(a["still_firing"]), "status": s.status,
            "assignee": s.assignee, "handling_dept_code": s.handling_dept_code,
            "handling_dept_name": names.get(s.handling_dept_code),
            "due_on": s.due_on, "last_action": s.last_action,
            "last_action_at": s.last_action_at,
            "is_handling_overdue": lifecycle.is_overdue(s, today),
        })
    return items


def _dept(code: str | None, name: str | None) -> str:
    """A department as people read it: code and name (the code alone when unknown)."""
    return " ".join(x for x in (code, name) if x)


def alerts_as_of(con) -> str | None:
    """The as_of of the alerts in the store: the evaluation date of the last run that
    synced (recorded since stores keep it), else the latest last_seen_on."""
    return store.meta(con, "alerts_as_of") or con.execute(
        "select max(last_seen_on) from alerts").fetchone()[0]


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
    # Two dates, two meanings: the alerts are what the last run found in data up to its
    # as_of (often days before today); 督办超期 compares each due_on with today.
    table = Table(title=f"督办台账 supervision ledger: {len(items)} items",
                  caption=f"alerts as of {alerts_as_of(con) or '—'} (the evaluation date of "
                          f"the last run); 督办超期 overdue = past due_on on today, "
                          f"{clock().date()}")
    for col in ("alert_id", "rule", "sev", "department", "status", "assignee", "due_on",
                "overdue", "firing", "last action"):
        table.add_column(col, no_wrap=col in ("alert_id", "due_on"))
    colour = {"red": "red", "yellow": "yellow", "info": "cyan"}
    for i in items:
        dept = (_dept(i["handling_dept_code"], i["handling_dept_name"])
                if i["handling_dept_code"] else _dept(i["dept_code"], i["dept_name"]))
        table.add_row(
            i["alert_id"], i["rule_code"],
            f"[{colour.get(i['severity'], 'white')}]{i['severity']}[/]",
            dept, i["status"], i["assignee"] or "", i["due_on"] or "",
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
    compared = comparison.compared(alert["rule_code"], evidence, lifecycle.calendar(con))
    if args.json:
        print(json.dumps({**item, "metric_value": alert["metric_value"],
                          "threshold_value": alert["threshold_value"],
                          "compared": compared.as_dict() if compared else None,
                          "evidence": evidence, "history": history},
                         ensure_ascii=False, indent=2, default=str))
        return 0
    head = Table(title=f"alert {args.alert_id}", show_header=False)
    head.add_column("field", style="bold")
    head.add_column("value")
    for key in ("rule_code", "severity", "subject_type", "subject_id"):
        head.add_row(key, str(item[key]))
    head.add_row("department", _dept(item["dept_code"], item["dept_name"]) or "—")
    head.add_row("staff_id", str(item["staff_id"]))
    head.add_row("first_detected_on", f"{item['first_detected_on']} (as_of of the first run "
                                      "that raised it)")
    head.add_row("last_seen_on", f"{item['last_seen_on']} (as_of of the last run that "
                                 f"saw it; firing now: {'yes' if item['still_firing'] else 'no'})")
    for key in ("status", "assignee"):
        head.add_row(key, str(item[key]))
    head.add_row("handling department",
                 _dept(item["handling_dept_code"], item["handling_dept_name"]) or "—")
    head.add_row("due_on", f"{item['due_on']}" + (" — [bold red]督办超期 overdue today[/]"
                                                  if item["is_handling_overdue"] else ""))
    console.print(head)
    _print_compared(console, alert, compared)
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


def _print_compared(console, alert: dict, compared: comparison.Comparison | None) -> None:
    """What the rule compared, condition by condition (ledger/comparison.py): one
    metric_value / threshold_value pair cannot say why a rule with several conditions
    fired, nor which way it compares."""
    raw = f"{alert['metric_value']} / {alert['threshold_value']}"
    if compared is None:
        console.print(f"metric_value / threshold_value: {raw} (see the rule's page in the "
                      "docs for what they measure)")
        return
    table = Table(title=f"what {compared.rule_code} compared (it fires when "
                        f"{'any condition holds' if compared.fires_when == 'any' else 'every condition holds'})")
    for col in ("", "condition", "value", "", "limit"):
        table.add_column(col)
    for c in compared.checks:
        mark = "[green]✓ holds[/]" if c.met else "[dim]✗ not met[/]"
        if not c.decides:
            mark = "severity: " + ("✓" if c.met else "✗")
        table.add_row(mark, c.what, comparison.show_value(c.measured), c.op,
                      comparison.show_value(c.limit))
    table.caption = (f"marts.alerts' metric_value / threshold_value: {raw} = "
                     f"{compared.metric} / {compared.threshold}")
    console.print(table)
    if not compared.holds:  # evidence written by an earlier version of the rule, say
        console.print("[yellow]note[/]: this evidence does not show the rule's condition "
                      "holding (missing or renamed keys: an earlier version of the rule?); "
                      "check the evidence below")


def _departments(con, args, console) -> int:
    known = store.departments(con)
    if args.json:
        print(json.dumps([{"dept_code": c, "dept_name": n} for c, n in known.items()],
                         ensure_ascii=False, indent=2))
        return 0
    if not known:
        console.print("no department list: the warehouse had none at the last run (load a "
                      "departments file); until then --dept is not checked")
        return 0
    table = Table(title=f"departments the warehouse knows ({len(known)}, copied at the "
                        "last run)")
    table.add_column("code", no_wrap=True)
    table.add_column("name")
    for code, name in known.items():
        table.add_row(code, name or "")
    console.print(table)
    return 0


# verify's exit codes: 0 intact (warnings are limits of what could be checked or events
# the chain records), 3 tampered with (or the anchor missing), 1 no store at that path.
VERIFY_FAILED = {
    "history": "ledger history tampered with: first broken entry",
    "register": "ledger register edited outside searchlight",
    "anchor": "ledger anchor missing",
}


def _verify(con, args, console, err) -> int:
    report = store.verify_chain(con, expect_head=args.expect_head)
    if args.json:
        print(json.dumps(vars(report), ensure_ascii=False))
        return 0 if report.ok else 3
    if report.ok:
        console.print(f"[green]ledger history intact[/]: {report.entries} entries, "
                      f"head {report.head}")
    else:
        err.print(f"[bold red]{VERIFY_FAILED.get(report.scope, VERIFY_FAILED['history'])}"
                  f"[/]: {report.problem}")
    for warning in report.warnings:
        err.print(f"[yellow]note[/]: {warning}")
    return 0 if report.ok else 3


def today() -> dt.date:
    return clock().date()
