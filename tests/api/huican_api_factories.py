"""Small factories shared by the API, import-web and policy-web tests (tests/api, tests/exchange_web,
tests/policy_web): users with roles and regions, registry persons with valid ID numbers, standards,
and registry CSV files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from huican.accounts.models import User
from huican.policy.models import Standard
from huican.regions.models import Region
from huican.registry.models import Person
from tests.factories import create_person, id_number

PASSWORD = "Huican-test-2025!"
_sequence = {"n": 100}


def make_id_number(county: str = "140902", birth: str = "19800101", sequence: int | None = None) -> str:
    """A valid 18-character ID number (check character computed)."""
    if sequence is None:
        _sequence["n"] += 2
        sequence = _sequence["n"]
    return id_number(county, dt.datetime.strptime(birth, "%Y%m%d").date(), sequence)


def make_user(username: str, role: str, region_code: str | None, **extra: Any) -> User:
    region = Region.objects.get(code=region_code) if region_code else None
    return User.objects.create_user(username=username, password=PASSWORD, role=role, region=region, **extra)


def make_person(
    *,
    name: str = "测试甲",
    id_number: str | None = None,
    county: str = "140902",
    category: int = 4,
    grade: int = 1,
    issue_date: dt.date = dt.date(2020, 1, 1),
    urban_rural: str = "农村",
    household_number: str = "H0001",
    status: str = "正常",
    status_date: dt.date | None = None,
) -> Person:
    id_number = id_number or make_id_number(county)
    return create_person(
        id_number,
        region=county,
        household_number=household_number,
        name=name,
        category=category,
        grade=grade,
        issue_date=issue_date,
        urban_rural=urban_rural,
        status=status,
        status_date=status_date,
    )


def make_standard(
    region_code: str = "140900", effective_date: dt.date = dt.date(2020, 1, 1), **values: Any
) -> Standard:
    defaults: dict[str, Any] = {
        "urban_dibao": Decimal("700"),
        "rural_dibao": Decimal("500"),
        "living_subsidy": Decimal("80"),
        "nursing_grade1": Decimal("120"),
        "nursing_grade2": Decimal("80"),
    }
    defaults.update(values)
    return Standard.objects.create(region_code=region_code, effective_date=effective_date, **defaults)


REGISTRY_HEADER = "姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,户籍地区划代码,城乡类别,户编号"


def registry_row(name: str, id_number: str, category: int = 4, grade: int = 2, county: str = "140902") -> str:
    return f"{name},{id_number},{id_number}{category}{grade},{category},{grade},2021-03-01,{county},农村,H-{id_number[-6:]}"


def registry_csv(good: int = 3, bad: int = 2) -> bytes:
    """A registry CSV with `good` valid rows and `bad` rows whose ID check character is wrong."""
    lines = [REGISTRY_HEADER]
    for i in range(good):
        lines.append(registry_row(f"导入{i}", make_id_number("140902", "19700101", 300 + 2 * i)))
    for i in range(bad):
        valid = make_id_number("140902", "19710101", 400 + 2 * i)
        wrong = valid[:17] + ("1" if valid[17] != "1" else "2")
        lines.append(registry_row(f"错误{i}", wrong))
    return ("\n".join(lines) + "\n").encode("utf-8")
