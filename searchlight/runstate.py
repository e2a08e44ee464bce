"""A run's steps, its log file, and what the previous run left undone.

A run (``searchlight.pipeline.run``) is a sequence of named steps. Each step is recorded in
``<warehouse stem>.run.json`` beside the warehouse as it starts and ends, so the next run
knows whether the previous one completed, and if not at which step it stopped (a crash or
a kill leaves the file saying "running" at that step). Every step is idempotent and a run
always does all of them, so a run after an interrupted one completes its work; the state
file lets it say so.

Details go to a log file per run, ``<warehouse stem>_logs/run-<time>.log``: each step with
its timing, the full output of dbt (without colour codes) and the traceback of a failure.
The terminal gets one line per failure: the step, the cause, the warehouse's state, what
to do, and the path of the log (``StepFailed``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
KEEP_LOGS = 50
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")

# What the warehouse holds when a run stops in a step (each step is all-or-nothing per
# unit: a file, a batch's validation, a dbt model, the ledger store's commit).
STATE_AFTER_FAILURE = {
    "open warehouse": "nothing was changed",
    "load": ("the files loaded before the failure are in raw (each file is all or "
             "nothing), the others are not; marts, ledger and published Parquet are "
             "unchanged"),
    "expectations": ("the new files are loaded, their expectation results are not all "
                     "stored (the next run validates the missing ones); marts, ledger and "
                     "published Parquet are unchanged"),
    "ledger restore": ("the new files are loaded and validated; marts, ledger and "
                       "published Parquet are unchanged"),
    "lake export": ("(the Spark target) the new files are loaded and validated in the "
                    "loader's file; the lake holds every batch whole or not at all (the next "
                    "run exports the missing ones); marts, ledger and published Parquet are "
                    "unchanged"),
    "dbt build": ("the new files are loaded and validated; some marts may be rebuilt and "
                  "others not; the supervision ledger and the published Parquet are from "
                  "the previous run"),
    "ledger sync": ("the marts are rebuilt, but this run's alerts may not be in the "
                    "supervision ledger and the ledger marts and published Parquet are from "
                    "the previous run"),
    "summary": ("the warehouse and the ledger are complete; the published Parquet is from "
                "the previous run"),
    "publish": ("the warehouse and the ledger are complete; the published Parquet may be "
                "part from this run and part from the previous one (each file is whole)"),
}
RERUN = "run the same command again: it completes what this run left undone"


def now_local() -> dt.datetime:
    return dt.datetime.now(TZ).replace(tzinfo=None)


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def state_path(warehouse: Path) -> Path:
    return warehouse.parent / f"{warehouse.stem}.run.json"


def logs_dir(warehouse: Path) -> Path:
    return warehouse.parent / f"{warehouse.stem}_logs"


class StepFailed(RuntimeError):
    """A step of the run failed: one readable line, the details in the log file."""

    def __init__(self, step: str, cause: str, state: str, todo: str, log: Path | None):
        self.step, self.cause, self.state, self.todo, self.log = step, cause, state, todo, log
        super().__init__(self.line())

    def line(self) -> str:
        details = f" Details: {self.log}" if self.log else ""
        return (f"step '{self.step}' failed: {self.cause}. State: {self.state}. "
                f"To do: {self.todo}.{details}")


@dataclass
class PreviousRun:
    started_at: str
    status: str  # running (it was killed or crashed) | failed | complete
    step: str | None
    error: str | None
    log: str | None

    def describe(self) -> str:
        how = ("stopped (killed or crashed)" if self.status == "running"
               else f"failed ({self.error})" if self.error else "failed")
        return (f"the previous run (started {self.started_at}) {how} in step "
                f"'{self.step}': this run completes it")


class RunLog:
    """The log file of one run; created on first write."""

    def __init__(self, warehouse: Path) -> None:
        stamp = now_local().strftime("%Y%m%d-%H%M%S")
        self.path = logs_dir(warehouse) / f"run-{stamp}-{os.getpid()}.log"

    def write(self, text: str) -> None:
        if not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _prune(self.path.parent)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(strip_ansi(text if text.endswith("\n") else text + "\n"))

    def line(self, text: str) -> None:
        self.write(f"{now_local():%H:%M:%S} {text}")


def _prune(folder: Path) -> None:
    logs = sorted(folder.glob("run-*.log"))
    for old in logs[:-KEEP_LOGS]:
        old.unlink(missing_ok=True)


_active: Run | None = None


def active_log() -> RunLog | None:
    """The log of the run in progress in this process (dbt.invoke writes dbt's output)."""
    return _active.log if _active else None


def current_step() -> str | None:
    return _active.step_name if _active else None


class Run:
    """The steps of one run against one warehouse (module docstring)."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = Path(warehouse)
        self.log = RunLog(self.warehouse)
        self.started_at = now_local()
        self.previous = self._read_previous()
        self.last_complete = self._last_complete()
        self.step_name: str | None = None
        self.steps_done: list[str] = []
        self.step_seconds: dict[str, float] = {}  # wall time of each step done (bench/run.py)

    def _read_state(self) -> dict:
        try:
            return json.loads(state_path(self.warehouse).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def _read_previous(self) -> PreviousRun | None:
        state = self._read_state()
        if not state or state.get("status") == "complete":
            return None
        return PreviousRun(state.get("started_at", "?"), state.get("status", "running"),
                           state.get("step"), state.get("error"), state.get("log"))

    def _last_complete(self) -> dt.datetime | None:
        """When the last run that completed had started (None: never, or not recorded)."""
        value = self._read_state().get("last_complete_started_at")
        return dt.datetime.fromisoformat(value) if value else None

    def _save(self, status: str, error: str | None = None) -> None:
        state = {"started_at": self.started_at.isoformat(timespec="seconds"),
                 "status": status, "step": self.step_name, "steps_done": self.steps_done,
                 "error": error, "log": str(self.log.path), "pid": os.getpid(),
                 "last_complete_started_at": (
                     self.started_at if status == "complete" else self.last_complete)}
        if state["last_complete_started_at"] is not None:
            state["last_complete_started_at"] = state["last_complete_started_at"].isoformat()
        path = state_path(self.warehouse)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    @contextmanager
    def active(self) -> Iterator[Run]:
        global _active
        previous, _active = _active, self
        self.log.line(f"run against {self.warehouse} (pid {os.getpid()})")
        if self.previous:
            self.log.line(self.previous.describe())
        try:
            yield self
        finally:
            _active = previous

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        from searchlight import faults

        self.step_name = name
        self._save("running")
        self.log.line(f"step '{name}' started")
        started = time.monotonic()
        faults.kill_point(f"{name}:start")
        try:
            yield
        except BaseException as exc:
            self.log.line(f"step '{name}' failed after {time.monotonic() - started:.1f} s")
            self.log.write("".join(traceback.format_exception(exc)))
            cause = _cause(exc)
            self._save("failed", error=cause)
            if isinstance(exc, StepFailed | KeyboardInterrupt):
                raise
            raise StepFailed(name, cause, STATE_AFTER_FAILURE.get(name, "unknown"),
                             getattr(exc, "todo", RERUN), self.log.path) from exc
        seconds = time.monotonic() - started
        self.log.line(f"step '{name}' done in {seconds:.1f} s")
        self.steps_done.append(name)
        self.step_seconds[name] = self.step_seconds.get(name, 0.0) + seconds

    def complete(self) -> None:
        self.step_name = None
        self._save("complete")
        self.log.line("run complete")


def _cause(exc: BaseException) -> str:
    """The failure in one line, without the traceback."""
    from searchlight.dbt import DbtError

    if isinstance(exc, DbtError):
        return exc.summary()
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:297] + "…"
    return text or type(exc).__name__
