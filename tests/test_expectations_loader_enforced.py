"""The contract checks a run leaves out are enforced by the loader, check by check.

``expectations.invariants.loader_enforces`` drops from a run the contract checks that no
loaded row can fail (bench/RESULTS.md: they were most of the suites' time). For every such
check of every source, a row breaking it is quarantined by the real loader, with a reason
naming the column and the problem; a file without a required column is refused.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from expectations.invariants import CONTRACT, checks_for, loader_enforces, run_checks
from ingest.load import ensure_raw_schema, load_source
from ingest.sources import SOURCES
from ingest.validate import label

pytestmark = pytest.mark.unit

BREAKS = {  # how a row breaks each kind of check, and the words of the loader's reason
    "ExpectColumnValuesToNotBeNull": ("", "required value is missing"),
    "ExpectColumnValuesToBeInSet": ("NOT-A-CONTRACT-VALUE", "is not one of"),
    "ExpectColumnValuesToBeBetween": ("6", "is not a rating"),
}


def _enforced(source_name: str):
    return [c for c in checks_for(source_name) if loader_enforces(source_name, c)]


def test_every_contract_check_is_either_enforced_by_the_loader_or_still_run():
    for name in SOURCES:
        dropped = _enforced(name)
        assert all(c.kind == CONTRACT for c in dropped), name
        assert len(dropped) + len(run_checks(name)) == len(checks_for(name))
        assert {c.expectation for c in dropped} <= set(BREAKS), name


@pytest.mark.parametrize("source_name", [s for s in SOURCES if _enforced(s)])
def test_a_row_breaking_a_dropped_check_is_quarantined_with_its_reason(tmp_path: Path,
                                                                       source_name: str):
    source = SOURCES[source_name]
    checks = _enforced(source_name)
    header = source.column_names
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for check in checks:  # row k (record k + 2) breaks check k; other values are empty
        row = [""] * len(header)
        row[header.index(check.kwargs["column"])] = BREAKS[check.expectation][0]
        writer.writerow(row)
    landing = tmp_path / "landing"
    (landing / source_name).mkdir(parents=True)
    (landing / source_name / "f.csv").write_text(text.getvalue(), encoding="utf-8")
    con = duckdb.connect()
    ensure_raw_schema(con)
    [result] = load_source(con, source_name, landing)
    assert (result.status, result.rows_loaded, result.rows_quarantined) == \
        ("loaded", 0, len(checks)), result.message
    reasons = dict(con.execute("select line, reason from raw.quarantine").fetchall())
    for k, check in enumerate(checks):
        col = source.column(check.kwargs["column"])
        assert f"{label(col)}: " in reasons[k + 2], (check, reasons[k + 2])
        problem = reasons[k + 2].split(f"{label(col)}: ", 1)[1].split("; ")[0]
        assert BREAKS[check.expectation][1] in problem, (check, problem)


@pytest.mark.parametrize("source_name", list(SOURCES))
def test_a_file_without_a_required_column_is_refused(tmp_path: Path, source_name: str):
    source = SOURCES[source_name]
    required = source.required_columns[0]
    header = [c for c in source.column_names if c != required.name]
    landing = tmp_path / "landing"
    (landing / source_name).mkdir(parents=True)
    (landing / source_name / "f.csv").write_text(",".join(header) + "\n" + "," * (
        len(header) - 1) + "\n", encoding="utf-8")
    con = duckdb.connect()
    ensure_raw_schema(con)
    [result] = load_source(con, source_name, landing)
    assert result.status == "refused" and "missing required column" in result.message
