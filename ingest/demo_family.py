"""How a rule family plugs into the demo district (``ingest.demo.generate_district``).

The case slice (T01–T09) is built by ``ingest.demo`` itself. Every other family is a
``DemoFamily`` in its own module (``ingest/demo_<family>.py``) listed in ``FAMILIES``:

1. ``plant(ctx)`` gets the finished district (reference world, the current version of
   every loadable case, every case event, the integrity registry of enterprises and
   relatives) and returns the rows it adds to any source: background rows in
   proportion to the district, planted violations and near-threshold non-violations
   beside them, and the subjects it planted for each rule. Rows use canonical column
   names and Python / pandas values (timestamps as ``datetime64``); the writer formats
   them. ``bad_rows`` are rows (already text) that the loader must quarantine.
2. After every family has planted, ``evaluate(frames, ctx)`` reads the combined rows of
   every source and returns the exact alerts its rules must raise: a plain pandas reading
   of contract/rules.md, independent of the dbt SQL, applied to all rows (planted or not).
3. ``check_planted`` then fails the generator if a planted subject does not fire or a
   near miss does, so a drifting generator cannot quietly weaken the end-to-end test.

Subject ids that rules.md defines as ``pseudonym(v)`` are computed with ``pseudonym``
below: the same keyed HMAC as the warehouse (``searchlight.dbt_plugin``); credit codes in
subject ids go through ``enterprise_id`` (a sole proprietorship's code is pseudonymised).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np
import pandas as pd

Alerts = dict[str, dict[str, str]]  # rule -> {subject_id: severity}
Planted = dict[str, dict[str, list[str]]]  # rule -> {"fires": [...], "near_miss": [...]}


def pseudonym(value: Any) -> str | None:
    """rules.md pseudonym(v), byte for byte what the warehouse computes."""
    from searchlight.dbt_plugin import DEMO_KEY, KEY_ENV

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    key = os.environ.get(KEY_ENV) or DEMO_KEY
    normalised = re.sub(r"[\s\u3000\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f]", "",
                        str(value)).upper()
    return hmac.new(key.encode(), normalised.encode(), hashlib.sha256).hexdigest()[:16]


def enterprise_id(code: Any) -> str | None:
    """A credit code as the warehouse carries it (staging macro enterprise_id): a legal
    person's code as it is, a sole proprietorship's (个体工商户, prefix 92: a person's
    business, personal data by outputs.md Privacy) as pseudonym(code). Subject ids built
    from winner_uscc (P05, P07) use this."""
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return None
    return pseudonym(code) if str(code).startswith("92") else str(code)


@dataclass
class CasePlant:
    """A case planted by ``ingest.demo``'s planter, with the rules it is meant to touch."""

    case_id: str
    scenario: str
    fires: tuple[str, ...]
    near_miss: tuple[str, ...]


@dataclass
class DemoContext:
    rng: np.random.Generator  # this family's own stream: one family never shifts another
    world: Any  # ingest.demo._District: depts, items, staff, windows, applicant pools
    clock: Any  # ingest.demo.Clock: is_workday / workdays / after / before
    as_of: date
    scale: float
    cases: pd.DataFrame  # current version of every loadable case (clear text, canonical)
    events: pd.DataFrame  # case_id, seq, event_type, event_at, staff_id, procedure_type
    case_plants: list[CasePlant]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # rows so far, per source
    fresh: Any = None  # FreshPeople: ids nobody else in the district uses


@dataclass
class FamilyRows:
    rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    planted: Planted = field(default_factory=dict)
    bad_rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    scenarios: list[dict] = field(default_factory=list)  # free-form notes for the truth file


class DemoFamily(Protocol):
    name: str
    rules: tuple[str, ...]

    def plant(self, ctx: DemoContext) -> FamilyRows: ...

    def evaluate(self, frames: dict[str, pd.DataFrame], ctx: DemoContext) -> Alerts: ...


