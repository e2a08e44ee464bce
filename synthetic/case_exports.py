"""How the case platform exports: versions in monthly files, a re-export, events as JSONL.

A case changes state at submission, at acceptance and at its end; each monthly export
(``cases_2026-MM.csv``) carries the state of every case at its last change in that
month, so a case has up to three versions in different files. Changes from
``REEXPORT_FROM`` on (and the versions a scenario re-sends) arrive in the later
re-export (``cases_reexport_2026-06-30.csv``: ISO times with offset, an extra 备注
column). Exports from April on use the Chinese column titles. Events go to one JSONL
file per month, numbered per case by time (``seq``) and annotated as the platform does.
Planted invalid rows are written broken here (``corrupt``), so the loader must
quarantine them.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.sources import SOURCES
from ingest.validate import CREDIT_ALPHABET, RESIDENT_CHECK
from synthetic.background import random_hours
from synthetic.planter import CasePlanter, Plant
from synthetic.writers import csv_bytes, file_headers, format_timestamps, write_file

# Stage changes at or after this moment miss the June monthly export and arrive in the
# later re-export file.
REEXPORT_FROM = datetime(2026, 6, 30, 12, 0, 0)
REEXPORT_BUCKET = 7
CASE_COLUMNS = SOURCES["cases"].column_names
CASE_TS = ("submitted_at", "accepted_at", "completed_at", "updated_at")
# Events at the same instant are numbered in this order.
EVENT_ORDER = {t: i for i, t in enumerate(
    ("SUBMIT", "CORRECTION_NOTICE", "CORRECTION_RECEIVED", "ACCEPT", "REFUSE", "SUSPEND_START",
     "SUSPEND_END", "EXTEND", "DECIDE", "COMPLETE", "RETURN", "WITHDRAW"))}
EVENT_NOTES = {"CORRECTION_NOTICE": "一次性告知需补正材料", "CORRECTION_RECEIVED": "补正材料已收齐",
               "SUSPEND_START": "进入特别程序", "SUSPEND_END": "特别程序结束",
               "EXTEND": "经本部门负责人批准延长", "REFUSE": "不符合受理条件",
               "RETURN": "申请材料不符合要求，予以退件", "WITHDRAW": "申请人主动撤回"}


def export_bucket(t: pd.Series) -> pd.Series:
    """The export a change at time t is in: its month, or REEXPORT_BUCKET."""
    b = t.dt.month.astype("Int64")
    return b.where(t.isna() | (t < pd.Timestamp(REEXPORT_FROM)), REEXPORT_BUCKET)


def case_file_name(bucket: int) -> str:
    return ("cases_reexport_2026-06-30.csv" if bucket == REEXPORT_BUCKET
            else f"cases_2026-{bucket:02d}.csv")


def sequence_events(events: pd.DataFrame, id_of: dict[int, str]) -> pd.DataFrame:
    """Events with their case id, ``seq`` by time within the case, and the platform's note."""
    events = events.copy()
    events["case_id"] = events["key"].map(id_of)
    events["_order"] = events["event_type"].map(EVENT_ORDER)
    events = events.sort_values(["case_id", "event_at", "_order"], kind="stable")
    events["seq"] = events.groupby("case_id", sort=False).cumcount() + 1
    events["note"] = events["event_type"].map(EVENT_NOTES).astype(object)
    events.loc[events["event_type"] == "SUSPEND_START", "note"] = (
        "进入特别程序：" + events["procedure_type"].fillna("（未注明）"))
    return events


def case_versions(cases: pd.DataFrame, planter: CasePlanter, id_of: dict,
                  rng: np.random.Generator, background: pd.Series) -> pd.DataFrame:
    """Every exported version of every case, with the export bucket (month, or re-export).

    A case changes state at submission, at acceptance (t_mid) and at its end (t_end); each
    monthly export carries the state at its last change in that month.
    """
    has_mid, has_end = cases["t_mid"].notna(), cases["t_end"].notna()
    b_sub, b_mid, b_end = (export_bucket(cases["submitted_at"]), export_bucket(cases["t_mid"]),
                           export_bucket(cases["t_end"]))
    nxt = b_mid.where(has_mid, b_end)
    emit_sub = nxt.isna() | (nxt != b_sub)
    emit_mid = has_mid & (~has_end | (b_end != b_mid))

    base = cases.copy()
    base["note"] = None
    parts = []
    v = base[emit_sub.fillna(True)].copy()
    v["stage"], v["bucket"], v["updated_at"] = "sub", b_sub[v.index], v["submitted_at"]
    v[["accepted_at", "completed_at"]] = pd.NaT
    v[["handler_staff_id", "approver_staff_id", "result"]] = None
    v["status"] = "已申请"
    parts.append(v)
    v = base[emit_mid.fillna(False)].copy()
    v["stage"], v["bucket"], v["updated_at"] = "mid", b_mid[v.index], v["t_mid"]
    ends = has_end[v.index]
    v.loc[ends, "status"] = "已受理"
    v.loc[ends, "completed_at"] = pd.NaT
    v.loc[ends, ["approver_staff_id", "result"]] = None
    parts.append(v)
    v = base[has_end].copy()
    v["stage"], v["bucket"], v["updated_at"] = "end", b_end[v.index], v["t_end"]
    parts.append(v)
    versions = pd.concat(parts, ignore_index=True)

    for (key, stage), changes in planter.stage_overrides.items():
        m = (versions["key"] == key) & (versions["stage"] == stage)
        for col, val in changes.items():
            versions.loc[m, col] = val

    extras = []
    final = versions[versions["stage"] == "end"].set_index("key")
    for key, changes, bucket in planter.extra_versions:
        changes = dict(changes)
        row = final.loc[key].copy()
        note = "数据治理重新推送"
        if changes.pop("stale", False):  # the state before completion, sent again
            changes.update(status="已受理", completed_at=None, result=None,
                           approver_staff_id=None, updated_at=row["t_mid"])
            note = "历史数据补推"
        if changes.pop("tie", False):
            changes.setdefault("updated_at", row["updated_at"])
        if changes.get("approver_staff_id") == "<other approver>":
            dept = row["dept_code"]
            others = [s for s in planter.world.approvers[dept] if s != row["approver_staff_id"]]
            changes["approver_staff_id"] = others[0]
        for col, val in changes.items():
            row[col] = pd.NaT if (val is None and col.endswith("_at")) else val
        row["stage"], row["bucket"], row["note"] = "extra", bucket, note
        row["key"] = key
        extras.append(row)
    # Harmless re-sends of some completed background cases: same timestamps, later updated_at.
    done = versions[(versions["stage"] == "end") & (versions["status"] == "已办结")
                    & (versions["bucket"] < REEXPORT_BUCKET)
                    & versions["key"].isin(cases.loc[background, "key"])]
    resend = done[rng.random(len(done)) < 0.005].copy()
    resend["updated_at"] = (np.datetime64(REEXPORT_FROM, "s")
                            + random_hours(rng, len(resend), 0.5, 6))
    resend["stage"], resend["bucket"], resend["note"] = "extra", REEXPORT_BUCKET, "数据治理重新推送"
    extras.extend(r for _, r in resend.iterrows())
    if extras:
        versions = pd.concat([versions, pd.DataFrame(extras)], ignore_index=True)
    for col in ("submitted_at", "accepted_at", "completed_at", "updated_at"):
        versions[col] = pd.to_datetime(versions[col]).astype("datetime64[s]")
    versions["bucket"] = versions["bucket"].astype(int)
    versions["case_id"] = versions["key"].map(id_of)
    return versions.reset_index(drop=True)


