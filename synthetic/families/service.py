"""Family S (service quality and citizen channels, 服务): rules S01–S06 — rows and oracle.

``FAMILY`` plugs into ``synthetic.district.generate_district`` (see ``synthetic.plugin``):

- background: reviews (好差评) for about a third of the completed cases, 12345 hotline
  tickets and 码上监督 QR feedback in proportion to the district (``ctx.scale``), with
  the usual share of bad reviews, late tickets and slow feedback, so the rules also fire
  on ordinary data (the ground truth comes from ``evaluate``, not from the plants);
- plants: for every rule, subjects built to fire exactly at the threshold and near
  misses one step below it (15 vs 16 working days across the 2026 May Day break and its
  make-up Saturday, 30 reviews with exactly 10% bad, 5 distinct cases within 30 vs 31
  days, three tickets within 60 vs 61 days, 5 vs 6 working days);
- ``evaluate``: a plain pandas reading of contract/rules.md over every row, independent
  of the dbt SQL.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

from ingest.sources import rating_labels
from synthetic.plugin import Alerts, DemoContext, FamilyRows
from synthetic.pseudonyms import pseudonym

RULES = ("S01", "S02", "S03", "S04", "S05", "S06")

# rules.md, S table (the dbt vars of the same names in dbt_project.yml)
BAD_RATING_MAX = 2
S01_LIMIT = 15
S02_WINDOW_DAYS, S02_MIN_REVIEWS, S02_MIN_BAD_SHARE = 90, 30, 0.1
S03_MIN_RATING, S03_MIN_CASES, S03_WINDOW_DAYS = 4, 5, 30
S05_MIN_TICKETS, S05_WINDOW_DAYS = 3, 60
S06_LIMIT, S06_RED = 5, ("吃拿卡要",)

REVIEW_COLUMNS = ["review_id", "case_id", "window_id", "staff_id", "rating", "reviewed_at",
                  "reviewer_phone", "device_id", "comment", "rectified_at", "reply"]
TICKET_COLUMNS = ["ticket_id", "created_at", "category", "dept_code", "caller_phone",
                  "address", "subject", "deadline_at", "responded_at", "closed_at",
                  "satisfaction"]
FEEDBACK_COLUMNS = ["feedback_id", "window_id", "submitted_at", "category", "content",
                    "contact_phone", "handled_at", "result"]

GOOD_COMMENTS = ["办事效率高，态度很好", "一次就办成了", "窗口人员耐心细致", "流程清楚，材料一次告知"]
BAD_COMMENTS = ["等了很久没人理", "材料要求前后不一致，跑了好几趟", "工作人员态度生硬", "电话一直打不通"]
REPLIES = ["已约谈当事窗口人员并回访申请人", "已整改：材料清单已统一公示", "已电话回访并致歉"]
TICKET_CATEGORIES = ["投诉", "举报", "求助", "咨询", "建议"]
TICKET_SUBJECTS = ["办事窗口排队时间长", "线上申报系统无法登录", "材料被要求重复提交",
                   "咨询办理流程", "建议增加周末服务", "道路破损", "噪音扰民"]
FEEDBACK_CATEGORIES = ["态度", "拖延", "多次跑", "其他", "吃拿卡要"]
FEEDBACK_WEIGHTS = [0.35, 0.3, 0.2, 0.14, 0.01]


def _at(d: date, hms: str = "10:00:00") -> datetime:
    return datetime.combine(d, time.fromisoformat(hms))


def _none(v: Any) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v)) or v == ""


def _rating(v: Any) -> int:
    return rating_labels()[v] if isinstance(v, str) and v in rating_labels() else int(v)


class ServiceFamily:
    name = "service (S01–S06)"
    rules = RULES

    # ------------------------------------------------------------------ plant

    def plant(self, ctx: DemoContext) -> FamilyRows:
        self.ctx, self.rng, self.clock = ctx, ctx.rng, ctx.clock
        self.reviews: list[dict] = []
        self.tickets: list[dict] = []
        self.feedback: list[dict] = []
        self.planted: dict[str, dict[str, list[str]]] = {r: {"fires": [], "near_miss": []}
                                                         for r in RULES}
        self.notes: list[dict] = []
        self.n_review = self.n_ticket = self.n_feedback = 0
        done = ctx.cases[(ctx.cases["status"] == "已办结") & ctx.cases["completed_at"].notna()
                         & ctx.cases["handler_staff_id"].notna()]
        self.done = done.sort_values("case_id").reset_index(drop=True)
        self.staff = pd.DataFrame(ctx.world.staff)
        self.windows = pd.DataFrame(ctx.world.windows)
        self.window_of_dept = self.windows.groupby("dept_code")["window_id"].first().to_dict()

        self._background_reviews()
        self._background_tickets()
        self._background_feedback()
        self._plant_s01()
        self._plant_s02()
        self._plant_s03()
        self._plant_s04()
        self._plant_s05()
        self._plant_s06()

        rows = {
            "reviews": self._frame(self.reviews, REVIEW_COLUMNS, ["reviewed_at", "rectified_at"]),
            "hotline_tickets": self._frame(self.tickets, TICKET_COLUMNS,
                                           ["created_at", "deadline_at", "responded_at",
                                            "closed_at"]),
            "qr_feedback": self._frame(self.feedback, FEEDBACK_COLUMNS,
                                       ["submitted_at", "handled_at"]),
        }
        rows["hotline_tickets"]["satisfaction"] = rows["hotline_tickets"]["satisfaction"].astype(
            "Int64")
        blank_review = {c: "" for c in REVIEW_COLUMNS}
        blank_ticket = {c: "" for c in TICKET_COLUMNS}
        bad = {
            "reviews": [
                {**blank_review, "review_id": "PJBAD0001", "staff_id": "G00001", "rating": "7",
                 "reviewed_at": "2026-03-02 10:00:00", "_problem": "rating 7 is not 1..5"},
                {**blank_review, "review_id": "PJBAD0002", "staff_id": "G00001", "rating": "5",
                 "reviewed_at": "", "_problem": "reviewed_at missing (required)"},
            ],
            "hotline_tickets": [
                {**blank_ticket, "ticket_id": "GDBAD0001", "created_at": "2026-01-05 09:00:00",
                 "category": "投诉", "dept_code": ctx.world.depts[1]["dept_code"],
                 "deadline_at": "", "_problem": "deadline_at missing (required)"},
            ],
        }
        return FamilyRows(rows=rows, planted=self.planted, bad_rows=bad, scenarios=self.notes)

    @staticmethod
    def _frame(rows: list[dict], columns: list[str], ts: list[str]) -> pd.DataFrame:
        df = pd.DataFrame(rows, columns=columns)
        for c in ts:
            df[c] = pd.to_datetime(df[c]).astype("datetime64[s]")
        return df.astype({c: object for c in columns if c not in ts})

    def _note(self, rule: str, subject: str, scenario: str, fires: bool) -> None:
        self.planted[rule]["fires" if fires else "near_miss"].append(subject)
        self.notes.append({"family": "S", "rule": rule, "subject_id": subject,
                           "scenario": scenario, "fires": fires})

    # ------------------------------------------------------------------ reviews

    def _review(self, **kw) -> dict:
        self.n_review += 1
        row = {c: None for c in REVIEW_COLUMNS}
        row["review_id"] = f"PJ2026{self.n_review:07d}"
        row.update(kw)
        self.reviews.append(row)
        return row

    def _background_reviews(self) -> None:
        rng, done = self.rng, self.done
        pick = done[rng.random(len(done)) < 0.35]
        n = len(pick)
        ratings = rng.choice([5, 4, 3, 2, 1], n, p=[0.66, 0.22, 0.07, 0.035, 0.015])
        lag_h = rng.integers(1, 96, n)
        labels = {v: k for k, v in rating_labels().items()}
        as_of_end = _at(self.ctx.as_of, "23:00:00")
        for (_, case), rating, lag in zip(pick.iterrows(), ratings, lag_h):
            at = (pd.Timestamp(case["completed_at"]) + pd.Timedelta(hours=int(lag))).to_pydatetime()
            if at > as_of_end:
                continue
            phone = case["applicant_phone"]
            device = None
            if _none(phone) or rng.random() < 0.25:
                # reviewed on the 政务服务 app: the device of that one submission
                phone, device = None, f"APP{rng.integers(16**9, 16**10):010x}"
            rating = int(rating)
            bad = rating <= BAD_RATING_MAX
            rectified = None
            if bad and rng.random() < 0.85:
                rectified = _at(self.clock.after(at.date(), int(rng.integers(1, 15))), "16:00:00")
                if rectified.date() > self.ctx.as_of:
                    rectified = None
            self._review(
                case_id=case["case_id"],
                window_id=case["window_id"] if not _none(case["window_id"]) else None,
                staff_id=case["handler_staff_id"] if rng.random() < 0.5 else None,
                rating=labels[rating] if rng.random() < 0.05 else rating,
                reviewed_at=at.replace(microsecond=0), reviewer_phone=phone, device_id=device,
                comment=str(rng.choice(BAD_COMMENTS if bad else GOOD_COMMENTS))
                if rng.random() < 0.4 else None,
                rectified_at=rectified,
                reply=str(rng.choice(REPLIES)) if rectified else None)

    def _case_of(self, staff_id: str | None = None, before: date | None = None,
                 exclude: set[str] = frozenset()) -> pd.Series:
        done = self.done
        m = ~done["case_id"].isin(exclude)
        if staff_id is not None:
            m &= done["handler_staff_id"] == staff_id
        if before is not None:
            m &= done["completed_at"].dt.date <= before
        cand = done[m]
        return cand.iloc[int(self.rng.integers(len(cand)))]

    def _plant_s01(self) -> None:
        clock, as_of = self.clock, self.ctx.as_of
        # Fri 24 Apr 2026 -> the May Day break (1-5 May off, Sat 9 May a make-up day)
        start = date(2026, 4, 24)
        for n, fires in ((S01_LIMIT + 1, True), (S01_LIMIT, False)):
            case = self._case_of(before=start)
            r = self._review(case_id=case["case_id"], window_id=case["window_id"], rating=1,
                             reviewed_at=_at(start, "09:30:00"), reviewer_phone=case["applicant_phone"],
                             comment=BAD_COMMENTS[1],
                             rectified_at=_at(clock.after(start, n), "17:00:00"),
                             reply=REPLIES[1])
            self._note("S01", r["review_id"], f"bad review rectified after {n} working days "
                       "across May Day", fires)
        # never rectified: measured to as_of, across the Dragon Boat break (19-21 June)
        for n, fires in ((S01_LIMIT + 1, True), (S01_LIMIT, False)):
            day = clock.before(as_of, n)
            case = self._case_of(before=day)
            r = self._review(case_id=case["case_id"], staff_id=case["handler_staff_id"],
                             rating=2, reviewed_at=_at(day, "15:00:00"),
                             device_id=f"APP{self.rng.integers(16**9, 16**10):010x}")
            self._note("S01", r["review_id"], f"bad review unrectified, {n} working days to "
                       "as_of", fires)

    def _quiet_staff(self) -> list[str]:
        """Staff members no background review is about (reviewers, approvers, heads)."""
        handlers = set(self.ctx.cases["handler_staff_id"].dropna())
        named = {r["staff_id"] for r in self.reviews if r["staff_id"]}
        return [s for s in self.staff["staff_id"] if s not in handlers and s not in named]

    def _plant_s02(self) -> None:
        as_of = self.ctx.as_of
        first = as_of - timedelta(S02_WINDOW_DAYS - 1)
        quiet = self._quiet_staff()
        dept_of = dict(zip(self.staff["staff_id"], self.staff["dept_code"]))
        plans = [  # (reviews in window, bad in window, extra bad just outside, fires, note)
            (30, 3, 0, True, "30 reviews in 90 days, exactly 10% bad"),
            (30, 2, 2, False, "30 reviews, 2 bad inside the window and 2 on as_of - 90"),
            (29, 3, 0, False, "29 reviews (one short), 3 bad"),
        ]
        for k, (n, n_bad, n_out, fires, note) in enumerate(plans):
            sid = quiet[k * 3 % len(quiet)]
            window = self.window_of_dept.get(dept_of[sid])
            days = [first + timedelta(int(i)) for i in
                    np.linspace(0, S02_WINDOW_DAYS - 1, n).round()]
            for j, d in enumerate(days):
                bad = j < n_bad
                self._review(staff_id=sid, window_id=window, rating=2 if bad else 5,
                             reviewed_at=_at(d, "11:00:00"),
                             device_id=f"PAD{self.rng.integers(16**9, 16**10):010x}",
                             rectified_at=_at(self.clock.after(d, 2), "16:00:00") if bad else None,
                             reply=REPLIES[2] if bad else None)
            for _ in range(n_out):
                d = first - timedelta(1)
                self._review(staff_id=sid, window_id=window, rating=1,
                             reviewed_at=_at(d, "11:00:00"),
                             device_id=f"PAD{self.rng.integers(16**9, 16**10):010x}",
                             rectified_at=_at(self.clock.after(d, 3), "16:00:00"))
            self._note("S02", sid, note, fires)

    def _plant_s03(self) -> None:
        start = date(2026, 5, 11)  # every praised case was completed before its review
        early = self.done[self.done["completed_at"].dt.date < start]
        counts = early.groupby("handler_staff_id").size()
        handlers = sorted(counts[counts >= 8].index)
        fresh_phones = self.ctx.fresh.phones(6)
        used: set[str] = set()

        def praise(sid: str, key_phone: str | None, device: str | None, offsets: list[int],
                   ratings: list[int] | None = None, cases: list[pd.Series] | None = None):
            cases = cases or []
            while len(cases) < len(offsets):
                c = self._case_of(staff_id=sid, exclude=used, before=start)
                used.add(c["case_id"])
                cases.append(c)
            for j, (off, case) in enumerate(zip(offsets, cases)):
                self._review(case_id=case["case_id"], window_id=case["window_id"],
                             rating=(ratings or [5] * len(offsets))[j],
                             reviewed_at=_at(start + timedelta(off), "14:20:00"),
                             reviewer_phone=key_phone, device_id=device,
                             comment=GOOD_COMMENTS[j % len(GOOD_COMMENTS)])
            return cases

        h = iter(handlers[::max(len(handlers) // 8, 1)])
        # fires: one phone praises 5 distinct cases of one handler, first to last 29 days
        sid, phone = next(h), fresh_phones[0]
        praise(sid, phone, None, [0, 7, 14, 21, 29])
        self._note("S03", f"{sid}|{pseudonym(phone)}", "5 distinct cases praised in 30 days", True)
        # fires: one tablet (no phone) praises 5 cases within 10 days, one case twice
        sid, device = next(h), "PAD-ZX-0007"
        cs = praise(sid, None, device, [0, 2, 4, 6, 8])
        praise(sid, None, device, [9], cases=[cs[0]])
        self._note("S03", f"{sid}|{pseudonym(device)}", "one device praises 5 cases in 9 days",
                   True)
        # near miss: 5 distinct cases, first to last 30 days (31 consecutive days)
        sid, phone = next(h), fresh_phones[1]
        praise(sid, phone, None, [0, 7, 14, 21, 30])
        self._note("S03", f"{sid}|{pseudonym(phone)}", "5 cases but over 31 days", False)
        # near miss: 5 reviews, 4 distinct cases
        sid, phone = next(h), fresh_phones[2]
        cs = praise(sid, phone, None, [0, 3, 6, 9])
        praise(sid, phone, None, [12], cases=[cs[1]])
        self._note("S03", f"{sid}|{pseudonym(phone)}", "5 praises of only 4 cases", False)
        # near miss: 5 cases, one of them rated 3 (基本满意)
        sid, phone = next(h), fresh_phones[3]
        praise(sid, phone, None, [0, 3, 6, 9, 12], ratings=[5, 4, 5, 3, 5])
        self._note("S03", f"{sid}|{pseudonym(phone)}", "5 cases, one rated 3", False)
        # near miss: the applicant praising their own case is left out (4 others remain)
        sid = next(h)
        own = self._case_of(staff_id=sid, exclude=used, before=start)
        while _none(own["applicant_phone"]):
            own = self._case_of(staff_id=sid, exclude=used, before=start)
        used.add(own["case_id"])
        phone = own["applicant_phone"]
        praise(sid, phone, None, [0, 3, 6, 9, 12], cases=[own])
        self._note("S03", f"{sid}|{pseudonym(phone)}",
                   "5 cases, one the reviewer's own application", False)

    # ------------------------------------------------------------------ tickets

    def _ticket(self, **kw) -> dict:
        self.n_ticket += 1
        row = {c: None for c in TICKET_COLUMNS}
        row["ticket_id"] = f"GD2026{self.n_ticket:07d}"
        row.update(kw)
        self.tickets.append(row)
        return row

    def _background_tickets(self) -> None:
        rng, clock, as_of = self.rng, self.clock, self.ctx.as_of
        n = max(round(2500 * self.ctx.scale), 20)
        depts = [d["dept_code"] for d in self.ctx.world.depts]
        pool = self.ctx.fresh.phones(max(n // 3, 10))
        days = [d for d in clock.days if date(2026, 1, 1) <= d <= as_of]
        for _ in range(n):
            d = days[int(rng.integers(len(days)))]
            created = _at(d, f"{int(rng.integers(8, 20)):02d}:{int(rng.integers(60)):02d}:00")
            deadline = _at(clock.after(d, int(rng.choice([3, 5, 10]))), "17:30:00")
            u = rng.random()
            if u < 0.05:  # late
                closed = deadline + timedelta(hours=int(rng.integers(1, 120)))
            elif u < 0.15 and (as_of - d).days <= 20:  # recent, still open
                closed = None
            else:
                closed = min(_at(clock.after(d, int(rng.integers(1, 3))), "16:00:00"), deadline)
            if closed is not None and closed.date() > as_of:
                closed = None
            responded = created + timedelta(hours=int(rng.integers(1, 8)))
            self._ticket(
                created_at=created, category=str(rng.choice(TICKET_CATEGORIES)),
                dept_code=depts[int(rng.integers(1, len(depts)))],
                caller_phone=pool[int(rng.integers(len(pool)))] if rng.random() < 0.97 else None,
                address="某街道某小区" if rng.random() < 0.3 else None,
                subject=str(rng.choice(TICKET_SUBJECTS)), deadline_at=deadline,
                responded_at=responded if responded.date() <= as_of else None, closed_at=closed,
                satisfaction=int(rng.integers(1, 6)) if closed is not None and rng.random() < .6
                else None)

    def _plant_s04(self) -> None:
        as_of, clock = self.ctx.as_of, self.clock
        dept = self.ctx.world.depts[2]["dept_code"]
        d = date(2026, 5, 18)
        deadline = _at(clock.after(d, 5), "17:30:00")
        for closed, fires, note in (
                (deadline + timedelta(minutes=1), True, "closed a minute after the deadline"),
                (deadline, False, "closed exactly at the deadline")):
            t = self._ticket(created_at=_at(d), category="投诉", dept_code=dept,
                             subject=TICKET_SUBJECTS[0], deadline_at=deadline, closed_at=closed)
            self._note("S04", t["ticket_id"], note, fires)
        for deadline, fires, note in (
                (_at(as_of, "17:30:00"), True, "open, deadline 17:30 on as_of"),
                (_at(as_of, "23:59:59"), False, "open, deadline the last second of as_of"),
                (_at(as_of + timedelta(1), "09:00:00"), False, "open, deadline the day after")):
            t = self._ticket(created_at=_at(clock.before(as_of, 3)), category="求助",
                             dept_code=dept, subject=TICKET_SUBJECTS[1], deadline_at=deadline)
            self._note("S04", t["ticket_id"], note, fires)

    def _plant_s05(self) -> None:
        depts = [d["dept_code"] for d in self.ctx.world.depts]
        dept, other = depts[3], depts[4]
        phones = self.ctx.fresh.phones(4)
        d0 = date(2026, 2, 2)
        far = _at(date(2026, 12, 31), "17:30:00")

        def series(phone, specs):
            for off, closed_off, dcode in specs:
                created = _at(d0 + timedelta(off), "09:15:00")
                closed = None if closed_off is None else _at(d0 + timedelta(closed_off), "16:00:00")
                self._ticket(created_at=created, category="投诉", dept_code=dcode,
                             caller_phone=phone, subject=TICKET_SUBJECTS[2], deadline_at=far,
                             closed_at=closed)

        # fires: first to third 59 days apart, the first closed before the third came in;
        # the second is recorded with the number written in groups
        p = phones[0]
        series(p, [(0, 2, dept)])
        series(f"{p[:3]} {p[3:7]} {p[7:]}", [(20, None, dept)])
        series(p, [(59, None, dept)])
        self._note("S05", f"{pseudonym(p)}|{dept}", "3 tickets within 60 days, one closed", True)
        # near miss: the third 60 days after the first (61 consecutive days)
        p = phones[1]
        series(p, [(0, 2, dept), (20, None, dept), (60, None, dept)])
        self._note("S05", f"{pseudonym(p)}|{dept}", "3 tickets over 61 days", False)
        # near miss: 3 tickets in 20 days, none closed before the third came in
        p = phones[2]
        series(p, [(0, 25, dept), (10, 25, dept), (20, 25, dept)])
        self._note("S05", f"{pseudonym(p)}|{dept}", "3 tickets, none closed yet", False)
        # near miss: 3 tickets of one caller, but to two departments
        p = phones[3]
        series(p, [(0, 2, dept), (10, None, other), (20, None, dept)])
        self._note("S05", f"{pseudonym(p)}|{dept}", "3 tickets to two departments", False)

    # ------------------------------------------------------------------ QR feedback

    def _fb(self, **kw) -> dict:
        self.n_feedback += 1
        row = {c: None for c in FEEDBACK_COLUMNS}
        row["feedback_id"] = f"MS2026{self.n_feedback:06d}"
        row.update(kw)
        self.feedback.append(row)
        return row

    def _background_feedback(self) -> None:
        rng, clock, as_of = self.rng, self.clock, self.ctx.as_of
        n = max(round(400 * self.ctx.scale), 10)
        windows = self.windows["window_id"].tolist()
        days = [d for d in clock.days if date(2026, 1, 1) <= d <= as_of]
        for _ in range(n):
            d = days[int(rng.integers(len(days)))]
            handled = _at(clock.after(d, int(rng.choice([1, 2, 3, 4, 5, 7], p=[
                .3, .25, .2, .1, .05, .1]))), "15:00:00")
            if handled.date() > as_of or rng.random() < 0.05:
                handled = None
            self._fb(window_id=windows[int(rng.integers(len(windows)))],
                     submitted_at=_at(d, f"{int(rng.integers(8, 18)):02d}:40:00"),
                     category=str(rng.choice(FEEDBACK_CATEGORIES, p=FEEDBACK_WEIGHTS)),
                     content="窗口人员离岗" if rng.random() < 0.3 else None,
                     contact_phone=self.ctx.fresh.phones(1)[0] if rng.random() < 0.4 else None,
                     handled_at=handled, result="已核实处理" if handled else None)

    def _plant_s06(self) -> None:
        clock, as_of = self.clock, self.ctx.as_of
        w = self.windows["window_id"].iloc[0]
        f = self._fb(window_id=w, submitted_at=_at(date(2026, 3, 10)), category="吃拿卡要",
                     content="办事要求给好处费", handled_at=_at(date(2026, 3, 10), "16:00:00"),
                     result="已移交纪检监察")
        self._note("S06", f["feedback_id"], "吃拿卡要, handled the same day: red", True)
        start = date(2026, 4, 29)  # across May Day (1-5 May off) and make-up Sat 9 May
        for n, fires in ((S06_LIMIT + 1, True), (S06_LIMIT, False)):
            f = self._fb(window_id=w, submitted_at=_at(start), category="态度",
                         handled_at=_at(clock.after(start, n), "17:00:00"), result="已约谈")
            self._note("S06", f["feedback_id"], f"handled after {n} working days", fires)
        for n, fires in ((S06_LIMIT + 1, True), (S06_LIMIT, False)):
            f = self._fb(window_id=w, submitted_at=_at(clock.before(as_of, n), "09:00:00"),
                         category="拖延")
            self._note("S06", f["feedback_id"], f"unhandled, {n} working days to as_of", fires)

    # ------------------------------------------------------------------ evaluate

    def evaluate(self, frames: dict[str, pd.DataFrame], ctx: DemoContext) -> Alerts:
        """rules.md S01–S06 over every row, current version per key (the last row)."""
        clock, as_of = ctx.clock, ctx.as_of
        as_of_end = _at(as_of, "23:59:59")
        cases = frames["cases"].drop_duplicates("case_id", keep="last").set_index("case_id")
        out: Alerts = {r: {} for r in RULES}

        reviews = frames.get("reviews", pd.DataFrame(columns=REVIEW_COLUMNS))
        reviews = reviews.drop_duplicates("review_id", keep="last")
        rev = []
        for r in reviews.to_dict("records"):
            case = cases.loc[r["case_id"]] if not _none(r["case_id"]) and \
                r["case_id"] in cases.index else None
            staff = r["staff_id"] if not _none(r["staff_id"]) else (
                None if case is None or _none(case["handler_staff_id"])
                else case["handler_staff_id"])
            rev.append({**r, "rating": _rating(r["rating"]), "staff": staff,
                        "day": pd.Timestamp(r["reviewed_at"]).date(),
                        "applicant_phone": None if case is None else case["applicant_phone"]})

        # S01
        for r in rev:
            if r["rating"] > BAD_RATING_MAX:
                continue
            to = as_of if _none(r["rectified_at"]) else pd.Timestamp(r["rectified_at"]).date()
            if clock.workdays(r["day"], to) > S01_LIMIT:
                out["S01"][r["review_id"]] = "yellow"

        # S02
        lo = as_of - timedelta(S02_WINDOW_DAYS - 1)
        per: dict[str, list[int]] = {}
        for r in rev:
            if r["staff"] is not None and lo <= r["day"] <= as_of:
                per.setdefault(r["staff"], []).append(r["rating"])
        for sid, ratings in per.items():
            bad = sum(x <= BAD_RATING_MAX for x in ratings)
            if len(ratings) >= S02_MIN_REVIEWS and bad / len(ratings) >= S02_MIN_BAD_SHARE:
                out["S02"][sid] = "yellow"

        # S03
        groups: dict[tuple[str, str], list[tuple[date, str]]] = {}
        for r in rev:
            key = r["reviewer_phone"] if not _none(r["reviewer_phone"]) else r["device_id"]
            if (r["rating"] < S03_MIN_RATING or _none(key) or r["staff"] is None
                    or _none(r["case_id"])):
                continue
            if not _none(r["reviewer_phone"]) and not _none(r["applicant_phone"]) and \
                    pseudonym(r["reviewer_phone"]) == pseudonym(r["applicant_phone"]):
                continue
            groups.setdefault((r["staff"], pseudonym(key)), []).append((r["day"], r["case_id"]))
        for (sid, key), items in groups.items():
            items.sort()
            for end_day, _ in items:
                inside = {c for d, c in items
                          if end_day - timedelta(S03_WINDOW_DAYS - 1) <= d <= end_day}
                if len(inside) >= S03_MIN_CASES:
                    out["S03"][f"{sid}|{key}"] = "red"
                    break

        # S04, S05
        tickets = frames.get("hotline_tickets", pd.DataFrame(columns=TICKET_COLUMNS))
        tickets = tickets.drop_duplicates("ticket_id", keep="last")
        calls: dict[tuple[str, str], list[tuple[datetime, Any]]] = {}
        for t in tickets.to_dict("records"):
            closed = None if _none(t["closed_at"]) else pd.Timestamp(t["closed_at"])
            deadline = pd.Timestamp(t["deadline_at"])
            if (closed is not None and closed > deadline) or (
                    closed is None and pd.Timestamp(as_of_end) > deadline):
                out["S04"][t["ticket_id"]] = "yellow"
            if not _none(t["caller_phone"]):
                calls.setdefault((pseudonym(t["caller_phone"]), t["dept_code"]), []).append(
                    (pd.Timestamp(t["created_at"]), closed))
        for (phone, dept), items in calls.items():
            for created, _ in items:
                earlier = [(c, cl) for c, cl in items if c < created
                           and (created.date() - c.date()).days <= S05_WINDOW_DAYS - 1]
                if len(earlier) >= S05_MIN_TICKETS - 1 and any(
                        cl is not None and cl <= created for _, cl in earlier):
                    out["S05"][f"{phone}|{dept}"] = "yellow"
                    break

        # S06
        feedback = frames.get("qr_feedback", pd.DataFrame(columns=FEEDBACK_COLUMNS))
        for f in feedback.drop_duplicates("feedback_id", keep="last").to_dict("records"):
            if f["category"] in S06_RED:
                out["S06"][f["feedback_id"]] = "red"
                continue
            to = as_of if _none(f["handled_at"]) else pd.Timestamp(f["handled_at"]).date()
            if clock.workdays(pd.Timestamp(f["submitted_at"]).date(), to) > S06_LIMIT:
                out["S06"][f["feedback_id"]] = "yellow"
        return out


FAMILY = ServiceFamily()
