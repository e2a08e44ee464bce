"""Family T (timeliness, 时效): rules T01–T09 — the planted cases and the oracle.

T violations are cases. ``plant_cases`` plants, through the case planter, for every
rule T01–T09 violations and near-threshold non-violations side by side, many of them
across the 2026 holidays and make-up working days, plus the rows the loader must
quarantine. ``evaluate_t_rules`` is the oracle: a plain-Python reading of
contract/rules.md applied to every loaded version and event of every case (independent
of the dbt SQL), so the ground truth lists everything the data implies.
``check_case_plants`` then proves that each planted case fires exactly the rules it was
planted for and that background cases fire nothing, and fails loudly if not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from ingest.sources import lawful_procedures
from synthetic.case_exports import REEXPORT_BUCKET
from synthetic.clock import AS_OF, Clock
from synthetic.planter import CasePlanter, Plant
from synthetic.world import CALENDAR_DAYS, INSTANT, PROMISED

RULES = tuple(f"T0{i}" for i in range(1, 10))
SEVERITY = {"T01": "red", "T02": "yellow", "T03": "info", "T04": "yellow", "T05": "yellow",
            "T06": "yellow", "T07": "yellow", "T08": "info", "T09": "red"}
EXTENSION_DAYS = 10
SUSPENSION_CAP_DAYS = 30
PRE_ACCEPTANCE_DAYS = 5
OPEN_STATUSES = ("已申请", "已受理", "办理中")


# --------------------------------------------------------------------------- planting


def plant_cases(p: CasePlanter) -> None:
    """Every planted T scenario. Item limits: A 20/10 工作日, B 10/5 工作日, N 15/10 自然日."""
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


# --------------------------------------------------------------------------- the oracle


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
    alerts: dict[str, dict[str, str]] = {r: {} for r in RULES}
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
            suspensions.append((e["event_at"], end, e.get("procedure_type") in lawful_procedures()))
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


def check_case_plants(alerts: dict[str, dict[str, str]], plants: dict[int, Plant],
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
        if got != {r for r in pl.fires if r in RULES}:
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
