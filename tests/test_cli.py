"""The command line: readable failures and exit codes (contract/outputs.md)."""

from __future__ import annotations

import pytest

from searchlight.cli import main


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
