"""The questions the pages ask, as SQL over the in-memory tables of ``console.data``.

``facts`` (one row per alert on record, from the snapshot) joined with ``ledger_state``
(the store's current state) is the alert list; every filter is a parameter of one
``where``. A department handler's view is the same query with their department as a
fixed filter (``scope_dept``), so no page can show them more.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from ledger import lifecycle

OPEN = lifecycle.OPEN
SEVERITIES = ("red", "yellow", "info")
FAMILIES = ("T", "F", "S", "P", "L", "C", "K")
PER_PAGE_CHOICES = (25, 50, 100, 200)
# ?sort= key -> expression; alert_id breaks ties so pages never overlap
SORTS = {
    "occurred_on": "occurred_on",
    "first_detected_on": "first_detected_on",
    "severity": "severity_rank",
    "rule": "rule_code",
    "dept": "handling_dept_code",
    "status": "status",
    "due_on": "due_on",
    "alert_id": "alert_id",
}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")

# A rule "fires on an unusual share of what it evaluates" when it fires on more than
# UNUSUAL_SHARE of the subjects it could judge, once it judged at least MIN_SAMPLE of
# them (cardinal-rs #37/#39: a red flag raised on a fifth of all records is no longer a
# red flag: a threshold or the data is off). Below MIN_SAMPLE the share says nothing.
UNUSUAL_SHARE = 0.20
MIN_SAMPLE = 30


class FilterError(ValueError):
    """A query parameter that is not a valid filter; the message names it."""


@dataclass(frozen=True)
class AlertFilter:
    family: str | None = None
    rule: str | None = None
    dept: str | None = None
    severity: str | None = None
    status: str | None = None
    month: str | None = None
    overdue: bool = False
    firing: str | None = None  # "yes" | "no"
    staff: str | None = None
    card: bool = False  # the alerts behind staff cards: staff, red/yellow, not dismissed
    active: bool = False  # still firing, or still open in the ledger (the overview's count)
    not_dismissed: bool = False  # the alerts the risk index counts
    q: str | None = None
    sort: str = "occurred_on"
    order: str = "desc"
    page: int = 1
    per_page: int = 50

    @classmethod
    def from_params(cls, params) -> AlertFilter:
        def text(name: str) -> str | None:
            value = (params.get(name) or "").strip()
            return value or None

        def flag(name: str) -> bool:
            return (params.get(name) or "").strip().lower() in ("1", "true", "yes", "on")

        def code(name: str, upper: bool = False) -> str | None:
            value = text(name)
            if value is None:
                return None
            if not _CODE.match(value):
                raise FilterError(f"{name}: {value!r} is not a code")
            return value.upper() if upper else value

        def choice(name: str, allowed, default=None):
            value = text(name)
            if value is None:
                return default
            if value not in allowed:
                raise FilterError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
            return value

        def number(name: str, default: int, low: int, high: int) -> int:
            value = text(name)
            if value is None:
                return default
            try:
                n = int(value)
            except ValueError:
                raise FilterError(f"{name}: {value!r} is not a number") from None
            return min(max(n, low), high)

        month = text("month")
        if month is not None and not _MONTH.match(month):
            raise FilterError(f"month: {month!r} is not a month (YYYY-MM)")
        q = text("q")
        return cls(
            family=choice("family", FAMILIES), rule=code("rule", upper=True),
            dept=code("dept"), severity=choice("severity", SEVERITIES),
            status=choice("status", lifecycle.STATUSES), month=month,
            overdue=flag("overdue"), firing=choice("firing", ("yes", "no")),
            staff=code("staff"), card=flag("card"), active=flag("active"),
            not_dismissed=flag("not_dismissed"),
            q=q[:64] if q else None,
            sort=choice("sort", tuple(SORTS), "occurred_on"),
            order=choice("order", ("asc", "desc"), "desc"),
            page=number("page", 1, 1, 10**7),
            per_page=number("per_page", 50, 1, max(PER_PAGE_CHOICES)),
        )

    def params(self, **overrides) -> dict[str, str]:
        """The filter as query parameters (defaults left out), with overrides."""
        values = replace(self, **overrides) if overrides else self
        default = AlertFilter()
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(values, f.name)
            if value == getattr(default, f.name) or value is None or value is False:
                continue
            out[f.name] = "1" if value is True else str(value)
        return out

    def url(self, path: str = "/alerts", **overrides) -> str:
        query = urlencode(self.params(**overrides))
        return f"{path}?{query}" if query else path

    @property
    def is_filtered(self) -> bool:
        keys = set(self.params()) - {"sort", "order", "page", "per_page"}
        return bool(keys)

    def where(self, scope_dept: str | None) -> tuple[str, list]:
        clauses, args = [], []

        def add(sql: str, *values) -> None:
            clauses.append(sql)
            args.extend(values)

        if scope_dept is not None:
            add("handling_dept_code = ?", scope_dept)
        if self.family:
            add("rule_family = ?", self.family)
        if self.rule:
            add("rule_code = ?", self.rule)
        if self.dept:
            add("(dept_code = ? or handling_dept_code = ?)", self.dept, self.dept)
        if self.severity:
            add("severity = ?", self.severity)
        if self.status:
            add("status = ?", self.status)
        if self.month:
            start = dt.date.fromisoformat(self.month + "-01")
            end = (start + dt.timedelta(days=32)).replace(day=1)
            add("occurred_on >= ? and occurred_on < ?", start, end)
        if self.overdue:
            add("overdue")
        if self.firing:
            add("still_firing = ?", self.firing == "yes")
        if self.staff:
            add("staff_id = ?", self.staff)
        if self.card:
            add("staff_id is not null and severity in ('red', 'yellow') "
                "and coalesce(status, '') <> 'dismissed'")
        if self.active:
            add("(still_firing or status in ('new', 'assigned', 'transferred', 'feedback'))")
        if self.not_dismissed:
            add("coalesce(status, '') <> 'dismissed'")
        if self.q:
            like = "%" + self.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            add("(alert_id ilike ? escape '\\' or subject_id ilike ? escape '\\')", like, like)
        return (" where " + " and ".join(clauses)) if clauses else "", args

    def order_by(self) -> str:
        direction = "asc" if self.order == "asc" else "desc"
        return (f" order by {SORTS[self.sort]} {direction} nulls last, "
                f"alert_id {direction}")


# alert_items is the snapshot's facts joined with the ledger state, kept by console.data
# (rebuilt on a new snapshot, updated row by row when the store changes); only "overdue"
# depends on the day, so it is computed here.
ITEMS = """
with items as (
    select
        *,
        coalesce(status in ('new', 'assigned', 'transferred', 'feedback')
                 and due_on < cast(? as date), false) as overdue
    from alert_items
)
"""


def _rows(cur) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def alert_page(cur, flt: AlertFilter, scope_dept: str | None, today: dt.date) -> dict:
    where, args = flt.where(scope_dept)
    total = cur.execute(ITEMS + "select count(*) from items" + where,
                        [today, *args]).fetchall()[0][0]
    pages = max(1, -(-total // flt.per_page))
    page = min(flt.page, pages)
    # Sort only the keys, then fetch the page's rows: a deep page (offset 50,000 of
    # 400,000) sorts two columns instead of every column of every row.
    key = SORTS[flt.sort]
    ids = [r[0] for r in cur.execute(
        ITEMS + f"select alert_id, {key} from items" + where + flt.order_by()
        + " limit ? offset ?", [today, *args, flt.per_page, (page - 1) * flt.per_page]
    ).fetchall()]
    rows = _rows(cur.execute(
        ITEMS + "select * from items where alert_id in (select unnest(?))" + flt.order_by(),
        [today, ids])) if ids else []
    return {"total": total, "rows": rows, "page": page, "pages": pages}


def export_rows(cur, flt: AlertFilter, scope_dept: str | None, today: dt.date,
                evidence_parquet: str | None):
    """Every row of the filter (no paging), in the list's order, with the evidence.

    The query runs here, before any byte is sent (a failure is still an error page);
    the rows are then fetched in batches as the response streams."""
    where, args = flt.where(scope_dept)
    if evidence_parquet:
        evidence = f"select alert_id, evidence from read_parquet('{_q(evidence_parquet)}')"
    else:
        evidence = "select cast(null as varchar) as alert_id, cast(null as varchar) as evidence"
    cur.execute(ITEMS + f""", listed as (select * from items{where})
        select listed.*, e.evidence from listed left join ({evidence}) as e
            on listed.alert_id = e.alert_id
        {flt.order_by().replace(" order by ", " order by listed.", 1)
                       .replace(", alert_id", ", listed.alert_id")}""", [today, *args])
    names = [d[0] for d in cur.description]

    def rows():
        while batch := cur.fetchmany(5000):
            for row in batch:
                yield dict(zip(names, row, strict=True))
    return rows()


def alert_item(cur, alert_id: str, scope_dept: str | None, today: dt.date) -> dict | None:
    rows = _rows(cur.execute(ITEMS + "select * from items where alert_id = ?",
                             [today, alert_id]))
    return rows[0] if rows else None


def evidence_of(cur, parquet: str, alert_id: str) -> dict | None:
    row = cur.execute(f"select evidence from read_parquet('{_q(parquet)}') where alert_id = ?",
                      [alert_id]).fetchall()
    return _json(row[0][0]) if row else None


def _q(path: str) -> str:
    return str(path).replace("'", "''")


def _json(text):
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return {"evidence": text}


def has_table(cur, name: str) -> bool:
    return bool(cur.execute("select 1 from information_schema.tables where table_name = ?",
                            [name]).fetchall())


def departments(cur) -> dict[str, str]:
    if not has_table(cur, "dim_department"):
        return {}
    return {code: name for code, name in cur.execute(
        "select dept_code, dept_name from dim_department order by dept_code").fetchall()}


def staff_names(cur, ids) -> dict[str, str]:
    ids = [i for i in set(ids) if i]
    if not ids or not has_table(cur, "dim_staff"):
        return {}
    return {sid: name for sid, name in cur.execute(
        "select staff_id, staff_name_masked from dim_staff where staff_id in "
        "(select unnest(?))", [ids]).fetchall()}


def filter_choices(cur, scope_dept: str | None, today: dt.date) -> dict:
    """The rules and months present, for the filter menus (in the person's scope)."""
    where, args = AlertFilter().where(scope_dept)
    rules_ = cur.execute(ITEMS + "select distinct rule_code from items" + where
                         + " order by 1", [today, *args]).fetchall()
    months = cur.execute(ITEMS + "select distinct strftime(occurred_on, '%Y-%m') from items"
                         + where + " order by 1 desc", [today, *args]).fetchall()
    return {"rules": [r[0] for r in rules_], "months": [m[0] for m in months if m[0]]}


# ---------------------------------------------------------------------- overview
def overview(cur, scope_dept: str | None, today: dt.date, as_of: dt.date | None) -> dict:
    scope = " and handling_dept_code = ?" if scope_dept else ""
    sargs = [scope_dept] if scope_dept else []
    # "active": still firing, or still open in the ledger (what `ledger list` shows)
    active = "(still_firing or status in ('new', 'assigned', 'transferred', 'feedback'))"
    totals = _rows(cur.execute(ITEMS + f"""
        select
            count(*) filter (where {active}) as active,
            count(*) filter (where status in ('new', 'assigned', 'transferred', 'feedback'))
                as open,
            count(*) filter (where status = 'new') as new,
            count(*) filter (where severity = 'red'
                             and status in ('new', 'assigned', 'transferred', 'feedback'))
                as red_open,
            count(*) filter (where overdue) as overdue,
            count(*) filter (where still_firing) as firing
        from items where true {scope}""", [today, *sargs]))[0]
    by_family = cur.execute(ITEMS + f"""
        select rule_family, severity, count(*) from items where {active} {scope}
        group by 1, 2 order by 1, 2""", [today, *sargs]).fetchall()
    end = (as_of or today).replace(day=1)
    start = (end - dt.timedelta(days=335)).replace(day=1)  # twelve months up to as_of's
    trend = cur.execute(ITEMS + f"""
        select strftime(occurred_on, '%Y-%m') as month, severity, count(*)
        from items
        where coalesce(status, '') <> 'dismissed' and occurred_on >= ?
          and occurred_on < ? {scope}
        group by 1, 2 order by 1""",
        [today, start, (end + dt.timedelta(days=32)).replace(day=1), *sargs]).fetchall()
    months = []
    m = start
    while m <= end:
        months.append(m.strftime("%Y-%m"))
        m = (m + dt.timedelta(days=32)).replace(day=1)
    overdue_items = _rows(cur.execute(ITEMS + f"""
        select alert_id, rule_code, severity, handling_dept_code, assignee, status, due_on
        from items where overdue {scope}
        order by due_on, severity_rank desc, alert_id limit 10""", [today, *sargs]))
    return {
        "totals": totals,
        "families": FAMILIES,
        "by_family": {(f, s): n for f, s, n in by_family},
        "trend_months": months,
        "trend": {(mo, s): n for mo, s, n in trend},
        "overdue_items": overdue_items,
        "risk": risk_ranking(cur, scope_dept, as_of or today),
        "cards": cards_of_month(cur, scope_dept, as_of or today),
    }


def risk_ranking(cur, scope_dept: str | None, as_of: dt.date, limit: int = 10) -> dict:
    """Departments by integrity risk index, in the latest month up to as_of's."""
    if not has_table(cur, "integrity_risk_index"):
        return {"month": None, "rows": []}
    month = cur.execute(
        "select max(month_start) from integrity_risk_index where level = 'department' "
        "and month_start <= ?", [as_of]).fetchall()[0][0]
    if month is None:
        return {"month": None, "rows": []}
    scope = " and subject_id = ?" if scope_dept else ""
    rows = _rows(cur.execute(
        "select subject_id as dept_code, risk_index, alerts, cases_handled, complaints "
        "from integrity_risk_index where level = 'department' and month_start = ?"
        + scope + " order by risk_index desc, subject_id limit ?",
        [month, *([scope_dept] if scope_dept else []), limit]))
    return {"month": month, "rows": rows}


def cards_of_month(cur, scope_dept: str | None, as_of: dt.date) -> dict:
    """Red and yellow cards of as_of's month (the month the run judges)."""
    if not has_table(cur, "staff_cards"):
        return {"month": None, "red": 0, "yellow": 0, "rows": []}
    month = as_of.replace(day=1)
    scope = " and dept_code = ?" if scope_dept else ""
    rows = _rows(cur.execute(
        "select staff_id, dept_code, card, red_alerts, yellow_alerts from staff_cards "
        "where month_start = ?" + scope
        + " order by card = 'red' desc, red_alerts desc, yellow_alerts desc, staff_id",
        [month, *([scope_dept] if scope_dept else [])]))
    return {"month": month, "red": sum(r["card"] == "red" for r in rows),
            "yellow": sum(r["card"] == "yellow" for r in rows), "rows": rows}


# ---------------------------------------------------------------------- rules
def rules(cur, scope_dept: str | None, today: dt.date) -> list[dict]:
    precision = has_table(cur, "rule_precision")
    catalog = {r["rule_code"]: r for r in _rows(cur.execute("select * from catalog"))}
    coverage = {r["rule_code"]: r for r in _rows(cur.execute("select * from coverage"))}
    prec = ({r["rule_code"]: r for r in _rows(cur.execute("select * from rule_precision"))}
            if precision else {})
    scope = " where handling_dept_code = ?" if scope_dept else ""
    open_counts = dict(cur.execute(
        ITEMS + "select rule_code, count(*) filter (where status in "
        "('new', 'assigned', 'transferred', 'feedback')) from items" + scope
        + " group by 1", [today, *([scope_dept] if scope_dept else [])]).fetchall())
    out = []
    for code in sorted(set(catalog) | set(coverage)):
        cat, cov, pre = catalog.get(code, {}), coverage.get(code, {}), prec.get(code, {})
        evaluated, fired = cov.get("evaluated"), cov.get("fired")
        share = (fired / evaluated) if evaluated else None
        out.append({
            "rule_code": code,
            "rule_family": cat.get("rule_family") or code[:1],
            "name_zh": cat.get("name_zh"), "name_en": cat.get("name_en"),
            "severity": cat.get("severity"),
            "legal_basis": cat.get("legal_basis"), "legal_basis_en": cat.get("legal_basis_en"),
            "thresholds": _json(cat.get("thresholds")) or {},
            "evaluated": evaluated, "fired": fired,
            "not_evaluable": cov.get("not_evaluable"),
            "not_evaluable_reasons": _json(cov.get("not_evaluable_reasons")) or {},
            "share": share,
            "unusual": bool(share is not None and evaluated >= MIN_SAMPLE
                            and share > UNUSUAL_SHARE),
            "small_sample": bool(evaluated is not None and 0 < evaluated < MIN_SAMPLE),
            "nothing_evaluated": evaluated == 0,
            "registered": pre.get("alerts_registered"),
            "closed": pre.get("closed_confirmed"),
            "dismissed": pre.get("dismissed_false_positive"),
            "precision": pre.get("measured_precision"),
            "dismissal_reasons": _json(pre.get("dismissal_reasons")) or {},
            "open": open_counts.get(code, 0),
        })
    return out


def rule_names(cur, lang: str) -> dict[str, str]:
    column = "name_zh" if lang == "zh_CN" else "name_en"
    return dict(cur.execute(f"select rule_code, {column} from catalog").fetchall())


def rule(cur, code: str) -> dict:
    rows = _rows(cur.execute("select * from catalog where rule_code = ?", [code]))
    cat = rows[0] if rows else {}
    return {**cat, "thresholds": _json(cat.get("thresholds")) or {}}


# ---------------------------------------------------------------------- cards
def cards(cur, scope_dept: str | None, month: dt.date | None, as_of: dt.date) -> dict:
    has_cards = has_table(cur, "staff_cards")
    has_index = has_table(cur, "integrity_risk_index")
    dscope = " and dept_code = ?" if scope_dept else ""
    dargs = [scope_dept] if scope_dept else []
    out: dict = {"has_cards": has_cards, "has_index": has_index, "months": []}
    if has_cards:
        out["months"] = [r[0] for r in cur.execute(
            "select distinct month_start from staff_cards where true" + dscope
            + " order by 1", dargs).fetchall()]
    if has_index:
        index_months = [r[0] for r in cur.execute(
            "select distinct month_start from integrity_risk_index "
            "where level = 'department'" + dscope + " order by 1", dargs).fetchall()]
        out["months"] = sorted(set(out["months"]) | set(index_months))
    candidates = [m for m in out["months"] if m <= as_of] or out["months"]
    out["month"] = month if month in out["months"] else (candidates[-1] if candidates
                                                         else None)
    if has_cards:
        out["by_month"] = cur.execute(
            "select month_start, count(*) filter (where card = 'red'), "
            "count(*) filter (where card = 'yellow') from staff_cards where true" + dscope
            + " group by 1 order by 1", dargs).fetchall()
        out["by_dept"] = cur.execute(
            "select dept_code, count(*) filter (where card = 'red'), "
            "count(*) filter (where card = 'yellow') from staff_cards "
            "where month_start = ?" + dscope + " group by 1 order by 2 desc, 3 desc, 1",
            [out["month"], *dargs]).fetchall()
        out["staff"] = _rows(cur.execute(
            "select staff_id, dept_code, card, red_alerts, yellow_alerts, rule_codes "
            "from staff_cards where month_start = ?" + dscope
            + " order by card = 'red' desc, red_alerts desc, yellow_alerts desc, staff_id",
            [out["month"], *dargs]))
    if has_index:
        out["index_rows"] = _rows(cur.execute(
            "select subject_id as dept_code, risk_index, alerts, alert_points, "
            "cases_handled, reviews, bad_reviews, complaints from integrity_risk_index "
            "where level = 'department' and month_start = ?"
            + dscope.replace("dept_code", "subject_id")
            + " order by risk_index desc, subject_id", [out["month"], *dargs]))
        top = [r["dept_code"] for r in out["index_rows"][:8]]
        series = cur.execute(
            "select subject_id, month_start, risk_index from integrity_risk_index "
            "where level = 'department' and subject_id in (select unnest(?)) "
            "order by 1, 2", [top]).fetchall()
        out["index_series"] = {d: {m: v for s, m, v in series if s == d} for d in top}
    return out
