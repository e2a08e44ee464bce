"""Notifications: sent to an Apprise JSON webhook on loopback, once per alert and event,
also when the sensor restarts; nothing without a configured channel."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from dagster import build_sensor_context

from ledger import lifecycle, notify, store


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"json://127.0.0.1:{server.server_address[1]}/", Receiver.received
    server.shutdown()


def test_a_red_alert_is_sent_once_and_only_once(ledger_file, receiver, clock):
    url, received = receiver
    first = notify.send_pending(ledger_file, [url], clock)
    assert first.sent == [("T01-a", "red_alert")]
    assert len(received) == 1 and "T01-a" in received[0]["title"]
    again = notify.send_pending(ledger_file, [url], clock)  # a restart: a fresh call
    assert again.sent == [] and len(received) == 1


def test_an_item_past_its_deadline_is_sent_once(ledger_file, receiver, clock):
    url, received = receiver
    notify.send_pending(ledger_file, [url], clock)
    clock.advance(days=20)
    report = notify.send_pending(ledger_file, [url], clock)
    assert sorted(report.sent) == [("T01-a", "handling_overdue"), ("T02-b", "handling_overdue")]
    assert notify.send_pending(ledger_file, [url], clock).sent == []
    assert len(received) == 3 and all("督办超期" in r["title"] for r in received[1:])


def test_a_failed_delivery_is_retried_not_lost(ledger_file, clock):
    dead = "json://127.0.0.1:9/"  # discard port: nothing listens
    report = notify.send_pending(ledger_file, [dead], clock)
    assert report.failed == [("T01-a", "red_alert")] and not report.sent
    with store.connect(ledger_file) as con:
        assert [e.event for e in notify.pending_events(con, clock)] == ["red_alert"]


def test_a_resolved_red_alert_is_not_announced(ledger_file, receiver, clock):
    url, _received = receiver
    with store.connect(ledger_file) as con:
        lifecycle.act(con, "T01-a", "dismiss", "x", note="误报", clock=clock)
    assert notify.send_pending(ledger_file, [url], clock).sent == []


def test_the_sensor_skips_without_channels_and_sends_across_restarts(
        ledger_file, receiver, monkeypatch):
    from orchestration.sensors import notification_sensor

    url, received = receiver
    monkeypatch.setenv("SEARCHLIGHT_LEDGER", str(ledger_file))
    monkeypatch.delenv("SEARCHLIGHT_NOTIFY_URLS", raising=False)
    result = notification_sensor(build_sensor_context())
    assert "SEARCHLIGHT_NOTIFY_URLS" in str(result.skip_message) and received == []
    monkeypatch.setenv("SEARCHLIGHT_NOTIFY_URLS", url)
    notification_sensor(build_sensor_context())
    titles = [r["title"] for r in received]
    notification_sensor(build_sensor_context())  # a new context: a restarted sensor
    # The wall clock is past the September fixtures' deadlines: overdue events too.
    assert "[探照灯] 红色预警 T01-a" in titles and len(titles) == len(set(titles)) == 4
    assert len(received) == 4
