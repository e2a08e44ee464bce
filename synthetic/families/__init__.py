"""One module per rule family: what it plants in the district and its oracle.

Each module names the rules it owns in ``RULES`` (every warning rule of
``dbt_project.yml`` is in exactly one; ``tests/synthetic/test_families.py`` checks it)
and holds, for those rules, the planted violations and near misses and the
independent Python reading of contract/rules.md that gives the ground truth:

    timeliness.py   T01–T09  cases (planted through the case planter)
    fairness.py     F01–F07  cases (the same planter) and the links F05 needs
    service.py      S01–S06  reviews, hotline tickets, QR feedback
    procurement.py  P01–P07  tenders, bids, awards, bidder enterprises
    funds.py        L01–L05  subsidy programs and payments, deaths
    conduct.py      C01–C02, K01  reception expenses, key project milestones

Adding a rule: plant it (violations and near misses) and evaluate it in its family's
module, and add its code to that module's ``RULES``.
"""

from __future__ import annotations

from types import ModuleType

from synthetic.families import conduct, fairness, funds, procurement, service, timeliness
from synthetic.plugin import DemoFamily

# Family letter(s) -> module.
FAMILY_MODULES: dict[str, ModuleType] = {
    "T": timeliness,
    "F": fairness,
    "S": service,
    "P": procurement,
    "L": funds,
    "CK": conduct,
}

# The families whose violations are cases, in the order they plant (the case planter's
# random stream runs through them in this order).
CASE_PLANTERS = (timeliness.plant_cases, fairness.plant_cases)

# The families that add rows to other sources, in the order they plant (each gets its
# own random stream by position, and they share one stream of fresh ids: reordering them
# changes the district).
ROW_FAMILIES: tuple[DemoFamily, ...] = (
    fairness.FAMILY,
    service.FAMILY,
    procurement.FAMILY,
    funds.FAMILY,
    conduct.FAMILY,
)
