"""The expectation suites: generated from the contract, failing on broken invariants only."""

import json

import duckdb
import pandas as pd
import pytest

from expectations import CONSISTENCY, CONTRACT, checks_for, invariants, run_suites, validate_frame
from expectations.invariants import check_invariants, loader_enforces, run_checks
from ingest.sources import SOURCES, raw_table_ddl

pytestmark = pytest.mark.unit


def _cases(**overrides) -> pd.DataFrame:
    rows = {
        "_batch_id": ["b1", "b1", "b1"],
        "case_id": ["C1", "C2", "C3"],
        "item_code": ["I1", "I1", "I2"],
        "dept_code": ["D1", "D1", "D1"],
        "channel": ["线上", "线下", "线下"],
        "applicant_type": ["自然人", "法人", "自然人"],
        "applicant_id": ["X1", "X2", "X3"],
        "applicant_name": ["甲", "乙", "丙"],
        "submitted_at": pd.to_datetime(["2025-05-06 09:00", "2025-05-06 10:00",
                                        "2025-05-07 09:00"]),
        "accepted_at": pd.to_datetime(["2025-05-06 11:00", "2025-05-07 09:00", None]),
        "status": ["已办结", "办理中", "已申请"],
        "result": ["准予", None, None],
        "completed_at": pd.to_datetime(["2025-05-08 16:00", None, None]),
        "promised_limit_days": [5.0, None, 3.0],
        "updated_at": pd.to_datetime(["2025-05-08 16:00", "2025-05-07 09:00",
                                      "2025-05-07 09:00"]),
    }
    rows.update(overrides)
    return pd.DataFrame(rows)


def test_every_source_has_a_suite_with_key_and_value_set_checks():
    for name, source in SOURCES.items():
        checks = checks_for(name)
        kinds = {c.kind for c in checks}
        assert CONTRACT in kinds and CONSISTENCY in kinds, name
        for key in source.key:
            assert any(c.expectation == "ExpectColumnValuesToNotBeNull"
                       and c.kwargs.get("column") == key for c in checks), (name, key)
        for col in source.columns:
            if col.values:
                assert any(c.kwargs.get("value_set") == list(col.values) for c in checks)


def test_every_invariant_is_classified_and_names_columns_of_its_source():
    check_invariants()  # raises on a mistake in expectations/invariants.py


@pytest.mark.parametrize("mistake, message", [
    (invariants.Check("ExpectColumnMeanToBeBetween", {"column": "fee"}, CONSISTENCY, "x"),
     "say whether ExpectColumnMeanToBeBetween is ROW_WISE or WHOLE_TABLE"),
    (invariants.between("no_such_column", 0, None, "x"), "items has no column"),
])
def test_a_mis_declared_invariant_stops_run_suites_before_it_reads(mistake, message,
                                                                   monkeypatch):
    monkeypatch.setitem(invariants.CONSISTENCY_CHECKS, "items",
                        [*invariants.CONSISTENCY_CHECKS["items"], mistake])
    with pytest.raises(ValueError, match=message):
        run_suites(duckdb.connect())


def test_clean_cases_pass():
    result = validate_frame("cases", _cases())
    assert result.success, [str(f) for f in result.failures]
    assert result.statistics["evaluated_expectations"] == len(checks_for("cases"))
    assert result.row_count == 3 and result.batch_ids == ["b1"]


def test_case_accepted_before_submission_fails_as_a_consistency_warning():
    frame = _cases(accepted_at=pd.to_datetime(["2025-05-05 11:00", "2025-05-07 09:00", None]))
    result = validate_frame("cases", frame)
    assert not result.success
    assert result.consistency_only
    [failure] = result.failures
    assert failure.expectation == "expect_column_pair_values_a_to_be_greater_than_b"
    assert failure.column == "accepted_at,submitted_at"
    assert failure.unexpected_count == 1


def test_completed_case_without_completion_time_fails():
    frame = _cases(completed_at=pd.to_datetime([None, None, None]))
    result = validate_frame("cases", frame)
    assert [(f.expectation, f.column, f.unexpected_count) for f in result.failures] == [
        ("expect_column_values_to_not_be_null", "completed_at", 1)]


def test_value_outside_the_contract_is_a_contract_failure_not_a_warning():
    frame = _cases(status=["已办结", "办理中", "搁置"])
    result = validate_frame("cases", frame)
    assert not result.success and not result.consistency_only
    assert [f.kind for f in result.failures] == [CONTRACT]


