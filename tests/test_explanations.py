"""Every alert's explanation is its rule's template filled from its evidence.

marts.alerts.explanation_zh / explanation_en (contract/outputs.md) are rendered in SQL by
macros/explanations.sql from each rule's `meta.explanation_zh` / `meta.explanation_en`.
This module holds an independent renderer of the same templates and compares, alert by
alert, on the conformance cases and on the demo: a sentence that is empty, that still
holds a `{placeholder}`, whose placeholder had no value in the evidence, or that differs
from the evidence (a number re-formatted, 25.000000 for 25; another key's value) fails,
naming the rule and the alert. The templates themselves are checked without a build: each
names only keys its rule's SQL puts in the evidence, holds no number of its own, and
words the alert as a risk to check. Every variant of every template, including those the
data never reaches, is rendered by the real macro through `dbt compile --inline` and
compared with this renderer.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import duckdb
import pytest
import yaml

from searchlight.paths import DBT_PROJECT_DIR

WARNINGS_DIR = DBT_PROJECT_DIR / "models" / "warnings"
LANGUAGES = ("zh", "en")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Words of risk, not of a finding (as the console words alerts: 风险线索, "to be checked").
RISK_WORDS = {"zh": ("疑似", "可能"), "en": ("may ", "possible")}

Template = str | list[dict]


# ------------------------------------------------------------------ the templates
@cache
def rule_yamls() -> dict[str, dict]:
    """rule code -> the `warn_` model entry of its YAML (one YAML per rule)."""
    found = {}
    for path in sorted(WARNINGS_DIR.glob("*/warn_*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for model in doc.get("models", []):
            meta = (model.get("config") or {}).get("meta") or {}
            if model["name"].startswith("warn_") and meta.get("code"):
                found[meta["code"]] = {**model, "path": path}
    return found


def templates(code: str) -> dict[str, Template | None]:
    meta = rule_yamls()[code]["config"]["meta"]
    return {lang: meta.get(f"explanation_{lang}") for lang in LANGUAGES}


def variants(template: Template) -> list[dict]:
    """A template as its variants: [{when: {...} | None, text: ...}, ...]."""
    if isinstance(template, str):
        return [{"when": None, "text": template}]
    return [{"when": v.get("when"), "text": v.get("text")} for v in template]


def evidence_keys(code: str) -> set[str]:
    """The keys the rule's SQL writes into its evidence (the json_object call that makes
    the `evidence` column; a rule may build nested objects before it)."""
    sql = rule_yamls()[code]["path"].with_suffix(".sql").read_text(encoding="utf-8")
    start = sql.rindex("json_object([", 0, sql.index("}} as evidence"))
    block = sql[start:sql.index("}} as evidence", start)]
    return set(re.findall(r"\(\s*'([a-z0-9_]+)'\s*,", block))


# ------------------------------------------------------------------ the oracle
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def parse_evidence(text: str) -> dict:
    """The evidence with exact numbers (Decimal for a fraction: 500.00 stays 500.00)."""
    return json.loads(text, parse_float=Decimal)


def is_number(value) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def spelled(value) -> str | None:
    """A scalar as a `when` compares it (the JSON's text); None for null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def choose(template: Template, evidence: dict) -> dict:
    """The variant the macro picks: the first whose `when` all hold, else the last."""
    options = variants(template)
    for option in options[:-1]:
        if all(spelled(evidence.get(k)) == spelled(v) for k, v in option["when"].items()):
            return option
    return options[-1]


def mismatches(template: Template, evidence: dict, sentence: str) -> list[str]:
    """What is wrong with `sentence` as the template over this evidence: read left to
    right, each literal must come as written, each placeholder's value as the evidence
    has it: a text exactly, a number as the same number (500.0 for 500.00 is the same;
    25.000000 for 25, or 24, is not), spelled without padding zeros."""
    text = choose(template, evidence)["text"]
    problems: list[str] = []
    at = 0
    for i, piece in enumerate(PLACEHOLDER.split(text)):
        if i % 2 == 0:  # literal
            if not sentence.startswith(piece, at):
                return problems + [f"expected {piece!r} at {sentence[at:at + 30]!r}"]
            at += len(piece)
            continue
        value = evidence.get(piece)
        if isinstance(value, (list, dict)):
            problems.append(f"{{{piece}}} is a {type(value).__name__} in the evidence, not a value")
            value = json.dumps(value, ensure_ascii=False, default=str)
        if value is None:
            problems.append(f"{{{piece}}} left unfilled: the evidence has no value for {piece}")
            value = "—"
        if is_number(value):
            found = NUMBER.match(sentence, at)
            shown = found.group(0) if found else sentence[at:at + 12]
            if not found or Decimal(shown) != Decimal(value):
                return problems + [f"{{{piece}}} shows {shown!r}, the evidence has {value}"]
            if re.search(r"\.\d*00$", shown):
                problems.append(f"{{{piece}}} shows {shown!r}: padded with zeros")
            at = found.end()
        else:
            expected = spelled(value)
            if not sentence.startswith(expected, at):
                shown = sentence[at:at + 30]
                return problems + [f"{{{piece}}} shows {shown!r}, the evidence has {expected!r}"]
            at += len(expected)
    if at != len(sentence):
        problems.append(f"unexpected text at the end: {sentence[at:]!r}")
    return problems


def explanation_problems(warehouse: Path) -> list[str]:
    """Every alert of marts.alerts whose explanations are not its template over its
    evidence, one line each."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select rule_code, alert_id, evidence, explanation_zh, "
                           "explanation_en from marts.alerts order by alert_id").fetchall()
    assert rows, f"{warehouse} has no alerts to explain"
    problems = []
    for code, alert_id, evidence_text, *sentences in rows:
        evidence = parse_evidence(evidence_text)
        for lang, sentence in zip(LANGUAGES, sentences, strict=True):
            where = f"{code} {alert_id} explanation_{lang}"
            if not (sentence or "").strip():
                problems.append(f"{where}: empty")
                continue
            if PLACEHOLDER.search(sentence):
                problems.append(f"{where}: a placeholder is left in {sentence!r}")
            problems += [f"{where}: {p}\n    {sentence!r}"
                         for p in mismatches(templates(code)[lang], evidence, sentence)]
    return problems


# ------------------------------------------------------------------ the checks
RULES = sorted(rule_yamls())


@pytest.mark.unit
def test_the_oracle_catches_what_the_test_is_for():
    # A sentence is checked against its evidence: a number re-formatted or changed, an
    # unfilled key, the wrong variant, a text that differs are each named.
    template = [{"when": {"is_open": True}, "text": "案 {case_id} 已用 {elapsed_days} 日"},
                {"text": "案 {case_id} 用 {amount} 元，办结于 {completed_at}"}]
    evidence = parse_evidence('{"case_id":"C1","elapsed_days":25,"is_open":false,'
                              '"completed_at":"2025-05-06","amount":500.00,"none":null}')
    assert mismatches(template, evidence, "案 C1 用 500.0 元，办结于 2025-05-06") == []
    assert mismatches(template, evidence, "案 C1 用 500.00 元，办结于 2025-05-06")
    assert mismatches(template, evidence, "案 C1 用 500.000000 元，办结于 2025-05-06")
    assert mismatches(template, evidence, "案 C1 用 501 元，办结于 2025-05-06")
    assert mismatches(template, evidence, "案 C2 用 500 元，办结于 2025-05-06")
    assert mismatches(template, evidence, "案 C1 已用 25 日")  # the closed case's variant
    opened = {**evidence, "is_open": True}
    assert mismatches(template, opened, "案 C1 已用 25 日") == []
    assert mismatches(template, opened, "案 C1 已用 25.000000 日")
    assert mismatches(template, opened, "案 C1 已用 25 日。")
    assert mismatches("{none}", evidence, "—") == [
        "{none} left unfilled: the evidence has no value for none"]
    assert mismatches("{case_id}", {"case_id": ["C1"]}, '["C1"]')  # a list is no value


@pytest.mark.unit
@pytest.mark.parametrize("code", RULES)
def test_every_rule_has_both_templates_naming_only_its_evidence_keys(code):
    keys = evidence_keys(code)
    for lang, template in templates(code).items():
        assert template, f"{code}: meta.explanation_{lang} is missing"
        options = variants(template)
        assert all(o["text"] and o["text"].strip() for o in options), f"{code} {lang}: empty"
        assert all(o["when"] for o in options[:-1]) and not options[-1]["when"], (
            f"{code} {lang}: every variant but the last needs `when`; the last is the default")
        for option in options:
            text = option["text"]
            named = set(PLACEHOLDER.findall(text)) | set(option["when"] or {})
            assert named <= keys, (f"{code} explanation_{lang} names {sorted(named - keys)}, "
                                   f"not in its evidence {sorted(keys)}")
            literal = PLACEHOLDER.sub("", text)
            assert "{" not in literal and "}" not in literal, f"{code} {lang}: stray brace"
            # a number of its own would go stale when a --vars override changes a threshold
            assert not re.search(r"\d", literal), f"{code} {lang}: a number in {text!r}"
            assert any(w in text for w in RISK_WORDS[lang]), (
                f"{code} {lang}: word it as a risk ({' / '.join(RISK_WORDS[lang])}): {text!r}")


@pytest.mark.e2e
def test_every_conformance_alert_is_explained_from_its_evidence(conformance_run):
    warehouse, _ = conformance_run
    problems = explanation_problems(warehouse)
    assert not problems, "\n".join(problems)


@pytest.mark.e2e
def test_every_demo_alert_is_explained_from_its_evidence(demo_run):
    _, warehouse, _ = demo_run
    problems = explanation_problems(warehouse)
    assert not problems, "\n".join(problems)


@pytest.mark.e2e
def test_bi_readers_get_the_same_sentences_as_the_warehouse(demo_run):
    from searchlight.publish import published_dir

    _, warehouse, _ = demo_run
    parquet = published_dir(warehouse) / "marts" / "alerts.parquet"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        built = con.execute("select alert_id, explanation_zh, explanation_en from marts.alerts "
                            "order by alert_id").fetchall()
        published = con.execute("select alert_id, explanation_zh, explanation_en "
                                f"from read_parquet('{parquet}') order by alert_id").fetchall()
    assert built and published == built


# ------------------------------------------------------------------ every variant, by dbt
def jinja_literal(value) -> str:
    """A YAML value as a Jinja literal (for the inline query's macro call)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{jinja_literal(k)}: {jinja_literal(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(jinja_literal(v) for v in value) + "]"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def json_text(evidence: dict) -> str:
    """Evidence as JSON text, numbers (Decimal too) written as they are."""
    parts = [f"{json.dumps(k)}:{v if is_number(v) else json.dumps(v, ensure_ascii=False)}"
             for k, v in evidence.items()]
    return "{" + ",".join(parts) + "}"


def evidence_for(template: Template, index: int) -> dict:
    """Evidence that selects variant `index`: every placeholder filled (counts, amounts
    with padding zeros as DECIMAL evidence has them, texts with a quote), every `when`
    key valued to fail, then the chosen variant's conditions made true."""
    options = variants(template)
    keys = sorted({k for o in options for k in PLACEHOLDER.findall(o["text"])})
    samples = (lambda i: 7 * (i + 1), lambda i: Decimal(f"{i + 1}00.50"),
               lambda i: f"v{i}'s")
    evidence: dict = {key: samples[i % 3](i) for i, key in enumerate(keys)}
    for option in options[:-1]:
        for key, value in option["when"].items():
            evidence[key] = ("filled" if value is None else
                             (not value) if isinstance(value, bool) else f"not {value}")
    evidence.update(options[index]["when"] or {})
    return evidence


@pytest.mark.dbt
def test_every_variant_renders_through_the_macro_as_the_oracle_does(tmp_path):
    """Also the variants no conformance case or demo alert reaches (T01's calendar-day
    English, a T04 over the cap only, ...): the macro and the oracle agree on each."""
    from searchlight import dbt

    cases = []  # (where, template, evidence)
    for code in RULES:
        for lang, template in templates(code).items():
            for index in range(len(variants(template))):
                evidence = evidence_for(template, index)
                assert choose(template, evidence) == variants(template)[index], (
                    f"{code} {lang}: variant {index + 1} can never be chosen")
                cases.append((f"{code} {lang} variant {index + 1}", template, evidence))
    selects = [
        f"select {i} as i, {{{{ explanation_sql({jinja_literal(template)}, 'evidence', "
        f"{jinja_literal(where)}) }}}} as sentence from (select "
        + "'" + json_text(evidence).replace("'", "''") + "' as evidence) as e"
        for i, (where, template, evidence) in enumerate(cases)]
    dbt.invoke(["compile", "--inline", "\nunion all\n".join(selects)],
               tmp_path / "inline.duckdb")
    run = json.loads((DBT_PROJECT_DIR / "target" / "run_results.json").read_text("utf-8"))
    compiled = run["results"][0]["compiled_code"]
    with duckdb.connect() as con:
        sentences = dict(con.execute(f"select * from ({compiled}) order by i").fetchall())
    problems = [f"{where}: {p}\n    {sentences[i]!r}"
                for i, (where, template, evidence) in enumerate(cases)
                for p in mismatches(template, evidence, sentences[i] or "")]
    assert not problems, "\n".join(problems)
