"""No clear-text personal data in the marts (contract/outputs.md, Privacy).

The scan itself is tested on a warehouse with planted leaks of every kind, so a scan
that finds nothing on the demo means the marts are clean, not that the scan is blind.
"""

from __future__ import annotations

import duckdb
import pytest

from searchlight.cli import main
from searchlight.privacy import scan_marts, scan_warehouse

RESIDENT_ID = "51010519900307123X"
PHONE = "13812345678"
ACCOUNT = "6217000012345678"
SOLE_PROPRIETOR = "92500106MA5U8TYY4M"
STAFF_NAME = "王建国"  # 3 characters: matched inside longer text too
SHORT_NAME = "程建"  # 2 characters: only as a whole run (else 工程建设 would be a leak)


@pytest.fixture
def leaky(tmp_path):
    con = duckdb.connect(str(tmp_path / "leaky.duckdb"))
    con.execute("create schema raw; create schema marts")
    con.execute("create table raw.cases (applicant_type varchar, applicant_id varchar, "
                "applicant_name varchar, applicant_phone varchar)")
    con.execute("insert into raw.cases values (?, ?, ?, ?), ('法人', ?, '某某公司', null)",
                ["自然人", RESIDENT_ID.lower(), "欧阳小明", PHONE, SOLE_PROPRIETOR])
    con.execute("create table raw.subsidy_payments (recipient_id varchar, "
                "recipient_name varchar, bank_account varchar)")
    con.execute("insert into raw.subsidy_payments values (?, '李四', ?)", [RESIDENT_ID, ACCOUNT])
    con.execute("create table raw.hotline_tickets (caller_phone varchar, address varchar)")
    con.execute("insert into raw.hotline_tickets values (null, '王家坝街道幸福路12号')")
    con.execute("create table raw.staff (staff_name varchar)")
    con.execute("insert into raw.staff values (?), (?)", [STAFF_NAME, SHORT_NAME])
    con.execute("create table raw.awards (winner_uscc varchar)")
    con.execute("insert into raw.awards values (?), ('91500106MA5U8TYY4M')", [SOLE_PROPRIETOR])
    yield con
    con.close()


@pytest.mark.unit
def test_the_scan_finds_every_kind_of_leak(leaky):
    leaky.execute("""create table marts.leaks as select * from (values
        ('{"applicant":"' || ? || '"}', 'id inside JSON'),
        ('call 138 1234 5678', 'phone with spaces'),
        ('6217 0000 1234 5678', 'bank account in groups of four'),
        ('["欧阳小明","张*"]', 'name inside JSON'),
        ('投诉地址：王家坝街道幸福路12号附近', 'address inside free text'),
        (?, 'sole proprietorship credit code')
    ) t(value, why)""", [RESIDENT_ID, SOLE_PROPRIETOR])
    leaks = scan_marts(leaky)
    found = {(leak.column, leak.kind) for leak in leaks}
    assert found == {("value", "identifier"), ("value", "name"), ("value", "address")}
    ident = next(leak for leak in leaks if leak.kind == "identifier")
    assert ident.rows == 4  # id, phone, account, sole proprietorship
    assert RESIDENT_ID not in repr(leaks) and PHONE not in repr(leaks)


# One leak per row: (value, kind, why). Each is planted alone in a scratch mart.
FORMATTED_LEAKS = [
    ("138-1234-5678", "identifier", "phone with hyphens"),
    ("138.1234.5678", "identifier", "phone with dots"),
    ("联系 138－1234－5678 转", "identifier", "phone with full-width hyphens in text"),
    ("510105-19900307-123X", "identifier", "resident ID in groups with hyphens"),
    ("5101 0519 9003 0712 3x", "identifier", "resident ID in groups, lower-case x"),
    ("6217-0000-1234-5678", "identifier", "bank account with hyphens"),
    ("9250 0106 MA5U 8TYY 4M", "identifier", "sole proprietorship code in groups"),
    ('{"winner_uscc":"92500106MA5U8TYY4M"}', "identifier", "sole proprietorship in evidence"),
    ("王建国窗口受理", "name", "3-character name inside longer text"),
    ('["经办:欧阳小明窗口"]', "name", "4-character name inside longer text"),
    ("程建", "name", "2-character name as a whole run"),
]


@pytest.mark.unit
@pytest.mark.parametrize(("value", "kind", "why"), FORMATTED_LEAKS,
                         ids=[why for *_, why in FORMATTED_LEAKS])
def test_the_scan_finds_formatted_and_embedded_leaks(leaky, value, kind, why):
    leaky.execute("create table marts.scratch as select ? as value", [value])
    leaks = scan_marts(leaky)
    assert [(leak.table, leak.column, leak.kind, leak.rows) for leak in leaks] == [
        ("scratch", "value", kind, 1)], why


@pytest.mark.unit
def test_masked_and_pseudonymised_forms_are_not_leaks(leaky):
    leaky.execute("""create table marts.clean as select * from (values
        ('5101**********123X'), ('138****5678'), ('6217 **** **** 5678'), ('欧**'),
        ('a1b2c3d4e5f60718'), ('王家坝街道'), ('91500106MA5U8TYY4M'),
        ('9250**********TY4M'), ('王**'), ('工程建设项目'), ('2024-03-05 09:15:00'),
        ('10.250.0.1')
    ) t(value)""")
    assert scan_marts(leaky) == []


@pytest.mark.e2e
def test_no_mart_of_the_demo_holds_clear_text_personal_data(demo_run):
    _, warehouse, _ = demo_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # the demo has sole proprietorships among the winners, so their codes are looked
        # for (and would be found in a subject, evidence or fct_tenders if they leaked)
        sole_winners = con.execute("select count(*) from raw.awards "
                                   "where winner_uscc like '92%'").fetchone()[0]
        masked = con.execute("select count(*) from marts.fct_tenders "
                             "where winner_uscc_masked like '92__**********____'").fetchone()[0]
    assert sole_winners > 0 and masked > 0
    leaks = scan_warehouse(warehouse)
    assert leaks == [], "\n".join(
        f"marts.{leak.table}.{leak.column}: {leak.kind} {leak.sample} ({leak.rows} rows)"
        for leak in leaks)


@pytest.mark.unit
def test_running_with_the_default_demo_key_prints_a_warning(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SEARCHLIGHT_PSEUDONYM_KEY", raising=False)
    # The warning comes before anything is read: a missing landing folder is enough.
    main(["run", "--landing", str(tmp_path / "landing"), "--warehouse",
          str(tmp_path / "w.duckdb"), "--no-progress"])
    assert "SEARCHLIGHT_PSEUDONYM_KEY is not set" in capsys.readouterr().err
