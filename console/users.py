"""Console accounts: who may sign in, with which role, and the sign-in rate limit.

Accounts live in their own SQLite file beside the ledger store, never in the warehouse
(which a build rewrites and BI readers see) and not inside the ledger store either (its
tables are copied into the warehouse on every run, and a copy of the ledger handed to an
auditor must not carry password hashes):

    <warehouse dir>/<warehouse stem>.users.sqlite     (SEARCHLIGHT_USERS overrides)

Passwords are kept only as Argon2id hashes (argon2-cffi, salted, memory-hard); a hash
made with weaker parameters than today's is replaced at the next successful sign-in.

Sign-in attempts are limited per account and per client address (``MAX_FAILURES_*``
failures within ``FAILURE_WINDOW``): past the limit, sign-in is refused without checking
the password until the oldest failure leaves the window. The failures are kept in this
file, so a restart of the console does not reset them.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ROLES = ("supervisor", "department", "auditor")
MIN_PASSWORD_LENGTH = 8
FAILURE_WINDOW = 15 * 60  # seconds
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 20

SCHEMA = """
create table if not exists users (
    name          text primary key,
    role          text not null,
    dept_code     text,
    password_hash text not null,
    created_at    text not null
);
create table if not exists sign_in_failures (
    key       text not null,
    failed_at real not null
);
create index if not exists sign_in_failures_key on sign_in_failures(key, failed_at);
"""

_hasher = PasswordHasher()
# Verified when the account does not exist, so a wrong name takes as long as a wrong
# password and the response time does not tell which names exist.
_DUMMY_HASH = _hasher.hash("not a password of anybody")


class UserError(ValueError):
    """An account request refused; the message says why. Nothing was changed."""


class SignInRefused(Exception):
    """Sign-in refused: wrong name or password, or too many recent failures."""

    def __init__(self, reason: str, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason  # "invalid" or "rate_limited"
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    name: str
    role: str
    dept_code: str | None
    created_at: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def is_department(self) -> bool:
        return self.role == "department"

    @property
    def is_auditor(self) -> bool:
        return self.role == "auditor"


def _prefix(ledger: Path) -> Path:
    """``X.ledger.sqlite`` → ``X``; any other store name is kept whole."""
    ledger = Path(ledger)
    suffix = ".ledger.sqlite"
    if ledger.name.endswith(suffix):
        return ledger.with_name(ledger.name[: -len(suffix)])
    return ledger


def users_path(ledger: Path) -> Path:
    """``SEARCHLIGHT_USERS``, else ``<warehouse stem>.users.sqlite`` beside the ledger."""
    override = os.environ.get("SEARCHLIGHT_USERS")
    if override:
        return Path(override)
    prefix = _prefix(ledger)
    return prefix.with_name(prefix.name + ".users.sqlite")


def secret_path(ledger: Path) -> Path:
    """Where the session-signing secret is kept when SEARCHLIGHT_CONSOLE_SECRET is unset."""
    prefix = _prefix(ledger)
    return prefix.with_name(prefix.name + ".console-secret")


def session_secret(ledger: Path) -> str:
    """``SEARCHLIGHT_CONSOLE_SECRET``, else the secret kept beside the ledger store (made
    once, readable by its owner only: mode 0600)."""
    from_env = os.environ.get("SEARCHLIGHT_CONSOLE_SECRET")
    if from_env:
        return from_env
    path = secret_path(ledger)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) < 32:
            raise UserError(f"{path} holds no usable secret (under 32 characters): "
                            "delete it to have a new one made (signs everybody out)")
        return secret
    import secrets

    secret = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secret + "\n")
    return secret


class UserStore:
    def __init__(self, path: Path, clock=time.time) -> None:
        self.path = Path(path)
        self.clock = clock

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        if new:  # hashes inside: readable by the owner only
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        con = sqlite3.connect(str(self.path), timeout=10, isolation_level=None)
        con.row_factory = sqlite3.Row
        try:
            con.executescript(SCHEMA)
            con.execute("begin immediate")
            try:
                yield con
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")
        finally:
            con.close()

    # ------------------------------------------------------------------ accounts
    def add(self, name: str, role: str, password: str, dept_code: str | None = None) -> User:
        name = (name or "").strip()
        if not name:
            raise UserError("an account needs a name")
        if any(c.isspace() for c in name) or len(name) > 64:
            raise UserError(f"{name!r}: a name is one word of at most 64 characters "
                            "(it is recorded as the actor of every ledger action)")
        if role not in ROLES:
            raise UserError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        dept_code = (dept_code or "").strip() or None
        if role == "department" and not dept_code:
            raise UserError("a department handler needs their department (--dept CODE)")
        if role != "department" and dept_code:
            raise UserError(f"--dept is for department handlers; a {role} sees every "
                            "department")
        if len(password or "") < MIN_PASSWORD_LENGTH:
            raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} "
                            "characters")
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.connect() as con:
            if con.execute("select 1 from users where name = ?", [name]).fetchone():
                raise UserError(f"there is already an account {name!r}: remove it first "
                                "to change its role or password")
            con.execute("insert into users values (?, ?, ?, ?, ?)",
                        [name, role, dept_code, _hasher.hash(password), created])
        return User(name, role, dept_code, created)

    def remove(self, name: str) -> None:
        with self.connect() as con:
            if not con.execute("delete from users where name = ?", [name]).rowcount:
                raise UserError(f"no account {name!r}")

    def list(self) -> list[User]:
        if not self.path.exists():
            return []
        with self.connect() as con:
            return [User(r["name"], r["role"], r["dept_code"], r["created_at"])
                    for r in con.execute("select * from users order by name")]

    def get(self, name: str) -> User | None:
        """The account, read on every request: a plain read, no write lock."""
        if not self.path.exists():
            return None
        con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        con.row_factory = sqlite3.Row
        try:
            r = con.execute("select * from users where name = ?", [name]).fetchone()
        except sqlite3.OperationalError:  # no table yet
            r = None
        finally:
            con.close()
        return User(r["name"], r["role"], r["dept_code"], r["created_at"]) if r else None

    # ------------------------------------------------------------------ sign-in
    def authenticate(self, name: str, password: str, client: str) -> User:
        """The account when name and password match; else SignInRefused."""
        name = (name or "").strip()
        keys = {"account": f"account:{name}", "client": f"client:{client}"}
        now = self.clock()
        with self.connect() as con:
            con.execute("delete from sign_in_failures where failed_at < ?",
                        [now - FAILURE_WINDOW])
            for kind, limit in (("account", MAX_FAILURES_PER_ACCOUNT),
                                ("client", MAX_FAILURES_PER_CLIENT)):
                rows = con.execute("select failed_at from sign_in_failures where key = ? "
                                   "order by failed_at", [keys[kind]]).fetchall()
                if len(rows) >= limit:
                    oldest = rows[-limit][0]
                    raise SignInRefused("rate_limited",
                                        retry_after=max(1, int(oldest + FAILURE_WINDOW - now)))
            row = con.execute("select * from users where name = ?", [name]).fetchone()
            ok = False
            try:
                ok = _hasher.verify(row["password_hash"] if row else _DUMMY_HASH,
                                    password or "") and row is not None
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                ok = False
            if not ok:
                con.executemany("insert into sign_in_failures values (?, ?)",
                                [(keys["account"], now), (keys["client"], now)])
        if not ok:  # recorded (committed) before refusing
            raise SignInRefused("invalid")
        with self.connect() as con:
            con.execute("delete from sign_in_failures where key = ?", [keys["account"]])
            if _hasher.check_needs_rehash(row["password_hash"]):
                con.execute("update users set password_hash = ? where name = ?",
                            [_hasher.hash(password), name])
        return User(row["name"], row["role"], row["dept_code"], row["created_at"])
