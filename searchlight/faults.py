"""Deterministic kill points for the fault-injection tests (tests/test_fault_injection.py).

``SEARCHLIGHT_KILL_AT=<point>[#<n>]`` makes the process kill itself — with SIGKILL, its
whole process group, so a dbt subprocess dies with it as in a crash of the machine — the
n-th time (default: the first) the run reaches ``<point>``. Points are named
``<step>:<where>``: ``load:before-commit`` (a file's rows are inserted, its transaction is
not committed), ``dbt build:node-done`` (dbt reported a model, test or seed done),
``ledger sync:registered`` (the store holds the run's alerts, the warehouse's copy of it
is not written yet), and ``<step>:start`` for every step of ``searchlight.runstate``.
Unset (always, outside those tests) it costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

KILL_ENV = "SEARCHLIGHT_KILL_AT"
_reached: Counter[str] = Counter()


def kill_point(point: str) -> None:
    spec = os.environ.get(KILL_ENV)
    if not spec:
        return
    name, _, nth = spec.partition("#")
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] >= int(nth or 1):
        if os.getpgid(0) == os.getpid():  # leader of its own group: take dbt with it
            os.killpg(0, signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)


def step_kill_point(where: str) -> None:
    """``kill_point('<current step>:<where>')``: for code that several steps run (dbt)."""
    if not os.environ.get(KILL_ENV):
        return
    from searchlight.runstate import current_step

    kill_point(f"{current_step()}:{where}")
