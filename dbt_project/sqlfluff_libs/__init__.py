"""What dbt gives a model's Jinja, as far as sqlfluff's jinja templater needs it.

dbt's own templater for sqlfluff compiles through dbt and needs a live connection; the
jinja templater renders the files alone. It loads the project's macros
(``load_macros_from_path``) and dbt's basic builtins (``apply_dbt_builtins``: ref,
source, config, is_incremental, this, return); ``.sqlfluff`` points ``library_path`` here
for the rest, and every public name of this module becomes a Jinja global:

- ``var``: the project's real vars (dbt_project.yml), so loops over var lists and the
  thresholds render as dbt renders them;
- ``adapter.dispatch``: the project's ``duckdb__`` macro, else its ``default__`` one;
- ``dbt``: dbt's cross-database macros, written as dbt-duckdb renders them;
- ``execute`` is false, as at dbt's parse: macros that read the graph or a model's meta
  take their parse-time branch.

Only for linting: what renders here is close to, not the same as, dbt's compiled SQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jinja2 import pass_context
from jinja2.runtime import Context

_PROJECT = yaml.safe_load((Path(__file__).resolve().parents[1] / "dbt_project.yml")
                          .read_text(encoding="utf-8"))
_VARS: dict[str, Any] = _PROJECT.get("vars", {})

execute = False


def var(name: str, default: Any = None) -> Any:
    return _VARS.get(name, default)


class _Adapter:
    @pass_context
    def dispatch(self, context: Context, macro_name: str, macro_namespace: str | None = None):
        for prefix in ("duckdb__", "default__"):
            macro = context.resolve_or_missing(prefix + macro_name)
            if macro is not context.environment.undefined and macro is not None \
                    and not _is_missing(macro):
                return macro
        raise NameError(f"no duckdb__ or default__ implementation of macro {macro_name}")


def _is_missing(value: Any) -> bool:
    from jinja2.utils import missing

    return value is missing


class _Exceptions:
    @staticmethod
    def raise_compiler_error(message: str) -> None:
        raise RuntimeError(message)


class _CrossDatabase:
    """dbt's cross-database macros as dbt-duckdb renders them."""

    @staticmethod
    def type_string() -> str:
        return "varchar"

    @staticmethod
    def type_numeric() -> str:
        return "numeric(28, 6)"

    @staticmethod
    def type_timestamp() -> str:
        return "timestamp"

    @staticmethod
    def concat(fields: list[str]) -> str:
        return " || ".join(fields)

    @staticmethod
    def current_timestamp() -> str:
        return "now()"

    @staticmethod
    def date_trunc(datepart: str, date: str) -> str:
        return f"date_trunc('{datepart}', {date})"

    @staticmethod
    def dateadd(datepart: str, interval: Any, from_date_or_timestamp: str) -> str:
        return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"

    @staticmethod
    def datediff(first_date: str, second_date: str, datepart: str) -> str:
        return f"date_diff('{datepart}', {first_date}::timestamp, {second_date}::timestamp)"

    @staticmethod
    def hash(field: str) -> str:
        return f"md5(cast({field} as varchar))"

    @staticmethod
    def length(expression: str) -> str:
        return f"length({expression})"

    @staticmethod
    def right(string_text: str, length_expression: str) -> str:
        return f"right({string_text}, {length_expression})"


adapter = _Adapter()
dbt = _CrossDatabase()
exceptions = _Exceptions()
