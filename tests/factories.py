"""Test factories for users, regions and registry persons (used by tests of several apps).

Everything here writes straight to the database with valid, visibly fake data; it is not used by
the application itself. `id_number` and `create_person` are the one way a test makes an ID number
and a registry person; the policy and API tests' factories (tests/policy/factories.py,
tests/api/huican_api_factories.py) keep only their own defaults on top of them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from huican.accounts.models import Role, User
from huican.core.crypto import blind_index, encrypt, mask_id_number, mask_phone
from huican.core.idnumbers import birth_date_of, check_character, sex_of
from huican.regions.models import Region
from huican.registry.models import Person

PASSWORD = "Test#Passw0rd-2025"
_sequence = itertools.count(1)


def make_region(code: str, name: str | None = None) -> Region:
    """A township (9 digits) or village (12 digits) under an existing county, created if needed."""
    level = {6: Region.Level.COUNTY, 9: Region.Level.TOWNSHIP, 12: Region.Level.VILLAGE}[len(code)]
    parent_code = {9: code[:6], 12: code[:9]}.get(len(code))
    if parent_code and not Region.objects.filter(code=parent_code).exists():
        make_region(parent_code)
    region, _ = Region.objects.get_or_create(
        code=code,
        defaults={
            "name": name or f"测试{Region.Level(level).label}{code[-3:]}",
            "level": level,
            "parent_id": parent_code,
            "county_code": code[:6],
            "synthetic": True,
        },
    )
    return region


def id_number(county: str, birth: dt.date, serial: int) -> str:
    """A valid 18-character ID number: county, birth date, a three-digit serial, check character."""
    first17 = f"{county[:6]}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_character(first17)


def create_person(
    id_number: str,
    *,
    region: Region | str,
    birth: dt.date | None = None,
    phone: str | None = None,
    household_number: str | None = None,
    **fields: Any,
) -> Person:
    """A registry person: the ID number hashed, encrypted and masked, sex and (unless given) the
    birth date read from it; the county and township codes from the region."""
    code = region.code if isinstance(region, Region) else region
    if phone is not None:
        fields.update(phone_encrypted=encrypt(phone), phone_masked=mask_phone(phone))
    return Person.objects.create(
        id_hash=blind_index(id_number),
        id_number_encrypted=encrypt(id_number),
        id_masked=mask_id_number(id_number),
        sex=sex_of(id_number),
        birth_date=birth or birth_date_of(id_number),
        region_id=code,
        county_code=code[:6],
        township_code=code[:9] if len(code) >= 9 else "",
        household_number=household_number or f"H{id_number[-8:]}",
        **fields,
    )


def make_id_number(region_code: str, birth: dt.date, *, female: bool = False) -> str:
    serial = next(_sequence) % 500
    return id_number(region_code, birth, serial * 2 + (0 if female else 1))


def make_person(
    *,
    region_code: str = "140902001001",
    name: str = "测试人",
    birth: dt.date = dt.date(1970, 5, 6),
    category: int = 4,
    grade: int = 2,
    issue_date: dt.date = dt.date(2020, 1, 15),
    status: str = Person.Status.NORMAL,
    status_date: dt.date | None = None,
    household_number: str | None = None,
    phone: str = "13812341234",
    urban_rural: str = "农村",
    relation: str = "户主",
    id_number: str | None = None,
    female: bool = False,
) -> Person:
    region = make_region(region_code) if len(region_code) > 6 else Region.objects.get(code=region_code)
    id_number = id_number or make_id_number(region_code, birth, female=female)
    return create_person(
        id_number,
        region=region,
        birth=birth,
        phone=phone,
        household_number=household_number,
        name=name,
        category=category,
        grade=grade,
        issue_date=issue_date,
        urban_rural=urban_rural,
        relation=relation,
        status=status,
        status_date=status_date,
    )


def make_user(role: str = Role.COUNTY_STAFF, region_code: str | None = "140902", **fields: Any) -> User:
    """A user with PASSWORD; region_code None for the administrators."""
    username = fields.pop("username", None) or f"user{next(_sequence)}"
    region = None
    if region_code:
        region = make_region(region_code) if len(region_code) > 6 else Region.objects.get(code=region_code)
    user = User(username=username, role=role, region=region, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


class World:
    """Owner / teammate / outsider fixtures: persons in two townships of 忻府区 and in 原平市,
    and one user per role.

    - ``alice`` and ``bob``: one household in township 140902001 (village 140902001001);
    - ``carol``: another township of the same county (140902002);
    - ``dave``: another county (原平市 140981).
    """

    def __init__(self) -> None:
        self.alice = make_person(name="测试甲", region_code="140902001001", household_number="H-A1")
        self.bob = make_person(
            name="测试乙", region_code="140902001001", household_number="H-A1", relation="子女", grade=4
        )
        self.carol = make_person(name="测试丙", region_code="140902002001", category=1, grade=1)
        self.dave = make_person(name="测试丁", region_code="140981001001", category=5, grade=3)
        self.users: dict[str, User] = {
            "city": make_user(Role.CITY_STAFF, "140900", username="t_city", may_view_full=True),
            "county": make_user(Role.COUNTY_STAFF, "140902", username="t_county", may_view_full=True),
            "township": make_user(Role.TOWNSHIP_STAFF, "140902001", username="t_township"),
            "department": make_user(
                Role.DEPARTMENT_OFFICER, "140900", username="t_dept", import_kinds=["dibao", "deaths"]
            ),
            "evaluator": make_user(Role.EVALUATOR, "140900", username="t_eval"),
            "system": make_user(Role.SYSTEM_ADMIN, None, username="t_sys"),
            "security": make_user(Role.SECURITY_ADMIN, None, username="t_sec"),
            "audit": make_user(Role.AUDIT_ADMIN, None, username="t_audit"),
        }
