"""Peak RSS of run_suites on raw.cases: python bench/expectations_memory.py DB [chunk_rows].

The DB is copied (run_suites appends results); see bench/RESULTS.md "Expectations memory".
"""
import os
import resource
import shutil
import sys
import time

db = sys.argv[1]
if len(sys.argv) > 2:
    os.environ["SEARCHLIGHT_EXPECTATION_CHUNK_ROWS"] = sys.argv[2]
import duckdb


def hwm():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmHWM", "VmRSS")):
                print(" ", line.strip())
hwm()
work = db + ".work"
shutil.copy(db, work)
con = duckdb.connect(work)
con.execute("set threads=2; set memory_limit='4GB'")
from expectations import run_suites

t = time.perf_counter()
results = run_suites(con, sources=["cases"])
el = time.perf_counter() - t
for r in results:
    print(r.source, r.success, r.row_count, len(r.batch_ids), r.statistics)
    for o in r.outcomes:
        print("  ", o.expectation, o.column, o.success, o.unexpected_count, o.element_count,
              {k: v for k, v in o.details.items() if k not in ("why", "kwargs")})
print(f"seconds {el:.1f}")
hwm()
print("maxrss MiB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print("loadavg", os.getloadavg())
os.remove(work)
