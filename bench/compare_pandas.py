"""Searchlight against a plain pandas peer of the T and F rules, on the same generated data.

    python bench/compare_pandas.py --scale 10 [--data /tmp/bench] [--seed 7] [--keep]

Not a test: it prints figures and writes ``bench/results/peer_scale_<N>.json``.

  1. generate ``<data>/s<N>/landing`` with ``synthetic.scale.generate_scale`` (the bench
     district of ``bench/run.py``, same layout, reused when it is there already);
  2. ``searchlight run`` end to end over every export on an empty warehouse and ledger:
     the CLI as a child process, wall time and peak RSS of its process tree (dbt too);
  3. the T and F rules alone, the way Searchlight computes them: ``dbt run`` of every
     model between staging and the T/F rule models (the clock, suspensions, refusals,
     links and the 16 ``warn_`` models) on the warehouse step 2 built, with
     ``--full-refresh`` so incremental models recompute everything; wall time (dbt
     start-up included) and the models' own node seconds;
  4. ``bench/peer_pandas.py`` as a child process on the same landing folder: wall time,
     peak RSS, and its own split (reading and validating, T rules, F rules);
  5. the alerts of both, per rule, subject by subject (differences printed), and the
     ratios Searchlight / pandas: full run against the whole peer, and the T+F part
     (step 3) against the peer's rule phases.

The two do not do the same amount of work: ``searchlight run`` loads every source into a
warehouse (quarantine, lineage, pseudonyms), checks expectations, evaluates all 37 rules
and their coverage, keeps the ledger and publishes Parquet; the peer reads the 9 sources
the 16 T and F rules need and keeps nothing. The full-run ratio is what a user who only
wants these alerts pays for the rest; step 3 is the like-for-like figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import machine, tree_rss_kb  # the same figures as bench/run.py

RESULTS_DIR = ROOT / "bench" / "results"
PEER = ROOT / "bench" / "peer_pandas.py"
RULES = ("T01", "T02", "T03", "T04", "T05", "T06", "T07", "T08", "T09",
         "F01", "F02", "F03", "F04", "F05", "F06", "F07")
# The T and F rule models and everything they read between staging and them.
TF_SELECT = ["+warn_t*", "+warn_f*"]
TF_EXCLUDE = ["tag:staging"]


# --------------------------------------------------------------------------- timing

def timed_child(cmd: list[str], env: dict[str, str], log: Path) -> dict:
    """Run a command; wall seconds, peak RSS of its process tree (sampled every 0.1 s)."""
    peak = 0
    with log.open("w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, tree_rss_kb(proc.pid))
                stop.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        wall = time.perf_counter() - start
        stop.set()
        sampler.join()
    return {"cmd": " ".join(cmd), "returncode": code, "wall_s": round(wall, 2),
            "peak_rss_mib": peak // 1024, "log": str(log)}


def child_env(run_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SEARCHLIGHT_PSEUDONYM_KEY", "bench-key-not-secret")
    env["SEARCHLIGHT_TEMP_DIRECTORY"] = str(run_dir / "spill")
    env.pop("SEARCHLIGHT_LEDGER", None)  # the ledger beside this run's empty warehouse
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return env


def searchlight_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("searchlight")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "searchlight.cli"]


# --------------------------------------------------------------------------- steps

def generate(base: Path, scale: float, seed: int, regenerate: bool, say) -> dict:
    """The bench district (bench/run.py's layout); its figures, or the earlier run's."""
    if regenerate or not (base / ".complete").exists():
        from synthetic.scale import generate_scale

        m = generate_scale(base, scale, seed, progress=say)
        (base / ".complete").write_text(json.dumps(m.rows))
        info = {"seconds": round(m.seconds, 1), "rows": m.rows, "files": m.files}
        (base / "generate.json").write_text(json.dumps(info))
        say(f"generated in {m.seconds:.0f} s")
        return info
    path = base / "generate.json"
    return json.loads(path.read_text()) if path.exists() else {}


def searchlight_alerts(warehouse: Path) -> tuple[str, dict[str, list[str]]]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select rule_code, subject_id from marts.alerts where rule_code in "
            f"({', '.join(repr(r) for r in RULES)}) order by 1, 2").fetchall()
        as_of = con.execute("select max(as_of) from marts.rule_coverage").fetchone()[0]
    found: dict[str, list[str]] = {r: [] for r in RULES}
    for rule, subject in rows:
        found[rule].append(subject)
    return str(as_of), found


def tf_models(warehouse: Path, as_of: str, run_dir: Path, env: dict[str, str]) -> dict:
    """`dbt run` of the T/F rule models and what they read after staging (step 3)."""
    from searchlight.dbt import dbt_env, dbt_executable
    from searchlight.paths import DBT_PROJECT_DIR

    results = DBT_PROJECT_DIR / "target" / "run_results.json"
    results.unlink(missing_ok=True)
    cmd = [dbt_executable(), "run", "--select", *TF_SELECT, "--exclude", *TF_EXCLUDE,
           "--full-refresh", "--vars", json.dumps({"as_of": as_of}),
           "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    env = {**env, **dbt_env(warehouse)}
    out = timed_child(cmd, env, run_dir / "dbt_tf.log")
    if out["returncode"] != 0 or not results.exists():
        out["error"] = "dbt run of the T/F models failed: see the log"
        return out
    data = json.loads(results.read_text())
    nodes = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 3)
             for r in data["results"]}
    out["dbt_elapsed_s"] = round(data.get("elapsed_time") or 0.0, 2)
    out["models"] = len(nodes)
    out["model_node_s"] = round(sum(nodes.values()), 2)
    out["rule_node_s"] = round(sum(s for n, s in nodes.items() if n.startswith("warn_")), 2)
    out["nodes"] = nodes
    return out


def compare(searchlight: dict[str, list[str]], peer: dict[str, dict]) -> dict:
    """Per rule: both counts and the subjects only one of them found (a few of each)."""
    out = {}
    for rule in RULES:
        s, p = set(searchlight.get(rule, [])), set(peer.get(rule, {}))
        out[rule] = {"searchlight": len(s), "pandas": len(p), "same": s == p,
                     "only_searchlight": sorted(s - p)[:5], "only_pandas": sorted(p - s)[:5]}
    return out


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--data", type=Path, default=Path("/tmp/bench"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the warehouse afterwards")
    parser.add_argument("--skip-tf-models", action="store_true",
                        help="leave out step 3 (the separate dbt run of the T/F models)")
    args = parser.parse_args(argv)

    label = f"{args.scale:g}"
    say = lambda msg: print(f"[peer scale {label}] {msg}", flush=True)
    base = args.data / f"s{label}"
    result: dict = {"scale": args.scale, "machine": machine(),
                    "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    result["generate"] = generate(base, args.scale, args.seed, args.regenerate, say)
    landing = base / "landing"
    result["landing_mib"] = sum(f.stat().st_size for f in landing.rglob("*")
                                if f.is_file()) // 2**20

    run_dir = base / "peer_run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    warehouse = run_dir / "warehouse.duckdb"
    env = child_env(run_dir)

    from searchlight.paths import DBT_PROJECT_DIR
    if not (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
        subprocess.run([sys.executable, "-m", "orchestration.prepare"], check=True, cwd=ROOT)

    say("searchlight run ...")
    sl = timed_child([*searchlight_cmd(), "run", "--landing", str(landing), "--warehouse",
                      str(warehouse), "--no-progress", "--json"], env, run_dir / "searchlight.log")
    if sl["returncode"] != 0:
        say(f"searchlight run failed: see {sl['log']}")
        return 1
    as_of, sl_alerts = searchlight_alerts(warehouse)
    sl["as_of"] = as_of
    result["searchlight"] = sl
    say(f"searchlight run: {sl['wall_s']} s, peak RSS {sl['peak_rss_mib']} MiB, as of {as_of}")

    if not args.skip_tf_models:
        say("dbt run of the T/F models ...")
        tf = tf_models(warehouse, as_of, run_dir, env)
        result["searchlight_tf"] = tf
        say(f"T/F models: {tf['wall_s']} s wall, {tf.get('model_node_s')} node-s "
            f"({tf.get('models')} models)" + (f"; {tf['error']}" if "error" in tf else ""))

    say("pandas peer ...")
    peer_json = run_dir / "peer.json"
    pd_run = timed_child([sys.executable, str(PEER), str(landing), "--json", str(peer_json)],
                         env, run_dir / "peer.log")
    if pd_run["returncode"] != 0:
        say(f"pandas peer failed: see {pd_run['log']}")
        return 1
    peer = json.loads(peer_json.read_text())
    pd_run.update(as_of=peer["as_of"], phases_s=peer["seconds"], rows=peer["rows"],
                  invalid_rows_dropped=peer["invalid_rows_dropped"])
    result["pandas"] = pd_run
    say(f"pandas peer: {pd_run['wall_s']} s, peak RSS {pd_run['peak_rss_mib']} MiB "
        f"(read {peer['seconds']['read']} s, T {peer['seconds']['t_rules']} s, "
        f"F {peer['seconds']['f_rules']} s)")

    result["alerts"] = compare(sl_alerts, peer["alerts"])
    result["alerts_agree"] = all(r["same"] for r in result["alerts"].values())
    result["as_of_agree"] = as_of == peer["as_of"]
    rules_s = peer["seconds"]["t_rules"] + peer["seconds"]["f_rules"]
    tf = result.get("searchlight_tf", {})
    result["ratios"] = {
        "full_run_wall": ratio(sl["wall_s"], pd_run["wall_s"]),
        "full_run_peak_rss": ratio(sl["peak_rss_mib"], pd_run["peak_rss_mib"]),
        "tf_models_wall_vs_peer_rules": ratio(tf.get("wall_s"), rules_s),
        "tf_models_node_s_vs_peer_rules": ratio(tf.get("model_node_s"), rules_s),
    }
    result["machine"]["load_average_end"] = list(os.getloadavg())
    print_summary(result, say)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"peer_scale_{label}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    say(f"written {out.relative_to(ROOT)}")
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return 0 if result["alerts_agree"] and result["as_of_agree"] else 3


def print_summary(r: dict, say) -> None:
    say(f"as of: searchlight {r['searchlight']['as_of']}, pandas {r['pandas']['as_of']}")
    print("rule  searchlight  pandas  same")
    for rule, a in r["alerts"].items():
        line = f"{rule}  {a['searchlight']:>11,}  {a['pandas']:>6,}  {'yes' if a['same'] else 'NO'}"
        if not a["same"]:
            line += f"  only searchlight {a['only_searchlight']}  only pandas {a['only_pandas']}"
        print(line)
    x = r["ratios"]
    say(f"searchlight / pandas: full run {x['full_run_wall']}x wall, "
        f"{x['full_run_peak_rss']}x peak RSS; T+F part {x['tf_models_wall_vs_peer_rules']}x "
        f"(dbt wall) / {x['tf_models_node_s_vs_peer_rules']}x (node seconds)")
    la, lb = r["machine"]["load_average"][0], r["machine"]["load_average_end"][0]
    say(f"load average {la:.1f} -> {lb:.1f}")


if __name__ == "__main__":
    raise SystemExit(main())
