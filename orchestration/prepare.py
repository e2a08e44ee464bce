"""Make sure dbt's manifest exists and is current before the dbt assets are built.

``@dbt_assets`` reads ``dbt_project/target/manifest.json`` when it is applied, which
``orchestration.dbt_assets.build_dbt_assets()`` does when Dagster loads the definitions
(never at import). dagster-dbt's ``prepare_if_dev()`` only parses under ``dagster dev``
(stack-pitfalls §4), so ``build_dbt_assets()``, the tests, ``make dev`` and a deployment
call ``ensure_manifest()`` instead: it runs ``dbt parse``
(which never connects to the warehouse) when the manifest is missing or older than any
file of the dbt project. A file lock keeps two processes from parsing at once.

    python -m orchestration.prepare        # what the Makefile runs
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ingest.seeds import SEEDS_DIR
from searchlight.dbt import dbt_env, dbt_executable
from searchlight.paths import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
_PROJECT_GLOBS = ("*.yml", "*.yaml", "*.sql", "*.csv", "*.md", "*.py")
_IGNORED_DIRS = {"target", "dbt_packages", "logs"}


class ManifestError(RuntimeError):
    """dbt could not parse the project; the message has dbt's output."""


def project_files(project_dir: Path = DBT_PROJECT_DIR) -> list[Path]:
    """The files dbt parses: the project's, and the seeds beside it (seed-paths ../seeds)."""
    files = []
    dirs = [project_dir, SEEDS_DIR] if project_dir == DBT_PROJECT_DIR else [project_dir]
    for folder in dirs:
        for pattern in _PROJECT_GLOBS:
            for path in folder.rglob(pattern):
                rel = path.relative_to(folder)
                if rel.parts and rel.parts[0] in _IGNORED_DIRS:
                    continue
                files.append(path)
    return files


def manifest_is_stale(manifest: Path = MANIFEST, project_dir: Path = DBT_PROJECT_DIR) -> bool:
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in project_files(project_dir))


def ensure_manifest(force: bool = False, warehouse: str | Path | None = None) -> Path:
    """Run ``dbt parse`` when the manifest is missing or stale; return its path.

    ``warehouse`` only renders the profile (parse never opens it); default: the
    environment's SEARCHLIGHT_WAREHOUSE, else a file in the temp folder.
    """
    if not DBT_PROJECT_DIR.joinpath("dbt_project.yml").exists():
        raise ManifestError(f"no dbt project at {DBT_PROJECT_DIR}")
    if not force and not manifest_is_stale():
        return MANIFEST
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    with open(MANIFEST.parent / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if force or manifest_is_stale():  # another process may have parsed meanwhile
                _parse(warehouse)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return MANIFEST


def _parse(warehouse: str | Path | None = None) -> None:
    # `dbt parse` makes no connection, but profiles.yml needs the variable to render.
    warehouse = warehouse or os.environ.get("SEARCHLIGHT_WAREHOUSE") or str(
        Path(tempfile.gettempdir()) / "searchlight-parse.duckdb")
    cmd = [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
           "--profiles-dir", str(DBT_PROJECT_DIR)]
    proc = subprocess.run(cmd, env=dbt_env(Path(warehouse)), capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0 or not MANIFEST.exists():
        raise ManifestError("dbt parse failed:\n" + (proc.stdout + proc.stderr)[-4000:])


if __name__ == "__main__":
    path = ensure_manifest(force="--force" in sys.argv)
    print(path)
