"""Indicators by disability category (残疾类别): each indicator computed for the persons of one category.

The breakdown is the same indicator code run on a part of the population: the facts of the region
are loaded once, the policy vocabulary and the decisions are computed once for everyone, and
``indicators_from_facts`` is called for each category with the persons (and their prepared rows and
decisions) of that category only. Surveys, list rows, the subsidy roll and the renovated households
stay whole: every join in the indicator code starts from the persons (or their prepared rows), so the
other persons' rows simply find nobody, and a yearly list judged "not sent" is judged on the whole
snapshot (``missing_in_facts`` reads the batches), never on one category's rows.

Categories are those of the certificate number (DOMAIN.md §1, GB/T 26341-2010), in that order:
视力, 听力, 言语, 肢体, 智力, 精神, 多重.

- A rate: every certified person has one category, so the categories' numerators and denominators
  add up to the region's.
- ``training_persons`` counts persons: the categories add up to the whole.
- ``home_renovations`` counts households: a household is counted in the category of each member who
  has a completed renovation record, so a household with renovated members of two categories is
  counted in both and the categories may add up to more than the whole (``counted_twice``).
- ``income_growth``: a category's households are those of its surveyed members, and a household's
  value is the mean of those members' incomes; it is a growth rate, not a part of a whole.

Results are kept like the dashboard's rows: in ``IndicatorSnapshot`` under the data version
(``selectors.data_version``) marked ``category:`` (which the dashboard's own reads never match), for
the year, D and region, so a page asks again in a few milliseconds until the data change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from typing import Any

import polars as pl
from django.db import IntegrityError, transaction
from django.utils import timezone

from huican.core.idnumbers import CATEGORY_NAMES
from huican.monitoring.indicators import gdp_growth_for, indicators_from_facts
from huican.monitoring.models import IndicatorSnapshot
from huican.monitoring.plan import Plan, plan_for_year
from huican.monitoring.selectors import data_version, default_year, evaluation_day
from huican.policy.facts import Facts, load_facts
from huican.policy.rules import evaluate
from huican.policy.vocabulary import prepare
from huican.regions.divisions import CITY_CODE

# code → name in the certificate's order (1 视力 … 7 多重).
CATEGORIES: tuple[tuple[int, str], ...] = tuple(sorted(CATEGORY_NAMES.items()))
VERSION_MARK = "category:"  # IndicatorSnapshot.version prefix of a kept breakdown


def category_breakdown(
    *, year: int, code: str, region: str, as_of: dt.date | None = None
) -> list[dict[str, Any]]:
    """Indicator `code` of `region` for year `year`, one row per disability category.

    Each row: {"category" (视力 … 多重), "numerator", "denominator", "value", "unit"}, computed by the
    indicator code on the persons of that category. D is the dashboard's: 31 December of a past
    year, the as-of date (default today) for the current year. Raises KeyError for a code not in
    the year's plan.
    """
    plan = plan_for_year(year)
    indicator = plan.indicator(code)
    on = evaluation_day(year, today=timezone.localdate(), as_of=as_of)
    # The plan picked for the year (its code and text) is part of the key: a plan loaded later may
    # name other indicators.
    digest = hashlib.sha256(f"{data_version()} {plan.code} {plan.checksum}".encode()).hexdigest()[:32]
    version = f"{VERSION_MARK}{digest}"
    kept = (
        IndicatorSnapshot.objects.filter(year=year, on=on, region=region, version=version)
        .values_list("rows", flat=True)
        .first()
    )
    if kept is None:
        facts = load_facts(on=on, region=None if region == CITY_CODE else region)
        computed = breakdowns_from_facts(facts, year=year, plan=plan, region=region)
        kept = [dict(row, code=item) for item, rows in computed.items() for row in rows]
        _keep(year=year, on=on, region=region, version=version, rows=kept)
    return [
        {key: row[key] for key in ("category", "numerator", "denominator", "value")}
        | {"unit": indicator.unit}
        for row in kept
        if row["code"] == code
    ]


def breakdowns_from_facts(
    facts: Facts, *, year: int, plan: Plan, region: str = CITY_CODE
) -> dict[str, list[dict[str, Any]]]:
    """indicator code → one row per category ({"category", "numerator", "denominator", "value"}),
    for the persons of `facts` reported as `region`."""
    prepared = prepare(facts, with_texts=False)
    decisions = evaluate(prepared, with_reasons=False)
    gdp_growth = gdp_growth_for(year, plan)
    out: dict[str, list[dict[str, Any]]] = {item.code: [] for item in plan.indicators}
    for category, name in CATEGORIES:
        persons = facts.persons.filter(pl.col("category") == category)
        ids = persons.select("person_id")
        rows = indicators_from_facts(
            replace(facts, persons=persons),
            year=year,
            plan=plan,
            gdp_growth=gdp_growth,
            region=region,
            prepared=prepared.join(ids, on="person_id", how="semi", maintain_order="left"),
            decisions=decisions.join(ids, on="person_id", how="semi", maintain_order="left"),
        )
        for row in rows:
            if row["region"] == region and row["code"] in out:
                out[row["code"]].append(
                    {
                        "category": name,
                        "numerator": row["numerator"],
                        "denominator": row["denominator"],
                        "value": row["value"],
                    }
                )
    return out


def warm_category_breakdowns(*, today: dt.date | None = None) -> int:
    """Compute and keep the city's breakdown for the year the dashboard opens on (call it from the
    background job after an import, beside ``selectors.warm_indicator_cache``, so that the first page
    asking for a breakdown does not pay for it). Returns the number of indicators kept."""
    today = today or timezone.localdate()
    year = default_year(plan_for_year(today.year), today)
    plan = plan_for_year(year)
    for item in plan.indicators[:1]:  # one call computes and keeps every indicator's breakdown
        category_breakdown(year=year, code=item.code, region=CITY_CODE, as_of=today)
    return len(plan.indicators)


def _keep(*, year: int, on: dt.date, region: str, version: str, rows: list[dict[str, Any]]) -> None:
    """Keep the rows under `version`, dropping the region's breakdowns of older data versions."""
    IndicatorSnapshot.objects.filter(region=region, version__startswith=VERSION_MARK).exclude(
        version=version
    ).delete()
    try:
        with transaction.atomic():
            IndicatorSnapshot.objects.create(year=year, on=on, region=region, version=version, rows=rows)
    except IntegrityError:  # another request kept the same rows meanwhile
        pass