def test_versions_of_a_case_in_one_export_are_fine_but_a_repeated_version_is_not():
    two_versions = _cases(case_id=["C1", "C1", "C3"])
    assert validate_frame("cases", two_versions).success
    same_version = _cases(case_id=["C1", "C1", "C3"],
                          updated_at=pd.to_datetime(["2025-05-08"] * 3))
    failures = validate_frame("cases", same_version).failures
    assert [f.expectation for f in failures] == ["expect_compound_columns_to_be_unique"]


def test_case_events_key_is_unique_within_a_batch_not_across_batches():
    events = pd.DataFrame({
        "_batch_id": ["b1", "b1", "b2"],
        "case_id": ["C1", "C1", "C1"],
        "seq": [1.0, 2.0, 2.0],
        "event_type": ["SUBMIT", "ACCEPT", "ACCEPT"],
        "event_at": pd.to_datetime(["2025-05-06 09:00", "2025-05-06 10:00",
                                    "2025-05-06 10:00"]),
    })
    assert validate_frame("case_events", events).success
    events.loc[1, "_batch_id"] = "b2"
    events.loc[0, "seq"] = 0.0
    failures = {f.expectation: f for f in validate_frame("case_events", events).failures}
    assert failures["expect_compound_columns_to_be_unique"].unexpected_count == 2
    assert failures["expect_column_values_to_be_between"].column == "seq"


def test_items_promised_limit_above_the_statutory_one_fails():
    items = pd.DataFrame({
        "_batch_id": ["b1", "b1"], "item_code": ["I1", "I2"], "item_name": ["a", "b"],
        "dept_code": ["D1", "D1"], "item_type": ["承诺件", "即办件"],
        "statutory_limit_days": [20.0, 1.0], "promised_limit_days": [25.0, 0.0],
    })
    failures = validate_frame("items", items).failures
    assert [(f.column, f.unexpected_count) for f in failures] == [
        ("statutory_limit_days,promised_limit_days", 1)]


@pytest.fixture
def warehouse():
    con = duckdb.connect()
    con.execute("create schema raw")
    for source in SOURCES.values():
        con.execute(raw_table_ddl(source))
    yield con
    con.close()


def _insert_review(con, batch, review_id, rating, reviewed, rectified=None):
    con.execute("insert into raw.reviews (review_id, rating, reviewed_at, rectified_at, "
                "_batch_id) values (?, ?, ?, ?, ?)",
                [review_id, rating, reviewed, rectified, batch])


def test_run_suites_validates_the_given_batches_and_stores_one_row_per_expectation(warehouse):
    _insert_review(warehouse, "reviews:old", "R0", 3, "2025-05-01", "2025-04-01")  # bad, old
    _insert_review(warehouse, "reviews:new", "R1", 5, "2025-05-06")
    _insert_review(warehouse, "reviews:new", "R2", 1, "2025-05-06", "2025-05-08")

    [result] = run_suites(warehouse, ["reviews:new"])
    assert result.source == "reviews" and result.success and result.row_count == 2
    stored = warehouse.execute(
        "select source, batch_ids, expectation, \"column\", success, unexpected_count, "
        "element_count, details from raw.expectation_results").fetchall()
    assert len(stored) == len(run_checks("reviews"))  # the loader enforces the rest
    assert {r[0] for r in stored} == {"reviews"}
    assert {json.loads(r[1])[0] for r in stored} == {"reviews:new"}
    assert all(r[4] for r in stored)
    assert json.loads(stored[0][7])["kind"] in (CONTRACT, CONSISTENCY)

    [everything] = run_suites(warehouse)  # all rows: the old batch's bad rectification shows
    assert not everything.success and everything.consistency_only
    assert [f.column for f in everything.failures] == ["rectified_at,reviewed_at"]
    failed = warehouse.execute("select unexpected_count, element_count from "
                               "raw.expectation_results where not success").fetchall()
    assert failed == [(1, 3)]


def test_run_suites_skips_sources_without_rows(warehouse):
    assert run_suites(warehouse, []) == []
    assert run_suites(warehouse, ["nothing:here"]) == []


def _summary(result, source=None):
    """What a result says; with ``source``, a whole suite's result (validate_frame) is
    cut down to the checks a run computes (``run_checks``)."""
    outcomes = result.outcomes
    if source is not None:
        checks = invariants.checks_for(source)
        assert len(checks) == len(outcomes)
        outcomes = [o for c, o in zip(checks, outcomes, strict=True)
                    if not loader_enforces(source, c)]
    return (all(o.success for o in outcomes), result.row_count, result.batch_ids,
            [(o.expectation, o.column, o.success, o.unexpected_count, o.element_count,
              o.details.get("missing_count"), o.details.get("unexpected_percent"),
              o.details["kwargs"], o.details.get("partial_unexpected"))
             for o in outcomes])


