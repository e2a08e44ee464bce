"""The bytes of each file format, as platforms really send them.

CSV in UTF-8, UTF-8 with a BOM or GBK with CRLF line ends; XLSX (with fixed timestamps,
so the same rows give the same bytes); JSONL; headers either the canonical column names
or the first Chinese alias of the source contract (``ingest.sources``). The reference
files (departments, items, staff, windows, calendar overrides) are written the same way
by the demo and the volume generator; ``write_source`` writes a family source in the
format ``SOURCE_FORMATS`` gives it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from ingest import sources as s
from ingest.sources import SOURCES
from synthetic.world import District

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


# --------------------------------------------------------------------------- formats


def file_headers(source: str, chinese: bool) -> dict[str, str]:
    """canonical -> header used in the file (first Chinese alias when asked)."""
    return {c.name: (c.aliases[0] if chinese and c.aliases else c.name)
            for c in SOURCES[source].columns}


def format_timestamps(ts: pd.Series, iso_offset: bool = False) -> pd.Series:
    """Local times as text ('' for none); ISO 8601 with +08:00 when asked."""
    fmt = "%Y-%m-%dT%H:%M:%S+08:00" if iso_offset else "%Y-%m-%d %H:%M:%S"
    return ts.dt.strftime(fmt).astype(object).where(ts.notna(), "")


def csv_bytes(df: pd.DataFrame, encoding: str) -> bytes:
    text = df.to_csv(index=False, lineterminator="\r\n")
    return text.encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    """An XLSX with fixed timestamps (openpyxl stamps 'now'; zip entries too)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "部门"
    ws.append(header)
    for r in rows:
        ws.append(r)
    raw = io.BytesIO()
    wb.save(raw)
    fixed = "2026-06-30T09:00:00Z"
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                              rb"\g<1>" + fixed.encode() + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 6, 30, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            zout.writestr(zi, data)
    return out.getvalue()


def write_file(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- reference files


def write_reference_files(landing: Path, world: District) -> dict[str, tuple[Path, int]]:
    """departments (XLSX), items (GBK), staff (UTF-8 with BOM), windows, an empty
    calendar_overrides: source -> (file, data rows), in this order."""
    written: dict[str, tuple[Path, int]] = {}
    dep_h = file_headers("departments", chinese=True)
    dep_cols = SOURCES["departments"].column_names
    written["departments"] = (write_file(landing / "departments" / "部门名录.xlsx", xlsx_bytes(
        [dep_h[c] for c in dep_cols], [[d[c] for c in dep_cols] for d in world.depts])),
        len(world.depts))

    item_df = pd.DataFrame(world.items)[SOURCES["items"].column_names]
    item_df = item_df.rename(columns=file_headers("items", chinese=True))
    written["items"] = (write_file(landing / "items" / "事项目录_2026.csv",
                                   csv_bytes(item_df, "gbk")), len(item_df))

    staff_df = pd.DataFrame(world.staff)[SOURCES["staff"].column_names]
    staff_df["is_official"] = staff_df["is_official"].map({True: "是", False: "否"})
    staff_df = staff_df.rename(columns=file_headers("staff", chinese=True))
    written["staff"] = (write_file(landing / "staff" / "staff_2026.csv",
                                   csv_bytes(staff_df, "utf-8-sig")), len(staff_df))

    win_df = pd.DataFrame(world.windows)[SOURCES["windows"].column_names]
    written["windows"] = (write_file(landing / "windows" / "windows.csv",
                                     csv_bytes(win_df, "utf-8")), len(win_df))

    written["calendar_overrides"] = (write_file(
        landing / "calendar_overrides" / "calendar_overrides.csv",
        ",".join(SOURCES["calendar_overrides"].column_names).encode() + b"\r\n"), 0)
    return written


# --------------------------------------------------------------------------- family sources


def _text(value: Any, kind: str) -> str:
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
    cols = SOURCES[source].columns
    missing = [c.name for c in cols if c.required and c.name not in df.columns]
    if missing:
        raise ValueError(f"demo {source}: rows lack required columns {missing}")
    out = []
    for rec in df.to_dict("records"):
        out.append({c.name: _text(rec.get(c.name), c.kind) for c in cols})
    return out


def write_source(landing: Path, source: str, df: pd.DataFrame,
                 bad_rows: list[dict[str, str]] = ()) -> tuple[list[Path], int]:
    """Write one family source into landing/<source>/; returns (files, data rows)."""
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
    header = file_headers(source, chinese=fmt.get("chinese", False))
    files, n = [], 0
    for month in sorted(groups):
        part = groups[month]
        stem = f"{source}_{month}" if month else f"{source}_2026"
        folder = landing / source
        if fmt["format"] == "jsonl":
            data = "".join(json.dumps({k: (r.get(k) or None) for k in header},
                                      ensure_ascii=False) + "\n" for r in part).encode("utf-8")
            files.append(write_file(folder / f"{stem}.jsonl", data))
        elif fmt["format"] == "xlsx":
            columns = list(header)
            files.append(write_file(folder / f"{stem}.xlsx", xlsx_bytes(
                [header[c] for c in columns], [[r.get(c, "") for c in columns] for r in part])))
        else:
            frame = pd.DataFrame(part, columns=list(header)).rename(columns=header)
            files.append(write_file(folder / f"{stem}.csv", csv_bytes(frame, fmt["encoding"])))
        n += len(part)
    return files, n
