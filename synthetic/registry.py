"""The integrity registry: background enterprises, their people, and staff relatives.

Rules F05, P06 and L04 look for links between staff (and their declared relatives) and
the people behind an applicant or a bidder. This registry gives the district the
ordinary, unlinked background those links are found in; it raises no rule of its own.
It plants first, so the families after it can link to its rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.plugin import Alerts, DemoContext, FamilyRows


class IntegrityRegistry:
    """Background rows of enterprises, enterprise_persons and staff_relatives.

    Every enterprise the district knows (firm applicants, intermediary agents) is
    registered with a legal representative and one or two shareholders; every staff
    member has one to three relatives. All these people are fresh ids, so the background
    links nobody to anybody: links exist only where a family plants them.
    """

    name = "integrity registry"
    rules: tuple[str, ...] = ()

    def plant(self, ctx: DemoContext) -> FamilyRows:
        rng, world, fresh = ctx.rng, ctx.world, ctx.fresh
        firms = list(zip(world.firm_ids.tolist(), world.firm_names.tolist(),
                         world.firm_phones.tolist()))
        firms += list(zip(world.agent_ids.tolist(), world.agent_names.tolist(),
                          [None] * len(world.agent_ids)))
        reps = fresh.resident_ids(len(firms))
        ent = pd.DataFrame({
            "uscc": [f[0] for f in firms], "name": [f[1] for f in firms],
            "legal_rep_id": reps,
            "registered_at": pd.to_datetime("2008-01-01") + pd.to_timedelta(
                rng.integers(0, 6000, len(firms)), unit="D"),
            "contact_phone": [f[2] for f in firms],
        })
        n_holders = rng.integers(1, 3, len(firms))
        holders = fresh.resident_ids(int(n_holders.sum()))
        persons = [{"uscc": f[0], "person_id": rep, "role": "法定代表人", "share_ratio": None}
                   for f, rep in zip(firms, reps)]
        h = 0
        for f, k in zip(firms, n_holders):
            shares = rng.dirichlet(np.ones(int(k))).round(2)
            for s in shares:
                persons.append({"uscc": f[0], "person_id": holders[h], "role": "股东",
                                "share_ratio": float(s)})
                h += 1
        staff_ids = [s["staff_id"] for s in world.staff]
        n_rel = rng.integers(1, 4, len(staff_ids))
        rel_ids = fresh.resident_ids(int(n_rel.sum()))
        relations = np.array(["配偶", "子女", "父母", "兄弟姐妹", "其他"])
        rel, r = [], 0
        for sid, k in zip(staff_ids, n_rel):
            for kind in rng.choice(relations, int(k), replace=False):
                rel.append({"staff_id": sid, "relative_id": rel_ids[r], "relation": str(kind)})
                r += 1
        return FamilyRows(rows={"enterprises": ent,
                                "enterprise_persons": pd.DataFrame(persons),
                                "staff_relatives": pd.DataFrame(rel)})

    def evaluate(self, frames: dict[str, pd.DataFrame], ctx: DemoContext) -> Alerts:
        return {}


REGISTRY = IntegrityRegistry()