def test_chunked_run_gives_the_same_result_as_one_frame(warehouse, monkeypatch):
    """20 cases in chunks of 7 rows: a failing expectation spread over two chunks and a
    repeated key (same case, same version) whose two rows fall in different chunks."""
    rows = []
    for i in range(20):
        submitted = f"2025-05-06 {8 + i % 10:02d}:00"
        accepted = "2025-05-05 09:00" if i in (3, 10) else f"2025-05-06 {9 + i % 10:02d}:00"
        rows.append([f"C{i}", "I1", "D1", "线上", "自然人", f"X{i}", "甲", submitted,
                     accepted, "办理中" if i % 3 else "已申请", None, None,
                     -1 if i == 12 else 5, "2025-05-08", "cases:b1" if i < 15 else "cases:b2"])
    rows[16][0], rows[16][13] = "C2", "2025-05-08"  # C2 again, same version, other chunk
    rows[16][14] = "cases:b1"
    for r in rows:
        warehouse.execute(
            "insert into raw.cases (case_id, item_code, dept_code, channel, applicant_type, "
            "applicant_id, applicant_name, submitted_at, accepted_at, status, result, "
            "completed_at, promised_limit_days, updated_at, _batch_id) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", r)

    from expectations.run import iter_rows, read_rows

    assert [len(f) for f in iter_rows(warehouse, "cases", rows=7)] == [7, 7, 6]
    whole = validate_frame("cases", read_rows(warehouse, "cases"))
    monkeypatch.setenv("SEARCHLIGHT_EXPECTATION_CHUNK_ROWS", "7")
    [chunked] = run_suites(warehouse, sources=["cases"])
    assert _summary(chunked) == _summary(whole, "cases")
    failed = {f.expectation: f for f in chunked.failures}
    assert failed["expect_column_pair_values_a_to_be_greater_than_b"].unexpected_count == 2
    assert failed["expect_compound_columns_to_be_unique"].unexpected_count == 2
    assert failed["expect_compound_columns_to_be_unique"].details["partial_unexpected"] == [
        {"_batch_id": "cases:b1", "case_id": "C2", "updated_at": "2025-05-08 00:00:00"}] * 2
    assert failed["expect_column_values_to_be_between"].unexpected_count == 1

    # one batch only: the same as a frame of that batch
    [b2] = run_suites(warehouse, ["cases:b2"], chunk_rows=2)
    assert _summary(b2) == _summary(
        validate_frame("cases", read_rows(warehouse, "cases", ["cases:b2"])), "cases")


def _load_files(con, *batches):
    con.execute("create table if not exists raw.load_files (batch_id varchar, source varchar, "
                "file_name varchar, status varchar, loaded_at timestamp)")
    for i, batch in enumerate(batches):
        con.execute("insert into raw.load_files values (?, 'reviews', ?, 'loaded', "
                    "timestamp '2025-05-06 10:00:00' + to_seconds(?))", [batch, f"f{i}", i])


def test_batches_an_interrupted_run_loaded_are_validated_by_the_next(warehouse):
    """Issue 14 item 2: validation follows what has results, not what this run loaded."""
    from expectations import pending_batches

    _insert_review(warehouse, "reviews:killed", "R0", 3, "2025-05-01", "2025-04-01")  # bad
    _insert_review(warehouse, "reviews:today", "R1", 5, "2025-05-06")
    _load_files(warehouse, "reviews:killed", "reviews:today")
    assert pending_batches(warehouse) == ["reviews:killed", "reviews:today"]
    [result] = run_suites(warehouse, pending_batches(warehouse))
    assert result.batch_ids == ["reviews:killed", "reviews:today"] and not result.success
    assert pending_batches(warehouse) == []
    assert run_suites(warehouse, pending_batches(warehouse)) == []

    _load_files(warehouse, "reviews:empty")  # every row quarantined: nothing to validate
    assert pending_batches(warehouse) == ["reviews:empty"]
    assert run_suites(warehouse, ["reviews:empty"]) == []
    assert pending_batches(warehouse) == [], "a batch without rows is not pending forever"


def test_results_and_the_record_of_validated_batches_commit_together(warehouse, monkeypatch):
    """A crash while storing leaves the batch pending, never marked without its results."""
    from expectations import pending_batches
    from expectations import run as run_module

    _insert_review(warehouse, "reviews:a", "R1", 5, "2025-05-06")
    _load_files(warehouse, "reviews:a")
    real = run_module.batch_source

    def crash(batch_id):
        raise OSError("disk full")

    monkeypatch.setattr(run_module, "batch_source", crash)  # fails inside the transaction
    with pytest.raises(OSError):
        run_suites(warehouse, ["reviews:a"])
    monkeypatch.setattr(run_module, "batch_source", real)
    assert warehouse.execute("select count(*) from raw.expectation_results").fetchone() == (0,)
    assert pending_batches(warehouse) == ["reviews:a"]


