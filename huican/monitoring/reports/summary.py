"""The monitoring summary one region sees for one year: each indicator against its target, its
trend since the plan's first year, a linear projection to the plan's last year and the ranking of
the county-level units. The dashboard shows it; the annual report and the final evaluation print it.

Order: binding (约束性) indicators not met first, then every other indicator in the plan's order.
A binding indicator below its target is "not met" whatever its trend; the projection is shown
beside it, never instead of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from huican.monitoring.charts import format_value
from huican.monitoring.indicators import is_met
from huican.monitoring.plan import IndicatorTarget, Plan, plan_for_year
from huican.monitoring.selectors import evaluation_day, indicator_runs, region_name, rows_for, run_region
from huican.policy.facts import Facts
from huican.regions.divisions import CITY_CODE, COUNTIES, COUNTY_CODES

CENT = Decimal("0.01")


@dataclass(frozen=True)
class TrendPoint:
    year: int
    on: dt.date
    value: float | int | None
    numerator: Any
    denominator: Any
    target: float | int | None
    met: bool | None


@dataclass(frozen=True)
class RankEntry:
    rank: int | None  # None: no value (ranked last, unnumbered)
    region: str
    name: str
    value: float | int | None
    numerator: Any
    denominator: Any
    met: bool | None


@dataclass
class IndicatorSummary:
    indicator: IndicatorTarget
    row: dict[str, Any]
    trend: list[TrendPoint]
    projection: float | None = None
    projected_met: bool | None = None
    ranking: list[RankEntry] = field(default_factory=list)
    own_rank: RankEntry | None = None
    view: dict[str, Any] = field(default_factory=dict)  # printed figures and charts the dashboard adds

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def binding_not_met(self) -> bool:
        return self.indicator.kind == "binding" and self.row["met"] is False

    @property
    def counties_behind(self) -> list[RankEntry]:
        return [entry for entry in self.ranking if entry.met is False]


@dataclass
class Summary:
    plan: Plan
    region: str
    region_name: str
    year: int
    on: dt.date
    items: list[IndicatorSummary]
    show_ranking: bool

    @property
    def projects(self) -> bool:
        """Whether a projection to the plan's last year is made (only before that year)."""
        return self.year < self.plan.end_year

    @property
    def binding_not_met(self) -> list[IndicatorSummary]:
        return [item for item in self.items if item.binding_not_met]

    @property
    def met_count(self) -> int:
        return sum(1 for item in self.items if item.row["met"] is True)

    @property
    def not_met_count(self) -> int:
        return sum(1 for item in self.items if item.row["met"] is False)

    @property
    def unknown_count(self) -> int:
        return sum(1 for item in self.items if item.row["met"] is None)


def target_text(indicator: IndicatorTarget, target: Any, region: str) -> str:
    """The target as a caseworker reads it: "≥85%", "100%", "4000 人", or why there is none."""
    if indicator.comparison == "gdp":
        if target is None:
            return "与全市地区生产总值增长同步（各年增速未录齐）"
        return f"≥{format_value(target)}%（全市地区生产总值规划期年均增速）"
    if target is None:
        return "—（计数目标只适用于全市）" if indicator.scope == "city" and region != CITY_CODE else "—"
    text = indicator.target_text or format_value(target)
    return f"{text}%" if indicator.unit == "%" else f"{text} {indicator.unit}"


def linear_projection(points: list[tuple[int, float | int | None]], target_year: int) -> float | None:
    """Least-squares line through the (year, value) points with a value, read at `target_year`."""
    known = [(float(x), float(y)) for x, y in points if y is not None]
    if len(known) < 2:
        return None
    mean_x = sum(x for x, _ in known) / len(known)
    mean_y = sum(y for _, y in known) / len(known)
    spread = sum((x - mean_x) ** 2 for x, _ in known)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in known) / spread
    return mean_y + slope * (target_year - mean_x)


def _rounded(value: float, indicator: IndicatorTarget) -> float:
    if indicator.unit == "%" and indicator.comparison != "gdp":
        value = min(max(value, 0.0), 100.0)  # a coverage rate stays a rate
    elif indicator.is_count:
        value = max(value, 0.0)
    return float(Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP))


