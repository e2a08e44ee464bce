"""The console through its HTTP interface (FastAPI TestClient): sign-in, roles, CSRF,
actions through the ledger, stale actions, filters, CSV, refreshing, languages."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3

import pytest

from ledger import lifecycle, store
from tests.console.conftest import PASSWORD, build_warehouse, csrf_of, make_alerts, sign_in

pytestmark = pytest.mark.unit

PAGES = ["/", "/?wall=1", "/alerts", "/alerts?format=csv", "/rules", "/cards",
         "/ledger/verify", "/alerts/T01-0000000000000000"]


def actions(warehouse) -> list[tuple]:
    with sqlite3.connect(store.ledger_path(warehouse)) as con:
        return con.execute("select seq, alert_id, action, actor, assignee, note "
                           "from actions order by seq").fetchall()


def last_seq(warehouse, alert_id: str) -> int:
    with store.connect(store.ledger_path(warehouse)) as con:
        return lifecycle.current_state(con, alert_id).last_seq


def act(client, alert_id: str, action: str, **fields):
    page = client.get(f"/alerts/{alert_id}")
    data = {"csrf_token": csrf_of(page.text), "action": action, **fields}
    if "expected_seq" not in fields:
        import re
        data["expected_seq"] = re.search(
            rf'data-action="{action}">.*?name="expected_seq" value="(\d+)"', page.text,
            re.DOTALL).group(1) if f'data-action="{action}"' in page.text else "0"
    return client.post(f"/alerts/{alert_id}/actions", data=data, follow_redirects=False)


def list_ids(client, query: str = "") -> list[str]:
    import re
    ids, page = [], 1
    while True:
        sep = "&" if query else ""
        html = client.get(f"/alerts?{query}{sep}page={page}&per_page=25").text
        ids += re.findall(r'<tr data-alert-id="([^"]+)"', html)
        if 'rel="next"' not in html:
            return ids
        page += 1


# ---------------------------------------------------------------------- sign-in
@pytest.mark.parametrize("path", PAGES)
def test_nothing_is_reachable_without_signing_in(client_for, path):
    response = client_for().get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_action_without_signing_in_changes_nothing(client_for, warehouse):
    before = actions(warehouse)
    response = client_for().post("/alerts/T01-0000000000000000/actions",
                                 data={"action": "dismiss", "note": "x"},
                                 follow_redirects=False)
    assert response.status_code == 303 and actions(warehouse) == before


def test_sign_in_then_sign_out(client_for):
    client = client_for()
    assert sign_in(client, "督查员甲").status_code == 303
    assert "督查员甲" in client.get("/").text
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_wrong_password_is_refused(client_for):
    client = client_for()
    response = sign_in(client, "督查员甲", "wrong password")
    assert response.status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_in_is_rate_limited_per_account(client_for):
    client = client_for()
    for _ in range(5):
        assert sign_in(client, "督查员甲", "guess").status_code == 401
    response = sign_in(client, "督查员甲")  # the right password, too late
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert sign_in(client_for(), "督查员乙").status_code == 303  # others unaffected


def test_a_removed_account_is_signed_out_at_its_next_request(client_for, app):
    client = client_for("督查员乙")
    app.state.users.remove("督查员乙")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_signed_and_http_only(client_for):
    client = client_for()
    response = sign_in(client, "督查员甲")
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    forged = client_for()
    forged.cookies.set("searchlight_session", cookie.split(";")[0].split("=", 1)[1][:-4] + "AAAA")
    assert forged.get("/", follow_redirects=False).status_code == 303


# ---------------------------------------------------------------------- roles
def test_a_department_handler_sees_only_their_departments_alerts(client_for):
    ids = list_ids(client_for("市监局"))
    everything = list_ids(client_for("督查员甲"))
    mine = {a["alert_id"] for a in make_alerts() if a["dept_code"] == "D01"}
    assert set(ids) == mine and len(everything) == 24


def test_a_department_handler_is_refused_another_departments_alert(client_for):
    other = next(a["alert_id"] for a in make_alerts() if a["dept_code"] == "D02")
    assert client_for("市监局").get(f"/alerts/{other}").status_code == 403


def test_a_department_handler_records_feedback_only_once_it_is_assigned(client_for,
                                                                         warehouse):
    alert_id = next(a["alert_id"] for a in make_alerts() if a["dept_code"] == "D01")
    dept = client_for("市监局")
    assert 'data-action="feedback"' not in dept.get(f"/alerts/{alert_id}").text  # still new
    before = actions(warehouse)
    response = act(dept, alert_id, "feedback", note="已核查",
                   expected_seq=str(last_seq(warehouse, alert_id)))
    assert response.status_code == 403 and actions(warehouse) == before

    assert act(client_for("督查员甲"), alert_id, "assign", assignee="李四").status_code == 303
    assert act(dept, alert_id, "feedback", note="已核查，已整改").status_code == 303
    response = act(dept, alert_id, "close", note="自行办结",
                   expected_seq=str(last_seq(warehouse, alert_id)))
    assert response.status_code == 403
    assert [a[2:4] for a in actions(warehouse)[-2:]] == [("assign", "督查员甲"),
                                                        ("feedback", "市监局")]


def test_an_auditor_reads_everything_and_acts_on_nothing(client_for, warehouse):
    auditor = client_for("审计员")
    alert_id = "T01-0000000000000000"
    page = auditor.get(f"/alerts/{alert_id}")
    assert page.status_code == 200 and "data-action=" not in page.text
    assert auditor.get("/ledger/verify").status_code == 200
    before = actions(warehouse)
    response = act(auditor, alert_id, "dismiss", note="x",
                   expected_seq=str(last_seq(warehouse, alert_id)))
    assert response.status_code == 403 and actions(warehouse) == before


def test_a_department_handler_cannot_open_the_verify_page(client_for):
    assert client_for("市监局").get("/ledger/verify").status_code == 403


# ---------------------------------------------------------------------- actions
def test_actions_land_in_the_chain_with_the_signed_in_person_as_actor(client_for, warehouse):
    boss = client_for("督查员甲")
    alert_id = "T01-0000000000000000"
    assert act(boss, alert_id, "assign", assignee="李四", dept="D01").status_code == 303
    assert act(client_for("市监局"), alert_id, "feedback", note="已补正").status_code == 303
    assert act(boss, alert_id, "close", note="核实属实，已整改").status_code == 303
    rows = [r for r in actions(warehouse) if r[1] == alert_id]
    assert [(r[2], r[3]) for r in rows] == [("register", "searchlight"), ("assign", "督查员甲"),
                                            ("feedback", "市监局"), ("close", "督查员甲")]
    page = boss.get(f"/alerts/{alert_id}").text
    assert "核实属实，已整改" in page and "已补正" in page
    with store.connect(store.ledger_path(warehouse)) as con:
        assert store.verify_chain(con).ok
    assert "status=closed" not in page  # the list reflects the store without a new run:
    assert alert_id in list_ids(boss, "status=closed")


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(client_for, warehouse):
    boss = client_for("督查员甲")
    alert_id = "T01-0000000000000000"
    before = actions(warehouse)
    for token in ("", csrf_of(client_for("督查员乙").get("/").text)):  # none; another's
        response = boss.post(f"/alerts/{alert_id}/actions",
                             data={"action": "dismiss", "note": "误报", "csrf_token": token,
                                   "expected_seq": str(last_seq(warehouse, alert_id))})
        assert response.status_code == 403
    assert actions(warehouse) == before


def test_an_action_on_a_state_that_changed_meanwhile_is_refused(client_for, warehouse):
    alert_id = "T01-0000000000000000"
    first, second = client_for("督查员甲"), client_for("督查员乙")
    seen = str(last_seq(warehouse, alert_id))  # both opened the page now
    token1, token2 = (csrf_of(c.get(f"/alerts/{alert_id}").text) for c in (first, second))
    ok = first.post(f"/alerts/{alert_id}/actions", follow_redirects=False, data={
        "action": "assign", "assignee": "李四", "csrf_token": token1, "expected_seq": seen})
    late = second.post(f"/alerts/{alert_id}/actions", data={
        "action": "assign", "assignee": "王五", "csrf_token": token2, "expected_seq": seen})
    assert ok.status_code == 303 and late.status_code == 409
    assert "在此期间已有变化" in late.text
    assert [r[4] for r in actions(warehouse) if r[2] == "assign"] == ["李四"]


def test_a_refused_transition_shows_the_ledgers_message_and_changes_nothing(client_for,
                                                                            warehouse):
    boss = client_for("督查员甲", lang="en")
    alert_id = "T01-0000000000000000"
    before = actions(warehouse)
    response = act(boss, alert_id, "assign", assignee="")  # assign needs an assignee
    assert response.status_code == 400 and "assign needs an assignee" in response.text
    assert actions(warehouse) == before


def test_an_unknown_alert_is_a_404_page(client_for):
    response = client_for("督查员甲").get("/alerts/NOPE-1")
    assert response.status_code == 404 and "<html" in response.text


def test_an_invalid_filter_is_a_400_naming_it(client_for):
    response = client_for("督查员甲", lang="en").get("/alerts?month=2026-13")
    assert response.status_code == 400 and "month" in response.text


# ---------------------------------------------------------------------- the list
def test_filters_combine_and_the_total_counts_every_page(client_for):
    boss = client_for("督查员甲")
    expected = {a["alert_id"] for a in make_alerts()
                if a["severity"] == "red" and a["occurred_on"].month == 7}
    assert set(list_ids(boss, "severity=red&month=2026-07")) == expected
    html = boss.get("/alerts?family=S&per_page=3").text
    assert 'data-testid="total">共 8 条预警' in html and html.count("<tr data-alert-id") == 3


def test_sorting_by_occurrence_both_ways(client_for):
    boss = client_for("督查员甲")
    asc = list_ids(boss, "sort=occurred_on&order=asc")
    desc = list_ids(boss, "sort=occurred_on&order=desc")
    by_date = {a["alert_id"]: a["occurred_on"] for a in make_alerts()}
    assert [by_date[i] for i in asc] == sorted(by_date[i] for i in asc)
    assert desc == list(reversed(asc))


def test_csv_export_is_exactly_the_filtered_rows_in_utf8_with_bom(client_for):
    boss = client_for("督查员甲")
    response = boss.get("/alerts?family=T&sort=alert_id&order=asc&per_page=2&format=csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["alert_id"] for r in rows] == list_ids(boss, "family=T&sort=alert_id&order=asc")
    assert rows[0]["evidence"].startswith("{") and rows[0]["rule_code"] == "T01"


def test_a_department_handlers_csv_holds_only_their_department(client_for):
    rows = list(csv.DictReader(io.StringIO(
        client_for("市监局").get("/alerts?format=csv").content.decode("utf-8-sig"))))
    assert rows and {r["handling_dept_code"] for r in rows} == {"D01"}


def test_an_action_taken_outside_the_console_shows_without_a_restart(client_for, warehouse,
                                                                      clock):
    boss = client_for("督查员甲")
    assert "T01-0000000000000000" not in list_ids(boss, "status=dismissed")
    with store.connect(store.ledger_path(warehouse)) as con:
        lifecycle.act(con, "T01-0000000000000000", "dismiss", "cli", note="误报", clock=clock)
    assert list_ids(boss, "status=dismissed") == ["T01-0000000000000000"]


# ---------------------------------------------------------------------- the snapshot
def test_a_missing_snapshot_is_a_refreshing_page_then_a_new_one_shows(client_for, warehouse,
                                                                      clock, tmp_path):
    boss = client_for("督查员甲")
    published = warehouse.parent / "w_published"
    aside = tmp_path / "aside"
    shutil.move(published, aside)
    for path in ("/", "/alerts", "/rules", "/cards", "/alerts/T01-0000000000000000"):
        response = boss.get(path)
        assert response.status_code == 503 and "数据正在更新" in response.text
        assert "Traceback" not in response.text
    extra = make_alerts()
    extra.append({**extra[0], "alert_id": "T01-ffffffffffffffff", "subject_id": "C-new"})
    build_warehouse(warehouse.parent, extra, clock)  # the next run publishes again
    assert boss.get("/alerts").status_code == 200
    assert len(list_ids(boss)) == 25


def test_a_snapshot_whose_files_vanished_is_a_refreshing_page(client_for, warehouse):
    boss = client_for("督查员甲")
    assert boss.get("/alerts").status_code == 200
    (warehouse.parent / "w_published" / "marts" / "alerts.parquet").unlink()
    response = boss.get("/alerts/T01-0000000000000000")
    assert response.status_code in (200, 503) and "Traceback" not in response.text
    assert boss.get("/alerts?format=csv").status_code in (200, 503)


# ---------------------------------------------------------------------- pages
def test_the_alert_page_shows_explanation_evidence_basis_and_history(client_for):
    html = client_for("督查员甲").get("/alerts/T01-0000000000000000").text
    assert "《行政许可法》第四十二条" in html and "limit_days" in html
    assert "statutory_limit_days" in html and "C-0000" in html
    assert 'data-testid="explanation"' in html and "风险线索" in html
    assert 'data-seq="1"' in html and "searchlight" in html


def test_the_rules_page_marks_a_rule_firing_on_an_unusual_share(client_for):
    html = client_for("督查员甲").get("/rules").text
    # T01 fires on 8 of 100 (8%), S04 on 8 of 40 (20%: not above), K01 on 8 of 20 (small)
    assert html.count('data-testid="unusual"') == 0
    assert "超法定时限" in html and "《行政许可法》第四十二条" in html


def test_the_rules_page_warns_above_the_unusual_share(tmp_path, clock):
    from fastapi.testclient import TestClient

    from console.app import create_app
    from console.users import UserStore, users_path

    warehouse = build_warehouse(tmp_path, make_alerts(), clock,
                                coverage={"T01": (100, 35), "S04": (10, 8), "K01": (0, 0)})
    UserStore(users_path(store.ledger_path(warehouse))).add("甲", "supervisor", PASSWORD)
    with TestClient(create_app(warehouse, secret="s" * 48, clock=clock)) as client:
        sign_in(client, "甲")
        html = client.get("/rules").text
    t01 = html[html.index('data-rule="T01"'):html.index('data-rule="T01"') + 3000]
    assert 'data-testid="unusual"' in t01  # 35% of 100
    assert html.count('data-testid="unusual"') == 1  # S04: 80% but of 10 only
    assert "未评估任何对象" in html  # K01: nothing evaluated


def test_the_cards_page_drills_down_to_the_alerts_behind_each_card(client_for):
    html = client_for("督查员甲").get("/cards").text
    assert "/alerts?card=1&amp;staff=G00&amp;month=2026-09" in html
    assert 'data-chart="' in html


def test_the_verify_page_shows_the_head_hash(client_for, warehouse):
    with store.connect(store.ledger_path(warehouse)) as con:
        head = store.verify_chain(con).head
    html = client_for("审计员").get("/ledger/verify").text
    assert head in html and "台账记录完整" in html
    assert "该哈希在链中" in client_for("审计员").get(f"/ledger/verify?expect_head={head}").text


def test_the_overview_and_wall_answer_for_every_role(client_for):
    for name in ("督查员甲", "市监局", "审计员"):
        client = client_for(name)
        for path in ("/", "/?wall=1", "/?wall=1&partial=1"):
            assert client.get(path).status_code == 200


# ---------------------------------------------------------------------- languages
def test_chinese_by_default_english_by_the_switch_which_every_page_keeps(client_for):
    boss = client_for("督查员甲")
    assert "概览" in boss.get("/").text
    response = boss.get("/lang/en?next=/rules", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/rules"
    for path in ("/", "/alerts", "/rules", "/cards", "/alerts/T01-0000000000000000"):
        html = boss.get(path).text
        assert 'lang="en"' in html and "Overview" in html and "概览" not in html
    boss.get("/lang/zh_CN?next=/")
    assert "概览" in boss.get("/alerts").text


def test_the_language_switch_is_no_open_redirect(client_for):
    response = client_for().get("/lang/en?next=//evil.example/", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_security_headers_forbid_framing_and_inline_script(client_for):
    headers = client_for().get("/login").headers
    assert headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in headers["content-security-policy"]


def test_a_head_hash_not_in_the_chain_is_reported(client_for):
    html = client_for("审计员").get("/ledger/verify?expect_head=" + "ab" * 32).text
    assert "该哈希不在链中" in html


def test_deep_pages_hold_the_same_rows_as_one_long_page(client_for):
    boss = client_for("督查员甲")
    import re
    one = re.findall(r'<tr data-alert-id="([^"]+)"',
                     boss.get("/alerts?sort=due_on&order=asc&per_page=200").text)
    assert list_ids(boss, "sort=due_on&order=asc") == one


def test_the_explanation_of_the_snapshot_is_shown_in_the_pages_language(tmp_path, clock,
                                                                        accounts_file):
    from fastapi.testclient import TestClient

    from console.app import create_app
    from console.users import users_path

    warehouse = build_warehouse(tmp_path, make_alerts(), clock, explanations=True)
    shutil.copy(accounts_file, users_path(store.ledger_path(warehouse)))
    with TestClient(create_app(warehouse, secret="s" * 48, clock=clock)) as client:
        sign_in(client, "督查员甲")
        assert "办件 C-0000 已用 20 个工作日" in client.get("/alerts/T01-0000000000000000").text
        client.cookies.set("searchlight_lang", "en")
        assert "case C-0000 took 20 working days" in \
            client.get("/alerts/T01-0000000000000000").text
