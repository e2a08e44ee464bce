"""What each warning rule compared, read back from an alert's evidence.

Why: an alert carries one ``metric_value`` and one ``threshold_value``, but many rules
fire on more than one condition. C01 fires when the amount per head is above the cap
*or* there are too many companions *or* the venue is prohibited; its metric is the
amount per head, so an alert raised for the venue showed "100.0 / 150.0" — a metric
below its threshold on an alert that fired. Other rules compare the other way round
(P04: fewer bidding days than the minimum; T03: fewer days left than the margin). So
``searchlight ledger show`` prints, for every rule, each condition the rule tests with
the values from the evidence, whether it holds, and what metric_value and
threshold_value stand for.

Each entry below is read off ``dbt_project/models/warnings/warn_<code>_*.sql`` (its
``where`` and its evidence) and ``../shared/contract/rules.md``;
``tests/ledger/test_comparison.py`` checks on the demo district that every alert of
every rule satisfies what is printed here, so a rule whose SQL changes without this
module fails there.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ingest.calendar import CalendarNotCovered, WorkCalendar

_OPS: dict[str, Callable[[object, object], bool]] = {
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
}


@dataclass(frozen=True)
class Check:
    """One condition of a rule: ``measured op limit``, and whether it holds."""

    what: str
    measured: object
    op: str
    limit: object
    met: bool
    decides: bool = True  # False: it only sets the severity (K01 red)

    def text(self) -> str:
        return f"{self.what}: {show_value(self.measured)} {self.op} {show_value(self.limit)}"


@dataclass(frozen=True)
class Comparison:
    rule_code: str
    metric: str     # what metric_value measures
    threshold: str  # what threshold_value is
    fires_when: str  # "all" conditions hold, or "any" of them
    checks: list[Check] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        """Whether the evidence satisfies the rule as printed (every fired alert should)."""
        met = [c.met for c in self.checks if c.decides]
        return bool(met) and (all(met) if self.fires_when == "all" else any(met))

    def as_dict(self) -> dict:
        return {**asdict(self), "holds": self.holds}


def check(what: str, measured, op: str, limit) -> Check:
    """``measured op limit`` on numbers (or ISO dates/timestamps as text); a missing
    value never holds."""
    if measured is None or limit is None:
        return Check(what, measured, op, limit, False)
    return Check(what, measured, op, limit, bool(_OPS[op](measured, limit)))


def fact(what: str, measured, limit: str, met: bool) -> Check:
    """A condition that is not a comparison of two numbers (a venue type, a link)."""
    return Check(what, measured, "is", limit, bool(met))


def show_value(value) -> str:
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.4g}" if abs(value) < 1 else f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value)
    return "—" if value is None else str(value)


def _count(value) -> int:
    return len(value) if isinstance(value, list) else 0


# --- the rules -------------------------------------------------------------------------
# Each: (what metric_value is, what threshold_value is, "all" | "any", checks(evidence)).

def _t01(e):
    return [check(f"elapsed days ({e.get('limit_unit')}, lawful suspensions off)",
                  e.get("elapsed_days"), ">",
                  e.get("statutory_limit_days"))]


def _t02(e):
    unit = e.get("limit_unit")
    return [check(f"elapsed days ({unit}) over the promised limit", e.get("elapsed_days"),
                  ">", e.get("promised_limit_days")),
            check("elapsed days within the statutory limit (beyond it is T01)",
                  e.get("elapsed_days"), "<=", e.get("statutory_limit_days"))]


def _t03(e):
    return [check("days left to the promised limit", e.get("remaining_days"), "<=",
                  e.get("margin_days")),
            check("elapsed days not yet over the promised limit", e.get("elapsed_days"),
                  "<=", e.get("promised_limit_days"))]


def _t04(e):
    promised, ratio = e.get("promised_limit_days"), e.get("t04_late_start_ratio")
    starts = [d for d in e.get("elapsed_at_start") or [] if d is not None]
    late = ratio * promised if ratio is not None and promised is not None else None
    return [check("suspensions without a lawful procedure type",
                  e.get("unlawful_suspension_count"), ">", 0),
            check("lawful suspended working days", e.get("lawful_suspended_days"), ">",
                  e.get("t04_suspension_cap_days")),
            check("suspensions", e.get("suspension_count"), ">=",
                  e.get("t04_max_suspensions")),
            check("elapsed days when a suspension started (latest), against "
                  f"{show_value(ratio)} × the promised limit", max(starts, default=None), ">=",
                  late)]


def _t05(e):
    return [check("days from acceptance to completion (or as_of while open)",
                  e.get("days_after_acceptance"), ">", 0)]


def _t06(e):
    return [check("working days from submission to acceptance or first answer",
                  e.get("working_days"), ">", e.get("t06_acceptance_limit_workdays"))]


def _t07(e):
    return [check("correction notices", e.get("correction_notice_count"), ">=",
                  e.get("t07_max_correction_notices"))]


def _t08(e):
    early, late = e.get("t08_earliest_time"), e.get("t08_latest_time")
    days = e.get("event_on_workday") or []
    times = [str(t)[11:19] for t in e.get("event_at") or []]
    return [check("ACCEPT/DECIDE events on a non-working day",
                  sum(1 for d in days if d is False), ">", 0),
            check(f"ACCEPT/DECIDE events before {early} or after {late}",
                  sum(1 for t in times if early and late and (t < early or t > late)),
                  ">", 0)]


def _t09(e):
    return [check("later versions changing submitted_at / accepted_at / completed_at of "
                  "the first completed version", e.get("edited_version_count"), ">", 0)]


def _f01(e):
    ratio, non_agent = e.get("f01_max_median_ratio"), e.get("non_agent_median_elapsed_days")
    return [check("completed agent cases", e.get("agent_case_count"), ">=",
                  e.get("f01_min_agent_cases")),
            check("completed non-agent cases", e.get("non_agent_case_count"), ">=",
                  e.get("f01_min_non_agent_cases")),
            check("median elapsed days of non-agent cases", non_agent, ">=",
                  e.get("f01_min_non_agent_median")),
            check(f"median elapsed days of agent cases, against {show_value(ratio)} × the "
                  "non-agent median", e.get("agent_median_elapsed_days"), "<=",
                  ratio * non_agent if ratio is not None and non_agent is not None
                  else None)]


def _f02(e):
    return [check("the agent's accepted cases in the department",
                  e.get("agent_accepted_case_count"), ">=", e.get("f02_min_agent_cases")),
            check("share of them accepted by this handler", e.get("handler_share"), ">=",
                  e.get("f02_min_handler_share")),
            check("the handler's share of the department's other cases of those items",
                  e.get("handler_other_share"), "<=", e.get("f02_max_other_share"))]


def _f03(e):
    return [check(f"cases of one applicant and item within {e.get('f03_window_days')} days",
                  e.get("case_count_within_window"), ">=", e.get("f03_min_cases"))]


def _f04(e):
    return [check("distinct applicants sharing one phone", e.get("distinct_applicants"),
                  ">=", e.get("f04_min_applicants")),
            check("distinct streets of their windows", e.get("distinct_streets"), ">=",
                  e.get("f04_min_streets"))]


def _f05(e):
    return [check("links between the handler or approver and the applicant",
                  _count(e.get("links")), ">=", 1)]


def _f06(e):
    factor = e.get("f06_rate_factor")
    cases, refusals = e.get("case_count"), e.get("refusal_count")
    rest_cases, rest_refusals = e.get("rest_case_count"), e.get("rest_refusal_count")
    # Multiplied out, as the rule does: rate >= factor × rest rate without dividing.
    outlier = None not in (factor, cases, refusals, rest_cases, rest_refusals) and \
        refusals * rest_cases >= factor * rest_refusals * cases
    rest_rate = e.get("rest_refusal_rate")
    return [check("the handler's cases of the item", cases, ">=", e.get("f06_min_cases")),
            check("the handler's refusals", refusals, ">=", e.get("f06_min_refusals")),
            check("cases of the rest of the department", rest_cases, ">=",
                  e.get("f06_min_cases")),
            Check(f"refusal rate, against {show_value(factor)} × the rest's rate",
                  e.get("refusal_rate"), ">=",
                  factor * rest_rate if factor is not None and rest_rate is not None
                  else None, bool(outlier))]


def _f07(e):
    handler, approver = e.get("handler_staff_id"), e.get("approver_staff_id")
    return [Check("the handler (acceptance) is the approver", handler, "=", approver,
                  handler is not None and handler == approver)]


def _s01(e):
    return [check(f"working days without rectification (rating {e.get('rating')})",
                  e.get("working_days"), ">", e.get("s01_rectification_limit_workdays"))]


def _s02(e):
    return [check(f"reviews in the {e.get('s02_window_days')} days to as_of",
                  e.get("review_count"), ">=", e.get("s02_min_reviews")),
            check(f"share rated <= {e.get('s_bad_rating_max')}", e.get("bad_share"), ">=",
                  e.get("s02_min_bad_share"))]


def _s03(e):
    return [check(f"distinct cases of the staff member praised by one reviewer within "
                  f"{e.get('s03_window_days')} days", e.get("distinct_cases"), ">=",
                  e.get("s03_min_distinct_cases"))]


def _s04(e):
    return [check("closed (or still open at) — against the deadline", e.get("measured_to"),
                  ">", e.get("deadline_at"))]


def _s05(e):
    trigger = e.get("first_trigger_at")
    closed = [c for c in e.get("closed_at") or [] if c is not None]
    return [check(f"tickets of one caller to the department within "
                  f"{e.get('s05_window_days')} days", e.get("max_tickets_in_window"), ">=",
                  e.get("s05_min_tickets")),
            check("earlier tickets closed before the repeat",
                  sum(1 for c in closed if trigger and c <= trigger), ">=", 1)]


def _s06(e):
    return [fact("category", e.get("category"), "吃拿卡要 (red, always)",
                 e.get("is_red_category")),
            check("working days to handle it", e.get("working_days"), ">",
                  e.get("s06_handling_limit_workdays"))]


def _p01(e):
    return [check(f"bids ({e.get('procedure_type')})", e.get("bid_count"), "=", 1)]


def _p02(e):
    return [check("bidders sharing a file IP, MAC, creator, phone or legal representative",
                  e.get("linked_bidder_count"), ">=", e.get("p02_min_linked_bidders"))]


def _p03(e):
    prices = [p for p in e.get("sorted_prices") or [] if p is not None]
    tolerance = e.get("p03_progression_tolerance")
    gaps = [b - a for a, b in itertools.pairwise(prices)]
    mean = sum(gaps) / len(gaps) if gaps else None
    deviation = max((abs(g - mean) for g in gaps), default=None) if mean else None
    progression = bool(mean and mean > 0 and tolerance is not None
                       and deviation <= tolerance * mean)
    return [check("spread of the bid prices, (max − min) / min", e.get("spread_ratio"), "<",
                  e.get("p03_max_spread_ratio")),
            Check(f"largest deviation of a price gap from the mean gap {show_value(mean)}, "
                  f"against {show_value(tolerance)} × the mean gap (an arithmetic progression)",
                  deviation, "<=", tolerance * mean if mean and tolerance is not None
                  else None, progression)]


def _p04(e):
    return [check("calendar days from publication to the bid deadline",
                  e.get("bidding_days"), "<", e.get("p04_min_bidding_days"))]


def _p05(e):
    totals = [g.get("total_estimated_value") for g in e.get("groups") or []
              if isinstance(g, dict)]
    return [check(f"estimated value of contracts below the threshold, together within "
                  f"{e.get('p05_window_days')} days (largest group)",
                  max((t for t in totals if t is not None), default=None), ">=",
                  e.get("tender_threshold"))]


def _p06(e):
    return [check("people of the winner who are staff of the buyer or their relatives",
                  _count(e.get("links")), ">=", 1)]


def _p07(e):
    awarded, won = e.get("awarded_tenders_of_buyer"), e.get("won_tenders")
    return [check(f"tenders the buyer awarded in {e.get('year')}", awarded, ">=",
                  e.get("p07_min_awarded_tenders")),
            check("share won by this winner", won / awarded if won is not None and awarded
                  else None, ">=", e.get("p07_min_winner_share"))]


def _l01(e):
    paid = e.get("paid_at")
    return [check("paid on, against the recipient's death", str(paid)[:10] if paid else None,
                  ">", e.get("death_date"))]


def _l02(e):
    return [check("payments to one recipient for one program and period",
                  e.get("payment_count"), ">=", e.get("l02_min_payments"))]


def _l03(e):
    return [check("amount paid, against the program's maximum per period",
                  e.get("amount"), ">", e.get("max_amount_per_period"))]


def _l04(e):
    relation = e.get("relation")
    return [fact("the recipient, seen from the handling staff member", relation,
                 "the staff member (本人) or a relative", relation is not None)]


def _l05(e):
    return [check("recipients paid into one account for one program and period",
                  e.get("recipient_count"), ">=", e.get("l05_min_recipients"))]


def _c01(e):
    return [check("amount per head (amount / (guests + companions))",
                  e.get("amount_per_head"), ">", e.get("reception_per_person_cap")),
            check(f"companions, against the limit for {e.get('guests')} guests",
                  e.get("companions"), ">", e.get("companion_limit")),
            fact("venue type", e.get("venue_type"), "a prohibited venue",
                 e.get("prohibited_venue"))]


def _c02(e, calendar: WorkCalendar | None = None):
    day = e.get("occurred_on")
    holiday = e.get("holiday_name")
    try:
        off = day is not None and not (calendar or WorkCalendar([])).is_workday(
            dt.date.fromisoformat(str(day)[:10]))
    except (CalendarNotCovered, ValueError):
        off = holiday is not None
    return [fact("day of the reception", day, f"a day off{f' ({holiday})' if holiday else ''}",
                 off)]


def _k01(e):
    days = e.get("days_late")
    severity = check("red rather than yellow when also", days, ">", e.get("k01_red_days_late"))
    return [check("days behind the planned date (completed_on, else as_of)", days, ">",
                  e.get("k01_yellow_days_late")),
            Check(severity.what, days, ">", severity.limit, severity.met, decides=False)]


RULES: dict[str, tuple[str, str, str, Callable]] = {
    "T01": ("elapsed days", "statutory limit (with extension)", "all", _t01),
    "T02": ("elapsed days", "promised limit", "all", _t02),
    "T03": ("days left", "margin (fires at or below it)", "all", _t03),
    "T04": ("lawful suspended days", "suspension cap (one of four conditions)", "any",
            _t04),
    "T05": ("days after acceptance", "0 (the same day)", "all", _t05),
    "T06": ("working days to acceptance", "limit in working days", "all", _t06),
    "T07": ("correction notices", "notices that fire (at or above)", "all", _t07),
    "T08": ("off-hours events", "0", "any", _t08),
    "T09": ("edited versions", "0", "all", _t09),
    "F01": ("agent cases' median elapsed days", "ratio × non-agent median (fires at or below)",
            "all", _f01),
    "F02": ("handler's share of the agent's cases", "minimum share", "all", _f02),
    "F03": ("cases within the window", "minimum cases", "all", _f03),
    "F04": ("applicants sharing the phone", "minimum applicants", "all", _f04),
    "F05": ("links found", "1", "all", _f05),
    "F06": ("handler's refusal rate", "factor × the rest's rate", "all", _f06),
    "F07": ("1 (same person)", "1", "all", _f07),
    "S01": ("working days unrectified", "rectification limit", "all", _s01),
    "S02": ("share of bad reviews", "minimum share", "all", _s02),
    "S03": ("distinct cases praised", "minimum cases", "all", _s03),
    "S04": ("hours past the deadline", "0", "all", _s04),
    "S05": ("tickets within the window", "minimum tickets", "all", _s05),
    "S06": ("working days to handle", "limit (0 for 吃拿卡要)", "any", _s06),
    "P01": ("bids", "1", "all", _p01),
    "P02": ("linked bidders", "minimum linked bidders", "all", _p02),
    "P03": ("spread ratio", "maximum spread (one of two conditions)", "any", _p03),
    "P04": ("bidding days", "minimum bidding days (fires below)", "all", _p04),
    "P05": ("largest group's estimated value", "tender threshold", "all", _p05),
    "P06": ("links found", "1", "all", _p06),
    "P07": ("winner's share", "minimum share", "all", _p07),
    "L01": ("days paid after death", "0", "all", _l01),
    "L02": ("payments", "minimum payments", "all", _l02),
    "L03": ("amount", "maximum per period", "all", _l03),
    "L04": ("1 (related)", "0", "all", _l04),
    "L05": ("recipients", "minimum recipients", "all", _l05),
    "C01": ("amount per head", "per-head cap (one of three conditions)", "any", _c01),
    "C02": ("1 (a day off)", "0", "all", _c02),
    "K01": ("days late", "30 (yellow) or 90 (red)", "all", _k01),
}


def compared(rule_code: str, evidence: dict | None,
             calendar: WorkCalendar | None = None) -> Comparison | None:
    """What ``rule_code`` compared for an alert with this evidence; None for a rule this
    module does not know (a rule added since: ``show`` then prints the raw values)."""
    entry = RULES.get((rule_code or "").upper())
    if entry is None or not isinstance(evidence, dict):
        return None
    metric, threshold, fires_when, checks = entry
    found = checks(evidence, calendar) if checks is _c02 else checks(evidence)
    return Comparison(rule_code.upper(), metric, threshold, fires_when, found)
