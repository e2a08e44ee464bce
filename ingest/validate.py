"""Row validation as one vectorised DuckDB query, generated from the contract.

``checked_select`` turns a relation of raw text columns into the typed canonical columns
of ``raw.<source>`` plus ``_reason``: NULL for a valid row, otherwise every problem of
the row, ``; ``-separated, each naming the column (with its Chinese alias) and the bad
value in words a clerk can act on.

The query has three layers, so each expression is computed once:
  a: original text ``r_<col>`` (unless it is a column of the relation already) and
     cleaned text ``v_<col>`` (trimmed, empty -> NULL;
     identifiers without white space, upper-cased)
  m: the parts of each time column not in a canonical form (one regex per value)
  n: those parts as a naive timestamp
  b: parsed value ``p_<col>`` (NULL when empty or not parseable)
  c: problems ``x_<col>`` (NULL when fine), then the row's ``_reason``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.sources import (
    BOOL,
    CREDIT_CODE,
    DATE,
    DECIMAL,
    DUCKDB_TYPES,
    IDENTIFIER_KINDS,
    INT,
    PARTY_ID,
    PARTY_TYPE_COLUMN,
    PARTY_TYPES,
    RATING,
    RESIDENT_ID,
    TEXT,
    TIMESTAMP,
    Column,
    Source,
    rating_labels,
)

WHITESPACE = " \t\r\n\f\v\u3000\u00a0\ufeff"
WHITESPACE_RE = r"[\s\x{3000}\x{00a0}\x{feff}]+"
TRUE_WORDS = ("true", "1", "是", "y")
FALSE_WORDS = ("false", "0", "否", "n")
LOCAL_TZ = "Asia/Shanghai"

RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_CHECK = "10X98765432"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# 2024-03-05 09:15:00 | 2024-03-05T09:15:00.123 | 2024/3/5 9:15 | 2024-03-05 | ...+08:00
TS_PATTERN = (
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*([zZ]|[+-]\d{2}:?\d{2})?$"
)
TS_HINT = "expected e.g. 2024-03-05 09:15:00, 2024/3/5 9:15, 2024-03-05 or ISO 8601 with offset"


def one_of(expr: str, values: str) -> str:
    """SQL: expr is one of values (SQL literals, comma-separated); NULL/false otherwise.

    Not ``expr IN (...)`` nor list_contains: DuckDB plans those (from five or ten
    constants on) as a hash join, which costs set-up on every file and lets the query
    store its rows out of file order (then the inserts must sort).
    """
    return f"(list_position([{values}], {expr}) IS NOT NULL)"


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def label(col: Column) -> str:
    """How a clerk finds the column: canonical name and its first Chinese alias."""
    return f"{col.name} ({col.aliases[0]})" if col.aliases else col.name


# --- cleaning ----------------------------------------------------------------------------

def clean_sql(col: Column, raw: str) -> str:
    if col.kind in IDENTIFIER_KINDS:
        return f"nullif(upper(regexp_replace({raw}, {lit(WHITESPACE_RE)}, '', 'g')), '')"
    # trim() with a character list is slow; only values that start or end with white
    # space (rare) pay for it. contains() on the first/last character: 3x cheaper per
    # value than ``ascii(..) IN (<codes>)``, which DuckDB plans as two hash joins per
    # column (set-up cost on every file, however small).
    ws = lit(WHITESPACE)
    edges = f"contains({ws}, left({raw}, 1)) OR contains({ws}, right({raw}, 1))"
    return (f"CASE WHEN {raw} = '' THEN NULL WHEN {edges} "
            f"THEN nullif(trim({raw}, {lit(WHITESPACE)}), '') ELSE {raw} END")


# --- parsing -----------------------------------------------------------------------------

def timestamp_match_sql(v: str) -> str:
    """The parts of a time in a non-canonical form (NULL for the fast canonical forms)."""
    return (f"CASE WHEN {v} IS NULL OR {_fast_timestamp(v)} THEN NULL ELSE "
            f"regexp_extract({v}, {lit(TS_PATTERN)}, ['y','mo','d','h','mi','s','f','tz']) END")


def _fast_timestamp(v: str) -> str:
    return (f"({v} LIKE '____-__-__ __:__:__' OR {v} LIKE '____-__-__T__:__:__' "
            f"OR {v} LIKE '____-__-__')")


def timestamp_naive_sql(m: str) -> str:
    """The parts matched by ``timestamp_match_sql`` as a naive TIMESTAMP (NULL if none)."""
    return (
        f"CASE WHEN {m} IS NOT NULL THEN "
        f"TRY_CAST({m}.y || '-' || {m}.mo || '-' || {m}.d || ' ' || "
        f"CASE WHEN {m}.h = '' THEN '00:00:00' ELSE {m}.h || ':' || {m}.mi || ':' || "
        f"CASE WHEN {m}.s = '' THEN '00' ELSE {m}.s END || "
        f"CASE WHEN {m}.f = '' THEN '' ELSE '.' || left({m}.f, 6) END END AS TIMESTAMP) END"
    )


def timestamp_sql(v: str, m: str, n: str) -> str:
    """Any contract form -> China local naive TIMESTAMP; NULL when not a valid time.

    ``m`` is the column holding ``timestamp_match_sql(v)``, ``n`` the one holding
    ``timestamp_naive_sql(m)`` (a layer of its own: written once, the query is smaller
    and cheaper to plan for every file).
    """
    offset_minutes = (
        f"CASE WHEN upper({m}.tz) = 'Z' THEN 0 ELSE "
        f"(CASE WHEN left({m}.tz, 1) = '-' THEN -1 ELSE 1 END) * "
        f"(CAST(substr({m}.tz, 2, 2) AS INTEGER) * 60 + CAST(right({m}.tz, 2) AS INTEGER)) END"
    )
    return (
        f"CASE WHEN {v} IS NULL THEN NULL "
        f"WHEN {m} IS NULL THEN TRY_CAST({v} AS TIMESTAMP) "
        f"WHEN {m}.tz = '' THEN {n} "
        f"ELSE timezone({lit(LOCAL_TZ)}, timezone('UTC', {n} - to_minutes({offset_minutes}))) "
        f"END"
    )


def _int_list(values: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(w) for w in values) + "]"


# The weighted sums are list_inner_product over the 17 characters (string_split by ''),
# not 17 written-out terms: the same numbers, a third of the time to parse and bind per
# file (~3 ms per check, and a cases file has three).

def resident_id_ok(v: str) -> str:
    """GB 11643: 17 digits and a check character from weights mod 11."""
    digits = f"CAST(string_split(left({v}, 17), '') AS INTEGER[])"
    total = f"CAST(list_inner_product({digits}, {_int_list(RESIDENT_WEIGHTS)}) AS INTEGER)"
    return (
        f"(CASE WHEN regexp_full_match({v}, '\\d{{17}}[\\dX]') THEN "
        f"substr({lit(RESIDENT_CHECK)}, ({total} % 11) + 1, 1) = substr({v}, 18, 1) "
        "ELSE false END)"
    )


def credit_code_ok(v: str) -> str:
    """GB 32100: 18 characters of the code alphabet, check character mod 31."""
    codes = (f"list_transform(string_split(left({v}, 17), ''), "
             f"lambda ch: strpos({lit(CREDIT_ALPHABET)}, ch) - 1)")
    total = f"CAST(list_inner_product({codes}, {_int_list(CREDIT_WEIGHTS)}) AS INTEGER)"
    return (
        f"(CASE WHEN regexp_full_match({v}, '[{CREDIT_ALPHABET}]{{18}}') THEN "
        f"substr({lit(CREDIT_ALPHABET)}, ((31 - {total} % 31) % 31) + 1, 1) "
        f"= substr({v}, 18, 1) ELSE false END)"
    )


def parsed_sql(col: Column, v: str, vs: dict[str, str]) -> str:
    """Typed value of a cleaned text, or NULL when it does not parse."""
    kind = col.kind
    if kind == TEXT:
        return v
    if kind == INT:
        return f"CASE WHEN regexp_full_match({v}, '[+-]?\\d{{1,18}}') THEN TRY_CAST({v} AS BIGINT) END"
    if kind == DECIMAL:
        return (f"CASE WHEN regexp_full_match({v}, '[+-]?(\\d+(\\.\\d*)?|\\.\\d+)') "
                f"THEN TRY_CAST({v} AS {DUCKDB_TYPES[DECIMAL]}) END")
    if kind == BOOL:
        trues = ", ".join(lit(w) for w in TRUE_WORDS)
        falses = ", ".join(lit(w) for w in FALSE_WORDS)
        return (f"CASE WHEN {one_of(f'lower({v})', trues)} THEN true "
                f"WHEN {one_of(f'lower({v})', falses)} THEN false END")
    if kind == TIMESTAMP:
        return timestamp_sql(v, ident("m_" + col.name), ident("n_" + col.name))
    if kind == DATE:
        return (f"CAST({timestamp_sql(v, ident('m_' + col.name), ident('n_' + col.name))} "
                "AS DATE)")
    if kind == RATING:
        labels = " ".join(f"WHEN {lit(k)} THEN {n}" for k, n in rating_labels().items())
        digits = ", ".join(lit(str(n)) for n in range(1, 6))
        return (f"CASE WHEN {one_of(v, digits)} THEN CAST({v} AS INTEGER) "
                f"ELSE CASE {v} {labels} END END")
    if kind == RESIDENT_ID:
        return f"CASE WHEN {resident_id_ok(v)} THEN {v} END"
    if kind == CREDIT_CODE:
        return f"CASE WHEN {credit_code_ok(v)} THEN {v} END"
    if kind == PARTY_ID:
        party = vs.get(PARTY_TYPE_COLUMN, "NULL")
        branches = " ".join(
            f"WHEN {party} = {lit(t)} THEN "
            f"{resident_id_ok(v) if k == RESIDENT_ID else credit_code_ok(v)}"
            for t, k in PARTY_TYPES.items()
        )
        return f"CASE WHEN CASE {branches} ELSE true END THEN {v} END"
    raise ValueError(f"column {col.name}: unknown kind {kind!r}")


# --- problems ----------------------------------------------------------------------------

def _quoted(raw: str) -> str:
    return f"'''' || left({raw}, 80) || ''''"


def _what(col: Column, vs: dict[str, str]) -> str:
    """SQL text describing what a valid value of this column looks like."""
    kind = col.kind
    if kind == INT:
        return lit("is not a whole number")
    if kind == DECIMAL:
        return lit("is not a number (plain digits with an optional decimal point)")
    if kind == BOOL:
        return lit("is not a yes/no value (true/false, 1/0, 是/否, Y/N)")
    if kind in (TIMESTAMP, DATE):
        return lit(f"is not a valid {'date/time' if kind == TIMESTAMP else 'date'} ({TS_HINT})")
    if kind == RATING:
        return lit("is not a rating (1 to 5, or " + "/".join(rating_labels()) + ")")
    if kind == RESIDENT_ID:
        return lit("is not a valid resident ID number (18 characters, GB 11643 check digit)")
    if kind == CREDIT_CODE:
        return lit("is not a valid unified social credit code (18 characters, GB 32100 "
                   "check character)")
    if kind == PARTY_ID:
        party = vs.get(PARTY_TYPE_COLUMN, "NULL")
        return (f"CASE WHEN {party} = '法人' THEN 'is not a valid unified social credit "
                "code for applicant type 法人 (18 characters, GB 32100 check character)' "
                "ELSE 'is not a valid resident ID number for applicant type 自然人 "
                "(18 characters, GB 11643 check digit)' END")
    raise ValueError(kind)


def problems_sql(col: Column, r: str, v: str, p: str, vs: dict[str, str]) -> str:
    """NULL when the value is fine, otherwise one sentence naming column and value."""
    name = lit(label(col) + ": ")
    checks: list[str] = []
    if col.required:
        checks.append(f"WHEN {v} IS NULL THEN {name} || 'required value is missing'")
    if col.kind != TEXT:
        checks.append(f"WHEN {v} IS NOT NULL AND {p} IS NULL THEN "
                      f"{name} || {_quoted(r)} || ' ' || {_what(col, vs)}")
    if col.values:
        allowed = ", ".join(lit(x) for x in col.values)
        checks.append(f"WHEN {v} IS NOT NULL AND NOT {one_of(v, allowed)} THEN "
                      f"{name} || {_quoted(r)} || ' is not one of ' || "
                      f"{lit(', '.join(col.values))}")
    if not checks:
        return "NULL"
    return "CASE " + " ".join(checks) + " END"


EXTRA_CHECKS = {
    # items: the promised limit may not exceed the legal one
    "promised_within_statutory": (
        "CASE WHEN p_promised_limit_days > p_statutory_limit_days THEN "
        "'promised_limit_days (承诺办结时限): ' || p_promised_limit_days || "
        "' is more than statutory_limit_days (法定办结时限) ' || p_statutory_limit_days END"
    ),
}


# --- the query ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RowSource:
    """A relation of raw text, and how to find each canonical column in it."""

    relation: str  # table/view name or parenthesised subquery
    raw: dict[str, str]  # canonical name -> SQL expression of its original text
    extra: list[tuple[str, str]]  # (original name, SQL expression) of extra columns
    row_text: str  # SQL expression: the row as read, JSON text
    row_error: str | None = None  # SQL: a problem making every column moot, or NULL


def checked_select(source: Source, rows: RowSource, keep: tuple[str, ...] = ()) -> str:
    """SELECT typed canonical columns, _line, _extra, _reason, _row_text (bad rows only).

    ``keep``: further columns of the relation passed through as they are (e.g. _file).
    """
    cols = source.columns
    # The relation's own columns travel along (*), so the row as read is rebuilt as JSON
    # at the end for the bad rows only, not for every row.
    layer_a = ["*", f"{_extra_sql(rows.extra)} AS _extra",
               f"{rows.row_error or 'NULL'} AS _row_error"]
    rs: dict[str, str] = {}
    for c in cols:
        raw = rows.raw.get(c.name, "CAST(NULL AS VARCHAR)")
        if _is_column(raw):  # travels along with * already: no second copy to materialise
            rs[c.name] = raw
        else:
            rs[c.name] = ident("r_" + c.name)
            layer_a.append(f"{raw} AS {rs[c.name]}")
        layer_a.append(f"{clean_sql(c, raw)} AS {ident('v_' + c.name)}")
    vs = {c.name: ident("v_" + c.name) for c in cols}
    layer_m = [f"{timestamp_match_sql(vs[c.name])} AS {ident('m_' + c.name)}"
               for c in cols if c.kind in (TIMESTAMP, DATE)]
    layer_n = [f"{timestamp_naive_sql(ident('m_' + c.name))} AS {ident('n_' + c.name)}"
               for c in cols if c.kind in (TIMESTAMP, DATE)]
    layer_b = [f"{parsed_sql(c, vs[c.name], vs)} AS {ident('p_' + c.name)}" for c in cols]
    layer_c = [
        f"{problems_sql(c, rs[c.name], vs[c.name], ident('p_' + c.name), vs)} "
        f"AS {ident('x_' + c.name)}"
        for c in cols
    ]
    problems = [ident("x_" + c.name) for c in cols]
    problems += [f"({EXTRA_CHECKS[name]})" for name in source.extra_checks]
    reason = (f"CASE WHEN _row_error IS NOT NULL THEN _row_error "
              f"ELSE nullif(concat_ws('; ', {', '.join(problems)}), '') END")
    final = [f"{ident('p_' + c.name)} AS {ident(c.name)}" for c in cols]
    final += [*keep, "_line", "_extra", "_reason",
              f"CASE WHEN _reason IS NOT NULL THEN {rows.row_text} END AS _row_text"]
    return (
        # NOT MATERIALIZED: each layer is a projection over the previous one, so the cleaned
        # values are still computed once per row, and no layer is copied into a buffer
        # (materialising layer a cost 10-20% of the query's CPU and made its sink serial).
        # It used to be MATERIALIZED because inlining then repeated ascii(..) IN (..) hash
        # joins; those are gone (clean_sql), and planning costs the same either way.
        f"WITH a AS NOT MATERIALIZED (SELECT {', '.join(layer_a)} FROM {rows.relation}),\n"
        f"m AS (SELECT *{''.join(', ' + x for x in layer_m)} FROM a),\n"
        f"n AS (SELECT *{''.join(', ' + x for x in layer_n)} FROM m),\n"
        f"b AS (SELECT *, {', '.join(layer_b)} FROM n),\n"
        f"c AS (SELECT *, {', '.join(layer_c)} FROM b),\n"
        f"d AS (SELECT *, {reason} AS _reason FROM c)\n"
        f"SELECT {', '.join(final)} FROM d"
    )


def _is_column(expr: str) -> bool:
    """A plain column name of the relation (c0, c1, ...), not an expression."""
    return expr.isidentifier()


def _extra_sql(extra: list[tuple[str, str]]) -> str:
    """JSON object of the columns the contract does not name; NULL when all are empty."""
    if not extra:
        return "CAST(NULL AS VARCHAR)"
    pairs = ", ".join(f"{lit(name)}, nullif({expr}, '')" for name, expr in extra)
    any_value = " OR ".join(f"coalesce({expr}, '') <> ''" for _, expr in extra)
    return f"CASE WHEN {any_value} THEN CAST(json_object({pairs}) AS VARCHAR) END"
