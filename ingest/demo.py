"""The synthetic demo district: landing files plus the alerts every rule must raise on them.

``generate_district(out_dir, scale, seed)`` writes

    out_dir/landing/<source>/...     contract files, in the formats platforms really send
    out_dir/ground_truth.json        as_of, the exact alerts of all 37 rules, quarantined row
                                     counts, and the planted scenarios (what each is for)

This module builds the case slice (T01–T09, and the F family's planted cases through the
same planter); every other family plugs in through ``ingest.demo_family`` (plant rows
into the finished district, then evaluate its rules on the combined rows).

About ``scale × 10,000`` cases are handled in the first half of 2026. The bulk are clean
background cases generated with numpy (accepted within 0–2 working days, completed well
inside the promised limit, at most one correction notice, short lawful suspensions only);
on top of them a fixed set of planted cases puts, for every rule T01–T09, violations and
near-threshold non-violations side by side, many of them across the 2026 holidays and
make-up working days.

The ground truth is computed by ``evaluate_t_rules``: a plain-Python reading of
contract/rules.md applied to the generated versions and events (independent of the dbt
SQL). It is applied to every case, planted or not, so it lists everything the data implies;
the generator then checks that each planted case fires exactly the rules it was planted
for and that background cases fire nothing, and fails loudly if not.

Same seed and scale give the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ingest import demo_names as names
from ingest.demo_family import (
    CasePlant,
    DemoContext,
    FreshPeople,
    check_planted,
    families,
    write_source,
)
from ingest.sources import LAWFUL_PROCEDURES, SOURCES

AS_OF = date(2026, 6, 30)
PERIOD_START = date(2026, 1, 1)
# Stage changes at or after this moment miss the June monthly export and arrive in the
# later re-export file.
REEXPORT_FROM = datetime(2026, 6, 30, 12, 0, 0)
REEXPORT_BUCKET = 7
T_RULES = tuple(f"T0{i}" for i in range(1, 10))
SEVERITY = {"T01": "red", "T02": "yellow", "T03": "info", "T04": "yellow", "T05": "yellow",
            "T06": "yellow", "T07": "yellow", "T08": "info", "T09": "red"}
EXTENSION_DAYS = 10
SUSPENSION_CAP_DAYS = 30
PRE_ACCEPTANCE_DAYS = 5
OPEN_STATUSES = ("已申请", "已受理", "办理中")
INSTANT, PROMISED = "即办件", "承诺件"
CALENDAR_DAYS = "自然日"

CASE_COLUMNS = SOURCES["cases"].column_names
EVENT_COLUMNS = SOURCES["case_events"].column_names
CASE_TS = ("submitted_at", "accepted_at", "completed_at", "updated_at")

# --------------------------------------------------------------------------- identifiers

RID_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2))
RID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code (chars 9–17 of a USCC)


def resident_id_check(first17: str) -> str:
    return RID_CHECK[sum(int(c) * w for c, w in zip(first17, RID_WEIGHTS)) % 11]


def is_valid_resident_id(value: str) -> bool:
    v = value.strip().upper()
    return (len(v) == 18 and v[:17].isdigit() and v[17] in "0123456789X"
            and resident_id_check(v[:17]) == v[17])


def credit_code_check(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(value: str) -> bool:
    v = value.strip().upper()
    return (len(v) == 18 and all(c in USCC_ALPHABET for c in v)
            and credit_code_check(v[:17]) == v[17])


def _org_code(body8: str) -> str:
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, ORG_WEIGHTS))
    check = 11 - total % 11
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def _credit_code(kind: str, region: str, body8: str) -> str:
    first17 = kind + region + _org_code(body8)
    return first17 + credit_code_check(first17)


def _resident_ids(rng: np.random.Generator, n: int, born_from: date, born_to: date) -> np.ndarray:
    """n distinct valid resident IDs (vectorised checksum)."""
    m = int(n * 1.2) + 10
    region = rng.choice(np.array(names.BIRTH_REGIONS), m)
    span = (born_to - born_from).days
    birth = (np.datetime64(born_from) + rng.integers(0, span, m).astype("timedelta64[D]"))
    birth_s = np.char.replace(np.datetime_as_string(birth, unit="D"), "-", "")
    seq = np.char.zfill(rng.integers(0, 1000, m).astype(str), 3)
    body = np.char.add(np.char.add(region, birth_s), seq)
    digits = (np.frombuffer(body.astype("S17").tobytes(), dtype=np.uint8).reshape(m, 17) - 48)
    check = np.array(list(RID_CHECK))[(digits @ RID_WEIGHTS) % 11]
    ids = np.char.add(body, check)
    _, first = np.unique(ids, return_index=True)
    return ids[np.sort(first)][:n]


def _person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    sur = rng.choice(np.array(list(names.SURNAMES)), n)
    chars = np.array(list(names.GIVEN_CHARS))
    g1 = rng.choice(chars, n)
    g2 = np.where(rng.random(n) < 0.7, rng.choice(chars, n), "")
    return np.char.add(np.char.add(sur, g1), g2)


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    second = rng.choice(np.array(list("3456789")), n)
    rest = np.char.zfill(rng.integers(0, 10**9, n).astype(str), 9)
    return np.char.add(np.char.add("1", second), rest)


def _credit_codes(rng: np.random.Generator, n: int, kind: str = "91") -> list[str]:
    alphabet = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    tails = rng.choice(alphabet, (n, 6))
    out, seen = [], set()
    for i in range(n):
        code = _credit_code(kind, names.REGION_CODE, "MA" + "".join(tails[i]))
        if code in seen:
            code = _credit_code(kind, names.REGION_CODE, "MB" + "".join(tails[i]))
        seen.add(code)
        out.append(code)
    return out


# --------------------------------------------------------------------------- the clock


class Clock:
    """workdays() and friends over 2025–2026 from an is_workday(day) function."""

    def __init__(self, is_workday: Callable[[date], bool],
                 lo: date = date(2025, 1, 1), hi: date = date(2026, 12, 31)):
        self.lo = lo
        n = (hi - lo).days + 1
        self.days = [lo + timedelta(i) for i in range(n)]
        self.flags = np.array([bool(is_workday(d)) for d in self.days])
        self.cum = np.cumsum(self.flags)

    def _i(self, d: date) -> int:
        i = (d - self.lo).days
        if not 0 <= i < len(self.days):
            raise ValueError(f"{d} is outside the demo calendar (2025–2026)")
        return i

    def is_workday(self, d: date) -> bool:
        return bool(self.flags[self._i(d)])

    def workdays(self, a: date, b: date) -> int:
        """Working days d with a < d <= b (0 when b <= a)."""
        return int(self.cum[self._i(b)] - self.cum[self._i(a)]) if b > a else 0

    def after(self, d: date, n: int) -> date:
        """The n-th working day after d (n >= 1); d itself when n == 0."""
        if n == 0:
            return d
        i = self._i(d)
        target = self.cum[i] + n
        return self.days[int(np.searchsorted(self.cum, target))]

    def before(self, d: date, n: int) -> date:
        """The working day w with workdays(w, d) == n (d a working day)."""
        i = self._i(d)
        target = self.cum[i] - n
        return self.days[int(np.searchsorted(self.cum, target))]


def _default_clock() -> Clock:
    from ingest.calendar import is_workday  # the project's China calendar

    return Clock(is_workday)


# --------------------------------------------------------------------------- the rules


def _count(unit: str | None, clock: Clock, a: datetime, b: datetime) -> int:
    if unit == CALENDAR_DAYS:
        return max((b.date() - a.date()).days, 0)
    return clock.workdays(a.date(), b.date())


def evaluate_t_rules(versions: Iterable[dict], events: dict[str, list[dict]],
                     items: dict[str, dict], as_of: date, clock: Clock
                     ) -> dict[str, dict[str, str]]:
    """Rules T01–T09 of contract/rules.md, read literally, on loaded data.

    versions: every loaded version of every case (keys: the case columns, timestamps as
    datetime or None, plus ``_file`` — the export file name, for ordering ties).
    events: case_id -> event dicts (seq, event_type, event_at, procedure_type).
    items: item_code -> dict(item_type, statutory_limit_days, promised_limit_days, limit_unit).
    Returns rule -> {case_id: severity}.
    """
    alerts: dict[str, dict[str, str]] = {r: {} for r in T_RULES}
    by_case: dict[str, list[dict]] = defaultdict(list)
    for v in versions:
        by_case[v["case_id"]].append(v)
    for cid in sorted(by_case):
        history = sorted(by_case[cid], key=lambda v: (v["updated_at"], v["_file"]))
        evs = sorted(events.get(cid, []), key=lambda e: e["seq"])
        item = items.get(history[-1]["item_code"])
        for rule in _case_rules(history, evs, item, as_of, clock):
            alerts[rule][cid] = SEVERITY[rule]
    return alerts


def _case_rules(history: list[dict], evs: list[dict], item: dict | None, as_of: date,
                clock: Clock) -> set[str]:
    """The T rules one case fires; history is ordered oldest first, evs by seq."""
    fired: set[str] = set()
    case = history[-1]  # the current version
    end_of_as_of = datetime.combine(as_of, time(23, 59, 59, 999999))
    sub, acc, comp = case["submitted_at"], case["accepted_at"], case["completed_at"]
    is_open = case["status"] in OPEN_STATUSES and comp is None
    clock_end = comp if comp is not None else (end_of_as_of if is_open else None)
    unit = (item or {}).get("limit_unit") or "工作日"
    promised = case.get("promised_limit_days")
    if promised is None and item is not None:
        promised = item["promised_limit_days"]

    # Suspensions: each SUSPEND_START to the next SUSPEND_END (by seq), else the clock end.
    suspensions = []  # (start, end or None, lawful)
    for k, e in enumerate(evs):
        if e["event_type"] == "SUSPEND_START":
            end = next((f["event_at"] for f in evs[k + 1:] if f["event_type"] == "SUSPEND_END"),
                       clock_end)
            suspensions.append((e["event_at"], end, e.get("procedure_type") in LAWFUL_PROCEDURES))
    merged: list[list[datetime]] = []
    for s, e in sorted((s, e) for s, e, lawful in suspensions if lawful and e is not None):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])

    def suspended(lo: datetime | None, hi: datetime | None, u: str) -> int:
        total = 0
        for s, e in merged:
            s2 = max(s, lo) if lo is not None else s
            e2 = min(e, hi) if hi is not None else e
            if e2 > s2:
                total += _count(u, clock, s2, e2)
        return total

    def elapsed_at(t: datetime) -> int:
        return _count(unit, clock, acc, t) - suspended(acc, t, unit)

    # T01–T03: accepted 承诺件 with a clock end.
    if (item is not None and item["item_type"] == PROMISED and acc is not None
            and clock_end is not None):
        elapsed = elapsed_at(clock_end)
        statutory = item["statutory_limit_days"]
        if any(e["event_type"] == "EXTEND" for e in evs):
            statutory += EXTENSION_DAYS
        if elapsed > statutory:
            fired.add("T01")
        elif elapsed > promised:
            fired.add("T02")
        elif is_open and promised - elapsed <= max(1, -(-promised // 5)):
            fired.add("T03")

    # T04: abnormal suspension (suspensions counted by SUSPEND_START events).
    if suspensions:
        unlawful = any(not lawful for _, _, lawful in suspensions)
        lawful_days = suspended(acc, clock_end, "工作日")
        late = acc is not None and promised is not None and any(
            5 * elapsed_at(s) >= 4 * promised for s, _, _ in suspensions)
        if unlawful or lawful_days > SUSPENSION_CAP_DAYS or len(suspensions) >= 3 or late:
            fired.add("T04")

    # T05: instant item not handled at once.
    if (item is not None and item["item_type"] == INSTANT and acc is not None
            and ((comp is not None and comp.date() > acc.date())
                 or (is_open and as_of > acc.date()))):
        fired.add("T05")

    # T06: delay before acceptance (always working days).
    marks = [acc] + [e["event_at"] for e in evs
                     if e["event_type"] in ("ACCEPT", "REFUSE", "CORRECTION_NOTICE")]
    marks = [m for m in marks if m is not None]
    r = min(marks) if marks else (end_of_as_of if is_open else None)
    if r is not None and clock.workdays(sub.date(), r.date()) > PRE_ACCEPTANCE_DAYS:
        fired.add("T06")

    # T07: repeated correction requests.
    if sum(e["event_type"] == "CORRECTION_NOTICE" for e in evs) >= 2:
        fired.add("T07")

    # T08: off-hours operation of an offline case.
    if case["channel"] == "线下" and any(
            e["event_type"] in ("ACCEPT", "DECIDE")
            and (not clock.is_workday(e["event_at"].date())
                 or e["event_at"].time() < time(7, 0, 0)
                 or e["event_at"].time() > time(21, 0, 0))
            for e in evs):
        fired.add("T08")

    # T09: a version after the first one showing 已办结 changes a timestamp.
    stamps = ("submitted_at", "accepted_at", "completed_at")
    first = next((k for k, v in enumerate(history) if v["status"] == "已办结"), None)
    if first is not None:
        ref = tuple(history[first][c] for c in stamps)
        if any(tuple(v[c] for c in stamps) != ref for v in history[first + 1:]):
            fired.add("T09")
    return fired


# --------------------------------------------------------------------------- the manifest


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


# --------------------------------------------------------------------------- context

COMPLETED, OPEN, PENDING, REFUSED, RETURNED, WITHDRAWN_PRE, WITHDRAWN_POST = range(7)
EVENT_ORDER = {t: i for i, t in enumerate(
    ("SUBMIT", "CORRECTION_NOTICE", "CORRECTION_RECEIVED", "ACCEPT", "REFUSE", "SUSPEND_START",
     "SUSPEND_END", "EXTEND", "DECIDE", "COMPLETE", "RETURN", "WITHDRAW"))}
EVENT_NOTES = {"CORRECTION_NOTICE": "一次性告知需补正材料", "CORRECTION_RECEIVED": "补正材料已收齐",
               "SUSPEND_START": "进入特别程序", "SUSPEND_END": "特别程序结束",
               "EXTEND": "经本部门负责人批准延长", "REFUSE": "不符合受理条件",
               "RETURN": "申请材料不符合要求，予以退件", "WITHDRAW": "申请人主动撤回"}


class _District:
    """Departments, items, staff, windows, applicants: the reference world."""

    def __init__(self, rng: np.random.Generator, n_cases: int):
        region = names.REGION_CODE
        self.depts = []
        for k, (key, name) in enumerate(names.DEPARTMENTS):
            code = f"{region}{k:03d}"
            self.depts.append({"key": key, "dept_code": code, "dept_name": name,
                               "parent_code": None if k == 0 else f"{region}000",
                               "region_code": region})
        self.dept_by_key = {d["key"]: d for d in self.depts}

        cat_counter: dict[tuple[str, str], int] = defaultdict(int)
        self.items = []
        for (dkey, cat, name, itype, stat, prom, unit, basis, fee, who, weight) in names.ITEMS:
            dept = self.dept_by_key[dkey]
            cat_counter[(dkey, cat)] += 1
            code = f"{dept['dept_code']}{cat}{cat_counter[(dkey, cat)]:03d}"
            self.items.append({"item_code": code, "item_name": name,
                               "dept_code": dept["dept_code"], "item_type": itype,
                               "statutory_limit_days": stat, "promised_limit_days": prom,
                               "limit_unit": unit, "legal_basis": basis, "fee": fee,
                               "who": who, "weight": weight, "dept_key": dkey})
        self.item_by_name = {i["item_name"]: i for i in self.items}

        # Windows: one per department with items in the main hall, plus the street centres.
        item_depts = [d for d in self.depts if any(i["dept_code"] == d["dept_code"]
                                                   for i in self.items)]
        self.windows = []
        main_street = names.STREETS[0]
        for n, d in enumerate(item_depts, start=1):
            self.windows.append({"window_id": f"ZX{n:03d}", "hall_name": names.MAIN_HALL,
                                 "dept_code": d["dept_code"], "street": main_street})
        for s, street in enumerate(names.STREETS, start=1):
            for m, key in enumerate(names.STREET_DEPTS, start=1):
                hall = street.replace("街道", "街道便民服务中心").replace("镇", "镇便民服务中心")
                self.windows.append({"window_id": f"JD{s:02d}{m:02d}", "hall_name": hall,
                                     "dept_code": self.dept_by_key[key]["dept_code"],
                                     "street": street})
        self.windows_by_dept: dict[str, list[str]] = defaultdict(list)
        for w in self.windows:
            self.windows_by_dept[w["dept_code"]].append(w["window_id"])

        # Staff: every department; the ones with items get window, review and approval posts.
        volume = defaultdict(float)
        for i in self.items:
            volume[i["dept_code"]] += i["weight"]
        total = sum(volume.values())
        ids = _resident_ids(rng, 800, date(1966, 1, 1), date(2000, 12, 31))
        staff_names = _person_names(rng, len(ids))
        self.staff = []
        self.window_staff: dict[str, list[str]] = defaultdict(list)
        self.approvers: dict[str, list[str]] = defaultdict(list)
        p = 0
        for k, d in enumerate(self.depts):
            share = volume.get(d["dept_code"], 0) / total
            n_window = 0 if share == 0 else 2 + round(share * 40)
            if d["key"] in names.STREET_DEPTS:
                n_window += len(names.STREETS)
            posts = (["窗口受理"] * n_window + ["审核"] * (1 + (n_window > 6))
                     + ["审批"] * (1 + (n_window > 4)) + ["负责人"])
            for m, post in enumerate(posts, start=1):
                sid = f"G{k:02d}{m:03d}"
                self.staff.append({"staff_id": sid, "staff_name": str(staff_names[p]),
                                   "id_number": str(ids[p]), "dept_code": d["dept_code"],
                                   "post": post,
                                   "is_official": post != "窗口受理" or m % 3 != 0})
                p += 1
                if post == "窗口受理":
                    self.window_staff[d["dept_code"]].append(sid)
                elif post in ("审批", "负责人"):
                    self.approvers[d["dept_code"]].append(sid)

        # Applicants.
        n_persons = max(300, int(n_cases * 0.7))
        n_firms = max(120, int(n_cases * 0.2))
        self.person_ids = _resident_ids(rng, n_persons, date(1950, 1, 1), date(2006, 6, 30))
        self.person_names = _person_names(rng, len(self.person_ids))
        self.person_phones = _phones(rng, len(self.person_ids))
        self.firm_ids = np.array(_credit_codes(rng, n_firms))
        words = rng.choice(np.array(names.COMPANY_WORDS), (n_firms, 2))
        trades = rng.choice(np.array(names.COMPANY_TRADES), n_firms)
        forms = rng.choice(np.array(names.COMPANY_FORMS), n_firms)
        self.firm_names = np.array([
            f"{names.CITY_PREFIX}{w[0]}{w[1] if w[1] != w[0] else ''}{t}{f}"
            for w, t, f in zip(words, trades, forms)])
        self.firm_phones = _phones(rng, n_firms)
        self.agent_ids = np.array(_credit_codes(rng, len(names.AGENTS)))
        self.agent_names = np.array(names.AGENTS)


# --------------------------------------------------------------------------- background


def _pick(rng, groups: dict[str, list[str]], keys: np.ndarray) -> np.ndarray:
    """For each key, a uniformly chosen member of groups[key] (vectorised)."""
    uniq = sorted(set(keys.tolist()))
    flat, off, cnt = [], {}, {}
    for k in uniq:
        off[k], cnt[k] = len(flat), len(groups[k])
        flat.extend(groups[k])
    flat_a = np.array(flat, dtype=object)
    offs = np.array([off[k] for k in keys], dtype=int)
    cnts = np.array([cnt[k] for k in keys], dtype=int)
    return flat_a[offs + np.floor(rng.random(len(keys)) * cnts).astype(int)]


def _secs(rng, n, lo_h: float, hi_h: float) -> np.ndarray:
    return rng.integers(int(lo_h * 3600), int(hi_h * 3600), n).astype("timedelta64[s]")


def _mins(rng, n, lo: int, hi: int) -> np.ndarray:
    return (rng.integers(lo * 60, hi * 60, n)).astype("timedelta64[s]")


def _uniform_index(rng, lo: np.ndarray, hi: int) -> np.ndarray:
    lo = np.minimum(lo, hi)
    return lo + np.floor(rng.random(len(lo)) * (hi - lo + 1)).astype(int)


def _background(rng: np.random.Generator, n: int, world: _District, clock: Clock
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """n clean cases: none of them may fire a T rule."""
    W = np.array([d for d in clock.days if PERIOD_START <= d <= AS_OF and clock.is_workday(d)],
                 dtype="datetime64[D]")
    last = len(W) - 1
    assert W[last] == np.datetime64(AS_OF), "as_of must be a working day"
    Ws = W.astype("datetime64[s]")
    # For every calendar day of 2026 H1 (+ margin): index in W of the last working day on or
    # before it, and of the first working day on or after it.
    cal_days = np.arange(np.datetime64(PERIOD_START), np.datetime64(AS_OF) + 1)
    prev_wd = np.searchsorted(W, cal_days, side="right") - 1
    next_wd = np.searchsorted(W, cal_days, side="left")

    items = world.items
    weights = np.array([i["weight"] for i in items], dtype=float)
    ix = rng.choice(len(items), n, p=weights / weights.sum())
    inst = np.array([i["item_type"] == INSTANT for i in items])[ix]
    cal = np.array([i["limit_unit"] == CALENDAR_DAYS for i in items])[ix]
    P = np.array([i["promised_limit_days"] for i in items])[ix]
    dept = np.array([i["dept_code"] for i in items], dtype=object)[ix]
    who = np.array([i["who"] for i in items])[ix]

    u = rng.random(n)
    kind = np.where(
        inst,
        np.select([u < .93, u < .94, u < .95, u < .98], [COMPLETED, OPEN, PENDING, REFUSED],
                  WITHDRAWN_PRE),
        np.select([u < .84, u < .90, u < .91, u < .945, u < .965, u < .985],
                  [COMPLETED, OPEN, PENDING, REFUSED, RETURNED, WITHDRAWN_PRE], WITHDRAWN_POST))
    a = rng.choice(3, n, p=[.55, .33, .12])
    a[inst] = 0
    c = np.where(inst, 0, 1 + np.floor((P - 1) * rng.random(n) ** 1.6).astype(int))
    susp = (~inst) & (~cal) & (kind == COMPLETED) & (P >= 5) & (c >= 2) & (rng.random(n) < .06)
    s = np.where(susp, rng.integers(1, 6, n), 0)
    x = np.where(susp, 1 + np.floor(rng.random(n) * np.minimum(c - 1, P // 2)).astype(int), 0)

    acc_i = np.full(n, -1)
    end_i = np.full(n, -1)
    base_i = np.zeros(n, dtype=int)

    m = (kind == COMPLETED) & ~inst & ~cal
    end_i[m] = _uniform_index(rng, (a + c + s)[m], last)
    acc_i[m] = end_i[m] - (c + s)[m]
    m = (kind == COMPLETED) & cal
    acc_i[m] = _uniform_index(rng, a[m], last - 15)
    comp_day = W[acc_i[m]] + c[m].astype("timedelta64[D]")
    end_i[m] = prev_wd[(comp_day - np.datetime64(PERIOD_START)).astype(int)]
    m = (kind == COMPLETED) & inst
    acc_i[m] = _uniform_index(rng, np.zeros(m.sum(), dtype=int), last)
    end_i[m] = acc_i[m]
    # Open and accepted: far enough from the promised limit that T03 stays silent.
    max_e = np.maximum(P - np.maximum(1, -(-P // 5)) - 1, 0)
    e = np.floor(rng.random(n) * (max_e + 1)).astype(int)
    m = (kind == OPEN) & ~inst & ~cal
    acc_i[m] = last - e[m]
    m = (kind == OPEN) & cal
    acc_day = np.datetime64(AS_OF) - e[m].astype("timedelta64[D]")
    acc_i[m] = next_wd[(acc_day - np.datetime64(PERIOD_START)).astype(int)]
    m = (kind == OPEN) & inst
    acc_i[m] = last
    m = kind == REFUSED
    end_i[m] = _uniform_index(rng, a[m], last)
    r = 1 + np.floor(rng.random(n) * np.maximum(P - 1, 1)).astype(int)
    m = (kind == RETURNED) | (kind == WITHDRAWN_POST)
    end_i[m] = _uniform_index(rng, (a + r)[m], last)
    acc_i[m] = end_i[m] - r[m]
    w = rng.integers(0, 2, n)
    m = kind == WITHDRAWN_PRE
    end_i[m] = _uniform_index(rng, w[m], last)

    has_acc = acc_i >= 0
    base_i = np.where(has_acc, acc_i - a, base_i)
    base_i = np.where(kind == REFUSED, end_i - a, base_i)
    base_i = np.where(kind == WITHDRAWN_PRE, end_i - w, base_i)
    base_i = np.where(kind == PENDING, last - rng.integers(0, 3, n), base_i)
    base_i = np.maximum(base_i, 0)

    online = rng.random(n) < .55
    offhours = online & (rng.random(n) < .3)
    sub_t = np.where(offhours, Ws[base_i] - np.timedelta64(1, "D").astype("timedelta64[s]")
                     + _secs(rng, n, 17.5, 24), Ws[base_i] + _secs(rng, n, 9, 15))
    same_day = (a == 0) & ~offhours
    NaT = np.datetime64("NaT", "s")
    acc_t = np.where(has_acc, np.where(same_day, sub_t + _mins(rng, n, 5, 90),
                                       Ws[np.maximum(acc_i, 0)] + _secs(rng, n, 9, 16)), NaT)
    done = kind == COMPLETED
    comp_t = np.where(
        inst, acc_t + _mins(rng, n, 10, 60),
        np.where(end_i == acc_i, acc_t + _mins(rng, n, 30, 90),
                 Ws[np.maximum(end_i, 0)] + _secs(rng, n, 9.5, 16.5)))
    comp_t = np.where(done, comp_t, NaT)
    decide_t = comp_t - np.where(inst, _mins(rng, n, 2, 8), _mins(rng, n, 10, 25))
    refuse_t = np.where(same_day, sub_t + _mins(rng, n, 5, 90),
                        Ws[np.maximum(end_i, 0)] + _secs(rng, n, 9, 16))
    other_end_t = np.where((kind == WITHDRAWN_PRE) & (w == 0), sub_t + _mins(rng, n, 10, 120),
                           Ws[np.maximum(end_i, 0)] + _secs(rng, n, 9.5, 16.5))
    end_t = np.select([done, kind == REFUSED,
                       np.isin(kind, (RETURNED, WITHDRAWN_POST, WITHDRAWN_PRE))],
                      [comp_t, refuse_t, other_end_t], NaT)

    corr = (rng.random(n) < .08) & (a >= 1) & np.isin(
        kind, (COMPLETED, OPEN, RETURNED, WITHDRAWN_POST, REFUSED))
    cn_t = np.where(offhours, Ws[base_i] + _secs(rng, n, 9, 11), sub_t + _mins(rng, n, 20, 120))
    cr_t = acc_t - _mins(rng, n, 10, 40)
    ss_t = Ws[np.clip(acc_i + x, 0, last)] + _secs(rng, n, 10, 16)
    se_t = Ws[np.clip(acc_i + x + s, 0, last)] + _secs(rng, n, 9, 16)

    # People.
    who_person = (who == "P") | ((who == "M") & (rng.random(n) < .6))
    pi = rng.integers(0, len(world.person_ids), n)
    fi = rng.integers(0, len(world.firm_ids), n)
    agent = ~who_person & (rng.random(n) < .12)
    ai = rng.integers(0, len(world.agent_ids), n)
    handler = _pick(rng, world.window_staff, dept)
    approver = _pick(rng, world.approvers, dept)
    window = np.where(online, None, _pick(rng, world.windows_by_dept, dept))
    lawful_bg = np.array(("检验", "检测", "现场勘查", "专家评审", "公示", "鉴定", "听证"))

    status = np.select(
        [done, kind == OPEN, kind == PENDING, kind == REFUSED, kind == RETURNED],
        ["已办结", "办理中", "已申请", "不予受理", "退件"], "撤回").astype(object)
    status[(kind == OPEN) & (W[np.maximum(acc_i, 0)] == np.datetime64(AS_OF))] = "已受理"
    result = np.where(done, np.where(rng.random(n) < .95, "准予", "不予"),
                      np.where(kind == REFUSED, "不予", None)).astype(object)
    promised_col = np.where(~inst & (rng.random(n) < .03), P, -1)

    cases = pd.DataFrame({
        "key": np.arange(n),
        "item_code": np.array([i["item_code"] for i in items], dtype=object)[ix],
        "dept_code": dept,
        "window_id": window,
        "channel": np.where(online, "线上", "线下").astype(object),
        "applicant_type": np.where(who_person, "自然人", "法人").astype(object),
        "applicant_id": np.where(who_person, world.person_ids[pi], world.firm_ids[fi]).astype(object),
        "applicant_name": np.where(who_person, world.person_names[pi],
                                   world.firm_names[fi]).astype(object),
        "applicant_phone": np.where(who_person, world.person_phones[pi],
                                    world.firm_phones[fi]).astype(object),
        "agent_id": np.where(agent, world.agent_ids[ai], None).astype(object),
        "agent_name": np.where(agent, world.agent_names[ai], None).astype(object),
        "submitted_at": sub_t,
        "accepted_at": acc_t,
        "handler_staff_id": np.where(np.isin(kind, (PENDING, WITHDRAWN_PRE)), None, handler),
        "approver_staff_id": np.where(done, approver, None),
        "status": status,
        "result": result,
        "completed_at": comp_t,
        "promised_limit_days": pd.Series(promised_col).where(promised_col >= 0).astype("Int64"),
        "t_mid": acc_t,
        "t_end": end_t,
    })

    keys = np.arange(n)
    parts = []

    def add(mask, etype, t, staff=None, proc=None):
        k = int(mask.sum())
        if not k:
            return
        parts.append(pd.DataFrame({
            "key": keys[mask], "event_type": etype, "event_at": t[mask],
            "staff_id": (staff[mask] if staff is not None else np.full(k, None, dtype=object)),
            "procedure_type": (proc[mask] if proc is not None else np.full(k, None, dtype=object)),
        }))

    add(np.ones(n, bool), "SUBMIT", sub_t, np.where(online, None, handler))
    add(corr, "CORRECTION_NOTICE", cn_t, handler)
    add(corr & has_acc, "CORRECTION_RECEIVED", cr_t, handler)
    add(has_acc, "ACCEPT", acc_t, handler)
    add(kind == REFUSED, "REFUSE", refuse_t, handler)
    add(susp, "SUSPEND_START", ss_t, handler, rng.choice(lawful_bg, n).astype(object))
    add(susp, "SUSPEND_END", se_t, handler)
    add(done, "DECIDE", decide_t, approver)
    add(done, "COMPLETE", comp_t, handler)
    add(kind == RETURNED, "RETURN", end_t, handler)
    add(np.isin(kind, (WITHDRAWN_PRE, WITHDRAWN_POST)), "WITHDRAW", end_t)
    events = (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"key": np.array([], dtype=int), "event_type": [], "event_at": np.array([], "datetime64[s]"),
         "staff_id": [], "procedure_type": []}))
    return cases, events


# --------------------------------------------------------------------------- planted cases


@dataclass
class _Plant:
    key: int
    scenario: str
    fires: tuple[str, ...]
    near_miss: tuple[str, ...]
    invalid: str | None = None
    lower_x: bool = False  # write the applicant's resident ID with a lower-case x (valid)


class _Planter:
    """Builds planted cases one by one (a Python loop is fine for a few dozen)."""

    def __init__(self, rng, world: _District, clock: Clock, first_key: int):
        self.rng, self.world, self.clock = rng, world, clock
        self.next_key = first_key
        self.rows: list[dict] = []
        self.events: list[dict] = []
        self.plants: list[_Plant] = []
        self.extra_versions: list[tuple[int, dict, int]] = []  # key, changes, bucket
        self.stage_overrides: dict[tuple[int, str], dict] = {}

    # day helpers
    def at(self, d: date, hms: str = "10:00:00") -> datetime:
        return datetime.combine(d, time.fromisoformat(hms))

    def wd_after(self, d: date, n: int) -> date:
        return self.clock.after(d, n)

    def wd_before(self, d: date, n: int) -> date:
        return self.clock.before(d, n)

    def case(self, scenario: str, item: str, *, sub: datetime, acc: datetime | None = None,
             comp: datetime | None = None, end: datetime | None = None,
             end_kind: str | None = None, status: str | None = None, channel: str = "线下",
             promised: int | None = None, events: Iterable[tuple] = (),
             decide: datetime | None = None, fires: Iterable[str] = (),
             near_miss: Iterable[str] = (), invalid: str | None = None,
             applicant: str | None = None, accept_event: bool = True,
             lower_x: bool = False, handler: str | None = None, approver: str | None = None,
             agent: tuple[str, str] | None = None, who: tuple[str, str, str, str] | None = None,
             window: str | None = None, result: str | None = None,
             case_handler: bool = True) -> int:
        """One planted case. The keyword arguments after lower_x (used by the F family)
        fix what is otherwise drawn: handler / approver staff ids, the agent (id, name),
        the applicant (type, id, name, phone), the window, the result, and whether the
        case row names its handler (events always do)."""
        rng, world = self.rng, self.world
        it = world.item_by_name[item]
        key = self.next_key
        self.next_key += 1
        dept = it["dept_code"]
        handler_drawn = world.window_staff[dept][int(rng.integers(len(world.window_staff[dept])))]
        approver_drawn = world.approvers[dept][int(rng.integers(len(world.approvers[dept])))]
        person = applicant or ("P" if it["who"] == "P" or (it["who"] == "M" and rng.random() < .6)
                               else "E")
        if person == "P":
            j = int(rng.integers(len(world.person_ids)))
            if lower_x:
                j = next(q for q in range(j, j + len(world.person_ids))
                         if world.person_ids[q % len(world.person_ids)].endswith("X"))
                j %= len(world.person_ids)
            app = ("自然人", str(world.person_ids[j]), str(world.person_names[j]),
                   str(world.person_phones[j]))
        else:
            j = int(rng.integers(len(world.firm_ids)))
            app = ("法人", str(world.firm_ids[j]), str(world.firm_names[j]),
                   str(world.firm_phones[j]))
        handler = handler or handler_drawn
        approver = approver or approver_drawn
        if who is not None:
            app = who
        if status is None:
            status = ("已办结" if comp is not None else end_kind if end_kind is not None
                      else "办理中" if acc is not None else "已申请")
        windows = world.windows_by_dept[dept]
        row = {
            "key": key, "item_code": it["item_code"], "dept_code": dept,
            "window_id": (window or windows[int(rng.integers(len(windows)))]
                          if channel == "线下" else None),
            "channel": channel, "applicant_type": app[0], "applicant_id": app[1],
            "applicant_name": app[2], "applicant_phone": app[3],
            "agent_id": agent[0] if agent else None, "agent_name": agent[1] if agent else None,
            "submitted_at": sub, "accepted_at": acc,
            "handler_staff_id": handler if (case_handler and (acc is not None
                                                              or end_kind == "不予受理")) else None,
            "approver_staff_id": approver if comp is not None else None,
            "status": status,
            "result": result or ("准予" if comp is not None
                                 else ("不予" if end_kind == "不予受理" else None)),
            "completed_at": comp, "promised_limit_days": promised,
            "t_mid": acc, "t_end": comp if comp is not None else end,
        }
        self.rows.append(row)
        self.plants.append(_Plant(key, scenario, tuple(sorted(fires)), tuple(sorted(near_miss)),
                                  invalid, lower_x))
        if invalid:
            return key
        ev = [("SUBMIT", sub, handler if channel == "线下" else None, None)]
        if acc is not None and accept_event:
            ev.append(("ACCEPT", acc, handler, None))
        for e in events:
            etype, t = e[0], e[1]
            proc = e[2] if len(e) > 2 else None
            ev.append((etype, t, handler, proc))
        if comp is not None:
            ev.append(("DECIDE", decide or comp - timedelta(minutes=20), approver, None))
            ev.append(("COMPLETE", comp, handler, None))
        if end is not None:
            etype = {"不予受理": "REFUSE", "退件": "RETURN", "撤回": "WITHDRAW"}[end_kind]
            ev.append((etype, end, None if etype == "WITHDRAW" else handler, None))
        for etype, t, staff, proc in ev:
            self.events.append({"key": key, "event_type": etype, "event_at": t,
                                "staff_id": staff, "procedure_type": proc})
        return key

    def version(self, key: int, bucket: int, **changes) -> None:
        """An extra version of a planted case (a copy of its final state with changes)."""
        self.extra_versions.append((key, changes, bucket))


def _plant_all(p: _Planter) -> None:
    """Every planted scenario. Item limits: A 20/10 工作日, B 10/5 工作日, N 15/10 自然日."""
    A, B, N, I = "食品经营许可", "临时占用城市道路审批", "户口迁移审批", "个体工商户登记"
    at, after, before = p.at, p.wd_after, p.wd_before
    D = date

    def done(scn, item, acc_day, n, *, fires=(), near_miss=(), hms="15:00:00", **kw):
        """A case accepted at acc_day 10:00 and completed n working days later."""
        acc = at(acc_day, "10:00:00")
        return p.case(scn, item, sub=acc - timedelta(minutes=40), acc=acc,
                      comp=at(after(acc_day, n), hms), fires=fires, near_miss=near_miss, **kw)

    def open_case(scn, item, elapsed, *, fires=(), near_miss=(), **kw):
        """A case accepted `elapsed` working days before as_of and still open."""
        acc = at(before(AS_OF, elapsed), "10:30:00")
        return p.case(scn, item, sub=acc - timedelta(minutes=30), acc=acc, fires=fires,
                      near_miss=near_miss, **kw)

    # ---- T01 overdue against the statutory limit (B: statutory 10) ----------------------
    done("T01: 11 working days across the Spring Festival break (make-up Saturdays "
         "14 and 28 Feb count)", B, D(2026, 2, 11), 11, fires={"T01"})
    done("T01 near miss: exactly 10 working days across the Spring Festival (= statutory; "
         "over the promised 5, so T02)", B, D(2026, 2, 11), 10, fires={"T02"},
         near_miss={"T01"})
    done("T01: 11 working days across May Day (make-up Saturday 9 May counts)", B,
         D(2026, 4, 29), 11, fires={"T01"})
    k = D(2026, 3, 9)
    done("T01: extended (EXTEND: +10), 21 working days > 20", B, k, 21, fires={"T01"},
         events=[("EXTEND", at(after(k, 8), "11:00:00"))])
    done("T01 near miss: extended, exactly 20 working days (T02 only)", B, k, 20,
         fires={"T02"}, near_miss={"T01"}, events=[("EXTEND", at(after(k, 8), "11:00:00"))])
    k = D(2026, 3, 16)
    done("T01 + T04: unlawful suspension reason (领导审签) does not stop the clock: 12 days",
         B, k, 12, fires={"T01", "T04"},
         events=[("SUSPEND_START", at(after(k, 2)), "领导审签"),
                 ("SUSPEND_END", at(after(k, 6)))])
    done("T01 near miss: the same 12 days with a lawful 检测 suspension of 4 days: 8 (T02)",
         B, k, 12, fires={"T02"}, near_miss={"T01", "T04"},
         events=[("SUSPEND_START", at(after(k, 2)), "检测"), ("SUSPEND_END", at(after(k, 6)))])
    open_case("T01: still open at as_of, 11 working days elapsed (across the Dragon Boat "
              "Festival)", B, 11, fires={"T01"})
    open_case("T01 near miss: open at as_of, exactly 10 working days (T02)", B, 10,
              fires={"T02"}, near_miss={"T01"})
    acc = at(D(2026, 4, 28), "10:00:00")
    p.case("T01: 自然日 item, 16 calendar days > 15 (only 10 working days)", N,
           sub=acc - timedelta(hours=1), acc=acc, comp=at(D(2026, 5, 14), "15:00:00"),
           fires={"T01"})
    p.case("T01 near miss: 自然日 item, exactly 15 calendar days (T02)", N,
           sub=acc - timedelta(hours=1), acc=acc, comp=at(D(2026, 5, 13), "15:00:00"),
           fires={"T02"}, near_miss={"T01"})

    # ---- T02 broken promise ----------------------------------------------------------------
    done("T02: promised 10 + 1 across Qingming (4–6 April)", A, D(2026, 4, 1), 11,
         fires={"T02"})
    done("T02 near miss: exactly the promised 10 working days across Qingming", A,
         D(2026, 4, 1), 10, near_miss={"T02"})
    done("T02: the case's own promised limit 3 (item says 5), 4 working days", B,
         D(2026, 1, 20), 4, promised=3, fires={"T02"})
    done("T02 near miss: the case's promised limit 8 (item says 5), 6 working days", B,
         D(2026, 1, 20), 6, promised=8, near_miss={"T02"})
    k = D(2026, 3, 2)
    done("T02: two overlapping lawful suspensions merge to 5 days (not 8): 12 - 5 = 7 > 5", B,
         k, 12, fires={"T02"},
         events=[("SUSPEND_START", at(after(k, 2)), "检测"),
                 ("SUSPEND_START", at(after(k, 4)), "鉴定"),
                 ("SUSPEND_END", at(after(k, 7)))])
    k = D(2026, 5, 11)
    done("T02 near miss: 8 working days minus a lawful 3-day 现场勘查 = 5", B, k, 8,
         near_miss={"T02"},
         events=[("SUSPEND_START", at(after(k, 1)), "现场勘查"),
                 ("SUSPEND_END", at(after(k, 4)))])

    # ---- T03 approaching the deadline (open at as_of) ----------------------------------------
    open_case("T03: promised 10, 8 elapsed (2 left <= max(1, ceil(2)))", A, 8, fires={"T03"})
    open_case("T03 near miss: promised 10, 7 elapsed (3 left)", A, 7, near_miss={"T03"})
    open_case("T03: promised 5, 4 elapsed (1 left)", B, 4, fires={"T03"})
    open_case("T03 near miss: promised 5, 3 elapsed (2 left)", B, 3, near_miss={"T03"})
    open_case("T03: the case's promised 12 (ceil(2.4) = 3), 9 elapsed", A, 9, promised=12,
              fires={"T03"})
    open_case("T03 near miss: the case's promised 12, 8 elapsed (4 left)", A, 8, promised=12,
              near_miss={"T03"})
    open_case("T03: elapsed exactly the promised 5 (not yet T02)", B, 5, fires={"T03"},
              near_miss={"T02"})
    k = before(AS_OF, 25)
    acc = at(k, "10:30:00")
    p.case("T03 near miss: open, 25 working days since acceptance but a lawful 专家评审 "
           "suspension still running since day 3 (22 days): elapsed 3", A,
           sub=acc - timedelta(minutes=30), acc=acc,
           events=[("SUSPEND_START", at(after(k, 3)), "专家评审")],
           near_miss={"T01", "T03", "T04"})
    acc = at(D(2026, 6, 22), "10:30:00")
    p.case("T03: 自然日 item open, 8 calendar days of the promised 10", N,
           sub=acc - timedelta(minutes=30), acc=acc, fires={"T03"})
    done("T03 near miss: completed, 9 of the promised 10 (only open cases are warned); the "
         "applicant's resident ID is written with a lower-case x (valid)", A,
         D(2026, 6, 10), 9, near_miss={"T03"}, applicant="P", lower_x=True)

    # ---- T04 abnormal suspension ------------------------------------------------------------
    k = D(2026, 1, 12)
    done("T04: a suspension without any procedure type", A, k, 8, fires={"T04"},
         events=[("SUSPEND_START", at(after(k, 2))), ("SUSPEND_END", at(after(k, 4)))])
    k = D(2026, 1, 26)
    done("T04: suspended for 材料补正 (not an art. 45 procedure)", A, k, 7, fires={"T04"},
         events=[("SUSPEND_START", at(after(k, 1)), "材料补正"),
                 ("SUSPEND_END", at(after(k, 3)))])
    k = D(2026, 2, 2)
    done("T04 near miss: one short early lawful 检验 suspension", A, k, 9, near_miss={"T04"},
         events=[("SUSPEND_START", at(after(k, 2)), "检验"), ("SUSPEND_END", at(after(k, 5)))])
    k = D(2026, 2, 3)
    done("T04: lawful 鉴定 suspension of 31 working days (> 30)", A, k, 37, fires={"T04"},
         events=[("SUSPEND_START", at(after(k, 2)), "鉴定"),
                 ("SUSPEND_END", at(after(k, 33)))])
    done("T04 near miss: lawful 鉴定 suspension of exactly 30 working days", A, k, 36,
         near_miss={"T04"},
         events=[("SUSPEND_START", at(after(k, 2)), "鉴定"),
                 ("SUSPEND_END", at(after(k, 32)))])
    k = D(2026, 3, 23)
    done("T04: three short lawful suspensions", A, k, 10, fires={"T04"},
         events=[("SUSPEND_START", at(after(k, 1)), "检验"), ("SUSPEND_END", at(after(k, 2))),
                 ("SUSPEND_START", at(after(k, 3)), "检测"), ("SUSPEND_END", at(after(k, 4))),
                 ("SUSPEND_START", at(after(k, 5)), "公示"), ("SUSPEND_END", at(after(k, 6)))])
    done("T04 near miss: two short lawful suspensions", A, k, 9, near_miss={"T04"},
         events=[("SUSPEND_START", at(after(k, 1)), "检验"), ("SUSPEND_END", at(after(k, 2))),
                 ("SUSPEND_START", at(after(k, 3)), "检测"), ("SUSPEND_END", at(after(k, 4)))])
    k = D(2026, 4, 13)
    done("T04: lawful suspension starting at elapsed 8 = 0.8 x promised 10", A, k, 11,
         fires={"T04"},
         events=[("SUSPEND_START", at(after(k, 8)), "检测"), ("SUSPEND_END", at(after(k, 10)))])
    done("T04 near miss: lawful suspension starting at elapsed 7 < 8", A, k, 10,
         near_miss={"T04"},
         events=[("SUSPEND_START", at(after(k, 7)), "检测"), ("SUSPEND_END", at(after(k, 9)))])
    k = D(2026, 5, 18)
    done("T04 near miss: second suspension 10 working days after acceptance, but 3 of "
         "them were lawfully suspended: elapsed 7 at its start", A, k, 12, near_miss={"T04"},
         events=[("SUSPEND_START", at(after(k, 2)), "检验"), ("SUSPEND_END", at(after(k, 5))),
                 ("SUSPEND_START", at(after(k, 10)), "现场勘查"),
                 ("SUSPEND_END", at(after(k, 11)))])
    k = D(2026, 6, 1)
    done("T04: promised 5, lawful suspension starting at elapsed 4 (= 0.8 x 5)", B, k, 5,
         fires={"T04"},
         events=[("SUSPEND_START", at(after(k, 4)), "公示"),
                 ("SUSPEND_END", at(after(k, 5), "10:00:00"))])

    # ---- T05 instant item not handled at once -------------------------------------------------
    p.case("T05: 即办件 accepted 16:50, completed the next working day", I,
           sub=at(D(2026, 3, 10), "16:40:00"), acc=at(D(2026, 3, 10), "16:50:00"),
           comp=at(D(2026, 3, 11), "09:10:00"), fires={"T05"})
    p.case("T05 near miss: 即办件 completed the same day at 18:30", I,
           sub=at(D(2026, 3, 10), "16:30:00"), acc=at(D(2026, 3, 10), "16:40:00"),
           comp=at(D(2026, 3, 10), "18:30:00"), near_miss={"T05"})
    p.case("T05: 即办件 accepted 30 April, completed 6 May (next working day after May Day)",
           I, sub=at(D(2026, 4, 30), "16:20:00"), acc=at(D(2026, 4, 30), "16:30:00"),
           comp=at(D(2026, 5, 6), "09:30:00"), fires={"T05"})
    p.case("T05: 即办件 accepted the day before as_of, still open", I,
           sub=at(D(2026, 6, 29), "15:00:00"), acc=at(D(2026, 6, 29), "15:10:00"),
           status="已受理", fires={"T05"})
    p.case("T05 near miss: 即办件 accepted on as_of, still open", I,
           sub=at(AS_OF, "15:00:00"), acc=at(AS_OF, "15:10:00"), status="已受理",
           near_miss={"T05"})

    # ---- T06 delay before acceptance ---------------------------------------------------------
    s = at(D(2026, 2, 10), "10:00:00")
    p.case("T06: accepted 6 working days after submission, across the Spring Festival", A,
           sub=s, acc=at(after(s.date(), 6), "10:00:00"),
           comp=at(after(after(s.date(), 6), 3), "15:00:00"), fires={"T06"})
    p.case("T06 near miss: accepted exactly 5 working days after submission (15 calendar days)",
           A, sub=s, acc=at(after(s.date(), 5), "10:00:00"),
           comp=at(after(after(s.date(), 5), 3), "15:00:00"), near_miss={"T06"})
    s = at(D(2026, 4, 24), "10:00:00")
    p.case("T06: submitted Friday 24 April, accepted 6 working days later across May Day", B,
           sub=s, acc=at(after(s.date(), 6), "10:00:00"),
           comp=at(after(after(s.date(), 6), 2), "15:00:00"), fires={"T06"})
    p.case("T06: still waiting at as_of, submitted 6 working days before", A,
           sub=at(before(AS_OF, 6), "11:00:00"), fires={"T06"})
    p.case("T06 near miss: still waiting at as_of, submitted 5 working days before", A,
           sub=at(before(AS_OF, 5), "11:00:00"), near_miss={"T06"})
    s = at(D(2026, 3, 2), "10:00:00")
    p.case("T06 near miss: a correction notice on day 2 stops the pre-acceptance clock "
           "(accepted on day 9)", A, sub=s, acc=at(after(s.date(), 9), "10:00:00"),
           comp=at(after(after(s.date(), 9), 4), "15:00:00"), near_miss={"T06", "T07"},
           events=[("CORRECTION_NOTICE", at(after(s.date(), 2))),
                   ("CORRECTION_RECEIVED", at(after(s.date(), 8)))])
    s = at(D(2026, 3, 16), "10:00:00")
    p.case("T06: refused (不予受理) only 7 working days after submission", A, sub=s,
           end=at(after(s.date(), 7), "10:00:00"), end_kind="不予受理", fires={"T06"})
    s = at(D(2026, 3, 30), "10:00:00")
    p.case("T06 near miss: withdrawn after 9 working days with no acceptance, refusal or "
           "notice: not evaluable", A, sub=s, end=at(after(s.date(), 9), "10:00:00"),
           end_kind="撤回", near_miss={"T06"})
    s = at(D(2026, 4, 1), "10:00:00")
    p.case("T06 near miss: 自然日 item accepted 5 working days (8 calendar days) after "
           "submission: T06 always counts working days", N, sub=s,
           acc=at(after(s.date(), 5), "10:00:00"),
           comp=at(after(s.date(), 5) + timedelta(days=6), "15:00:00"), near_miss={"T06"})

    # ---- T07 repeated correction requests ----------------------------------------------------
    s = at(D(2026, 1, 7), "09:30:00")
    p.case("T07: two correction notices before acceptance", A, sub=s,
           acc=at(after(s.date(), 3)), comp=at(after(after(s.date(), 3), 5), "15:00:00"),
           fires={"T07"},
           events=[("CORRECTION_NOTICE", s + timedelta(hours=1)),
                   ("CORRECTION_RECEIVED", at(after(s.date(), 1), "09:30:00")),
                   ("CORRECTION_NOTICE", at(after(s.date(), 1), "14:00:00")),
                   ("CORRECTION_RECEIVED", at(after(s.date(), 3), "09:00:00"))])
    s = at(D(2026, 5, 6), "09:30:00")
    p.case("T07: three correction notices", A, sub=s,
           acc=at(after(s.date(), 4)), comp=at(after(after(s.date(), 4), 4), "15:00:00"),
           fires={"T07"},
           events=[("CORRECTION_NOTICE", s + timedelta(hours=1)),
                   ("CORRECTION_NOTICE", at(after(s.date(), 1), "11:00:00")),
                   ("CORRECTION_NOTICE", at(after(s.date(), 2), "11:00:00")),
                   ("CORRECTION_RECEIVED", at(after(s.date(), 4), "09:00:00"))])
    k = D(2026, 4, 20)
    done("T07: two correction notices during processing, after acceptance", A, k, 7,
         fires={"T07"},
         events=[("CORRECTION_NOTICE", at(after(k, 2))),
                 ("CORRECTION_RECEIVED", at(after(k, 3))),
                 ("CORRECTION_NOTICE", at(after(k, 4))),
                 ("CORRECTION_RECEIVED", at(after(k, 5)))])
    s = at(D(2026, 5, 20), "09:30:00")
    p.case("T07 near miss: a single correction notice", A, sub=s,
           acc=at(after(s.date(), 2)), comp=at(after(after(s.date(), 2), 5), "15:00:00"),
           near_miss={"T07"},
           events=[("CORRECTION_NOTICE", s + timedelta(hours=1)),
                   ("CORRECTION_RECEIVED", at(after(s.date(), 2), "09:00:00"))])

    # ---- T08 off-hours operation -------------------------------------------------------------
    p.case("T08: offline case accepted on 1 May (Labor Day)", A,
           sub=at(D(2026, 4, 30), "16:00:00"), acc=at(D(2026, 5, 1), "10:00:00"),
           comp=at(D(2026, 5, 8), "15:00:00"), fires={"T08"})
    p.case("T08: offline case accepted on an ordinary Saturday", A,
           sub=at(D(2026, 3, 13), "16:00:00"), acc=at(D(2026, 3, 14), "10:00:00"),
           comp=at(D(2026, 3, 19), "15:00:00"), fires={"T08"})
    p.case("T08 near miss: accepted on Saturday 14 Feb, a make-up working day", A,
           sub=at(D(2026, 2, 13), "16:00:00"), acc=at(D(2026, 2, 14), "10:00:00"),
           comp=at(D(2026, 2, 27), "15:00:00"), near_miss={"T08"})
    p.case("T08 near miss: decided on Saturday 9 May, a make-up working day", A,
           sub=at(D(2026, 5, 6), "09:00:00"), acc=at(D(2026, 5, 6), "09:30:00"),
           comp=at(D(2026, 5, 9), "11:00:00"), decide=at(D(2026, 5, 9), "10:30:00"),
           near_miss={"T08"})
    p.case("T08 near miss: submitted and accepted on Sunday 4 Jan, a make-up working day", A,
           sub=at(D(2026, 1, 4), "09:00:00"), acc=at(D(2026, 1, 4), "09:30:00"),
           comp=at(D(2026, 1, 9), "15:00:00"), near_miss={"T08"})
    for hms, fires_, label in (("21:00:01", {"T08"}, "T08: decided at 21:00:01"),
                               ("21:00:00", set(), "T08 near miss: decided at 21:00:00")):
        p.case(label, A, sub=at(D(2026, 5, 25), "09:00:00"), acc=at(D(2026, 5, 25), "09:30:00"),
               comp=at(D(2026, 5, 28), hms) + timedelta(minutes=5),
               decide=at(D(2026, 5, 28), hms), fires=fires_,
               near_miss=() if fires_ else {"T08"})
    p.case("T08: accepted at 06:59:59", A, sub=at(D(2026, 6, 2), "06:50:00"),
           acc=at(D(2026, 6, 2), "06:59:59"), comp=at(D(2026, 6, 5), "15:00:00"),
           fires={"T08"})
    p.case("T08 near miss: accepted at 07:00:00", A, sub=at(D(2026, 6, 2), "06:50:00"),
           acc=at(D(2026, 6, 2), "07:00:00"), comp=at(D(2026, 6, 5), "15:00:00"),
           near_miss={"T08"})
    p.case("T08: offline case decided and completed on a Sunday", A,
           sub=at(D(2026, 1, 5), "09:00:00"), acc=at(D(2026, 1, 5), "09:30:00"),
           comp=at(D(2026, 1, 11), "11:00:00"), fires={"T08"})
    p.case("T08 near miss: online case accepted on the Dragon Boat Festival (19 June)", A,
           channel="线上", sub=at(D(2026, 6, 18), "20:00:00"), acc=at(D(2026, 6, 19), "10:00:00"),
           comp=at(D(2026, 6, 25), "15:00:00"), near_miss={"T08"})

    # ---- T09 retroactive edits (re-export file) ----------------------------------------------
    R = REEXPORT_BUCKET
    k = D(2026, 3, 2)
    key = done("T09: completion backdated after the fact, hiding 12 working days (T01 gone "
               "from the current version)", B, k, 12, fires={"T09"}, near_miss={"T01"})
    p.version(key, R, completed_at=at(after(k, 5), "15:00:00"),
              updated_at=at(AS_OF, "14:05:00"))
    k = D(2026, 4, 7)
    key = done("T09: acceptance time moved a day later after completion", A, k, 6,
               fires={"T09"})
    p.version(key, R, accepted_at=at(after(k, 1), "10:00:00"), updated_at=at(AS_OF, "14:10:00"))
    k = D(2026, 5, 12)
    key = done("T09: same updated_at as the completed version, different completed_at, in "
               "the later file (tie broken by file name)", A, k, 5, fires={"T09"})
    p.version(key, R, completed_at=at(after(k, 4), "15:00:00"), tie=True)
    k = D(2026, 5, 19)
    key = done("T09: completion time removed after completion (null is a value)", A, k, 6,
               fires={"T09"})
    p.version(key, R, completed_at=None, updated_at=at(AS_OF, "14:20:00"))
    k = D(2026, 1, 19)
    key = done("T09: submission time edited after completion", A, k, 6, fires={"T09"})
    p.version(key, R, submitted_at=at(k, "08:30:00"), updated_at=at(AS_OF, "14:25:00"))
    k = D(2026, 2, 24)
    key = done("T09 near miss: re-exported after completion with another approver, same "
               "timestamps", A, k, 6, near_miss={"T09"})
    p.version(key, R, approver_staff_id="<other approver>", updated_at=at(AS_OF, "14:30:00"))
    k = D(2026, 6, 8)
    key = done("T09 near miss: the completed version re-sent unchanged with the same updated_at",
               A, k, 5, near_miss={"T09"})
    p.version(key, R, tie=True)
    k = D(2026, 4, 14)
    key = done("T09 near miss: a stale 已受理 version (older updated_at) re-sent after "
               "completion", A, k, 8, near_miss={"T09"})
    p.version(key, R, stale=True)
    k = D(2026, 4, 27)
    acc = at(k, "10:00:00")
    key = p.case("T09 near miss: acceptance time corrected before completion", A,
                 sub=acc - timedelta(minutes=40), acc=acc, comp=at(D(2026, 5, 12), "15:00:00"),
                 near_miss={"T09"})
    p.stage_overrides[(key, "mid")] = {"accepted_at": at(k - timedelta(days=1), "10:00:00")}
    p.version(key, 4, status="已受理", completed_at=None, result=None, approver_staff_id=None,
              updated_at=at(D(2026, 4, 29), "09:00:00"))
    acc = at(AS_OF, "09:20:00")
    p.case("re-export: completed on as_of afternoon, after the June export was cut", A,
           sub=at(before(AS_OF, 1), "16:00:00"), acc=acc, comp=at(AS_OF, "15:30:00"))

    # ---- rows that must be quarantined (never loaded, never alerted) -------------------------
    for problem, person in (("bad_resident_id", "P"), ("bad_resident_id", "P"),
                            ("bad_credit_code", "E"), ("bad_timestamp", "P"),
                            ("missing_applicant_name", "P"), ("missing_item_code", "E")):
        d = (D(2026, 2, 2), D(2026, 2, 9), D(2026, 3, 2), D(2026, 3, 9), D(2026, 5, 11),
             D(2026, 5, 18))[len([q for q in p.plants if q.invalid])]
        p.case(f"quarantine: {problem}", A, sub=at(d, "09:10:00"), acc=at(d, "09:40:00"),
               comp=at(d, "15:00:00"), applicant=person, invalid=problem)


def _plant_fairness(p: _Planter) -> None:
    """The F family's planted cases (ingest/demo_fairness.py): F violations are cases,
    so they go through this planter like the T ones."""
    from ingest.demo_fairness import plant_cases

    plant_cases(p)


# --------------------------------------------------------------------------- writing


def _fmt_ts(s: pd.Series, iso_offset: bool = False) -> pd.Series:
    fmt = "%Y-%m-%dT%H:%M:%S+08:00" if iso_offset else "%Y-%m-%d %H:%M:%S"
    return s.dt.strftime(fmt).astype(object).where(s.notna(), "")


def _csv_bytes(df: pd.DataFrame, encoding: str) -> bytes:
    text = df.to_csv(index=False, lineterminator="\r\n")
    return text.encode(encoding)


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    """An XLSX with fixed timestamps (openpyxl stamps 'now'; zip entries too)."""
    from openpyxl import Workbook

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


def _headers(source: str, chinese: bool) -> dict[str, str]:
    """canonical -> header used in the file (first Chinese alias when asked)."""
    return {c.name: (c.aliases[0] if chinese and c.aliases else c.name)
            for c in SOURCES[source].columns}


def _bucket(t: pd.Series) -> pd.Series:
    b = t.dt.month.astype("Int64")
    return b.where(t.isna() | (t < pd.Timestamp(REEXPORT_FROM)), REEXPORT_BUCKET)


def _case_file(bucket: int) -> str:
    return ("cases_reexport_2026-06-30.csv" if bucket == REEXPORT_BUCKET
            else f"cases_2026-{bucket:02d}.csv")


# --------------------------------------------------------------------------- main


def generate_district(out_dir: Path, scale: float = 1.0, seed: int = 7) -> DemoManifest:
    """Write the demo landing folder and its ground truth; see the module docstring."""
    out_dir = Path(out_dir)
    rng = np.random.default_rng(seed)
    clock = _default_clock()
    target = max(round(scale * 10_000), 0)
    world = _District(rng, target)

    planter = _Planter(np.random.default_rng([seed, 1]), world, clock, first_key=0)
    _plant_all(planter)
    _plant_fairness(planter)
    n_planted = planter.next_key
    n_bg = max(target - n_planted, 0)
    bg_cases, bg_events = _background(rng, n_bg, world, clock)
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

    # Events: seq by time within the case.
    events = events[~events["key"].isin(invalid_keys)].copy()
    events["case_id"] = events["key"].map(id_of)
    events["_order"] = events["event_type"].map(EVENT_ORDER)
    events = events.sort_values(["case_id", "event_at", "_order"], kind="stable")
    events["seq"] = events.groupby("case_id", sort=False).cumcount() + 1
    events["note"] = events["event_type"].map(EVENT_NOTES).astype(object)
    events.loc[events["event_type"] == "SUSPEND_START", "note"] = (
        "进入特别程序：" + events["procedure_type"].fillna("（未注明）"))

    versions = _versions(cases, planter, id_of, np.random.default_rng([seed, 2]),
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
    _self_check(alerts, plants, id_of)

    # ------------------------------------------------------------------ other families
    current = valid.sort_values(["case_id", "updated_at", "bucket"], kind="stable")
    current = current.drop_duplicates("case_id", keep="last")[CASE_COLUMNS].reset_index(drop=True)
    family_frames, family_bad, family_alerts, family_planted, family_notes = _families(
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

    dep_h = _headers("departments", chinese=True)
    dep_cols = SOURCES["departments"].column_names
    files["departments"].append(_write(landing / "departments" / "部门名录.xlsx", _xlsx_bytes(
        [dep_h[c] for c in dep_cols], [[d[c] for c in dep_cols] for d in world.depts])))
    rows["departments"] = len(world.depts)

    item_df = pd.DataFrame(world.items)[SOURCES["items"].column_names]
    item_df = item_df.rename(columns=_headers("items", chinese=True))
    files["items"].append(_write(landing / "items" / "事项目录_2026.csv",
                                 _csv_bytes(item_df, "gbk")))
    rows["items"] = len(item_df)

    staff_df = pd.DataFrame(world.staff)[SOURCES["staff"].column_names]
    staff_df["is_official"] = staff_df["is_official"].map({True: "是", False: "否"})
    staff_df = staff_df.rename(columns=_headers("staff", chinese=True))
    files["staff"].append(_write(landing / "staff" / "staff_2026.csv",
                                 _csv_bytes(staff_df, "utf-8-sig")))
    rows["staff"] = len(staff_df)

    win_df = pd.DataFrame(world.windows)[SOURCES["windows"].column_names]
    files["windows"].append(_write(landing / "windows" / "windows.csv",
                                   _csv_bytes(win_df, "utf-8")))
    rows["windows"] = len(win_df)

    files["calendar_overrides"].append(_write(
        landing / "calendar_overrides" / "calendar_overrides.csv",
        ",".join(SOURCES["calendar_overrides"].column_names).encode() + b"\r\n"))
    rows["calendar_overrides"] = 0

    invalid_rows = []
    rows["cases"] = 0
    for bucket, part in versions.groupby("bucket", sort=True):
        bucket = int(bucket)
        part = part.sort_values(["updated_at", "case_id"], kind="stable")
        reexport = bucket == REEXPORT_BUCKET
        out = pd.DataFrame({c: part[c] for c in CASE_COLUMNS})
        for c in CASE_TS:
            out[c] = _fmt_ts(part[c], iso_offset=reexport)
        out["promised_limit_days"] = part["promised_limit_days"].map(
            lambda v: "" if pd.isna(v) else str(int(v))).astype(object)
        out = out.astype(object).where(out.notna(), "")
        for pos, (key, cid) in enumerate(zip(part["key"], part["case_id"])):
            if key in plants and plants[key].lower_x:
                out.iloc[pos, out.columns.get_loc("applicant_id")] = (
                    out.iloc[pos, out.columns.get_loc("applicant_id")].lower())
            if key in invalid_keys:
                problem = plants[key].invalid
                _corrupt(out, pos, problem)
                invalid_rows.append({"source": "cases", "file": _case_file(bucket),
                                     "case_id": cid, "problem": problem})
        if reexport:
            out["备注"] = part["note"].fillna("").to_numpy()
        out = out.rename(columns=_headers("cases", chinese=4 <= bucket <= 6))
        files["cases"].append(_write(landing / "cases" / _case_file(bucket),
                                     _csv_bytes(out, "utf-8")))
        rows["cases"] += len(out)

    events["month"] = events["event_at"].dt.month
    rows["case_events"] = 0
    for month, part in events.groupby("month", sort=True):
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
        files["case_events"].append(_write(
            landing / "case_events" / f"case_events_2026-{int(month):02d}.jsonl",
            ("\n".join(lines) + "\n").encode("utf-8")))
        rows["case_events"] += len(lines)

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

    planted_summary: dict[str, dict[str, list[str]]] = {
        r: {"fires": [], "near_miss": []} for r in T_RULES}
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
    _write(truth_path, (json.dumps(truth, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))

    return DemoManifest(
        out_dir=out_dir, landing=landing, ground_truth=truth_path, as_of=AS_OF,
        files=dict(files), rows=rows, quarantined_rows=quarantined,
        cases=int(valid["case_id"].nunique()),
        planted={r: {k: len(v) for k, v in planted_summary[r].items()}
                 for r in planted_summary},
        alerts={r: len(alerts[r]) for r in alerts},
    )


def _families(seed: int, scale: float, world: _District, clock: Clock,
              cases: pd.DataFrame, events: pd.DataFrame, case_plants: list[CasePlant]):
    """Every family of ingest.demo_family: plant, then evaluate on the combined rows."""
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
    planted: dict[str, dict[str, list[str]]] = {}
    notes: list[dict] = []
    fams = families()
    contexts = []
    for n, fam in enumerate(fams):
        ctx = DemoContext(rng=np.random.default_rng([seed, 100 + n]), world=world, clock=clock,
                          as_of=AS_OF, scale=scale, cases=cases, events=events,
                          case_plants=case_plants, frames=frames, fresh=fresh)
        out = fam.plant(ctx)
        for source, df in out.rows.items():
            if source in ("cases", "case_events"):
                raise ValueError(f"{fam.name}: plant cases through ingest.demo's planter")
            family_sources[source].append(df)
            frames[source] = pd.concat(family_sources[source], ignore_index=True)
        for source, rows in out.bad_rows.items():
            bad[source].extend(rows)
        planted.update(out.planted)
        notes.extend(out.scenarios)
        contexts.append(ctx)
    alerts: dict[str, dict[str, str]] = {}
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


def _versions(cases: pd.DataFrame, planter: _Planter, id_of: dict, rng: np.random.Generator,
              background: pd.Series) -> pd.DataFrame:
    """Every exported version of every case, with the export bucket (month, or re-export).

    A case changes state at submission, at acceptance (t_mid) and at its end (t_end); each
    monthly export carries the state at its last change in that month.
    """
    has_mid, has_end = cases["t_mid"].notna(), cases["t_end"].notna()
    b_sub, b_mid, b_end = (_bucket(cases["submitted_at"]), _bucket(cases["t_mid"]),
                           _bucket(cases["t_end"]))
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
                            + _secs(rng, len(resend), 0.5, 6))
    resend["stage"], resend["bucket"], resend["note"] = "extra", REEXPORT_BUCKET, "数据治理重新推送"
    extras.extend(r for _, r in resend.iterrows())
    if extras:
        versions = pd.concat([versions, pd.DataFrame(extras)], ignore_index=True)
    for col in ("submitted_at", "accepted_at", "completed_at", "updated_at"):
        versions[col] = pd.to_datetime(versions[col]).astype("datetime64[s]")
    versions["bucket"] = versions["bucket"].astype(int)
    versions["case_id"] = versions["key"].map(id_of)
    return versions.reset_index(drop=True)


def _records(df: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts of plain Python values (None for missing)."""
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
            r["_file"] = _case_file(r["bucket"])
    return out


