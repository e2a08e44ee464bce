"""A changed pseudonym key forces a full refresh of the incremental models.

The incremental staging models (dbt_project/macros/incremental.sql) keep the pseudonyms
they computed in earlier runs and compute only the new rows'. Built with two keys, one
warehouse would hold two pseudonyms for one person, and every join by pseudonym (F05,
P02, P06, L01–L05, ...) would silently miss the links across them. So the warehouse
remembers a fingerprint of the key it was built with — HMAC(key, a fixed text), which
reveals nothing about the key — and a run under another key rebuilds with
``--full-refresh``.

A warehouse whose staging already exists but which has no fingerprint yet (built before
this guard) is rebuilt once too: which key built it cannot be known.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import duckdb

from searchlight.dbt_plugin import pseudonym_key
from searchlight.warehouse import connect as open_warehouse

STATE_TABLE = "meta.pseudonym_key"
FINGERPRINT_TEXT = b"searchlight pseudonym key fingerprint"


def key_fingerprint(key: str | None = None) -> str:
    key = pseudonym_key(warn=False) if key is None else key
    return hmac.new(key.encode("utf-8"), FINGERPRINT_TEXT, hashlib.sha256).hexdigest()[:16]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name = ?", [schema, table]).fetchone()[0])


def key_changed(warehouse: Path | str) -> bool:
    """True when the warehouse's pseudonyms were (or may have been) made with another key."""
    if not Path(warehouse).exists():
        return False
    with open_warehouse(warehouse, read_only=True) as con:
        if _has_table(con, "meta", "pseudonym_key"):
            stored = con.execute(f"select fingerprint from {STATE_TABLE}").fetchone()
            return stored is None or stored[0] != key_fingerprint()
        return _has_table(con, "staging", "stg_cases_versions")


def remember_key(warehouse: Path | str) -> None:
    """After a successful build: this key made the warehouse's pseudonyms."""
    with open_warehouse(warehouse) as con:
        con.execute("create schema if not exists meta")
        con.execute(f"create or replace table {STATE_TABLE} (fingerprint varchar)")
        con.execute(f"insert into {STATE_TABLE} values (?)", [key_fingerprint()])
