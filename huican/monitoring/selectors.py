"""Reads of the monitoring app: indicator rows kept by data version, the regions a user may monitor,
the persons behind a figure, and the data sources of a report.

Indicator rows are computed set-based by ``huican.monitoring.indicators.indicators_from_facts`` and
kept in ``IndicatorSnapshot`` under the *data version* (a digest of the latest import, list row,
registry row, survey, entitlement, standard and GDP entry), so a page asks for them again in a few
milliseconds until the data change. For a trend, the facts are loaded once and evaluated on each
year's date: ``load_facts`` reads every row whatever the date (the rules filter by date), so the
same frames serve every D that has the same list snapshots in force (``policy.facts.redated``; a
date with other snapshots gets its own load); tests/monitoring_web checks this against
``compute_indicators``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone

from huican.accounts.access import can, region_prefix_for
from huican.benefits.models import Entitlement
from huican.care import selectors as care_selectors
from huican.exchange.kinds import KINDS
from huican.exchange.models import ImportBatch, ListRecord
from huican.exchange.snapshots import LIST_KINDS, batches_in_force
from huican.monitoring.indicators import gdp_growth_for, indicators_from_facts, member_ids
from huican.monitoring.models import GdpGrowth, IndicatorSnapshot
from huican.monitoring.plan import Plan, plan_for_year, plans_version
from huican.policy.facts import Facts, load_facts, redated
from huican.policy.models import Standard
from huican.regions.divisions import CITY_CODE, CITY_NAME, COUNTIES, COUNTY_CODES, COUNTY_NAMES
from huican.regions.models import Region
from huican.registry.models import Person, Survey

SIDES = ("numerator", "denominator")
FULL_RUN = ""  # IndicatorSnapshot.region of the run for the city and every county-level unit


# --- years and dates --------------------------------------------------------------------------------


def plan_years(plan: Plan, today: dt.date) -> list[int]:
    """The years a dashboard offers: the plan's first year to the current year."""
    return list(range(plan.start_year, max(today.year, plan.start_year) + 1))


def default_year(plan: Plan, today: dt.date) -> int:
    """The current year while the plan runs; the plan's last year once it has ended (final evaluation)."""
    return today.year if today.year <= plan.end_year else plan.end_year


def evaluation_day(year: int, *, today: dt.date, as_of: dt.date | None = None) -> dt.date:
    """D for `year`: 31 December of a past year; the as-of date (default today) for the current year."""
    if year >= today.year:
        return as_of or today
    return dt.date(year, 12, 31)


# --- regions a user may monitor --------------------------------------------------------------------


def region_name(code: str) -> str:
    if code == CITY_CODE:
        return CITY_NAME
    if code in COUNTY_NAMES:
        return COUNTY_NAMES[code]
    name = Region.objects.filter(code=code).values_list("name", flat=True).first()
    return name or code


def region_choices_for(user: Any) -> list[tuple[str, str]]:
    """Regions whose indicators the user may see: the city and every county-level unit for a
    city-wide scope (city staff, evaluators), otherwise the user's own county or township."""
    if not can(user, "view_aggregates"):
        return []
    prefix = region_prefix_for(user)
    if prefix is None:
        return []
    if len(prefix) <= 4:
        return [(CITY_CODE, CITY_NAME), *[(code, name) for code, name, _ in COUNTIES]]
    return [(prefix, region_name(prefix))]


def sees_whole_city(user: Any) -> bool:
    return bool(region_choices_for(user)) and len(region_prefix_for(user) or "") <= 4


def check_region(user: Any, code: str) -> str:
    """`code` when the user may monitor it; otherwise Http404 (never confirm what lies outside)."""
    if code not in dict(region_choices_for(user)):
        raise Http404("不在您的查看范围内")
    return code


# --- the data version and the cached rows ----------------------------------------------------------