def test_a_warehouse_validated_before_the_record_existed_is_not_validated_again(warehouse):
    """Upgrade: the batches named in existing results count as validated."""
    from expectations import pending_batches
    from expectations.run import RESULTS_DDL

    warehouse.execute(RESULTS_DDL)
    warehouse.execute("insert into raw.expectation_results (run_at, source, batch_ids) values "
                      "(timestamp '2025-05-06 10:00:00', 'reviews', '[\"reviews:old\"]')")
    _load_files(warehouse, "reviews:old", "reviews:new")
    assert pending_batches(warehouse) == ["reviews:new"]


def _clean_values(source_name: str) -> dict:
    """A row of ``source_name`` that breaks none of its checks (numbers at the bound
    the between checks allow, texts at the value a row condition names)."""
    from ingest.sources import BOOL, DATE, TEXT, TIMESTAMP

    checks = invariants.checks_for(source_name)
    row = {}
    for col in SOURCES[source_name].columns:
        if col.kind == TIMESTAMP:
            row[col.name] = "2025-05-06 10:00:00"
        elif col.kind == DATE:
            row[col.name] = "2025-05-06"
        elif col.kind == BOOL:
            row[col.name] = True
        elif col.kind == TEXT:
            named = [c.when[1] for c in checks if c.when and c.when[0] == col.name]
            row[col.name] = named[0] if named else (col.values[0] if col.values else "x")
        else:
            bounds = [c.kwargs[b] for c in checks if c.kwargs.get("column") == col.name
                      for b in ("min_value", "max_value") if c.kwargs.get(b) is not None]
            row[col.name] = bounds[0] if bounds else 1
    return row


@pytest.mark.parametrize("source_name", list(SOURCES))
def test_the_sql_pass_gives_what_gx_gives_when_no_row_breaks_a_check(
        warehouse, source_name, monkeypatch):
    """A run counts the row-wise checks in one SQL pass and, when nothing fails, takes
    their outcomes from it without GX; those outcomes are exactly GX's (counts, missing
    counts, percentages, the kwargs GX reports). Rows: a clean one in two batches and one
    with every column empty (missing values, an unmet row condition)."""
    from expectations import run as run_module

    clean = _clean_values(source_name)
    names = list(clean)
    cols = ", ".join(f'"{c}"' for c in [*names, "_batch_id"])
    marks = ", ".join("?" for _ in range(len(names) + 1))
    for batch in ("b1", "b2"):
        warehouse.execute(f"insert into raw.{source_name} ({cols}) values ({marks})",
                          [*clean.values(), f"{source_name}:{batch}"])
    warehouse.execute(f"insert into raw.{source_name} (_batch_id) values (?)",
                      [f"{source_name}:b3"])
    by_gx = run_module.validate_source(warehouse, source_name, sql_first=False)

    def no_gx(*args, **kwargs):
        raise AssertionError("GX ran although no row breaks a check")

    monkeypatch.setattr(run_module, "_gx_outcomes", no_gx)
    by_sql = run_module.validate_source(warehouse, source_name)
    assert _summary(by_sql) == _summary(by_gx)
    assert by_sql.statistics == by_gx.statistics
    assert [o.details for o in by_sql.outcomes] == [o.details for o in by_gx.outcomes]


@pytest.mark.parametrize("source_name", list(SOURCES))
def test_a_batch_of_empty_values_breaking_nothing_needs_no_gx(warehouse, source_name,
                                                              monkeypatch):
    """DuckDB's count_if is NULL when every input is NULL: counted with it, a batch whose
    checked columns were all empty read as "not counted" and went to GX, seconds of import
    for nothing (every small daily batch of reviews, QR feedback, hotline tickets)."""
    from expectations import run as run_module

    warehouse.execute(f"insert into raw.{source_name} (_batch_id) values (?)",
                      [f"{source_name}:empty"])
    by_gx = run_module.validate_source(warehouse, source_name, sql_first=False)
    if by_gx is None or not all(o.success for o in by_gx.outcomes):
        return  # an empty value breaks one of this source's checks: GX reports it

    def no_gx(*args, **kwargs):
        raise AssertionError("GX ran although no row breaks a check")

    monkeypatch.setattr(run_module, "_gx_outcomes", no_gx)
    assert _summary(run_module.validate_source(warehouse, source_name)) == _summary(by_gx)
