"""The case planter: hand-written cases, one at a time, with the rules each must touch.

A family whose violations are cases (T, F) plants them through ``CasePlanter.case``:
the keyword arguments fix what the scenario is about (item, times, events, channel,
handler, applicant...) and the rest is drawn from the district like a background case.
Every planted case is recorded as a ``Plant``: the scenario in words, the rules it must
fire and the rules it is a near miss for; ``invalid`` marks a row the loader must
quarantine (written broken by ``synthetic.case_exports``). ``version`` and
``stage_overrides`` add the later or earlier versions a scenario needs (T09).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from synthetic.clock import Clock
from synthetic.world import District


@dataclass
class Plant:
    key: int
    scenario: str
    fires: tuple[str, ...]
    near_miss: tuple[str, ...]
    invalid: str | None = None
    lower_x: bool = False  # write the applicant's resident ID with a lower-case x (valid)


class CasePlanter:
    """Builds planted cases one by one (a Python loop is fine for a few dozen)."""

    def __init__(self, rng, world: District, clock: Clock, first_key: int):
        self.rng, self.world, self.clock = rng, world, clock
        self.next_key = first_key
        self.rows: list[dict] = []
        self.events: list[dict] = []
        self.plants: list[Plant] = []
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
        self.plants.append(Plant(key, scenario, tuple(sorted(fires)), tuple(sorted(near_miss)),
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
