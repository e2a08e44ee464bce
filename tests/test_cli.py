"""The command line: readable failures and exit codes (contract/outputs.md)."""

from __future__ import annotations

import pytest

from searchlight.cli import main

pytestmark = pytest.mark.unit


def test_run_on_a_missing_landing_folder_exits_non_zero_naming_it(tmp_path, capsys):
    code = main(["run", "--landing", str(tmp_path / "nowhere"),
                 "--warehouse", str(tmp_path / "w.duckdb"), "--no-progress"])
    assert code == 1
    assert "nowhere" in capsys.readouterr().err


def test_a_malformed_as_of_date_is_refused_by_the_parser(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--landing", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb"),
              "--as-of", "2025-13-01"])
    assert exc.value.code == 2
    assert "not a date" in capsys.readouterr().err


def test_full_refresh_reaches_the_dbt_build(tmp_path, monkeypatch):
    """`run --full-refresh` rebuilds the incremental models: the flag must reach dbt."""
    from searchlight import cli, dbt, pipeline

    seen = {}

    def fake_run(landing, warehouse, **kwargs):
        seen.update(kwargs)
        raise FileNotFoundError("stop here: only the wiring is under test")

    monkeypatch.setattr(pipeline, "run", fake_run)
    assert cli.main(["run", "--landing", str(tmp_path), "--warehouse",
                     str(tmp_path / "w.duckdb"), "--no-progress", "--full-refresh"]) == 1
    assert seen["full_refresh"] is True
    assert "--full-refresh" in dbt.build_args(full_refresh=True)
    assert "--full-refresh" not in dbt.build_args()


def test_run_takes_landing_and_warehouse_from_the_environment(tmp_path, monkeypatch):
    """Issue 14 item 12: the README offers SEARCHLIGHT_LANDING / SEARCHLIGHT_WAREHOUSE."""
    from searchlight import cli, pipeline

    seen = {}

    def fake_run(landing, warehouse, **kwargs):
        seen.update(landing=landing, warehouse=warehouse)
        raise FileNotFoundError("stop here: only the wiring is under test")

    monkeypatch.setattr(pipeline, "run", fake_run)
    monkeypatch.setenv("SEARCHLIGHT_LANDING", str(tmp_path / "in"))
    monkeypatch.setenv("SEARCHLIGHT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    assert cli.main(["run", "--no-progress"]) == 1
    assert seen == {"landing": tmp_path / "in", "warehouse": tmp_path / "w.duckdb"}
    cli.main(["run", "--no-progress", "--landing", str(tmp_path / "other")])
    assert seen["landing"] == tmp_path / "other"  # an option beats the environment


def test_run_without_landing_anywhere_names_the_option_and_the_variable(monkeypatch, capsys):
    monkeypatch.delenv("SEARCHLIGHT_LANDING", raising=False)
    monkeypatch.setenv("SEARCHLIGHT_WAREHOUSE", "/tmp/w.duckdb")
    with pytest.raises(SystemExit) as exc:
        main(["run"])
    assert exc.value.code == 2
    assert "--landing (or the environment variable SEARCHLIGHT_LANDING)" in \
        capsys.readouterr().err


def test_an_empty_landing_folder_on_an_empty_warehouse_builds_nothing_and_says_why(
        tmp_path, capsys):
    """Issue 14 item 13: no 58 s build, no exit 0, but what to put where."""
    landing = tmp_path / "landing"
    (landing / "cases").mkdir(parents=True)
    warehouse = tmp_path / "w.duckdb"
    code = main(["run", "--landing", str(landing), "--warehouse", str(warehouse),
                 "--no-progress"])
    assert code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "holds no files" in err and "nothing to build" in err
    assert f"{landing}/cases/" in err
    assert not warehouse.exists()


def test_a_file_given_as_the_landing_folder_is_called_a_file(tmp_path, capsys):
    landing = tmp_path / "cases.csv"
    landing.write_text("case_id\n")
    code = main(["run", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"),
                 "--no-progress"])
    assert code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "is a file, not a folder" in err and "does not exist" not in err


def test_an_empty_landing_folder_over_a_loaded_warehouse_rebuilds_and_says_so(
        tmp_path, monkeypatch):
    """Exports are often moved away once loaded: the run rebuilds from what is loaded."""
    import duckdb

    from searchlight import pipeline

    landing = tmp_path / "landing"
    landing.mkdir()
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.load_files as select 'loaded' as status")
    monkeypatch.setattr(pipeline, "_run_steps",
                        lambda *args: pipeline.RunReport(load=None, as_of=None))
    notes = []
    pipeline.run(landing, warehouse, notify=notes.append)
    assert any("holds no files: rebuilding from the files loaded by earlier runs" in n
               for n in notes), notes


def test_printed_commands_start_searchlight_as_it_was_started(tmp_path, monkeypatch):
    """Issue 14 item 11: `.venv/bin/searchlight`, not a bare name PATH does not know."""
    from searchlight.hints import command_prefix

    script = tmp_path / ".venv" / "bin" / "searchlight"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert command_prefix(str(script), cwd=tmp_path) == ".venv/bin/searchlight"
    assert command_prefix(str(script), cwd=tmp_path / ".venv") == "bin/searchlight"
    assert command_prefix(str(script), cwd=tmp_path / "elsewhere") == str(script)
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")
    assert command_prefix(str(script), cwd=tmp_path) == "searchlight"
