"""A district at benchmark scale: about ``scale × 10,000`` cases, vectorised, no ground truth.

``generate_scale(out_dir, scale, seed)`` writes ``out_dir/landing/<source>/...`` with the
same reference world and the same background cases as the demo (``synthetic.world`` and
``synthetic.background``: accepted within 0–2 working days, completed inside the
promised limit, corrections, lawful suspensions, refusals, returns, withdrawals), plus
every other source of the contract in proportion to the cases. It does not plant rule
violations and does not compute a ground truth: that per-case Python evaluation is what
makes ``generate_district`` too slow for millions of cases. Use the demo for correctness
and this for volume (``searchlight demo --scale N --bench``, ``bench/run.py``).

Exports, as platforms send them:
  * cases and case_events: CSV, one file per month for January to May 2026 and one file
    per day for June 2026 (``cases_2026-03.csv``, ``cases_2026-06-17.csv``). Each export
    carries, for every case that changed in its period, the state at its last change, so
    a case has up to three versions (submitted, accepted, ended) in different files.
  * reviews, hotline_tickets, qr_feedback, subsidy_payments: CSV split the same way by
    their own timestamp; the smaller sources one file each; departments as XLSX and
    items as GBK CSV, as in the demo.

The applicant pool is capped at 700,000 residents and 200,000 enterprises (a district's
population; larger scales mean more cases per applicant, not more people). Cases are
generated in chunks of ``CHUNK`` with one random stream per chunk, so memory stays flat
and the same seed and scale give the same files.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ingest.sources import SOURCES
from synthetic import names
from synthetic.background import background_cases, random_hours
from synthetic.case_exports import EVENT_NOTES, EVENT_ORDER
from synthetic.clock import AS_OF, PERIOD_START, default_clock
from synthetic.world import District
from synthetic.writers import file_headers, write_reference_files

CHUNK = 500_000
DAILY_FROM = date(2026, 6, 1)  # exports before this are monthly, from it daily
APPLICANT_CAP = 1_000_000  # District draws 0.7 × this residents and 0.2 × enterprises
CHINESE_HEADER_FROM_MONTH = 4  # cases files from April on use the Chinese column titles

# Rows of the other sources per case (or fixed counts), chosen to look like a district.
PER_CASE = {"reviews": 0.35, "hotline_tickets": 0.05, "qr_feedback": 0.01,
            "subsidy_payments": 0.25, "deaths": 0.003, "reception_expenses": 0.002,
            "tenders": 0.002, "key_projects": 0.0002}
BIDS_PER_TENDER = (2, 7)  # uniform, high exclusive
MILESTONES = ("立项", "开工", "主体完工", "竣工验收")


@dataclass
class ScaleManifest:
    out_dir: Path
    landing: Path
    as_of: date
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    seconds: float = 0.0


# --------------------------------------------------------------------------- buckets

def bucket_codes(t: np.ndarray) -> np.ndarray:
    """Export period of each timestamp: yyyymm before DAILY_FROM, yyyymmdd from it; -1 NaT."""
    d = t.astype("datetime64[D]")
    nat = np.isnat(d)
    m = d.astype("datetime64[M]")
    y = m.astype(int) // 12 + 1970
    mo = m.astype(int) % 12 + 1
    dd = (d - m.astype("datetime64[D]")).astype(int) + 1
    daily = d >= np.datetime64(DAILY_FROM)
    code = np.where(daily, y * 10000 + mo * 100 + dd, y * 100 + mo)
    return np.where(nat, -1, code)


def bucket_name(code: int) -> str:
    s = str(code)
    return f"{s[:4]}-{s[4:6]}" + (f"-{s[6:]}" if len(s) == 8 else "")


def bucket_month(code: int) -> int:
    return int(str(code)[4:6])


# --------------------------------------------------------------------------- writing

class Writers:
    """One open CSV writer per (source, export period); chunks append to them."""

    def __init__(self, landing: Path):
        self.landing = landing
        self.open: dict[tuple[str, str], tuple[pacsv.CSVWriter, list[str]]] = {}
        self.rows: dict[str, int] = {}
        self.files: dict[str, set[str]] = {}

    def write(self, source: str, stem: str, table: pa.Table,
              headers: dict[str, str] | None = None) -> None:
        key = (source, stem)
        if key not in self.open:
            path = self.landing / source / f"{stem}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            names_ = [(headers or {}).get(n, n) for n in table.column_names]
            schema = pa.schema([pa.field(h, f.type) for h, f in zip(names_, table.schema)])
            self.open[key] = (pacsv.CSVWriter(str(path), schema), names_)
            self.files.setdefault(source, set()).add(path.name)
        writer, header = self.open[key]
        writer.write_table(table.rename_columns(header))
        self.rows[source] = self.rows.get(source, 0) + table.num_rows

    def write_split(self, source: str, table: pa.Table, codes: np.ndarray,
                    headers: Callable[[int], dict[str, str] | None] = lambda c: None) -> None:
        """Rows into the file of their export period (codes: bucket_codes of each row)."""
        if len(codes) > 1 and (np.diff(codes) < 0).any():
            order = np.argsort(codes, kind="stable")
            table, codes = table.take(pa.array(order)), codes[order]
        uniq, starts = np.unique(codes, return_index=True)
        ends = [*starts[1:], len(codes)]
        for code, lo, hi in zip(uniq, starts, ends):
            self.write(source, f"{source}_{bucket_name(int(code))}", table.slice(lo, hi - lo),
                       headers(int(code)))

    def close(self) -> None:
        for w, _ in self.open.values():
            w.close()
        self.open.clear()


def _table(source: str, cols: dict[str, object]) -> pa.Table:
    """The contract's columns of a source, in order; missing ones empty."""
    n = len(next(iter(cols.values())))
    arrays, out_names = [], []
    for c in SOURCES[source].columns:
        v = cols.get(c.name)
        if v is None:
            arrays.append(pa.nulls(n, pa.string()))
        elif isinstance(v, pa.Array | pa.ChunkedArray):
            arrays.append(v)
        elif isinstance(v, pd.Series):  # arrow-backed already: no round trip through numpy
            a = pa.array(v, from_pandas=True)
            if pa.types.is_timestamp(a.type):
                a = a.cast(pa.timestamp("s"))
            elif pa.types.is_integer(a.type):
                a = a.cast(pa.int64())
            elif pa.types.is_large_string(a.type) or pa.types.is_null(a.type):
                a = a.cast(pa.string())
            arrays.append(a)
        else:
            arr = np.asarray(v)
            if arr.dtype.kind == "M":
                arrays.append(pa.array(arr.astype("datetime64[s]"), pa.timestamp("s")))
            elif arr.dtype.kind in "iu":
                arrays.append(pa.array(arr, pa.int64()))
            elif arr.dtype.kind == "f":
                arrays.append(pa.array(arr, pa.float64(), from_pandas=True))
            else:
                arrays.append(pa.array(arr.astype(object), pa.string(), from_pandas=True))
        out_names.append(c.name)
    return pa.table(arrays, names=out_names)


