"""A small county for the roll, entitlement and re-check pages: three recipients of 忻府区 loaded
through `huican import` (roll_world), and one user per role that matters to the rolls.

- A: in 低保, applied 2024-11-15, approved 2025-01-20 → March 2025: pay 110 + arrears 2024-11..2025-02.
- B: in 低保, on the imported roll from 2024-01, died 2024-12-10 → stop, recovery of 2025-01..02.
- F: grade 1, needs long-term care, in elderly care, on the imported nursing roll → hold (择高).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huican.accounts.models import Role
from tests.benefits.roll_world import RollWorld
from tests.factories import make_user


def load_small_world(folder: Path) -> RollWorld:
    w = RollWorld(folder)
    w.person("A")
    w.person("B")
    w.person("F", grade=1)
    for key in "AB":
        w.add("dibao", key, "2023-01-01", "")
    w.survey("F", "2024", "3000", "是")
    w.add("elderly_care", "F", "2024-01-01", "")
    w.add("deaths", "B", "2024-12-10")
    w.add("subsidy_recipients", "B", "生活补贴", "2024-01", "", "100")
    w.add("subsidy_recipients", "F", "护理补贴", "2024-01", "", "120")
    w.add("applications", "A", "生活补贴", "2024-11-15", "批准", "2025-01-20", "")
    w.load(data_dates={"deaths": "2024-12-31"})
    return w


def roll_users() -> dict[str, Any]:
    return {
        "officer": make_user(Role.CIVIL_AFFAIRS_OFFICER, "140902", username="mz_xinfu"),
        "other_officer": make_user(Role.CIVIL_AFFAIRS_OFFICER, "140981", username="mz_yuanping"),
        "county": make_user(Role.COUNTY_STAFF, "140902", username="cl_xinfu"),
        "county_full": make_user(Role.COUNTY_STAFF, "140902", username="cl_xinfu_full", may_view_full=True),
        "other_county": make_user(Role.COUNTY_STAFF, "140981", username="cl_yuanping"),
        "township": make_user(Role.TOWNSHIP_STAFF, "140902001", username="xz_001"),
        "city": make_user(Role.CITY_STAFF, "140900", username="sz_city", may_view_full=True),
    }
