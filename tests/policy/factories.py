"""Small ORM factories for the policy tests (persons, surveys, list records, standards); persons and
ID numbers are made by tests/factories.py with these defaults."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from huican.benefits.models import Entitlement
from huican.core.crypto import blind_index, encrypt, mask_id_number
from huican.exchange.models import ImportBatch, ListRecord
from huican.policy.models import Standard
from huican.regions.models import Region
from huican.registry.models import Person, Survey
from tests.factories import create_person, id_number

_sequence = itertools.count(11)


def make_id_number(
    *, birth: dt.date = dt.date(1980, 5, 17), county: str = "140902", sequence: int | None = None
) -> str:
    """A valid 18-character ID number (check character computed)."""
    return id_number(county, birth, sequence if sequence is not None else next(_sequence))


def ensure_region(code: str) -> Region:
    county = code[:6]
    parent, _ = Region.objects.get_or_create(
        code=county, defaults={"name": f"县{county}", "level": Region.Level.COUNTY, "county_code": county}
    )
    if code == county:
        return parent
    region, _ = Region.objects.get_or_create(
        code=code,
        defaults={
            "name": f"村{code}",
            "level": Region.Level.VILLAGE,
            "county_code": county,
            "parent": parent,
        },
    )
    return region


def make_person(
    *,
    id_number: str | None = None,
    birth: dt.date = dt.date(1980, 5, 17),
    name: str = "测试人",
    category: int = 4,
    grade: int = 1,
    issue_date: dt.date = dt.date(2020, 1, 1),
    urban_rural: str = "农村",
    household: str | None = None,
    status: str = "正常",
    status_date: dt.date | None = None,
    region: str = "140902001001",
) -> Person:
    id_number = id_number or make_id_number(birth=birth, county=region[:6])
    return create_person(
        id_number,
        region=ensure_region(region),
        household_number=household or f"H{id_number}",
        name=name,
        category=category,
        grade=grade,
        issue_date=issue_date,
        urban_rural=urban_rural,
        status=status,
        status_date=status_date,
    )


def id_number_of(person: Person) -> str:
    from huican.core.crypto import decrypt

    return decrypt(person.id_number_encrypted)


def batch_for(kind: str) -> ImportBatch:
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
    id_number = id_number_of(who) if isinstance(who, Person) else who
    batch = batch or batch_for(kind)
    count = ListRecord.objects.filter(batch=batch).count()
    return ListRecord.objects.create(
        batch=batch,
        kind=kind,
        row_number=count + 2,
        id_hash=blind_index(id_number),
        id_number_encrypted=encrypt(id_number),
        id_masked=mask_id_number(id_number),
        in_registry=Person.objects.filter(id_hash=blind_index(id_number)).exists(),
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
    *,
    region_code: str = "140900",
    effective_date: dt.date = dt.date(2020, 1, 1),
    urban_dibao: str = "700.00",
    rural_dibao: str = "500.00",
    living_subsidy: str = "80.00",
    nursing_grade1: str = "100.00",
    nursing_grade2: str = "80.00",
    **optional: Any,
) -> Standard:
    return Standard.objects.create(
        region_code=region_code,
        effective_date=effective_date,
        urban_dibao=Decimal(urban_dibao),
        rural_dibao=Decimal(rural_dibao),
        living_subsidy=Decimal(living_subsidy),
        nursing_grade1=Decimal(nursing_grade1),
        nursing_grade2=Decimal(nursing_grade2),
        **{k: (Decimal(v) if isinstance(v, str) else v) for k, v in optional.items()},
    )


def make_survey(person: Person, *, year: int = 2025, income: str | None = "3000.00", **fields: Any) -> Survey:
    return Survey.objects.create(
        person=person, year=year, income=Decimal(income) if income is not None else None, **fields
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
