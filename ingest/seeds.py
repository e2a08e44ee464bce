"""The reference data in ``seeds/`` (beside ``dbt_project/``), read from Python.

dbt loads these CSV files as seeds on every build (schema ``reference``) and its models
``ref()`` them; the Python code that needs the same facts (the loader's rating labels, the
working-day calendar of the ledger and the demo) reads the same files here, so each fact
is written once. ``seeds/_seeds.yml`` describes every file and column.
"""

from __future__ import annotations

import csv
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"


def seed_path(name: str) -> Path:
    return SEEDS_DIR / f"{name}.csv"


def read_seed(name: str) -> list[dict[str, str]]:
    """The rows of ``seeds/<name>.csv`` as dicts of text ("" for an empty cell)."""
    path = seed_path(name)
    if not path.is_file():
        raise FileNotFoundError(f"reference data {path} is missing: seeds/ ships with the "
                                "project (see seeds/_seeds.yml)")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
