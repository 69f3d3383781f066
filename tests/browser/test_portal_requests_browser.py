"""Requests (12385) in a real browser: a signed-in citizen sends a complaint with the keyboard only
(errors announced first) at 375 px; a township officer accepts and answers it on the staff pages;
the citizen reads the answer in 我的 and rates it. The anonymous form at 320 px and in 长辈版. axe-core
finds no WCAG 2.1 AA violation on any page visited, and nothing scrolls sideways on the portal."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from huican.accounts.models import Role
from huican.portal.models import CitizenRequest
from huican.portal.sms import ConsoleSender
from tests.browser.helpers import check, citizen_sign_in, focused, tab_to
from tests.factories import PASSWORD, id_number_of, make_person, make_user

pytestmark = pytest.mark.browser

PHONE = "13911113333"


@pytest.fixture
def person(transactional_db: None) -> Any:
    ConsoleSender.outbox.clear()
    return make_person(name="孙小芳", phone=PHONE, region_code="140902001001", grade=2)


def test_citizen_complains_by_keyboard_staff_answer_and_the_citizen_rates(
    person: Any, browser_page: Any, live_url: str, login: Any, assert_accessible: Any
) -> None:
    officer = make_user(Role.TOWNSHIP_STAFF, "140902001", username="b_town")
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    citizen_sign_in(page, live_url, person, PHONE)
    page.goto(live_url + reverse("portal:home"))
    tab_to(page, "a#咨询投诉")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("咨询、求助、投诉、建议")
    check(page, assert_accessible)

    tab_to(page, "button#提交")  # nothing chosen: the problems are announced and linked
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("请选择是咨询、求助、投诉还是建议")
    expect(page.get_by_label("请写一下是什么事")).to_have_attribute("aria-invalid", "true")
    check(page, assert_accessible)

    tab_to(page, "input#id_kind_0")
    page.keyboard.press("ArrowDown")  # 求助
    page.keyboard.press("ArrowDown")  # 投诉
    expect(page.get_by_label("投诉")).to_be_checked()
    page.keyboard.press("Tab")
    assert focused(page) == "select#id_category"
    page.keyboard.press("ArrowDown")  # 补贴
    expect(page.get_by_label("是哪方面的事？")).to_have_value("subsidy")
    page.keyboard.press("Tab")
    page.keyboard.type("护理补贴三个月没有发了，请帮忙查一下。")
    page.keyboard.press("Tab")
    assert focused(page) == "input#id_contact_preference_0"  # 打电话, chosen already
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("发短信")).to_be_checked()
    tab_to(page, "button#提交")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("已提交")
    request = CitizenRequest.objects.get()
    expect(page.get_by_role("status")).to_contain_text(request.number)
    assert (
        request.kind == "complaint" and request.category == "subsidy" and request.contact_preference == "sms"
    )
    assert request.region_id == "140902001"
    check(page, assert_accessible)
    tab_to(page, "a#到“我的诉求”查看办理情况")
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="我的诉求")).to_contain_text("待受理")
    check(page, assert_accessible)
    page.get_by_role("button", name="退出登录").first.click()

    # the township officer accepts and answers it
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, officer.username, PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="群众诉求").click()
    expect(page.locator("h1")).to_contain_text("群众诉求")
    assert_accessible(page)
    page.get_by_role("link", name=request.number).click()
    expect(page.locator("h1")).to_have_text(f"诉求 {request.number}")
    assert_accessible(page)
    page.get_by_role("button", name="受理").click()
    expect(page.locator(".message--success")).to_contain_text("已受理")
    page.get_by_role("button", name="提交答复").click()  # empty: refused on its field
    expect(page.locator(".field--error")).to_contain_text("答复内容")
    assert_accessible(page)
    page.get_by_label("答复内容").fill("经核实，您的护理补贴已补发到账，请查收。")
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator(".message--success")).to_contain_text("已答复")
    assert_accessible(page)
    page.goto(live_url + reverse("portal:staff_request_stats"))
    expect(page.get_by_role("table", name="按类别")).to_contain_text("补贴")
    expect(page.locator("dl.facts")).to_contain_text("100.0%")
    assert_accessible(page)
    page.goto(live_url + reverse("portal:staff_request_call"))
    page.get_by_label("来电人（可不填）").fill(id_number_of(person))
    page.get_by_role("button", name="查找来电人").click()
    expect(page.get_by_role("status")).to_contain_text("找到来电人：孙小芳")
    assert_accessible(page)
    page.locator("header").get_by_role("button", name="退出登录").click()

    # the citizen reads the answer and rates it
    page.set_viewport_size({"width": 375, "height": 800})
    citizen_sign_in(page, live_url, person, PHONE)
    mine = page.get_by_role("region", name="我的诉求")
    expect(mine).to_contain_text("经核实，您的护理补贴已补发到账，请查收。")
    expect(mine).to_contain_text("已答复")
    check(page, assert_accessible)
    mine.get_by_role("link", name=f"查看和评价（编号 {request.number}）").click()
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("status")).to_have_text("谢谢您的评价。")
    check(page, assert_accessible)
    request.refresh_from_db()
    assert request.satisfaction == "satisfied"


def test_anonymous_enquiry_at_320px_and_in_elder_mode(
    transactional_db: None, browser_page: Any, live_url: str, assert_accessible: Any
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_url + reverse("portal:request_new"))
    expect(page.locator("h1")).to_have_text("咨询、求助、投诉、建议")
    check(page, assert_accessible)
    page.get_by_role("button", name="长辈版（大字）").click()
    expect(page.get_by_role("button", name="长辈版（大字）")).to_have_attribute("aria-pressed", "true")
    check(page, assert_accessible)
    page.get_by_label("咨询").check()
    page.get_by_label("是哪方面的事？").select_option("device")
    page.get_by_label("请写一下是什么事").fill("轮椅坏了到哪里修？")
    page.get_by_role("button", name="提交").click()  # no county, no phone
    expect(page.get_by_role("alert")).to_contain_text("请选择是哪个县（市、区）的事")
    expect(page.get_by_role("alert")).to_contain_text("请填写 11 位手机号")
    check(page, assert_accessible)
    page.get_by_label("是哪个县（市、区）的事？").select_option("140902")
    page.get_by_label("手机号").fill("13800001111")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("h1")).to_have_text("已提交")
    check(page, assert_accessible)
    request = CitizenRequest.objects.get()
    assert request.person is None and request.region_id == "140902"
    assert "13800001111" not in page.content()
