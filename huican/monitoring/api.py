"""REST API for monitoring: the plan indicators by year and region, and the plan itself.

``GET /api/v1/monitoring/indicators?year=&region=&as_of=`` answers the JSON of ``huican
indicators`` (FORMATS.md "JSON output"): D is the as-of date, or 31 December of the year. Without
``region`` a city-wide user gets the city and every county-level unit, anyone else the rows of
their own region; a region outside the user's scope is 404. ``GET /api/v1/monitoring/plan`` is the
plan as JSON (targets, kinds, definitions, key projects, tasks and units, the baseline of the previous
period): the plan of the current year, or ``?code=`` any loaded plan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from huican.accounts.access import can, region_prefix_for
from huican.monitoring.indicators import OUTPUT_KEYS, evaluation_date
from huican.monitoring.plan import KIND_NAMES, PlanNotFound, current_plan, plan_by_code
from huican.monitoring.selectors import indicator_runs, rows_for
from huican.regions.divisions import CITY_CODE, COUNTY_CODES

router = Router(tags=["监测"])


class ApiProblem(HttpError):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.details = details


class IndicatorQuery(Schema):
    year: int = Field(..., ge=2000, le=2100, description="年度")
    region: str | None = Field(
        None, max_length=12, description="区划代码：140900、县级 6 位或乡镇 9 位/村 12 位"
    )
    as_of: dt.date | None = Field(None, description="截至日期（YYYY-MM-DD），默认该年 12 月 31 日")


class IndicatorOut(Schema):
    code: str
    region: str
    year: int
    numerator: float | int | None
    denominator: float | int | None
    value: float | int | None
    target: float | int | None
    kind: str = Field(description="binding（约束性）或 expected（预期性）")
    met: bool | None


def _problem(field: str, message: str) -> ApiProblem:
    return ApiProblem(422, "validation_error", message, [{"field": field, "problem": message}])


def _wanted_region(user: Any, region: str | None) -> str | None:
    """The region to answer for (None: the city and every county-level unit); 404 outside the scope."""
    prefix = region_prefix_for(user) or ""
    whole_city = len(prefix) <= 4
    if region is None:
        return None if whole_city else prefix
    if not region.isdigit() or len(region) not in (6, 9, 12):
        raise _problem("query.region", "区划代码应为 6、9 或 12 位数字")
    if region != CITY_CODE and region[:6] not in COUNTY_CODES:
        raise _problem("query.region", "区划代码不是本市的县级单位或其下级区划")
    if region == CITY_CODE and whole_city:
        return region
    if region != CITY_CODE and region.startswith(prefix):
        return region
    raise Http404("不在您的查看范围内")


@router.get(
    "/indicators", response=list[IndicatorOut], summary="规划指标（与 huican indicators 的 JSON 相同）"
)
def indicators(request: HttpRequest, query: Query[IndicatorQuery]) -> list[dict[str, Any]]:
    if not can(request.user, "view_aggregates"):
        raise ApiProblem(403, "forbidden", "您的角色无权查看指标")
    if query.year > timezone.localdate().year:
        raise _problem("query.year", "该年度尚未开始")
    region = _wanted_region(request.user, query.region)
    on = evaluation_date(query.year, query.as_of)
    point = (query.year, on)
    rows = indicator_runs([point], region=region or CITY_CODE)[point]
    if region is not None:
        rows = rows_for(rows, region)
    return [{key: row[key] for key in OUTPUT_KEYS} for row in rows]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


@router.get("/plan", summary="规划（指标及定义、目标、重点项目、任务及牵头参与单位、上一规划期基线）")
def plan(request: HttpRequest, code: str | None = None) -> dict[str, Any]:
    """The plan of the current year, or the plan `code` (``huican plan list``)."""
    try:
        current = plan_by_code(code) if code else current_plan()
    except PlanNotFound:
        raise Http404("没有该规划") from None
    data = _jsonable(dataclasses.asdict(dataclasses.replace(current, indicators=())))
    data["indicators"] = []
    for item in current.indicators:
        indicator = _jsonable(dataclasses.asdict(dataclasses.replace(item, definition=None)))
        indicator["kind_name"] = KIND_NAMES[item.kind]
        indicator["definition"] = item.definition.as_dict() if item.definition is not None else None
        data["indicators"].append(indicator)
    return data
