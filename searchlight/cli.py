"""`searchlight`: the headless run and the demo.

    searchlight run --landing DIR --warehouse FILE.duckdb [--as-of YYYY-MM-DD] [--full-refresh]
    searchlight run --target spark --landing DIR --warehouse DIR   (Apache Spark: docs/spark.md)
    searchlight demo [--scale 1] [--seed 7] [--out demo]
    searchlight ledger list|show|assign|transfer|feedback|close|dismiss|reopen|verify
    searchlight demo --bench --scale 1000 --out /tmp/bench/s1000   (files only, no truth)
    searchlight console [--warehouse W] [--host H] [--port P]    (the supervision console)
    searchlight users add|list|remove …                          (its accounts)

`run` takes --landing and --warehouse from SEARCHLIGHT_LANDING and SEARCHLIGHT_WAREHOUSE
when they are not given. Exit codes: 0 the warehouse is complete and every file loaded
(or was a duplicate); 4 it is complete but some file was refused (the summary names
each); 1 the run could not complete (one line says the step, the cause, the state and
what to do; the details are in the log file it names); 2 a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

# Piped output (make, CI logs) would otherwise wrap the file table at 80 columns.
_WIDTH = max(shutil.get_terminal_size((140, 24)).columns, 120)
console = Console(width=_WIDTH)
err = Console(stderr=True, width=_WIDTH)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REFUSED = 0, 1, 2, 4


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="searchlight", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="load the landing folder, build marts and alerts")
    run.add_argument("--landing", type=Path, default=_env_path("SEARCHLIGHT_LANDING"),
                     help="landing folder (default SEARCHLIGHT_LANDING)")
    run.add_argument("--warehouse", type=Path, default=_env_path("SEARCHLIGHT_WAREHOUSE"),
                     help="DuckDB warehouse file, or a folder with --target spark "
                          "(default SEARCHLIGHT_WAREHOUSE)")
    run.add_argument("--target", choices=("duckdb", "spark"), default="duckdb",
                     help="engine of the dbt build: duckdb (default) or spark, a local "
                          "Spark session (docs/spark.md)")
    run.add_argument("--as-of", type=_date, default=None,
                     help="evaluation date (default: latest updated_at in cases)")
    run.add_argument("--full-refresh", action="store_true",
                     help="rebuild the incremental staging models from raw (needed after an "
                          "upgrade that changes their columns; the ledger is kept)")
    run.add_argument("--no-progress", action="store_true", help="no progress bars")
    run.add_argument("--json", action="store_true", help="print the run report as JSON")

    demo = sub.add_parser("demo", help="generate a synthetic district and run on it")
    demo.add_argument("--scale", type=float, default=1.0, help="about scale × 10,000 cases")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--out", type=Path, default=Path("demo"), help="output folder")
    demo.add_argument("--bench", action="store_true",
                      help="volume data for benchmarks (synthetic.scale): every source in "
                           "proportion, vectorised, no planted cases and no ground truth; "
                           "writes the landing folder only (bench/run.py times the run)")

    from searchlight import ledger_cli

    ledger_cli.add_parser(sub)
    try:  # the console is an extra (pip install -e '.[console]')
        from console import cli as console_cli
    except ImportError:
        console_cli = None
    if console_cli is not None:
        console_cli.add_parsers(sub)
    return parser


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "run":
        for option, env in (("landing", "SEARCHLIGHT_LANDING"),
                            ("warehouse", "SEARCHLIGHT_WAREHOUSE")):
            if getattr(args, option) is None:
                parser.error(f"run needs --{option} (or the environment variable {env})")
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "ledger":
            from searchlight import ledger_cli

            return ledger_cli.run(args, console, err)
        if args.command in ("console", "users"):
            from console import cli as console_cli

            run = console_cli.run_console if args.command == "console" else console_cli.run_users
            return run(args, console, err)
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - every failure ends as one readable message
        err.print(f"[bold red]searchlight {args.command}:[/] {_one_line(exc)}",
                  highlight=False, soft_wrap=True)  # one line, whatever the width
        return EXIT_FAILED
    return EXIT_USAGE


def _one_line(exc: BaseException) -> str:
    """A failure as one line: a step's failure says it all; anything else names its kind
    unless the message speaks for itself."""
    from searchlight.pipeline import LandingError
    from searchlight.runstate import StepFailed

    text = exc.line() if isinstance(exc, StepFailed) else " ".join(str(exc).split())
    if isinstance(exc, StepFailed | LandingError | FileNotFoundError) or not text:
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def cmd_run(args) -> int:
    from searchlight import pipeline

    _warn_demo_key()
    report = pipeline.run(args.landing, args.warehouse, as_of=args.as_of,
                          progress=not args.no_progress, full_refresh=args.full_refresh,
                          notify=_note, target=args.target)
    if report.key_changed:
        err.print("[yellow]The pseudonym key differs from the one this warehouse was built "
                  "with: the incremental models were rebuilt in full (--full-refresh).[/]")
    _record_in_dagster(report, args.warehouse)
    if args.json:
        print(json.dumps(report_as_dict(report), ensure_ascii=False, indent=2, default=str))
    else:
        print_report(report, args.warehouse)
    return EXIT_REFUSED if report.load.refused else EXIT_OK


def _note(message: str) -> None:
    err.print(f"[yellow]note:[/] {message}", highlight=False, soft_wrap=True)


def _record_in_dagster(report, warehouse: Path) -> None:
    """With DAGSTER_HOME set, the run's assets show as materialized in the Dagster UI."""
    from searchlight import dagster_record

    try:
        recorded = dagster_record.record_run(report, warehouse)
    except Exception as exc:  # noqa: BLE001 - the warehouse is built: only tell
        _note(f"the run could not be recorded in Dagster ({_one_line(exc)})")
        return
    if recorded:
        _note(f"recorded {recorded} asset materializations in Dagster "
              f"({os.environ.get('DAGSTER_HOME')})")


