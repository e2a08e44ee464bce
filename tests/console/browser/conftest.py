"""The console served on a free loopback port over a copy of the demo warehouse, and
Debian's chromium for Playwright (scripts/install-browser.sh installs it: Playwright's
own browser download cannot be used here)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ledger import store
from searchlight.publish import published_dir

CHROMIUM = os.environ.get("SEARCHLIGHT_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "browser-pass-1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@dataclass
class Site:
    url: str
    warehouse: Path
    landing: Path
    supervisor: str
    supervisor2: str
    auditor: str
    dept_user: str
    dept_code: str

    def ledger(self) -> Path:
        return store.ledger_path(self.warehouse)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh (apt-get install "
                    "chromium fonts-noto-cjk), or set SEARCHLIGHT_CHROMIUM")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture(scope="session")
def site(demo_run, tmp_path_factory):
    """A copy of the demo (the tests act on it), its accounts, the console serving it."""
    import uvicorn

    from console.app import create_app
    from console.users import UserStore, users_path

    out, warehouse, _ = demo_run
    folder = tmp_path_factory.mktemp("console-site")
    copy = folder / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    ledger = store.ledger_path(warehouse)
    for suffix in ("", ".head", "-wal", "-shm"):
        if Path(f"{ledger}{suffix}").exists():
            shutil.copy(f"{ledger}{suffix}", f"{store.ledger_path(copy)}{suffix}")
    shutil.copytree(published_dir(warehouse), published_dir(copy), symlinks=True)
    with duckdb.connect() as con:
        dept = con.execute(
            f"select dept_code from read_parquet('{published_dir(copy)}/marts/alerts.parquet') "
            "where dept_code is not null group by 1 order by count(*) desc limit 1"
        ).fetchall()[0][0]
    users = UserStore(users_path(store.ledger_path(copy)))
    for name, role, dept_code in (("王督查", "supervisor", None), ("李督查", "supervisor", None),
                                  ("审计员", "auditor", None), ("承办员", "department", dept)):
        users.add(name, role, PASSWORD, dept_code)
    app = create_app(copy, secret="browser-tests-" * 4)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("the console did not start")
        time.sleep(0.05)
    yield Site(f"http://127.0.0.1:{port}", copy, out / "landing", "王督查", "李督查", "审计员",
               "承办员", dept)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(site):
    return site.url


@pytest.fixture
def sign_in(browser, site):
    """A new browser context signed in as ``name``; returns its page."""
    contexts = []

    def _sign_in(name: str, lang: str | None = None):
        context = browser.new_context(base_url=site.url, accept_downloads=True,
                                      viewport={"width": 1440, "height": 1000},
                                      locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        if lang == "en":
            page.click("text=English")
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield _sign_in
    for c in contexts:
        c.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
