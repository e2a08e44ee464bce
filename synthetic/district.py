"""The synthetic demo district: landing files plus the alerts every rule must raise on them.

``generate_district(out_dir, scale, seed)`` writes

    out_dir/landing/<source>/...     contract files, in the formats platforms really send
    out_dir/ground_truth.json        as_of, the exact alerts of all 37 rules, quarantined row
                                     counts, and the planted scenarios (what each is for)

About ``scale × 10,000`` cases are handled in the first half of 2026. The bulk are clean
background cases (``synthetic.background``); beside them the case families (T, F) plant
violations and near-threshold non-violations through the case planter. The T oracle
reads every version and event of every case, and ``check_case_plants`` fails the
generator unless each planted case fires exactly what it was planted for and no
background case fires at all. Then every other family (``synthetic.plugin``) adds its
rows, and its oracle gives its alerts on the combined rows.

Same seed and scale give the same bytes.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from synthetic import names
from synthetic.background import background_cases
from synthetic.case_exports import (
    CASE_COLUMNS,
    case_file_name,
    case_versions,
    sequence_events,
    write_case_files,
    write_event_files,
)
from synthetic.clock import AS_OF, Clock, default_clock
from synthetic.families import CASE_PLANTERS, ROW_FAMILIES
from synthetic.families.timeliness import RULES as T_RULES
from synthetic.families.timeliness import check_case_plants, evaluate_t_rules
from synthetic.identifiers import FreshPeople
from synthetic.planter import CasePlanter
from synthetic.plugin import Alerts, CasePlant, DemoContext, Planted, check_planted
from synthetic.registry import REGISTRY
from synthetic.world import District
from synthetic.writers import write_file, write_reference_files, write_source


@dataclass
class DemoManifest:
    out_dir: Path
    landing: Path
    ground_truth: Path
    as_of: date
    files: dict[str, list[Path]]
    rows: dict[str, int]  # data rows written per source (including the planted bad rows)
    quarantined_rows: dict[str, int]
    cases: int  # distinct cases that load (bad rows excluded)
    planted: dict[str, dict[str, int]]  # rule -> {"fires": n, "near_miss": n}
    alerts: dict[str, int]  # rule -> number of alerts in the ground truth


def generate_district(out_dir: Path, scale: float = 1.0, seed: int = 7) -> DemoManifest:
    """Write the demo landing folder and its ground truth; see the module docstring."""
    out_dir = Path(out_dir)
    rng = np.random.default_rng(seed)
    clock = default_clock()
    target = max(round(scale * 10_000), 0)
    world = District(rng, target)

    planter = CasePlanter(np.random.default_rng([seed, 1]), world, clock, first_key=0)
    for plant_cases in CASE_PLANTERS:
        plant_cases(planter)
    n_planted = planter.next_key
    n_bg = max(target - n_planted, 0)
    bg_cases, bg_events = background_cases(rng, n_bg, world, clock)
    bg_cases["key"] += n_planted
    bg_events["key"] += n_planted

    pl_cases = pd.DataFrame(planter.rows)
    for col in ("submitted_at", "accepted_at", "completed_at", "t_mid", "t_end"):
        pl_cases[col] = pd.to_datetime(pl_cases[col]).astype("datetime64[s]")
        bg_cases[col] = pd.to_datetime(bg_cases[col]).astype("datetime64[s]")
    pl_cases["promised_limit_days"] = pl_cases["promised_limit_days"].astype("Int64")
    cases = pd.concat([pl_cases, bg_cases], ignore_index=True)
    pl_events = pd.DataFrame(planter.events)
    pl_events["event_at"] = pd.to_datetime(pl_events["event_at"]).astype("datetime64[s]")
    bg_events["event_at"] = pd.to_datetime(bg_events["event_at"]).astype("datetime64[s]")
    events = pd.concat([pl_events, bg_events], ignore_index=True)

    # Case ids: region + submission date + running number of the day.
    cases = cases.sort_values(["submitted_at", "key"], kind="stable").reset_index(drop=True)
    day = cases["submitted_at"].dt.strftime("%Y%m%d")
    running = cases.groupby(day, sort=False).cumcount() + 1
    cases["case_id"] = names.REGION_CODE + day + running.map("{:05d}".format)
    id_of = dict(zip(cases["key"], cases["case_id"]))
    plants = {pl.key: pl for pl in planter.plants}
    invalid_keys = {k for k, pl in plants.items() if pl.invalid}

    events = sequence_events(events[~events["key"].isin(invalid_keys)], id_of)
    versions = case_versions(cases, planter, id_of, np.random.default_rng([seed, 2]),
                             background=~cases["key"].isin(list(plants)))

    # ------------------------------------------------------------------ ground truth
    items = {i["item_code"]: i for i in world.items}
    valid = versions[~versions["key"].isin(invalid_keys)]
    records = _records(valid[["case_id", "item_code", "channel", "status", "submitted_at",
                              "accepted_at", "completed_at", "promised_limit_days",
                              "updated_at", "bucket"]])
    ev_records: dict[str, list[dict]] = defaultdict(list)
    for row in _records(events[["case_id", "seq", "event_type", "event_at", "procedure_type"]]):
        ev_records[row["case_id"]].append(row)
    alerts = evaluate_t_rules(records, ev_records, items, AS_OF, clock)
    check_case_plants(alerts, plants, id_of)

    # ------------------------------------------------------------------ other families
    current = valid.sort_values(["case_id", "updated_at", "bucket"], kind="stable")
    current = current.drop_duplicates("case_id", keep="last")[CASE_COLUMNS].reset_index(drop=True)
    family_frames, family_bad, family_alerts, family_planted, family_notes = _row_families(
        seed, scale, world, clock, current,
        events[["case_id", "seq", "event_type", "event_at", "staff_id", "procedure_type"]],
        [CasePlant(id_of[k], pl.scenario, pl.fires, pl.near_miss)
         for k, pl in plants.items() if not pl.invalid])

    # ------------------------------------------------------------------ files
    landing = out_dir / "landing"
    if landing.exists():
        shutil.rmtree(landing)
    files: dict[str, list[Path]] = defaultdict(list)
    rows: dict[str, int] = {}
    for source, (path, n) in write_reference_files(landing, world).items():
        files[source].append(path)
        rows[source] = n

    files["cases"], rows["cases"], invalid_rows = write_case_files(landing, versions, plants)
    files["case_events"], rows["case_events"] = write_event_files(landing, events)

    for source in sorted(family_frames):
        written, n = write_source(landing, source, family_frames[source],
                                  family_bad.get(source, []))
        files[source].extend(written)
        rows[source] = n
        for bad in family_bad.get(source, []):
            invalid_rows.append({"source": source, "file": written[0].name,
                                 "problem": bad.get("_problem", "")})

    quarantined = {s: 0 for s in files}
    for r in invalid_rows:
        quarantined[r["source"]] += 1

    planted_summary: Planted = {r: {"fires": [], "near_miss": []} for r in T_RULES}
    scenarios = []
    for key in sorted(plants, key=lambda k: id_of[k]):
        pl = plants[key]
        if pl.invalid:
            continue
        for r in pl.fires:
            if r in T_RULES:
                planted_summary[r]["fires"].append(id_of[key])
        for r in pl.near_miss:
            if r in T_RULES:
                planted_summary[r]["near_miss"].append(id_of[key])
        scenarios.append({"case_id": id_of[key], "scenario": pl.scenario,
                          "fires": list(pl.fires), "near_miss": list(pl.near_miss)})
    alerts = {**{r: alerts[r] for r in T_RULES}, **family_alerts}
    planted_summary.update(family_planted)
    scenarios.extend(family_notes)
    truth = {
        "as_of": AS_OF.isoformat(),
        "seed": seed,
        "scale": scale,
        "alerts": {r: dict(sorted(alerts[r].items())) for r in alerts},
        "quarantined_rows": quarantined,
        "planted": planted_summary,
        "scenarios": scenarios,
        "invalid_rows": invalid_rows,
    }
    truth_path = out_dir / "ground_truth.json"
    write_file(truth_path,
               (json.dumps(truth, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))

    return DemoManifest(
        out_dir=out_dir, landing=landing, ground_truth=truth_path, as_of=AS_OF,
        files=dict(files), rows=rows, quarantined_rows=quarantined,
        cases=int(valid["case_id"].nunique()),
        planted={r: {k: len(v) for k, v in planted_summary[r].items()}
                 for r in planted_summary},
        alerts={r: len(alerts[r]) for r in alerts},
    )


def _row_families(seed: int, scale: float, world: District, clock: Clock,
                  cases: pd.DataFrame, events: pd.DataFrame, case_plants: list[CasePlant]):
    """The registry and every row family: plant, then evaluate on the combined rows."""
    used = set(cases["applicant_id"].dropna()) | {s["id_number"] for s in world.staff}
    used |= set(world.person_ids.tolist()) | set(world.firm_ids.tolist())
    used |= set(world.agent_ids.tolist()) | set(world.person_phones.tolist())
    used |= set(world.firm_phones.tolist())
    fresh = FreshPeople(np.random.default_rng([seed, 90]), used)
    frames: dict[str, pd.DataFrame] = {"cases": cases, "case_events": events,
                                       "staff": pd.DataFrame(world.staff),
                                       "items": pd.DataFrame(world.items),
                                       "windows": pd.DataFrame(world.windows),
                                       "departments": pd.DataFrame(world.depts)}
    family_sources: dict[str, list[pd.DataFrame]] = defaultdict(list)
    bad: dict[str, list[dict]] = defaultdict(list)
    planted: Planted = {}
    notes: list[dict] = []
    fams = (REGISTRY, *ROW_FAMILIES)  # the registry first: the others link to it
    contexts = []
    for n, fam in enumerate(fams):
        ctx = DemoContext(rng=np.random.default_rng([seed, 100 + n]), world=world, clock=clock,
                          as_of=AS_OF, scale=scale, cases=cases, events=events,
                          case_plants=case_plants, frames=frames, fresh=fresh)
        out = fam.plant(ctx)
        for source, df in out.rows.items():
            if source in ("cases", "case_events"):
                raise ValueError(f"{fam.name}: plant cases through the case planter")
            family_sources[source].append(df)
            frames[source] = pd.concat(family_sources[source], ignore_index=True)
        for source, rows in out.bad_rows.items():
            bad[source].extend(rows)
        planted.update(out.planted)
        notes.extend(out.scenarios)
        contexts.append(ctx)
    alerts: Alerts = {}
    problems = []
    for fam, ctx in zip(fams, contexts):
        got = fam.evaluate(frames, ctx)
        missing = set(fam.rules) - set(got)
        if missing:
            problems.append(f"{fam.name}: evaluate() gave no entry for {sorted(missing)}")
        alerts.update(got)
        problems += check_planted(fam.name, {r: planted[r] for r in fam.rules if r in planted},
                                  got)
    if problems:
        raise AssertionError("demo generator inconsistent:\n  " + "\n  ".join(problems))
    written = {s: frames[s] for s in family_sources}
    return written, dict(bad), alerts, planted, notes


def _records(df: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts of plain Python values (None for missing): the oracle's input."""
    cols = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            cols[c] = [None if pd.isna(x) else x.to_pydatetime() for x in s]
        else:
            cols[c] = [None if (x is None or (not isinstance(x, str) and pd.isna(x))) else
                       (int(x) if isinstance(x, (np.integer,)) else x) for x in s]
    out = [dict(zip(cols, vals)) for vals in zip(*cols.values())]
    for r in out:
        if "bucket" in r:
            r["_file"] = case_file_name(r["bucket"])
    return out
