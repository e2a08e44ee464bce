"""The demo district on DuckDB and on Spark: the same alerts, and how long each takes.

    python bench/spark_equality.py --scale 1 --scale 10 [--data /tmp/bench-spark] [--seed 7]

Not a test (too slow for CI at these sizes): for each scale it generates the synthetic
district (synthetic.district, with its planted cases) unless it is there already, runs
`searchlight run` on a fresh DuckDB warehouse and `searchlight run --target spark` on a
fresh warehouse folder (each in its own process, one after the other, same pseudonym
key), and compares marts.alerts and marts.rule_coverage row by row and value by value
(searchlight.spark.equality: every column, JSON evidence as parsed values). Figures go to
``bench/results/spark_equality_scale_<N>.json`` and the table is printed; any difference
makes the exit code 1 and is listed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS_DIR = ROOT / "bench" / "results"
BENCH_KEY = "bench-spark-equality-key"
DBT_SECONDS = re.compile(r"dbt build: ([0-9.]+) s")


def searchlight() -> str:
    candidate = Path(sys.executable).with_name("searchlight")
    return str(candidate) if candidate.exists() else "searchlight"


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def timed_run(args: list[str], log: Path) -> dict:
    """One `searchlight run` in its own process; wall time, dbt time, exit code."""
    env = dict(os.environ, SEARCHLIGHT_PSEUDONYM_KEY=BENCH_KEY)
    load_before = load_average()
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.run([searchlight(), "run", *args, "--no-progress"], env=env,
                              stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    wall = time.monotonic() - started
    text = log.read_text(encoding="utf-8", errors="replace")
    match = DBT_SECONDS.search(text)
    return {"exit_code": code, "wall_s": round(wall, 1),
            "dbt_s": float(match[1]) if match else None,
            "load_average_before": load_before, "load_average_after": load_average(),
            "log": str(log)}


def bench_scale(scale: float, data: Path, seed: int) -> dict:
    from searchlight.publish import published_dir
    from searchlight.spark.equality import compare_builds, read_table
    from synthetic.district import generate_district

    folder = data / f"s{scale:g}"
    landing = folder / "landing"
    if not landing.is_dir():
        print(f"scale {scale:g}: generating the district in {folder} …", flush=True)
        generate_district(folder, scale=scale, seed=seed)
    duck, spark = folder / "duckdb.duckdb", folder / "spark"
    # fresh warehouses (and ledgers) on both engines: a full build, compared
    for path in (spark, published_dir(duck), published_dir(spark)):
        shutil.rmtree(path, ignore_errors=True)
    for path in (duck, *folder.glob("*.ledger.sqlite*"), *folder.glob("duckdb.duckdb.*")):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)

    print(f"scale {scale:g}: DuckDB …", flush=True)
    on_duckdb = timed_run(["--landing", str(landing), "--warehouse", str(duck)],
                          folder / "duckdb.log")
    print(f"scale {scale:g}: Spark …", flush=True)
    on_spark = timed_run(["--target", "spark", "--landing", str(landing),
                          "--warehouse", str(spark)], folder / "spark.log")
    result = {"scale": scale, "seed": seed, "duckdb": on_duckdb, "spark": on_spark,
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}
    if on_duckdb["exit_code"] or on_spark["exit_code"]:
        result["differences"] = None
        return result
    spark_marts = published_dir(spark) / "marts"
    found = compare_builds(duck, spark_marts)
    result["cases"] = len(read_table(duck, "fct_cases"))
    result["alerts"] = {"duckdb": len(read_table(duck, "alerts")),
                        "spark": len(read_table(spark_marts, "alerts"))}
    result["differences"] = {table: len(lines) for table, lines in found.items()}
    result["first_differences"] = {table: lines[:20] for table, lines in found.items()}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, action="append",
                        help="about scale × 10,000 cases; repeat for several (default 1)")
    parser.add_argument("--data", type=Path, default=Path("/tmp/bench-spark"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    failed = False
    for scale in args.scale or [1.0]:
        result = bench_scale(scale, args.data, args.seed)
        out = RESULTS_DIR / f"spark_equality_scale_{scale:g}.json"
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                       encoding="utf-8")
        d, s = result["duckdb"], result["spark"]
        print(f"scale {scale:g}: {result.get('cases', '?')} cases, alerts "
              f"{result.get('alerts')}; DuckDB run {d['wall_s']} s (dbt {d['dbt_s']} s), "
              f"Spark run {s['wall_s']} s (dbt {s['dbt_s']} s); differences "
              f"{result['differences']}; load {d['load_average_before']}–"
              f"{s['load_average_after']} -> {out}")
        for table, lines in (result.get("first_differences") or {}).items():
            for line in lines:
                print(f"  {table}: {line}")
        failed |= result["differences"] is None or any(result["differences"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