def data_version() -> str:
    """A digest that changes whenever any input of an indicator changes (a few indexed aggregates)."""
    parts: list[Any] = [
        ImportBatch.objects.filter(status=ImportBatch.Status.DONE).aggregate(m=Max("id"))["m"],
        # Which snapshot is in force on a date depends on every list batch's data date.
        list(
            ImportBatch.objects.filter(kind__in=LIST_KINDS, status=ImportBatch.Status.DONE)
            .order_by("id")
            .values_list("id", "data_date")
        ),
        ListRecord.objects.aggregate(m=Max("id"))["m"],
        Person.objects.aggregate(m=Max("id"))["m"],
        Survey.objects.aggregate(m=Max("id"))["m"],
        *Entitlement.objects.aggregate(n=Count("id"), m=Max("id"), e=Count("end_month")).values(),
        *Standard.objects.aggregate(n=Count("id"), m=Max("id")).values(),
        *GdpGrowth.objects.aggregate(n=Count("id"), m=Max("entered_at")).values(),
        *care_selectors.version(),  # services recorded in the system count like imported ones
        plans_version(),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def run_region(region: str) -> str:
    """The cached run that holds `region`'s rows: the full run for the city and its counties."""
    return FULL_RUN if region == CITY_CODE or region in COUNTY_CODES else region


def _compute(facts: Facts, run: str, points: Iterable[tuple[int, dt.date]]) -> dict:
    prepared: dict[tuple[int, dt.date], list[dict[str, Any]]] = {}
    loaded = {_batches_key(facts.batches): facts}
    for year, on in points:
        # Each D reads the list snapshots in force on D: one load per distinct set of snapshots.
        same = loaded.get(_batches_key(batches_in_force(on)))
        dated = replace(same, on=on) if same else redated(facts, on, region=run or None)
        loaded.setdefault(_batches_key(dated.batches), dated)
        plan = plan_for_year(year)  # each year is computed under its own plan
        prepared[(year, on)] = indicators_from_facts(
            dated,
            year=year,
            plan=plan,
            gdp_growth=gdp_growth_for(year, plan),
            region=run or CITY_CODE,
            units=sorted(COUNTY_CODES) if run == FULL_RUN else [],
        )
    return prepared


def _batches_key(batches: dict[str, list[int]]) -> tuple:
    return tuple(sorted((kind, tuple(ids)) for kind, ids in batches.items()))


def indicator_runs(
    points: Iterable[tuple[int, dt.date]], *, region: str = CITY_CODE, facts: Facts | None = None
) -> dict[tuple[int, dt.date], list[dict[str, Any]]]:
    """(year, D) → every row of the run that holds `region` (all units for the city/a county).

    Rows come from the snapshot of the current data version, or are computed (one facts load for
    every missing point) and kept. Pass `facts` (loaded for the run's region) to reuse them.
    """
    run = run_region(region)
    wanted = list(dict.fromkeys(points))
    version = data_version()
    found: dict[tuple[int, dt.date], list[dict[str, Any]]] = {}
    days = {on for _, on in wanted}
    for snap in IndicatorSnapshot.objects.filter(region=run, version=version, on__in=days):
        if (snap.year, snap.on) in wanted:
            found[(snap.year, snap.on)] = snap.rows
    missing = [point for point in wanted if point not in found]
    if missing:
        if facts is None:
            facts = load_facts(on=max(on for _, on in missing), region=None if run == FULL_RUN else run)
        computed = _compute(facts, run, missing)
        _store(run, version, computed)
        found.update(computed)
    return {point: found[point] for point in wanted}


def _store(run: str, version: str, computed: dict[tuple[int, dt.date], list[dict[str, Any]]]) -> None:
    IndicatorSnapshot.objects.filter(region=run).exclude(version=version).delete()
    for (year, on), rows in computed.items():
        try:
            with transaction.atomic():
                IndicatorSnapshot.objects.create(year=year, on=on, region=run, version=version, rows=rows)
        except IntegrityError:  # another request stored the same rows meanwhile
            pass


def rows_for(rows: list[dict[str, Any]], region: str) -> list[dict[str, Any]]:
    return [row for row in rows if row["region"] == region]


def indicator_rows(*, year: int, on: dt.date, region: str = CITY_CODE) -> list[dict[str, Any]]:
    """The rows of one region (city, county or township) for `year` evaluated on `on`."""
    return rows_for(indicator_runs([(year, on)], region=region)[(year, on)], region)


# --- the persons behind a figure -------------------------------------------------------------------


def indicator_member_ids(
    *, code: str, year: int, on: dt.date, region: str
) -> tuple[list[int], list[int] | None]:
    """(numerator person ids, denominator person ids or None) of one indicator in one region.

    Rates: the persons counted in the numerator and in the denominator (RULES.md). Counts: the
    persons with a qualifying service (for renovations, the served members whose households are
    counted); no denominator. Income growth: the persons surveyed with an income in Y (I_Y) and in
    the base year (I_base).
    """
    facts = load_facts(on=on, region=None if region == CITY_CODE else region)
    return member_ids(facts, code=code, year=year, plan=plan_for_year(year))


# --- data sources ----------------------------------------------------------------------------------


def data_sources(on: dt.date | None = None) -> list[dict[str, Any]]:
    """For every import kind: the batches in force on `on` (default today): file name, imported at,
    data date, rows accepted.

    Departmental lists: the snapshot in force on `on` (services: every batch). Registry, surveys
    and standards are updated by each import: the latest completed import is named.
    """
    in_force = batches_in_force(on or timezone.localdate())
    out: list[dict[str, Any]] = []
    for kind, spec in KINDS.items():
        if kind in ("registry", "survey", "standards"):
            latest = (
                ImportBatch.objects.filter(kind=kind, status=ImportBatch.Status.DONE)
                .order_by("-id")
                .values_list("id", flat=True)
                .first()
            )
            ids = [latest] if latest is not None else []
        else:
            ids = in_force.get(kind, [])
        batches = list(ImportBatch.objects.filter(id__in=ids).order_by("id"))
        out.append(
            {
                "kind": kind,
                "title": spec.title,
                "source": spec.source,
                "batches": [
                    {
                        "file_name": batch.file_name,
                        "imported_at": timezone.localtime(batch.imported_at),
                        "data_date": batch.data_date or timezone.localdate(batch.imported_at),
                        "accepted": batch.accepted,
                    }
                    for batch in batches
                ],
            }
        )
    return out


def warm_indicator_cache(*, today: dt.date | None = None) -> int:
    """Compute and keep the city's runs the default dashboard shows (call after an import, e.g. in
    the import job, so the first page view is fast). Returns the number of runs ready."""
    today = today or timezone.localdate()
    plan = plan_for_year(today.year)
    last = default_year(plan, today)
    points = [(year, evaluation_day(year, today=today)) for year in range(plan.start_year, last + 1)]
    return len(indicator_runs(points))


def warm_dashboard(*, progress: Any) -> dict[str, Any]:
    """The background job after an import: the dashboard's figures computed ahead of its view."""
    progress(10, "计算监测指标")
    runs = warm_indicator_cache()
    progress(70, "按残疾类别计算监测指标")
    from huican.monitoring.breakdowns import warm_category_breakdowns  # breakdowns reads this module

    return {"runs": runs, "category_breakdowns": warm_category_breakdowns()}
