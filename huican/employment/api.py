"""REST API for proportional-employment declarations: submit an employer's declaration for a year
(validated and saved by the same service as the web form, ``services.save_declaration``; a later
one replaces it) and read its verification (EMPLOYMENT.md's element, ID numbers masked). Token
authentication and the user's region scope as every endpoint; a declaration outside it is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from huican.accounts.access import can
from huican.accounts.decorators import client_ip
from huican.core.audit import audit_record
from huican.employment import selectors
from huican.employment.models import DeclaredPerson
from huican.employment.services import DeclarationEntry, DeclarationInvalid, PersonEntry, save_declaration
from huican.employment.verification import REASONS, STATUSES, levy

router = Router(tags=["按比例就业年审"])


class ApiProblem(HttpError):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.details = details


class PersonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(max_length=20, description="公民身份号码")
    name: str = Field(max_length=100)
    contract_start: dt.date = Field(description="劳动合同起始日期")
    contract_end: dt.date | None = Field(None, description="劳动合同终止日期；空为无固定期限")


class DeclarationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    credit_code: str = Field(max_length=18, description="统一社会信用代码")
    year: int = Field(description="统计年度")
    name: str = Field(max_length=200)
    unit_type: str = Field(description="企业 | 机关 | 事业单位 | 社会团体 | 民办非企业单位")
    staff: str = Field(max_length=12, description="在职职工人数（年平均，最多一位小数）")
    average_wage: str = Field(max_length=16, description="在职职工年平均工资（元）")
    region_code: str = Field(max_length=6, description="注册地县级区划代码或市级代码")
    established_posts: int | None = Field(None, ge=0)
    is_school: bool | None = None
    persons: list[PersonIn] = Field(default_factory=list, max_length=10_000)


class PersonOut(Schema):
    id_masked: str
    name: str
    contract_start: dt.date
    contract_end: dt.date | None
    counted: bool
    weight: int
    months: int
    reasons: list[str]
    reason_names: list[str]


class VerificationOut(Schema):
    id: int
    credit_code: str
    name: str
    county: str
    year: int
    staff: float
    required: float
    arranged: float
    ratio: float = Field(description="实际安排比例（百分数）")
    base_wage: float
    status: str = Field(description="exempt | met | reduced_50 | reduced_90 | full")
    status_name: str
    due: float
    persons: list[PersonOut]


def _verification(declaration_id: int, year: int) -> dict[str, Any]:
    (element,) = levy(year=year, declaration_ids=[declaration_id], with_ids=False)
    stored = {p.pk: p for p in DeclaredPerson.objects.filter(declaration_id=declaration_id)}
    persons = []
    for declared_id, person in zip(element["_declared_ids"], element["persons"], strict=True):
        row = stored[declared_id]
        persons.append(
            {
                "id_masked": row.id_masked,
                "name": row.name,
                "contract_start": row.contract_start,
                "contract_end": row.contract_end,
                "counted": person["counted"],
                "weight": person["weight"],
                "months": person["months"],
                "reasons": person["reasons"],
                "reason_names": [REASONS[r] for r in person["reasons"]],
            }
        )
    keys = (
        "credit_code",
        "name",
        "county",
        "year",
        "staff",
        "required",
        "arranged",
        "ratio",
        "base_wage",
        "status",
        "due",
    )
    return {
        "id": declaration_id,
        **{k: element[k] for k in keys},
        "status_name": STATUSES[element["status"]],
        "persons": persons,
    }


@router.post(
    "", response={201: VerificationOut}, summary="提交一家单位的年度申报（同单位同年度再次提交则替换）"
)
def submit_declaration(request: HttpRequest, payload: DeclarationIn) -> Status[dict[str, Any]]:
    user: Any = request.user
    if not can(user, "manage_employment"):
        raise ApiProblem(403, "forbidden", "您的角色无权填报申报")
    entry = DeclarationEntry(
        credit_code=payload.credit_code,
        year=payload.year,
        name=payload.name,
        unit_type=payload.unit_type,
        staff=payload.staff,
        average_wage=payload.average_wage,
        region_code=payload.region_code,
        established_posts=payload.established_posts,
        is_school=payload.is_school,
        persons=[PersonEntry(p.id_number, p.name, p.contract_start, p.contract_end) for p in payload.persons],
    )
    try:
        declaration = save_declaration(actor=user, entry=entry, source="api")
    except DeclarationInvalid as exc:
        details = [{"field": field, "problem": "；".join(reasons)} for field, reasons in exc.errors.items()]
        raise ApiProblem(422, "declaration_refused", "申报未保存", details) from None
    return Status(201, _verification(declaration.pk, declaration.year))


@router.get("/{declaration_id}", response=VerificationOut, summary="一份申报的审核结果")
def get_verification(request: HttpRequest, declaration_id: int) -> dict[str, Any]:
    user: Any = request.user
    if not can(user, "view_employment"):
        raise ApiProblem(403, "forbidden", "您的角色无权查看按比例就业审核")
    declaration = selectors.declaration_for(user, declaration_id)
    audit_record(
        actor=user,
        action="employment.declaration_view",
        object_type="employment_declaration",
        object_id=declaration.pk,
        region_code=declaration.region_code,
        detail={"via": "api"},
        ip_address=client_ip(request),
    )
    return _verification(declaration.pk, declaration.year)
