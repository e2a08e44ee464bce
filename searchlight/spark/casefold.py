"""upper() as DuckDB computes it, on Spark: the pseudonym's normalisation must be identical.

Both pseudonyms upper-case the value before hashing (searchlight.dbt_plugin). For almost
every character the engines agree; they differ on the characters below, because Spark
applies Unicode's full case mapping (ß -> SS, the ligature ﬁ -> FI, Greek with iota
subscript -> two letters) and a newer Unicode version (ƛ -> U+A7DC), where DuckDB maps one
character to one character from its own tables. On Spark a value holding one of them is
upper-cased character by character, each of them replaced by DuckDB's upper-case form
and every other character by upper() (the rest, nearly every value, by upper() as a
whole), so the hash sees the same text on both engines.

The table holds DuckDB's upper() of every code point where Spark's differs, for the
engine versions pinned by this project (DuckDB 2.0, pyspark 4.3). tests/test_spark.py
compares the two engines' pseudonyms over every code point, so an upgrade that changes a
case table fails there; `python -m searchlight.spark.casefold` then prints the new table.
"""

from __future__ import annotations

import sys

# character -> DuckDB's upper() of it, where Spark's upper() gives something else
DUCKDB_UPPER_EXCEPTIONS: dict[str, str] = {
    "\u00df": "\u1e9e", "\u0149": "\u0149", "\u019b": "\u019b", "\u01f0": "\u01f0",
    "\u0264": "\u0264", "\u0390": "\u0390", "\u03b0": "\u03b0", "\u0587": "\u0587",
    "\u1c8a": "\u1c8a", "\u1e96": "\u1e96", "\u1e97": "\u1e97", "\u1e98": "\u1e98",
    "\u1e99": "\u1e99", "\u1e9a": "\u1e9a", "\u1f50": "\u1f50", "\u1f52": "\u1f52",
    "\u1f54": "\u1f54", "\u1f56": "\u1f56", "\u1f80": "\u1f88", "\u1f81": "\u1f89",
    "\u1f82": "\u1f8a", "\u1f83": "\u1f8b", "\u1f84": "\u1f8c", "\u1f85": "\u1f8d",
    "\u1f86": "\u1f8e", "\u1f87": "\u1f8f", "\u1f88": "\u1f88", "\u1f89": "\u1f89",
    "\u1f8a": "\u1f8a", "\u1f8b": "\u1f8b", "\u1f8c": "\u1f8c", "\u1f8d": "\u1f8d",
    "\u1f8e": "\u1f8e", "\u1f8f": "\u1f8f", "\u1f90": "\u1f98", "\u1f91": "\u1f99",
    "\u1f92": "\u1f9a", "\u1f93": "\u1f9b", "\u1f94": "\u1f9c", "\u1f95": "\u1f9d",
    "\u1f96": "\u1f9e", "\u1f97": "\u1f9f", "\u1f98": "\u1f98", "\u1f99": "\u1f99",
    "\u1f9a": "\u1f9a", "\u1f9b": "\u1f9b", "\u1f9c": "\u1f9c", "\u1f9d": "\u1f9d",
    "\u1f9e": "\u1f9e", "\u1f9f": "\u1f9f", "\u1fa0": "\u1fa8", "\u1fa1": "\u1fa9",
    "\u1fa2": "\u1faa", "\u1fa3": "\u1fab", "\u1fa4": "\u1fac", "\u1fa5": "\u1fad",
    "\u1fa6": "\u1fae", "\u1fa7": "\u1faf", "\u1fa8": "\u1fa8", "\u1fa9": "\u1fa9",
    "\u1faa": "\u1faa", "\u1fab": "\u1fab", "\u1fac": "\u1fac", "\u1fad": "\u1fad",
    "\u1fae": "\u1fae", "\u1faf": "\u1faf", "\u1fb2": "\u1fb2", "\u1fb3": "\u1fbc",
    "\u1fb4": "\u1fb4", "\u1fb6": "\u1fb6", "\u1fb7": "\u1fb7", "\u1fbc": "\u1fbc",
    "\u1fc2": "\u1fc2", "\u1fc3": "\u1fcc", "\u1fc4": "\u1fc4", "\u1fc6": "\u1fc6",
    "\u1fc7": "\u1fc7", "\u1fcc": "\u1fcc", "\u1fd2": "\u1fd2", "\u1fd3": "\u1fd3",
    "\u1fd6": "\u1fd6", "\u1fd7": "\u1fd7", "\u1fe2": "\u1fe2", "\u1fe3": "\u1fe3",
    "\u1fe4": "\u1fe4", "\u1fe6": "\u1fe6", "\u1fe7": "\u1fe7", "\u1ff2": "\u1ff2",
    "\u1ff3": "\u1ffc", "\u1ff4": "\u1ff4", "\u1ff6": "\u1ff6", "\u1ff7": "\u1ff7",
    "\u1ffc": "\u1ffc", "\ua7cd": "\ua7cd", "\ua7cf": "\ua7cf", "\ua7d3": "\ua7d3",
    "\ua7d5": "\ua7d5", "\ua7db": "\ua7db", "\ufb00": "\ufb00", "\ufb01": "\ufb01",
    "\ufb02": "\ufb02", "\ufb03": "\ufb03", "\ufb04": "\ufb04", "\ufb05": "\ufb05",
    "\ufb06": "\ufb06", "\ufb13": "\ufb13", "\ufb14": "\ufb14", "\ufb15": "\ufb15",
    "\ufb16": "\ufb16", "\ufb17": "\ufb17", "\U00010d70": "\U00010d70",
    "\U00010d71": "\U00010d71", "\U00010d72": "\U00010d72", "\U00010d73": "\U00010d73",
    "\U00010d74": "\U00010d74", "\U00010d75": "\U00010d75", "\U00010d76": "\U00010d76",
    "\U00010d77": "\U00010d77", "\U00010d78": "\U00010d78", "\U00010d79": "\U00010d79",
    "\U00010d7a": "\U00010d7a", "\U00010d7b": "\U00010d7b", "\U00010d7c": "\U00010d7c",
    "\U00010d7d": "\U00010d7d", "\U00010d7e": "\U00010d7e", "\U00010d7f": "\U00010d7f",
    "\U00010d80": "\U00010d80", "\U00010d81": "\U00010d81", "\U00010d82": "\U00010d82",
    "\U00010d83": "\U00010d83", "\U00010d84": "\U00010d84", "\U00010d85": "\U00010d85",
    "\U00016ebb": "\U00016ebb", "\U00016ebc": "\U00016ebc", "\U00016ebd": "\U00016ebd",
    "\U00016ebe": "\U00016ebe", "\U00016ebf": "\U00016ebf", "\U00016ec0": "\U00016ec0",
    "\U00016ec1": "\U00016ec1", "\U00016ec2": "\U00016ec2", "\U00016ec3": "\U00016ec3",
    "\U00016ec4": "\U00016ec4", "\U00016ec5": "\U00016ec5", "\U00016ec6": "\U00016ec6",
    "\U00016ec7": "\U00016ec7", "\U00016ec8": "\U00016ec8", "\U00016ec9": "\U00016ec9",
    "\U00016eca": "\U00016eca", "\U00016ecb": "\U00016ecb", "\U00016ecc": "\U00016ecc",
    "\U00016ecd": "\U00016ecd", "\U00016ece": "\U00016ece", "\U00016ecf": "\U00016ecf",
    "\U00016ed0": "\U00016ed0", "\U00016ed1": "\U00016ed1", "\U00016ed2": "\U00016ed2",
    "\U00016ed3": "\U00016ed3",
}