def cmd_demo(args) -> int:
    from searchlight import hints, pipeline
    from synthetic.district import generate_district

    out: Path = args.out
    if args.bench:
        return cmd_demo_bench(args)
    _warn_demo_key()
    console.print(f"Generating a synthetic district (scale {args.scale}, seed {args.seed}) "
                  f"in {out}/ …")
    generate_district(out, scale=args.scale, seed=args.seed)
    warehouse = out / "warehouse.duckdb"
    if warehouse.exists():  # a demo always starts from an empty warehouse
        warehouse.unlink()
    from ledger.store import ledger_path

    for suffix in ("", "-wal", "-shm", ".head"):  # ... and an empty ledger (demo only)
        Path(f"{ledger_path(warehouse)}{suffix}").unlink(missing_ok=True)
    report = pipeline.run(out / "landing", warehouse, notify=_note)
    _record_in_dagster(report, warehouse)
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    print_report(report, warehouse, ground_truth=truth["alerts"])
    print_planted_failures(report, warehouse, truth)
    console.print("\n[bold]Next[/] (commands work as pasted, from this folder)")
    steps = hints.next_steps(warehouse, report.published_to, out / "ground_truth.json")
    width = max(len(what) for what, _ in steps) + 2
    for what, command in steps:
        console.print(f"  {what + ':':<{width}}{command}", highlight=False, soft_wrap=True)
    print_ledger_hint(warehouse)
    return EXIT_REFUSED if report.load.refused else EXIT_OK


def print_planted_failures(report, warehouse: Path, truth: dict) -> None:
    """Say which expectation failures the demo planted on purpose, and any it did not."""
    from searchlight.hints import planted_expectation_failures

    if not report.failed_expectations:
        return
    console.print("\n[bold]Expectation failures in the demo[/]")
    for failure, planted, unexplained in planted_expectation_failures(
            warehouse, report.failed_expectations, truth):
        if planted and not unexplained:
            console.print(f"  planted on purpose: {failure.source} {failure.expectation}"
                          f"({failure.column}) — {'; '.join(planted)}", highlight=False)
        else:
            console.print(f"  [red]not planted — a real problem:[/] {failure}; rows: "
                          f"{unexplained[:3]}", highlight=False)
    console.print("  The demo plants rows that break the expectations on purpose (see "
                  "scenarios in ground_truth.json); on real exports each failure is a row "
                  "to check with the platform.", highlight=False)


def print_ledger_hint(warehouse: Path) -> None:
    """How to work the demo's own alerts through the supervision ledger (督办台账)."""
    from ledger.store import ledger_path
    from searchlight import hints

    alert_id = hints.first_new_alert(warehouse)
    if not alert_id:
        return
    console.print("\n[bold]Try the supervision ledger (督办台账)[/]")
    for command, comment in hints.ledger_commands(warehouse, alert_id,
                                                  hints.command_prefix()):
        console.print(f"  {command}" + (f"   # {comment}" if comment else ""),
                      highlight=False, soft_wrap=True)
    console.print(f"  actions survive rebuilds: they live in "
                  f"{hints.shell_path(ledger_path(warehouse))}", highlight=False)


