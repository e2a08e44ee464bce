"""Turn bench/results/scale_*.json into the markdown tables of bench/RESULTS.md.

    python bench/report.py            # prints the tables and writes bench/results/tables.md
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
TARGETS = {"ingest_rows_per_s": 1_000_000, "full_s": 180, "daily_s": 15, "rss_mib": 6 * 1024}


def load_results() -> list[dict]:
    out = [json.loads(p.read_text()) for p in RESULTS_DIR.glob("scale_*.json")]
    return sorted(out, key=lambda r: r["scale"])


def _rows(r: dict) -> int:
    return sum(s["rows"] for s in r["full"]["sources"].values()) + sum(
        s["rows"] for s in r["daily"]["sources"].values())


def overview(results: list[dict]) -> str:
    head = ("| scale | cases | case rows | events | all rows | CSV MiB | load avg (start→end) "
            "| full: load s | rows/s | expectations s | dbt s | ledger s | total s | peak RSS MiB "
            "| daily: load s | expectations s | dbt s | ledger s | total s | peak RSS MiB |")
    lines = [head, "|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|"]
    for r in results:
        f, d = r["full"], r["daily"]
        src = f["sources"]
        la = r["machine"]["load_average"][0]
        lb = r["machine"].get("load_average_end", [la])[0]
        lines.append(
            f"| {r['scale']:g} | {r['scale'] * 10_000:,.0f} | "
            f"{src.get('cases', {}).get('rows', 0) + d['sources'].get('cases', {}).get('rows', 0):,} | "
            f"{src.get('case_events', {}).get('rows', 0) + d['sources'].get('case_events', {}).get('rows', 0):,} | "
            f"{_rows(r):,} | {r.get('landing_mib', 0):,} | {la:.1f}→{lb:.1f} | "
            f"{f['load_s']} | {f['ingest_rows_per_s']:,} | {f['expectations_s']} | "
            f"{f['dbt_wall_s']} | {f.get('ledger_s', '–')} | {f['total_s']} | "
            f"{f['peak_rss_mib']['run']:,} | "
            f"{d['load_s']} | {d['expectations_s']} | {d['dbt_wall_s']} | "
            f"{d.get('ledger_s', '–')} | {d['total_s']} | {d['peak_rss_mib']['run']:,} |")
    return "\n".join(lines)


def generation(results: list[dict]) -> str:
    lines = ["| scale | seconds | rows | files | peak RSS MiB |", "|---|---|---|---|---|"]
    for r in results:
        g = r.get("generate")
        if g:
            lines.append(f"| {r['scale']:g} | {g['seconds']} | {sum(g['rows'].values()):,} | "
                         f"{sum(g['files'].values()):,} | {g['peak_rss_mib']:,} |")
    return "\n".join(lines)


def dbt_split(results: list[dict]) -> str:
    lines = [("| scale | run | dbt wall s | dbt elapsed s | node s: models | node s: tests "
              "| node s: other |"), "|---|---|---|---|---|---|---|"]
    for r in results:
        for run in ("full", "daily"):
            x = r[run]
            n = x["dbt_node_s"]
            other = sum(v for k, v in n.items() if k not in ("model", "test"))
            lines.append(f"| {r['scale']:g} | {run} | {x['dbt_wall_s']} | {x['dbt_elapsed_s']} | "
                         f"{n.get('model', 0)} | {n.get('test', 0)} | {other:.2f} |")
    return "\n".join(lines)


def per_source(r: dict) -> str:
    lines = [f"Scale {r['scale']:g}, full build:", "",
             "| source | files | rows | MiB | seconds | rows/s |", "|---|---|---|---|---|---|"]
    for name, s in sorted(r["full"]["sources"].items(), key=lambda kv: -kv[1]["rows"]):
        lines.append(f"| {name} | {s['files']} | {s['rows']:,} | {s['bytes'] / 2**20:,.1f} | "
                     f"{s['seconds']} | {s['rows_per_s'] or 0:,} |")
    return "\n".join(lines)


def slowest(r: dict, run: str = "full") -> str:
    lines = [f"Scale {r['scale']:g}, {run} run, slowest dbt nodes (seconds):", "",
             "| node | s |", "|---|---|"]
    lines += [f"| {n} | {s} |" for n, s in r[run]["dbt_slowest"]]
    return "\n".join(lines)


def targets(results: list[dict]) -> str:
    """Each target of issue 7 against the largest scale measured: met, or missed by ×N."""
    r = results[-1]
    f, d = r["full"], r["daily"]
    rows = [("ingest ≥ 1M rows/s", f["ingest_rows_per_s"], TARGETS["ingest_rows_per_s"], True),
            ("full build ≤ 180 s", f["total_s"], TARGETS["full_s"], False),
            ("daily run ≤ 15 s", d["total_s"], TARGETS["daily_s"], False),
            ("peak RSS ≤ 6 GiB (MiB)", max(f["peak_rss_mib"]["run"], d["peak_rss_mib"]["run"]),
             TARGETS["rss_mib"], False)]
    lines = [f"Scale {r['scale']:g}:", "", "| target | measured | status |", "|---|---|---|"]
    for name, got, want, higher_is_better in rows:
        ok = got >= want if higher_is_better else got <= want
        factor = (want / got if higher_is_better else got / want) if got else float("inf")
        lines.append(f"| {name} | {got:,} | {'met' if ok else f'missed by {factor:.1f}×'} |")
    return "\n".join(lines)


def growth(results: list[dict]) -> str:
    by = {r["scale"]: r for r in results}
    pairs = [(a, b) for a, b in ((10, 100), (100, 1000)) if a in by and b in by]
    if not pairs:
        return "(needs two of the scales 10, 100, 1000)"
    lines = [("| from → to | rows × | full load × | full dbt × | full total × | daily total × "
              "| full peak RSS × |"), "|---|---|---|---|---|---|---|"]
    for a, b in pairs:
        ra, rb = by[a], by[b]

        def x(f, ra=ra, rb=rb):
            va, vb = f(ra), f(rb)
            return f"{vb / va:.1f}" if va else "n/a"
        lines.append(f"| {a:g} → {b:g} | {x(_rows)} | {x(lambda r: r['full']['load_s'])} | "
                     f"{x(lambda r: r['full']['dbt_wall_s'])} | "
                     f"{x(lambda r: r['full']['total_s'])} | "
                     f"{x(lambda r: r['daily']['total_s'])} | "
                     f"{x(lambda r: r['full']['peak_rss_mib']['run'])} |")
    return "\n".join(lines)


def main() -> int:
    results = load_results()
    if not results:
        print("no results yet: run bench/run.py first")
        return 1
    parts = ["## Overview", overview(results), "## Generation (synthetic/scale.py)",
             generation(results), "## dbt build: models and tests",
             dbt_split(results), "## Ingest per source", per_source(results[-1]),
             "## Where the time goes", slowest(results[-1]), slowest(results[-1], "daily"),
             "## Growth", growth(results), "## Targets", targets(results)]
    text = "\n\n".join(parts) + "\n"
    (RESULTS_DIR / "tables.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