def spark_upper_sql(expr: str) -> str:
    """Spark SQL for DuckDB's upper(expr). split(v, '') splits into code points."""
    chars = "".join(DUCKDB_UPPER_EXCEPTIONS)
    pairs = ", ".join(f"'{char}', '{upper}'" for char, upper in DUCKDB_UPPER_EXCEPTIONS.items())
    return (f"case when {expr} rlike '[{chars}]' then array_join(transform(split({expr}, ''), "
            f"c -> coalesce(try_element_at(map({pairs}), c), upper(c))), '') "
            f"else upper({expr}) end")


def code_points() -> list[str]:
    """Every Unicode scalar value (surrogates cannot stand alone in a string)."""
    return [chr(i) for i in range(1, 0x110000) if not 0xD800 <= i <= 0xDFFF]


def compute_exceptions() -> dict[str, str]:
    """Compare DuckDB's and Spark's upper() over every code point (needs a Spark session)."""
    import duckdb
    from pyspark.sql import SparkSession

    chars = code_points()
    with duckdb.connect() as con:
        con.execute("create table chars as select unnest(?) as c", [chars])
        duck = dict(con.execute("select c, upper(c) from chars").fetchall())
    spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false") \
        .getOrCreate()
    frame = spark.createDataFrame([(c,) for c in chars], "c string")
    on_spark = {r[0]: r[1] for r in frame.selectExpr("c", "upper(c)").collect()}
    return {c: duck[c] for c in chars if duck[c] != on_spark[c]}


def main() -> int:
    for char, upper in compute_exceptions().items():
        print(f'    "\\U{ord(char):08x}": "\\U{ord(upper):08x}",  # {char!r} -> {upper!r}')
    return 0


if __name__ == "__main__":
    sys.exit(main())
