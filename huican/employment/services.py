"""Writing a declaration from the web form or the API (EMPLOYMENT.md): the same rules as the
`employers` and `employer_staff` imports, one employer and year at a time, audited. A declaration
saved again for the same employer and year replaces the earlier one, persons included."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from huican.accounts.access import region_prefix_for
from huican.core.audit import audit_record
from huican.core.crypto import blind_index
from huican.core.idnumbers import check_id_number, normalize_id_number
from huican.employment.imports import replace_persons
from huican.employment.models import Declaration, FederationStaff
from huican.exchange.kinds import EMPLOYER_TYPES
from huican.exchange.validation import credit_code_check_ok
from huican.regions.divisions import CITY_CODE, COUNTY_CODES


class DeclarationInvalid(Exception):
    """The declaration cannot be saved: `errors` maps a field (or `persons[i]`) to its reasons."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("；".join(f"{k}：{'、'.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class PersonEntry:
    id_number: str
    name: str
    contract_start: dt.date | None
    contract_end: dt.date | None = None


@dataclass
class DeclarationEntry:
    credit_code: str
    year: int
    name: str
    unit_type: str
    staff: str
    average_wage: str
    region_code: str
    established_posts: int | None = None
    is_school: bool | None = None
    # None: keep the persons already declared (a correction of the employer's own fields).
    persons: list[PersonEntry] | None = field(default_factory=list)


def _decimal(text: str, places: int) -> Decimal | None:
    """A non-negative number with at most `places` decimals (trailing zeros do not count)."""
    value = str(text).strip()
    if not re.fullmatch(r"\d+(\.\d+)?", value):
        return None
    if "." in value and len(value.rstrip("0").split(".")[1]) > places:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def validate(entry: DeclarationEntry, *, actor: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(key: str, reason: str) -> None:
        errors.setdefault(key, []).append(reason)

    code = entry.credit_code.strip().upper()
    if not credit_code_check_ok(code):
        add("credit_code", "统一社会信用代码不正确（18 位，校验位须正确）")
    if not 2000 <= entry.year <= timezone.localdate().year + 1:
        add("year", "统计年度不正确")
    if not entry.name.strip():
        add("name", "必填项为空")
    if entry.unit_type not in EMPLOYER_TYPES:
        add("unit_type", "单位类型应为：" + "、".join(EMPLOYER_TYPES))
    if _decimal(entry.staff, 1) is None:
        add("staff", "在职职工人数应为不小于 0 的数，最多保留一位小数")
    if _decimal(entry.average_wage, 2) is None:
        add("average_wage", "在职职工年平均工资应为不小于 0 的元数，最多保留两位小数")
    if entry.region_code not in COUNTY_CODES | {CITY_CODE}:
        add("region_code", "区划代码应为本市的县级单位代码（6 位）或市级代码")
    else:
        prefix = region_prefix_for(actor)
        if prefix is None or not entry.region_code.startswith(prefix):
            add("region_code", "只能填报本辖区的单位")
    seen: set[str] = set()
    for i, person in enumerate(entry.persons or []):
        key = f"persons[{i}]"
        number = normalize_id_number(person.id_number)
        problem = check_id_number(number)
        if problem:
            add(key, f"公民身份号码：{problem}")
        elif number in seen:
            add(key, "同一人重复申报")
        seen.add(number)
        if not person.name.strip():
            add(key, "姓名为空")
        if person.contract_start is None:
            add(key, "劳动合同起始日期为空")
        elif person.contract_end is not None and person.contract_end < person.contract_start:
            add(key, "劳动合同终止日期早于劳动合同起始日期")
    return errors


def save_declaration(*, actor: Any, entry: DeclarationEntry, source: str = "web") -> Declaration:
    """Create or replace the declaration of (统一社会信用代码, 统计年度) with its persons; raises
    DeclarationInvalid with every problem found."""
    errors = validate(entry, actor=actor)
    if errors:
        raise DeclarationInvalid(errors)
    code = entry.credit_code.strip().upper()
    staff = _decimal(entry.staff, 1)
    wage = _decimal(entry.average_wage, 2)
    assert staff is not None and wage is not None
    with transaction.atomic():
        declaration, created = Declaration.objects.update_or_create(
            credit_code=code,
            year=entry.year,
            defaults={
                "name": entry.name.strip(),
                "unit_type": entry.unit_type,
                "staff": staff.quantize(Decimal("0.1")),
                "average_wage": wage.quantize(Decimal("0.01")),
                "region_code": entry.region_code,
                "established_posts": entry.established_posts,
                "is_school": entry.is_school,
                "updated_by": actor if getattr(actor, "is_authenticated", False) else None,
                "batch": None,
            },
        )
        persons = entry.persons if entry.persons is not None else None
        rows = [
            {
                "id_hash": blind_index(normalize_id_number(p.id_number)),
                "id_number": normalize_id_number(p.id_number),
                "name": p.name.strip(),
                "contract_start": p.contract_start,
                "contract_end": p.contract_end,
            }
            for p in persons or []
        ]
        if persons is not None:
            replace_persons({(code, entry.year): rows})
        audit_record(
            actor=actor,
            action="employment.declaration_" + ("created" if created else "replaced"),
            object_type="employment_declaration",
            object_id=declaration.pk,
            region_code=entry.region_code,
            detail={
                "credit_code": code,
                "year": entry.year,
                "persons": len(rows) if persons is not None else "unchanged",
                "source": source,
            },
        )
    return declaration


def save_federation_staff(
    *, actor: Any, county_code: str, year: int, staff: int, disabled_staff: int
) -> FederationStaff:
    """Record a county federation's staff and disabled staff for a year (audited)."""
    if disabled_staff > staff:
        raise DeclarationInvalid({"disabled_staff": ["其中残疾人不能多于在职人数"]})
    with transaction.atomic():
        row, _ = FederationStaff.objects.update_or_create(
            county_code=county_code,
            year=year,
            defaults={"staff": staff, "disabled_staff": disabled_staff, "updated_by": actor},
        )
        audit_record(
            actor=actor,
            action="employment.federation_staff_saved",
            object_type="employment_federation_staff",
            object_id=row.pk,
            region_code=county_code,
            detail={"year": year, "staff": staff, "disabled_staff": disabled_staff},
        )
    return row
