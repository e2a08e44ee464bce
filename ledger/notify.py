"""Notifications (Apprise): new red alerts and ledger items past their handling deadline.

Channels are Apprise URLs from ``SEARCHLIGHT_NOTIFY_URLS`` (comma or whitespace
separated), e.g. ``dingtalk://TOKEN/``, ``wecombot://KEY``, ``feishu://TOKEN``,
``mailtos://user:pass@host``, ``json://host:port/path``. None by default: nothing is sent.

At most once per alert, event and channel: before a message goes to a channel, the
(alert_id, event, channel) is claimed in the store's ``notifications`` table, and only
that channel's claim is removed when that channel refused it (so it alone is retried on
the next tick). Each channel is sent to on its own: Apprise's ``notify()`` over several
channels is false when any one fails, and releasing a shared claim then re-sent the
message to every channel that had taken it. A channel is named in the store by
``channel_id`` (a hash of its URL: the URL holds tokens and passwords). A sensor
restart, a second sensor or a rerun finds the claims and sends nothing twice.

Claims from stores made before this were one per (alert, event) for all channels; they
are kept as claims for every channel (``store.ALL_CHANNELS``). A channel added later
receives the events still pending for it: open red alerts that are firing and items
overdue now, not the history.

Per tick, a channel gets at most ``limit`` messages, and a channel that failed
``MAX_FAILURES_PER_TICK`` times rests until the next tick: a dead or slow channel costs
a few timeouts, not one per pending event, and never holds back the other channels.
Events:

- ``red_alert``: a red alert is in the ledger (sent once, when first seen);
- ``handling_overdue``: an open item is past its ``due_on`` (督办超期).
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ledger import lifecycle, store

MAX_PER_TICK = 50
MAX_FAILURES_PER_TICK = 3
# The clock of the sensor, which cannot take one as an argument; tests replace it.
wall_clock = store.now_local


def channels_from_env() -> list[str]:
    return [u for u in re.split(r"[,\s]+", os.environ.get("SEARCHLIGHT_NOTIFY_URLS", "")) if u]


def channel_id(url: str) -> str:
    """A stable name for a channel that does not reveal its URL's secrets."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


@dataclass
class Event:
    alert_id: str
    event: str
    title: str
    body: str
    channels: list[str] = field(default_factory=list)  # channel_ids still to send to


@dataclass
class NotifyReport:
    # (alert_id, event, channel_id) of each delivery and each refusal of this tick
    sent: list[tuple[str, str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    pending_left: int = 0  # deliveries left for the next tick by the per-tick limit
    channels: dict[str, str] = field(default_factory=dict)  # channel_id → URL, secrets masked


def pending_events(con: sqlite3.Connection, channels: list[str],
                   clock: store.Clock = store.now_local) -> list[Event]:
    """Events some of ``channels`` (channel_ids) have not had, red alerts first, then
    overdue items, by alert_id; each with the channels still to send it to."""
    today = clock().date()
    claimed: dict[tuple[str, str], set[str]] = {}
    for r in con.execute("select alert_id, event, channel from notifications"):
        claimed.setdefault((r[0], r[1]), set()).add(r[2])
    alerts = {r["alert_id"]: dict(r) for r in con.execute("select * from alerts")}
    states = lifecycle.current_states(con)

    def still_to(aid: str, event: str) -> list[str]:
        done = claimed.get((aid, event), set())
        return [] if store.ALL_CHANNELS in done else [c for c in channels if c not in done]

    events: list[Event] = []
    for aid in sorted(alerts):
        a, s = alerts[aid], states.get(aid)
        if s is None:
            continue
        where = f"{a['rule_code']} {a['severity']} · 部门 {a['dept_code']} · {a['subject_type']} " \
                f"{a['subject_id']}"
        if (a["severity"] == "red" and a["still_firing"] and s.status in lifecycle.OPEN
                and (to := still_to(aid, "red_alert"))):
            events.append(Event(aid, "red_alert", f"[探照灯] 红色预警 {aid}",
                                f"{where}\n首次发现 {a['first_detected_on']}，办理时限 "
                                f"{s.due_on}\nsearchlight ledger show {aid}", to))
    for aid in sorted(alerts):
        a, s = alerts[aid], states.get(aid)
        if s and lifecycle.is_overdue(s, today) and (to := still_to(aid, "handling_overdue")):
            events.append(Event(aid, "handling_overdue", f"[探照灯] 督办超期 {aid}",
                                f"{a['rule_code']} {a['severity']} · 状态 {s.status} · "
                                f"承办 {s.assignee or '-'} / {s.handling_dept_code}\n"
                                f"办理时限 {s.due_on} 已过\nsearchlight ledger show {aid}", to))
    return events


def send_pending(ledger: Path, urls: list[str], clock: store.Clock | None = None,
                 limit: int = MAX_PER_TICK) -> NotifyReport:
    """Send every pending event to each channel that has not had it; return what happened.

    ``clock`` defaults to ``wall_clock``, read at call time so that a test can replace
    the sensor's clock.
    """
    import apprise

    clock = clock or wall_clock
    report = NotifyReport()
    if not urls or not Path(ledger).exists():
        return report
    clients: dict[str, apprise.Apprise] = {}  # one per channel: a result per channel
    for url in dict.fromkeys(urls):
        plugin = apprise.Apprise.instantiate(url)
        if not plugin:
            raise ValueError(f"not an Apprise URL Searchlight can use: {url!r}")
        client = apprise.Apprise()
        client.add(plugin)
        clients[channel_id(url)] = client
        report.channels[channel_id(url)] = plugin.url(privacy=True)
    with store.connect(ledger) as con:
        events = pending_events(con, list(clients), clock)
    budget = dict.fromkeys(clients, limit)
    failures = dict.fromkeys(clients, 0)
    for ev in events:
        for ch in ev.channels:
            if budget[ch] == 0 or failures[ch] >= MAX_FAILURES_PER_TICK:
                report.pending_left += 1
                continue
            budget[ch] -= 1
            with store.connect(ledger) as con:  # claim, committed before sending
                claimed = con.execute(
                    "insert or ignore into notifications (alert_id, event, channel, sent_at) "
                    "values (?, ?, ?, ?)",
                    [ev.alert_id, ev.event, ch, clock().isoformat()]).rowcount
            if not claimed:  # another sensor got there first
                continue
            if clients[ch].notify(title=ev.title, body=ev.body):
                report.sent.append((ev.alert_id, ev.event, ch))
                continue
            with store.connect(ledger) as con:
                con.execute("delete from notifications "
                            "where alert_id = ? and event = ? and channel = ?",
                            [ev.alert_id, ev.event, ch])
            failures[ch] += 1
            report.failed.append((ev.alert_id, ev.event, ch))
    return report
