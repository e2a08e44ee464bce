"""The local SparkSession of the `spark` target, and what it must hold before dbt runs.

dbt-spark's `method: session` calls ``SparkSession.builder...getOrCreate()`` for every
statement, and a JVM holds one SparkSession per process: whoever creates it first decides
its configuration. So searchlight creates it first, from the profile's own
``server_side_parameters`` (rendered here with the same environment dbt sees, so the two
never disagree), then registers on it what the models need and must not come from SQL
text: the pseudonym function (the key is in no compiled SQL, artifact or log).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

from searchlight.dbt_plugin import hmac_pads, pseudonym_key
from searchlight.paths import DBT_PROJECT_DIR
from searchlight.spark.casefold import spark_upper_sql

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PROFILE = "searchlight"
TARGET = "spark"

# White space removed before hashing, as DuckDB's RE2 class [\s\p{Z}] in
# searchlight.dbt_plugin: RE2's \s is [\t\n\f\r ], while Java's \s also matches \x0B,
# so the Spark pattern names the characters instead of writing \s.
SPARK_WHITESPACE = r"[\\t\\n\\f\\r \\p{Z}]"


class PseudonymSetupError(RuntimeError):
    """The pseudonym function could not be registered (the message never holds the key)."""


def _env_var(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise KeyError(f"environment variable {name} is not set (needed by the {TARGET} "
                       "profile)")
    return value


def profile_parameters(target: str = TARGET,
                       profiles_dir: Path = DBT_PROJECT_DIR) -> dict[str, str]:
    """The target's server_side_parameters, rendered as dbt renders them (env_var())."""
    profiles = yaml.safe_load((profiles_dir / "profiles.yml").read_text(encoding="utf-8"))
    output = profiles[PROFILE]["outputs"][target]
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.globals["env_var"] = _env_var
    params = {str(k): env.from_string(str(v)).render()
              for k, v in (output.get("server_side_parameters") or {}).items()}
    params["spark.sql.ansi.enabled"] = "false"  # what dbt-spark forces (connections.py)
    return params


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """os.environ with values set for the block (dbt in-process reads os.environ)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def get_session(params: Mapping[str, str]) -> SparkSession:
    """The process's SparkSession, created with params (Hive support, as dbt-spark)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in params.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel(params.get("spark.log.level", "ERROR"))
    silence_query_error_logs()
    return session


def silence_query_error_logs() -> None:
    """pyspark logs every failed query's exception, statement fragment included, as JSON
    on stderr. dbt reports each failure itself; and a statement may hold what must not be
    logged (the pseudonym function's pads)."""
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL + 1)


def pseudonym_function_sql(key: str) -> str:
    """CREATE TEMPORARY FUNCTION sl_pseudonym: the same HMAC-SHA256 as the DuckDB macro
    (searchlight.dbt_plugin), from the key's precomputed pads (Spark has no hmac()), over
    the same normalised text (white space as RE2's, upper() as DuckDB's: casefold.py)."""
    ipad, opad = hmac_pads(key)
    normalised = spark_upper_sql(f"regexp_replace(v, '{SPARK_WHITESPACE}', '')")
    return (
        "CREATE OR REPLACE TEMPORARY FUNCTION sl_pseudonym(v STRING) RETURNS STRING RETURN "
        "CASE WHEN v IS NULL THEN NULL ELSE lower(left(sha2(concat("
        f"unhex('{opad}'), unhex(sha2(concat(unhex('{ipad}'), encode({normalised}, 'UTF-8')), "
        "256))), 256), 16)) END"
    )


def register_pseudonym(session: Any, key: str | None = None) -> None:
    """sl_pseudonym(v) on the session. A failure is reported without the statement, whose
    text holds the key's pads (get_session has silenced pyspark's own error logging)."""
    key = pseudonym_key() if key is None else key
    try:
        session.sql(pseudonym_function_sql(key))
    except Exception as exc:  # noqa: BLE001 - re-raised without the statement's text
        kind = type(exc).__name__
        raise PseudonymSetupError(
            f"could not register sl_pseudonym on the Spark session ({kind}); Spark 4.0 "
            "or later is needed for SQL functions") from None
