"""Value parsing in SQL: every timestamp form of the contract and both ID checksums."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from ingest.sources import SOURCES
from ingest.validate import RowSource, checked_select, credit_code_ok, lit, resident_id_ok
from tests.ingest.conftest import CREDIT_CODES, RESIDENT_IDS

pytestmark = pytest.mark.unit


def _parse(values: list[str]) -> list:
    """Run the cases validation query over submitted_at values; return (value, reason)."""
    con = duckdb.connect()
    rows = ", ".join(f"({lit(v)}, {i})" for i, v in enumerate(values))
    con.execute(f"CREATE TABLE t AS SELECT * FROM (VALUES {rows}) v(ts, _line)")
    source = SOURCES["reviews"]
    sql = checked_select(source, RowSource(
        "t", {"review_id": "'R'", "rating": "'5'", "reviewed_at": "ts"}, [], "ts"))
    return con.execute(f"SELECT reviewed_at, _reason FROM ({sql}) ORDER BY _line").fetchall()


@pytest.mark.parametrize("text, expected", [
    ("2024-03-05 09:15:00", dt.datetime(2024, 3, 5, 9, 15)),
    ("2024-03-05T09:15:00", dt.datetime(2024, 3, 5, 9, 15)),
    ("2024/3/5 9:15", dt.datetime(2024, 3, 5, 9, 15)),
    ("2024-03-05", dt.datetime(2024, 3, 5)),
    ("2024-03-05T09:15:00+08:00", dt.datetime(2024, 3, 5, 9, 15)),
    ("2024-03-05T09:15:00+0800", dt.datetime(2024, 3, 5, 9, 15)),
    ("2024-03-05T01:15:00Z", dt.datetime(2024, 3, 5, 9, 15)),
    ("2024-03-05T01:15:00+00:00", dt.datetime(2024, 3, 5, 9, 15)),
    ("2024-03-04T20:15:00-05:00", dt.datetime(2024, 3, 5, 9, 15)),
    ("2024-03-05 09:15:00.250", dt.datetime(2024, 3, 5, 9, 15, 0, 250000)),
    ("2024-03-05T09:15:00.123456+08:00", dt.datetime(2024, 3, 5, 9, 15, 0, 123456)),
    (" 2024-03-05 09:15:00 ", dt.datetime(2024, 3, 5, 9, 15)),
])
def test_every_contract_timestamp_form_parses_to_china_local_time(text, expected):
    assert _parse([text]) == [(expected, None)]


@pytest.mark.parametrize("text", ["2024-02-30 10:00:00", "2024-13-01", "05/03/2024",
                                  "2024-03-05 25:00:00", "yesterday", "2024-03-05 09:15+8"])
def test_bad_timestamp_is_refused_with_reason_naming_the_column(text):
    [(value, reason)] = _parse([text])
    assert value is None
    assert reason.startswith("reviewed_at (评价时间): '") and text.strip() in reason
    assert "not a valid date/time" in reason


def _ok(expr: str, value: str) -> bool:
    return duckdb.sql(f"SELECT {expr.replace('{v}', lit(value))}").fetchall()[0][0]


@pytest.mark.parametrize("code", CREDIT_CODES)
def test_valid_credit_codes_pass_the_gb32100_checksum(code):
    assert _ok(credit_code_ok("{v}"), code)


@pytest.mark.parametrize("code", ["915001065W7FCHCE27", "915001065W7FCHCE2", "915001065I7FCHCE26"])
def test_bad_credit_codes_fail(code):
    assert not _ok(credit_code_ok("{v}"), code)


@pytest.mark.parametrize("rid", RESIDENT_IDS)
def test_valid_resident_ids_pass_the_gb11643_checksum(rid):
    assert _ok(resident_id_ok("{v}"), rid)


@pytest.mark.parametrize("rid", ["500106198404162495", "500106197010165090", "50010619840416249"])
def test_bad_resident_ids_fail(rid):
    assert not _ok(resident_id_ok("{v}"), rid)
