"""Loading landed files: encodings, formats, quarantine, refusals, idempotence, atomicity."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from ingest import load as load_module
from ingest.load import load_landing, load_source
from tests.ingest.conftest import CASES_HEADER, CREDIT_CODES, RESIDENT_IDS, case_row

CONFORMANCE = Path(__file__).resolve().parents[1] / "conformance" / "landing"

GBK_CASES = (
    "办件编号,事项编码,部门编码,窗口编号,申报渠道,申请人类型,申请人证件号码,申请人名称,"
    "联系电话,代办机构代码,代办机构名称,申请时间,受理时间,受理人工号,审批人工号,办件状态,"
    "办理结果,办结时间,承诺时限,更新时间\n"
    f"C1,I1,D01,W1,线下,自然人,{RESIDENT_IDS[0]},张三,13900000000,,,2025/4/25 9:00,,S1,,已受理,,,,"
    "2025-04-25 10:00:00\n"
    f"C2,I1,D01,,线上,法人,{CREDIT_CODES[0]},重庆某公司,,,,2025-04-25,,S1,,已申请,,,,"
    "2025-04-25 10:00:00\n"
    f'C3,I1,D01,,线上,自然人,{RESIDENT_IDS[1].lower()},"李\n四",,,,2025-04-25 09:00:00,,,,'
    "已申请,,,,2025-04-25 10:00:00\n"
)

pytestmark = pytest.mark.unit


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_gbk_file_with_alias_headers_loads_every_row(con, write, landing):
    write("cases/export.csv", GBK_CASES, encoding="gbk")
    [result] = load_source(con, "cases", landing)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == \
        ("loaded", 3, 3, 0), result.message
    rows = _rows(con, "SELECT case_id, applicant_id, applicant_name, submitted_at, _line "
                      "FROM raw.cases ORDER BY _line")
    assert rows == [
        ("C1", RESIDENT_IDS[0], "张三", dt.datetime(2025, 4, 25, 9, 0), 2),
        ("C2", CREDIT_CODES[0], "重庆某公司", dt.datetime(2025, 4, 25), 3),
        ("C3", RESIDENT_IDS[1], "李\n四", dt.datetime(2025, 4, 25, 9, 0), 4),
    ]


def test_utf8_bom_file_with_padded_fullwidth_headers_loads(con, write, landing):
    header = " 部门编码 ,部门名称,ＲＥＧＩＯＮ_ＣＯＤＥ"
    write("departments/d.csv", "\ufeff" + header + "\nD01,审批局,500106\nD02,住建委,\n")
    [result] = load_source(con, "departments", landing)
    assert result.status == "loaded" and result.rows_loaded == 2, result.message
    assert _rows(con, "SELECT dept_code, dept_name, region_code FROM raw.departments "
                      "ORDER BY 1") == [("D01", "审批局", "500106"), ("D02", "住建委", None)]


def test_xlsx_with_date_cells_loads_and_times_parse(con, landing):
    (landing / "reviews").mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["评价编号", "评价等级", "评价时间", "整改时间", "备注"])
    ws.append(["R1", 5, dt.datetime(2025, 5, 6, 9, 30), "2025/5/7 8:00", "现场"])
    ws.append(["R2", "不满意", dt.date(2025, 5, 8), None, None])
    wb.save(landing / "reviews" / "reviews.xlsx")
    [result] = load_source(con, "reviews", landing)
    assert (result.status, result.rows_loaded) == ("loaded", 2), result.message
    assert result.extra_columns == ["备注"]
    assert _rows(con, "SELECT review_id, rating, reviewed_at, rectified_at, _line, _extra "
                      "FROM raw.reviews ORDER BY 1") == [
        ("R1", 5, dt.datetime(2025, 5, 6, 9, 30), dt.datetime(2025, 5, 7, 8, 0), 2,
         '{"备注":"现场"}'),
        ("R2", 2, dt.datetime(2025, 5, 8), None, 3, None),
    ]


def test_jsonl_loads_and_a_malformed_line_is_quarantined_not_the_file(con, write, landing):
    good = {"ticket_id": "K1", "created_at": "2025-05-06T10:00:00+08:00", "category": "投诉",
            "dept_code": "D01", "deadline_at": "2025-05-08 17:30:00", "satisfaction": 5,
            "channel_note": "app"}
    lines = [json.dumps(good, ensure_ascii=False), "{not json", "",
             json.dumps({**good, "ticket_id": "K2", "satisfaction": None}), "[1, 2]"]
    write("hotline_tickets/t.jsonl", "\n".join(lines) + "\n")
    [result] = load_source(con, "hotline_tickets", landing)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == \
        ("loaded", 4, 2, 2)
    assert result.extra_columns == ["channel_note"]
    assert _rows(con, "SELECT ticket_id, created_at, satisfaction, _line, _extra "
                      "FROM raw.hotline_tickets ORDER BY 1") == [
        ("K1", dt.datetime(2025, 5, 6, 10), 5, 1, '{"channel_note":"app"}'),
        ("K2", dt.datetime(2025, 5, 6, 10), None, 4, '{"channel_note":"app"}'),
    ]
    assert _rows(con, "SELECT line, row_text, reason FROM raw.quarantine ORDER BY line") == [
        (2, "{not json", "line 2 is not a JSON object"),
        (5, "[1, 2]", "line 5 is not a JSON object"),
    ]


def test_invalid_rows_are_quarantined_with_every_reason_naming_the_column(con, write, landing):
    rows = [
        case_row("OK"),
        case_row("BADID", applicant_id="500106198404162495"),
        case_row("BADUSCC", applicant_type="法人", applicant_id="915001065W7FCHCE27"),
        case_row("BADTIME", submitted_at="2025-02-30 09:00"),
        case_row("", agent_id="91500106DA7FLJW40C", status="已完成"),
    ]
    write("cases/c.csv", "\n".join([CASES_HEADER, *rows]) + "\n")
    [result] = load_source(con, "cases", landing)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 1, 4)
    reasons = dict(_rows(con, "SELECT line, reason FROM raw.quarantine"))
    assert "applicant_id (申请人证件号码): '500106198404162495' is not a valid resident ID" \
        in reasons[3]
    assert "applicant_id (申请人证件号码): '915001065W7FCHCE27' is not a valid unified social " \
        "credit code" in reasons[4]
    assert "submitted_at (申请时间): '2025-02-30 09:00' is not a valid date/time" in reasons[5]
    problems = reasons[6].split("; ")
    assert problems == [
        "case_id (办件编号): required value is missing",
        ("agent_id (代办机构代码): '91500106DA7FLJW40C' is not a valid unified social credit "
         "code (18 characters, GB 32100 check character)"),
        "status (办件状态): '已完成' is not one of 已申请, 已受理, 办理中, 已办结, 不予受理, 退件, 撤回",
    ]
    row_text = json.loads(_rows(con, "SELECT row_text FROM raw.quarantine WHERE line = 6")[0][0])
    assert row_text["status"] == "已完成" and row_text["case_id"] == ""


def test_identifiers_lose_white_space_and_are_upper_cased(con, write, landing):
    write("staff/s.csv", "staff_id,staff_name,id_number,dept_code,is_official\n"
          f" S1 ,甲, {RESIDENT_IDS[1][:6]} {RESIDENT_IDS[1][6:].lower()} ,D01,否\n")
    [result] = load_source(con, "staff", landing)
    assert result.rows_loaded == 1, result.message
    assert _rows(con, "SELECT staff_id, id_number, is_official FROM raw.staff") == \
        [("S1", RESIDENT_IDS[1], False)]


def test_items_promised_limit_above_statutory_is_quarantined(con, write, landing):
    write("items/i.csv", "item_code,item_name,dept_code,item_type,statutory_limit_days,"
          "promised_limit_days\nI1,a,D01,承诺件,10,5\nI2,b,D01,承诺件,10,12\n")
    [result] = load_source(con, "items", landing)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert _rows(con, "SELECT reason FROM raw.quarantine") == [(
        ("promised_limit_days (承诺办结时限): 12 is more than statutory_limit_days "
         "(法定办结时限) 10"),)]


@pytest.mark.parametrize("content", ["a,b\n1,2\n".encode("utf-16"), bytes(range(256)) * 4])
def test_file_in_an_unknown_encoding_is_refused_naming_the_file(con, write, landing, content):
    write("departments/bad.csv", content)
    [result] = load_source(con, "departments", landing)
    assert result.status == "refused"
    assert result.message.startswith("departments/bad.csv: ")
    assert "encoding is not one we accept" in result.message
    assert _rows(con, "SELECT status, message FROM raw.load_files") == \
        [("refused", result.message)]


def test_missing_required_column_refuses_that_file_and_the_next_still_loads(con, write, landing):
    header_without_submitted = CASES_HEADER.replace("submitted_at,", "")
    row = case_row().replace(",2025-04-25 09:00:00", "")
    write("cases/cases_3.csv", f"{header_without_submitted}\n{row}\n")
    write("cases/cases_4.csv", f"{CASES_HEADER}\n{case_row()}\n")
    refused, loaded = load_source(con, "cases", landing)
    assert refused.status == "refused"
    assert refused.message == \
        "cases/cases_3.csv: missing required column(s) submitted_at (申请时间/提交时间)"
    assert (loaded.file_name, loaded.status, loaded.rows_loaded) == ("cases/cases_4.csv",
                                                                     "loaded", 1)


def test_unaccepted_extension_and_unknown_folder_are_refused_by_name(con, write, landing):
    write("departments/d.txt", "dept_code,dept_name\nD1,a\n")
    write("mystery/m.csv", "a\n1\n")
    report = load_landing(landing.parent / "w.duckdb", landing, progress=False)
    messages = {f.file_name: (f.status, f.message) for f in report.files}
    assert messages["departments/d.txt"][0] == "refused"
    assert "extension '.txt' is not accepted" in messages["departments/d.txt"][1]
    assert messages["mystery/m.csv"] == (
        "refused", "mystery/m.csv: folder 'mystery' is not a source we know; not loaded")


def test_rows_with_the_wrong_number_of_fields_are_quarantined_with_exact_lines(
        con, write, landing):
    write("windows/w.csv", 'window_id,hall_name,dept_code\nW1,"a\nb",D01\nW2,h\n'
          "W3,h,D01,extra\nW4,h,D01\n")
    [result] = load_source(con, "windows", landing)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    assert _rows(con, "SELECT window_id, _line FROM raw.windows ORDER BY 2") == \
        [("W1", 2), ("W4", 5)]
    assert _rows(con, "SELECT line, reason FROM raw.quarantine ORDER BY line") == [
        (3, "line 3: row has 2 fields but the header has 3"),
        (4, "line 4: row has 4 fields but the header has 3"),
    ]


def test_same_content_under_another_name_loads_once(con, write, landing):
    text = f"{CASES_HEADER}\n{case_row()}\n"
    write("cases/a.csv", text)
    write("cases/b.csv", text)
    first, second = load_source(con, "cases", landing)
    assert (first.status, second.status) == ("loaded", "duplicate")
    assert "same content as cases/a.csv" in second.message
    assert _rows(con, "SELECT count(*) FROM raw.cases") == [(1,)]
    assert _rows(con, "SELECT file_name, status FROM raw.load_files ORDER BY 1") == \
        [("cases/a.csv", "loaded"), ("cases/b.csv", "duplicate")]


def test_rerun_over_the_same_landing_folder_adds_nothing(con, write, landing):
    write("cases/a.csv", f"{CASES_HEADER}\n{case_row()}\n{case_row('C2', submitted_at='x')}\n")
    write("cases/b.csv", f"{CASES_HEADER}\n{case_row()}\n{case_row('C2', submitted_at='x')}\n")
    write("cases/bad.csv", "case_id\nC1\n")
    tables = ("raw.cases", "raw.quarantine", "raw.load_files")
    first = load_source(con, "cases", landing)
    counts = [_rows(con, f"SELECT count(*) FROM {t}")[0][0] for t in tables]
    assert counts == [1, 1, 3]
    again = load_source(con, "cases", landing)
    assert [_rows(con, f"SELECT count(*) FROM {t}")[0][0] for t in tables] == counts
    assert [r.status for r in first] == ["loaded", "duplicate", "refused"]
    assert [r.status for r in again] == ["already loaded", "duplicate", "refused"]
    assert [r.seen_before for r in again] == [True, True, False]
    assert "same content as cases/a.csv" in again[1].message


def test_a_file_failing_half_way_leaves_nothing_behind(con, write, landing, monkeypatch):
    write("cases/a.csv", f"{CASES_HEADER}\n{case_row()}\n{case_row('C2', submitted_at='x')}\n")
    write("cases/b.csv", f"{CASES_HEADER}\n{case_row('C3')}\n")

    def boom(con, result, loaded_at):  # raw and quarantine rows are in, commit is not
        assert con.execute("SELECT count(*) FROM raw.cases").fetchone()[0] == 1
        if result.file_name == "cases/a.csv":
            raise RuntimeError("disk full")
        return real(con, result, loaded_at)

    real = load_module.record_file
    monkeypatch.setattr(load_module, "record_file", boom)
    failed, loaded = load_source(con, "cases", landing)
    assert failed.status == "refused" and failed.failed and "disk full" in failed.message
    assert failed.message.startswith("cases/a.csv: ")
    assert "the next run tries it again" in failed.message
    assert loaded.status == "loaded"
    assert _rows(con, "SELECT case_id FROM raw.cases") == [("C3",)]
    assert _rows(con, "SELECT count(*) FROM raw.quarantine") == [(0,)]
    assert _rows(con, "SELECT file_name FROM raw.load_files") == [("cases/b.csv",)]
    monkeypatch.setattr(load_module, "record_file", real)
    retried = load_source(con, "cases", landing)
    assert [r.status for r in retried] == ["loaded", "already loaded"]


def test_counts_reconcile_per_file_and_with_the_tables(con, write, landing):
    write("cases/a.csv", "\n".join([CASES_HEADER, case_row("C1"), case_row("C2", "bad"),
                                    case_row("C3")]) + "\n")
    write("cases/b.csv", "\n".join([CASES_HEADER, case_row("C4", submitted_at="")]) + "\n")
    load_source(con, "cases", landing)
    assert _rows(con, """
        SELECT f.file_name, f.rows_read, f.rows_loaded, f.rows_quarantined,
               (SELECT count(*) FROM raw.cases c WHERE c._batch_id = f.batch_id),
               (SELECT count(*) FROM raw.quarantine q WHERE q.batch_id = f.batch_id)
        FROM raw.load_files f ORDER BY 1""") == [
        ("cases/a.csv", 3, 2, 1, 2, 1), ("cases/b.csv", 1, 0, 1, 0, 1)]


def test_unknown_extra_columns_are_kept_in_extra_and_reported(con, write, landing):
    write("windows/w.csv", "window_id,hall_name,dept_code,楼层,备注\nW1,h,D01,3,\nW2,h,D01,,\n")
    [result] = load_source(con, "windows", landing)
    assert result.extra_columns == ["楼层", "备注"]
    assert _rows(con, "SELECT window_id, _extra FROM raw.windows ORDER BY 1") == \
        [("W1", '{"楼层":"3","备注":null}'), ("W2", None)]
    assert _rows(con, "SELECT extra_columns FROM raw.load_files") == [('["楼层", "备注"]',)]


def test_conformance_landing_loads_every_file_with_no_quarantined_row(tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(CONFORMANCE, landing)
    report = load_landing(tmp_path / "w.duckdb", landing, progress=False)
    expected = sorted(p.relative_to(landing).as_posix() for p in landing.glob("*/*"))
    assert sorted(f.file_name for f in report.files) == expected
    assert all(f.status == "loaded" and f.rows_quarantined == 0 for f in report.files), \
        [f for f in report.files if f.status != "loaded" or f.rows_quarantined]
    assert report.rows_loaded > 0
    again = load_landing(tmp_path / "w.duckdb", landing, progress=False)
    assert {f.status for f in again.files} == {"already loaded"} and again.rows_loaded == 0


@pytest.mark.parametrize("wrong_width", [False, True])
def test_raw_and_quarantine_rows_are_stored_in_record_order(con, write, landing, wrong_width):
    """Rows land in file order whether the insert sorts by _line or skips the sort."""
    rows = [case_row(f"C{i}", submitted_at="x" if i % 7 == 0 else "2025-04-25 09:00:00")
            for i in range(1, 3001)]
    if wrong_width:  # the slow path: record numbers with a gap where the bad row was
        rows[10] += ",extra"
    write("cases/a.csv", "\n".join([CASES_HEADER, *rows]) + "\n")
    [result] = load_source(con, "cases", landing)
    assert result.status == "loaded", result.message
    raw_lines = [line for (line,) in _rows(con, "SELECT _line FROM raw.cases")]
    all_bad = _rows(con, "SELECT line, reason LIKE '%fields but the header%' FROM raw.quarantine")
    bad_lines = [line for line, by_reader in all_bad if not by_reader]  # the reader's come last
    assert raw_lines == sorted(raw_lines) and bad_lines == sorted(bad_lines)
    assert sorted(raw_lines + [line for line, _ in all_bad]) == list(range(2, 3002))


def _load_all(landing, group_files: int, monkeypatch) -> tuple[list, dict[str, list]]:
    import duckdb

    from ingest.load import ensure_raw_schema

    monkeypatch.setattr(load_module, "GROUP_FILES", group_files)
    con = duckdb.connect()
    ensure_raw_schema(con)
    results = load_source(con, "cases", landing) + load_source(con, "cases", landing)
    tables = {
        "cases": _rows(con, "SELECT * EXCLUDE (_loaded_at) FROM raw.cases"),
        "quarantine": _rows(con, "SELECT * EXCLUDE (loaded_at) FROM raw.quarantine"),
        "load_files": _rows(con, "SELECT * EXCLUDE (loaded_at) FROM raw.load_files"),
    }
    con.close()
    return [vars(r) for r in results], tables


@pytest.mark.parametrize("group_files", [2, 3, 64])
def test_small_files_validated_together_give_the_same_results_as_one_by_one(
        write, landing, monkeypatch, group_files):
    """Runs of small files share one validation query; nothing about the outcome changes
    (runs with something unusual in them fall back to one by one)."""
    good = "\n".join([CASES_HEADER, case_row("C1"), case_row("C2")]) + "\n"
    write("cases/01.csv", good)
    write("cases/02.csv", "\n".join([CASES_HEADER, case_row("C3", "bad"), case_row("C4"),
                                     case_row("C5", submitted_at="x")]) + "\n")
    write("cases/03.csv", good)  # same content as 01: a duplicate
    write("cases/04.csv", CASES_HEADER + ",备注\n" + case_row("C6") + ",x\n")  # extra column
    write("cases/05.csv", "\n".join([CASES_HEADER, case_row("C7"), case_row("C8") + ",x",
                                     case_row("C9")]) + "\n")  # a row of the wrong width
    write("cases/06.csv", "case_id\nC10\n")  # required columns missing: refused
    write("cases/07.csv", CASES_HEADER + "\n")  # header only
    write("cases/08.csv", GBK_CASES, encoding="gbk")
    write("cases/09.csv", "\n".join([CASES_HEADER, case_row("C11")]) + "\n")
    write("cases/10.csv", "\n".join([CASES_HEADER, case_row("C12"), case_row("C13")]) + "\n")
    write("cases/11.csv", "\n".join([CASES_HEADER, case_row("C14", "bad")]) + "\n")
    grouped = _load_all(landing, group_files, monkeypatch)
    one_by_one = _load_all(landing, 1, monkeypatch)
    assert grouped == one_by_one
    statuses = [r["status"] for r in grouped[0]]
    assert statuses[:11] == ["loaded", "loaded", "duplicate", "loaded", "loaded", "refused",
                             "loaded", "loaded", "loaded", "loaded", "loaded"]


def test_a_run_of_small_files_is_validated_by_one_query(write, landing, monkeypatch, con):
    for i in range(5):
        write(f"cases/{i}.csv", "\n".join([CASES_HEADER, case_row(f"C{i}"),
                                           case_row(f"D{i}", "bad")]) + "\n")
    queries = []
    real = load_module.checked_select
    monkeypatch.setattr(load_module, "checked_select",
                        lambda *a, **k: queries.append(a) or real(*a, **k))
    write("cases/5.csv", CASES_HEADER + "\n")
    results = load_source(con, "cases", landing)
    assert len(queries) == 1
    assert [(r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) for r in results] == \
        [("loaded", 2, 1, 1)] * 5 + [("loaded", 0, 0, 0)]
    assert _rows(con, "SELECT _file_name, _line FROM raw.cases") == [
        (f"cases/{i}.csv", 2) for i in range(5)]
    assert _rows(con, "SELECT file_name, line FROM raw.quarantine") == [
        (f"cases/{i}.csv", 3) for i in range(5)]


def test_a_file_that_failed_is_refused_with_the_cause_and_loads_once_fixed(
        con, write, landing, monkeypatch):
    """Issue 14 item 1: a file that fails to load is never left without a record."""
    write("cases/a.csv", f"{CASES_HEADER}\n{case_row()}\n")
    real = load_module.insert_raw

    def broken(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(load_module, "insert_raw", broken)
    [failed] = load_source(con, "cases", landing)
    assert (failed.status, failed.failed) == ("refused", True)
    assert _rows(con, "SELECT status, message LIKE '%MemoryError: out of memory%' "
                      "FROM raw.load_files") == [("refused", True)]
    monkeypatch.setattr(load_module, "insert_raw", real)
    [loaded] = load_source(con, "cases", landing)
    assert loaded.status == "loaded"
    assert _rows(con, "SELECT file_name, status FROM raw.load_files") == \
        [("cases/a.csv", "loaded")]


def test_a_file_refused_for_its_encoding_loads_once_declared(con, write, landing):
    """Issue 14 item 4: the refusal says how to declare the encoding; declared, it loads."""
    write("staff/staff.csv", f"staff_id,staff_name,id_number,dept_code\nS1,José,"
                             f"{RESIDENT_IDS[0]},D01\n")
    [refused] = load_source(con, "staff", landing)
    assert refused.status == "refused" and "staff/.encoding" in refused.message
    (landing / "staff" / ".encoding").write_text("utf-8\n")
    [loaded] = load_source(con, "staff", landing)
    assert loaded.status == "loaded"
    assert _rows(con, "SELECT staff_name FROM raw.staff") == [("José",)]
    assert _rows(con, "SELECT status FROM raw.load_files") == [("loaded",)]
