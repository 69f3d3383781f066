"""A small world for the findings pages (tests/matching_web and the browser tests): two counties, a township, one run on D, one user per role.

- ``near``: a person in 忻府区 (140902), township 140902001;
- ``far``: a person in 定襄县 (140921);
- every user's password is ``PASSWORD``; ``city`` and ``county`` may see full ID numbers.

Both persons are certified, severe, uninsured adults, so the run finds (at least)
``medical_not_enrolled`` and ``pension_not_enrolled`` for each (the 2025 lists have been sent, with
rows of people outside the registry). The run is city staff's run of "today": the world's today is D
(``huican.matching.services.today``) while it is built, and the fixtures keep it so for a whole test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from unittest import mock

from huican.accounts.models import Role, User
from huican.matching import services
from huican.matching.models import Finding, FindingRun
from huican.matching.services import findings_run
from huican.regions.models import Region
from huican.registry.models import Person
from tests.factories import PASSWORD, make_person, make_standard
from tests.matching.yearly_lists import send_yearly_lists

D = dt.date(2025, 6, 30)


def make_township(code: str) -> Region:
    region, _ = Region.objects.get_or_create(
        code=code,
        defaults={
            "name": f"测试镇{code[-3:]}",
            "level": Region.Level.TOWNSHIP,
            "county_code": code[:6],
            "parent_id": code[:6],
        },
    )
    return region


def make_staff(username: str, role: str, region: str | None, **extra: object) -> User:
    if region and len(region) == 9:
        make_township(region)
    user = User(username=username, role=role, region_id=region, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class FindingsWorld:
    near: Person
    far: Person
    run: FindingRun
    users: dict[str, User] = field(default_factory=dict)

    def finding(self, person: Person, code: str = "medical_not_enrolled") -> Finding:
        return Finding.objects.get(person=person, code=code)


def build_world() -> FindingsWorld:
    make_standard()
    make_township("140902001")
    make_township("140902002")
    near = make_person(name="近处甲", region_code="140902001001")
    far = make_person(name="远处乙", region_code="140921001001")
    users = {
        "city": make_staff("w_city", Role.CITY_STAFF, "140900", may_view_full=True, first_name="市员"),
        "county": make_staff("w_county", Role.COUNTY_STAFF, "140902", may_view_full=True),
        "county_plain": make_staff("w_county2", Role.COUNTY_STAFF, "140902"),
        "other_county": make_staff("w_other", Role.COUNTY_STAFF, "140921"),
        "township": make_staff("w_town", Role.TOWNSHIP_STAFF, "140902001"),
        "other_township": make_staff("w_town2", Role.TOWNSHIP_STAFF, "140902002"),
        "medical": make_staff("w_medical", Role.DEPARTMENT_OFFICER, "140900", import_kinds=["medical"]),
        "evaluator": make_staff("w_eval", Role.EVALUATOR, "140900"),
        "admin": make_staff("w_admin", Role.SYSTEM_ADMIN, None),
    }
    send_yearly_lists()
    with mock.patch.object(services, "today", return_value=D):
        run = findings_run(on=D, actor=users["city"])
    return FindingsWorld(near=near, far=far, run=run, users=users)