def _corrupt(out: pd.DataFrame, pos: int, problem: str) -> None:
    i = out.index[pos]
    if problem == "bad_resident_id" or problem == "bad_credit_code":
        v = out.at[i, "applicant_id"]
        alphabet = RID_CHECK if problem == "bad_resident_id" else USCC_ALPHABET
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


def _self_check(alerts: dict[str, dict[str, str]], plants: dict[int, _Plant],
                id_of: dict[int, str]) -> None:
    """Planted cases fire exactly what they were planted for; background cases nothing."""
    fired: dict[str, set[str]] = defaultdict(set)
    for rule, subjects in alerts.items():
        for cid in subjects:
            fired[cid].add(rule)
    problems = []
    planted_ids = set()
    for key, pl in plants.items():
        cid = id_of[key]
        planted_ids.add(cid)
        if pl.invalid:
            if fired.get(cid):
                problems.append(f"{cid} ({pl.scenario}) is a quarantined row but fires")
            continue
        got = fired.get(cid, set())
        if got != {r for r in pl.fires if r in T_RULES}:
            problems.append(f"{cid} ({pl.scenario}): planted {sorted(pl.fires)}, "
                            f"rules give {sorted(got)}")
        overlap = set(pl.near_miss) & got
        if overlap:
            problems.append(f"{cid} ({pl.scenario}): near miss for {sorted(overlap)} but fires")
    stray = sorted(set(fired) - planted_ids)
    if stray:
        problems.append(f"{len(stray)} background cases fire: "
                        + ", ".join(f"{c} {sorted(fired[c])}" for c in stray[:10]))
    if problems:
        raise AssertionError("demo generator inconsistent:\n  " + "\n  ".join(problems))
