"""Notifications (Apprise): new red alerts and ledger items past their handling deadline.

Channels are Apprise URLs from ``SEARCHLIGHT_NOTIFY_URLS`` (comma or whitespace
separated), e.g. ``dingtalk://TOKEN/``, ``wecombot://KEY``, ``feishu://TOKEN``,
``mailtos://user:pass@host``, ``json://host:port/path``. None by default: nothing is sent.

At most once per alert and event: an event is claimed in the store's ``notifications``
table (primary key alert_id, event) before it is sent, and the claim is removed only when
every channel refused it (so it is retried on the next tick). A sensor restart, a second
sensor or a rerun finds the claim and sends nothing. Events:

- ``red_alert``: a red alert is in the ledger (sent once, when first seen);
- ``handling_overdue``: an open item is past its ``due_on`` (督办超期).
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ledger import lifecycle, store

MAX_PER_TICK = 50


def channels_from_env() -> list[str]:
    return [u for u in re.split(r"[,\s]+", os.environ.get("SEARCHLIGHT_NOTIFY_URLS", "")) if u]


@dataclass
class Event:
    alert_id: str
    event: str
    title: str
    body: str


@dataclass
class NotifyReport:
    sent: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    pending_left: int = 0


def pending_events(con: sqlite3.Connection, clock: store.Clock = store.now_local) -> list[Event]:
    """Events not yet notified, red alerts first, then overdue items, by alert_id."""
    today = clock().date()
    done = {(r[0], r[1]) for r in con.execute("select alert_id, event from notifications")}
    alerts = {r["alert_id"]: dict(r) for r in con.execute("select * from alerts")}
    states = lifecycle.current_states(con)
    events: list[Event] = []
    for aid in sorted(alerts):
        a, s = alerts[aid], states.get(aid)
        if s is None:
            continue
        where = f"{a['rule_code']} {a['severity']} · 部门 {a['dept_code']} · {a['subject_type']} " \
                f"{a['subject_id']}"
        if (a["severity"] == "red" and a["still_firing"] and s.status in lifecycle.OPEN
                and (aid, "red_alert") not in done):
            events.append(Event(aid, "red_alert", f"[探照灯] 红色预警 {aid}",
                                f"{where}\n首次发现 {a['first_detected_on']}，办理时限 "
                                f"{s.due_on}\nsearchlight ledger show {aid}"))
    for aid in sorted(alerts):
        a, s = alerts[aid], states.get(aid)
        if s and lifecycle.is_overdue(s, today) and (aid, "handling_overdue") not in done:
            events.append(Event(aid, "handling_overdue", f"[探照灯] 督办超期 {aid}",
                                f"{a['rule_code']} {a['severity']} · 状态 {s.status} · "
                                f"承办 {s.assignee or '-'} / {s.handling_dept_code}\n"
                                f"办理时限 {s.due_on} 已过\nsearchlight ledger show {aid}"))
    return events


def send_pending(ledger: Path, urls: list[str], clock: store.Clock = store.now_local,
                 limit: int = MAX_PER_TICK) -> NotifyReport:
    """Send every pending event to the channels, each at most once; return what happened."""
    import apprise

    report = NotifyReport()
    if not urls or not Path(ledger).exists():
        return report
    client = apprise.Apprise()
    for url in urls:
        if not client.add(url):
            raise ValueError(f"not an Apprise URL Searchlight can use: {url!r}")
    with store.connect(ledger) as con:
        events = pending_events(con, clock)
    report.pending_left = max(len(events) - limit, 0)
    for ev in events[:limit]:
        with store.connect(ledger) as con:  # claim, committed before sending
            claimed = con.execute(
                "insert or ignore into notifications (alert_id, event, sent_at, channels) "
                "values (?, ?, ?, ?)",
                [ev.alert_id, ev.event, clock().isoformat(), len(urls)]).rowcount
        if not claimed:
            continue
        ok = client.notify(title=ev.title, body=ev.body)
        if ok:
            report.sent.append((ev.alert_id, ev.event))
        else:
            with store.connect(ledger) as con:
                con.execute("delete from notifications where alert_id = ? and event = ?",
                            [ev.alert_id, ev.event])
            report.failed.append((ev.alert_id, ev.event))
    return report
