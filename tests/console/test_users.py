"""`searchlight users`: accounts beside the ledger, Argon2 hashes, passwords from stdin."""

from __future__ import annotations

import io
import sqlite3
import stat

import pytest

from console.users import UserError, UserStore, secret_path, session_secret, users_path
from ledger import store
from searchlight.cli import main

pytestmark = pytest.mark.unit


@pytest.fixture
def ledger(tmp_path):
    path = tmp_path / "w.ledger.sqlite"
    with store.connect(path):
        pass
    return path


def users(monkeypatch, ledger, *argv, stdin="secret-pass\n"):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", *argv, "--ledger", str(ledger)])


def test_add_list_remove_with_the_password_from_stdin(monkeypatch, ledger, capsys):
    assert users(monkeypatch, ledger, "add", "王督查", "--role", "supervisor") == 0
    assert users(monkeypatch, ledger, "add", "民政局", "--role", "department",
                 "--dept", "D02") == 0
    capsys.readouterr()
    assert users(monkeypatch, ledger, "list") == 0
    out = capsys.readouterr().out
    assert "王督查\tsupervisor" in out and "民政局\tdepartment\tD02" in out
    assert UserStore(users_path(ledger)).authenticate("王督查", "secret-pass", "t").name \
        == "王督查"
    assert users(monkeypatch, ledger, "remove", "王督查") == 0
    assert UserStore(users_path(ledger)).get("王督查") is None


def test_passwords_are_stored_only_as_argon2_hashes(monkeypatch, ledger):
    users(monkeypatch, ledger, "add", "a1", "--role", "auditor")
    path = users_path(ledger)
    with sqlite3.connect(path) as con:
        (hashed,) = con.execute("select password_hash from users").fetchone()
    assert hashed.startswith("$argon2id$") and "secret-pass" not in path.read_bytes().decode(
        "latin-1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(("argv", "message"), [
    (["add", "x1", "--role", "department"], "needs their department"),
    (["add", "x1", "--role", "supervisor", "--dept", "D01"], "for department handlers"),
    (["remove", "nobody"], "no account"),
])
def test_refusals_say_why(monkeypatch, ledger, capsys, argv, message):
    assert users(monkeypatch, ledger, *argv) == 1
    assert message in capsys.readouterr().err


def test_a_short_password_is_refused(monkeypatch, ledger, capsys):
    assert users(monkeypatch, ledger, "add", "x1", "--role", "auditor", stdin="short\n") == 1
    assert "at least 8" in capsys.readouterr().err


def test_a_name_taken_is_refused(tmp_path):
    store_ = UserStore(tmp_path / "u.sqlite")
    store_.add("甲", "auditor", "long enough")
    with pytest.raises(UserError, match="already an account"):
        store_.add("甲", "supervisor", "long enough")


def test_no_accounts_where_no_ledger_is(monkeypatch, tmp_path, capsys):
    code = users(monkeypatch, tmp_path / "typo.ledger.sqlite", "add", "a", "--role",
                 "auditor")
    assert code == 1 and "no ledger" in capsys.readouterr().err
    assert not users_path(tmp_path / "typo.ledger.sqlite").exists()


def test_the_session_secret_is_made_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SEARCHLIGHT_CONSOLE_SECRET", raising=False)
    ledger = tmp_path / "w.ledger.sqlite"
    first = session_secret(ledger)
    assert session_secret(ledger) == first and len(first) >= 32
    assert stat.S_IMODE(secret_path(ledger).stat().st_mode) == 0o600
    monkeypatch.setenv("SEARCHLIGHT_CONSOLE_SECRET", "from the environment " * 3)
    assert session_secret(ledger).startswith("from the environment")
