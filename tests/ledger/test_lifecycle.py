"""The closed loop: allowed transitions, refusals that change nothing, lifecycle on resync,
handling deadlines in working days, and the hash chain that shows tampering."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3

import pytest

from ledger import evidence, lifecycle, store
from tests.ledger.conftest import AS_OF, make_alert

pytestmark = pytest.mark.unit


def act(path, *args, clock, **kw):
    with store.connect(path) as con:
        return lifecycle.act(con, *args, clock=clock, **kw)


def state(path, alert_id):
    with store.connect(path) as con:
        return lifecycle.current_state(con, alert_id)


def history(path):
    with sqlite3.connect(path) as con:
        return con.execute("select seq, alert_id, action, hash from actions order by seq"
                           ).fetchall()


def chain_head(path):
    with store.connect(path) as con:
        report = store.verify_chain(con)
    assert report.ok
    return report.head


def test_the_full_loop_assign_transfer_feedback_close(ledger_file, clock):
    act(ledger_file, "T01-a", "assign", "王督查", assignee="李四", clock=clock)
    act(ledger_file, "T01-a", "transfer", "王督查", dept_code="D09", note="属D09职责",
        clock=clock)
    s = state(ledger_file, "T01-a")
    assert (s.status, s.handling_dept_code, s.assignee) == ("transferred", "D09", None)
    act(ledger_file, "T01-a", "feedback", "D09", note="已补办", clock=clock)
    clock.advance(hours=2)
    act(ledger_file, "T01-a", "close", "王督查", note="核实整改", clock=clock)
    s = state(ledger_file, "T01-a")
    assert s.status == "closed" and s.last_actor == "王督查"
    assert s.last_action_at == clock.now.isoformat() and s.actions == 5


@pytest.mark.parametrize(("alert_id", "action", "kw", "message"), [
    ("T01-a", "close", {}, "never assigned"),
    ("T01-a", "feedback", {"note": "x"}, "never assigned"),
    ("NOPE-1", "assign", {"assignee": "x"}, "unknown alert id"),
    ("T01-a", "dismiss", {}, "needs a note"),
    ("T01-a", "assign", {}, "needs an assignee"),
    ("T01-a", "transfer", {"note": "x"}, "receiving department"),
    ("T01-a", "transfer", {"note": "x", "dept_code": "D01"}, "already with department"),
    ("T01-a", "reopen", {"note": "x"}, "it is new"),
    ("T01-a", "archive", {}, "unknown action"),
])
def test_invalid_transitions_are_refused_and_change_nothing(ledger_file, clock, alert_id,
                                                            action, kw, message):
    before = history(ledger_file)
    with pytest.raises(lifecycle.LedgerError, match=message):
        act(ledger_file, alert_id, action, "王督查", clock=clock, **kw)
    assert history(ledger_file) == before


def test_acting_on_a_resolved_alert_is_refused(ledger_file, clock):
    act(ledger_file, "T02-b", "dismiss", "王督查", note="数据口径错误", clock=clock)
    for action, kw in (("assign", {"assignee": "x"}), ("close", {}),
                       ("dismiss", {"note": "again"})):
        with pytest.raises(lifecycle.LedgerError, match="it is dismissed"):
            act(ledger_file, "T02-b", action, "x", clock=clock, **kw)
    act(ledger_file, "T02-b", "reopen", "王督查", note="复核", clock=clock)
    assert state(ledger_file, "T02-b").status == "new"


def test_an_alert_that_stops_firing_stays_with_its_history(ledger_file, clock):
    act(ledger_file, "T01-a", "assign", "王督查", assignee="李四", clock=clock)
    with store.connect(ledger_file) as con:
        report = lifecycle.sync_alerts(con, [make_alert("T02-b", "yellow")], AS_OF, clock)
        firing = dict(con.execute("select alert_id, still_firing from alerts").fetchall())
    assert report.stopped_firing == 2
    assert firing == {"T01-a": 0, "T02-b": 1, "T07-c": 0}
    assert state(ledger_file, "T01-a").status == "assigned"


def test_dismissed_stays_dismissed_unless_its_evidence_changed(ledger_file, clock):
    act(ledger_file, "T02-b", "dismiss", "王督查", note="节假日调休未识别", clock=clock)
    same = make_alert("T02-b", "yellow")
    with store.connect(ledger_file) as con:
        lifecycle.sync_alerts(con, [same], AS_OF + dt.timedelta(days=1), clock)
    assert state(ledger_file, "T02-b").status == "dismissed"
    changed = make_alert("T02-b", "yellow", evidence={"case_id": "ST02-b", "days": 15})
    with store.connect(ledger_file) as con:
        report = lifecycle.sync_alerts(con, [changed], AS_OF + dt.timedelta(days=2), clock)
    assert report.reopened == 1
    s = state(ledger_file, "T02-b")
    assert s.status == "new" and s.last_actor == lifecycle.SYSTEM_ACTOR


def test_a_closed_alert_that_fires_again_with_new_evidence_is_reopened(ledger_file, clock):
    act(ledger_file, "T01-a", "assign", "王督查", assignee="李四", clock=clock)
    act(ledger_file, "T01-a", "close", "王督查", note="已整改", clock=clock)
    with store.connect(ledger_file) as con:  # stops firing, then fires again unchanged
        lifecycle.sync_alerts(con, [], AS_OF, clock)
        lifecycle.sync_alerts(con, [make_alert("T01-a")], AS_OF, clock)
    assert state(ledger_file, "T01-a").status == "closed"
    with store.connect(ledger_file) as con:
        lifecycle.sync_alerts(con, [make_alert("T01-a", evidence={"days": 30})], AS_OF, clock)
    assert state(ledger_file, "T01-a").status == "new"


# --- every (status, action) pair, from the TRANSITIONS table ---------------------------

# How the fixture's T01-a (registered: new, handled by D01) reaches each status.
REACH = {
    "new": [],
    "assigned": [("assign", {"assignee": "李四"})],
    "transferred": [("transfer", {"dept_code": "D09", "note": "属D09职责"})],
    "feedback": [("assign", {"assignee": "李四"}), ("feedback", {"note": "已补办"})],
    "closed": [("assign", {"assignee": "李四"}), ("close", {"note": "已整改"})],
    "dismissed": [("dismiss", {"note": "误报"})],
}
# Complete arguments for each action, so only the state decides whether it is allowed.
ARGS = {"assign": {"assignee": "王五"}, "transfer": {"dept_code": "D07", "note": "转办"},
        "feedback": {"note": "已办理"}, "close": {"note": "核实整改"},
        "dismiss": {"note": "数据口径错误"}, "reopen": {"note": "复核"}}


def reach(path, status, clock):
    for action, kw in REACH[status]:
        act(path, "T01-a", action, "王督查", clock=clock, **kw)
    assert state(path, "T01-a").status == status


def test_the_table_covers_every_status_and_action():
    assert set(REACH) == set(lifecycle.STATUSES) and set(ARGS) == set(lifecycle.TRANSITIONS)


@pytest.mark.parametrize(("status", "action"),
                         list(itertools.product(lifecycle.STATUSES, lifecycle.TRANSITIONS)))
def test_every_status_and_action_pair(ledger_file, clock, status, action):
    reach(ledger_file, status, clock)
    before, head = history(ledger_file), chain_head(ledger_file)
    allowed_from, to_status = lifecycle.TRANSITIONS[action]
    if status in allowed_from:
        row = act(ledger_file, "T01-a", action, "王督查", clock=clock, **ARGS[action])
        assert (row["from_status"], row["to_status"]) == (status, to_status)
        assert state(ledger_file, "T01-a").status == to_status
        assert history(ledger_file)[:-1] == before and len(history(ledger_file)) == \
            len(before) + 1
    else:
        with pytest.raises(lifecycle.LedgerError,
                           match=f"cannot {action} T01-a: it is {status}.*allowed when"):
            act(ledger_file, "T01-a", action, "王督查", clock=clock, **ARGS[action])
        assert history(ledger_file) == before and chain_head(ledger_file) == head


@pytest.mark.parametrize("action", sorted(lifecycle.NOTE_REQUIRED))
@pytest.mark.parametrize("note", [None, "", "   "])
def test_a_missing_note_is_refused_where_one_is_required(ledger_file, clock, action, note):
    status = next(s for s in ("assigned", "dismissed")
                  if s in lifecycle.TRANSITIONS[action][0])
    reach(ledger_file, status, clock)
    before, head = history(ledger_file), chain_head(ledger_file)
    with pytest.raises(lifecycle.LedgerError, match=f"{action} needs a note"):
        act(ledger_file, "T01-a", action, "王督查", clock=clock,
            **{**ARGS[action], "note": note})
    assert history(ledger_file) == before and chain_head(ledger_file) == head


def test_assign_needs_no_note_its_assignee_is_what_it_records(ledger_file, clock):
    row = act(ledger_file, "T01-a", "assign", "王督查", assignee="李四", clock=clock)
    assert row["assignee"] == "李四" and row["note"] is None


@pytest.mark.parametrize("actor", ["", "   ", None])
def test_an_action_without_an_actor_is_refused(ledger_file, clock, actor):
    before = history(ledger_file)
    with pytest.raises(lifecycle.LedgerError, match="who acts must be known"):
        act(ledger_file, "T01-a", "assign", actor, clock=clock, assignee="李四")
    assert history(ledger_file) == before


@pytest.mark.parametrize("action", lifecycle.TRANSITIONS)
def test_any_action_on_an_unknown_alert_id_is_refused(ledger_file, clock, action):
    before = history(ledger_file)
    with pytest.raises(lifecycle.LedgerError, match="unknown alert id 'T01-zzz'"):
        act(ledger_file, "T01-zzz", action, "王督查", clock=clock, **ARGS[action])
    assert history(ledger_file) == before


def test_feedback_can_be_sent_back_for_rework(ledger_file, clock):
    reach(ledger_file, "feedback", clock)
    act(ledger_file, "T01-a", "assign", "王督查", assignee="王五", note="退回重办：材料不全",
        clock=clock)
    s = state(ledger_file, "T01-a")
    assert (s.status, s.assignee, s.handling_dept_code) == ("assigned", "王五", "D01")


@pytest.mark.parametrize("resolved", ["closed", "dismissed"])
def test_reopen_leaves_nobody_assigned(ledger_file, clock, resolved):
    reach(ledger_file, resolved, clock)
    act(ledger_file, "T01-a", "reopen", "王督查", note="复核", clock=clock)
    s = state(ledger_file, "T01-a")
    assert (s.status, s.assignee) == ("new", None)


# --- evidence that changes only because time passes -------------------------------------

def open_case_evidence(day: int, **facts) -> dict:
    """T01-like evidence of a case still open on 2026-09-<day>."""
    return {"case_id": "ST01-a", "completed_at": None, "statutory_limit_days": 15,
            "clock_end_at": f"2026-09-{day:02d} 23:59:59", "gross_days": day - 7,
            "elapsed_days": day - 7, **facts}


def test_a_dismissed_open_case_stays_dismissed_while_only_time_passes(tmp_path, clock):
    path = tmp_path / "w.ledger.sqlite"
    with store.connect(path) as con:
        lifecycle.sync_alerts(con, [make_alert("T01-a", evidence=open_case_evidence(25))],
                              AS_OF, clock)
    act(path, "T01-a", "dismiss", "王督查", note="承诺件口径错误", clock=clock)
    for day in (26, 27, 28):
        with store.connect(path) as con:
            report = lifecycle.sync_alerts(
                con, [make_alert("T01-a", evidence=open_case_evidence(day))],
                dt.date(2026, 9, day), clock)
        assert report.reopened == 0 and state(path, "T01-a").status == "dismissed"
    with store.connect(path) as con:  # the case is completed: that is new evidence
        report = lifecycle.sync_alerts(con, [make_alert("T01-a", evidence=open_case_evidence(
            29, completed_at="2026-09-29 10:00:00"))], dt.date(2026, 9, 29), clock)
    assert report.reopened == 1 and state(path, "T01-a").status == "new"


def test_a_store_resolved_with_whole_evidence_hashes_is_not_reopened_on_upgrade(
        tmp_path, clock):
    # What the ledger wrote before material hashing: sha256 of the whole evidence text,
    # in the register and on the dismiss row.
    path = tmp_path / "w.ledger.sqlite"
    day_25 = json.dumps(open_case_evidence(25))
    with store.connect(path) as con:
        lifecycle.sync_alerts(con, [make_alert("T01-a", evidence=open_case_evidence(25))],
                              AS_OF, clock)
        con.execute("update alerts set evidence_hash = ?", [evidence.legacy_hash(day_25)])
        store.append_action(con, alert_id="T01-a", action="dismiss", from_status="new",
                            to_status="dismissed", actor="王督查",
                            acted_at=clock().isoformat(), note="误报",
                            evidence_hash=evidence.legacy_hash(day_25))
    for day in (26, 27):  # the second run must not reopen it either
        with store.connect(path) as con:
            report = lifecycle.sync_alerts(
                con, [make_alert("T01-a", evidence=open_case_evidence(day))],
                dt.date(2026, 9, day), clock)
        assert (report.reopened, report.rehashed) == (0, 1 if day == 26 else 0)
        assert state(path, "T01-a").status == "dismissed"
    rows = [r for r in history(path) if r[2] == lifecycle.REHASH]
    assert len(rows) == 1 and chain_head(path)
    s = state(path, "T01-a")
    assert s.last_action == "dismiss" and s.resolved_evidence_hash == \
        evidence.material_hash(day_25)
    with store.connect(path) as con:
        report = lifecycle.sync_alerts(con, [make_alert("T01-a", evidence=open_case_evidence(
            28, statutory_limit_days=10))], dt.date(2026, 9, 28), clock)
    assert report.reopened == 1


def test_first_detected_on_never_moves_later(ledger_file, clock):
    later = {**make_alert("T01-a"), "first_detected_on": AS_OF + dt.timedelta(days=30)}
    with store.connect(ledger_file) as con:
        lifecycle.sync_alerts(con, [later], AS_OF + dt.timedelta(days=30), clock)
        first = con.execute("select first_detected_on from alerts where alert_id='T01-a'"
                            ).fetchone()[0]
    assert first == AS_OF.isoformat()


def test_due_on_counts_working_days_on_the_china_calendar(ledger_file, monkeypatch):
    # Registered Mon 2026-09-28, just before the National Day holidays (1-7 Oct).
    with store.connect(ledger_file) as con:
        cal = lifecycle.calendar(con)
    due = {s: state(ledger_file, a).due_on
           for s, a in (("red", "T01-a"), ("yellow", "T02-b"), ("info", "T07-c"))}
    start = dt.date(2026, 9, 28)
    for severity, days in lifecycle.DEFAULT_DUE_DAYS.items():
        d = dt.date.fromisoformat(due[severity])
        assert cal.workdays(start, d) == days and cal.is_workday(d), severity
    assert dt.date.fromisoformat(due["red"]) > dt.date(2026, 10, 7)  # not 5 calendar days
    monkeypatch.setenv("SEARCHLIGHT_LEDGER_DUE_DAYS", "red=1")
    assert lifecycle.due_days()["red"] == 1 and lifecycle.due_days()["info"] == 15


def test_an_open_item_past_due_is_overdue_and_a_resolved_one_is_not(ledger_file, clock):
    s = state(ledger_file, "T01-a")
    due = dt.date.fromisoformat(s.due_on)
    assert not lifecycle.is_overdue(s, due)
    assert lifecycle.is_overdue(s, due + dt.timedelta(days=1))
    act(ledger_file, "T01-a", "dismiss", "x", note="误报", clock=clock)
    assert not lifecycle.is_overdue(state(ledger_file, "T01-a"), due + dt.timedelta(days=1))


# --- tamper evidence -------------------------------------------------------------------

@pytest.fixture
def tampered(ledger_file, clock):
    act(ledger_file, "T01-a", "assign", "王督查", assignee="李四", clock=clock)
    act(ledger_file, "T01-a", "close", "王督查", note="已整改", clock=clock)
    act(ledger_file, "T02-b", "dismiss", "王督查", note="误报", clock=clock)
    con = sqlite3.connect(ledger_file)
    with store.connect(ledger_file) as scon:
        assert store.verify_chain(scon).ok
    # Someone with the file drops the append-only triggers first.
    con.execute("drop trigger actions_no_update")
    con.execute("drop trigger actions_no_delete")
    yield con
    con.close()


def verify(path):
    with store.connect(path) as con:
        return store.verify_chain(con)


def test_the_history_cannot_be_edited_through_sql(ledger_file):
    con = sqlite3.connect(ledger_file)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("update actions set note = 'x' where seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("delete from actions where seq = 1")


def test_verify_names_an_edited_row(ledger_file, tampered):
    tampered.execute("update actions set actor = '张三' where seq = 5")
    tampered.commit()
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 5 and "edited" in report.problem


def test_verify_names_the_row_after_a_deleted_one(ledger_file, tampered):
    tampered.execute("delete from actions where seq = 4")
    tampered.commit()
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 5 and "deleted" in report.problem


def test_verify_names_a_deleted_row_even_when_seq_is_renumbered(ledger_file, tampered):
    tampered.execute("delete from actions where seq = 4")
    tampered.execute("update actions set seq = seq - 1 where seq > 4")
    tampered.commit()
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 4


def test_verify_names_reordered_rows(ledger_file, tampered):
    tampered.execute("update actions set seq = -1 where seq = 4")
    tampered.execute("update actions set seq = 4 where seq = 5")
    tampered.execute("update actions set seq = 5 where seq = -1")
    tampered.commit()
    report = verify(ledger_file)
    assert not report.ok and report.broken_seq == 4
