"""The corpus of malformed files (tests/ingest/malformed/<case>/): each file's outcome.

Every case is a landing folder and an ``expected.json`` giving, per file, the status it
must end in, fragments its reason must hold (the refusal message, or the quarantine
reasons), and for a file that loads the number of records it holds (``rows_in``, counted
by hand) and how many must end in raw and in quarantine. For every file: exactly one
record in raw.load_files; for every file that loads: rows in = rows in raw + rows in
quarantine; and a second load of the same folder adds nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.load import load_landing
from ingest.sources import SOURCES

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).parent / "malformed"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").exists())


def _expected(case: str) -> dict:
    return json.loads((CORPUS / case / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(params=CASES)
def loaded_case(request, tmp_path):
    case = request.param
    landing = tmp_path / "landing"
    shutil.copytree(CORPUS / case / "landing", landing)
    warehouse = tmp_path / "w.duckdb"
    report = load_landing(warehouse, landing, progress=False)
    return case, _expected(case), landing, warehouse, report


def test_every_case_lists_every_file_it_holds():
    for case in CASES:
        landing = CORPUS / case / "landing"
        files = sorted(p.relative_to(landing).as_posix() for p in landing.rglob("*")
                       if p.is_file() and not p.name.startswith("."))
        assert files == sorted(_expected(case)["files"]), case


def test_each_malformed_file_ends_as_expected_with_its_reason(loaded_case):
    case, expected, _, warehouse, report = loaded_case
    results = {f.file_name: f for f in report.files}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name, want in expected["files"].items():
            recorded = con.execute(
                "select status, message, batch_id, rows_read from raw.load_files "
                "where file_name = ?", [name]).fetchall()
            assert len(recorded) == 1, f"{case}/{name}: {len(recorded)} load_files rows"
            status, message, batch, rows_read = recorded[0]
            assert status == want["status"] == results[name].status, (case, name, message)
            reasons = message or ""
            if status == "loaded":
                source = SOURCES[name.split("/")[0]].name
                in_raw = con.execute(f"select count(*) from raw.{source} where _batch_id = ?",
                                     [batch]).fetchone()[0]
                quarantined = con.execute(
                    "select count(*), string_agg(reason, ' | ') from raw.quarantine "
                    "where batch_id = ?", [batch]).fetchone()
                assert (in_raw, quarantined[0]) == (want["rows_loaded"],
                                                    want["rows_quarantined"]), (case, name)
                assert want["rows_in"] == rows_read == in_raw + quarantined[0], (case, name)
                reasons = quarantined[1] or ""
                if "raw" in want:
                    rows = con.execute(want["raw"]["sql"]).fetchall()
                    assert [list(r) for r in rows] == want["raw"]["rows"], (case, name)
            for fragment in want.get("reason", []):
                assert fragment in reasons, f"{case}/{name}: {fragment!r} not in {reasons!r}"


def test_loading_the_corpus_again_adds_nothing(loaded_case):
    case, expected, landing, warehouse, _ = loaded_case

    def counts() -> dict:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            tables = [t for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()]
            return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
                    for t in tables}

    before = counts()
    again = load_landing(warehouse, landing, progress=False)
    assert counts() == before, case
    for f in again.files:
        want = expected["files"][f.file_name]["status"]
        assert f.status == ("already loaded" if want == "loaded" else want), (case, f)
