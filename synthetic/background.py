"""Clean background cases, vectorised: the bulk of the district, on which no rule fires.

``background_cases(rng, n, world, clock)`` draws n cases of the demo half-year with
numpy: accepted within 0–2 working days, completed well inside the promised limit, at
most one correction notice, short lawful suspensions only; some open, pending, refused,
returned or withdrawn. It returns the case rows (one per case, in their final state,
with ``t_mid`` / ``t_end`` the moments the case changed state) and their events, both
keyed by a running ``key`` (case ids are given later, by submission day). The demo puts
its planted cases beside them; the volume generator (``synthetic.scale``) uses them alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.clock import AS_OF, PERIOD_START, Clock
from synthetic.world import CALENDAR_DAYS, INSTANT, District

# What becomes of a background case.
COMPLETED, OPEN, PENDING, REFUSED, RETURNED, WITHDRAWN_PRE, WITHDRAWN_POST = range(7)
# Suspensions of background cases: lawful (ingest.sources.lawful_procedures()) and short.
BACKGROUND_SUSPENSIONS = ("检验", "检测", "现场勘查", "专家评审", "公示", "鉴定", "听证")


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


def random_hours(rng, n, lo_h: float, hi_h: float) -> np.ndarray:
    """n durations between lo_h and hi_h hours, to the second (timedelta64[s])."""
    return rng.integers(int(lo_h * 3600), int(hi_h * 3600), n).astype("timedelta64[s]")


def _mins(rng, n, lo: int, hi: int) -> np.ndarray:
    return (rng.integers(lo * 60, hi * 60, n)).astype("timedelta64[s]")


def _uniform_index(rng, lo: np.ndarray, hi: int) -> np.ndarray:
    lo = np.minimum(lo, hi)
    return lo + np.floor(rng.random(len(lo)) * (hi - lo + 1)).astype(int)


def background_cases(rng: np.random.Generator, n: int, world: District, clock: Clock
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
                     + random_hours(rng, n, 17.5, 24), Ws[base_i] + random_hours(rng, n, 9, 15))
    same_day = (a == 0) & ~offhours
    NaT = np.datetime64("NaT", "s")
    acc_t = np.where(has_acc,
                     np.where(same_day, sub_t + _mins(rng, n, 5, 90),
                              Ws[np.maximum(acc_i, 0)] + random_hours(rng, n, 9, 16)),
                     NaT)
    done = kind == COMPLETED
    comp_t = np.where(
        inst, acc_t + _mins(rng, n, 10, 60),
        np.where(end_i == acc_i, acc_t + _mins(rng, n, 30, 90),
                 Ws[np.maximum(end_i, 0)] + random_hours(rng, n, 9.5, 16.5)))
    comp_t = np.where(done, comp_t, NaT)
    decide_t = comp_t - np.where(inst, _mins(rng, n, 2, 8), _mins(rng, n, 10, 25))
    refuse_t = np.where(same_day, sub_t + _mins(rng, n, 5, 90),
                        Ws[np.maximum(end_i, 0)] + random_hours(rng, n, 9, 16))
    other_end_t = np.where((kind == WITHDRAWN_PRE) & (w == 0), sub_t + _mins(rng, n, 10, 120),
                           Ws[np.maximum(end_i, 0)] + random_hours(rng, n, 9.5, 16.5))
    end_t = np.select([done, kind == REFUSED,
                       np.isin(kind, (RETURNED, WITHDRAWN_POST, WITHDRAWN_PRE))],
                      [comp_t, refuse_t, other_end_t], NaT)

    corr = (rng.random(n) < .08) & (a >= 1) & np.isin(
        kind, (COMPLETED, OPEN, RETURNED, WITHDRAWN_POST, REFUSED))
    cn_t = np.where(offhours, Ws[base_i] + random_hours(rng, n, 9, 11),
                    sub_t + _mins(rng, n, 20, 120))
    cr_t = acc_t - _mins(rng, n, 10, 40)
    ss_t = Ws[np.clip(acc_i + x, 0, last)] + random_hours(rng, n, 10, 16)
    se_t = Ws[np.clip(acc_i + x + s, 0, last)] + random_hours(rng, n, 9, 16)

    # People.
    who_person = (who == "P") | ((who == "M") & (rng.random(n) < .6))
    pi = rng.integers(0, len(world.person_ids), n)
    fi = rng.integers(0, len(world.firm_ids), n)
    agent = ~who_person & (rng.random(n) < .12)
    ai = rng.integers(0, len(world.agent_ids), n)
    handler = _pick(rng, world.window_staff, dept)
    approver = _pick(rng, world.approvers, dept)
    window = np.where(online, None, _pick(rng, world.windows_by_dept, dept))
    lawful_bg = np.array(BACKGROUND_SUSPENSIONS)

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
