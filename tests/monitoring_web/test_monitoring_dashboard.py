"""The dashboard's overview per role: scope, figures, tiles in the plan's order, sparklines with text
alternatives, year selection. The indicator pages and the county comparison have their own tests
(test_monitoring_indicator_page.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from huican.monitoring.models import IndicatorSnapshot
from huican.monitoring.plan import load_plan
from tests.factories import make_list_record


def tiles(html: str) -> list[str]:
    return re.findall(r'<li class="tile[^"]*" id="tile-([a-z_]+)"', html)


def indicator_url(region: str, code: str) -> str:
    return reverse("monitoring:indicator", args=[region, code])


@pytest.mark.parametrize("role", ["city", "evaluator"])
def test_city_wide_roles_see_the_city_and_every_county(as_user, role):
    response = as_user(role).get(reverse("monitoring:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "忻州市 2025 年规划指标监测" in html
    assert len(tiles(html)) == 11
    for name in ("忻府区", "原平市", "五台山风景名胜区"):
        assert name in html
    assert response.context["summary"].region == "140900"
    assert response.context["summary"].show_ranking


def test_county_staff_see_their_county_only(as_user):
    client = as_user("county")

    response = client.get(reverse("monitoring:index"))
    assert response.status_code == 200
    assert response.context["summary"].region == "140902"
    assert not response.context["summary"].show_ranking
    assert client.get(reverse("monitoring:dashboard", args=["140981"])).status_code == 404
    assert client.get(reverse("monitoring:dashboard", args=["140900"])).status_code == 404


def test_township_staff_see_their_township(as_user):
    response = as_user("township").get(reverse("monitoring:index"))

    summary = response.context["summary"]
    assert summary.region == "140902001"
    medical = next(item for item in summary.items if item.code == "medical_enrolment")
    assert (medical.row["numerator"], medical.row["denominator"]) == (1, 2)  # alice yes, bob no


@pytest.mark.parametrize("role", ["department", "system", "security", "audit"])
def test_roles_without_aggregates_are_refused(as_user, role):
    assert as_user(role).get(reverse("monitoring:index")).status_code == 403


def test_anonymous_is_sent_to_login(world):
    response = Client().get(reverse("monitoring:index"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_figures_are_the_indicator_rows(as_user):
    response = as_user("city").get(reverse("monitoring:dashboard", args=["140902"]))

    items = {item.code: item for item in response.context["summary"].items}
    assert (items["medical_enrolment"].row["numerator"], items["medical_enrolment"].row["denominator"]) == (
        2,
        3,
    )
    assert items["medical_enrolment"].row["value"] == 66.67
    assert items["medical_enrolment"].own_rank.rank == 2  # 原平市 100 % ranks first


def test_tiles_follow_the_plan_and_binding_misses_stand_out_in_words(as_user):
    response = as_user("city").get(reverse("monitoring:index"))
    html = response.content.decode()

    order = tiles(html)
    plan = load_plan()
    assert order == [indicator.code for indicator in plan.indicators]
    assert [plan.indicator(code).number for code in order] == list(range(1, 12))
    # binding and below target: 低保 1/2, living subsidy 0/1 (alice in 低保, not paid), renovations 0 < 1502
    flagged = re.findall(r'<li class="tile tile--alert" id="tile-([a-z_]+)"', html)
    assert flagged == ["dibao_coverage", "living_subsidy_coverage", "home_renovations"]
    assert html.count("⚠ 约束性指标未达标") == 3
    # The summary (which the reports print) still lists binding misses first.
    assert [item.code for item in response.context["summary"].items][:3] == [
        "dibao_coverage",
        "living_subsidy_coverage",
        "home_renovations",
    ]


def test_each_tile_prints_value_target_and_status_and_links_to_its_page(as_user):
    html = as_user("city").get(reverse("monitoring:index")).content.decode()

    tile = html[html.index('id="tile-medical_enrolment"') :]
    tile = tile[: tile.index("</li>")]
    assert indicator_url("140900", "medical_enrolment") + "?year=2025" in tile
    assert "75%" in tile  # alice, carol, dave of 4
    assert "目标 &gt;95%" in tile
    assert "✗ 未达标" in tile
    training = html[html.index('id="tile-training_persons"') :]
    assert "0 人" in training[: training.index("</li>")]  # counted units print as integers


def test_sparklines_are_inline_svg_with_the_yearly_values_and_no_style_attributes(as_user):
    html = as_user("city").get(reverse("monitoring:index")).content.decode()

    assert html.count('<svg class="sparkline"') == 11
    assert (
        'role="img" aria-label="残疾人城乡居民基本医疗保险参保率逐年数值：2021 年 无数据，2022 年 无数据，'
        '2023 年 无数据，2024 年 无数据，2025 年 75%"'
    ) in html
    assert "style=" not in html
    assert "<script" not in html
    assert "/static/css/monitoring.css" in html
    # the long charts are on the indicator pages, not on the overview
    assert '<svg class="chart' not in html


def test_charts_of_an_indicator_page_have_text_alternatives_and_data_tables(as_user):
    html = as_user("city").get(indicator_url("140900", "dibao_coverage")).content.decode()

    assert html.count('<svg class="chart chart--trend"') == 1
    assert html.count('<svg class="chart chart--ranking"') == 1
    assert html.count("<figcaption>") == 2
    assert 'role="img" aria-labelledby="trend-dibao_coverage-title"' in html
    assert '<title id="trend-dibao_coverage-title">' in html
    assert html.count("<details>") == 2 and "趋势数据表" in html and "排名数据表" in html
    assert "style=" not in html
    assert "<script" not in html
    # the missed bar is hatched and labelled, not only coloured
    assert 'fill="url(#rank-dibao_coverage-hatch)"' in html
    assert "未达标</text>" in html


def test_evaluator_sees_no_person_links(as_user):
    evaluator = as_user("evaluator")
    assert "/persons/" not in evaluator.get(reverse("monitoring:index")).content.decode()
    page = evaluator.get(indicator_url("140900", "medical_enrolment")).content.decode()
    assert "/persons/" not in page
    assert "只能查看汇总数字" in page

    staff = as_user("city").get(indicator_url("140900", "medical_enrolment")).content.decode()
    assert "/monitoring/140900/persons/medical_enrolment/numerator/?year=2025" in staff
    assert "/monitoring/140900/persons/medical_enrolment/denominator/?year=2025" in staff


def test_year_selection_and_as_of_date(as_user, world):
    client = as_user("city")

    past = client.get(reverse("monitoring:index"), {"year": "2022"})
    assert past.status_code == 200
    assert past.context["summary"].on.isoformat() == "2022-12-31"
    assert [p.year for p in past.context["summary"].items[0].trend] == [2021, 2022]
    assert past.context["summary"].projects  # before the plan's last year: a projection
    page = client.get(indicator_url("140900", "medical_enrolment"), {"year": "2022"})
    assert page.context["summary"].on.isoformat() == "2022-12-31"
    assert "2025 年预测" in page.content.decode()
    assert "线性外推" in page.content.decode()

    current = past.context["current_year"]
    as_of = f"{current}-01-02"
    now = client.get(reverse("monitoring:index"), {"year": str(current), "as_of": as_of})
    assert now.status_code == 200
    assert now.context["summary"].on.isoformat() == as_of

    bad = client.get(reverse("monitoring:index"), {"year": str(current), "as_of": "1999-01-01"})
    assert bad.status_code == 400
    assert "截至日期应在本年" in bad.content.decode()
    assert client.get(reverse("monitoring:index"), {"year": "1990"}).status_code == 400


def test_rows_are_kept_per_data_version_and_recomputed_when_data_change(as_user, world):
    client = as_user("city")
    client.get(reverse("monitoring:index"))
    kept = IndicatorSnapshot.objects.count()
    assert kept == 5  # 2021–2025, one full run each

    client.get(reverse("monitoring:dashboard", args=["140981"]))
    assert IndicatorSnapshot.objects.count() == kept  # the county rows come from the same runs

    make_list_record("medical", world.bob, year=2025)  # new data: a new version
    response = client.get(reverse("monitoring:index"))
    medical = next(item for item in response.context["summary"].items if item.code == "medical_enrolment")
    assert medical.row["numerator"] == 4
    assert IndicatorSnapshot.objects.count() == kept  # the old version was dropped
