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
