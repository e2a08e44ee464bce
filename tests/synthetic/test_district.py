"""The demo district generator (synthetic/district.py): files, identifiers, ground truth.

Fast: one small district (about 300 cases) generated once per module. The warehouse
comparison against the ground truth lives in test_end_to_end.py.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ingest.sources import SOURCES, header_lookup, normalize_header
from synthetic.district import generate_district
from synthetic.families import timeliness
from synthetic.identifiers import is_valid_credit_code, is_valid_resident_id
from tests.synthetic.test_families import warning_rule_codes

SCALE, SEED = 0.03, 5

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    out = tmp_path_factory.mktemp("district")
    manifest = generate_district(out, scale=SCALE, seed=SEED)
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    return out, manifest, truth


def _rows(source: str, path: Path, encoding: str) -> list[dict]:
    """Rows of a contract CSV with canonical column names (extra columns kept as is)."""
    lookup = header_lookup(SOURCES[source])
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        header = [lookup.get(normalize_header(h), h) for h in next(reader)]
        return [dict(zip(header, r, strict=True)) for r in reader]


def _case_invalid_rows(truth: dict) -> list[dict]:
    """The planted bad case rows (the row families add bad rows of their own)."""
    return [r for r in truth["invalid_rows"] if r["source"] == "cases"]


def _case_rows(landing: Path) -> list[dict]:
    rows = []
    for f in sorted((landing / "cases").glob("*.csv")):
        for r in _rows("cases", f, "utf-8"):
            r["_file"] = f.name
            rows.append(r)
    return rows


def test_same_seed_same_bytes_and_another_seed_differs(district, tmp_path):
    out, _, _ = district
    again = generate_district(tmp_path / "again", scale=SCALE, seed=SEED)
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again.out_dir) for p in again.out_dir.rglob("*")
                           if p.is_file())
    for rel in files:
        assert (out / rel).read_bytes() == (again.out_dir / rel).read_bytes(), rel
    other = generate_district(tmp_path / "other", scale=SCALE, seed=SEED + 1)
    assert ((other.landing / "cases" / "cases_2026-03.csv").read_bytes()
            != (out / "landing" / "cases" / "cases_2026-03.csv").read_bytes())


def test_files_read_in_their_declared_encodings(district):
    out, manifest, _ = district
    landing = out / "landing"
    items = (landing / "items" / "事项目录_2026.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        items.decode("utf-8")  # really GBK, not UTF-8
    item_rows = _rows("items", landing / "items" / "事项目录_2026.csv", "gbk")
    assert items.decode("gbk").startswith("事项编码,事项名称")
    assert {r["item_type"] for r in item_rows} == {"即办件", "承诺件"}
    assert {r["limit_unit"] for r in item_rows} == {"工作日", "自然日"}
    for r in item_rows:
        assert int(r["promised_limit_days"]) <= int(r["statutory_limit_days"])
        if r["item_type"] == "承诺件":
            assert 5 <= int(r["statutory_limit_days"]) <= 20

    staff = (landing / "staff" / "staff_2026.csv").read_bytes()
    assert staff.startswith(b"\xef\xbb\xbf")
    assert len(_rows("staff", landing / "staff" / "staff_2026.csv", "utf-8-sig")) == \
        manifest.rows["staff"]

    ws = load_workbook(landing / "departments" / "部门名录.xlsx", read_only=True).active
    sheet = list(ws.iter_rows(values_only=True))
    assert sheet[0][:2] == ("部门编码", "部门名称")
    assert len(sheet) - 1 == manifest.rows["departments"] >= 35
    assert all(len(str(r[3])) == 6 for r in sheet[1:])

    for f in (landing / "cases").glob("*.csv"):
        assert not f.read_bytes().startswith(b"\xef\xbb\xbf")
        f.read_bytes().decode("utf-8")
    n_events = 0
    for f in sorted((landing / "case_events").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            ev = json.loads(line)
            assert set(ev) == set(SOURCES["case_events"].column_names)
            n_events += 1
    assert n_events == manifest.rows["case_events"]
    assert (landing / "calendar_overrides" / "calendar_overrides.csv").read_text() \
        .strip() == "day,is_workday,note"


def test_headers_are_canonical_names_or_aliases(district):
    out, _, _ = district
    landing = out / "landing"
    checks = [("cases", f, "utf-8") for f in (landing / "cases").glob("*.csv")]
    checks += [("items", landing / "items" / "事项目录_2026.csv", "gbk"),
               ("staff", landing / "staff" / "staff_2026.csv", "utf-8-sig"),
               ("windows", landing / "windows" / "windows.csv", "utf-8")]
    chinese = 0
    for source, path, enc in checks:
        with open(path, encoding=enc, newline="") as fh:
            header = next(csv.reader(fh))
        lookup = header_lookup(SOURCES[source])
        unknown = [h for h in header if normalize_header(h) not in lookup]
        assert unknown in ([], ["备注"]), (path.name, unknown)  # one deliberate extra column
        mapped = {lookup[normalize_header(h)] for h in header if h not in unknown}
        assert mapped == set(SOURCES[source].column_names), path.name
        chinese += header[0] != SOURCES[source].columns[0].name
    assert chinese >= 3  # several monthly exports, items and staff use Chinese titles


def test_identifiers_have_valid_checksums_except_the_planted_bad_rows(district):
    out, _, truth = district
    landing = out / "landing"
    bad = {(r["file"], r["case_id"]): r["problem"] for r in _case_invalid_rows(truth)}
    seen_bad = set()
    lower_x = 0
    for r in _case_rows(landing):
        key = (r["_file"], r["case_id"])
        is_person = r["applicant_type"] == "自然人"
        ok = (is_valid_resident_id if is_person else is_valid_credit_code)(r["applicant_id"])
        if key in bad and bad[key].startswith("bad_"):
            if bad[key] != "bad_timestamp":
                assert not ok, key
            seen_bad.add(key)
            continue
        seen_bad.update({key} & bad.keys())
        assert ok, (key, r["applicant_id"])
        lower_x += r["applicant_id"].endswith("x")
        if r["agent_id"]:
            assert is_valid_credit_code(r["agent_id"])
        if r["applicant_phone"]:
            assert len(r["applicant_phone"]) == 11 and r["applicant_phone"][:2] in {
                "13", "14", "15", "16", "17", "18", "19"}
    assert seen_bad == set(bad)
    assert lower_x >= 1  # a lower-case x is valid and must load
    for r in _rows("staff", landing / "staff" / "staff_2026.csv", "utf-8-sig"):
        assert is_valid_resident_id(r["id_number"]), r


def test_every_rule_has_planted_positives_and_near_misses(district):
    _, manifest, truth = district
    assert set(timeliness.RULES) <= set(truth["alerts"])  # families add their own rules
    for rule in timeliness.RULES:
        planted = truth["planted"][rule]
        alerts = truth["alerts"][rule]
        assert planted["fires"] and planted["near_miss"], rule
        assert set(planted["fires"]) <= set(alerts), rule
        assert not set(planted["near_miss"]) & set(alerts), rule
        assert all(sev == timeliness.SEVERITY[rule] for sev in alerts.values())
        assert manifest.planted[rule] == {k: len(v) for k, v in planted.items()}
    # Background cases are clean of T alerts: every T alert is on a planted case.
    planted_ids = {s["case_id"] for s in truth["scenarios"] if "case_id" in s}
    for rule in timeliness.RULES:
        assert set(truth["alerts"][rule]) <= planted_ids, rule


def test_every_warning_rule_has_plants_near_misses_and_a_ground_truth(district):
    """All 37 rules of dbt_project.yml, not only T: what the end-to-end test compares."""
    _, manifest, truth = district
    codes = warning_rule_codes()
    assert sorted(truth["alerts"]) == sorted(codes) == sorted(truth["planted"])
    for code in codes:
        planted = truth["planted"][code]
        assert planted["fires"] and planted["near_miss"], code
        assert set(planted["fires"]) <= set(truth["alerts"][code]), code
        assert not set(planted["near_miss"]) & set(truth["alerts"][code]), code
    assert manifest.alerts == {r: len(a) for r, a in truth["alerts"].items()}


def test_precedence_and_quarantine_in_the_ground_truth(district):
    out, manifest, truth = district
    a = truth["alerts"]
    assert not set(a["T01"]) & set(a["T02"])
    assert not (set(a["T01"]) | set(a["T02"])) & set(a["T03"])
    case_invalid = _case_invalid_rows(truth)
    assert truth["quarantined_rows"]["cases"] == len(case_invalid) >= 5
    assert {r["problem"] for r in case_invalid} >= {
        "bad_resident_id", "bad_credit_code", "bad_timestamp", "missing_applicant_name"}
    bad_ids = {r["case_id"] for r in case_invalid}
    assert not bad_ids & {c for alerts in a.values() for c in alerts}
    rows = _case_rows(out / "landing")
    assert sum(r["case_id"] in bad_ids for r in rows) == len(bad_ids)  # one row each
    events = "".join(f.read_text(encoding="utf-8")
                     for f in (out / "landing" / "case_events").glob("*.jsonl"))
    assert not any(cid in events for cid in bad_ids)
    assert manifest.rows["cases"] == len(rows)


def test_as_of_is_the_latest_updated_at_and_the_reexport_sorts_last(district):
    out, manifest, truth = district
    rows = _case_rows(out / "landing")
    latest = max(datetime.fromisoformat(r["updated_at"]).replace(tzinfo=None)
                 for r in rows if r["updated_at"])
    assert latest.date() == date.fromisoformat(truth["as_of"]) == manifest.as_of
    names = sorted(f.name for f in (out / "landing" / "cases").glob("*.csv"))
    assert names[-1].startswith("cases_reexport")
    assert len(names) == 7
    dates = [r["submitted_at"][:4] for r in rows if r["case_id"] not in
             {b["case_id"] for b in _case_invalid_rows(truth)}]
    assert set(dates) == {"2026"}
