"""Benchmark one scale: generate, full build, one more day, print and save the figures.

    python bench/run.py --scale 100 [--data /tmp/bench] [--threads 2] [--memory-limit 4GB]

Not a test: it prints figures and writes them to ``bench/results/scale_<N>.json``
(``bench/report.py`` turns those files into the tables of ``bench/RESULTS.md``).

Steps, each one ``searchlight run`` end to end (``searchlight.pipeline.run``, the code
path of the CLI, publication included), timed as a whole and per step of the run
(``searchlight.runstate``: load, expectations, ledger restore, dbt build, ledger sync,
summary, publish):
  1. generate ``<data>/s<N>/landing`` with ``synthetic.scale`` unless it is there already;
  2. full build on an empty warehouse over every file except the last day's exports
     (the files whose name holds ``2026-06-30``): rows per source, rows/s of the load
     step, dbt node time split into models and tests, slowest nodes;
  3. daily run: the last day's files arrive, the same run on the same warehouse;
  4. peak RSS of the whole process tree (this process plus dbt), sampled every 0.1 s
     from /proc. Per-source load rates: ``bench/ingest_speed.py``.

The landing folder of a run holds symbolic links to the generated files, so nothing is
copied; the warehouse lives beside it under ``<data>``, never in the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOLD_BACK = "2026-06-30"  # the "next day": exports with this date in the file name
RESULTS_DIR = ROOT / "bench" / "results"


# --------------------------------------------------------------------------- memory

def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants, in KiB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kb(p)
        todo += _children(p)
    return total


class PeakRss:
    """Samples the RSS of this process tree while the block runs."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak_kb = interval, 0
        self._stop = threading.Event()

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        pid = os.getpid()
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(pid))
            self._stop.wait(self.interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kb = max(self.peak_kb, tree_rss_kb(os.getpid()))


# --------------------------------------------------------------------------- steps

def machine() -> dict:
    mem = next((int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                if x.startswith("MemTotal:")), 0)
    cpu = next((x.split(":", 1)[1].strip() for x in Path("/proc/cpuinfo").read_text()
                .splitlines() if x.startswith("model name")), platform.processor())
    import duckdb

    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem / 2**20, 1),
            "os": platform.platform(), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "load_average": list(os.getloadavg()),
            "threads": os.environ.get("SEARCHLIGHT_THREADS", "2 (default)"),
            "memory_limit": os.environ.get("SEARCHLIGHT_MEMORY_LIMIT", "4GB (default)")}


def link_landing(src: Path, dst: Path, include_held_back: bool) -> int:
    """Symlink the generated files into dst; returns how many links were added."""
    added = 0
    for f in sorted(src.rglob("*")):
        if not f.is_file():
            continue
        if HOLD_BACK in f.name and not include_held_back:
            continue
        target = dst / f.relative_to(src)
        if target.exists() or target.is_symlink():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(f)
        added += 1
    return added


