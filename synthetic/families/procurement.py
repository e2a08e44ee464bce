"""Family P (public resource trading, 公共资源交易): rules P01–P07 — rows and oracle.

``plant`` adds, in proportion to the district (about 30 tenders per department and
year at scale 1, from January 2025 to the as_of month), background tenders with bids
and awards from a pool of bidder enterprises created here (registered in enterprises
and enterprise_persons with fresh people, so the background links nobody), then one
small scenario per rule: violations and near-threshold non-violations side by side.
``evaluate`` is an independent pandas reading of contract/rules.md over all rows.

Every tenth pool enterprise, and the enterprises of a few plants, are sole
proprietorships (个体工商户, credit code prefix 92): a person's business, whose code the
marts must not hold in clear text (outputs.md, Privacy). They bid and win like the rest
and fire P01, P05, P06 and P07, so the privacy scan of the demo (tests/test_privacy.py)
would catch a clear code leaking into a subject, evidence or fct_tenders; the subjects
built from their codes are pseudonyms (``enterprise_id``), as the warehouse computes.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from synthetic.identifiers import credit_code
from synthetic.plugin import Alerts, DemoContext, FamilyRows
from synthetic.pseudonyms import enterprise_id

RULES = ("P01", "P02", "P03", "P04", "P05", "P06", "P07")
SEVERITY = {"P01": "yellow", "P02": "yellow", "P03": "red", "P04": "yellow", "P05": "red",
            "P06": "red", "P07": "yellow"}
P01_PROCEDURES = ("公开招标", "邀请招标")
TENDER_THRESHOLD = 4_000_000
P03_MAX_SPREAD_RATIO = Decimal("0.01")
P03_PROGRESSION_TOLERANCE = Decimal("0.001")
CENT = Decimal("0.01")
WINDOW_DAYS = 30
MIN_BIDDING_DAYS = 20
PROCEDURES = np.array(["公开招标", "邀请招标", "竞争性谈判", "询价", "单一来源", "直接发包"])
PROCEDURE_P = np.array([0.5, 0.1, 0.15, 0.15, 0.07, 0.03])
SOLE_EVERY = 10  # every 10th pool enterprise is a sole proprietorship (code prefix 92)
TRADES = ("办公设备采购", "物业服务", "道路维修工程", "信息系统运维", "绿化养护", "食堂服务",
          "印刷服务", "安保服务", "车辆维修", "档案数字化")


@dataclass
class _Book:
    """Rows under construction, with running numbers for ids and machine ids."""

    buyer_depts: list[str]
    tenders: list[dict] = field(default_factory=list)
    bids: list[dict] = field(default_factory=list)
    awards: list[dict] = field(default_factory=list)
    enterprises: list[dict] = field(default_factory=list)
    persons: list[dict] = field(default_factory=list)
    n_tender: int = 0
    n_machine: int = 0

    def tender_id(self, year: int) -> str:
        self.n_tender += 1
        return f"ZB{year}-{self.n_tender:05d}"

    def machine(self) -> tuple[str, str, str]:
        self.n_machine += 1
        n = self.n_machine
        ip = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        mac = "02-" + "-".join(f"{(n >> s) & 255:02X}" for s in (32, 24, 16, 8, 0))
        return ip, mac, f"JQM{n:08X}"

    def tender(self, buyer: str, procedure: str, value: float, published: datetime,
               days: int, name: str) -> dict:
        t = {"tender_id": self.tender_id(published.year), "buyer_dept_code": buyer,
             "project_name": name, "procedure_type": procedure,
             "ceiling_price": float(value), "estimated_value": float(value),
             "published_at": published, "bid_deadline_at": published.replace(
                 hour=9, minute=30, second=0) + timedelta(days=days),
             "is_key_project": False}
        self.tenders.append(t)
        return t

    def bid(self, t: dict, bidder: dict, price: float, *, ip=None, mac=None, creator=None,
            phone: str | None | bool = True) -> None:
        m_ip, m_mac, m_creator = self.machine()
        self.bids.append({
            "tender_id": t["tender_id"], "bidder_uscc": bidder["uscc"],
            "bid_price": float(price),
            "submitted_at": t["bid_deadline_at"] - timedelta(minutes=30 + len(self.bids) % 50),
            "file_ip": m_ip if ip is None else ip, "file_mac": m_mac if mac is None else mac,
            "file_creator_id": m_creator if creator is None else creator,
            "contact_phone": bidder["contact_phone"] if phone is True else (phone or None)})

    def award(self, t: dict, winner: dict, price: float, days_after: int = 3) -> None:
        at = t["bid_deadline_at"].replace(hour=15, minute=0) + timedelta(days=days_after)
        self.awards.append({"tender_id": t["tender_id"], "winner_uscc": winner["uscc"],
                            "award_price": float(price), "awarded_at": at,
                            "contract_signed_at": at + timedelta(days=10)})


class ProcurementFamily:
    name = "procurement"
    rules = RULES

    # ------------------------------------------------------------------ plant

    def plant(self, ctx: DemoContext) -> FamilyRows:
        depts = [d["dept_code"] for d in ctx.world.depts]
        book = _Book(depts)
        as_of_end = datetime.combine(ctx.as_of, datetime.min.time())

        pool = self._enterprises(ctx, book, max(40, round(400 * ctx.scale)),
                                 sole_every=SOLE_EVERY)
        self._background(ctx, book, pool, as_of_end)
        planted: dict[str, dict[str, list[str]]] = {r: {"fires": [], "near_miss": []}
                                                    for r in self.rules}
        notes: list[dict] = []
        self._plant_scenarios(ctx, book, planted, notes)

        bad = self._bad_rows(book)
        rows = {
            "tenders": pd.DataFrame(book.tenders),
            "bids": pd.DataFrame(book.bids),
            "awards": pd.DataFrame(book.awards),
            "enterprises": pd.DataFrame(book.enterprises),
            "enterprise_persons": pd.DataFrame(book.persons),
        }
        for src, col in (("tenders", "published_at"), ("tenders", "bid_deadline_at"),
                         ("bids", "submitted_at"), ("awards", "awarded_at"),
                         ("awards", "contract_signed_at"), ("enterprises", "registered_at")):
            rows[src][col] = pd.to_datetime(rows[src][col]).astype("datetime64[s]")
        return FamilyRows(rows=rows, planted=planted, bad_rows=bad, scenarios=notes)

    def _enterprises(self, ctx: DemoContext, book: _Book, n: int,
                     legal_reps: list[str] | None = None, sole_every: int = 0) -> list[dict]:
        """n bidder enterprises with a fresh legal representative and shareholder each.
        With sole_every = m, every m-th is a sole proprietorship instead (its operator
        as legal representative, no shareholder); m = 1 makes them all so."""
        fresh, rng = ctx.fresh, ctx.rng
        codes = fresh.credit_codes(n)
        reps = legal_reps or fresh.resident_ids(n)
        holders = fresh.resident_ids(n)
        phones = fresh.phones(n)
        out = []
        for k, (code, rep, holder, phone) in enumerate(zip(codes, reps, holders, phones)):
            sole = sole_every > 0 and k % sole_every == sole_every - 1
            if sole:
                # the same region and organisation body under kind 92 (checksums
                # recomputed): no extra random draw, so the rest of the district is
                # the same as without sole proprietorships
                code = credit_code("92", code[2:8], code[8:16])
                fresh.used.add(code)
            trade = TRADES[k % len(TRADES)][:2]
            e = {"uscc": code,
                 "name": f"重庆{trade}{code[-6:]}{'经营部' if sole else '有限公司'}",
                 "legal_rep_id": rep,
                 "registered_at": pd.Timestamp("2005-01-01") + pd.Timedelta(
                     days=int(rng.integers(0, 6500))),
                 "contact_phone": phone}
            book.enterprises.append(e)
            book.persons.append({"uscc": code, "person_id": rep, "role": "法定代表人",
                                 "share_ratio": None})
            if not sole:
                book.persons.append({"uscc": code, "person_id": holder, "role": "股东",
                                     "share_ratio": 0.6})
            out.append(e)
        return out

    def _background(self, ctx: DemoContext, book: _Book, pool: list[dict],
                    as_of_end: datetime) -> None:
        rng = ctx.rng
        start = datetime(2025, 1, 1)
        span_days = (as_of_end - start).days - 45
        years = span_days / 365
        n = round(len(book.buyer_depts) * 30 * years * ctx.scale)
        procs = rng.choice(PROCEDURES, n, p=PROCEDURE_P)
        buyers = rng.choice(np.array(book.buyer_depts), n)
        for k in range(n):
            proc = str(procs[k])
            published = start + timedelta(days=int(rng.integers(0, span_days)),
                                          hours=int(rng.integers(9, 17)))
            if proc == "公开招标":
                value = round(float(rng.uniform(1e6, 3e7)), -3)
                days = int(rng.integers(20, 46))
                n_bids = int(rng.integers(3, 9))
            else:
                value = round(float(rng.uniform(5e4, 1.8e6)), -3)
                days = int(rng.integers(5, 21))
                n_bids = {"邀请招标": int(rng.integers(3, 7)), "单一来源": 1,
                          "直接发包": 1}.get(proc, int(rng.integers(3, 6)))
            t = book.tender(str(buyers[k]), proc, value, published, days,
                            f"{TRADES[k % len(TRADES)]}项目")
            bidders = rng.choice(len(pool), n_bids, replace=False)
            prices = np.round(value * rng.uniform(0.75, 0.99, n_bids), -2)
            for b, price in zip(bidders, prices):
                book.bid(t, pool[int(b)], price,
                         phone=True if rng.random() > 0.1 else None)
            awarded_at = t["bid_deadline_at"] + timedelta(days=10)
            if awarded_at <= as_of_end and rng.random() < 0.95:
                best = int(np.argmin(prices))
                book.award(t, pool[int(bidders[best])], prices[best],
                           days_after=int(rng.integers(1, 10)))

    def _plant_scenarios(self, ctx: DemoContext, book: _Book, planted, notes) -> None:
        rng, world = ctx.rng, ctx.world
        depts = book.buyer_depts
        # clean bidders only the plants use (no background tender shares them)
        clean = self._enterprises(ctx, book, 24)

        def at(day: str) -> datetime:
            return datetime.fromisoformat(day + " 09:00:00")

        def plain(buyer: str, proc: str, value: float, day: str, days: int = 25,
                  prices=(0.80, 0.86, 0.95), bidders=None, award: bool = True,
                  winner: dict | None = None, name: str = "项目") -> dict:
            t = book.tender(buyer, proc, value, at(day), days, name)
            chosen = bidders or [clean[int(i)] for i in rng.choice(len(clean), len(prices),
                                                                   replace=False)]
            for b, p in zip(chosen, prices):
                book.bid(t, b, round(value * p, -2))
            if award:
                w = winner or chosen[0]
                book.award(t, w, round(value * prices[0], -2))
            return t

        def note(rule: str, kind: str, subject: str, scenario: str) -> None:
            planted[rule][kind].append(subject)
            notes.append({"rule": rule, "subject_id": subject, "scenario": scenario,
                          "planted": kind})

        d = depts
        # P01: one bid in 公开招标 / 邀请招标 fires; two bids, or one in 单一来源, does not
        t = plain(d[3], "公开招标", 2e6, "2025-05-06", prices=(0.9,))
        note("P01", "fires", t["tender_id"], "公开招标 with one bid")
        t = plain(d[4], "邀请招标", 1e6, "2025-05-07", prices=(0.9,))
        note("P01", "fires", t["tender_id"], "邀请招标 with one bid")
        t = plain(d[3], "公开招标", 2e6, "2025-05-08", prices=(0.9, 0.95))
        note("P01", "near_miss", t["tender_id"], "公开招标 with two bids")
        t = plain(d[4], "单一来源", 1e6, "2025-05-09", prices=(0.9,))
        note("P01", "near_miss", t["tender_id"], "单一来源 with one bid")

        # P02: shared machine ids, phone, legal representative; not across tenders
        for attr, scenario in (("mac", "two bidders' files from one MAC"),
                               ("ip", "two bidders' files from one IP"),
                               ("creator", "two bidders' files by one machine code"),
                               ("phone", "two bidders give one phone (written with spaces)")):
            t = book.tender(d[5], "公开招标", 3e6, at("2025-06-02"), 25, "串标项目")
            a, b, c = clean[0], clean[1], clean[2]
            ip, mac, creator = book.machine()
            book.bid(t, a, 2.70e6, **{attr: {"ip": ip, "mac": mac, "creator": creator,
                                             "phone": "13912345678"}[attr]})
            book.bid(t, b, 2.76e6, **{attr: {"ip": ip, "mac": mac, "creator": creator,
                                             "phone": "139 1234 5678"}[attr]})
            book.bid(t, c, 2.88e6)
            book.award(t, a, 2.70e6)
            note("P02", "fires", t["tender_id"], scenario)
        twins = self._enterprises(ctx, book, 2, legal_reps=ctx.fresh.resident_ids(1) * 2)
        t = plain(d[5], "公开招标", 3e6, "2025-06-03", prices=(0.8, 0.87, 0.93),
                  bidders=[twins[0], twins[1], clean[3]])
        note("P02", "fires", t["tender_id"], "two bidders with one legal representative")
        shared_ip = "10.250.0.1"
        for k in range(2):  # one IP in two different tenders, once each: no link
            t = book.tender(d[5], "公开招标", 3e6, at(f"2025-06-0{4 + k}"), 25, "项目")
            book.bid(t, clean[4 + k], 2.7e6, ip=shared_ip)
            book.bid(t, clean[6 + k], 2.8e6)
            book.bid(t, clean[8 + k], 2.95e6)
            book.award(t, clean[4 + k], 2.7e6)
            note("P02", "near_miss", t["tender_id"], "an IP shared only across tenders")
        t = book.tender(d[5], "公开招标", 3e6, at("2025-06-06"), 25, "项目")
        for b, p in zip(clean[10:13], (2.6e6, 2.75e6, 2.9e6)):
            book.bid(t, b, p, ip="", mac="", creator="", phone=None)
        book.award(t, clean[10], 2.6e6)
        note("P02", "near_miss", t["tender_id"], "bids without any file id or phone")

        # P03: spread just under 1%, progression at the tolerance; exactly 1%, just outside
        for prices, kind, scenario in (
                ((100000, 100500, 100990), "fires", "spread 0.99%"),
                ((100000, 109990, 120000), "fires", "gaps 9990/10010: deviation = 0.001 x mean"),
                ((500000, 520000, 540000, 560000), "fires", "four bids in exact progression"),
                ((100000, 100900, 101000), "near_miss", "spread exactly 1%"),
                ((100000, 109989, 120000), "near_miss", "gaps 9989/10011: just outside"),
                ((100000, 100100), "near_miss", "two bids only")):
            t = book.tender(d[6], "公开招标", 600000, at("2025-07-01"), 25, "报价项目")
            for b, p in zip(clean[13:], prices):
                book.bid(t, b, p)
            book.award(t, clean[13], prices[0])
            note("P03", kind, t["tender_id"], scenario)

        # P04: 19 days fires; exactly 20 does not; a short 邀请招标 is not 公开招标
        for proc, days, kind, scenario in (("公开招标", 19, "fires", "19 days"),
                                           ("公开招标", 20, "near_miss", "exactly 20 days"),
                                           ("邀请招标", 10, "near_miss", "邀请招标, 10 days")):
            t = plain(d[7], proc, 2e6, "2025-07-07", days=days)
            note("P04", kind, t["tender_id"], scenario)

        # P05: two 询价 tenders of one buyer and winner; 29 vs 30 days apart; exactly the
        # threshold together vs one yuan below
        for gap, values, kind, scenario in (
                (29, (2_100_000, 1_900_000), "fires", "29 days apart, together 4,000,000"),
                (30, (2_100_000, 1_900_000), "near_miss", "30 days apart"),
                (10, (2_100_000, 1_899_999), "near_miss", "together 3,999,999")):
            winner = self._enterprises(ctx, book, 1)[0]
            buyer = d[8]
            first = datetime(2025, 8, 1, 9)
            for k, value in enumerate(values):
                day = (first + timedelta(days=gap * k)).strftime("%Y-%m-%d")
                proc = "询价" if k == 0 else "竞争性谈判"
                plain(buyer, proc, value, day, days=7, prices=(0.9, 0.95, 0.97),
                      bidders=[winner, clean[16], clean[17]])
            note("P05", kind, f"{buyer}|{enterprise_id(winner['uscc'])}", scenario)

        # P06: staff member of the buyer as shareholder; relative as legal representative;
        # a staff member of another department; a linked bidder that loses
        staff = pd.DataFrame(world.staff)
        relatives = ctx.frames["staff_relatives"]
        buyer = d[9]
        own = staff[staff["dept_code"] == buyer].iloc[0]
        other = staff[staff["dept_code"] != buyer].iloc[0]
        rel = relatives[relatives["staff_id"].isin(
            staff.loc[staff["dept_code"] == buyer, "staff_id"])].iloc[0]
        linked = self._enterprises(ctx, book, 4)
        book.persons.append({"uscc": linked[0]["uscc"], "person_id": own["id_number"],
                             "role": "股东", "share_ratio": 0.3})
        linked[1]["legal_rep_id"] = rel["relative_id"]
        for p in book.persons:
            if p["uscc"] == linked[1]["uscc"] and p["role"] == "法定代表人":
                p["person_id"] = rel["relative_id"]
        book.persons.append({"uscc": linked[2]["uscc"], "person_id": other["id_number"],
                             "role": "监事", "share_ratio": None})
        book.persons.append({"uscc": linked[3]["uscc"], "person_id": own["id_number"],
                             "role": "高管", "share_ratio": None})
        for e, kind, scenario, winner_first in (
                (linked[0], "fires", "the buyer's staff member is a shareholder", True),
                (linked[1], "fires", "a staff relative is the legal representative", True),
                (linked[2], "near_miss", "staff of another department", True),
                (linked[3], "near_miss", "linked bidder loses", False)):
            others = [clean[18], clean[19]]
            bidders = [e] + others if winner_first else others + [e]
            t = plain(buyer, "公开招标", 2e6, "2025-09-01", prices=(0.8, 0.87, 0.93),
                      bidders=bidders)
            note("P06", kind, t["tender_id"], scenario)

        # P07 (year 2024, no other tenders): 3 of 6 (50%) and 3 of 5 fire; 4 of 4 (only 4
        # tenders) and 3 of 7 do not
        for buyer, n, wins, kind, scenario in (
                (d[10], 6, 3, "fires", "3 of 6 awarded tenders (exactly 50%)"),
                (d[11], 5, 3, "fires", "3 of exactly 5 awarded tenders"),
                (d[12], 4, 4, "near_miss", "all 4 of only 4 awarded tenders"),
                (d[13], 7, 3, "near_miss", "3 of 7 awarded tenders (43%)")):
            top = self._enterprises(ctx, book, 1)[0]
            rest = self._enterprises(ctx, book, n - wins)
            for k in range(n):
                winner = top if k < wins else rest[k - wins]
                plain(buyer, "公开招标", 1e6, f"2024-{k + 2:02d}-03", prices=(0.8, 0.86, 0.93),
                      bidders=[winner, clean[20 + k % 2], clean[22 + k % 2]])
            note("P07", kind, f"{buyer}|{enterprise_id(top['uscc'])}|2024", scenario)

        # Sole proprietorships (个体工商户) firing the rules whose subject or evidence
        # carries a credit code: the warehouse must show them only as pseudonyms
        sole = self._enterprises(ctx, book, 3, sole_every=1)
        t = plain(d[3], "公开招标", 2e6, "2025-05-12", prices=(0.9,), bidders=[sole[0]])
        note("P01", "fires", t["tender_id"], "公开招标 with one bid, by a sole proprietorship")
        for k, value in enumerate((2_100_000, 1_900_000)):
            plain(d[8], "询价", value, f"2025-10-{1 + 10 * k:02d}", days=7,
                  prices=(0.9, 0.95, 0.97), bidders=[sole[1], clean[16], clean[17]])
        note("P05", "fires", f"{d[8]}|{enterprise_id(sole[1]['uscc'])}",
             "two 询价 tenders won by a sole proprietorship, 10 days apart")
        rest = self._enterprises(ctx, book, 2)
        for k in range(5):
            winner = sole[2] if k < 3 else rest[k - 3]
            plain(d[14], "公开招标", 1e6, f"2024-{k + 2:02d}-03", prices=(0.8, 0.86, 0.93),
                  bidders=[winner, clean[20 + k % 2], clean[22 + k % 2]])
        note("P07", "fires", f"{d[14]}|{enterprise_id(sole[2]['uscc'])}|2024",
             "a sole proprietorship wins 3 of 5 awarded tenders")
        operated = self._enterprises(ctx, book, 1, legal_reps=[own["id_number"]],
                                     sole_every=1)[0]
        t = plain(d[9], "公开招标", 2e6, "2025-09-02", prices=(0.8, 0.87, 0.93),
                  bidders=[operated, clean[18], clean[19]])
        note("P06", "fires", t["tender_id"],
             "the buyer's staff member runs the winning sole proprietorship")

        # Cent-valued boundaries, exact only in decimal arithmetic (planted last, so the
        # ids of the scenarios above stay as they were).
        # P03: 4094807.65 - 4054265.00 is exactly 1% of 4054265.00 (below 1% in floating
        # point); one cent less is inside
        for prices, kind, scenario in (
                ((4054265.00, 4060000.00, 4094807.65), "near_miss", "spread exactly 1%, cents"),
                ((4054265.00, 4060000.00, 4094807.64), "fires", "spread 1% less one cent")):
            t = book.tender(d[6], "公开招标", 4_500_000, at("2025-07-02"), 25, "报价项目")
            for b, p in zip(clean[13:], prices):
                book.bid(t, b, p)
            book.award(t, clean[13], prices[0])
            note("P03", kind, t["tender_id"], scenario)
        # P05: three tenders of exactly 4,000,000.00 together (3999999.9999999995 in
        # floating point); the same with a cent less. Winners from the clean bidders, who
        # win nothing else at this buyer.
        for values, winner, kind, scenario in (
                ((2129663.26, 1003148.86, 867187.88), clean[20], "fires",
                 "three tenders together exactly 4,000,000.00"),
                ((2129663.26, 1003148.86, 867187.87), clean[21], "near_miss",
                 "three tenders together 3,999,999.99")):
            for k, (value, proc) in enumerate(zip(values, ("询价", "竞争性谈判", "单一来源"))):
                day = (datetime(2025, 8, 1, 9) + timedelta(days=10 * k)).strftime("%Y-%m-%d")
                plain(d[8], proc, value, day, days=7, prices=(0.9, 0.95, 0.97),
                      bidders=[winner, clean[16], clean[17]])
            note("P05", kind, f"{d[8]}|{winner['uscc']}", scenario)

    @staticmethod
    def _bad_rows(book: _Book) -> dict[str, list[dict[str, str]]]:
        good = book.bids[0]
        broken = good["bidder_uscc"][:-1] + ("0" if good["bidder_uscc"][-1] != "0" else "1")
        row = {"tender_id": good["tender_id"], "bidder_uscc": broken, "bid_price": "1000.00",
               "submitted_at": "", "file_ip": "", "file_mac": "", "file_creator_id": "",
               "contact_phone": "", "_problem": "bidder_uscc fails its checksum"}
        return {"bids": [row]}

    # ------------------------------------------------------------------ evaluate

    def evaluate(self, frames: dict[str, pd.DataFrame], ctx: DemoContext) -> Alerts:
        tenders = frames["tenders"].drop_duplicates("tender_id", keep="last")
        bids = frames["bids"].drop_duplicates(["tender_id", "bidder_uscc"], keep="last")
        awards = frames["awards"].drop_duplicates("tender_id", keep="last")
        ents = frames["enterprises"].drop_duplicates("uscc", keep="last")
        persons = frames["enterprise_persons"]
        staff = frames["staff"]
        relatives = frames["staff_relatives"]
        out: Alerts = {r: {} for r in self.rules}

        def fire(rule: str, subject: str) -> None:
            out[rule][subject] = SEVERITY[rule]

        # P01
        counts = bids.groupby("tender_id").size()
        for tid, proc in zip(tenders["tender_id"], tenders["procedure_type"]):
            if proc in P01_PROCEDURES and counts.get(tid, 0) == 1:
                fire("P01", tid)

        # P02: values shared by >= 2 distinct bidders of one tender
        def norm(v):
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                return None
            v = re.sub(r"\s", "", str(v)).upper()
            return v or None

        rep = dict(zip(ents["uscc"], ents["legal_rep_id"]))
        seen: dict[tuple, set] = {}
        for rec in bids.to_dict("records"):
            values = {"ip": rec.get("file_ip"), "mac": rec.get("file_mac"),
                      "creator": rec.get("file_creator_id"), "phone": rec.get("contact_phone"),
                      "rep": rep.get(rec["bidder_uscc"])}
            for attr, v in values.items():
                v = (str(v).strip() or None) if attr in ("ip", "mac", "creator") and \
                    isinstance(v, str) else norm(v)
                if v:
                    seen.setdefault((rec["tender_id"], attr, v), set()).add(rec["bidder_uscc"])
        for (tid, _, _), who in seen.items():
            if len(who) >= 2:
                fire("P02", tid)

        # P03, in decimals (as the warehouse compares them): a spread of exactly 1% to the
        # cent is not below 1%
        for tid, prices in bids.dropna(subset=["bid_price"]).groupby("tender_id")["bid_price"]:
            p = sorted(_cents(x) for x in prices)
            if len(p) < 3:
                continue
            lo, hi = p[0], p[-1]
            r = hi - lo
            tight = r < P03_MAX_SPREAD_RATIO * lo
            gaps = [b - a for a, b in itertools.pairwise(p)]
            prog = r > 0 and all(abs(g * (len(p) - 1) - r) <= P03_PROGRESSION_TOLERANCE * r
                                 for g in gaps)
            if tight or prog:
                fire("P03", tid)

        # P04
        pub = pd.to_datetime(tenders["published_at"]).dt.normalize()
        dl = pd.to_datetime(tenders["bid_deadline_at"]).dt.normalize()
        short = (tenders["procedure_type"] == "公开招标") & ((dl - pub).dt.days < MIN_BIDDING_DAYS)
        for tid in tenders.loc[short.fillna(False), "tender_id"]:
            fire("P04", tid)

        # P05, in decimals: cent-valued tenders can sum to exactly the threshold
        ta = tenders.merge(awards, on="tender_id")
        ta = ta[ta["estimated_value"].notna()].copy()
        ta["value"] = [_cents(v) for v in ta["estimated_value"]]
        ta = ta[(ta["procedure_type"] != "公开招标") & (ta["value"] < TENDER_THRESHOLD)
                & ta["published_at"].notna() & ta["winner_uscc"].notna()].copy()
        ta["day"] = pd.to_datetime(ta["published_at"]).dt.normalize()
        for (buyer, winner), g in ta.groupby(["buyer_dept_code", "winner_uscc"]):
            days = g["day"].tolist()
            vals = g["value"].tolist()
            for d0 in days:
                inside = [v for d, v in zip(days, vals)
                          if d >= d0 and (d - d0).days <= WINDOW_DAYS - 1]
                if len(inside) >= 2 and sum(inside) >= TENDER_THRESHOLD:
                    fire("P05", f"{buyer}|{enterprise_id(winner)}")
                    break

        # P06
        ent_people: dict[str, set] = {}
        for u, pid in zip(ents["uscc"], ents["legal_rep_id"]):
            if norm(pid):
                ent_people.setdefault(u, set()).add(norm(pid))
        for u, pid in zip(persons["uscc"], persons["person_id"]):
            if norm(pid):
                ent_people.setdefault(u, set()).add(norm(pid))
        staff_dept = dict(zip(staff["staff_id"], staff["dept_code"]))
        dept_people: dict[str, set] = {}
        for sid, pid in zip(staff["staff_id"], staff["id_number"]):
            dept_people.setdefault(staff_dept[sid], set()).add(norm(pid))
        for sid, pid in zip(relatives["staff_id"], relatives["relative_id"]):
            if sid in staff_dept:
                dept_people.setdefault(staff_dept[sid], set()).add(norm(pid))
        buyer_of = dict(zip(tenders["tender_id"], tenders["buyer_dept_code"]))
        for tid, winner in zip(awards["tender_id"], awards["winner_uscc"]):
            buyer = buyer_of.get(tid)
            if buyer and ent_people.get(winner, set()) & dept_people.get(buyer, set()):
                fire("P06", tid)

        # P07
        aw = awards[awards["awarded_at"].notna()].merge(
            tenders[["tender_id", "buyer_dept_code"]], on="tender_id")
        aw["year"] = pd.to_datetime(aw["awarded_at"]).dt.year
        totals = aw.groupby(["buyer_dept_code", "year"]).size()
        for (buyer, winner, year), won in aw.groupby(
                ["buyer_dept_code", "winner_uscc", "year"]).size().items():
            total = totals[(buyer, year)]
            if total >= 5 and won >= 0.5 * total:
                fire("P07", f"{buyer}|{enterprise_id(winner)}|{year}")
        return out


def _cents(value) -> Decimal:
    """A money value as the exact decimal(18, 2) the warehouse loads: the CSV carries the
    float's shortest repr (4094807.65), which is the cent value written."""
    return Decimal(str(value)).quantize(CENT)


FAMILY = ProcurementFamily()
