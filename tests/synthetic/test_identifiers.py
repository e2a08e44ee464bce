"""Synthetic identifiers (synthetic/identifiers.py): valid by the loader's own tables."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from ingest import validate
from synthetic.identifiers import (
    FreshPeople,
    credit_code,
    credit_codes,
    is_valid_credit_code,
    is_valid_resident_id,
    phones,
    resident_ids,
)

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[2]
CODE_SUFFIXES = {".py", ".sql", ".yml", ".yaml"}


def test_checksum_helpers_against_known_values():
    assert is_valid_resident_id("11010519491231002X")
    assert is_valid_resident_id("11010519491231002x")
    assert not is_valid_resident_id("110105194912310021")
    assert is_valid_credit_code("91350100M000100Y43")
    assert not is_valid_credit_code("91350100M000100Y44")


def test_drawn_ids_are_distinct_and_valid_and_a_changed_check_character_is_not():
    rng = np.random.default_rng(3)
    ids = [str(v) for v in resident_ids(rng, 500, date(1950, 1, 1), date(2006, 6, 30))]
    assert len(set(ids)) == 500
    assert all(is_valid_resident_id(v) for v in ids)
    for v in ids[:50]:
        wrong = next(c for c in validate.RESIDENT_CHECK if c != v[-1])
        assert not is_valid_resident_id(v[:-1] + wrong)
    codes = credit_codes(rng, 300)
    assert len(set(codes)) == 300
    assert all(is_valid_credit_code(c) and c.startswith("91") for c in codes)
    sole = credit_code("92", codes[0][2:8], codes[0][8:16])
    assert sole.startswith("92") and is_valid_credit_code(sole)
    assert all(len(p) == 11 and p[0] == "1" and p[1] in "3456789" for p in phones(rng, 100))


def test_fresh_people_never_hand_out_an_id_twice_or_one_already_used():
    rng = np.random.default_rng(5)
    used = {str(v) for v in resident_ids(rng, 50, date(1950, 1, 1), date(2004, 12, 31))}
    fresh = FreshPeople(np.random.default_rng(5), used)  # the same stream: it redraws those
    got = fresh.resident_ids(200) + fresh.phones(50) + fresh.credit_codes(50)
    assert len(set(got)) == len(got)
    assert not set(got) & used


def test_checksum_tables_exist_once_in_the_repository():
    """The loader's tables (ingest/validate.py) are the only copy: the generator uses them."""
    tables = {
        "resident weights": ",".join(map(str, validate.RESIDENT_WEIGHTS)),
        "resident check characters": validate.RESIDENT_CHECK,
        "credit code alphabet": validate.CREDIT_ALPHABET,
        "credit code weights": ",".join(map(str, validate.CREDIT_WEIGHTS)),
    }
    found: dict[str, list[str]] = {name: [] for name in tables}
    for path in _code_files(ROOT):
        text = re.sub(r"\s", "", path.read_text(encoding="utf-8", errors="replace"))
        for name, table in tables.items():
            if table in text:
                found[name].append(path.relative_to(ROOT).as_posix())
    assert found == {name: ["ingest/validate.py"] for name in tables}


def _code_files(root: Path) -> list[Path]:
    """The repository's own code (no virtualenv, caches, build output or dbt target)."""
    skip = {"target", "logs", "dbt_packages", "node_modules", "__pycache__", "site"}
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in skip
                         and not d.endswith(".egg-info"))
        out += [Path(folder) / f for f in sorted(files) if Path(f).suffix in CODE_SUFFIXES]
    return out