def rank_units(rows: list[dict[str, Any]], code: str) -> list[RankEntry]:
    """County-level units by value, highest first (ties share a rank; no value comes last)."""
    units = [row for row in rows if row["code"] == code and row["region"] in COUNTY_CODES]
    order = {county: i for i, (county, _, _) in enumerate(COUNTIES)}
    units.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0), order.get(r["region"], 99)))
    ranking: list[RankEntry] = []
    previous: Any = object()
    rank = 0
    for position, row in enumerate(units, start=1):
        if row["value"] is not None and row["value"] != previous:
            rank = position
        previous = row["value"]
        ranking.append(
            RankEntry(
                rank=rank if row["value"] is not None else None,
                region=row["region"],
                name=region_name(row["region"]),
                value=row["value"],
                numerator=row["numerator"],
                denominator=row["denominator"],
                met=row["met"],
            )
        )
    return ranking


def summary_points(
    plan: Plan, *, year: int, today: dt.date, as_of: dt.date | None = None, first_year: int | None = None
) -> list[tuple[int, dt.date]]:
    """The (year, D) points of a summary's trend: the plan's first year (or `first_year`) to `year`."""
    start = first_year or plan.start_year
    points = [(y, evaluation_day(y, today=today, as_of=as_of)) for y in range(start, year + 1)]
    return points or [(year, evaluation_day(year, today=today, as_of=as_of))]


def build_summary(
    *,
    region: str,
    year: int,
    today: dt.date,
    as_of: dt.date | None = None,
    show_ranking: bool = True,
    first_year: int | None = None,
    facts: Facts | None = None,
    runs: dict[tuple[int, dt.date], list[dict[str, Any]]] | None = None,
) -> Summary:
    """The summary of `region` for `year` (D = 31 December, or the as-of date for the current year).

    The trend runs from the plan's first year (or `first_year`) to `year`; `show_ranking` adds every
    county-level unit's ranking (city-wide viewers), otherwise only the region's own rank. `runs`
    (the rows of every point, e.g. those of a published report) are used instead of computing them.
    """
    plan = plan_for_year(year)
    points = summary_points(plan, year=year, today=today, as_of=as_of, first_year=first_year)
    if runs is None:
        runs = indicator_runs(points, region=region, facts=facts)
    on = points[-1][1]
    latest = runs[points[-1]]
    own = {row["code"]: row for row in rows_for(latest, region)}
    ranked_rows = latest if run_region(region) == "" else []
    items: list[IndicatorSummary] = []
    for indicator in plan.indicators:
        trend = []
        for point in points:
            row = next(r for r in rows_for(runs[point], region) if r["code"] == indicator.code)
            trend.append(
                TrendPoint(
                    year=point[0],
                    on=point[1],
                    value=row["value"],
                    numerator=row["numerator"],
                    denominator=row["denominator"],
                    target=row["target"],
                    met=row["met"],
                )
            )
        item = IndicatorSummary(indicator=indicator, row=own[indicator.code], trend=trend)
        if year < plan.end_year:
            projected = linear_projection([(p.year, p.value) for p in trend], plan.end_year)
            if projected is not None:
                item.projection = _rounded(projected, indicator)
                target = item.row["target"] if indicator.comparison == "gdp" else indicator.target
                item.projected_met = is_met(
                    Decimal(str(item.projection)),
                    Decimal(str(target)) if target is not None else None,
                    indicator.comparison,
                )
                if indicator.scope == "city" and region != CITY_CODE:
                    item.projected_met = None
        ranking = rank_units(ranked_rows, indicator.code) if ranked_rows else []
        item.ranking = ranking if show_ranking else []
        item.own_rank = next((entry for entry in ranking if entry.region == region), None)
        items.append(item)
    items.sort(key=lambda item: (not item.binding_not_met, item.indicator.number))
    return Summary(
        plan=plan,
        region=region,
        region_name=region_name(region),
        year=year,
        on=on,
        items=items,
        show_ranking=show_ranking and bool(ranked_rows),
    )
