"""Helpers for ingest tests: write small landing folders and open a warehouse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ingest.load import ensure_raw_schema

CASES_HEADER = ("case_id,item_code,dept_code,window_id,channel,applicant_type,applicant_id,"
                "applicant_name,applicant_phone,agent_id,agent_name,submitted_at,accepted_at,"
                "handler_staff_id,approver_staff_id,status,result,completed_at,"
                "promised_limit_days,updated_at")
RESIDENT_IDS = ("500106198404162494", "50010619701016509X")
CREDIT_CODES = ("915001065W7FCHCE26", "91500106DA7FLJW40B", "91500106W8T5QHYE9N",
                "915001063TDG0MR32H")


def case_row(case_id: str = "C1", applicant_id: str = RESIDENT_IDS[0],
             submitted_at: str = "2025-04-25 09:00:00", applicant_type: str = "自然人",
             agent_id: str = "", status: str = "已受理") -> str:
    return (f"{case_id},I1,D01,,线上,{applicant_type},{applicant_id},某,13900000000,"
            f"{agent_id},,{submitted_at},,S1,,{status},,,,2025-04-26 10:00:00")


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


@pytest.fixture
def write(landing: Path) -> Callable[..., Path]:
    """write('cases/a.csv', text, encoding='utf-8') -> path; bytes are written as-is."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return _write


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_raw_schema(connection)
    yield connection
    connection.close()
