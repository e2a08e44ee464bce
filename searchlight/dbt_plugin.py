"""dbt-duckdb plugin: the keyed pseudonym function `sl_pseudonym(v)` on dbt's connection.

pseudonym(v) (contract/rules.md) is the first 16 lower-case hex characters of
HMAC-SHA256(key, v') where v' is v upper-cased with all white space removed and key is
the environment variable SEARCHLIGHT_PSEUDONYM_KEY (the documented demo key, with a
warning, when unset).

The key never appears in compiled SQL, dbt artifacts or logs: this plugin computes the
HMAC inner and outer pads (key XOR 0x36 / 0x5c, key padded to the 64-byte SHA-256 block)
in Python and registers a TEMP macro on each DuckDB connection and cursor dbt uses:

    sl_pseudonym(v) = left(sha256(opad || unhex(sha256(ipad || v'))), 16)

Being a temporary (connection-local) object, the macro cannot be used in views that
outlive the connection: models that call the dbt macro `pseudonym()` are tables.
"""

from __future__ import annotations

import hashlib
import logging
import os
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

KEY_ENV = "SEARCHLIGHT_PSEUDONYM_KEY"
DEMO_KEY = "searchlight-demo-key"
BLOCK_SIZE = 64  # SHA-256 block size in bytes

logger = logging.getLogger(__name__)


def hmac_pads(key: str) -> tuple[str, str]:
    """Hex of the HMAC-SHA256 inner and outer pads for `key` (RFC 2104)."""
    raw = key.encode("utf-8")
    if len(raw) > BLOCK_SIZE:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(BLOCK_SIZE, b"\0")
    ipad = bytes(b ^ 0x36 for b in raw).hex()
    opad = bytes(b ^ 0x5C for b in raw).hex()
    return ipad, opad


def pseudonym_macro_sql(key: str) -> str:
    ipad, opad = hmac_pads(key)
    # White space: ASCII (\s) and Unicode separators such as the full-width space U+3000.
    normalised = r"upper(regexp_replace(cast(v as varchar), '[\s\p{Z}]', '', 'g'))"
    return (
        "create or replace temp macro sl_pseudonym(v) as "
        "case when v is null then null else lower(left(sha256("
        f"unhex('{opad}') || unhex(sha256(unhex('{ipad}') || encode({normalised})))"
        "), 16)) end"
    )


def pseudonym_key(warn: bool = True) -> str:
    """The key from the environment, else the demo key (with a warning unless warn=False:
    callers that only fingerprint it leave the warning to the run's own)."""
    key = os.environ.get(KEY_ENV)
    if key:
        return key
    if warn:
        logger.warning(
            "%s is not set: pseudonyms use the public demo key %r. "
            "Set a secret key before loading real data.", KEY_ENV, DEMO_KEY)
    return DEMO_KEY


class Plugin(BasePlugin):
    """Registers sl_pseudonym(v) on every connection and cursor dbt-duckdb opens."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._sql = pseudonym_macro_sql(pseudonym_key())

    def configure_connection(self, conn) -> None:
        conn.execute(self._sql)

    def configure_cursor(self, cursor) -> None:
        # A cursor is a separate DuckDB connection: temp objects are not inherited.
        cursor.execute(self._sql)
