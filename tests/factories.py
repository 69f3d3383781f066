"""Test factories (the only ones): users, regions, registry persons, surveys, list records, standards
and entitlements, and the `World` of one user per role.

Everything here writes straight to the database with valid, visibly fake data; it is not used by
the application itself. `id_number` is the one way a test makes an ID number, `make_person` the one
way it makes a registry person (its keywords cover what the tests set; the rest are the defaults
below). Import files (CSV rows, a registry file) are written by `tests/exchange/helpers.py`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from huican.accounts.models import Role, User
from huican.benefits.models import Entitlement
from huican.core.crypto import blind_index, decrypt, encrypt, mask_id_number, mask_phone
from huican.core.idnumbers import birth_date_of, check_character, sex_of
from huican.employment.models import Declaration, DeclaredPerson, LevyStandard
from huican.exchange.models import ImportBatch, ListRecord
from huican.policy.models import Standard
from huican.regions.models import Region
from huican.registry.models import Person, Survey

PASSWORD = "Test#Passw0rd-2025"
_sequence = itertools.count(1)


def make_region(code: str, name: str | None = None) -> Region:
    """A county (6 digits), township (9) or village (12), with its parents, created if needed."""
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


def make_id_number(
    county: str = "140902", birth: dt.date = dt.date(1980, 5, 17), *, female: bool = False
) -> str:
    """A valid ID number not made before in this test run (for up to 500 of one county and birth date)."""
    serial = next(_sequence) % 500
    return id_number(county, birth, serial * 2 + (0 if female else 1))


def id_number_of(person: Person) -> str:
    return decrypt(person.id_number_encrypted)


def make_person(
    *,
    region_code: str = "140902001001",
    name: str = "测试人",
    birth: dt.date = dt.date(1980, 5, 17),
    female: bool = False,
    id_number: str | None = None,
    category: int = 4,
    grade: int = 1,
    issue_date: dt.date = dt.date(2020, 1, 1),
    urban_rural: str = "农村",
    household_number: str | None = None,
    relation: str = "",
    phone: str | None = None,
    status: str = Person.Status.NORMAL,
    status_date: dt.date | None = None,
) -> Person:
    """A registry person in `region_code` (a county, township or village; created if needed): the ID
    number (made from the county, `birth` and `female` unless given) hashed, encrypted and masked,
    sex (and, for a given number, the birth date) read from it; a household of their own unless `household_number` is given;
    no phone unless `phone` is given."""
    region = make_region(region_code)
    number = id_number or make_id_number(region_code, birth, female=female)
    fields: dict[str, Any] = {}
    if phone is not None:
        fields.update(phone_encrypted=encrypt(phone), phone_masked=mask_phone(phone))
    return Person.objects.create(
        id_hash=blind_index(number),
        id_number_encrypted=encrypt(number),
        id_masked=mask_id_number(number),
        sex=sex_of(number),
        birth_date=birth if id_number is None else birth_date_of(number),
        region=region,
        county_code=region_code[:6],
        township_code=region_code[:9] if len(region_code) >= 9 else "",
        household_number=household_number or f"H{number}",
        name=name,
        category=category,
        grade=grade,
        issue_date=issue_date,
        urban_rural=urban_rural,
        relation=relation,
        status=status,
        status_date=status_date,
        **fields,
    )


def make_user(
    role: str = Role.COUNTY_STAFF,
    region_code: str | None = "140902",
    *,
    username: str | None = None,
    **fields: Any,
) -> User:
    """A user with PASSWORD; region_code None for the administrators."""
    region = make_region(region_code) if region_code else None
    user = User(username=username or f"user{next(_sequence)}", role=role, region=region, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_survey(person: Person, *, year: int = 2025, income: str | None = "3000.00", **fields: Any) -> Survey:
    return Survey.objects.create(
        person=person, year=year, income=Decimal(income) if income is not None else None, **fields
    )


def batch_for(kind: str) -> ImportBatch:
    """The latest done import of `kind`, or a new one."""
    batch = ImportBatch.objects.filter(kind=kind, status=ImportBatch.Status.DONE).order_by("-id").first()
    if batch is None:
        batch = ImportBatch.objects.create(
            kind=kind, file_name=f"{kind}.csv", checksum=kind, status=ImportBatch.Status.DONE
        )
    return batch


def make_list_record(
    kind: str,
    who: Person | str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    year: int | None = None,
    school_year: str = "",
    category: str = "",
    status: str = "",
    name: str | None = None,
    amount: Decimal | str | None = None,
    organisation: str = "",
    project: str = "",
    batch: ImportBatch | None = None,
) -> ListRecord:
    """A row of a departmental list (of `batch`, else of the latest import of `kind`) for a person
    or an ID number."""
    number = id_number_of(who) if isinstance(who, Person) else who
    batch = batch or batch_for(kind)
    count = ListRecord.objects.filter(batch=batch).count()
    return ListRecord.objects.create(
        batch=batch,
        kind=kind,
        row_number=count + 2,
        id_hash=blind_index(number),
        id_number_encrypted=encrypt(number),
        id_masked=mask_id_number(number),
        in_registry=Person.objects.filter(id_hash=blind_index(number)).exists(),
        name=name if name is not None else (who.name if isinstance(who, Person) else "名单人"),
        start_date=start,
        end_date=end,
        year=year,
        school_year=school_year,
        category=category,
        status=status,
        organisation=organisation,
        project=project,
        amount=Decimal(amount) if amount is not None else None,
    )


def make_standard(
    region_code: str = "140900",
    effective_date: dt.date = dt.date(2020, 1, 1),
    *,
    urban_dibao: Decimal | str = "700.00",
    rural_dibao: Decimal | str = "500.00",
    living_subsidy: Decimal | str = "80.00",
    nursing_grade1: Decimal | str = "100.00",
    nursing_grade2: Decimal | str = "80.00",
    **optional: Any,
) -> Standard:
    """A dated standard; amounts as Decimal or text, the other parameters their defaults."""
    amounts = {
        "urban_dibao": urban_dibao,
        "rural_dibao": rural_dibao,
        "living_subsidy": living_subsidy,
        "nursing_grade1": nursing_grade1,
        "nursing_grade2": nursing_grade2,
        **optional,
    }
    return Standard.objects.create(
        region_code=region_code,
        effective_date=effective_date,
        **{k: (Decimal(v) if isinstance(v, str) else v) for k, v in amounts.items()},
    )


def make_entitlement(
    person: Person, *, benefit: str = "living_subsidy", start: dt.date, end: dt.date | None = None
) -> Entitlement:
    return Entitlement.objects.create(
        person=person,
        benefit=benefit,
        start_month=start.replace(day=1),
        end_month=end,
        monthly_amount=Decimal("80"),
    )


class World:
    """Owner / teammate / outsider fixtures: persons in two townships of 忻府区 and in 原平市,
    and one user per role.

    - ``alice`` and ``bob``: one household in township 140902001 (village 140902001001);
    - ``carol``: another township of the same county (140902002);
    - ``dave``: another county (原平市 140981).

    Each of them is born 1970-05-06, certified 2020-01-15 and has a phone; all but bob head their household.
    """

    def __init__(self) -> None:
        def person(*, grade: int = 2, relation: str = "户主", **fields: Any) -> Person:
            born, certified = dt.date(1970, 5, 6), dt.date(2020, 1, 15)
            return make_person(
                birth=born,
                issue_date=certified,
                phone="13812341234",
                grade=grade,
                relation=relation,
                **fields,
            )

        self.alice = person(name="测试甲", region_code="140902001001", household_number="H-A1")
        self.bob = person(
            name="测试乙", region_code="140902001001", household_number="H-A1", relation="子女", grade=4
        )
        self.carol = person(name="测试丙", region_code="140902002001", category=1, grade=1)
        self.dave = person(name="测试丁", region_code="140981001001", category=5, grade=3)
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


def credit_code(prefix17: str) -> str:
    """A 统一社会信用代码 whose check character (GB 32100-2015) holds."""
    from stdnum.cn.uscc import calc_check_digit

    return prefix17 + calc_check_digit(prefix17)


def make_declaration(
    *,
    code: str | None = None,
    year: int = 2025,
    name: str = "测试单位",
    unit_type: str = "企业",
    staff: str = "500",
    average_wage: str = "100000.00",
    region_code: str = "140902",
    established_posts: int | None = None,
    is_school: bool | None = None,
) -> Declaration:
    """An employer's declaration for `year` (a fresh enterprise code unless given)."""
    code = code or credit_code(f"911409{next(_sequence):011d}")
    return Declaration.objects.create(
        credit_code=code,
        year=year,
        name=name,
        unit_type=unit_type,
        staff=Decimal(staff),
        average_wage=Decimal(average_wage),
        region_code=region_code,
        established_posts=established_posts,
        is_school=is_school,
    )


def declare(
    declaration: Declaration,
    who: Person | str,
    *,
    start: dt.date = dt.date(2024, 1, 1),
    end: dt.date | None = None,
    name: str | None = None,
) -> DeclaredPerson:
    """A person (or an ID number) declared by `declaration` with a contract from `start` to `end`."""
    number = id_number_of(who) if isinstance(who, Person) else who
    return DeclaredPerson.objects.create(
        declaration=declaration,
        id_hash=blind_index(number),
        id_number_encrypted=encrypt(number),
        id_masked=mask_id_number(number),
        name=name or (who.name if isinstance(who, Person) else "申报人"),
        contract_start=start,
        contract_end=end,
    )


def make_levy_standard(
    region_code: str = "140900", year: int = 2025, social_average_wage: str = "80000.00", **fields: Any
) -> LevyStandard:
    return LevyStandard.objects.create(
        region_code=region_code, year=year, social_average_wage=Decimal(social_average_wage), **fields
    )
