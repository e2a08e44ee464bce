"""Opening the warehouse file when another program may hold it: wait a bounded time.

DuckDB lets one process write a file and no other process read it meanwhile
(stack-pitfalls §1). A reader left open (a SQL client, a notebook, a BI tool pointed at
the file instead of the published Parquet) makes a build's next connection fail with
"Could not set lock on file". A run therefore waits for the lock — up to
``SEARCHLIGHT_LOCK_WAIT`` seconds (default 60), saying once that it waits and for whom —
and then gives up with ``WarehouseBusy``, whose message names the program holding it and
what to do. Every connection of a run goes through ``connect``, so a reader that opens
the file between two steps delays the run instead of breaking it half-way.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

LOCK_WAIT_ENV = "SEARCHLIGHT_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 60.0
_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")

Notify = Callable[[str], None]
_notify: Notify | None = None


class WarehouseBusy(RuntimeError):
    """Another program held the warehouse file for longer than the run may wait."""

    todo = ("close that program (readers should open the published Parquet, never the "
            f"warehouse file) or let the run wait longer ({LOCK_WAIT_ENV}=<seconds>), "
            "then run the same command again")

    def __init__(self, path: Path | str, holder: str, waited: float) -> None:
        self.path, self.holder, self.waited = Path(path), holder, waited
        super().__init__(
            f"the warehouse {path} is in use by {holder} and stayed locked for "
            f"{waited:.0f} s")


def lock_wait_seconds() -> float:
    raw = os.environ.get(LOCK_WAIT_ENV)
    if not raw:
        return DEFAULT_LOCK_WAIT
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{LOCK_WAIT_ENV} must be a number of seconds, not {raw!r}") from None
    if value < 0:
        raise ValueError(f"{LOCK_WAIT_ENV} must not be negative, not {raw!r}")
    return value


def set_notify(notify: Notify | None) -> Notify | None:
    """Where 'waiting for the lock' messages go (None: nowhere); returns the previous one."""
    global _notify
    previous, _notify = _notify, notify
    return previous


def is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "Could not set lock" in str(exc)


def holder_of(message: str) -> str:
    """'PID 123 (/usr/bin/python3)' from DuckDB's lock error, else 'another program'."""
    match = _HOLDER.search(message)
    if not match:
        return "another program"
    return f"PID {match['pid']} ({match['program']})"


def connect(path: Path | str, read_only: bool = False, config: dict | None = None,
            wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` that waits for a lock held by another program (module docstring)."""
    wait = lock_wait_seconds() if wait is None else wait
    deadline = time.monotonic() + wait
    start = time.monotonic()
    told = False
    delay = 0.2
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config or {})
        except duckdb.IOException as exc:
            if not is_lock_conflict(exc):
                raise
            holder = holder_of(str(exc))
            if time.monotonic() >= deadline:
                raise WarehouseBusy(path, holder, time.monotonic() - start) from exc
            if not told and _notify is not None:
                _notify(f"the warehouse {path} is in use by {holder}: waiting up to "
                        f"{wait:.0f} s for it ({LOCK_WAIT_ENV})")
                told = True
            time.sleep(min(delay, max(deadline - time.monotonic(), 0.01)))
            delay = min(delay * 2, 2.0)


def wait_until_free(path: Path | str, wait: float | None = None) -> None:
    """Return once the file can be opened for writing (or raise WarehouseBusy); for a
    step that hands the file to another process (dbt) right after."""
    if Path(path).exists():
        connect(path, wait=wait).close()
