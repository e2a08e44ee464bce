"""Family F (fairness and intermediaries, 公平): rules F01–F07 — planted cases and oracle.

F violations are cases, so they are planted through the case planter
(``plant_cases``, called by ``generate_district`` after the T scenarios): every planted
case keeps the T rules silent, and the T self-check proves it. The planted handlers of
F01, F02 and F06 are extra window staff that background cases never draw, and the agents
and applicants of F02–F04 are fresh, so the background cannot push a planted subject
across or back over a threshold. ``FAMILY.plant`` adds the relatives and enterprise links
that F05 needs; ``FAMILY.evaluate`` is an independent pandas reading of contract/rules.md
over every case, planted or background.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from ingest.sources import lawful_procedures
from synthetic.identifiers import credit_codes, person_names, phones, resident_ids
from synthetic.planter import CasePlanter
from synthetic.plugin import Alerts, DemoContext, FamilyRows
from synthetic.pseudonyms import pseudonym

RULES = ("F01", "F02", "F03", "F04", "F05", "F06", "F07")
SEVERITY = {"F01": "red", "F02": "yellow", "F03": "info", "F04": "info", "F05": "red",
            "F06": "yellow", "F07": "yellow"}
PROMISED = "承诺件"
REFUSAL_STATUSES = {"不予受理", "退件"}

# Items (names from synthetic/names.py) and their limits (statutory/promised, 工作日).
F01_ITEM = "食品经营许可"           # 20/10
F02_ITEM = "商品房预售许可"         # 10/5, firms
F03_ITEM = "失业保险金申领"         # 10/5, persons
F04_ITEM = "职业技能提升补贴申领"   # 20/10, persons, windows in every street
F05_ITEM = "食品经营许可"
F06_ITEM = "不动产登记（转移登记）"  # 10/5
F07_ITEM, F07_INSTANT = "食品经营许可", "个体工商户登记"

# Scenario labels FAMILY.plant looks up to add the F05 links.
F05_SELF = "F05: the handler applies in person for himself"
F05_SPOUSE = "F05: the approver's spouse is the applicant"
F05_CHILD_FIRM = "F05: the applicant firm has the handler's child as a shareholder"
F05_OWN_FIRM = "F05: the applicant firm's legal representative is the approver"
F05_NEAR = ("F05 near miss: the applicant is the spouse of a colleague in the same "
            "department who neither handled nor approved the case")


# --------------------------------------------------------------------------- planting


def _fresh(p: CasePlanter, kind: str, n: int, taken: set[str]) -> list[str]:
    """Ids nobody in the district uses (resident ids, credit codes or phones)."""
    used = taken | set(p.world.person_ids.tolist()) | set(p.world.firm_ids.tolist())
    used |= set(p.world.agent_ids.tolist()) | {s["id_number"] for s in p.world.staff}
    used |= set(p.world.person_phones.tolist()) | set(p.world.firm_phones.tolist())
    out: list[str] = []
    while len(out) < n:
        if kind == "person":
            batch = resident_ids(p.rng, n, date(1960, 1, 1), date(2000, 12, 31))
        elif kind == "firm":
            batch = credit_codes(p.rng, n)
        else:
            batch = phones(p.rng, n)
        for v in map(str, batch):
            if v not in used and len(out) < n:
                used.add(v)
                taken.add(v)
                out.append(v)
    return out


def _new_staff(p: CasePlanter, dept_code: str, n: int, taken: set[str]) -> list[str]:
    """Window staff that only planted cases name (never drawn by background cases)."""
    k = next(i for i, d in enumerate(p.world.depts) if d["dept_code"] == dept_code)
    have = {s["staff_id"] for s in p.world.staff}
    ids = _fresh(p, "person", n, taken)
    names = person_names(p.rng, n)
    out = []
    m = 900
    for rid, name in zip(ids, names):
        while f"G{k:02d}{m:03d}" in have:
            m += 1
        sid = f"G{k:02d}{m:03d}"
        have.add(sid)
        p.world.staff.append({"staff_id": sid, "staff_name": str(name), "id_number": rid,
                              "dept_code": dept_code, "post": "窗口受理", "is_official": True})
        out.append(sid)
    return out


def plant_cases(p: CasePlanter) -> None:
    """Every planted F scenario, near-threshold non-violations beside each violation."""
    world = p.world
    at, after = p.at, p.wd_after
    taken: set[str] = set()

    def dept_of(item: str) -> str:
        return world.item_by_name[item]["dept_code"]

    def done(scn, item, acc_day, n, **kw):
        """Accepted acc_day 10:00, completed n working days later at 15:00 (n = elapsed)."""
        acc = at(acc_day, "10:00:00")
        comp = at(after(acc_day, n), "15:00:00") if n else at(acc_day, "15:00:00")
        return p.case(scn, item, sub=acc - timedelta(minutes=40), acc=acc, comp=comp, **kw)

    def refused(scn, item, day, **kw):
        """Refused (不予受理) an hour after submission, never accepted."""
        return p.case(scn, item, sub=at(day, "10:00:00"), end=at(day, "11:00:00"),
                      end_kind="不予受理", **kw)

    def person() -> tuple[str, str, str, str]:
        return ("自然人", _fresh(p, "person", 1, taken)[0], str(person_names(p.rng, 1)[0]),
                _fresh(p, "phone", 1, taken)[0])

    def agent(label: str) -> tuple[str, str]:
        return (_fresh(p, "firm", 1, taken)[0], f"重庆{label}代办服务有限公司")

    def workdays_from(start: date, count: int, step: int = 1) -> list[date]:
        days, d = [], start
        for _ in range(count):
            days.append(d)
            d = after(d, step)
        return days

    # ---- F01 agents fast-tracked (item promised 10) ---------------------------------------
    f01_staff = _new_staff(p, dept_of(F01_ITEM), 4, taken)
    plans = [  # (label, agent elapsed, non-agent elapsed, fires)
        ("F01: agent median 2 = 0.5 x non-agent median 4 (5 and 5 cases)",
         [1, 1, 2, 2, 2], [4, 4, 4, 5, 6], True),
        ("F01: even counts, agent median 2.5 = 0.5 x non-agent median 5 (6 and 6 cases)",
         [1, 2, 2, 3, 3, 3], [4, 4, 5, 5, 6, 6], True),
        ("F01 near miss: only 4 completed agent cases", [1, 1, 1, 1], [6, 6, 6, 6, 6], False),
        ("F01 near miss: non-agent median 2.5 < 3", [0, 0, 0, 0, 0], [2, 2, 2, 3, 3, 3], False),
    ]
    days = workdays_from(date(2026, 1, 12), 12, 4)
    for (label, fast, slow, fires), sid in zip(plans, f01_staff):
        ag = agent("快办")
        tag = {"fires": {"F01"}} if fires else {"near_miss": {"F01"}}
        for j, n in enumerate(fast):
            done(f"{label}: agent case", F01_ITEM, days[j], n, handler=sid, agent=ag,
                 applicant="E", **tag)
        for j, n in enumerate(slow):
            done(f"{label}: non-agent case", F01_ITEM, days[j + 6], n, handler=sid,
                 applicant="E", **tag)

    # ---- F02 agent-handler affinity (item promised 5) --------------------------------------
    h1, h2, h3 = _new_staff(p, dept_of(F02_ITEM), 3, taken)
    plans = [  # (label, agent cases, of them by the planted handler, handler, fires)
        (("F02: 12 of the agent's 20 accepted cases (exactly 60%) by one handler who "
         "handles none of the department's other cases"), 20, 12, h1, True),
        ("F02 near miss: all 19 accepted cases by one handler (< 20)", 19, 19, h2, False),
        ("F02 near miss: 11 of 20 (55%) by one handler", 20, 11, h3, False),
    ]
    days = workdays_from(date(2026, 2, 2), 20, 5)
    for label, n_cases, n_by, sid, fires in plans:
        ag = agent("专办")
        tag = {"fires": {"F02"}} if fires else {"near_miss": {"F02"}}
        for j in range(n_cases):  # the planted subject is the planted handler's pair
            done(label, F02_ITEM, days[j], 1 + j % 3, agent=ag, applicant="E",
                 handler=sid if j < n_by else None, **(tag if j < n_by else {}))

    # ---- F03 repeated applications (online; 30 days = date(last) - date(first) <= 29) ------
    for label, span, fires in (
            ("F03: three applications on 2, 16 and 31 March (29 days apart)",
             (date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 31)), True),
            ("F03 near miss: three applications on 13 April, 27 April and 13 May (30 days)",
             (date(2026, 4, 13), date(2026, 4, 27), date(2026, 5, 13)), False)):
        app = person()
        tag = {"fires": {"F03"}} if fires else {"near_miss": {"F03"}}
        for d in span[:2]:
            p.case(f"{label}: withdrawn", F03_ITEM, channel="线上", sub=at(d, "10:00:00"),
                   end=at(d, "16:00:00"), end_kind="撤回", who=app, **tag)
        done(f"{label}: completed", F03_ITEM, span[2], 2, channel="线上", who=app, **tag)

    # ---- F04 one phone, many applicants, windows in many streets (offline) ------------------
    dept = dept_of(F04_ITEM)
    by_street: dict[str, list[str]] = defaultdict(list)
    for w in world.windows:
        if w["dept_code"] == dept and w["window_id"].startswith("JD"):
            by_street[w["street"]].append(w["window_id"])
    s1, s2, s3 = (by_street[s][0] for s in sorted(by_street)[:3])
    D = date
    for label, plan, fires in (
            ("F04: five applicants sharing a phone at windows of three streets within 28 days",
             [(D(2026, 3, 2), s1), (D(2026, 3, 9), s2), (D(2026, 3, 16), s3),
              (D(2026, 3, 23), s1), (D(2026, 3, 30), s2)], True),
            ("F04 near miss: five applicants sharing a phone, windows of two streets only",
             [(D(2026, 4, 7), s1), (D(2026, 4, 14), s2), (D(2026, 4, 21), s1),
              (D(2026, 4, 28), s2), (D(2026, 5, 12), s1)], False),
            (("F04 near miss: five applicants, three streets, but spread over 91 days "
             "(no 90-day window holds five applicants and three streets)"),
             [(D(2026, 1, 7), s1), (D(2026, 1, 12), s1), (D(2026, 1, 19), s2),
              (D(2026, 1, 26), s2), (D(2026, 4, 7), s3)], False)):
        phone = _fresh(p, "phone", 1, taken)[0]
        tag = {"fires": {"F04"}} if fires else {"near_miss": {"F04"}}
        for d, win in plan:
            app = person()
            done(label, F04_ITEM, d, 3, who=(app[0], app[1], app[2], phone), window=win, **tag)

    # ---- F05 conflict of interest -------------------------------------------------------------
    dept = dept_of(F05_ITEM)
    staff_of = {s["staff_id"]: s for s in world.staff}
    handler = world.window_staff[dept][0]
    me = staff_of[handler]
    done(F05_SELF, F05_ITEM, D(2026, 3, 4), 3, handler=handler,
         who=("自然人", me["id_number"], me["staff_name"], _fresh(p, "phone", 1, taken)[0]),
         fires={"F05"})
    done(F05_SPOUSE, F05_ITEM, D(2026, 3, 11), 3, who=person(), fires={"F05"})
    done(F05_CHILD_FIRM, F05_ITEM, D(2026, 3, 18), 4, applicant="E", fires={"F05"})
    firm = _fresh(p, "firm", 1, taken)[0]
    done(F05_OWN_FIRM, F05_ITEM, D(2026, 3, 25), 4,
         who=("法人", firm, "重庆近亲餐饮管理有限公司", _fresh(p, "phone", 1, taken)[0]),
         fires={"F05"})
    done(F05_NEAR, F05_ITEM, D(2026, 4, 8), 3, who=person(), near_miss={"F05"})

    # ---- F06 refusal outlier (item promised 5; refusals never accepted: no T rule) -------------
    x1, x2, x3 = _new_staff(p, dept_of(F06_ITEM), 3, taken)
    days = workdays_from(date(2026, 1, 6), 20, 5)
    label = ("F06: 14 refusals in 20 cases (不予受理, 退件, result 不予, one refusal naming "
             "its handler only in the REFUSE event)")
    for j in range(20):
        d = days[j]
        if j < 9:
            refused(label, F06_ITEM, d, handler=x1, fires={"F06"})
        elif j == 9:
            refused(label + ": handler only in the REFUSE event", F06_ITEM, d, handler=x1,
                    case_handler=False)
        elif j < 12:
            acc = at(d, "10:00:00")
            p.case(label, F06_ITEM, sub=acc - timedelta(minutes=30), acc=acc,
                   end=at(after(d, 1), "10:00:00"), end_kind="退件", handler=x1,
                   fires={"F06"})
        elif j < 14:
            done(label, F06_ITEM, d, 2, handler=x1, result="不予", fires={"F06"})
        else:
            done(label, F06_ITEM, d, 2, handler=x1, fires={"F06"})
    for sid, n_cases, n_refused, label in (
            (x2, 20, 2, "F06 near miss: 20 cases, only 2 refusals"),
            (x3, 19, 5, "F06 near miss: 5 refusals but only 19 cases")):
        for j in range(n_cases):
            if j < n_refused:
                refused(label, F06_ITEM, days[j], handler=sid, near_miss={"F06"})
            else:
                done(label, F06_ITEM, days[j], 1 + j % 3, handler=sid, near_miss={"F06"})

    # ---- F07 four-eyes --------------------------------------------------------------------------
    dept = dept_of(F07_ITEM)
    same = world.window_staff[dept][1 % len(world.window_staff[dept])]
    done("F07: a 承诺件 accepted and approved by the same staff member", F07_ITEM,
         D(2026, 5, 6), 4, handler=same, approver=same, fires={"F07"})
    dept = dept_of(F07_INSTANT)
    same = world.window_staff[dept][0]
    d = D(2026, 5, 7)
    p.case("F07 near miss: a 即办件 accepted and approved by the same staff member",
           F07_INSTANT, sub=at(d, "10:00:00"), acc=at(d, "10:10:00"),
           comp=at(d, "10:40:00"), handler=same, approver=same, near_miss={"F07"})


# --------------------------------------------------------------------------- the family


def _norm(v: Any) -> str | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return "".join(str(v).split()).upper()


class FairnessFamily:
    name = "fairness (F)"
    rules = RULES

    def plant(self, ctx: DemoContext) -> FamilyRows:
        cases = ctx.cases.set_index("case_id")
        staff = pd.DataFrame(ctx.world.staff).set_index("staff_id")
        planted: dict[str, dict[str, list[str]]] = {r: {"fires": [], "near_miss": []}
                                                     for r in RULES}
        rel, persons, ents = [], [], []
        by_scenario: dict[str, str] = {}
        for cp in ctx.case_plants:
            by_scenario.setdefault(cp.scenario, cp.case_id)
        for cp in ctx.case_plants:
            c = cases.loc[cp.case_id]
            for kind in ("fires", "near_miss"):
                for rule in getattr(cp, kind):
                    if rule in RULES:
                        sid = self._subject(rule, c, cp.case_id)
                        if sid not in planted[rule][kind]:
                            planted[rule][kind].append(sid)
        c = cases.loc[by_scenario[F05_SPOUSE]]
        rel.append({"staff_id": c["approver_staff_id"], "relative_id": c["applicant_id"],
                    "relation": "配偶"})
        c = cases.loc[by_scenario[F05_CHILD_FIRM]]
        child = ctx.fresh.resident_ids(1, date(1990, 1, 1), date(2003, 12, 31))[0]
        rel.append({"staff_id": c["handler_staff_id"], "relative_id": child, "relation": "子女"})
        persons.append({"uscc": c["applicant_id"], "person_id": child, "role": "股东",
                        "share_ratio": 0.35})
        c = cases.loc[by_scenario[F05_OWN_FIRM]]
        ents.append({"uscc": c["applicant_id"], "name": c["applicant_name"],
                     "legal_rep_id": staff.loc[c["approver_staff_id"], "id_number"],
                     "registered_at": pd.Timestamp("2019-05-20"),
                     "contact_phone": c["applicant_phone"]})
        persons.append({"uscc": c["applicant_id"],
                        "person_id": staff.loc[c["approver_staff_id"], "id_number"],
                        "role": "法定代表人", "share_ratio": 0.6})
        c = cases.loc[by_scenario[F05_NEAR]]
        colleague = next(s for s in staff[staff["dept_code"] == c["dept_code"]].index
                         if s not in (c["handler_staff_id"], c["approver_staff_id"]))
        rel.append({"staff_id": colleague, "relative_id": c["applicant_id"], "relation": "配偶"})
        rows = {"staff_relatives": pd.DataFrame(rel),
                "enterprise_persons": pd.DataFrame(persons),
                "enterprises": pd.DataFrame(ents)}
        return FamilyRows(rows=rows, planted=planted)

    @staticmethod
    def _subject(rule: str, c: pd.Series, case_id: str) -> str:
        if rule == "F01":
            return f"{c['handler_staff_id']}|{c['item_code']}"
        if rule == "F02":
            return f"{c['handler_staff_id']}|{c['agent_id']}"
        if rule == "F03":
            return f"{pseudonym(c['applicant_id'])}|{c['item_code']}"
        if rule == "F04":
            return f"{pseudonym(c['applicant_phone'])}|{c['item_code']}"
        if rule == "F06":
            return f"{c['handler_staff_id']}|{c['item_code']}"
        return case_id

    # ------------------------------------------------------------------ evaluate

    def evaluate(self, frames: dict[str, pd.DataFrame], ctx: DemoContext) -> Alerts:
        cases = frames["cases"].copy()
        events = frames["case_events"]
        items = frames["items"].set_index("item_code")
        out: Alerts = {r: {} for r in RULES}
        for rule, subjects in (("F01", _f01(cases, events, items, ctx.clock)),
                               ("F02", _f02(cases)), ("F03", _f03(cases)),
                               ("F04", _f04(cases, frames["windows"])),
                               ("F05", _f05(cases, frames)), ("F06", _f06(cases, events)),
                               ("F07", _f07(cases, items))):
            out[rule] = {s: SEVERITY[rule] for s in sorted(subjects)}
        return out


def _elapsed(acc: datetime, end: datetime, unit: str, evs: list[dict], clock) -> int:
    """rules.md elapsed(case): workdays(accepted_at, clock end) minus lawful suspensions."""
    def count(a: datetime, b: datetime) -> int:
        if unit == "自然日":
            return max((b.date() - a.date()).days, 0)
        return clock.workdays(a.date(), b.date())

    evs = sorted(evs, key=lambda e: e["seq"])
    spans = []
    for k, e in enumerate(evs):
        if e["event_type"] == "SUSPEND_START" and e.get("procedure_type") in lawful_procedures():
            stop = next((f["event_at"] for f in evs[k + 1:] if f["event_type"] == "SUSPEND_END"),
                        end)
            spans.append((e["event_at"], stop))
    merged: list[list[datetime]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    off = sum(count(max(s, acc), min(e, end)) for s, e in merged if min(e, end) > max(s, acc))
    return count(acc, end) - off


def _f01(cases, events, items, clock) -> set[str]:
    done = cases[(cases["status"] == "已办结") & cases["handler_staff_id"].notna()
                 & cases["accepted_at"].notna() & cases["completed_at"].notna()
                 & cases["item_code"].isin(items.index)]
    evs: dict[str, list[dict]] = defaultdict(list)
    sus = events[events["case_id"].isin(done["case_id"])
                 & events["event_type"].isin(["SUSPEND_START", "SUSPEND_END"])]
    for e in sus.to_dict("records"):
        e["event_at"] = pd.Timestamp(e["event_at"]).to_pydatetime()
        evs[e["case_id"]].append(e)
    fired = set()
    rows = []
    for c in done.to_dict("records"):
        unit = items.loc[c["item_code"], "limit_unit"] or "工作日"
        rows.append((c["handler_staff_id"], c["item_code"], pd.notna(c["agent_id"]),
                     _elapsed(pd.Timestamp(c["accepted_at"]).to_pydatetime(),
                              pd.Timestamp(c["completed_at"]).to_pydatetime(), unit,
                              evs.get(c["case_id"], []), clock)))
    df = pd.DataFrame(rows, columns=["h", "i", "agent", "e"])
    for (h, i), g in df.groupby(["h", "i"]):
        a, n = g.loc[g["agent"], "e"], g.loc[~g["agent"], "e"]
        if len(a) >= 5 and len(n) >= 5:
            ma, mn = float(np.median(a)), float(np.median(n))
            if mn >= 3 and ma <= 0.5 * mn:
                fired.add(f"{h}|{i}")
    return fired


def _f02(cases) -> set[str]:
    acc = cases[cases["accepted_at"].notna()]
    fired = set()
    for (dept, ag), g in acc[acc["agent_id"].notna()].groupby(["dept_code", "agent_id"]):
        n = len(g)
        if n < 20:
            continue
        counts = g["handler_staff_id"].dropna().value_counts()
        for h, k in counts.items():
            if 10 * k < 6 * n:  # share >= 60%
                continue
            # the department's other accepted cases (no agent, or another agent)
            others = acc[(acc["dept_code"] == dept)
                         & (acc["agent_id"].isna() | (acc["agent_id"] != ag))
                         & acc["item_code"].isin(set(g["item_code"]))]
            if len(others) and 10 * (others["handler_staff_id"] == h).sum() <= 3 * len(others):
                fired.add(f"{h}|{ag}")
    return fired


def _f03(cases) -> set[str]:
    fired = set()
    df = cases[cases["applicant_id"].notna()].assign(
        d=pd.to_datetime(cases["submitted_at"]).dt.normalize(),
        app=cases["applicant_id"].map(_norm))
    for (app, item), g in df.groupby(["app", "item_code"]):
        if len(g) < 3:
            continue
        d = np.sort(g["d"].to_numpy())
        lo = np.searchsorted(d, d - np.timedelta64(29, "D"), side="left")
        if (np.arange(len(d)) - lo + 1).max() >= 3:
            fired.add(f"{pseudonym(app)}|{item}")
    return fired


def _f04(cases, windows) -> set[str]:
    street = dict(zip(windows["window_id"], windows["street"]))
    off = cases[(cases["channel"] == "线下") & cases["applicant_phone"].notna()].copy()
    off["phone"] = off["applicant_phone"].map(_norm)
    off["street"] = off["window_id"].map(street)
    off["d"] = pd.to_datetime(off["submitted_at"]).dt.normalize()
    fired = set()
    for (phone, item), g in off.groupby(["phone", "item_code"]):
        if g["applicant_id"].nunique() < 5 or g["street"].nunique() < 3:
            continue
        for end in g["d"].unique():
            w = g[(g["d"] <= end) & (g["d"] >= end - pd.Timedelta(days=89))]
            if w["applicant_id"].map(_norm).nunique() >= 5 and w["street"].nunique() >= 3:
                fired.add(f"{pseudonym(g['applicant_phone'].iloc[0])}|{item}")
                break
    return fired


def _f05(cases, frames) -> set[str]:
    staff = frames["staff"]
    persons: dict[str, set[str]] = defaultdict(set)  # staff -> people (self and relatives)
    for s, rid in zip(staff["staff_id"], staff["id_number"]):
        persons[s].add(_norm(rid))
    rel = frames.get("staff_relatives", pd.DataFrame(columns=["staff_id", "relative_id"]))
    for s, rid in zip(rel["staff_id"], rel["relative_id"]):
        persons[s].add(_norm(rid))
    firm_people: dict[str, set[str]] = defaultdict(set)  # person -> enterprises
    ent = frames.get("enterprises", pd.DataFrame(columns=["uscc", "legal_rep_id"]))
    for u, rid in zip(ent["uscc"], ent["legal_rep_id"]):
        firm_people[_norm(rid)].add(_norm(u))
    ep = frames.get("enterprise_persons", pd.DataFrame(columns=["uscc", "person_id"]))
    for u, pid in zip(ep["uscc"], ep["person_id"]):
        firm_people[_norm(pid)].add(_norm(u))
    fired = set()
    for cid, app, h, a in zip(cases["case_id"], cases["applicant_id"],
                              cases["handler_staff_id"], cases["approver_staff_id"]):
        app = _norm(app)
        for s in (h, a):
            if s is None or (not isinstance(s, str) and pd.isna(s)):
                continue
            people = persons.get(s, set())
            if app in people or any(app in firm_people.get(q, ()) for q in people):
                fired.add(cid)
    return fired


def _f06(cases, events) -> set[str]:
    ref = events[events["event_type"] == "REFUSE"].sort_values(["case_id", "seq"])
    first_ref = ref.drop_duplicates("case_id").set_index("case_id")["staff_id"]
    df = cases.copy()
    df["h"] = df["handler_staff_id"].where(df["handler_staff_id"].notna(),
                                           df["case_id"].map(first_ref))
    df["refusal"] = (df["status"].isin(REFUSAL_STATUSES) | (df["result"] == "不予")
                     | df["case_id"].isin(first_ref.index))
    fired = set()
    for (dept, item), g in df.groupby(["dept_code", "item_code"]):
        total, total_r = len(g), int(g["refusal"].sum())
        for h, gh in g[g["h"].notna()].groupby("h"):
            n, r = len(gh), int(gh["refusal"].sum())
            rest_n, rest_r = total - n, total_r - r
            if n >= 20 and r >= 3 and rest_n >= 20 and r * rest_n >= 3 * rest_r * n:
                fired.add(f"{h}|{item}")
    return fired


def _f07(cases, items) -> set[str]:
    kind = cases["item_code"].map(items["item_type"])
    m = ((kind == PROMISED) & cases["handler_staff_id"].notna()
         & (cases["handler_staff_id"] == cases["approver_staff_id"]))
    return set(cases.loc[m, "case_id"])


FAMILY = FairnessFamily()

__all__ = ["FAMILY", "RULES", "plant_cases"]
