"""Notifications: sent to Apprise JSON webhooks on loopback, once per alert, event and
channel, also when the sensor restarts or another channel is down; nothing without a
configured channel."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from dagster import build_sensor_context

from ledger import lifecycle, notify, store
from tests.ledger.conftest import make_alert

pytestmark = pytest.mark.unit


def start_receiver(port: int = 0):
    """A JSON webhook on loopback: (url, the messages it received, the server)."""
    received: list[dict] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"json://127.0.0.1:{server.server_address[1]}/", received, server


@pytest.fixture
def receiver():
    url, received, server = start_receiver()
    yield url, received
    server.shutdown()
    server.server_close()


def free_port() -> int:
    """A loopback port nothing listens on (yet)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pairs(deliveries) -> list[tuple[str, str]]:
    return sorted((alert_id, event) for alert_id, event, _channel in deliveries)


def test_a_red_alert_is_sent_once_and_only_once(ledger_file, receiver, clock):
    url, received = receiver
    first = notify.send_pending(ledger_file, [url], clock)
    assert first.sent == [("T01-a", "red_alert", notify.channel_id(url))]
    assert len(received) == 1 and "T01-a" in received[0]["title"]
    again = notify.send_pending(ledger_file, [url], clock)  # a restart: a fresh call
    assert again.sent == [] and len(received) == 1


def test_an_item_past_its_deadline_is_sent_once(ledger_file, receiver, clock):
    url, received = receiver
    notify.send_pending(ledger_file, [url], clock)
    clock.advance(days=20)
    report = notify.send_pending(ledger_file, [url], clock)
    assert pairs(report.sent) == [("T01-a", "handling_overdue"), ("T02-b", "handling_overdue")]
    assert notify.send_pending(ledger_file, [url], clock).sent == []
    assert len(received) == 3 and all("督办超期" in r["title"] for r in received[1:])


def test_a_failed_delivery_is_retried_not_lost(ledger_file, clock):
    dead = f"json://127.0.0.1:{free_port()}/"
    report = notify.send_pending(ledger_file, [dead], clock)
    assert pairs(report.failed) == [("T01-a", "red_alert")] and not report.sent
    with store.connect(ledger_file) as con:
        pending = notify.pending_events(con, [notify.channel_id(dead)], clock)
    assert [(e.event, e.channels) for e in pending] == [("red_alert", [notify.channel_id(dead)])]


def test_a_dead_channel_never_makes_a_live_one_receive_twice(ledger_file, receiver, clock):
    live, live_received = receiver
    port = free_port()
    dead = f"json://127.0.0.1:{port}/"
    clock.advance(days=40)  # four events: a red alert and three overdue items
    for tick in range(3):
        report = notify.send_pending(ledger_file, [live, dead], clock)
        assert len(report.sent) == (4 if tick == 0 else 0)
        assert {ch for _a, _e, ch in report.failed} == {notify.channel_id(dead)}
    titles = [r["title"] for r in live_received]
    assert titles == ["[探照灯] 红色预警 T01-a", "[探照灯] 督办超期 T01-a",
                      "[探照灯] 督办超期 T02-b", "[探照灯] 督办超期 T07-c"]
    with sqlite3.connect(ledger_file) as con:  # the dead channel holds no claim
        assert con.execute("select count(*) from notifications where channel = ?",
                           [notify.channel_id(dead)]).fetchone() == (0,)
    _url, revived_received, revived = start_receiver(port)  # the channel comes back
    try:
        report = notify.send_pending(ledger_file, [live, dead], clock)
        assert report.failed == [] and len(report.sent) == 4
        assert {ch for _a, _e, ch in report.sent} == {notify.channel_id(dead)}
        assert notify.send_pending(ledger_file, [live, dead], clock).sent == []
    finally:
        revived.shutdown()
        revived.server_close()
    assert sorted(r["title"] for r in revived_received) == sorted(titles)
    assert len(live_received) == 4


