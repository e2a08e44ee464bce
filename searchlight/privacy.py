"""Scan the marts for clear-text personal data (contract/outputs.md, Privacy).

Every value a source marks as personal (ingest/sources.py: ``personal=True``) is read
from raw, where clear text is allowed, and looked for in every text column of every
table in the ``marts`` schema. A leak is reported with the table, the column, the kind
of value and a masked sample, never the value itself.

How values are matched, and why:
- identifiers, phone numbers and bank accounts: every run of 7+ letters/digits in a mart
  value is compared with the identifiers, in the value as written, with white space
  removed (``6217 0000 1234 5678``) and with separators removed as well (space, ``-``,
  ``.``: ``138-1234-5678``, ``510105-19900307-123X``); a hash join, so the scan stays
  linear in the data;
- person names: every run of Chinese characters is compared with the names, whole; and
  names of 3+ characters also as substrings of a run (张建国 in 张建国窗口), by comparing
  every substring of a run of a name's length, again a hash join. A 2-character name is
  matched as a whole run only: as a substring it would flag ordinary words (程建 in
  工程建设, 林业 in 区林业局), so 张伟 inside 张伟窗口 is not caught. Single characters are
  never matched (王 in 王家坝街道);
- addresses: substring test, as they are free text of their own.
Credit codes of legal persons are public and allowed; those of a natural person's sole
proprietorship (个体工商户, code prefix 92) are personal and looked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.sources import CREDIT_CODE, PARTY_ID, SOURCES

NAME_COLUMNS = {("staff", "staff_name"), ("cases", "applicant_name"),
                ("subsidy_payments", "recipient_name")}
ADDRESS_COLUMNS = {("hotline_tickets", "address")}
MIN_TOKEN = 7
MIN_SUBSTRING_NAME = 3  # shorter names match only as a whole run of Chinese characters
# Written between the digits of a phone, ID or account number: white space (any, also
# full-width), hyphens (ASCII and full-width) and dots.
SEPARATORS = r"[\s\p{Z}\-－.]"


@dataclass(frozen=True)
class Leak:
    table: str
    column: str
    kind: str  # identifier, name or address
    sample: str  # masked: first and last characters only
    rows: int


def _mask(v: str) -> str:
    return v[:2] + "*" * max(len(v) - 4, 1) + v[-2:] if len(v) > 4 else v[0] + "*" * (len(v) - 1)


def _secret_selects(raw_columns: set[tuple[str, str]]) -> list[str]:
    """SQL selecting (kind, value) of every personal value in raw (of the columns present)."""
    parts = []
    for source in SOURCES.values():
        for col in source.columns:
            if (source.name, col.name) not in raw_columns:
                continue
            where = f"{col.name} is not null"
            if col.kind == PARTY_ID:  # a resident id, or a sole proprietorship's code
                where += f" and (applicant_type = '自然人' or {col.name} like '92%')"
            elif (source.name, col.name) == ("cases", "applicant_name"):
                where += " and applicant_type = '自然人'"
            if (source.name, col.name) in NAME_COLUMNS:
                kind = "name"
            elif (source.name, col.name) in ADDRESS_COLUMNS:
                kind = "address"
            elif col.personal:
                kind = "identifier"
            elif col.kind == CREDIT_CODE:
                kind, where = "identifier", where + f" and {col.name} like '92%'"
            else:
                continue
            value = col.name if kind != "identifier" else (
                f"upper(regexp_replace({col.name}, '\\s', '', 'g'))")
            parts.append(f"select '{kind}' as kind, cast({value} as varchar) as value "
                         f"from raw.{source.name} where {where}")
    return parts


def scan_marts(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> list[Leak]:
    """Leaks of personal data from raw into the text columns of `schema`."""
    raw_columns = set(con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'raw'").fetchall())
    selects = _secret_selects(raw_columns)
    con.execute("create or replace temp table _secrets as select distinct kind, value from ("
                + " union all ".join(selects) + ") where length(value) >= 2")
    columns = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = ? and data_type in ('VARCHAR', 'JSON') "
        "order by table_name, ordinal_position", [schema]).fetchall()
    leaks: list[Leak] = []
    for table, column in columns:
        con.execute(f"""
            create or replace temp table _texts as
            select cast("{column}" as varchar) as v, count(*) as n
            from {schema}."{table}" where "{column}" is not null group by 1""")
        found = con.execute(f"""
            with
            forms as (
                select v, n, upper(v) as form from _texts
                union all
                select v, n, upper(regexp_replace(v, '\\s', '', 'g')) from _texts
                union all
                select v, n, upper(regexp_replace(v, '{SEPARATORS}', '', 'g')) from _texts
            ),
            tokens as (
                -- letter-and-digit runs (ids, credit codes) and digit runs (phones,
                -- accounts), in the value as written, with white space removed and
                -- with separators removed
                select v, n, unnest(regexp_extract_all(form, '[0-9A-Z]{{{MIN_TOKEN},}}')) as token
                from forms
                union all
                select v, n, unnest(regexp_extract_all(form, '[0-9]{{{MIN_TOKEN},}}X?'))
                from forms
            ),
            han as (
                select v, n, unnest(regexp_extract_all(v, '\\p{{Han}}+')) as token from _texts
            ),
            name_lengths as (
                select distinct length(value) as k from _secrets
                where kind = 'name' and length(value) >= {MIN_SUBSTRING_NAME}
            ),
            han_starts as (
                -- every start of a substring as long as some name, in runs longer than it
                -- (runs of exactly that length are compared whole below)
                select h.v, h.n, h.token, l.k,
                       unnest(range(1, length(h.token) - l.k + 2)) as i
                from han h cross join name_lengths l
                where length(h.token) > l.k
            ),
            han_substrings as (
                select v, n, substr(token, i, k) as token from han_starts
            ),
            hits as (
                select 'identifier' as kind, s.value, t.v, t.n from tokens t
                join _secrets s on s.kind = 'identifier' and s.value = t.token
                union all
                select 'name', s.value, h.v, h.n from han h
                join _secrets s on s.kind = 'name' and s.value = h.token
                union all
                select 'name', s.value, h.v, h.n from han_substrings h
                join _secrets s on s.kind = 'name' and s.value = h.token
                union all
                select 'address', s.value, x.v, x.n from _texts x
                join _secrets s on s.kind = 'address' and length(s.value) >= 6
                               and contains(x.v, s.value)
            ),
            per_value as (
                select kind, v, min(value) as value, any_value(n) as n from hits group by kind, v
            )
            select kind, min(value), sum(n) from per_value group by kind""").fetchall()
        for kind, value, rows in found:
            leaks.append(Leak(table, column, kind, _mask(value), int(rows)))
    return leaks


def scan_warehouse(warehouse: Path | str) -> list[Leak]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return scan_marts(con)
