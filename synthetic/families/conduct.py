"""Families C (conduct, 作风) and K (key projects, 重点项目): C01, C02 and K01 — rows and oracle.

The two small families share this module (a few rows per department, receptions and
project milestones, each judged against fixed limits); ``RULES`` names the three it owns.

Background: official receptions of every department on working days, within the
standard (at most 120 yuan a head, companions within the limit, canteens and designated
restaurants), and a dozen key projects at scale 1 with four milestones each, completed
close to plan or not yet due. Planted beside it, for every rule, violations and
near-threshold non-violations: 150.01 yuan a head vs exactly 150; 4 companions for 10
guests vs 3; 4 companions for 11 guests (limit 11/3) vs 3, and 4 for 12 guests; upscale
and entertainment venues (red); receptions on Spring Festival and May Day holidays and
an ordinary Sunday vs on the 2026 make-up working days (调休); milestones 31 and 91 days
late vs exactly 30 and 90, open ones past their plan, and one completed on the day.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from synthetic.plugin import Alerts, DemoContext, FamilyRows

RULES = ("C01", "C02", "K01")

CAP = 150.0  # reception_per_person_cap
SMALL_GUESTS, SMALL_COMPANIONS, DIVISOR = 10, 3, 3
PROHIBITED, RED_VENUES = ("高档餐饮", "娱乐场所"), ("娱乐场所",)
K_YELLOW, K_RED = 30, 90
MILESTONES = ("立项批复", "开工", "主体完工", "竣工验收")
PROJECT_WORDS = ("滨江路改造", "第二污水处理厂", "智慧社区平台", "老旧小区改造", "区人民医院新院区",
                 "产业园标准厂房", "农村公路提升", "中小学扩容", "公共文化中心", "防洪堤加固",
                 "冷链物流园", "城市更新片区", "全民健身中心", "垃圾分类转运站")


class ConductFamily:
    name = "conduct and key projects (C01–C02, K01)"
    rules = RULES

    # ------------------------------------------------------------------ plant
    def plant(self, ctx: DemoContext) -> FamilyRows:
        rng, clock, world = ctx.rng, ctx.clock, ctx.world
        depts = [d["dept_code"] for d in world.depts]
        staff_of: dict[str, list[str]] = {}
        for s in world.staff:
            staff_of.setdefault(s["dept_code"], []).append(s["staff_id"])

        def approver(dept: str) -> str:
            pool = world.approvers.get(dept) or staff_of[dept]
            return pool[int(rng.integers(0, len(pool)))]

        workdays = [d for d in clock.days
                    if date(2026, 1, 1) <= d <= ctx.as_of and clock.is_workday(d)]
        rows: list[dict] = []

        def reception(dept: str, day: date, amount: float, guests: int, companions: int,
                      venue: str) -> str:
            eid = f"JD{day:%Y%m}{len(rows) + 1:05d}"
            rows.append({"expense_id": eid, "dept_code": dept, "occurred_on": pd.Timestamp(day),
                         "amount": round(float(amount), 2), "guests": guests,
                         "companions": companions, "venue_type": venue,
                         "invoice_no": f"{int(rng.integers(10**7, 10**8))}",
                         "approved_by_staff_id": approver(dept)})
            return eid

        # ---- background receptions: compliant, on working days
        per_dept = max(1, round(4 * ctx.scale))
        for dept in depts:
            for _ in range(per_dept):
                day = workdays[int(rng.integers(0, len(workdays)))]
                guests = int(rng.integers(2, 16))
                limit = SMALL_COMPANIONS if guests <= SMALL_GUESTS else guests // DIVISOR
                companions = int(rng.integers(1, limit + 1))
                per_head = float(rng.integers(40, 121))
                venue = str(rng.choice(["机关食堂", "定点饭店", "其他"], p=[0.6, 0.3, 0.1]))
                reception(dept, day, per_head * (guests + companions), guests, companions, venue)

        planted: dict[str, dict[str, list[str]]] = {r: {"fires": [], "near_miss": []}
                                                     for r in RULES}
        k_copies = max(1, round(2 * ctx.scale))
        d0 = world.dept_by_key["ZWB"]["dept_code"]
        tue = date(2026, 3, 17)  # an ordinary working Tuesday
        c01 = planted["C01"]
        for _ in range(k_copies):
            c01["fires"].append(reception(d0, tue, 150.01 * 9, 6, 3, "定点饭店"))
            c01["near_miss"].append(reception(d0, tue, 150.00 * 9, 6, 3, "定点饭店"))
            c01["fires"].append(reception(d0, tue, 1000, 10, 4, "机关食堂"))
            c01["near_miss"].append(reception(d0, tue, 1000, 10, 3, "机关食堂"))
            c01["fires"].append(reception(d0, tue, 1200, 11, 4, "机关食堂"))
            c01["near_miss"].append(reception(d0, tue, 1200, 11, 3, "机关食堂"))
            c01["near_miss"].append(reception(d0, tue, 1200, 12, 4, "机关食堂"))
            c01["fires"].append(reception(d0, tue, 400, 3, 1, "高档餐饮"))
            c01["fires"].append(reception(d0, tue, 400, 3, 1, "娱乐场所"))

            # C02: Spring Festival (15–23 Feb), May Day (1–5 May), an ordinary Sunday vs
            # the make-up working Saturdays 14 and 28 Feb and 9 May
            for day in (date(2026, 2, 17), date(2026, 5, 2), date(2026, 3, 8)):
                assert not clock.is_workday(day)
                planted["C02"]["fires"].append(reception(d0, day, 600, 4, 2, "机关食堂"))
            for day in (date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9)):
                assert clock.is_workday(day)
                planted["C02"]["near_miss"].append(reception(d0, day, 600, 4, 2, "机关食堂"))

        # ---- key projects
        projects: list[dict] = []
        n_projects = max(4, round(12 * ctx.scale))
        as_of = ctx.as_of
        for p in range(n_projects):
            pid = f"ZD2026{p + 1:03d}"
            dept = depts[int(rng.integers(0, len(depts)))]
            pname = PROJECT_WORDS[p % len(PROJECT_WORDS)] + ("" if p < len(PROJECT_WORDS)
                                                            else f"（{p // len(PROJECT_WORDS) + 1}期）")
            planned = date(2025, 9, 1) + timedelta(int(rng.integers(0, 120)))
            for ms in MILESTONES:
                completed: date | None = planned + timedelta(int(rng.integers(-15, 21)))
                if completed > as_of:
                    # not done yet: only when the plan is not more than 20 days behind
                    completed = None if (as_of - planned).days <= 20 else as_of - timedelta(3)
                projects.append({"project_id": pid, "project_name": pname, "dept_code": dept,
                                 "milestone": ms, "planned_on": pd.Timestamp(planned),
                                 "completed_on": pd.Timestamp(completed) if completed else None})
                planned = planned + timedelta(int(rng.integers(60, 150)))

        def milestone(pid: str, ms: str, planned: date, completed: date | None) -> str:
            projects.append({"project_id": pid, "project_name": "重点项目督查样本",
                             "dept_code": d0, "milestone": ms,
                             "planned_on": pd.Timestamp(planned),
                             "completed_on": pd.Timestamp(completed) if completed else None})
            return f"{pid}|{ms}"

        k = planted["K01"]
        for c in range(k_copies):
            pid = f"ZD2026S{c + 1:02d}"
            plan = date(2026, 1, 10)
            k["near_miss"].append(milestone(pid, "30天完成", plan, plan + timedelta(30)))
            k["fires"].append(milestone(pid, "31天完成", plan, plan + timedelta(31)))
            k["fires"].append(milestone(pid, "90天完成", plan, plan + timedelta(90)))
            k["fires"].append(milestone(pid, "91天完成", plan, plan + timedelta(91)))
            k["near_miss"].append(milestone(pid, "按期完成", plan, plan))
            k["near_miss"].append(milestone(pid, "提前完成", plan, plan - timedelta(5)))
            k["near_miss"].append(milestone(pid, "在建30天", as_of - timedelta(30), None))
            k["fires"].append(milestone(pid, "在建31天", as_of - timedelta(31), None))
            k["fires"].append(milestone(pid, "在建120天", as_of - timedelta(120), None))
            k["near_miss"].append(milestone(pid, "未到期", as_of + timedelta(60), None))

        return FamilyRows(rows={"reception_expenses": pd.DataFrame(rows),
                                "key_projects": pd.DataFrame(projects)},
                          planted=planted)

    # ------------------------------------------------------------------ evaluate
    def evaluate(self, frames: dict[str, pd.DataFrame], ctx: DemoContext) -> Alerts:
        """rules.md C01, C02 and K01 in plain pandas over every row (planted or not)."""
        out: Alerts = {r: {} for r in RULES}
        rec = frames["reception_expenses"]
        for r in rec.to_dict("records"):
            guests = int(r["guests"])
            comp = 0 if pd.isna(r["companions"]) else int(r["companions"])
            amount = round(float(r["amount"]), 2)
            diners = guests + comp
            over_cap = diners > 0 and amount > CAP * diners
            over_comp = comp > SMALL_COMPANIONS if guests <= SMALL_GUESTS else comp * DIVISOR > guests
            venue = r["venue_type"] in PROHIBITED
            if over_cap or over_comp or venue:
                out["C01"][r["expense_id"]] = "red" if r["venue_type"] in RED_VENUES else "yellow"
            if not ctx.clock.is_workday(pd.Timestamp(r["occurred_on"]).date()):
                out["C02"][r["expense_id"]] = "yellow"

        as_of = pd.Timestamp(ctx.as_of)
        kp = frames["key_projects"]
        for r in kp.to_dict("records"):
            if r["planned_on"] is None or pd.isna(r["planned_on"]):
                continue
            end = as_of if r["completed_on"] is None or pd.isna(r["completed_on"]) else \
                pd.Timestamp(r["completed_on"])
            late = (end - pd.Timestamp(r["planned_on"])).days
            if late > K_RED:
                out["K01"][f"{r['project_id']}|{r['milestone']}"] = "red"
            elif late > K_YELLOW:
                out["K01"][f"{r['project_id']}|{r['milestone']}"] = "yellow"
        return out


FAMILY = ConductFamily()