def cmd_demo_bench(args) -> int:
    from synthetic.scale import generate_scale

    console.print(f"Generating a benchmark district (scale {args.scale:g}: about "
                  f"{args.scale * 10_000:,.0f} cases, seed {args.seed}) in {args.out}/ …")
    m = generate_scale(args.out, args.scale, args.seed, progress=console.print)
    rows = sum(m.rows.values())
    console.print(f"{rows:,} rows in {sum(m.files.values())} files, {m.seconds:.0f} s: "
                  + ", ".join(f"{s} {n:,}" for s, n in sorted(m.rows.items())))
    from searchlight.hints import command_prefix, shell_path

    console.print(f"\nrun it: {command_prefix()} run --landing {shell_path(m.landing)} "
                  f"--warehouse {shell_path(args.out / 'warehouse.duckdb')} --no-progress",
                  highlight=False, soft_wrap=True)
    return 0


def _warn_demo_key() -> None:
    from searchlight.pipeline import DEMO_KEY_WARNING, pseudonym_key_is_default

    if pseudonym_key_is_default():
        err.print(f"[yellow]warning:[/] {DEMO_KEY_WARNING}")


def print_report(report, warehouse: Path, ground_truth: dict | None = None) -> None:
    load = report.load
    files = Table(title="Files")
    for col in ("source", "file", "status", "read", "loaded", "quarantined", "note"):
        files.add_column(col, justify="right" if col in ("read", "loaded", "quarantined")
                         else "left", no_wrap=col in ("source", "file"))
    for f in load.new:  # files an earlier run decided on are counted below, not listed
        note = f.message or (f"extra columns kept: {', '.join(f.extra_columns)}"
                             if f.extra_columns else "")
        files.add_row(f.source, f.file_name, f.status, str(f.rows_read), str(f.rows_loaded),
                      str(f.rows_quarantined), note)
    if load.new:
        console.print(files)
    earlier = len(load.files) - len(load.new)
    if earlier:
        console.print(f"{earlier:,} file(s) loaded or recorded by earlier runs: nothing new "
                      "in them (not listed)")
    if not load.files:
        console.print("no files in the landing folder")
    loaded = sum(f.rows_loaded for f in load.files)
    quarantined = sum(f.rows_quarantined for f in load.files)
    console.print(f"rows loaded: {loaded:,}   quarantined: {quarantined:,} "
                  f"(see raw.quarantine)   files refused: {len(load.refused)}")
    for failure in report.expectation_failures:
        console.print(f"[yellow]expectation failed:[/] {failure}", highlight=False)
    if report.expectation_failures:
        console.print("  (rows stay loaded; raw.expectation_results has the details)",
                      highlight=False)

    rules = Table(title=f"Alerts per rule (as of {report.as_of})")
    rules.add_column("rule")
    for col in ("evaluated", "fired", "not evaluable"):
        rules.add_column(col, justify="right")
    if ground_truth is not None:
        rules.add_column("planted (ground truth)", justify="right")
    for cov in report.coverage:
        row = [cov["rule_code"], f"{cov['evaluated']:,}", f"{cov['fired']:,}",
               f"{cov['not_evaluable']:,}"]
        if ground_truth is not None:
            row.append(f"{len(ground_truth.get(cov['rule_code'], {})):,}")
        rules.add_row(*row)
    console.print(rules)
    console.print(f"dbt build: {report.dbt_seconds:.1f} s   warehouse: {warehouse}   "
                  f"log: {report.log}", highlight=False)
    for f in load.refused:
        err.print(f"[bold red]refused, not loaded:[/] {f.message}", highlight=False)
    if load.refused:
        err.print(f"[bold red]{len(load.refused)} file(s) refused[/]: the warehouse is "
                  "built without them (exit code 4); fix or re-export each and run again",
                  highlight=False)


def report_as_dict(report) -> dict:
    return {
        "as_of": report.as_of,
        "files": [vars(f) for f in report.load.files],
        "alerts_by_rule": report.alerts_by_rule,
        "coverage": report.coverage,
        "expectation_failures": report.expectation_failures,
        "published_to": report.published_to,
        "pseudonym_key_changed": report.key_changed,
        "notes": report.notes,
        "log": report.log,
    }


if __name__ == "__main__":
    sys.exit(main())
