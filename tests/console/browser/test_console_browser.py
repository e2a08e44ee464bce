"""The console in a real browser (Playwright driving Debian's chromium) over the demo:
sign-in, the list, CSV, one alert, the three-person loop, dismissal counted on /rules
after the next run, languages, refusals. Screenshots go to tests/artifacts/screenshots/."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

from ledger import lifecycle, store
from searchlight.publish import published_dir
from tests.console.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def open_alerts(site, dept: str | None = None, other_than: str | None = None,
                rule: str | None = None) -> list[dict]:
    """Alerts still new in the ledger, as the snapshot has them."""
    with sqlite3.connect(site.ledger()) as con:
        con.row_factory = sqlite3.Row
        states = lifecycle.fold(con.execute("select * from actions order by seq"))
    with duckdb.connect() as con:
        rows = con.execute(
            f"select alert_id, rule_code, dept_code from read_parquet('"
            f"{published_dir(site.warehouse)}/marts/alerts.parquet') order by alert_id"
        ).fetchall()
    out = [{"alert_id": a, "rule_code": r, "dept_code": d} for a, r, d in rows
           if states[a].status == "new"]
    if dept:
        out = [a for a in out if a["dept_code"] == dept]
    if other_than:
        out = [a for a in out if a["dept_code"] not in (other_than, None)]
    if rule:
        out = [a for a in out if a["rule_code"] == rule]
    return out


def history_actors(site, alert_id: str) -> list[tuple[str, str]]:
    with sqlite3.connect(site.ledger()) as con:
        return con.execute("select action, actor from actions where alert_id = ? "
                           "order by seq", [alert_id]).fetchall()


def test_sign_in_and_out(sign_in, site):
    page = sign_in(site.supervisor)
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(site.supervisor)
    screenshot(page, "overview")
    page.click("text=退出")
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto("/alerts")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_a_wrong_password_does_not_sign_in(page, site):
    page.goto("/login")
    page.fill("input[name=name]", site.supervisor)
    page.fill("input[name=password]", "not the password")
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator(".flash.error")).to_contain_text("用户名或密码错误")


def test_filter_and_page_the_list(sign_in, site):
    page = sign_in(site.supervisor)
    page.goto("/alerts?per_page=25")
    total_all = int(re.sub(r"\D", "", page.get_by_test_id("total").inner_text()))
    page.select_option("select[name=severity]", "red")
    expect(page).to_have_url(re.compile(r"severity=red"))
    total_red = int(re.sub(r"\D", "", page.get_by_test_id("total").inner_text()))
    assert 0 < total_red < total_all
    badges = page.locator("[data-testid=alerts-table] tbody .badge.sev-red")
    assert badges.count() == min(25, total_red)
    page.select_option("select[name=severity]", "")
    expect(page.get_by_test_id("total")).to_contain_text(f"{total_all:,}")
    first_page = page.locator("tr[data-alert-id]").first.get_attribute("data-alert-id")
    page.get_by_test_id("next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("tr[data-alert-id]").first).not_to_have_attribute(
        "data-alert-id", first_page)
    screenshot(page, "alerts")


def test_csv_export_equals_the_filtered_rows(sign_in, site):
    page = sign_in(site.supervisor)
    page.goto("/alerts?family=T&per_page=25")
    total = int(re.sub(r"\D", "", page.get_by_test_id("total").inner_text()))
    assert total <= 200  # one page of 200 holds them all below
    page.goto("/alerts?family=T&per_page=200")
    shown = page.locator("tr[data-alert-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.alertId)")
    page.goto("/alerts?family=T&per_page=25")
    with page.expect_download() as download:
        page.get_by_test_id("csv").click()
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["alert_id"] for r in rows] == shown and len(rows) == total
    assert {r["rule_family"] for r in rows} == {"T"}


def test_open_an_alert(sign_in, site):
    page = sign_in(site.supervisor)
    page.goto("/alerts")
    link = page.locator("tr[data-alert-id] a").first
    alert_id = link.inner_text()
    link.click()
    expect(page).to_have_url(re.compile(re.escape(f"/alerts/{alert_id}")))
    expect(page.get_by_test_id("evidence")).to_be_visible()
    expect(page.get_by_test_id("explanation")).to_be_visible()
    expect(page.get_by_test_id("legal-basis")).not_to_be_empty()
    expect(page.locator("[data-testid=history] tr[data-seq]")).not_to_have_count(0)
    screenshot(page, "alert")


def test_three_people_assign_feedback_close_and_the_chain_holds(sign_in, site):
    alert = open_alerts(site, dept=site.dept_code)[0]["alert_id"]
    boss = sign_in(site.supervisor)
    boss.goto(f"/alerts/{alert}")
    form = boss.locator("form[data-action=assign]")
    form.locator("input[name=assignee]").fill("张承办")
    form.locator("button[type=submit]").click()
    expect(boss.locator(".flash.ok")).to_be_visible()
    expect(boss.get_by_test_id("assignee")).to_have_text("张承办")

    handler = sign_in(site.dept_user)
    handler.goto(f"/alerts/{alert}")
    assert handler.locator("form[data-action]").count() == 1  # feedback, nothing else
    handler.locator("form[data-action=feedback] textarea[name=note]").fill("已核查，系系统延迟，已补录")
    handler.locator("form[data-action=feedback] button[type=submit]").click()
    expect(handler.locator(".flash.ok")).to_be_visible()

    boss.goto(f"/alerts/{alert}")
    boss.locator("form[data-action=close] textarea[name=note]").fill("核实情况属实，已督促整改")
    boss.locator("form[data-action=close] button[type=submit]").click()
    expect(boss.get_by_test_id("status")).to_have_text("已办结（属实）")
    history = boss.locator("[data-testid=history]")
    for text in (site.supervisor, site.dept_user, "已核查，系系统延迟，已补录", "核实情况属实，已督促整改"):
        expect(history).to_contain_text(text)
    assert history_actors(site, alert)[-3:] == [("assign", site.supervisor),
                                                ("feedback", site.dept_user),
                                                ("close", site.supervisor)]
    auditor = sign_in(site.auditor)
    auditor.goto("/ledger/verify")
    expect(auditor.get_by_test_id("verify-result")).to_have_text("台账记录完整，未被篡改。")
    with store.connect(site.ledger()) as con:
        report = store.verify_chain(con)
    assert report.ok
    expect(auditor.get_by_test_id("head-hash")).to_have_text(report.head)


def test_two_supervisors_at_once_the_second_is_told_it_changed(sign_in, site):
    alert = open_alerts(site)[-1]["alert_id"]
    first, second = sign_in(site.supervisor), sign_in(site.supervisor2)
    for page in (first, second):
        page.goto(f"/alerts/{alert}")
    first.locator("form[data-action=assign] input[name=assignee]").fill("甲")
    first.locator("form[data-action=assign] button[type=submit]").click()
    expect(first.locator(".flash.ok")).to_be_visible()
    second.locator("form[data-action=assign] input[name=assignee]").fill("乙")
    second.locator("form[data-action=assign] button[type=submit]").click()
    expect(second.get_by_test_id("action-error")).to_contain_text("在此期间已有变化")
    assert [a for a in history_actors(site, alert) if a[0] == "assign"] == \
        [("assign", site.supervisor)]


def test_a_department_handler_is_refused_another_departments_alert(sign_in, site):
    other = open_alerts(site, other_than=site.dept_code)[0]["alert_id"]
    page = sign_in(site.dept_user)
    response = page.goto(f"/alerts/{other}")
    assert response.status == 403
    expect(page.get_by_test_id("error-message")).to_contain_text("无权")


def test_a_form_replayed_without_its_token_is_refused(sign_in, site):
    alert = open_alerts(site)[-2]["alert_id"]
    before = history_actors(site, alert)
    page = sign_in(site.supervisor)
    page.goto(f"/alerts/{alert}")
    form = page.locator("form[data-action=dismiss]")
    form.locator("textarea[name=note]").fill("误报")
    form.evaluate("f => f.querySelector('input[name=csrf_token]').remove()")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.locator("button[type=submit]").click()
    assert posted.value.status == 403
    expect(page.get_by_test_id("error-message")).to_contain_text("安全令牌")
    assert history_actors(site, alert) == before


def test_the_language_switch_is_kept_on_every_page(sign_in, site):
    page = sign_in(site.supervisor)
    page.goto("/rules")
    page.click("header >> text=English")
    expect(page).to_have_url(re.compile(r"/rules$"))
    expect(page.locator("h1")).to_contain_text("warning rules")
    for path, heading in (("/alerts", "Alerts"), ("/cards", "Staff cards"), ("/", "Overview")):
        page.goto(path)
        expect(page.locator("h1")).to_contain_text(heading)
    page.click("header >> text=中文")
    expect(page.locator("h1")).to_contain_text("概览")


def test_a_dismissal_is_counted_on_rules_after_the_next_run(sign_in, site):
    from searchlight import pipeline

    page = sign_in(site.supervisor)
    candidates = open_alerts(site)
    rule = candidates[0]["rule_code"]
    alert = candidates[0]["alert_id"]
    page.goto("/rules")
    cell = page.locator(f"tr[data-rule={rule}] [data-testid=dismissed]")
    before = int(re.match(r"\d+", cell.inner_text().strip().replace(",", "")).group())
    page.goto(f"/alerts/{alert}")
    form = page.locator("form[data-action=dismiss]")
    form.locator("textarea[name=note]").fill("数据重复导出，非真实超期")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text("已排除（误报）")

    pipeline.run(site.landing, site.warehouse, progress=False)  # the next run, same landing
    page.goto("/rules")
    cell = page.locator(f"tr[data-rule={rule}] [data-testid=dismissed]")
    expect(cell).to_contain_text(str(before + 1))
    expect(page.locator(f"tr[data-rule={rule}]")).to_contain_text("数据重复导出，非真实超期")
