"""政策计算器 in a real browser: filled in and read with the keyboard only; axe-core finds no WCAG 2.1
AA violation on the form, the error page and the result (also in 长辈版 and high contrast); no
sideways scrolling at 375 px, 320 px and 200% zoom; 长辈版 switched on and off and remembered."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import helpers
from tests.browser.helpers import no_sideways_scroll
from tests.factories import make_standard

pytestmark = pytest.mark.browser

Check = Callable[[Any], None]
# Elements named by id, value or text: "button#1" is 修改我的回答 (its value is 1).
focused = partial(helpers.focused, by=helpers.BY_ID_VALUE_OR_TEXT)
tab_to = partial(helpers.tab_to, by=helpers.BY_ID_VALUE_OR_TEXT)


@pytest.fixture
def standards(transactional_db: None) -> None:
    make_standard("140902", dt.date(2022, 1, 1), living_subsidy="88.00", nursing_grade1="110.00")


def fill_by_keyboard(page: Any) -> None:
    """Answer the questions with the keyboard only: 忻府区, 农村, 40, valid certificate, 肢体 grade 1,
    低保, needs care, needs renovation."""
    tab_to(page, "select#id_county")
    page.keyboard.press("ArrowDown")  # the first county, 忻府区
    tab_to(page, "input#id_urban_rural_0")
    page.keyboard.press("ArrowRight")  # 农村 (arrow keys move and select within a radio group)
    tab_to(page, "input#id_age")
    page.keyboard.type("40")
    tab_to(page, "input#id_certificate_0")
    page.keyboard.press("Space")  # 有，还在有效期内
    tab_to(page, "select#id_category")
    for _ in range(4):
        page.keyboard.press("ArrowDown")  # 不清楚 → 视力 → 听力 → 言语 → 肢体
    tab_to(page, "input#id_grade_0")
    page.keyboard.press("Space")  # 一级
    tab_to(page, "input#id_hardship_0")
    page.keyboard.press("Space")  # 享受低保
    tab_to(page, "input#id_long_term_care_0")
    page.keyboard.press("Space")  # 需要
    tab_to(page, "input#id_renovation_0")
    page.keyboard.press("Space")  # 需要
    tab_to(page, "button#看结果")
    page.keyboard.press("Enter")


def test_keyboard_only_fill_in_and_read_the_result(
    standards: None, browser_page: Any, live_url: str, assert_accessible: Check
) -> None:
    page = browser_page
    page.goto(live_url + reverse("portal:home"))
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert focused(page) == "a#跳到主要内容"
    tab_to(page, "a#政策计算器")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("政策计算器：看看能享受哪些补贴")
    assert_accessible(page)
    assert page.evaluate("() => document.scripts.length") == 0

    fill_by_keyboard(page)
    expect(page.locator("h1")).to_have_text("政策计算器：查询结果")
    easy = page.get_by_role("region", name="简单说")
    expect(easy).to_contain_text("您可能可以申请 6 项补贴")
    nursing = page.get_by_role("article", name="重度残疾人护理补贴")
    expect(nursing).to_contain_text("每月 110.00 元")
    expect(nursing).to_contain_text("您是一级肢体残疾")
    expect(page.get_by_role("article", name="困难残疾人生活补贴")).to_contain_text("每月 88.00 元")
    assert "self-check" in page.url and "?" not in page.url  # the answers never go into the address
    assert_accessible(page)

    tab_to(page, "button#elder")  # 长辈版 on the result page: the result stays
    page.keyboard.press("Enter")
    expect(page.locator("body")).to_have_class("portal elder")
    expect(page.locator("h1")).to_have_text("政策计算器：查询结果")
    expect(page.get_by_role("article", name="重度残疾人护理补贴")).to_contain_text("每月 110.00 元")
    no_sideways_scroll(page)
    assert_accessible(page)

    tab_to(page, "button#1")  # 修改我的回答 (its value is 1)
    page.keyboard.press("Enter")
    expect(page.locator("#id_age")).to_have_value("40")
    expect(page.locator("#id_grade_0")).to_be_checked()
    assert_accessible(page)


def test_wrong_answers_are_announced_and_linked(
    browser_page: Any, live_url: str, assert_accessible: Check
) -> None:
    page = browser_page
    page.goto(live_url + reverse("portal:selfcheck"))
    tab_to(page, "input#id_age")
    page.keyboard.type("两百")
    tab_to(page, "button#看结果")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("请选择户口所在的县（市、区）")
    expect(alert).to_contain_text("请填写年龄")
    expect(page.locator("#id_age")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_age")).to_have_accessible_description(re.compile(r"填数字.*错误：\s*请填写年龄"))
    assert_accessible(page)
    tab_to(page, "a#请填写年龄，用数字，0 到 120 之间，例如 45")
    page.keyboard.press("Enter")
    assert page.url.endswith("#id_age")
    no_sideways_scroll(page)


@pytest.mark.parametrize(("width", "label"), [(375, "phone"), (320, "400% zoom"), (640, "200% zoom")])
def test_no_sideways_scrolling_on_narrow_screens_and_zoom(
    standards: None, browser_page: Any, live_url: str, assert_accessible: Check, width: int, label: str
) -> None:
    page = browser_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_url + reverse("portal:home"))
    no_sideways_scroll(page)
    page.goto(live_url + reverse("portal:selfcheck"))
    no_sideways_scroll(page)
    page.get_by_role("button", name="看结果").click()
    expect(page.get_by_role("alert")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_label("户口在哪个县（市、区）？").select_option(label="忻府区")
    page.get_by_role("group", name="户口是城镇还是农村？").get_by_label("城镇").check()
    page.get_by_label("今年多大（周岁）？").fill("5")
    page.get_by_role("group", name="有没有残疾人证？").get_by_label("有，还在有效期内").check()
    page.get_by_role("group", name="残疾等级").get_by_label("二级").check()
    page.get_by_role("group", name="家里享受低保、特困供养，还是低保边缘家庭？").get_by_label(
        "不清楚"
    ).check()
    page.get_by_role("group", name="是否需要长期有人照护？").get_by_label("不清楚").check()
    page.get_by_role("group", name="家里是否需要无障碍改造？").get_by_label("不需要").check()
    page.get_by_role("button", name="看结果").click()
    expect(page.locator("h1")).to_have_text("政策计算器：查询结果")
    expect(page.get_by_role("article", name="残疾儿童康复救助")).to_contain_text("可能可以申请")
    no_sideways_scroll(page)
    assert_accessible(page)


def test_elder_mode_and_high_contrast_are_switched_and_remembered(
    standards: None, browser_page: Any, live_url: str, assert_accessible: Check
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_url + reverse("portal:selfcheck"))
    normal_size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    tab_to(page, "button#elder")
    page.keyboard.press("Enter")
    expect(page.locator("body")).to_have_class("portal elder")
    expect(page.get_by_role("button", name="长辈版（大字）")).to_have_attribute("aria-pressed", "true")
    elder_size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert elder_size >= normal_size * 1.2
    no_sideways_scroll(page)
    assert_accessible(page)

    page.get_by_role("link", name="首页").click()  # another page: still 长辈版
    expect(page.locator("body")).to_have_class("portal elder")
    no_sideways_scroll(page)
    tab_to(page, "button#contrast")
    page.keyboard.press("Enter")
    expect(page.locator("body")).to_have_class("portal elder contrast")
    assert_accessible(page)
    page.get_by_role("link", name="政策计算器").first.click()
    page.get_by_role("button", name="看结果").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("body")).to_have_class("portal elder contrast")
    no_sideways_scroll(page)
    assert_accessible(page)

    page.get_by_role("button", name="长辈版（大字）").click()
    expect(page.locator("body")).to_have_class("portal contrast")
    page.goto(live_url + reverse("portal:home"))  # switched off is remembered too
    expect(page.locator("body")).to_have_class("portal contrast")
    expect(page.get_by_role("button", name="长辈版（大字）")).to_have_attribute("aria-pressed", "false")