def test_a_dead_channel_rests_after_a_few_failures_in_a_tick(ledger_file, clock):
    clock.advance(days=40)  # four events: a red alert and three overdue items
    dead = f"json://127.0.0.1:{free_port()}/"
    report = notify.send_pending(ledger_file, [dead], clock)
    assert len(report.failed) == notify.MAX_FAILURES_PER_TICK
    assert report.pending_left == 4 - notify.MAX_FAILURES_PER_TICK


def test_the_per_tick_limit_applies_to_each_channel(ledger_file, receiver, clock):
    url, received = receiver
    clock.advance(days=40)
    report = notify.send_pending(ledger_file, [url], clock, limit=3)
    assert len(report.sent) == 3 and report.pending_left == 1 and len(received) == 3
    assert len(notify.send_pending(ledger_file, [url], clock, limit=3).sent) == 1


def test_the_channel_is_stored_as_a_fingerprint_never_its_url(ledger_file, receiver, clock):
    url, _received = receiver
    secret_url = url + "?token=s3cret"
    notify.send_pending(ledger_file, [secret_url], clock)
    dump = "\n".join(sqlite3.connect(ledger_file).iterdump())
    assert "s3cret" not in dump and notify.channel_id(secret_url) in dump


def test_claims_of_a_store_before_channels_are_kept_for_every_channel(tmp_path, receiver,
                                                                    clock):
    path = tmp_path / "old.ledger.sqlite"
    con = sqlite3.connect(path)
    con.execute("create table notifications (alert_id text not null, event text not null, "
                "sent_at text not null, channels integer not null, "
                "primary key (alert_id, event))")
    con.execute("insert into notifications values ('T01-a', 'red_alert', '2026-09-28', 2)")
    con.commit()
    con.close()
    with store.connect(path) as scon:
        lifecycle.sync_alerts(scon, [make_alert("T01-a"), make_alert("T09-z")],
                              clock().date(), clock)
        assert [tuple(r) for r in scon.execute(
            "select alert_id, event, channel from notifications")] == [
            ("T01-a", "red_alert", store.ALL_CHANNELS)]
    url, received = receiver
    assert pairs(notify.send_pending(path, [url], clock).sent) == [("T09-z", "red_alert")]
    assert len(received) == 1


def test_a_resolved_red_alert_is_not_announced(ledger_file, receiver, clock):
    url, _received = receiver
    with store.connect(ledger_file) as con:
        lifecycle.act(con, "T01-a", "dismiss", "x", note="误报", clock=clock)
    assert notify.send_pending(ledger_file, [url], clock).sent == []


def test_the_sensor_skips_without_channels_and_sends_across_restarts(
        ledger_file, receiver, clock, monkeypatch):
    from orchestration.sensors import notification_sensor

    url, received = receiver
    monkeypatch.setattr(notify, "wall_clock", clock)  # not today's date: the fixture's
    monkeypatch.setenv("SEARCHLIGHT_LEDGER", str(ledger_file))
    monkeypatch.delenv("SEARCHLIGHT_NOTIFY_URLS", raising=False)
    result = notification_sensor(build_sensor_context())
    assert "SEARCHLIGHT_NOTIFY_URLS" in str(result.skip_message) and received == []
    monkeypatch.setenv("SEARCHLIGHT_NOTIFY_URLS", url)
    notification_sensor(build_sensor_context())
    assert [r["title"] for r in received] == ["[探照灯] 红色预警 T01-a"]  # nothing due yet
    clock.advance(days=20)  # past red (5) and yellow (10) working days, not info (15)
    notification_sensor(build_sensor_context())
    notification_sensor(build_sensor_context())  # a new context: a restarted sensor
    assert [r["title"] for r in received] == [
        "[探照灯] 红色预警 T01-a", "[探照灯] 督办超期 T01-a", "[探照灯] 督办超期 T02-b"]
