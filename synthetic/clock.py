"""The demo's half-year and working-day arithmetic over it.

The district's cases are submitted from ``PERIOD_START`` and the warehouse is read as of
``AS_OF`` (a working day). ``Clock`` answers working-day questions over 2025–2026 from
an ``is_workday(day)`` function; ``default_clock()`` uses the project's China calendar
(``ingest.calendar``: holidays and make-up working days), the one the loader writes and
the dbt rules count with.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from ingest.calendar import is_workday

AS_OF = date(2026, 6, 30)
PERIOD_START = date(2026, 1, 1)


class Clock:
    """workdays() and friends over 2025–2026 from an is_workday(day) function."""

    def __init__(self, is_workday: Callable[[date], bool],
                 lo: date = date(2025, 1, 1), hi: date = date(2026, 12, 31)):
        self.lo = lo
        n = (hi - lo).days + 1
        self.days = [lo + timedelta(i) for i in range(n)]
        self.flags = np.array([bool(is_workday(d)) for d in self.days])
        self.cum = np.cumsum(self.flags)

    def _i(self, d: date) -> int:
        i = (d - self.lo).days
        if not 0 <= i < len(self.days):
            raise ValueError(f"{d} is outside the demo calendar (2025–2026)")
        return i

    def is_workday(self, d: date) -> bool:
        return bool(self.flags[self._i(d)])

    def workdays(self, a: date, b: date) -> int:
        """Working days d with a < d <= b (0 when b <= a)."""
        return int(self.cum[self._i(b)] - self.cum[self._i(a)]) if b > a else 0

    def after(self, d: date, n: int) -> date:
        """The n-th working day after d (n >= 1); d itself when n == 0."""
        if n == 0:
            return d
        i = self._i(d)
        target = self.cum[i] + n
        return self.days[int(np.searchsorted(self.cum, target))]

    def before(self, d: date, n: int) -> date:
        """The working day w with workdays(w, d) == n (d a working day)."""
        i = self._i(d)
        target = self.cum[i] - n
        return self.days[int(np.searchsorted(self.cum, target))]


def default_clock() -> Clock:
    """The clock of the project's China calendar (``ingest.calendar``)."""
    return Clock(is_workday)