def timed_run(landing: Path, warehouse: Path) -> dict:
    """One ``searchlight run`` end to end (``searchlight.pipeline.run``, publication
    included), with the wall time of each of its steps, rows and peak RSS."""
    import duckdb

    from searchlight import pipeline

    out: dict = {"sources": {}}
    start = time.perf_counter()
    with PeakRss() as rss:
        report = pipeline.run(landing, warehouse, progress=False)
    out["total_s"] = round(time.perf_counter() - start, 2)
    steps = report.step_seconds
    out["step_s"] = {name: round(secs, 2) for name, secs in steps.items()}
    out["load_s"] = round(steps.get("load", 0.0), 2)
    out["expectations_s"] = round(steps.get("expectations", 0.0), 2)
    out["dbt_wall_s"] = round(steps.get("dbt build", 0.0), 2)
    out["ledger_s"] = round(steps.get("ledger restore", 0.0) + steps.get("ledger sync", 0.0), 2)
    out["publish_s"] = round(steps.get("publish", 0.0), 2)
    load = report.load
    for f in load.files:
        if f.status != "loaded" or f.seen_before:
            continue
        s = out["sources"].setdefault(f.source, {"files": 0, "rows": 0, "bytes": 0})
        s["files"] += 1
        s["rows"] += f.rows_read
        s["bytes"] += (landing / f.file_name).stat().st_size
    out["rows_loaded"] = load.rows_loaded
    out["rows_quarantined"] = load.rows_quarantined
    out["load_summary"] = load.summary()
    out["ingest_rows_per_s"] = round(load.rows_read / out["load_s"]) if out["load_s"] else None
    out["expectation_failures"] = len(report.expectation_failures)
    out["dbt_elapsed_s"] = round(report.dbt_seconds, 2)
    out.update(_dbt_profile(report.built_models))
    # The whole process tree (dbt runs as a child process), sampled through the whole run.
    out["peak_rss_mib"] = {"run": rss.peak_kb // 1024}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        out["alerts"] = con.execute("select count(*) from marts.alerts").fetchone()[0]
        out["as_of"] = str(con.execute("select max(as_of) from marts.rule_coverage")
                           .fetchone()[0])
    out["warehouse_mib"] = warehouse.stat().st_size // 2**20
    return out


def _dbt_profile(nodes: list[dict]) -> dict:
    """Node time by resource type, the slowest nodes and every node's time."""
    by_type: dict[str, float] = {}
    timed = []
    for node in nodes:
        kind = node["unique_id"].split(".", 1)[0]
        secs = node.get("execution_time") or 0.0
        by_type[kind] = by_type.get(kind, 0.0) + secs
        timed.append((secs, node["unique_id"]))
    timed.sort(reverse=True)
    return {"dbt_node_s": {k: round(v, 2) for k, v in by_type.items()},
            "dbt_nodes_run": len(nodes),
            "dbt_slowest": [[n, round(s, 2)] for s, n in timed[:12]],
            # every node, for profiles beyond the slowest dozen (bench/report.py)
            "dbt_nodes": {n.split(".", 1)[1]: round(s, 2) for s, n in timed}}


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--data", type=Path, default=Path("/tmp/bench"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", help="SEARCHLIGHT_THREADS for DuckDB and dbt")
    parser.add_argument("--memory-limit", help="SEARCHLIGHT_MEMORY_LIMIT, e.g. 4GB")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the warehouse afterwards")
    args = parser.parse_args(argv)
    if args.threads:
        os.environ["SEARCHLIGHT_THREADS"] = args.threads
    if args.memory_limit:
        os.environ["SEARCHLIGHT_MEMORY_LIMIT"] = args.memory_limit
    os.environ.setdefault("SEARCHLIGHT_PSEUDONYM_KEY", "bench-key-not-secret")

    label = f"{args.scale:g}"
    base = args.data / f"s{label}"
    result: dict = {"scale": args.scale, "machine": machine(),
                    "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    say = lambda msg: print(f"[scale {label}] {msg}", flush=True)

    generated = base / "landing"
    if args.regenerate or not (base / ".complete").exists():
        from synthetic.scale import generate_scale

        with PeakRss() as rss:
            m = generate_scale(base, args.scale, args.seed, progress=say)
        (base / ".complete").write_text(json.dumps(m.rows))
        result["generate"] = {"seconds": round(m.seconds, 1), "rows": m.rows,
                              "files": m.files, "peak_rss_mib": rss.peak_kb // 1024}
        (base / "generate.json").write_text(json.dumps(result["generate"]))
        say(f"generated in {m.seconds:.0f} s: {m.rows.get('cases', 0):,} case rows, "
            f"{m.rows.get('case_events', 0):,} events")
    elif (base / "generate.json").exists():  # generated by an earlier run: its figures
        result["generate"] = json.loads((base / "generate.json").read_text())
    result["landing_mib"] = sum(f.stat().st_size for f in generated.rglob("*")
                                if f.is_file()) // 2**20

    run_dir = base / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    landing, warehouse = run_dir / "landing", run_dir / "warehouse.duckdb"
    link_landing(generated, landing, include_held_back=False)
    os.environ["SEARCHLIGHT_TEMP_DIRECTORY"] = str(run_dir / "spill")

    from searchlight.paths import DBT_PROJECT_DIR
    if not (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
        import subprocess
        subprocess.run([sys.executable, "-m", "orchestration.prepare"], check=True, cwd=ROOT)

    say("full build ...")
    result["full"] = timed_run(landing, warehouse)
    say(_line(result["full"]))
    result["next_day_files"] = link_landing(generated, landing, include_held_back=True)
    say(f"daily run ({result['next_day_files']} new files) ...")
    result["daily"] = timed_run(landing, warehouse)
    say(_line(result["daily"]))
    result["machine"]["load_average_end"] = list(os.getloadavg())

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"scale_{label}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    say(f"written {out.relative_to(ROOT)}")
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return 0


def _line(r: dict) -> str:
    return (f"load {r['load_s']} s ({r['ingest_rows_per_s']:,} rows/s), expectations "
            f"{r['expectations_s']} s, dbt {r['dbt_wall_s']} s; total {r['total_s']} s; "
            f"peak RSS {r['peak_rss_mib']['run']} MiB; {r['alerts']} alerts at {r['as_of']}")


if __name__ == "__main__":
    raise SystemExit(main())