class FreshPeople:
    """Resident ids, names, phones and credit codes unused anywhere else in the district."""

    def __init__(self, rng: np.random.Generator, used: set[str]):
        self.rng, self.used = rng, set(used)

    def resident_ids(self, n: int, born_from: date = date(1950, 1, 1),
                     born_to: date = date(2004, 12, 31)) -> list[str]:
        from ingest.demo import _resident_ids

        out: list[str] = []
        while len(out) < n:
            for v in _resident_ids(self.rng, n - len(out) + 5, born_from, born_to):
                v = str(v)
                if v not in self.used and len(out) < n:
                    self.used.add(v)
                    out.append(v)
        return out

    def names(self, n: int) -> list[str]:
        from ingest.demo import _person_names

        return [str(v) for v in _person_names(self.rng, n)]

    def phones(self, n: int) -> list[str]:
        from ingest.demo import _phones

        out: list[str] = []
        while len(out) < n:
            for v in _phones(self.rng, n - len(out) + 5):
                v = str(v)
                if v not in self.used and len(out) < n:
                    self.used.add(v)
                    out.append(v)
        return out

    def credit_codes(self, n: int, kind: str = "91") -> list[str]:
        from ingest.demo import _credit_codes

        out: list[str] = []
        while len(out) < n:
            for v in _credit_codes(self.rng, n - len(out) + 5, kind):
                if v not in self.used and len(out) < n:
                    self.used.add(v)
                    out.append(v)
        return out


def check_planted(family: str, planted: Planted, alerts: Alerts) -> list[str]:
    """Problems: planted subjects that do not fire, near misses that do, empty plants."""
    problems = []
    for rule, subjects in planted.items():
        fired = alerts.get(rule, {})
        missing = [s for s in subjects.get("fires", []) if s not in fired]
        wrong = [s for s in subjects.get("near_miss", []) if s in fired]
        if missing:
            problems.append(f"{family} {rule}: planted to fire but does not: {missing[:5]}")
        if wrong:
            problems.append(f"{family} {rule}: near miss fires: {wrong[:5]}")
        if not subjects.get("fires"):
            problems.append(f"{family} {rule}: nothing planted to fire")
    return problems


# --------------------------------------------------------------------------- writing

# How each family source is written: the formats platforms really send. ``split``: a
# timestamp or date column whose month names the file (one export per month).
SOURCE_FORMATS: dict[str, dict[str, Any]] = {
    "enterprises": {"format": "xlsx", "chinese": True},
    "enterprise_persons": {"format": "csv", "encoding": "gbk", "chinese": True},
    "staff_relatives": {"format": "csv", "encoding": "utf-8", "chinese": True},
    "reviews": {"format": "csv", "encoding": "utf-8-sig", "chinese": True,
                "split": "reviewed_at"},
    "hotline_tickets": {"format": "jsonl", "split": "created_at"},
    "qr_feedback": {"format": "csv", "encoding": "gbk", "chinese": True},
    "tenders": {"format": "csv", "encoding": "utf-8", "chinese": True},
    "bids": {"format": "csv", "encoding": "utf-8", "chinese": False},
    "awards": {"format": "csv", "encoding": "gbk", "chinese": True},
    "subsidy_programs": {"format": "xlsx", "chinese": True},
    "subsidy_payments": {"format": "csv", "encoding": "utf-8", "chinese": True,
                         "split": "paid_at"},
    "deaths": {"format": "csv", "encoding": "gbk", "chinese": True},
    "reception_expenses": {"format": "csv", "encoding": "gbk", "chinese": True},
    "key_projects": {"format": "xlsx", "chinese": True},
}


def _text(value: Any, kind: str) -> str:
    from ingest import sources as s

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if kind == s.TIMESTAMP:
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    if kind == s.DATE:
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == s.BOOL:
        return "是" if bool(value) else "否"
    if kind == s.INT:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def source_text_rows(source: str, df: pd.DataFrame) -> list[dict[str, str]]:
    """The rows of a family source as contract text, canonical column names."""
    from ingest.sources import SOURCES

    cols = SOURCES[source].columns
    missing = [c.name for c in cols if c.required and c.name not in df.columns]
    if missing:
        raise ValueError(f"demo {source}: rows lack required columns {missing}")
    out = []
    for rec in df.to_dict("records"):
        out.append({c.name: _text(rec.get(c.name), c.kind) for c in cols})
    return out


