"""Chart specifications for static/console.js, which draws them with ECharts.

A spec is plain JSON in a ``data-chart`` attribute: categories, series (name, data, colour)
and, per data point, the link of the alerts behind it, so every bar and point drills down
to the list. Built here rather than in templates so the names go through gettext like
every other string.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from console import labels
from console.queries import FAMILIES, SEVERITIES

SEVERITY_COLOURS = {"red": "#c0392b", "yellow": "#e0a800", "info": "#3d7ab8"}
CARD_COLOURS = {"red": "#c0392b", "yellow": "#e0a800"}


def _alerts(**params) -> str:
    return "/alerts?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def dump(spec: dict) -> str:
    return json.dumps(spec, ensure_ascii=False, default=str)


def by_family(_, counts: dict, dept: str | None = None) -> str:
    families = [f for f in FAMILIES if any(counts.get((f, s)) for s in SEVERITIES)] \
        or list(FAMILIES)
    return dump({
        "type": "bar", "stacked": True,
        "categories": [f"{f} {_(labels.FAMILY[f])}" for f in families],
        "series": [{
            "name": _(labels.SEVERITY[s]), "color": SEVERITY_COLOURS[s],
            "data": [counts.get((f, s), 0) for f in families],
            "links": [_alerts(family=f, severity=s, active=1, dept=dept) for f in families],
        } for s in SEVERITIES],
    })


def trend(_, months: list[str], counts: dict) -> str:
    return dump({
        "type": "bar", "stacked": True, "categories": months,
        "series": [{
            "name": _(labels.SEVERITY[s]), "color": SEVERITY_COLOURS[s],
            "data": [counts.get((m, s), 0) for m in months],
            "links": [_alerts(month=m, severity=s, not_dismissed=1) for m in months],
        } for s in SEVERITIES],
    })


def risk_ranking(_, rows: list[dict], departments: dict[str, str], month) -> str:
    rows = list(reversed(rows))  # the highest on top of a horizontal bar chart
    month_text = month.strftime("%Y-%m") if month else ""
    return dump({
        "type": "bar", "horizontal": True,
        "categories": [departments.get(r["dept_code"], r["dept_code"]) for r in rows],
        "series": [{
            "name": _("Integrity risk index"), "color": "#8e44ad",
            "data": [round(r["risk_index"] or 0, 1) for r in rows],
            "links": [_alerts(dept=r["dept_code"], month=month_text, not_dismissed=1)
                      for r in rows],
        }],
        "max": 100,
    })


def cards_by_month(_, rows) -> str:
    months = [m.strftime("%Y-%m") for m, _r, _y in rows]
    return dump({
        "type": "bar", "stacked": True, "categories": months,
        "series": [{
            "name": _(labels.CARD[card]), "color": CARD_COLOURS[card],
            "data": [r[1 if card == "red" else 2] for r in rows],
            "links": [f"/cards?month={m}" for m in months],
        } for card in ("red", "yellow")],
    })


def cards_by_department(_, rows, departments: dict[str, str], month) -> str:
    month_text = month.strftime("%Y-%m") if month else ""
    return dump({
        "type": "bar", "stacked": True,
        "categories": [departments.get(d, d or "—") for d, _r, _y in rows],
        "series": [{
            "name": _(labels.CARD[card]), "color": CARD_COLOURS[card],
            "data": [r[1 if card == "red" else 2] for r in rows],
            "links": [_alerts(card=1, dept=d, month=month_text) for d, _r, _y in rows],
        } for card in ("red", "yellow")],
    })


def index_over_months(_, series: dict, months: list, departments: dict[str, str]) -> str:
    month_texts = [m.strftime("%Y-%m") for m in months]
    return dump({
        "type": "line", "categories": month_texts, "max": 100,
        "series": [{
            "name": departments.get(d, d),
            "data": [round(values[m], 1) if m in values else None for m in months],
            "links": [_alerts(dept=d, month=t, not_dismissed=1) for t in month_texts],
        } for d, values in series.items()],
    })
