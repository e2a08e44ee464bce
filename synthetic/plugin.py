"""How a rule family plugs into the demo district (``synthetic.district.generate_district``).

Cases come first: the background (``synthetic.background``) and the cases the families
plant through the case planter (``synthetic.planter``; T and F). Every family whose rows
are not cases is a ``DemoFamily`` (its module's ``FAMILY``, listed in
``synthetic.families.ROW_FAMILIES``):

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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import numpy as np
import pandas as pd

from synthetic.clock import Clock
from synthetic.identifiers import FreshPeople
from synthetic.world import District

Alerts = dict[str, dict[str, str]]  # rule -> {subject_id: severity}
Planted = dict[str, dict[str, list[str]]]  # rule -> {"fires": [...], "near_miss": [...]}


@dataclass
class CasePlant:
    """A case planted through the case planter, with the rules it is meant to touch."""

    case_id: str
    scenario: str
    fires: tuple[str, ...]
    near_miss: tuple[str, ...]


@dataclass
class DemoContext:
    rng: np.random.Generator  # this family's own stream: one family never shifts another
    world: District  # depts, items, staff, windows, applicant pools
    clock: Clock  # is_workday / workdays / after / before
    as_of: date
    scale: float
    cases: pd.DataFrame  # current version of every loadable case (clear text, canonical)
    events: pd.DataFrame  # case_id, seq, event_type, event_at, staff_id, procedure_type
    case_plants: list[CasePlant]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # rows so far, per source
    fresh: FreshPeople | None = None  # ids nobody else in the district uses


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
