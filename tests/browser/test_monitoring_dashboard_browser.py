"""The one-screen overview in a real browser at 1366×768: it fits (at most 1.5 screen heights), axe
finds no WCAG 2.1 AA violation on it or on an indicator page, the tile map prints every county's
value, the county table sorts from the keyboard, and at 375 px nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, World, make_list_record, make_standard, make_survey

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]
SCREEN = {"width": 1366, "height": 768}
# The elements that reach past the right edge of the window (named in a failure message).
WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 10).map(el => `${el.tagName}.${el.className}`)"""
SHOTS = os.environ.get("HUICAN_SCREENSHOTS", "")  # a directory: save screenshots there (for a look)


@pytest.fixture
def world(transactional_db: None) -> World:
    world = World()
    make_standard()
    for person in (world.alice, world.carol, world.dave):
        make_list_record("medical", person, year=2025, category="城乡居民")
    make_list_record("medical", world.alice, year=2024)
    make_list_record("dibao", world.alice, start=dt.date(2024, 1, 1))
    make_survey(world.bob, year=2025, income="3000")
    return world


def shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def page_height(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def test_the_overview_fits_one_screen_and_is_accessible(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    page.set_viewport_size(SCREEN)
    login(page, "t_city", PASSWORD)
    page.goto(live_url + "/monitoring/?year=2025")
    expect(page.locator("h1")).to_have_text("忻州市 2025 年规划指标监测")
    shot(page, "overview-1366")

    assert page_height(page) <= 1.5 * SCREEN["height"]
    tiles = page.locator("ol.tiles > li")
    expect(tiles).to_have_count(11)
    assert [t.split()[0] for t in page.locator(".tile__number").all_inner_texts()] == [
        str(n) for n in range(1, 12)
    ]
    # A binding indicator below its target says so in words, not by colour alone.
    expect(page.locator("#tile-dibao_coverage")).to_contain_text("约束性指标未达标")
    expect(page.locator("#tile-medical_enrolment .tile__value")).to_have_text("数值：75%")
    # 2024: only alice is on the list (1 of 4); 2025: 3 of 4; no list before 2024 (数据缺失).
    expect(page.locator("#tile-medical_enrolment svg.sparkline")).to_have_attribute(
        "aria-label",
        "残疾人城乡居民基本医疗保险参保率逐年数值：2021 年 无数据，2022 年 无数据，2023 年 无数据，2024 年 25%，2025 年 75%",
    )
    assert_accessible(page)


def test_the_tile_map_and_the_county_table(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    page.set_viewport_size(SCREEN)
    login(page, "t_city", PASSWORD)
    page.goto(live_url + "/monitoring/?year=2025")

    page.get_by_label("比较指标").select_option("medical_enrolment")
    page.get_by_role("button", name="比较").click()
    expect(page.locator("#county-caption")).to_contain_text("残疾人城乡居民基本医疗保险参保率")
    cells = page.locator(".tile-map > li")
    expect(cells).to_have_count(15)
    # Every square prints its value and its met mark; the geography: 偏关 top-left, 五台 bottom-right.
    xinfu = page.locator(".tile-map a", has_text="忻府")
    expect(xinfu).to_contain_text("66.67%")
    expect(page.locator(".tile-map a", has_text="原平")).to_contain_text("100%")
    pianguan = page.locator(".tile-map a", has_text="偏关").bounding_box()
    wutai = page.locator(".tile-map a").filter(has_text="五台").last.bounding_box()
    assert pianguan["x"] < wutai["x"] and pianguan["y"] < wutai["y"]
    expect(page.locator(".tm-legend li")).not_to_have_count(0)
    shot(page, "comparison-medical")
    assert_accessible(page)

    # Sort the table from the keyboard: Tab to the 县（市、区） header link and press Enter.
    names = page.locator(".county-table tbody th")
    expect(names.first).to_have_text("原平市")  # by value, highest first (the default)
    header = page.locator(".county-table thead a", has_text="县（市、区）")
    page.locator("#id_indicator").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if header.evaluate("link => link === document.activeElement"):
            break
    assert header.evaluate("link => link === document.activeElement")
    page.keyboard.press("Enter")
    expect(page.locator(".county-table th[aria-sort='ascending']")).to_contain_text("县（市、区）")
    expect(names.first).to_have_text("忻府区")  # the official code order: 140902 first
    expect(names.last).to_have_text("五台山风景名胜区")
    assert page_height(page) <= 1.5 * SCREEN["height"]
    assert_accessible(page)


def test_an_indicator_page_is_accessible(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    page.set_viewport_size(SCREEN)
    login(page, "t_city", PASSWORD)
    page.goto(live_url + "/monitoring/?year=2025")
    page.locator("#tile-medical_enrolment h3 a").click()
    expect(page.locator("h1")).to_have_text("7. 残疾人城乡居民基本医疗保险参保率")
    assert page.locator("svg.chart").count() == 2  # the trend and the ranking
    shot(page, "indicator-medical")
    assert_accessible(page)
    page.locator("details summary").first.click()  # the trend's data table
    expect(page.locator("details table").first).to_be_visible()
    assert_accessible(page)


def test_at_375_px_nothing_scrolls_sideways(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, "t_city", PASSWORD)
    for path in ("/monitoring/?year=2025", "/monitoring/140900/indicators/medical_enrolment/?year=2025"):
        page.goto(live_url + path)
        shot(page, "narrow-" + path.split("/")[-2])
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(WIDEST)
        assert width <= 375, f"{path} is {width} px wide: {wide}"
        assert_accessible(page)


def test_county_staff_see_their_county_alone_on_the_map(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    page.set_viewport_size(SCREEN)
    login(page, "t_county", PASSWORD)
    page.goto(live_url + "/monitoring/?year=2025")
    expect(page.locator("h1")).to_have_text("忻府区 2025 年规划指标监测")
    expect(page.locator("#tile-medical_enrolment")).to_contain_text("县级第 2 名")
    # The map places their county among the others but shows no other county's figure or link.
    page.get_by_label("比较指标").select_option("medical_enrolment")
    page.get_by_role("button", name="比较").click()
    own = page.locator(".tile-map a")
    expect(own).to_have_count(1)
    expect(own).to_contain_text("66.67%")
    expect(page.locator(".tile-map li")).to_have_count(15)
    assert page.locator(".county-table").count() == 0
    shot(page, "county-overview")
    assert page_height(page) <= 1.5 * SCREEN["height"]
    assert_accessible(page)
