"""DuckDB's own CSV reader (ingest/load.py, ``load_with_duckdb_reader``) gives what the
exact readers give: the same raw rows, quarantined rows, record numbers and load_files records; and it
declines a file whose records are not one line each, which the exact readers then load."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingest import load as load_module
from ingest.load import load_landing, load_source
from tests.ingest.conftest import CASES_HEADER, case_row

pytestmark = pytest.mark.unit

HERE = Path(__file__).parent
LANDINGS = [HERE.parent / "conformance" / "landing",
            *sorted(p / "landing" for p in (HERE / "malformed").iterdir()
                    if (p / "landing").is_dir())]


def _tables(warehouse: Path) -> dict[str, list]:
    """Every raw table's rows but the wall-clock columns, in a stable order."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for (table,) in con.execute("select table_name from information_schema.tables "
                                    "where table_schema = 'raw'").fetchall():
            cols = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = "
                "'raw' and table_name = ? order by ordinal_position", [table]).fetchall()
                if c not in ("_loaded_at", "loaded_at")]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[table] = con.execute(f"select {quoted} from raw.{table} "
                                     f"order by all").fetchall()
    return out


@pytest.mark.parametrize("landing", LANDINGS, ids=lambda p: p.parent.name)
def test_duckdb_reader_loads_exactly_what_the_exact_readers_load(landing, tmp_path,
                                                                monkeypatch):
    copy = tmp_path / "landing"
    shutil.copytree(landing, copy)
    load_landing(tmp_path / "native.duckdb", copy, progress=False)
    monkeypatch.setattr(load_module, "load_with_duckdb_reader", lambda *args: False)
    load_landing(tmp_path / "exact.duckdb", copy, progress=False)
    assert _tables(tmp_path / "native.duckdb") == _tables(tmp_path / "exact.duckdb")


def _spy(monkeypatch) -> list[bool]:
    taken: list[bool] = []
    real = load_module.load_with_duckdb_reader

    def spy(*args):
        taken.append(real(*args))
        return taken[-1]

    monkeypatch.setattr(load_module, "load_with_duckdb_reader", spy)
    return taken


def test_a_plain_utf8_file_is_read_by_duckdb_with_exact_record_numbers(con, write, landing,
                                                                      monkeypatch):
    taken = _spy(monkeypatch)
    rows = [case_row(f"C{i}") for i in range(5)]
    rows[3] = case_row("C3", submitted_at="not a time")
    write("cases/a.csv", "\n".join([CASES_HEADER, *rows]) + "\n")
    [result] = load_source(con, "cases", landing)
    assert taken == [True]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 4, 1)
    assert con.execute("select list(_line order by _line) from raw.cases").fetchone()[0] \
        == [2, 3, 4, 6]
    [(line, reason)] = con.execute("select line, reason from raw.quarantine").fetchall()
    assert line == 5 and "submitted_at" in reason


@pytest.mark.parametrize("body, why, line", [
    ('C1,I1,D01,,线上,自然人,X,"张\n三",,,,2025-04-25,,S1,,已受理,,,,2025-04-26\n',
     "quoted newline", 4),
    ("\n", "blank line", 3),  # the exact readers skip a blank line, as they always did
    ("C1,I1,D01\n", "row of the wrong width", 4),
])
def test_a_file_duckdb_cannot_number_exactly_goes_to_the_exact_readers(
        con, write, landing, monkeypatch, body, why, line):
    taken = _spy(monkeypatch)
    write("cases/a.csv", CASES_HEADER + "\n" + case_row("C0") + "\n" + body
          + case_row("C9", submitted_at="not a time") + "\n")
    load_source(con, "cases", landing)
    assert taken == [False], why
    assert con.execute("select line from raw.quarantine where reason like '%submitted_at%'"
                       ).fetchall() == [(line,)], why

