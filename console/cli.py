"""`searchlight console` and `searchlight users`: serve the console, manage its accounts.

    searchlight console [--warehouse W] [--host 127.0.0.1] [--port 8000]
    searchlight users add NAME --role supervisor|department|auditor [--dept CODE]
    searchlight users list
    searchlight users remove NAME

The warehouse is ``--warehouse``, else ``SEARCHLIGHT_WAREHOUSE``; the ledger store and the
accounts sit beside it (``--ledger``, ``SEARCHLIGHT_LEDGER``, ``--users``,
``SEARCHLIGHT_USERS`` override). ``users add`` reads the password twice from the terminal,
or one line from standard input when it is not a terminal (scripts, provisioning).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from console import users as accounts
from ledger import store


def _location_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--warehouse", type=Path,
                         help="warehouse file (default SEARCHLIGHT_WAREHOUSE)")
    options.add_argument("--ledger", type=Path, help="ledger store file (SQLite)")
    options.add_argument("--users", type=Path, help="accounts file (default beside the ledger)")
    return options


def add_parsers(sub) -> None:
    common = [_location_options()]
    serve = sub.add_parser("console", parents=common,
                           help="the supervision console (web) over a warehouse's snapshot")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--https-only-cookies", action="store_true",
                       help="mark the session cookie Secure (behind an HTTPS proxy)")

    users = sub.add_parser("users", help="accounts of the console: add, list, remove")
    usub = users.add_subparsers(dest="users_command", required=True)
    add = usub.add_parser("add", parents=common, help="make an account")
    add.add_argument("name", help="sign-in name, recorded as the actor of ledger actions")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--dept", help="the department of a department handler")
    usub.add_parser("list", parents=common, help="the accounts and their roles")
    remove = usub.add_parser("remove", parents=common, help="remove an account")
    remove.add_argument("name")


def _paths(args) -> tuple[Path, Path, Path | None]:
    """(ledger store, accounts file, warehouse or None)."""
    warehouse = args.warehouse or (Path(os.environ["SEARCHLIGHT_WAREHOUSE"])
                                   if os.environ.get("SEARCHLIGHT_WAREHOUSE") else None)
    if args.ledger:
        ledger = args.ledger
    elif os.environ.get("SEARCHLIGHT_LEDGER"):
        ledger = Path(os.environ["SEARCHLIGHT_LEDGER"])
    elif warehouse is not None:
        ledger = store.ledger_path(warehouse)
    else:
        raise SystemExit("searchlight: say which warehouse (--warehouse or "
                         "SEARCHLIGHT_WAREHOUSE)")
    return ledger, args.users or accounts.users_path(ledger), warehouse


def run_users(args, console, err) -> int:
    ledger, path, _ = _paths(args)
    if not args.users and not ledger.exists():
        # accounts live beside the ledger: a mistyped --warehouse must not start a new place
        err.print(f"[bold red]searchlight users:[/] no ledger at {ledger}: a run creates it "
                  "(`searchlight run` or `searchlight demo`); check --warehouse / --ledger")
        return 1
    userstore = accounts.UserStore(path)
    try:
        if args.users_command == "add":
            password = _read_password(err)
            user = userstore.add(args.name, args.role, password, args.dept)
            console.print(f"account {user.name} ({user.role}"
                          f"{', ' + user.dept_code if user.dept_code else ''}) added in {path}")
        elif args.users_command == "remove":
            userstore.remove(args.name)
            console.print(f"account {args.name} removed; their sessions end at their next "
                          "request")
        else:
            rows = userstore.list()
            if not rows:
                console.print(f"no accounts in {path}: add one with "
                              "`searchlight users add NAME --role supervisor`")
            for u in rows:  # tab-separated, for scripts as much as for people
                print(f"{u.name}\t{u.role}\t{u.dept_code or ''}\t{u.created_at}")
    except accounts.UserError as exc:
        err.print(f"[bold red]refused:[/] {exc}")
        return 1
    return 0


def _read_password(err) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise accounts.UserError("the two passwords differ")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def run_console(args, console, err) -> int:
    import uvicorn

    from console.app import create_app
    from searchlight.publish import published_dir

    ledger, users_file, warehouse = _paths(args)
    if warehouse is None:
        err.print("[bold red]searchlight console:[/] say which warehouse (--warehouse or "
                  "SEARCHLIGHT_WAREHOUSE): the console reads its published snapshot")
        return 1
    if not ledger.exists():
        err.print(f"[bold red]searchlight console:[/] no ledger at {ledger}: run the pipeline "
                  "first (`searchlight run` or `make demo`)")
        return 1
    if not accounts.UserStore(users_file).list():
        err.print("[yellow]No account yet: nobody can sign in.[/] Make the first one with\n"
                  f"  searchlight users add NAME --role supervisor --warehouse {warehouse}")
    app = create_app(warehouse, ledger=ledger, users=users_file,
                     published=published_dir(warehouse),
                     https_only=args.https_only_cookies)
    console.print(f"Searchlight console on http://{args.host}:{args.port}  "
                  f"(snapshot {published_dir(warehouse)}, ledger {ledger})")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0