def write_source(landing, source: str, df: pd.DataFrame,
                 bad_rows: list[dict[str, str]] = ()) -> tuple[list, int]:
    """Write one family source into landing/<source>/; returns (files, data rows)."""
    import json

    from ingest.demo import _csv_bytes, _headers, _write, _xlsx_bytes

    fmt = SOURCE_FORMATS[source]
    rows = source_text_rows(source, df)
    if fmt.get("split") and len(df):
        months = pd.to_datetime(df[fmt["split"]]).dt.strftime("%Y-%m").tolist()
    else:
        months = [""] * len(rows)
    groups: dict[str, list[dict[str, str]]] = {}
    for m, r in zip(months, rows):
        groups.setdefault(m, []).append(r)
    if not groups:
        groups[""] = []
    first = min(groups)
    groups[first] = groups[first] + [dict(b) for b in bad_rows]
    header = _headers(source, chinese=fmt.get("chinese", False))
    files, n = [], 0
    for month in sorted(groups):
        part = groups[month]
        stem = f"{source}_{month}" if month else f"{source}_2026"
        folder = landing / source
        if fmt["format"] == "jsonl":
            data = "".join(json.dumps({k: (r.get(k) or None) for k in header},
                                      ensure_ascii=False) + "\n" for r in part).encode("utf-8")
            files.append(_write(folder / f"{stem}.jsonl", data))
        elif fmt["format"] == "xlsx":
            names = list(header)
            files.append(_write(folder / f"{stem}.xlsx", _xlsx_bytes(
                [header[c] for c in names], [[r.get(c, "") for c in names] for r in part])))
        else:
            frame = pd.DataFrame(part, columns=list(header)).rename(columns=header)
            files.append(_write(folder / f"{stem}.csv", _csv_bytes(frame, fmt["encoding"])))
        n += len(part)
    return files, n


# --------------------------------------------------------------------------- registry


class IntegrityRegistry:
    """Background rows of enterprises, enterprise_persons and staff_relatives.

    Every enterprise the district knows (firm applicants, intermediary agents) is
    registered with a legal representative and one or two shareholders; every staff
    member has one to three relatives. All these people are fresh ids, so the background
    links nobody to anybody: links exist only where a family plants them.
    """

    name = "integrity registry"
    rules: tuple[str, ...] = ()

    def plant(self, ctx: DemoContext) -> FamilyRows:
        rng, world, fresh = ctx.rng, ctx.world, ctx.fresh
        firms = list(zip(world.firm_ids.tolist(), world.firm_names.tolist(),
                         world.firm_phones.tolist()))
        firms += list(zip(world.agent_ids.tolist(), world.agent_names.tolist(),
                          [None] * len(world.agent_ids)))
        reps = fresh.resident_ids(len(firms))
        ent = pd.DataFrame({
            "uscc": [f[0] for f in firms], "name": [f[1] for f in firms],
            "legal_rep_id": reps,
            "registered_at": pd.to_datetime("2008-01-01") + pd.to_timedelta(
                rng.integers(0, 6000, len(firms)), unit="D"),
            "contact_phone": [f[2] for f in firms],
        })
        n_holders = rng.integers(1, 3, len(firms))
        holders = fresh.resident_ids(int(n_holders.sum()))
        persons = [{"uscc": f[0], "person_id": rep, "role": "法定代表人", "share_ratio": None}
                   for f, rep in zip(firms, reps)]
        h = 0
        for f, k in zip(firms, n_holders):
            shares = rng.dirichlet(np.ones(int(k))).round(2)
            for s in shares:
                persons.append({"uscc": f[0], "person_id": holders[h], "role": "股东",
                                "share_ratio": float(s)})
                h += 1
        staff_ids = [s["staff_id"] for s in world.staff]
        n_rel = rng.integers(1, 4, len(staff_ids))
        rel_ids = fresh.resident_ids(int(n_rel.sum()))
        relations = np.array(["配偶", "子女", "父母", "兄弟姐妹", "其他"])
        rel, r = [], 0
        for sid, k in zip(staff_ids, n_rel):
            for kind in rng.choice(relations, int(k), replace=False):
                rel.append({"staff_id": sid, "relative_id": rel_ids[r], "relation": str(kind)})
                r += 1
        return FamilyRows(rows={"enterprises": ent,
                                "enterprise_persons": pd.DataFrame(persons),
                                "staff_relatives": pd.DataFrame(rel)})

    def evaluate(self, frames: dict[str, pd.DataFrame], ctx: DemoContext) -> Alerts:
        return {}


def families() -> list[DemoFamily]:
    """The registry first (others link to it), then every rule family."""
    import importlib

    return [IntegrityRegistry()] + [importlib.import_module(m).FAMILY for m in FAMILY_MODULES]


# Each module defines FAMILY: a DemoFamily. Order matters only for the random streams.
FAMILY_MODULES = (
    "ingest.demo_fairness",     # F01–F07 (issue 3)
    "ingest.demo_service",      # S01–S06 (issue 3)
    "ingest.demo_procurement",  # P01–P07 (issue 6)
    "ingest.demo_funds",        # L01–L05 (issue 6)
    "ingest.demo_conduct",      # C01–C02, K01 (issue 6)
)
