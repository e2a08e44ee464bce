"""Benchmark one scale: generate, full build, one more day, print and save the figures.

    python bench/run.py --scale 100 [--data /tmp/bench] [--threads 2] [--memory-limit 4GB]

Not a test: it prints figures and writes them to ``bench/results/scale_<N>.json``
(``bench/report.py`` turns those files into the tables of ``bench/RESULTS.md``).

Steps, each timed with the same functions ``searchlight run`` calls (``ingest.load``,
``searchlight.pipeline.check_expectations``, ``searchlight.dbt``):
  1. generate ``<data>/s<N>/landing`` with ``synthetic.scale`` unless it is there already;
  2. full build on an empty warehouse over every file except the last day's exports
     (the files whose name holds ``2026-06-30``): load per source (rows/s), expectations,
     dbt build (wall time, and node time split into models and tests, slowest nodes);
  3. daily run: the last day's files arrive, the same steps run on the same warehouse;
  4. peak RSS of the whole process tree (this process plus dbt) per step, sampled every
     0.1 s from /proc.

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
    """One `searchlight run`, step by step, with timings, rows and peak RSS."""
    import duckdb

    from ingest.load import LoadReport, ensure_raw_schema, load_source, refuse_unknown
    from ingest.load import connect as connect_warehouse
    from ledger import sync as ledger_sync
    from searchlight import dbt, pipeline

    out: dict = {"sources": {}}
    start = time.perf_counter()
    with PeakRss() as rss_load:
        report = LoadReport()
        t0 = time.perf_counter()
        with connect_warehouse(warehouse) as con:
            ensure_raw_schema(con)
            for name in sorted(p.name for p in landing.iterdir() if p.is_dir()):
                from ingest.sources import SOURCES
                if name not in SOURCES:
                    continue
                t = time.perf_counter()
                files = load_source(con, name, landing)
                secs = time.perf_counter() - t
                report.files += files
                rows = sum(f.rows_read for f in files)
                size = sum((landing / f.file_name).stat().st_size for f in files
                           if f.status == "loaded")
                out["sources"][name] = {"files": sum(f.status == "loaded" for f in files),
                                        "rows": rows, "bytes": size, "seconds": round(secs, 3),
                                        "rows_per_s": round(rows / secs) if secs else None}
            report.files += refuse_unknown(con, landing)
        out["load_s"] = round(time.perf_counter() - t0, 2)
    out["rows_loaded"] = report.rows_loaded
    out["rows_quarantined"] = report.rows_quarantined
    out["load_summary"] = report.summary()
    out["ingest_rows_per_s"] = round(report.rows_read / out["load_s"]) if out["load_s"] else None
    with PeakRss() as rss_gx:
        t = time.perf_counter()
        failures = pipeline.check_expectations(warehouse)
        out["expectations_s"] = round(time.perf_counter() - t, 2)
    out["expectation_failures"] = len(failures)
    with PeakRss() as rss_dbt:
        t = time.perf_counter()
        ledger_sync.restore(warehouse)  # as pipeline.run: the ledger schema dbt reads
        result = dbt.invoke(dbt.build_args(), warehouse)
        out["dbt_wall_s"] = round(time.perf_counter() - t, 2)
    out["dbt_elapsed_s"] = round(result.elapsed_s, 2)
    out.update(_dbt_profile())  # before the ledger build overwrites run_results.json
    with PeakRss() as rss_ledger:
        t = time.perf_counter()
        ledger_sync.after_build(warehouse)
        out["ledger_s"] = round(time.perf_counter() - t, 2)
    out["total_s"] = round(time.perf_counter() - start, 2)
    out["peak_rss_mib"] = {"load": rss_load.peak_kb // 1024,
                           "expectations": rss_gx.peak_kb // 1024,
                           "dbt": rss_dbt.peak_kb // 1024,
                           "ledger": rss_ledger.peak_kb // 1024}
    out["peak_rss_mib"]["run"] = max(out["peak_rss_mib"].values())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        out["alerts"] = con.execute("select count(*) from marts.alerts").fetchone()[0]
        out["as_of"] = str(con.execute("select max(as_of) from marts.rule_coverage")
                           .fetchone()[0])
    out["warehouse_mib"] = warehouse.stat().st_size // 2**20
    return out


def _dbt_profile() -> dict:
    from searchlight.paths import DBT_PROJECT_DIR

    data = json.loads((DBT_PROJECT_DIR / "target" / "run_results.json").read_text())
    by_type: dict[str, float] = {}
    nodes = []
    for r in data["results"]:
        kind = r["unique_id"].split(".", 1)[0]
        by_type[kind] = by_type.get(kind, 0.0) + r["execution_time"]
        nodes.append((r["execution_time"], r["unique_id"]))
    nodes.sort(reverse=True)
    return {"dbt_node_s": {k: round(v, 2) for k, v in by_type.items()},
            "dbt_slowest": [[n, round(s, 2)] for s, n in nodes[:12]],
            # every node, for profiles beyond the slowest dozen (bench/report.py)
            "dbt_nodes": {n.split(".", 1)[1]: round(s, 2) for s, n in nodes}}


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
