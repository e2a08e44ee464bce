"""Turn bench/results/scale_*.json into the markdown tables of bench/RESULTS.md.

    python bench/report.py            # prints the tables and writes bench/results/tables.md
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Issue 15's targets: (what, scale it is measured at, the figure's key path, target,
# higher is better). A target whose scale was not run is reported as not measured.
TARGETS = [
    ("full run, 10k cases, end to end ≤ 15 s", 1, ("full", "total_s"), 15, False),
    ("full run, 320k cases, end to end ≤ 25 s", 32, ("full", "total_s"), 25, False),
    ("full build, 10M cases ≤ 300 s (aim 180)", 1000, ("full", "total_s"), 300, False),
    ("daily run, 10M cases ≤ 60 s (aim 15)", 1000, ("daily", "total_s"), 60, False),
    ("ingest from CSV, 10M cases ≥ 1M rows/s", 1000, ("full", "ingest_rows_per_s"),
     1_000_000, True),
]
RSS_TARGET_MIB = 6 * 1024


def load_results() -> list[dict]:
    out = [json.loads(p.read_text()) for p in RESULTS_DIR.glob("scale_*.json")]
    return sorted(out, key=lambda r: r["scale"])


def _rows(r: dict) -> int:
    return sum(s["rows"] for s in r["full"]["sources"].values()) + sum(
        s["rows"] for s in r["daily"]["sources"].values())


def overview(results: list[dict]) -> str:
    head = ("| scale | cases | case rows | events | all rows | CSV MiB | load avg (start→end) "
            "| full: load s | rows/s | expectations s | dbt s | ledger s | publish s | total s "
            "| peak RSS MiB | daily: load s | expectations s | dbt s | ledger s | publish s "
            "| total s | peak RSS MiB |")
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
            f"{f['dbt_wall_s']} | {f.get('ledger_s', '–')} | {f.get('publish_s', '–')} | "
            f"{f['total_s']} | {f['peak_rss_mib']['run']:,} | "
            f"{d['load_s']} | {d['expectations_s']} | {d['dbt_wall_s']} | "
            f"{d.get('ledger_s', '–')} | {d.get('publish_s', '–')} | {d['total_s']} | "
            f"{d['peak_rss_mib']['run']:,} |")
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
    """Rows per source of the full build; seconds and rows/s only in results of the older
    harness, which timed each source (bench/ingest_speed.py gives them now)."""
    sources = sorted(r["full"]["sources"].items(), key=lambda kv: -kv[1]["rows"])
    timed = all("seconds" in s for _, s in sources)
    head = "| source | files | rows | MiB |" + (" seconds | rows/s |" if timed else "")
    lines = [f"Scale {r['scale']:g}, full build:", "", head,
             "|" + "---|" * (head.count("|") - 1)]
    for name, s in sources:
        line = f"| {name} | {s['files']} | {s['rows']:,} | {s['bytes'] / 2**20:,.1f} |"
        if timed:
            line += f" {s['seconds']} | {s['rows_per_s'] or 0:,} |"
        lines.append(line)
    return "\n".join(lines)


def slowest(r: dict, run: str = "full") -> str:
    lines = [f"Scale {r['scale']:g}, {run} run, slowest dbt nodes (seconds):", "",
             "| node | s |", "|---|---|"]
    lines += [f"| {n} | {s} |" for n, s in r[run]["dbt_slowest"]]
    return "\n".join(lines)


def targets(results: list[dict]) -> str:
    """Each target of issue 15 at its scale, and peak RSS at every scale: met, or missed
    by ×N."""
    by = {r["scale"]: r for r in results}
    lines = ["| target | scale | measured | status |", "|---|---|---|---|"]

    def line(name, scale, got, want, higher_is_better):
        if got is None:
            lines.append(f"| {name} | {scale:g} | not measured | – |")
            return
        ok = got >= want if higher_is_better else got <= want
        factor = (want / got if higher_is_better else got / want) if got else float("inf")
        lines.append(f"| {name} | {scale:g} | {got:,} | "
                     f"{'met' if ok else f'missed by {factor:.1f}×'} |")

    for name, scale, (run, key), want, higher in TARGETS:
        r = by.get(scale)
        line(name, scale, r[run][key] if r else None, want, higher)
    for scale, r in sorted(by.items()):
        rss = max(r["full"]["peak_rss_mib"]["run"], r["daily"]["peak_rss_mib"]["run"])
        line("peak RSS ≤ 6 GiB (MiB)", scale, rss, RSS_TARGET_MIB, False)
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
             "## Growth", growth(results), "## Targets (issue 15)", targets(results)]
    text = "\n\n".join(parts) + "\n"
    (RESULTS_DIR / "tables.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
