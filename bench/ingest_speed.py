"""Loader speed: rows/s per source for one landing folder, into a fresh warehouse.

    python bench/ingest_speed.py LANDING [--warehouse PATH] [--repeat N]

Loads every source folder of LANDING (as ``ingest.load.load_landing`` does, source by
source) and prints files, rows, seconds, rows/s and process CPU seconds (all threads)
per source and overall. Each repeat
starts from an empty warehouse. Not a test; numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from ingest.load import connect, ensure_raw_schema, load_source
from ingest.sources import SOURCES


def run_once(landing: Path, warehouse: Path) -> dict[str, tuple[int, int, float, float]]:
    for p in (warehouse, Path(str(warehouse) + ".wal")):
        p.unlink(missing_ok=True)
    out: dict[str, tuple[int, int, float, float]] = {}
    con = connect(warehouse)
    try:
        ensure_raw_schema(con)
        for name in SOURCES:
            if not (landing / name).is_dir():
                continue
            t, cpu = time.perf_counter(), time.process_time()
            results = load_source(con, name, landing)
            seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
            bad = [r for r in results if r.status not in ("loaded", "duplicate")]
            if bad:
                raise SystemExit(f"{name}: {bad[0].status}: {bad[0].message}")
            out[name] = (len(results), sum(r.rows_read for r in results), seconds, cpu)
    finally:  # closing checkpoints what the WAL still holds: part of the load's cost
        t, cpu = time.perf_counter(), time.process_time()
        con.close()
        out["(close)"] = (0, 0, time.perf_counter() - t, time.process_time() - cpu)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    tmp = None
    if args.warehouse is None:
        tmp = Path(tempfile.mkdtemp(prefix="ingest_speed_"))
        args.warehouse = tmp / "bench.duckdb"
    try:
        for _ in range(args.repeat):
            res = run_once(args.landing, args.warehouse)
            print(f"{'source':<20} {'files':>5} {'rows':>10} {'s':>7} {'rows/s':>9} "
                  f"{'cpu s':>7}")
            for name, (files, rows, s, cpu) in res.items():
                print(f"{name:<20} {files:>5} {rows:>10,} {s:>7.2f} {rows / s:>9,.0f} "
                      f"{cpu:>7.2f}")  # (close): rows 0, so rows/s 0
            files, rows, s, cpu = (sum(v[i] for v in res.values()) for i in range(4))
            print(f"{'overall':<20} {files:>5} {rows:>10,} {s:>7.2f} {rows / s:>9,.0f} "
                  f"{cpu:>7.2f}", flush=True)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
