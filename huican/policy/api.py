"""REST API for standards (标准参数): every row, or the rows in force on a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from huican.accounts.access import can
from huican.policy.models import Standard
from huican.policy.selectors import standards_for
from huican.policy.services import region_name
from huican.regions.divisions import CITY_CODE, COUNTY_CODES

router = Router(tags=["标准"])


class ApiProblem(HttpError):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.details = details


class StandardOut(Schema):
    id: int
    region_code: str = Field(description="县级区划代码，或全市默认 140900")
    region_name: str
    effective_date: dt.date
    urban_dibao: float = Field(description="城市低保标准（元/月）")
    rural_dibao: float = Field(description="农村低保标准（元/月）")
    living_subsidy: float = Field(description="生活补贴标准（元/月）")
    nursing_grade1: float = Field(description="一级护理补贴标准（元/月）")
    nursing_grade2: float = Field(description="二级护理补贴标准（元/月）")
    near_poor_multiple: float = Field(description="低保边缘倍数")
    topup_rate: float = Field(description="重度低保增发比例")
    living_includes_near_poor: bool = Field(description="生活补贴含低保边缘")
    nursing_includes_grade34_intellectual_mental: bool = Field(description="护理补贴含三四级智力精神")
    child_rehab_max_age: int = Field(description="儿童康复救助年龄上限")
    in_force: bool = Field(description="是否为查询日期生效的一行")


class StandardQuery(Schema):
    region: str | None = Field(None, max_length=6, description="县级区划代码或 140900")
    on: dt.date | None = Field(None, description="只列出此日生效的行（YYYY-MM-DD）")


@router.get("", response=list[StandardOut], summary="标准参数（各县及全市默认，按生效日期）")
def list_standards(request: HttpRequest, query: Query[StandardQuery]) -> list[dict[str, Any]]:
    if not can(request.user, "view_standards"):
        raise ApiProblem(403, "forbidden", "您的角色无权查看标准参数")
    standards = standards_for(request.user)
    if query.region:
        if query.region != CITY_CODE and query.region not in COUNTY_CODES:
            raise ApiProblem(
                422,
                "validation_error",
                "区划代码应为 140900 或忻州市的县级区划代码",
                [{"field": "query.region", "problem": "不是县级区划代码"}],
            )
        standards = standards.filter(region_code=query.region)
    rows = list(standards)
    on = query.on
    current: set[int] = set()
    latest: dict[str, Standard] = {}
    for row in rows:
        if on is None or row.effective_date <= on:
            latest[row.region_code] = row
    if on is not None:
        current = {row.pk for row in latest.values()}
        rows = [row for row in rows if row.pk in current]
    else:
        today = timezone.localdate()
        current = {r.pk for r in {s.region_code: s for s in rows if s.effective_date <= today}.values()}
    return [
        {
            "id": r.pk,
            "region_code": r.region_code,
            "region_name": region_name(r.region_code),
            "effective_date": r.effective_date,
            "urban_dibao": float(r.urban_dibao),
            "rural_dibao": float(r.rural_dibao),
            "living_subsidy": float(r.living_subsidy),
            "nursing_grade1": float(r.nursing_grade1),
            "nursing_grade2": float(r.nursing_grade2),
            "near_poor_multiple": float(r.near_poor_multiple),
            "topup_rate": float(r.topup_rate),
            "living_includes_near_poor": r.living_includes_near_poor,
            "nursing_includes_grade34_intellectual_mental": r.nursing_includes_grade34_intellectual_mental,
            "child_rehab_max_age": r.child_rehab_max_age,
            "in_force": r.pk in current,
        }
        for r in rows
    ]
