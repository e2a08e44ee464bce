"""Resources: where the landing folder and the warehouse are, and the dbt CLI.

Paths come from ``SEARCHLIGHT_LANDING`` and ``SEARCHLIGHT_WAREHOUSE``; without them, the
demo's folders (``make demo`` writes ``demo/landing`` and ``demo/warehouse.duckdb``).
Both can be overridden per run in the launchpad (resources → searchlight → config).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource, DbtProject

from searchlight.dbt import dbt_env, dbt_executable
from searchlight.paths import DBT_PROJECT_DIR, PROJECT_ROOT
from searchlight.warehouse import connect as open_warehouse

# Every step that opens the DuckDB file belongs to this pool. DuckDB allows one writer and
# no reader beside it (stack-pitfalls §1): give the pool a limit of 1 (orchestration/
# dagster.yaml) and the job runs its steps one after another (in-process executor).
WAREHOUSE_POOL = "searchlight_warehouse"
# Run tag limited to one run at a time in orchestration/dagster.yaml.
WAREHOUSE_RUN_TAG = "searchlight/warehouse"

DEFAULT_LANDING = PROJECT_ROOT / "demo" / "landing"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "demo" / "warehouse.duckdb"


def default_landing() -> str:
    return os.environ.get("SEARCHLIGHT_LANDING") or str(DEFAULT_LANDING)


def default_warehouse() -> str:
    return os.environ.get("SEARCHLIGHT_WAREHOUSE") or str(DEFAULT_WAREHOUSE)


class SearchlightResource(ConfigurableResource):
    """The landing folder the raw assets load and the DuckDB warehouse they write."""

    landing_dir: str
    warehouse_path: str

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir)

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path)

    @contextlib.contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the warehouse, closed (and the file lock released) on exit."""
        if not read_only:
            self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        # waits a bounded time for a reader holding the file, as `searchlight run` does
        con = open_warehouse(self.warehouse, read_only=read_only)
        try:
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """Point dbt's profile (env SEARCHLIGHT_WAREHOUSE) at this warehouse while dbt starts.

        DbtCliResource copies ``os.environ`` when it starts the dbt subprocess; the steps
        of a run execute one after another in one process (in-process executor).
        """
        wanted = {k: v for k, v in dbt_env(self.warehouse).items()
                  if k == "SEARCHLIGHT_WAREHOUSE"}
        saved = {k: os.environ.get(k) for k in wanted}
        os.environ.update(wanted)
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


@functools.cache
def dbt_project() -> DbtProject:
    """The dbt project for dagster-dbt (it reads dbt_project.yml: not at import)."""
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def build_resources(landing: str | Path | None = None,
                    warehouse: str | Path | None = None) -> dict:
    return {
        "searchlight": SearchlightResource(landing_dir=str(landing or default_landing()),
                                           warehouse_path=str(warehouse or default_warehouse())),
        "dbt": DbtCliResource(project_dir=dbt_project(), profiles_dir=str(DBT_PROJECT_DIR),
                              dbt_executable=dbt_executable()),
    }
