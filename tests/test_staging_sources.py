"""The dbt source YAML of the raw layer says what ingest/sources.py says.

``models/staging/_staging__sources.yml`` documents every raw table for dbt docs and the
lineage; ``ingest/sources.py`` is the registry the loader creates those tables from. The
YAML adds prose (what a column means), so it is kept by hand, and this test keeps the two
from drifting: the same tables, the same columns in the same order, the same types, and
each column's Chinese headers where its description starts.
"""

from __future__ import annotations

import pytest
import yaml

from ingest.sources import DUCKDB_TYPES, LINEAGE_COLUMNS, SOURCES
from searchlight.paths import DBT_PROJECT_DIR

pytestmark = pytest.mark.unit

SOURCES_YAML = DBT_PROJECT_DIR / "models" / "staging" / "_staging__sources.yml"
# Tables of schema raw that ingest writes for itself rather than from a landed source.
INGEST_TABLES = {"quarantine", "load_files", "expectation_results"}


@pytest.fixture(scope="module")
def raw_tables() -> dict[str, dict]:
    doc = yaml.safe_load(SOURCES_YAML.read_text(encoding="utf-8"))
    [raw] = [s for s in doc["sources"] if s["name"] == "raw"]
    return {t["name"]: t for t in raw["tables"]}


def test_the_yaml_documents_every_source_and_nothing_else(raw_tables):
    assert set(raw_tables) - INGEST_TABLES == set(SOURCES), (
        "raw tables in _staging__sources.yml and ingest.sources.SOURCES differ: "
        f"only in the YAML {sorted(set(raw_tables) - INGEST_TABLES - set(SOURCES))}, "
        f"only in sources.py {sorted(set(SOURCES) - set(raw_tables))}")


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_columns_types_and_headers_agree(raw_tables, name):
    source, table = SOURCES[name], raw_tables[name]
    assert table["description"].startswith(f"{source.title_zh} ({name})"), name
    assert f"({', '.join(source.key)})" in table["description"], f"{name}: key not named"
    columns = table.get("columns", [])
    assert [c["name"] for c in columns] == source.column_names + list(LINEAGE_COLUMNS), name
    for col in columns:
        if col["name"] in LINEAGE_COLUMNS:
            continue
        spec = source.column(col["name"])
        assert col.get("data_type") == DUCKDB_TYPES[spec.kind].lower(), f"{name}.{spec.name}"
        if spec.aliases:
            headers = col.get("description", "").split(". ")[0]
            assert headers == "/".join(spec.aliases), f"{name}.{spec.name}: headers"
