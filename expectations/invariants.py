"""What each source's expectation suite checks, as data.

Two kinds of expectation, so a failure can say how bad it is:

- ``contract``: generated from ``ingest/sources.py`` — required columns present, closed
  value sets respected, ratings in range. The loader already quarantines rows that break
  these, so a failure here means a row got past validation: a bug, reported as an error.
- ``consistency``: relations between the values of one row or of rows of one batch that
  no single-value check can see — a case accepted before it was submitted, a promised
  limit above the legal one, a business key repeated within one export. Such rows stay
  loaded (the warning rules may be exactly about them); a failure is a warning.

Nothing here imports Great Expectations: ``expectations/suites.py`` turns these specs into
a GX suite, so the specs can be read, listed and documented without the 5-second import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.sources import RATING, SOURCES, Source

CONTRACT = "contract"
CONSISTENCY = "consistency"


@dataclass(frozen=True)
class Check:
    """One expectation: the GX class name, its arguments, its kind and why it exists."""

    expectation: str  # class name in great_expectations.expectations
    kwargs: dict[str, Any]
    kind: str
    why: str
    when: tuple[str, Any] | None = field(default=None)  # row condition: column == value

    @property
    def columns(self) -> list[str]:
        k = self.kwargs
        if "column" in k:
            cols = [k["column"]]
        elif "column_A" in k:
            cols = [k["column_A"], k["column_B"]]
        else:
            cols = list(k.get("column_list", []))
        if self.when:
            cols.append(self.when[0])
        return cols

    @property
    def column_label(self) -> str:
        return ",".join(c for c in self.columns if c != "_batch_id"
                        and (not self.when or c != self.when[0]))


# --- small constructors: one line per invariant below --------------------------------

def not_null(column: str, why: str, kind: str = CONSISTENCY,
             when: tuple[str, Any] | None = None) -> Check:
    return Check("ExpectColumnValuesToNotBeNull", {"column": column}, kind, why, when)


def between(column: str, low: float | None, high: float | None, why: str,
            kind: str = CONSISTENCY, when: tuple[str, Any] | None = None) -> Check:
    return Check("ExpectColumnValuesToBeBetween",
                 {"column": column, "min_value": low, "max_value": high}, kind, why, when)


def not_before(later: str, earlier: str, why: str) -> Check:
    """``later >= earlier`` wherever both are present."""
    return Check("ExpectColumnPairValuesAToBeGreaterThanB",
                 {"column_A": later, "column_B": earlier, "or_equal": True,
                  "ignore_row_if": "either_value_is_missing"}, CONSISTENCY, why)


def at_most(smaller: str, larger: str, why: str) -> Check:
    """``smaller <= larger`` wherever both are present."""
    return not_before(larger, smaller, why)


def unique_in_batch(columns: tuple[str, ...], why: str) -> Check:
    return Check("ExpectCompoundColumnsToBeUnique",
                 {"column_list": ["_batch_id", *columns]}, CONSISTENCY, why)


# --- the hand-written invariants, per source ----------------------------------------

CONSISTENCY_CHECKS: dict[str, list[Check]] = {
    "items": [
        between("statutory_limit_days", 0, None, "a legal time limit is not negative"),
        between("promised_limit_days", 0, None, "a promised time limit is not negative"),
        at_most("promised_limit_days", "statutory_limit_days",
                "the promised limit is at most the legal one"),
        between("promised_limit_days", 0, 0, "an instant item (即办件) promises 0 days",
                when=("item_type", "即办件")),
        between("fee", 0, None, "a fee is not negative"),
    ],
    "cases": [
        not_before("accepted_at", "submitted_at", "a case is accepted after it is submitted"),
        not_before("completed_at", "accepted_at", "a case is completed after it is accepted"),
        not_before("completed_at", "submitted_at", "a case is completed after it is submitted"),
        not_null("completed_at", "a completed case (已办结) has a completion time",
                 when=("status", "已办结")),
        between("promised_limit_days", 0, None, "a promised time limit is not negative"),
    ],
    "case_events": [
        between("seq", 1, None, "event sequence numbers start at 1"),
    ],
    "reviews": [
        not_before("rectified_at", "reviewed_at", "a review is rectified after it is given"),
    ],
    "hotline_tickets": [
        not_before("deadline_at", "created_at", "a ticket's deadline is after its creation"),
        not_before("responded_at", "created_at", "a ticket is answered after it is created"),
        not_before("closed_at", "created_at", "a ticket is closed after it is created"),
        between("satisfaction", 1, 5, "satisfaction is rated 1..5"),
    ],
    "qr_feedback": [
        not_before("handled_at", "submitted_at", "feedback is handled after it is submitted"),
    ],
    "enterprise_persons": [
        between("share_ratio", 0, 1, "a share ratio is between 0 and 1"),
    ],
    "tenders": [
        not_before("bid_deadline_at", "published_at",
                   "the bid deadline is after the tender is published"),
        between("ceiling_price", 0, None, "a ceiling price is not negative"),
        between("estimated_value", 0, None, "an estimated value is not negative"),
    ],
    "bids": [
        between("bid_price", 0, None, "a bid price is not negative"),
    ],
    "awards": [
        between("award_price", 0, None, "an award price is not negative"),
    ],
    "subsidy_programs": [
        between("max_amount_per_period", 0, None, "a payment standard is not negative"),
    ],
    "reception_expenses": [
        between("amount", 0, None, "an expense is not negative"),
        between("guests", 1, None, "a reception has at least one guest"),
        between("companions", 0, None, "the number of companions is not negative"),
    ],
}


def contract_checks(source: Source) -> list[Check]:
    """The checks ``ingest/sources.py`` implies: required values, value sets, ratings."""
    checks: list[Check] = []
    for col in source.columns:
        if col.required or col.name in source.key:
            why = ("business key" if col.name in source.key else "required column")
            checks.append(not_null(col.name, f"{why} {col.name} is never empty", CONTRACT))
        if col.values:
            checks.append(Check("ExpectColumnValuesToBeInSet",
                                {"column": col.name, "value_set": list(col.values)},
                                CONTRACT, f"{col.name} takes one of the contract's values"))
        if col.kind == RATING:
            checks.append(between(col.name, 1, 5, f"{col.name} is rated 1..5", CONTRACT))
    return checks


def checks_for(source_name: str) -> list[Check]:
    """Every check of one source's suite, contract checks first (``run_checks``: the ones a
    run over loaded rows computes)."""
    source = SOURCES[source_name]
    return [
        *contract_checks(source),
        _key_unique_in_batch(source),
        *CONSISTENCY_CHECKS.get(source_name, []),
    ]


def _key_unique_in_batch(source: Source) -> Check:
    """One row per business key and export; a versioned source may carry several versions
    of a record in one export, but not two rows of the same version."""
    if source.version_column:
        columns = (*source.key, source.version_column)
        why = (f"one row per business key ({', '.join(source.key)}) and "
               f"{source.version_column} in an export")
    else:
        columns = source.key
        why = (f"the business key ({', '.join(source.key)}) appears once per export; "
               "a new version belongs in a later file")
    return unique_in_batch(columns, why)


# --- what the loader already guarantees ----------------------------------------------
#
# Every row of raw.<source> went through ``ingest/validate.py``, which quarantines a row
# with an empty required value (``problems_sql``: "required value is missing"; every key
# column is required), a value outside a closed set ("is not one of") or a rating that is
# not 1..5 or one of its labels (``parsed_sql``, RATING). A contract check of exactly that
# shape can never fail on loaded rows, so a run does not compute it again: at 10M cases
# those checks were most of the 186 s the suites took (bench/RESULTS.md). They stay in the
# suites (``checks_for``, ``validate_frame``: a frame made by hand did not pass the
# loader), and tests/test_expectations_loader_enforced.py proves, check by check, that a
# row breaking one is quarantined. Anything else (every consistency invariant, a contract
# check of another shape) is still computed on every run.

def loader_enforces(source_name: str, check: Check) -> bool:
    """True when the loader quarantines every row that would fail ``check``."""
    if check.kind != CONTRACT or check.when:
        return False
    source = SOURCES[source_name]
    column = check.kwargs.get("column")
    if column not in source.column_names:
        return False
    col = source.column(column)
    if check.expectation == "ExpectColumnValuesToNotBeNull":
        return col.required
    if check.expectation == "ExpectColumnValuesToBeInSet":
        return col.values is not None and list(check.kwargs["value_set"]) == list(col.values)
    if check.expectation == "ExpectColumnValuesToBeBetween":
        return (col.kind == RATING and check.kwargs.get("min_value") == 1
                and check.kwargs.get("max_value") == 5)
    return False


def run_checks(source_name: str) -> list[Check]:
    """The checks a run computes on loaded rows: the suite without what the loader enforces."""
    return [c for c in checks_for(source_name) if not loader_enforces(source_name, c)]


def check_columns(source_name: str, checks: list[Check] | None = None) -> list[str]:
    """The raw columns ``checks`` (default: the whole suite) need, in contract order, plus
    ``_batch_id``."""
    needed = {c for check in (checks_for(source_name) if checks is None else checks)
              for c in check.columns}
    return ["_batch_id", *[c for c in SOURCES[source_name].column_names if c in needed]]


# --- which expectations can be decided on a chunk of rows ----------------------------
#
# ``expectations/run.py`` validates large sources chunk by chunk (memory is bounded by the
# chunk size, not by the data volume). A row-wise expectation judges each row on its own,
# so its counts over the whole table are the sums over the chunks. An expectation whose
# verdict depends on other rows (uniqueness, row counts, aggregates, distinct sets) cannot
# be decided per chunk: run.py computes those over the whole selection in DuckDB SQL.
# A new expectation type must be added to one of the two sets (``check_invariants``).

ROW_WISE = frozenset({
    "ExpectColumnValuesToNotBeNull",
    "ExpectColumnValuesToBeBetween",  # per value: min_value/max_value are bounds, not aggregates
    "ExpectColumnValuesToBeInSet",
    "ExpectColumnPairValuesAToBeGreaterThanB",
})
WHOLE_TABLE = frozenset({
    "ExpectCompoundColumnsToBeUnique",  # two equal rows may fall in different chunks
})


def is_row_wise(check: Check) -> bool:
    return check.expectation in ROW_WISE


def check_invariants() -> None:
    """Raise ValueError when a check is of an unclassified type or names a missing column.

    A developer's mistake in this file, not a data problem: ``run_suites`` calls it before
    it validates anything, and so do the tests (not an import, which must do no work).
    """
    for name in SOURCES:
        for check in checks_for(name):
            if check.expectation not in ROW_WISE | WHOLE_TABLE:
                raise ValueError(f"expectations/invariants.py: say whether "
                                 f"{check.expectation} is ROW_WISE or WHOLE_TABLE")
    for name, checks in CONSISTENCY_CHECKS.items():
        known = set(SOURCES[name].column_names)
        for check in checks:
            missing = [c for c in check.columns if c not in known]
            if missing:
                raise ValueError(f"expectations/invariants.py: {name} has no column {missing}")

