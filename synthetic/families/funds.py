"""Family L (livelihood funds, 民生资金): rules L01–L05 of contract/rules.md — rows and oracle.

Background: a few subsidy programs (monthly and one quarterly), monthly payments in the
first half of 2026 to a few hundred recipients at scale 1 (fresh residents, each with
their own bank account, a few couples sharing one), handled by the civil affairs bureau;
some recipients die and their payments stop on time, and some non-recipients die.
Planted beside it, for every rule, violations and near-threshold non-violations: a
payment the day after death vs on the day of death; two payments for one period vs one
per period; a cent above the standard vs exactly the standard; a payment to the handler
themself or to their declared relative vs to another staff member's relative; three
recipients on one account vs two. One payment with a checksum-failing recipient id must
be quarantined.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pandas as pd

from synthetic.plugin import Alerts, DemoContext, FamilyRows
from synthetic.pseudonyms import pseudonym

RULES = ("L01", "L02", "L03", "L04", "L05")

# program_code, program_name, max_amount_per_period, period (发放周期)
PROGRAMS = (
    ("MZ-DB", "城乡最低生活保障金", 800.0, "月"),
    ("MZ-TK", "特困人员基本生活费", 1200.0, "月"),
    ("MZ-GL", "高龄津贴", 200.0, "月"),
    ("CL-LX", "残疾人两项补贴", 450.0, "季"),
)
MONTHS = tuple(f"2026-{m:02d}" for m in range(1, 7))
QUARTERS = (("2026Q1", 1), ("2026Q2", 4))  # label, month it is paid in


def _norm(v: object) -> str:
    return str(v).replace(" ", "").upper()


class FundsFamily:
    name = "funds (L01–L05)"
    rules = RULES

    # ------------------------------------------------------------------ plant
    def plant(self, ctx: DemoContext) -> FamilyRows:
        rng, clock, fresh, world = ctx.rng, ctx.clock, ctx.fresh, ctx.world
        used_accounts: set[str] = set()

        def account() -> str:
            while True:
                prefix = str(rng.choice(["6217", "6228", "6230"]))
                body = "".join(str(d) for d in rng.integers(0, 10, 15))
                v = prefix + body
                if v not in used_accounts:
                    used_accounts.add(v)
                    return v

        mzj = world.dept_by_key["MZJ"]["dept_code"]
        handlers = [s["staff_id"] for s in world.staff if s["dept_code"] == mzj]
        others = [s for s in world.staff if s["dept_code"] != mzj]
        villages = [f"{s}{k}社区" for s in ("凤鸣", "玉泉", "松林") for k in ("一", "二", "三")]

        def paid_at(month: int, day: int = 9, hms: tuple[int, int] | None = None) -> datetime:
            d = clock.after(date(2026, month, day), 1)
            h, m = hms if hms else (int(rng.integers(9, 17)), int(rng.integers(0, 60)))
            return datetime.combine(d, time(h, m))

        programs = pd.DataFrame(PROGRAMS, columns=["program_code", "program_name",
                                                   "max_amount_per_period", "period"])
        pays: list[dict] = []
        seq = [0]

        def pay(pid_prog: str, rid: str, name: str, acct: str, amount: float, label: str,
                at: datetime, staff: str, village: str | None = None) -> str:
            seq[0] += 1
            pid = f"BT2026{seq[0]:06d}"
            pays.append({"payment_id": pid, "program_code": pid_prog, "recipient_id": rid,
                         "recipient_name": name, "village": village or villages[0],
                         "bank_account": acct, "amount": round(float(amount), 2),
                         "period_label": label, "paid_at": pd.Timestamp(at),
                         "handled_by_staff_id": staff})
            return pid

        # ---- background recipients and their payments
        n = max(40, round(300 * ctx.scale))
        ids, names = fresh.resident_ids(n, born_from=date(1935, 1, 1)), fresh.names(n)
        prog_of = rng.choice(len(PROGRAMS), n, p=[0.45, 0.15, 0.25, 0.15])
        accts = [account() for _ in range(n)]
        # a few couples share one account (two recipients: a near miss of L05 by nature)
        for i in range(1, n, 37):
            if prog_of[i] == prog_of[i - 1]:
                accts[i] = accts[i - 1]
        dies = rng.random(n) < 0.05
        death_dates = [date(2026, 1, 15) + timedelta(int(rng.integers(0, 150))) for _ in range(n)]
        deaths: list[dict] = []
        for i in range(n):
            code, _, mx, period = PROGRAMS[prog_of[i]]
            standard = round(mx * float(rng.choice([0.5, 0.6, 0.75, 0.9, 1.0])), 0)
            staff = handlers[i % len(handlers)]
            village = villages[i % len(villages)]
            periods = ([(m, int(m[5:])) for m in MONTHS] if period == "月"
                       else list(QUARTERS))
            for label, month in periods:
                at = paid_at(month)
                if dies[i] and at.date() > death_dates[i]:
                    break
                pay(code, ids[i], names[i], accts[i], standard, label, at, staff, village)
            if dies[i]:
                deaths.append({"person_id": ids[i], "death_date": pd.Timestamp(death_dates[i]),
                               "registered_at": pd.Timestamp(death_dates[i] + timedelta(12))})
        for pid in fresh.resident_ids(max(5, round(40 * ctx.scale)), born_from=date(1930, 1, 1)):
            d = date(2025, 6, 1) + timedelta(int(rng.integers(0, 380)))
            deaths.append({"person_id": pid, "death_date": pd.Timestamp(d),
                           "registered_at": pd.Timestamp(d + timedelta(20))})

        planted: dict[str, dict[str, list[str]]] = {r: {"fires": [], "near_miss": []}
                                                     for r in RULES}
        k_copies = max(1, round(2 * ctx.scale))
        h0, h1 = handlers[0], handlers[min(1, len(handlers) - 1)]

        def person() -> tuple[str, str, str]:
            return fresh.resident_ids(1)[0], fresh.names(1)[0], account()

        for _ in range(k_copies):
            # L01: died 14 March; paid 15 March (fires) / died 10 April, paid that day (not)
            rid, nm, ac = person()
            deaths.append({"person_id": rid, "death_date": pd.Timestamp("2026-03-14"),
                           "registered_at": pd.Timestamp("2026-03-30 10:00")})
            pay("MZ-DB", rid, nm, ac, 600, "2026-02", paid_at(2), h0)
            fire = pay("MZ-DB", rid, nm, ac, 600, "2026-03",
                       datetime(2026, 3, 15, 10, 0), h0)  # a Sunday: day after death
            planted["L01"]["fires"].append(fire)
            rid, nm, ac = person()
            deaths.append({"person_id": rid, "death_date": pd.Timestamp("2026-04-10"),
                           "registered_at": pd.Timestamp("2026-04-20 10:00")})
            near = pay("MZ-DB", rid, nm, ac, 600, "2026-04", datetime(2026, 4, 10, 16, 30), h0)
            planted["L01"]["near_miss"].append(near)
            # ... and one who kept being paid for months after death (several payments)
            rid, nm, ac = person()
            deaths.append({"person_id": rid, "death_date": pd.Timestamp("2026-01-20"),
                           "registered_at": pd.Timestamp("2026-05-06 10:00")})
            for m in MONTHS[1:]:
                planted["L01"]["fires"].append(
                    pay("MZ-GL", rid, nm, ac, 200, m, paid_at(int(m[5:])), h1))

            # L02: two payments for March (fires) / April paid late in May beside May (not)
            rid, nm, ac = person()
            pay("MZ-DB", rid, nm, ac, 700, "2026-03", paid_at(3), h0)
            pay("MZ-DB", rid, nm, ac, 700, "2026-03", paid_at(3, 20), h1)
            planted["L02"]["fires"].append(f"{pseudonym(rid)}|MZ-DB|2026-03")
            rid, nm, ac = person()
            pay("MZ-DB", rid, nm, ac, 700, "2026-04", paid_at(5), h0)
            pay("MZ-DB", rid, nm, ac, 700, "2026-05", paid_at(5, 12), h0)
            pay("MZ-TK", rid, nm, ac, 900, "2026-05", paid_at(5), h0)
            planted["L02"]["near_miss"] += [f"{pseudonym(rid)}|MZ-DB|2026-04",
                                            f"{pseudonym(rid)}|MZ-DB|2026-05"]

            # L03: a cent above the standard (fires) / exactly the standard (not)
            rid, nm, ac = person()
            planted["L03"]["fires"].append(pay("MZ-DB", rid, nm, ac, 800.01, "2026-04",
                                               paid_at(4), h0))
            planted["L03"]["fires"].append(pay("CL-LX", rid, nm, ac, 900, "2026Q2",
                                               paid_at(4), h0))
            rid, nm, ac = person()
            planted["L03"]["near_miss"].append(pay("MZ-DB", rid, nm, ac, 800.00, "2026-04",
                                                   paid_at(4), h0))

        # L04: the handler paying themself and their declared relative (fires); another
        # staff member's relative paid by someone else (not)
        staff_by_id = {s["staff_id"]: s for s in world.staff}
        rel = ctx.frames.get("staff_relatives", pd.DataFrame(
            columns=["staff_id", "relative_id", "relation"]))
        for h in handlers[:k_copies + 1]:
            me = staff_by_id[h]
            planted["L04"]["fires"].append(pay(
                "MZ-GL", me["id_number"], me["staff_name"], account(), 150, "2026-05",
                paid_at(5), h))
            mine = rel[rel["staff_id"] == h]
            if len(mine):
                r = mine.iloc[0]
                planted["L04"]["fires"].append(pay(
                    "MZ-DB", r["relative_id"], fresh.names(1)[0], account(), 650, "2026-05",
                    paid_at(5), h))
        outsider = others[int(rng.integers(0, len(others)))]["staff_id"]
        theirs = rel[rel["staff_id"] == outsider]
        if len(theirs):
            r = theirs.iloc[0]
            planted["L04"]["near_miss"].append(pay(
                "MZ-DB", r["relative_id"], fresh.names(1)[0], account(), 650, "2026-05",
                paid_at(5), h0))

        # L05: three recipients on one account (fires; one row writes it with spaces) /
        # two recipients on one account, and three across two periods (not)
        for _ in range(k_copies):
            ac = account()
            for j in range(3):
                rid, nm, _ = person()
                shown = " ".join(ac[i:i + 4] for i in range(0, len(ac), 4)) if j == 2 else ac
                pay("MZ-DB", rid, nm, shown, 500, "2026-05", paid_at(5), h1)
            planted["L05"]["fires"].append(f"{pseudonym(ac)}|MZ-DB|2026-05")
            ac = account()
            for j in range(2):
                rid, nm, _ = person()
                pay("MZ-DB", rid, nm, ac, 500, "2026-06", paid_at(6), h1)
            rid, nm, _ = person()
            pay("MZ-DB", rid, nm, ac, 500, "2026-05", paid_at(5), h1)
            planted["L05"]["near_miss"] += [f"{pseudonym(ac)}|MZ-DB|2026-06",
                                            f"{pseudonym(ac)}|MZ-DB|2026-05"]

        # one payment whose recipient id fails the checksum: quarantined, never loaded
        good = fresh.resident_ids(1)[0]
        bad_id = good[:17] + ("0" if good[17] != "0" else "1")
        bad = {"payment_id": "BT2026BAD001", "program_code": "MZ-DB", "recipient_id": bad_id,
               "recipient_name": "某某", "village": villages[0], "bank_account": account(),
               "amount": "600.00", "period_label": "2026-01",
               "paid_at": "2026-01-12 10:00:00", "handled_by_staff_id": h0,
               "_problem": "recipient_id fails the GB 11643 checksum"}

        return FamilyRows(
            rows={"subsidy_programs": programs, "subsidy_payments": pd.DataFrame(pays),
                  "deaths": pd.DataFrame(deaths)},
            planted=planted, bad_rows={"subsidy_payments": [bad]})

    # ------------------------------------------------------------------ evaluate
    def evaluate(self, frames: dict[str, pd.DataFrame], ctx: DemoContext) -> Alerts:
        """rules.md L01–L05 in plain pandas over every payment (planted or not)."""
        pays = frames["subsidy_payments"].copy()
        pays["rid"] = pays["recipient_id"].map(_norm)
        pays["day"] = pd.to_datetime(pays["paid_at"]).dt.normalize()
        out: Alerts = {r: {} for r in RULES}

        deaths = frames.get("deaths", pd.DataFrame(columns=["person_id", "death_date"]))
        death = dict(zip(deaths["person_id"].map(_norm), pd.to_datetime(deaths["death_date"])))
        for pid, rid, day in zip(pays["payment_id"], pays["rid"], pays["day"]):
            if rid in death and day > death[rid]:
                out["L01"][pid] = "red"

        for (rid, prog, label), g in pays.groupby(["rid", "program_code", "period_label"]):
            if len(g) >= 2:
                out["L02"][f"{pseudonym(rid)}|{prog}|{label}"] = "red"

        progs = frames.get("subsidy_programs", pd.DataFrame(
            columns=["program_code", "max_amount_per_period"]))
        mx = dict(zip(progs["program_code"], progs["max_amount_per_period"]))
        for pid, prog, amount in zip(pays["payment_id"], pays["program_code"], pays["amount"]):
            if prog in mx and pd.notna(mx[prog]) and round(float(amount), 2) > round(
                    float(mx[prog]), 2):
                out["L03"][pid] = "yellow"

        links: dict[str, set[str]] = defaultdict(set)
        for s in frames["staff"].to_dict("records"):
            links[s["staff_id"]].add(_norm(s["id_number"]))
        rel = frames.get("staff_relatives")
        if rel is not None:
            for sid, rid in zip(rel["staff_id"], rel["relative_id"]):
                links[sid].add(_norm(rid))
        for pid, sid, rid in zip(pays["payment_id"], pays["handled_by_staff_id"], pays["rid"]):
            if isinstance(sid, str) and rid in links.get(sid, ()):
                out["L04"][pid] = "red"

        pays["acct"] = pays["bank_account"].map(pseudonym)
        for (acct, prog, label), g in pays.dropna(subset=["acct"]).groupby(
                ["acct", "program_code", "period_label"]):
            if g["rid"].nunique() >= 3:
                out["L05"][f"{acct}|{prog}|{label}"] = "red"
        return out


FAMILY = FundsFamily()