def corrupt(out: pd.DataFrame, pos: int, problem: str) -> None:
    i = out.index[pos]
    if problem == "bad_resident_id" or problem == "bad_credit_code":
        v = out.at[i, "applicant_id"]
        alphabet = RESIDENT_CHECK if problem == "bad_resident_id" else CREDIT_ALPHABET
        wrong = next(ch for ch in alphabet if ch != v[-1])
        out.at[i, "applicant_id"] = v[:-1] + wrong
    elif problem == "bad_timestamp":
        out.at[i, "submitted_at"] = "2026-02-30 09:10:00"
    elif problem == "missing_applicant_name":
        out.at[i, "applicant_name"] = ""
    elif problem == "missing_item_code":
        out.at[i, "item_code"] = ""
    else:  # pragma: no cover
        raise ValueError(problem)


def write_case_files(landing: Path, versions: pd.DataFrame, plants: dict[int, Plant]
                     ) -> tuple[list[Path], int, list[dict]]:
    """One CSV per export; returns (files, data rows, the planted invalid rows written)."""
    files: list[Path] = []
    n_rows = 0
    invalid_rows: list[dict] = []
    for bucket, part in versions.groupby("bucket", sort=True):
        bucket = int(bucket)
        part = part.sort_values(["updated_at", "case_id"], kind="stable")
        reexport = bucket == REEXPORT_BUCKET
        out = pd.DataFrame({c: part[c] for c in CASE_COLUMNS})
        for c in CASE_TS:
            out[c] = format_timestamps(part[c], iso_offset=reexport)
        out["promised_limit_days"] = part["promised_limit_days"].map(
            lambda v: "" if pd.isna(v) else str(int(v))).astype(object)
        out = out.astype(object).where(out.notna(), "")
        for pos, (key, cid) in enumerate(zip(part["key"], part["case_id"])):
            plant = plants.get(key)
            if plant is not None and plant.lower_x:
                out.iloc[pos, out.columns.get_loc("applicant_id")] = (
                    out.iloc[pos, out.columns.get_loc("applicant_id")].lower())
            if plant is not None and plant.invalid:
                corrupt(out, pos, plant.invalid)
                invalid_rows.append({"source": "cases", "file": case_file_name(bucket),
                                     "case_id": cid, "problem": plant.invalid})
        if reexport:
            out["备注"] = part["note"].fillna("").to_numpy()
        out = out.rename(columns=file_headers("cases", chinese=4 <= bucket <= 6))
        files.append(write_file(landing / "cases" / case_file_name(bucket),
                                csv_bytes(out, "utf-8")))
        n_rows += len(out)
    return files, n_rows, invalid_rows


def write_event_files(landing: Path, events: pd.DataFrame) -> tuple[list[Path], int]:
    """One JSONL file per month of event time; returns (files, data rows)."""
    files: list[Path] = []
    n_rows = 0
    months = events["event_at"].dt.month
    for month, part in events.groupby(months, sort=True):
        part = part.sort_values(["event_at", "case_id", "seq"], kind="stable")
        lines = []
        for cid, seq, et, t, staff, proc, note in zip(
                part["case_id"], part["seq"], part["event_type"],
                part["event_at"].dt.strftime("%Y-%m-%dT%H:%M:%S"), part["staff_id"],
                part["procedure_type"], part["note"]):
            lines.append(json.dumps(
                {"case_id": cid, "seq": int(seq), "event_type": et, "event_at": t,
                 "staff_id": None if pd.isna(staff) else staff,
                 "procedure_type": None if pd.isna(proc) else proc,
                 "note": None if pd.isna(note) else note}, ensure_ascii=False))
        files.append(write_file(
            landing / "case_events" / f"case_events_2026-{int(month):02d}.jsonl",
            ("\n".join(lines) + "\n").encode("utf-8")))
        n_rows += len(lines)
    return files, n_rows
