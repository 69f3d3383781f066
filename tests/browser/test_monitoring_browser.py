"""The monitoring dashboard in a real browser: city staff and an evaluator open it, change the year,
open a county and an indicator's page, follow a figure to its person list, open the task progress page; axe-core finds no WCAG 2.1 AA
violation on any of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, World, make_list_record, make_standard, make_survey

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def world(transactional_db: None) -> World:
    world = World()
    make_standard()
    for person in (world.alice, world.carol, world.dave):
        make_list_record("medical", person, year=2025, category="城乡居民")
    make_list_record("medical", world.alice, year=2023)  # the 2023 list was sent too (else 数据缺失)
    make_list_record("dibao", world.alice, start=dt.date(2024, 1, 1))
    make_survey(world.bob, year=2025, income="3000")
    return world


def test_city_staff_use_the_dashboard(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "t_city", PASSWORD)
    page.get_by_role("link", name="监测", exact=True).click()
    expect(page.locator("h1")).to_have_text("忻州市 2025 年规划指标监测")
    assert page.locator("svg.sparkline").count() == 11  # the overview: one tile per indicator
    assert_accessible(page)

    page.get_by_label("年度").select_option("2023")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("h1")).to_have_text("忻州市 2023 年规划指标监测")
    assert_accessible(page)

    page.locator(".region-nav").get_by_role("link", name="忻府区", exact=True).click()
    expect(page.locator("h1")).to_have_text("忻府区 2023 年规划指标监测")
    page.locator("#tile-medical_enrolment h3 a").click()  # the indicator's own page
    expect(page.locator("h1")).to_have_text("7. 残疾人城乡居民基本医疗保险参保率")
    assert page.locator("svg.chart").count() == 2  # its trend and the county ranking
    page.locator("details summary").first.click()  # a chart's data table
    assert_accessible(page)
    page.locator(".facts dd a").first.click()  # the numerator's persons
    expect(page.locator("h1")).to_contain_text("分子人员名单")
    assert_accessible(page)

    page.goto(live_url + "/monitoring/tasks/")
    assert "任务进展" in page.locator("h1").inner_text()
    assert_accessible(page)
    page.goto(live_url + "/monitoring/gdp/")
    assert_accessible(page)
    page.goto(live_url + "/monitoring/report/")
    assert_accessible(page)


def test_evaluator_sees_figures_without_person_links(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "t_eval", PASSWORD)
    page.goto(live_url + "/monitoring/")
    assert page.locator("a[href*='/persons/']").count() == 0
    assert_accessible(page)
    page.goto(live_url + "/monitoring/140900/indicators/medical_enrolment/")
    assert page.locator("a[href*='/persons/']").count() == 0
    expect(page.locator("main")).to_contain_text("只能查看汇总数字")
    assert_accessible(page)
