"""The pandas peer of the benchmark (bench/peer_pandas.py) finds what the contract says.

A speed comparison is only honest if both sides compute the same thing: the peer must
raise exactly the T and F alerts of the conformance cases (computed by hand, not by
Searchlight), read the files the way the contract allows (GBK, Chinese headers), drop the
rows the contract rejects, and use the project's thresholds.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = ROOT / "tests" / "conformance"
EXPECTED = json.loads((CONFORMANCE / "expected_alerts.json").read_text(encoding="utf-8"))
AS_OF = dt.date.fromisoformat(EXPECTED["as_of"])
TF_RULES = [r for r in EXPECTED["alerts"] if r[0] in "TF"]


@pytest.fixture
def conformance_key(monkeypatch):
    monkeypatch.setenv("SEARCHLIGHT_PSEUDONYM_KEY", EXPECTED["pseudonym_key"])


@pytest.fixture
def landing_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(CONFORMANCE / "landing", tmp_path / "landing"))


@pytest.mark.unit
@pytest.mark.parametrize("rule", TF_RULES)
def test_peer_raises_the_expected_alerts_on_the_conformance_cases(peer, conformance_key, rule):
    found = _conformance_result(peer)["alerts"]
    assert found[rule] == EXPECTED["alerts"][rule]


@pytest.mark.unit
def test_peer_covers_every_t_and_f_rule(peer):
    assert sorted((*peer.T_RULES, *peer.F_RULES)) == sorted(TF_RULES)


@pytest.mark.unit
def test_peer_thresholds_are_the_projects(peer):
    """A threshold changed in dbt_project.yml and not in the peer would skew the bench."""
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    assert {k: project[k] for k in peer.THRESHOLDS} == peer.THRESHOLDS


@pytest.mark.unit
def test_peer_reads_a_gbk_export_with_chinese_headers(peer, conformance_key, landing_copy):
    from ingest.sources import SOURCES

    path = landing_copy / "cases" / "cases_0.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    aliases = {c.name: c.aliases[0] for c in SOURCES["cases"].columns}
    header = ",".join(aliases[h] for h in lines[0].split(","))
    path.write_bytes(("\r\n".join([header, *lines[1:]]) + "\r\n").encode("gbk"))
    found = peer.evaluate(landing_copy, AS_OF)["alerts"]
    assert {r: found[r] for r in TF_RULES} == {r: EXPECTED["alerts"][r] for r in TF_RULES}


@pytest.mark.unit
def test_peer_drops_a_row_the_contract_rejects(peer, conformance_key, landing_copy):
    """C01 (T01) with a failing ID checksum is quarantined by the loader: no alert."""
    path = landing_copy / "cases" / "cases_0.csv"
    text = path.read_text(encoding="utf-8")
    good = "C01,I1,D01,,线上,自然人,500106195608127961,"
    assert good in text
    path.write_text(text.replace(good, good.replace("127961,", "127962,")), encoding="utf-8")
    result = peer.evaluate(landing_copy, AS_OF)
    assert result["invalid_rows_dropped"]["cases"] == 1
    assert "C01" not in result["alerts"]["T01"]
    assert set(result["alerts"]["T01"]) == set(EXPECTED["alerts"]["T01"]) - {"C01"}


@pytest.mark.e2e
def test_peer_agrees_with_searchlight_on_the_demo_district(peer, demo_run):
    """Same T and F subjects as marts.alerts on the demo (planted cases, XLSX, JSON Lines,
    GBK, re-exports with offsets, quarantined rows)."""
    out, warehouse, _ = demo_run
    found = peer.evaluate(out / "landing")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select rule_code, subject_id, severity from marts.alerts "
                           "where rule_code like 'T%' or rule_code like 'F%'").fetchall()
    searchlight = {r: {} for r in TF_RULES}
    for rule, subject, severity in rows:
        searchlight[rule][subject] = severity
    assert {r: found["alerts"][r] for r in TF_RULES} == searchlight


_CACHE: dict = {}


def _conformance_result(peer) -> dict:
    """One evaluation shared by the per-rule tests (the key is the conformance key)."""
    if "result" not in _CACHE:
        _CACHE["result"] = peer.evaluate(CONFORMANCE / "landing", AS_OF)
    return _CACHE["result"]
