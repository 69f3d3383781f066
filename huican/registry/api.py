"""REST API for the registry: search persons, read one person, and their decisions on a date.

Same scope and audit as the web pages: search goes through ``selectors.search_persons`` (the
user's region, in the query), a person outside the region is a 404, ID numbers are masked, and
every search and read is written to the audit log with ``"via": "api"``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from huican.accounts.access import can
from huican.accounts.decorators import client_ip
from huican.core.audit import audit_record
from huican.registry import selectors
from huican.registry.models import Person

logger = logging.getLogger(__name__)
router = Router(tags=["人员"])


class ApiProblem(HttpError):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.details = details


class PersonOut(Schema):
    id: int
    name: str
    id_masked: str = Field(description="身份证号（脱敏）")
    certificate_masked: str = Field(description="残疾人证号（脱敏）")
    sex: str
    birth_date: dt.date
    category: int
    category_name: str
    grade: int
    grade_name: str
    issue_date: dt.date
    expiry_date: dt.date
    region_code: str
    county_code: str
    township_code: str
    urban_rural: str
    household_number: str
    status: str
    status_date: dt.date | None


class SurveyOut(Schema):
    year: int
    household_size: int | None
    income: float | None = Field(description="家庭人均年收入（元）")
    long_term_care: bool | None
    rehab_need: bool | None
    device_need: bool | None
    renovation_need: bool | None
    care_service_need: bool | None
    employment: str


class MemberOut(Schema):
    id: int
    name: str
    id_masked: str
    relation: str


class PersonDetailOut(PersonOut):
    relation: str
    phone_masked: str
    surveys: list[SurveyOut]
    household: list[MemberOut]


class ReasonOut(Schema):
    clause: str
    label: str = ""
    passed: bool | None
    detail: str
    basis: str = ""


class DecisionOut(Schema):
    benefit: str
    name: str
    decision: str = Field(description="eligible | ineligible | unknown")
    decision_name: str
    amount: float | None = Field(description="每月金额（元），仅对有金额的符合项")
    flags: list[str]
    flag_names: list[str]
    reasons: list[ReasonOut]


class SearchQuery(Schema):
    q: str = Field(..., min_length=1, max_length=64, description="姓名、身份证号或残疾人证号")
    limit: int = Field(20, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class DecisionQuery(Schema):
    on: dt.date | None = Field(None, description="判定日期（YYYY-MM-DD），默认今天")


def person_out(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "id_masked": person.id_masked,
        "certificate_masked": person.certificate_masked,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "category": person.category,
        "category_name": person.category_name,
        "grade": person.grade,
        "grade_name": person.grade_name,
        "issue_date": person.issue_date,
        "expiry_date": person.expiry_date,
        "region_code": person.region_id,
        "county_code": person.county_code,
        "township_code": person.township_code,
        "urban_rural": person.urban_rural,
        "household_number": person.household_number,
        "status": person.status,
        "status_date": person.status_date,
    }


def _audit_view(request: HttpRequest, person: Person, part: str, **detail: Any) -> None:
    audit_record(
        actor=request.user,
        action="registry.person_view",
        object_type="registry.Person",
        object_id=person.pk,
        region_code=person.region_id,
        detail={"via": "api", "part": part, **detail},
        ip_address=client_ip(request),
    )


@router.get(
    "",
    response=list[PersonOut],
    summary="按姓名查询人员",
    description="按身份证号或残疾人证号查询请用 POST /persons/search：号码不得出现在网址中（会进入代理和服务器日志）；"
    "q 中含 4 位以上连续数字时返回 422 number_in_url。",
)
def search_persons(request: HttpRequest, query: Query[SearchQuery]) -> list[dict[str, Any]]:
    from huican.registry.views import carries_number

    if carries_number(query.q):
        raise ApiProblem(
            422,
            "number_in_url",
            "身份证号、残疾人证号不能放在网址中：请用 POST /api/v1/persons/search 查询",
            [{"field": "query.q", "problem": "含有号码"}],
        )
    return _search(request, query)


@router.post("/search", response=list[PersonOut], summary="查询人员（姓名、身份证号或残疾人证号）")
def search_persons_by_post(request: HttpRequest, query: SearchQuery) -> list[dict[str, Any]]:
    """The query travels in the JSON body: ID numbers never appear in a URL or a request log."""
    return _search(request, query)


def _search(request: HttpRequest, query: SearchQuery) -> list[dict[str, Any]]:
    user: Any = request.user
    if not can(user, "browse_registry"):
        raise ApiProblem(403, "forbidden", "您的角色无权查询人员")
    result = selectors.search_persons(user, query.q)
    if result.problem:
        raise ApiProblem(
            422, "invalid_query", result.problem, [{"field": "query.q", "problem": result.problem}]
        )
    persons = list(result.persons[query.offset : query.offset + query.limit])
    audit_record(
        actor=user,
        action="registry.search",
        object_type="registry.Person",
        region_code=user.region_id or "",
        detail={"via": "api", "mode": result.mode, "query": result.audit_query, "results": len(persons)},
        ip_address=client_ip(request),
    )
    return [person_out(p) for p in persons]


@router.get("/{person_id}", response=PersonDetailOut, summary="一个人的名册信息")
def get_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = selectors.access_person_by_id(request.user, person_id)
    _audit_view(request, person, "person")
    surveys = [
        {
            "year": s.year,
            "household_size": s.household_size,
            "income": float(s.income) if s.income is not None else None,
            "long_term_care": s.long_term_care,
            "rehab_need": s.rehab_need,
            "device_need": s.device_need,
            "renovation_need": s.renovation_need,
            "care_service_need": s.care_service_need,
            "employment": s.employment,
        }
        for s in selectors.survey_history(person)
    ]
    household = [
        {"id": m.pk, "name": m.name, "id_masked": m.id_masked, "relation": m.relation}
        for m in selectors.household_members(request.user, person)
    ]
    return {
        **person_out(person),
        "relation": person.relation,
        "phone_masked": person.phone_masked,
        "surveys": surveys,
        "household": household,
    }


@router.get("/{person_id}/decisions", response=list[DecisionOut], summary="一个人在某日的待遇资格判定及理由")
def get_decisions(request: HttpRequest, person_id: int, query: Query[DecisionQuery]) -> list[dict[str, Any]]:
    person = selectors.access_person_by_id(request.user, person_id)
    on = query.on or timezone.localdate()
    if not dt.date(1900, 1, 1) <= on <= dt.date(2200, 12, 31):
        raise ApiProblem(
            422, "validation_error", "判定日期超出范围", [{"field": "query.on", "problem": "日期超出范围"}]
        )
    _audit_view(request, person, "decisions", on=on.isoformat())
    rows = selectors.person_decisions(person.pk, on)
    return [
        {
            "benefit": row["benefit"],
            "name": row.get("name", row["benefit"]),
            "decision": row["decision"],
            "decision_name": row.get("decision_name", row["decision"]),
            "amount": row.get("amount"),
            "flags": list(row.get("flags") or []),
            "flag_names": list(row.get("flag_names") or []),
            "reasons": [
                {
                    "clause": str(r.get("clause", "")),
                    "label": str(r.get("label") or ""),
                    "passed": r.get("passed"),
                    "detail": str(r.get("detail") or ""),
                    "basis": str(r.get("basis") or ""),
                }
                for r in row.get("reasons") or []
            ],
        }
        for row in rows
    ]
