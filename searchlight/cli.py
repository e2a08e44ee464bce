"""`searchlight`: the headless run and the demo.

    searchlight run --landing DIR --warehouse FILE.duckdb [--as-of YYYY-MM-DD] [--full-refresh]
    searchlight run --target spark --landing DIR --warehouse DIR   (Apache Spark: docs/spark.md)
    searchlight demo [--scale 1] [--seed 7] [--out demo]
    searchlight ledger list|show|assign|transfer|feedback|close|dismiss|reopen|verify
    searchlight demo --bench --scale 1000 --out /tmp/bench/s1000   (files only, no truth)
    searchlight console [--warehouse W] [--host H] [--port P]    (the supervision console)
    searchlight users add|list|remove …                          (its accounts)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

# Piped output (make, CI logs) would otherwise wrap the file table at 80 columns.
_WIDTH = max(shutil.get_terminal_size((140, 24)).columns, 120)
console = Console(width=_WIDTH)
err = Console(stderr=True, width=_WIDTH)


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
    run.add_argument("--landing", type=Path, required=True, help="landing folder")
    run.add_argument("--warehouse", type=Path, required=True,
                     help="DuckDB warehouse file (--target spark: a folder)")
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
        from searchlight.dbt import DbtError

        kind = "build failed" if isinstance(exc, DbtError) else type(exc).__name__
        err.print(f"[bold red]searchlight {args.command}: {kind}[/]\n{exc}")
        return 1
    return 2


def cmd_run(args) -> int:
    from searchlight import pipeline

    _warn_demo_key()
    report = pipeline.run(args.landing, args.warehouse, as_of=args.as_of,
                          progress=not args.no_progress, full_refresh=args.full_refresh,
                          target=args.target)
    if report.key_changed:
        err.print("[yellow]The pseudonym key differs from the one this warehouse was built "
                  "with: the incremental models were rebuilt in full (--full-refresh).[/]")
    if args.json:
        print(json.dumps(report_as_dict(report), ensure_ascii=False, indent=2, default=str))
    else:
        print_report(report, args.warehouse)
    return 0


def cmd_demo(args) -> int:
    from searchlight import pipeline
    from synthetic.district import generate_district

    out: Path = args.out
    if args.bench:
        return cmd_demo_bench(args)
    _warn_demo_key()
    console.print(f"Generating a synthetic district (scale {args.scale}, seed {args.seed}) "
                  f"in {out}/ …")
    manifest = generate_district(out, scale=args.scale, seed=args.seed)
    warehouse = out / "warehouse.duckdb"
    if warehouse.exists():  # a demo always starts from an empty warehouse
        warehouse.unlink()
    from ledger.store import ledger_path

    for suffix in ("", "-wal", "-shm"):  # ... and an empty ledger (demo only)
        Path(f"{ledger_path(warehouse)}{suffix}").unlink(missing_ok=True)
    report = pipeline.run(out / "landing", warehouse)
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    print_report(report, warehouse, ground_truth=truth["alerts"])
    console.print(
        "\n[bold]Next[/]\n"
        f"  warehouse (DuckDB):    {warehouse}\n"
        f"  marts as Parquet:      {report.published_to}\n"
        f"  ground truth:          {out / 'ground_truth.json'}\n"
        "  lineage and checks:    make dev   (Dagster UI at http://127.0.0.1:3000)\n"
        "  rule docs for auditors: make docs\n"
        f"  try SQL:               duckdb {warehouse} \"select rule_code, severity, subject_id, "
        "evidence from marts.alerts limit 10\""
    )
    print_ledger_hint(warehouse)
    del manifest
    return 0


def print_ledger_hint(warehouse: Path) -> None:
    """How to work the demo's own alerts through the supervision ledger (督办台账)."""
    import duckdb

    from ledger.store import ledger_path

    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select alert_id from marts.supervision_ledger where status = 'new' "
                          "order by severity = 'red' desc, alert_id limit 1").fetchone()
    if not row:
        return
    ledger = f"searchlight ledger --warehouse {warehouse}"
    console.print(
        "\n[bold]Try the supervision ledger (督办台账)[/]\n"
        f"  {ledger} list --severity red\n"
        f"  {ledger} show {row[0]}\n"
        f"  {ledger} assign {row[0]} --to 李四 --by 督查室\n"
        f"  {ledger} close {row[0]} --note 已整改 --by 督查室\n"
        f"  {ledger} verify      (the history is hash-chained)\n"
        f"  actions survive rebuilds: they live in {ledger_path(warehouse)}")


def cmd_demo_bench(args) -> int:
    from synthetic.scale import generate_scale

    console.print(f"Generating a benchmark district (scale {args.scale:g}: about "
                  f"{args.scale * 10_000:,.0f} cases, seed {args.seed}) in {args.out}/ …")
    m = generate_scale(args.out, args.scale, args.seed, progress=console.print)
    rows = sum(m.rows.values())
    console.print(f"{rows:,} rows in {sum(m.files.values())} files, {m.seconds:.0f} s: "
                  + ", ".join(f"{s} {n:,}" for s, n in sorted(m.rows.items())))
    console.print(f"\nrun it: searchlight run --landing {m.landing} "
                  f"--warehouse {args.out / 'warehouse.duckdb'} --no-progress")
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
    for f in load.files:
        note = f.message or (f"extra columns kept: {', '.join(f.extra_columns)}"
                             if f.extra_columns else "")
        files.add_row(f.source, f.file_name, f.status, str(f.rows_read), str(f.rows_loaded),
                      str(f.rows_quarantined), note)
    console.print(files)
    loaded = sum(f.rows_loaded for f in load.files)
    quarantined = sum(f.rows_quarantined for f in load.files)
    refused = [f for f in load.files if f.status == "refused"]
    console.print(f"rows loaded: {loaded:,}   quarantined: {quarantined:,} "
                  f"(see raw.quarantine)   files refused: {len(refused)}")
    for failure in report.expectation_failures:
        console.print(f"[yellow]expectation failed:[/] {failure}")

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
    console.print(f"dbt build: {report.dbt_seconds:.1f} s   warehouse: {warehouse}")


def report_as_dict(report) -> dict:
    return {
        "as_of": report.as_of,
        "files": [vars(f) for f in report.load.files],
        "alerts_by_rule": report.alerts_by_rule,
        "coverage": report.coverage,
        "expectation_failures": report.expectation_failures,
        "published_to": report.published_to,
        "pseudonym_key_changed": report.key_changed,
    }


if __name__ == "__main__":
    sys.exit(main())
