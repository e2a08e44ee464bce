"""Dagster definitions: lineage from every raw source to the alerts, checks, schedule, sensor.

The dbt assets read dbt_project/target/manifest.json when they are built (not at import:
orchestration/definitions.py), so the session fixture runs `dbt parse` first, as `make
test` does.
"""

import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    Definitions,
    RunRequest,
    build_sensor_context,
)

from ingest.sources import SOURCES

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = next((p for p in (ROOT / "tests" / "conformance" / "landing",
                                ROOT.parent / "shared" / "conformance" / "landing")
                    if p.is_dir()), None)
POOL = "searchlight_warehouse"
ALERTS = AssetKey(["marts", "alerts"])


@pytest.fixture(scope="session")
def manifest(tmp_path_factory):
    from orchestration.prepare import ensure_manifest

    warehouse = tmp_path_factory.mktemp("parse") / "parse.duckdb"
    path = ensure_manifest(warehouse=warehouse)  # runs `dbt parse` when missing or stale
    assert path.exists()
    return path


@pytest.fixture(scope="session")
def defs(manifest):
    from orchestration.definitions import defs

    return defs()  # what Dagster calls when it loads the code location


def _ancestors(graph, key: AssetKey) -> set[AssetKey]:
    seen, todo = set(), [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


@pytest.mark.dbt
def test_definitions_load_and_the_daily_job_resolves(defs):
    Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("searchlight_daily")
    assert job.executor_def.name == "in_process"
    assert defs.resolve_schedule_def("searchlight_daily_schedule")
    assert defs.resolve_sensor_def("landing_sensor")


@pytest.mark.dbt
def test_dagster_finds_the_lazy_definitions_in_the_module(manifest):
    """`dagster dev -m orchestration.definitions` loads ``defs()``: importing the module
    builds nothing (tests/test_no_work_at_import.py), Dagster calls the function."""
    from dagster._core.workspace.autodiscovery import loadable_targets_from_python_module

    [target] = loadable_targets_from_python_module("orchestration.definitions", None)
    assert target.attribute == "defs"
    assert isinstance(target.target_definition(), Definitions)


@pytest.mark.dbt
def test_every_source_is_a_raw_asset_with_a_non_blocking_expectation_check(defs):
    graph = defs.resolve_asset_graph()
    check_keys = set(graph.asset_check_keys)
    for name in SOURCES:
        key = AssetKey(["raw", name])
        assert graph.has(key), key
        assert graph.get(key).group_name == "raw"
        check = next(c for c in check_keys if c.asset_key == key and c.name == "expectations")
        assert not graph.get_check_spec(check).blocking


@pytest.mark.dbt
def test_lineage_runs_from_raw_sources_through_staging_to_the_alerts(defs):
    graph = defs.resolve_asset_graph()
    assert AssetKey(["raw", "cases"]) in graph.get(AssetKey(["staging", "stg_cases_versions"])
                                                   ).parent_keys
    assert graph.has(ALERTS), "marts/alerts is not in the dbt manifest"
    upstream = _ancestors(graph, ALERTS)
    assert AssetKey(["raw", "cases"]) in upstream
    assert any(k.path[0] == "staging" for k in upstream)
    # dbt sources in schema raw are the raw assets themselves, never separate stubs
    dbt_raw = {k for k in upstream if k.path[0] == "raw"}
    assert all(graph.get(k).is_materializable for k in dbt_raw), dbt_raw


@pytest.mark.dbt
def test_dbt_tests_become_asset_checks(defs):
    graph = defs.resolve_asset_graph()
    dbt_checks = [c for c in graph.asset_check_keys if c.asset_key.path[0] != "raw"]
    assert dbt_checks, "no dbt test became an asset check"


@pytest.mark.dbt
def test_every_step_that_touches_the_warehouse_is_in_one_pool(defs):
    job = defs.resolve_job_def("searchlight_daily")
    pools = {node.name: node.definition.pool for node in job.graph.node_dict.values()}
    assert pools and all(pool == POOL for pool in pools.values()), pools


@pytest.mark.dbt
def test_dbt_build_args_pass_as_of_and_leave_unit_tests_out(manifest):
    from orchestration.dbt_assets import DbtBuildConfig, dbt_build_args

    assert dbt_build_args(DbtBuildConfig()) == ["build", "--exclude-resource-type", "unit_test"]
    args = dbt_build_args(DbtBuildConfig(as_of="2025-05-20", full_refresh=True))
    assert args[-2:] == ["--vars", '{"as_of": "2025-05-20"}'] and "--full-refresh" in args
    with pytest.raises(ValueError):
        DbtBuildConfig(as_of="20 May")


@pytest.mark.dbt
def test_schedule_runs_daily_at_six_in_china(defs):
    schedule = defs.resolve_schedule_def("searchlight_daily_schedule")
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.job_name == "searchlight_daily"


def _drop(landing: Path, rel: str, text: str = "a,b\n1,2\n", age: float = 3600) -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    old = time.time() - age
    os.utime(path, (old, old))
    return path


@pytest.mark.dbt
def test_landing_sensor_requests_a_run_for_new_files_and_nothing_for_the_same_files(
        defs, tmp_path, monkeypatch):
    from orchestration.sensors import landing_sensor

    landing = tmp_path / "landing"
    monkeypatch.setenv("SEARCHLIGHT_LANDING", str(landing))
    warehouse = tmp_path / "never-opened.duckdb"
    monkeypatch.setenv("SEARCHLIGHT_WAREHOUSE", str(warehouse))

    empty = landing_sensor(build_sensor_context(cursor=None))
    assert not empty.run_requests

    _drop(landing, "cases/cases_0.csv")
    _drop(landing, "items/items.csv")
    _drop(landing, "cases/.partial.csv")  # hidden: not a delivery
    _drop(landing, "cases/still_copying.csv", age=0)  # not settled yet
    first = landing_sensor(build_sensor_context(cursor=None))
    [request] = first.run_requests
    assert isinstance(request, RunRequest)
    assert request.tags["searchlight/new_files"] == "2"
    assert request.tags["searchlight/sources"] == "cases,items"

    again = landing_sensor(build_sensor_context(cursor=first.cursor))
    assert not again.run_requests
    assert again.cursor == first.cursor

    _drop(landing, "cases/cases_1.csv")
    third = landing_sensor(build_sensor_context(cursor=again.cursor))
    [request] = third.run_requests
    assert request.tags["searchlight/new_files"] == "1"
    assert request.run_key != first.run_requests[0].run_key
    assert not warehouse.exists()  # the sensor never opens the warehouse


@pytest.fixture
def conformance_landing(tmp_path):
    assert CONFORMANCE is not None, "conformance landing folder not found"
    landing = tmp_path / "landing"
    shutil.copytree(CONFORMANCE, landing)
    return landing


@pytest.mark.e2e
def test_daily_job_materialises_the_whole_graph_on_the_conformance_landing(
        manifest, conformance_landing, tmp_path, monkeypatch):
    from orchestration.definitions import build_definitions

    monkeypatch.setenv("SEARCHLIGHT_PSEUDONYM_KEY", "conformance-key")
    warehouse = tmp_path / "warehouse.duckdb"
    defs = build_definitions(landing=conformance_landing, warehouse=warehouse)
    job = defs.resolve_job_def("searchlight_daily")
    instance = DagsterInstance.ephemeral()
    result = job.execute_in_process(
        instance=instance,
        run_config={"ops": {"searchlight_dbt": {"config": {"as_of": "2025-05-20"}}}})
    assert result.success

    materialized = {e.asset_key: e.materialization for e in
                    result.get_asset_materialization_events()}
    for name in SOURCES:
        assert AssetKey(["raw", name]) in materialized, name
    assert ALERTS in materialized
    cases = materialized[AssetKey(["raw", "cases"])].metadata
    assert cases["files"].value == 3 and cases["files_loaded"].value == 3
    assert cases["rows_loaded"].value > 0
    assert len(cases["batch_ids"].value) == 3

    checks = {(e.asset_key, e.check_name): e for e in
              result.get_asset_check_evaluations()}
    for name in SOURCES:
        assert (AssetKey(["raw", name]), "expectations") in checks, name
    assert any(k[1] != "expectations" for k in checks), "no dbt test was evaluated"

    with duckdb.connect(str(warehouse), read_only=True) as con:
        stored = con.execute("select count(distinct source) from raw.expectation_results"
                             ).fetchone()[0]
        alerts = con.execute("select count(*) from marts.alerts").fetchone()[0]
    assert stored == len(SOURCES)
    assert alerts > 0

    # A second load of the same landing finds nothing new and validates nothing.
    rerun = job.execute_in_process(instance=instance,
                                   asset_selection=[AssetKey(["raw", "cases"])])
    assert rerun.success
    [again] = rerun.get_asset_materialization_events()
    assert again.materialization.metadata["files_loaded"].value == 0
    [check] = rerun.get_asset_check_evaluations()
    assert check.passed and check.metadata["rows"].value == 0


@pytest.fixture
def dagster_home(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


@pytest.mark.unit
def test_the_instance_settings_turn_the_community_pop_up_off(dagster_home):
    """Issue 14 item 17: no new-user ('join the community') pop-up in the UI."""
    instance = DagsterInstance.get()
    try:
        assert instance.nux_enabled is False
    finally:
        instance.dispose()


@pytest.mark.dbt
def test_warning_assets_are_grouped_by_rule_family(defs):
    """Issue 14 item 17: 74 warning assets in one group made marts/alerts unreadable; the
    family comes from each rule's config.meta.family, not from the folder."""
    graph = defs.resolve_asset_graph()
    groups: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        if key.path[0] == "warnings":
            groups.setdefault(graph.get(key).group_name, set()).add(key.path[-1])
    assert set(groups) == {f"warnings_{f}" for f in "TFSPLCK"}, sorted(groups)
    assert {"warn_t01_overdue_statutory", "cov_t01_overdue_statutory"} <= groups["warnings_T"]
    assert {"warn_l05_shared_account", "cov_l05_shared_account"} <= groups["warnings_L"]


def test_a_cli_run_shows_in_dagster_as_materializations(defs, demo_run, dagster_home):
    """Issue 14 item 17: after `make demo` (DAGSTER_HOME set) no asset of the graph reads
    "never materialized": the CLI reports each asset it built under the same key."""
    from searchlight.dagster_record import built_asset_paths, record_run

    _, warehouse, report = demo_run
    graph = defs.resolve_asset_graph()
    recorded = [AssetKey(path) for path, _ in built_asset_paths(report)]
    assert not [k for k in recorded if not graph.has(k)], "keys the definitions do not have"
    assert record_run(report, warehouse) == len(recorded)
    instance = DagsterInstance.get()
    try:
        never = [k.to_user_string() for k in graph.get_all_asset_keys()
                 if graph.get(k).is_materializable
                 and instance.get_latest_materialization_event(k) is None]
        alerts = instance.get_latest_materialization_event(ALERTS)
    finally:
        instance.dispose()
    assert never == []
    assert alerts.asset_materialization.metadata["built_by"].value == "searchlight run (CLI)"
