"""Asset keys and groups of dbt nodes: one definition for the Dagster translator
(``dbt_assets.SearchlightTranslator``) and for the CLI's record of what it built
(``searchlight.dagster_record``), so both name an asset the same way.

Kept free of Dagster and of the manifest so the CLI can use it without importing either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

RAW_SOURCE = "raw"
WARNINGS_SCHEMA = "warnings"
# cov_<code>_<name>: a rule's coverage model; the code's letter is the rule's family
# (contract/rules.md), the same as its warn_ model's config.meta.family.
_COVERAGE = re.compile(r"^cov_(?P<family>[a-z])\d+_")


def schema_of(props: Mapping[str, Any]) -> str | None:
    # The project uses custom schema names verbatim (generate_schema_name override).
    return (props.get("config") or {}).get("schema") or props.get("schema")


def model_key_path(props: Mapping[str, Any]) -> list[str]:
    """``[schema, name]`` of a model, seed or snapshot (``marts/alerts``)."""
    schema = schema_of(props)
    name = props.get("alias") or props["name"]
    return [schema, name] if schema else [name]


def rule_family(props: Mapping[str, Any]) -> str | None:
    """A warning model's family: its ``config.meta.family`` (the rule catalog), else — for
    a rule's coverage model, which carries no meta — its rule code's letter."""
    meta = {**(props.get("meta") or {}), **((props.get("config") or {}).get("meta") or {})}
    if meta.get("family"):
        return str(meta["family"]).upper()
    match = _COVERAGE.match(props.get("name") or "")
    return match["family"].upper() if match else None


def group_name(props: Mapping[str, Any]) -> str:
    """The schema, and for the 74 warning models their rule family (``warnings_T``), so
    the lineage of marts/alerts reads family by family."""
    schema = schema_of(props)
    if schema == WARNINGS_SCHEMA:
        family = rule_family(props)
        if family:
            return f"{WARNINGS_SCHEMA}_{family}"
    return schema if schema and schema.isidentifier() else "dbt"
