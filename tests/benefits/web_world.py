"""A small county for the roll, entitlement and re-check pages, written with the factories (the
import-path version of the same data is roll_world's): three recipients of 忻府区 and one user per
role that matters to the rolls. Standards as roll_world's: 生活补贴 100, from 2025 110.

- A: in 低保, an imported application of 2024-11-15 approved 2025-01-20 → March 2025: pay 110 and
  arrears 2024-11..2025-02 (100, 100, 110, 110), 530 in all.
- B: in 低保, on the imported roll from 2024-01, died 2024-12-10 → stop, recovery of 2025-01..02 (200).
- F: grade 1, needs long-term care, in elderly care, on the imported nursing roll → hold (择高).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huican.accounts.models import Role
from huican.benefits.models import Application, Entitlement
from tests.benefits.roll_world import STANDARDS, VILLAGE, pid
from tests.factories import make_list_record, make_person, make_standard, make_survey, make_user


@dataclass
class SmallWorld:
    persons: dict[str, str] = field(default_factory=dict)


def load_small_world(folder: Path | None = None) -> SmallWorld:
    for code, day, urban, rural, living, grade1, grade2 in STANDARDS:
        make_standard(
            code,
            dt.date.fromisoformat(day),
            urban_dibao=urban,
            rural_dibao=rural,
            living_subsidy=living,
            nursing_grade1=grade1,
            nursing_grade2=grade2,
        )
    w = SmallWorld()
    people = {}
    for serial, (key, grade) in enumerate((("A", 2), ("B", 2), ("F", 1))):
        number = pid(serial * 2 + 1)
        w.persons[key] = number
        people[key] = make_person(
            name=f"测试{key}",
            id_number=number,
            region_code=VILLAGE,
            grade=grade,
            issue_date=dt.date(2019, 5, 1),
        )
    a, b, f = people["A"], people["B"], people["F"]
    for p in (a, b):
        make_list_record("dibao", p, start=dt.date(2023, 1, 1))
    make_survey(f, year=2024, income="3000", long_term_care=True)
    make_list_record("elderly_care", f, start=dt.date(2024, 1, 1))
    make_list_record("deaths", b, start=dt.date(2024, 12, 10))
    make_list_record("subsidy_recipients", b, start=dt.date(2024, 1, 1), category="生活补贴", amount="100")
    make_list_record("subsidy_recipients", f, start=dt.date(2024, 1, 1), category="护理补贴", amount="120")
    imported = Application.objects.create(
        person=a,
        benefit="living_subsidy",
        applied_on=dt.date(2024, 11, 15),
        status=Application.Status.APPROVED,
        source=Application.Source.IMPORT,
        county_code="140902",
        township_code="140902001",
        decided_on=dt.date(2025, 1, 20),
    )
    Entitlement.objects.create(
        person=a,
        benefit="living_subsidy",
        start_month=dt.date(2024, 11, 1),
        effective_from=dt.date(2025, 1, 20),
        source=Entitlement.Source.IMPORTED,
        application=imported,
    )
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
