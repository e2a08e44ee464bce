"""The synthetic district: departments, items, windows, staff and applicant pools.

``District(rng, n_cases)`` builds the reference world every generator draws from: the
departments of ``names.DEPARTMENTS`` under the district government, their items with
statutory and promised limits, windows in the main hall and the street centres, staff
in proportion to each department's case volume (window, review and approval posts), and
pools of applicants (residents, enterprises, intermediary agents) sized for ``n_cases``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import numpy as np

from synthetic import names
from synthetic.identifiers import credit_codes, person_names, phones, resident_ids

# The item vocabulary of the source contract (items.item_type, items.limit_unit).
INSTANT, PROMISED = "即办件", "承诺件"
CALENDAR_DAYS = "自然日"


class District:
    """Departments, items, staff, windows, applicants: the reference world."""

    def __init__(self, rng: np.random.Generator, n_cases: int):
        region = names.REGION_CODE
        self.depts = []
        for k, (key, name) in enumerate(names.DEPARTMENTS):
            code = f"{region}{k:03d}"
            self.depts.append({"key": key, "dept_code": code, "dept_name": name,
                               "parent_code": None if k == 0 else f"{region}000",
                               "region_code": region})
        self.dept_by_key = {d["key"]: d for d in self.depts}

        cat_counter: dict[tuple[str, str], int] = defaultdict(int)
        self.items = []
        for (dkey, cat, name, itype, stat, prom, unit, basis, fee, who, weight) in names.ITEMS:
            dept = self.dept_by_key[dkey]
            cat_counter[(dkey, cat)] += 1
            code = f"{dept['dept_code']}{cat}{cat_counter[(dkey, cat)]:03d}"
            self.items.append({"item_code": code, "item_name": name,
                               "dept_code": dept["dept_code"], "item_type": itype,
                               "statutory_limit_days": stat, "promised_limit_days": prom,
                               "limit_unit": unit, "legal_basis": basis, "fee": fee,
                               "who": who, "weight": weight, "dept_key": dkey})
        self.item_by_name = {i["item_name"]: i for i in self.items}

        # Windows: one per department with items in the main hall, plus the street centres.
        item_depts = [d for d in self.depts if any(i["dept_code"] == d["dept_code"]
                                                   for i in self.items)]
        self.windows = []
        main_street = names.STREETS[0]
        for n, d in enumerate(item_depts, start=1):
            self.windows.append({"window_id": f"ZX{n:03d}", "hall_name": names.MAIN_HALL,
                                 "dept_code": d["dept_code"], "street": main_street})
        for s, street in enumerate(names.STREETS, start=1):
            for m, key in enumerate(names.STREET_DEPTS, start=1):
                hall = street.replace("街道", "街道便民服务中心").replace("镇", "镇便民服务中心")
                self.windows.append({"window_id": f"JD{s:02d}{m:02d}", "hall_name": hall,
                                     "dept_code": self.dept_by_key[key]["dept_code"],
                                     "street": street})
        self.windows_by_dept: dict[str, list[str]] = defaultdict(list)
        for w in self.windows:
            self.windows_by_dept[w["dept_code"]].append(w["window_id"])

        # Staff: every department; the ones with items get window, review and approval posts.
        volume = defaultdict(float)
        for i in self.items:
            volume[i["dept_code"]] += i["weight"]
        total = sum(volume.values())
        ids = resident_ids(rng, 800, date(1966, 1, 1), date(2000, 12, 31))
        staff_names = person_names(rng, len(ids))
        self.staff = []
        self.window_staff: dict[str, list[str]] = defaultdict(list)
        self.approvers: dict[str, list[str]] = defaultdict(list)
        p = 0
        for k, d in enumerate(self.depts):
            share = volume.get(d["dept_code"], 0) / total
            n_window = 0 if share == 0 else 2 + round(share * 40)
            if d["key"] in names.STREET_DEPTS:
                n_window += len(names.STREETS)
            posts = (["窗口受理"] * n_window + ["审核"] * (1 + (n_window > 6))
                     + ["审批"] * (1 + (n_window > 4)) + ["负责人"])
            for m, post in enumerate(posts, start=1):
                sid = f"G{k:02d}{m:03d}"
                self.staff.append({"staff_id": sid, "staff_name": str(staff_names[p]),
                                   "id_number": str(ids[p]), "dept_code": d["dept_code"],
                                   "post": post,
                                   "is_official": post != "窗口受理" or m % 3 != 0})
                p += 1
                if post == "窗口受理":
                    self.window_staff[d["dept_code"]].append(sid)
                elif post in ("审批", "负责人"):
                    self.approvers[d["dept_code"]].append(sid)

        # Applicants.
        n_persons = max(300, int(n_cases * 0.7))
        n_firms = max(120, int(n_cases * 0.2))
        self.person_ids = resident_ids(rng, n_persons, date(1950, 1, 1), date(2006, 6, 30))
        self.person_names = person_names(rng, len(self.person_ids))
        self.person_phones = phones(rng, len(self.person_ids))
        self.firm_ids = np.array(credit_codes(rng, n_firms))
        words = rng.choice(np.array(names.COMPANY_WORDS), (n_firms, 2))
        trades = rng.choice(np.array(names.COMPANY_TRADES), n_firms)
        forms = rng.choice(np.array(names.COMPANY_FORMS), n_firms)
        self.firm_names = np.array([
            f"{names.CITY_PREFIX}{w[0]}{w[1] if w[1] != w[0] else ''}{t}{f}"
            for w, t, f in zip(words, trades, forms)])
        self.firm_phones = phones(rng, n_firms)
        self.agent_ids = np.array(credit_codes(rng, len(names.AGENTS)))
        self.agent_names = np.array(names.AGENTS)