def _ids(prefix: str, chunk: int, n: int, width: int = 7) -> pa.Array:
    nums = pc.utf8_lpad(pc.cast(pa.array(np.arange(n)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix + f"{chunk:04d}", nums, "")


def _headers(source: str, chinese: bool) -> dict[str, str] | None:
    return file_headers(source, chinese=True) if chinese else None


# --------------------------------------------------------------------------- cases

def _case_ids(sub_t: np.ndarray, day_counter: dict[int, int]) -> np.ndarray:
    """region + submission date + running number of the day (7 digits), across chunks."""
    day = sub_t.astype("datetime64[D]")
    order = np.argsort(day, kind="stable")
    sd = day[order]
    uniq, starts, counts = np.unique(sd, return_index=True, return_counts=True)
    rank = np.arange(len(sd)) - np.repeat(starts, counts)
    offset = np.array([day_counter.get(int(u.astype(int)), 0) for u in uniq])
    running = np.empty(len(sd), dtype=np.int64)
    running[order] = rank + np.repeat(offset, counts) + 1
    for u, c in zip(uniq, counts):
        day_counter[int(u.astype(int))] = day_counter.get(int(u.astype(int)), 0) + int(c)
    ymd = pc.utf8_replace_slice(pc.cast(pa.array(day), pa.string()), 4, 5, "")
    ymd = pc.utf8_replace_slice(ymd, 6, 7, "")
    run = pc.utf8_lpad(pc.cast(pa.array(running), pa.string()), 7, "0")
    return pc.binary_join_element_wise(names.REGION_CODE, ymd, run, "").to_numpy(
        zero_copy_only=False).astype(object)


def _versions(cases: pd.DataFrame) -> pd.DataFrame:
    """Versions per export period: the state at submission, acceptance and end."""
    sub = cases["submitted_at"].to_numpy()
    mid = cases["t_mid"].to_numpy()
    end = cases["t_end"].to_numpy()
    b_sub, b_mid, b_end = bucket_codes(sub), bucket_codes(mid), bucket_codes(end)
    has_mid, has_end = b_mid >= 0, b_end >= 0
    nxt = np.where(has_mid, b_mid, b_end)
    emit_sub = (nxt < 0) | (nxt != b_sub)
    emit_mid = has_mid & (~has_end | (b_end != b_mid))

    parts = []
    v = cases[emit_sub].copy()
    v["bucket"], v["updated_at"] = b_sub[emit_sub], v["submitted_at"]
    v["accepted_at"] = v["completed_at"] = pd.NaT
    v["handler_staff_id"] = v["approver_staff_id"] = v["result"] = None
    v["status"] = "已申请"
    parts.append(v)
    v = cases[emit_mid].copy()
    v["bucket"], v["updated_at"] = b_mid[emit_mid], v["t_mid"]
    ends = has_end[emit_mid]
    v.loc[ends, "status"] = "已受理"
    v.loc[ends, "completed_at"] = pd.NaT
    v.loc[ends, ["approver_staff_id", "result"]] = None
    parts.append(v)
    v = cases[has_end].copy()
    v["bucket"], v["updated_at"] = b_end[has_end], v["t_end"]
    parts.append(v)
    out = pd.concat(parts, ignore_index=True)
    out = out.iloc[np.argsort(out["bucket"].to_numpy(), kind="stable")].reset_index(drop=True)
    for c in ("accepted_at", "completed_at", "updated_at"):
        out[c] = out[c].astype("datetime64[s]")
    return out


def _events(events: pd.DataFrame, case_ids: np.ndarray) -> pd.DataFrame:
    ev = events
    order_code = ev["event_type"].map(EVENT_ORDER).to_numpy()
    key = ev["key"].to_numpy()
    at = ev["event_at"].to_numpy().astype("datetime64[s]")
    order = np.lexsort((order_code, at, key))
    key, at = key[order], at[order]
    starts = np.r_[0, np.flatnonzero(np.diff(key)) + 1]
    counts = np.diff(np.r_[starts, len(key)])
    seq = np.arange(len(key)) - np.repeat(starts, counts) + 1
    etype = ev["event_type"].to_numpy()[order]
    proc = ev["procedure_type"].to_numpy()[order]
    note = pd.Series(etype).map(EVENT_NOTES).to_numpy(dtype=object)
    is_ss = etype == "SUSPEND_START"
    note[is_ss] = "进入特别程序：" + pd.Series(proc[is_ss]).fillna("（未注明）").to_numpy(dtype=object)
    return pd.DataFrame({"case_id": case_ids[key], "seq": seq, "event_type": etype,
                         "event_at": at, "staff_id": ev["staff_id"].to_numpy()[order],
                         "procedure_type": proc, "note": note})


# --------------------------------------------------------------------------- the others

END_OF_AS_OF = np.datetime64(datetime.combine(AS_OF, datetime.max.time()), "s")
PERIOD_START_S = np.datetime64(PERIOD_START, "s")


def _uniform_times(rng, n: int, lo_h: float = 8.0, hi_h: float = 20.0) -> np.ndarray:
    days = (AS_OF - PERIOD_START).days + 1
    d = PERIOD_START_S + (rng.integers(0, days, n) * 86400).astype("timedelta64[s]")
    return d + rng.integers(int(lo_h * 3600), int(hi_h * 3600), n).astype("timedelta64[s]")


def _until_as_of(t: np.ndarray) -> np.ndarray:
    """NaT for the times after the end of as_of (not happened yet)."""
    return np.where(t <= END_OF_AS_OF, t, np.datetime64("NaT", "s"))


def _chunk_others(rng, chunk: int, cases: pd.DataFrame, world, writers: Writers,
                  staff_ids: np.ndarray, programs: pd.DataFrame) -> None:
    """Reviews, tickets, QR feedback, payments, deaths, expenses, tenders, projects."""
    n = len(cases)
    # reviews: of completed cases, by the applicant, soon after completion
    done = cases[cases["completed_at"].notna()]
    pick = done[rng.random(len(done)) < PER_CASE["reviews"] / 0.85]
    k = len(pick)
    if k:
        rating = rng.choice(np.array([5, 4, 3, 2, 1]), k, p=[.78, .15, .04, .02, .01])
        at = pick["completed_at"].to_numpy().astype("datetime64[s]") + random_hours(rng, k, .2, 72)
        keep = at <= END_OF_AS_OF
        bad = rating <= 2
        rect = _until_as_of(at + random_hours(rng, k, 24, 24 * 20))
        online = pick["window_id"].isna().to_numpy()
        device = np.where(online, "APP-" + pd.Series(rng.integers(0, 10**6, k)).astype(str)
                          .str.zfill(6).to_numpy(dtype=object),
                          "PJQ-" + pick["window_id"].fillna("").to_numpy(dtype=object))
        t = _table("reviews", {
            "review_id": _ids("PJ", chunk, k),
            "case_id": pick["case_id"].to_numpy(dtype=object),
            "window_id": pick["window_id"].to_numpy(dtype=object),
            "staff_id": pick["handler_staff_id"].to_numpy(dtype=object),
            "rating": rating, "reviewed_at": at,
            "reviewer_phone": np.where(rng.random(k) < .8,
                                       pick["applicant_phone"].to_numpy(dtype=object), None),
            "device_id": device,
            "comment": rng.choice(np.array(["办事效率高", "窗口服务热情", "流程清楚", "等候时间长",
                                            "材料要求反复变"], dtype=object), k),
            "rectified_at": np.where(bad, rect, np.datetime64("NaT", "s")),
            "reply": np.where(bad & ~np.isnat(rect), "已核实并整改", None),
        }).filter(pa.array(keep))
        writers.write_split("reviews", t, bucket_codes(
            t["reviewed_at"].to_numpy().astype("datetime64[s]")),
            lambda c: _headers("reviews", True))

    depts = np.array([d["dept_code"] for d in world.depts], dtype=object)
    windows = np.array([w["window_id"] for w in world.windows], dtype=object)
    phones = world.person_phones

    k = int(n * PER_CASE["hotline_tickets"])
    if k:
        created = _uniform_times(rng, k, 0, 24)
        closed = _until_as_of(created + random_hours(rng, k, 2, 24 * 12))
        t = _table("hotline_tickets", {
            "ticket_id": _ids("GD", chunk, k), "created_at": created,
            "category": rng.choice(np.array(["投诉", "举报", "求助", "咨询", "建议"], dtype=object),
                                   k, p=[.3, .05, .15, .4, .1]),
            "dept_code": rng.choice(depts, k), "caller_phone": rng.choice(phones, k),
            "address": rng.choice(np.array(names.STREETS, dtype=object), k),
            "subject": rng.choice(np.array(["办事排队时间长", "噪音扰民", "占道经营", "证照办理咨询",
                                            "物业纠纷"], dtype=object), k),
            "deadline_at": created + np.timedelta64(7, "D"),
            "responded_at": _until_as_of(created + random_hours(rng, k, .1, 20)),
            "closed_at": closed,
            "satisfaction": pa.array(np.where(np.isnat(closed), None, rng.integers(1, 6, k)),
                                     pa.int64()),
        })
        writers.write_split("hotline_tickets", t, bucket_codes(created))

    k = int(n * PER_CASE["qr_feedback"])
    if k:
        sub = _uniform_times(rng, k)
        handled = _until_as_of(sub + random_hours(rng, k, 2, 24 * 8))
        t = _table("qr_feedback", {
            "feedback_id": _ids("QR", chunk, k), "window_id": rng.choice(windows, k),
            "submitted_at": sub,
            "category": rng.choice(np.array(["态度", "拖延", "吃拿卡要", "多次跑", "其他"],
                                            dtype=object), k, p=[.35, .3, .01, .2, .14]),
            "content": np.full(k, "扫码反馈", dtype=object), "contact_phone": rng.choice(phones, k),
            "handled_at": handled, "result": np.where(np.isnat(handled), None, "已回复"),
        })
        writers.write_split("qr_feedback", t, bucket_codes(sub))

    k = int(n * PER_CASE["subsidy_payments"])
    if k:
        p = rng.integers(0, len(world.person_ids), k)
        prog = rng.integers(0, len(programs), k)
        paid = _uniform_times(rng, k, 9, 17)
        label = pd.Series(paid.astype("datetime64[M]")).dt.strftime("%Y-%m").to_numpy(dtype=object)
        cap = programs["max_amount_per_period"].to_numpy()[prog]
        t = _table("subsidy_payments", {
            "payment_id": _ids("FF", chunk, k),
            "program_code": programs["program_code"].to_numpy(dtype=object)[prog],
            "recipient_id": world.person_ids[p].astype(object),
            "recipient_name": world.person_names[p].astype(object),
            "village": rng.choice(np.array(names.STREETS, dtype=object), k),
            "bank_account": ("6217" + pd.Series(p).astype(str).str.zfill(15)).to_numpy(dtype=object),
            "amount": np.round(cap * rng.uniform(.5, 1.0, k), 2), "period_label": label,
            "paid_at": paid, "handled_by_staff_id": rng.choice(staff_ids, k),
        })
        writers.write_split("subsidy_payments", t, bucket_codes(paid))

    k = int(n * PER_CASE["deaths"])
    if k:
        death = _uniform_times(rng, k, 0, 24)
        t = _table("deaths", {
            "person_id": rng.choice(world.person_ids, k).astype(object),
            "death_date": death.astype("datetime64[D]").astype("datetime64[s]"),
            "registered_at": _until_as_of(death + random_hours(rng, k, 24, 24 * 10)),
        })
        # dates are written as plain days
        t = t.set_column(1, "death_date", pc.strftime(t["death_date"], "%Y-%m-%d"))
        writers.write("deaths", f"deaths_{chunk:04d}", t.filter(
            pc.invert(pc.is_null(t["registered_at"]))), _headers("deaths", True))

    k = int(n * PER_CASE["reception_expenses"])
    if k:
        guests = rng.integers(2, 12, k)
        t = _table("reception_expenses", {
            "expense_id": _ids("JD", chunk, k), "dept_code": rng.choice(depts, k),
            "occurred_on": pc.strftime(pa.array(_uniform_times(rng, k), pa.timestamp("s")),
                                       "%Y-%m-%d"),
            "amount": np.round(guests * rng.uniform(40, 140, k), 2), "guests": guests,
            "companions": rng.integers(1, 4, k),
            "venue_type": rng.choice(np.array(["机关食堂", "定点饭店", "其他"], dtype=object), k),
            "invoice_no": _ids("FP", chunk, k, 8), "approved_by_staff_id": rng.choice(staff_ids, k),
        })
        writers.write("reception_expenses", f"reception_expenses_{chunk:04d}", t,
                      _headers("reception_expenses", True))

    k = int(n * PER_CASE["tenders"])
    if k:
        pub = _uniform_times(rng, k, 9, 17)
        proc = rng.choice(np.array(["公开招标", "邀请招标", "竞争性谈判", "询价"], dtype=object),
                          k, p=[.6, .15, .15, .1])
        est = np.round(rng.uniform(2e5, 8e6, k), 2)
        tender_ids = _ids("ZB", chunk, k)
        t = _table("tenders", {
            "tender_id": tender_ids, "buyer_dept_code": rng.choice(depts, k),
            "project_name": rng.choice(np.array(["办公设备采购", "道路维修工程", "信息化运维服务",
                                                 "物业服务"], dtype=object), k),
            "procedure_type": proc, "ceiling_price": est, "estimated_value": est,
            "published_at": pub, "bid_deadline_at": pub + np.timedelta64(21, "D"),
            "is_key_project": np.where(rng.random(k) < .1, "是", "否").astype(object),
        })
        writers.write("tenders", f"tenders_{chunk:04d}", t, _headers("tenders", True))
        nb = rng.integers(*BIDS_PER_TENDER, k)
        ti = np.repeat(np.arange(k), nb)
        m = len(ti)
        firms = world.firm_ids
        t = _table("bids", {
            "tender_id": tender_ids.take(pa.array(ti)),
            "bidder_uscc": rng.choice(firms, m).astype(object),
            "bid_price": np.round(est[ti] * rng.uniform(.85, .99, m), 2),
            "submitted_at": pub[ti] + random_hours(rng, m, 24, 24 * 20),
            "file_ip": ("10." + pd.Series(rng.integers(0, 255, m)).astype(str) + "."
                        + pd.Series(rng.integers(0, 255, m)).astype(str) + ".1"
                        ).to_numpy(dtype=object),
            "file_creator_id": _ids("JQM", chunk, m, 8),
        })
        writers.write("bids", f"bids_{chunk:04d}", t)
        won = rng.random(k) < .9
        awarded = pub + np.timedelta64(25, "D")
        win = rng.choice(firms, k).astype(object)
        t = _table("awards", {
            "tender_id": tender_ids, "winner_uscc": win,
            "award_price": np.round(est * .93, 2), "awarded_at": awarded,
            "contract_signed_at": _until_as_of(awarded + np.timedelta64(7, "D")),
        }).filter(pa.array(won & (awarded <= END_OF_AS_OF)))
        writers.write("awards", f"awards_{chunk:04d}", t, _headers("awards", True))

    k = max(int(n * PER_CASE["key_projects"]), 1)
    planned0 = PERIOD_START_S + (rng.integers(0, 120, k) * 86400).astype("timedelta64[s]")
    ms = len(MILESTONES)
    pi = np.repeat(np.arange(k), ms)
    planned = planned0[pi] + (np.tile(np.arange(ms), k) * 45 * 86400).astype("timedelta64[s]")
    done = planned + (rng.integers(-10, 60, k * ms) * 86400).astype("timedelta64[s]")
    done = np.where(done <= END_OF_AS_OF, done, np.datetime64("NaT", "s"))
    day = lambda a: pc.strftime(pa.array(a, pa.timestamp("s")), "%Y-%m-%d")
    t = _table("key_projects", {
        "project_id": _ids("XM", chunk, k).take(pa.array(pi)),
        "project_name": np.full(k * ms, "重点民生项目", dtype=object),
        "dept_code": rng.choice(depts, k)[pi],
        "milestone": np.tile(np.array(MILESTONES, dtype=object), k),
        "planned_on": day(planned), "completed_on": day(done),
    })
    writers.write("key_projects", f"key_projects_{chunk:04d}", t, _headers("key_projects", True))


def _static_others(rng, world, writers: Writers, landing: Path) -> pd.DataFrame:
    """subsidy_programs, enterprises, enterprise_persons, staff_relatives (one file each)."""
    programs = pd.DataFrame({
        "program_code": [f"BT{i:03d}" for i in range(1, 9)],
        "program_name": ["城乡低保", "特困供养", "高龄津贴", "残疾人两项补贴", "耕地地力保护补贴",
                         "临时救助", "优抚对象补助", "孤儿基本生活费"],
        "max_amount_per_period": [780.0, 1200.0, 200.0, 150.0, 1500.0, 3000.0, 2000.0, 1800.0],
        "period": ["月", "月", "月", "月", "年", "月", "季", "月"],
    })
    writers.write("subsidy_programs", "subsidy_programs_2026",
                  _table("subsidy_programs", {c: programs[c].to_numpy() for c in programs}),
                  _headers("subsidy_programs", True))
    k = len(world.firm_ids)
    reg = (np.datetime64("2005-01-01", "s")
           + (rng.integers(0, 7300, k) * 86400).astype("timedelta64[s]"))
    rep = rng.integers(0, len(world.person_ids), k)
    writers.write("enterprises", "enterprises_2026", _table("enterprises", {
        "uscc": world.firm_ids.astype(object), "name": world.firm_names.astype(object),
        "legal_rep_id": world.person_ids[rep].astype(object),
        "registered_at": pc.strftime(pa.array(reg, pa.timestamp("s")), "%Y-%m-%d"),
        "contact_phone": world.firm_phones.astype(object)}), _headers("enterprises", True))
    m = 2 * k
    fi = np.repeat(np.arange(k), 2)
    writers.write("enterprise_persons", "enterprise_persons_2026", _table("enterprise_persons", {
        "uscc": world.firm_ids[fi].astype(object),
        "person_id": np.where(np.arange(m) % 2 == 0, world.person_ids[rep[fi]],
                              rng.choice(world.person_ids, m)).astype(object),
        "role": np.where(np.arange(m) % 2 == 0, "法定代表人", "股东").astype(object),
        "share_ratio": np.round(rng.uniform(.05, .6, m), 4)}),
        _headers("enterprise_persons", True))
    staff = pd.DataFrame(world.staff)
    si = np.repeat(np.arange(len(staff)), 2)
    writers.write("staff_relatives", "staff_relatives_2026", _table("staff_relatives", {
        "staff_id": staff["staff_id"].to_numpy(dtype=object)[si],
        "relative_id": rng.choice(world.person_ids, len(si)).astype(object),
        "relation": rng.choice(np.array(["配偶", "子女", "父母", "兄弟姐妹"], dtype=object), len(si)),
    }), _headers("staff_relatives", True))
    return programs


# --------------------------------------------------------------------------- main

def generate_scale(out_dir: Path | str, scale: float, seed: int = 7,
                   progress: Callable[[str], None] | None = None) -> ScaleManifest:
    """Write out_dir/landing for about scale × 10,000 cases; see the module docstring."""
    start = time.perf_counter()
    out_dir = Path(out_dir)
    landing = out_dir / "landing"
    if landing.exists():
        shutil.rmtree(landing)
    landing.mkdir(parents=True)
    target = max(round(scale * 10_000), 1)
    rng = np.random.default_rng(seed)
    clock = default_clock()
    world = District(rng, min(target, APPLICANT_CAP))
    write_reference_files(landing, world)
    writers = Writers(landing)
    staff_ids = np.array([s["staff_id"] for s in world.staff], dtype=object)
    programs = _static_others(rng, world, writers, landing)

    day_counter: dict[int, int] = {}
    case_headers = {m: _headers("cases", m >= CHINESE_HEADER_FROM_MONTH) for m in range(1, 13)}
    n_chunks = -(-target // CHUNK)
    for chunk in range(n_chunks):
        n = min(CHUNK, target - chunk * CHUNK)
        crng = np.random.default_rng([seed, 1000 + chunk])
        cases, events = background_cases(crng, n, world, clock)
        for c in ("submitted_at", "accepted_at", "completed_at", "t_mid", "t_end"):
            cases[c] = cases[c].astype("datetime64[s]")
        case_ids = _case_ids(cases["submitted_at"].to_numpy(), day_counter)
        cases["case_id"] = case_ids
        versions = _versions(cases)
        vt = _table("cases", {c: versions[c] for c in SOURCES["cases"].column_names})
        writers.write_split("cases", vt, versions["bucket"].to_numpy(),
                            lambda code: case_headers[bucket_month(code)])
        ev = _events(events, case_ids)
        ev = ev.iloc[np.argsort(bucket_codes(ev["event_at"].to_numpy()), kind="stable")]
        et = _table("case_events", {c: ev[c] for c in ev.columns})
        writers.write_split("case_events", et, bucket_codes(ev["event_at"].to_numpy()))
        _chunk_others(crng, chunk, cases, world, writers, staff_ids, programs)
        if progress:
            progress(f"chunk {chunk + 1}/{n_chunks}: {n:,} cases, {len(versions):,} versions, "
                     f"{len(ev):,} events ({time.perf_counter() - start:.0f} s)")
        del cases, events, versions, vt, ev, et
    writers.close()

    manifest = ScaleManifest(out_dir=out_dir, landing=landing, as_of=AS_OF,
                             cases=target, seconds=time.perf_counter() - start)
    manifest.rows = dict(writers.rows)
    manifest.rows.update(departments=len(world.depts), items=len(world.items),
                         staff=len(world.staff), windows=len(world.windows))
    manifest.files = {s: len(list((landing / s).iterdir())) for s in sorted(
        p.name for p in landing.iterdir())}
    return manifest
