"""GET /api/v1/monitoring/indicators and /plan; the cached runs equal compute_indicators; the
projection and the ranking."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.api import api_token_create
from huican.monitoring.indicators import OUTPUT_KEYS, compute_indicators
from huican.monitoring.reports.summary import linear_projection, rank_units
from huican.monitoring.selectors import indicator_runs, rows_for
from tests.factories import make_list_record


@pytest.fixture
def api_get(client, world):
    def _get(role: str, path: str, **params):
        key = api_token_create(user=world.users[role], name="测试")[1]
        return client.get("/api/v1/monitoring" + path, params, HTTP_AUTHORIZATION=f"Bearer {key}")

    return _get


def test_indicators_answer_the_cli_json(api_get):
    response = api_get("evaluator", "/indicators", year=2025)

    assert response.status_code == 200
    rows = response.json()
    assert rows == compute_indicators(year=2025)
    assert all(list(row) == list(OUTPUT_KEYS) for row in rows)
    assert len(rows) == 11 * 16


def test_indicators_for_a_region_and_an_as_of_date(api_get, world):
    make_list_record("medical", world.bob, year=2024)
    rows = api_get("city", "/indicators", year=2024, region="140902", as_of="2024-06-30").json()

    assert {row["region"] for row in rows} == {"140902"}
    assert rows == compute_indicators(year=2024, region="140902", as_of=dt.date(2024, 6, 30))
    medical = next(row for row in rows if row["code"] == "medical_enrolment")
    assert (medical["numerator"], medical["denominator"]) == (1, 3)


def test_indicators_are_scoped(api_get):
    own = api_get("county", "/indicators", year=2025).json()
    assert {row["region"] for row in own} == {"140902"}
    assert api_get("county", "/indicators", year=2025, region="140981").status_code == 404
    assert api_get("county", "/indicators", year=2025, region="140900").status_code == 404
    township = api_get("township", "/indicators", year=2025, region="140902001")
    assert township.status_code == 200
    forbidden = api_get("department", "/indicators", year=2025)
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"year": 2025, "region": "110101"}, "query.region"), ({"year": "x"}, "query.year"), ({}, "query.year")],
)
def test_bad_queries_use_the_error_shape(api_get, params, field):
    response = api_get("city", "/indicators", **params)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_plan_endpoint(api_get):
    plan = api_get("evaluator", "/plan").json()

    assert plan["code"] == "xinzhou-2021-2025"
    assert [i["code"] for i in plan["indicators"]][:2] == ["income_growth", "training_persons"]
    renovations = next(i for i in plan["indicators"] if i["code"] == "home_renovations")
    assert (renovations["target"], renovations["kind"], renovations["kind_name"]) == (
        1502,
        "binding",
        "约束性",
    )
    assert any(task["code"] == "3.3.3" and task["lead"] == ["市残联"] for task in plan["tasks"])
    assert plan["baseline"][0]["value"] == 31000


def test_runs_over_one_facts_load_equal_compute_indicators(world):
    make_list_record("medical", world.bob, year=2022)
    make_list_record("services", world.carol, start=dt.date(2022, 3, 1), category="职业技能培训")
    points = [(2021, dt.date(2021, 12, 31)), (2022, dt.date(2022, 12, 31)), (2025, dt.date(2025, 6, 30))]

    runs = indicator_runs(points)

    for year, on in points:
        assert runs[(year, on)] == compute_indicators(year=year, as_of=on)
    township = indicator_runs(points, region="140902001")
    for year, on in points:
        assert rows_for(township[(year, on)], "140902001") == compute_indicators(
            year=year, as_of=on, region="140902001"
        )


def test_linear_projection():
    assert linear_projection([(2021, 50), (2022, 60), (2023, 70)], 2025) == pytest.approx(90)
    assert linear_projection([(2021, 50), (2022, None), (2023, 70)], 2025) == pytest.approx(90)
    assert linear_projection([(2023, 70)], 2025) is None
    assert linear_projection([(2021, None), (2022, None)], 2025) is None


def test_ranking_shares_ranks_on_ties_and_puts_no_value_last():
    rows = [
        {"code": "x", "region": "140902", "value": 90.0, "numerator": 9, "denominator": 10, "met": False},
        {"code": "x", "region": "140981", "value": 95.0, "numerator": 19, "denominator": 20, "met": True},
        {"code": "x", "region": "140921", "value": 90.0, "numerator": 18, "denominator": 20, "met": False},
        {"code": "x", "region": "140971", "value": None, "numerator": 0, "denominator": 0, "met": None},
        {"code": "x", "region": "140900", "value": 91.0, "numerator": 46, "denominator": 50, "met": False},
    ]
    ranking = rank_units(rows, "x")
    assert [(e.region, e.rank) for e in ranking] == [
        ("140981", 1),
        ("140902", 2),
        ("140921", 2),
        ("140971", None),
    ]


def test_warming_keeps_the_default_dashboard_runs(world):
    from huican.monitoring.models import IndicatorSnapshot
    from huican.monitoring.selectors import warm_indicator_cache

    assert warm_indicator_cache(today=dt.date(2026, 3, 1)) == 5
    assert sorted(IndicatorSnapshot.objects.values_list("year", flat=True)) == [2021, 2022, 2023, 2024, 2025]
