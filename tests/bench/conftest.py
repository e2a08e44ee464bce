"""The pandas peer of bench/ (issue 15), loaded from its file: bench/ is scripts, not a package."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

PEER_FILE = Path(__file__).resolve().parents[2] / "bench" / "peer_pandas.py"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "unit: fast, no warehouse")
    config.addinivalue_line("markers", "e2e: builds a warehouse with searchlight")


@pytest.fixture(scope="session")
def peer():
    spec = importlib.util.spec_from_file_location("peer_pandas", PEER_FILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["peer_pandas"] = module  # dataclass-free, but keep the module findable
    spec.loader.exec_module(module)
    return module
