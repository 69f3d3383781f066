"""Citizen sign-in and 我的 in a real browser, with the keyboard only: ID number + certificate number,
the code read from the console sender (the live server runs in this process), then 我的. axe-core
finds no WCAG 2.1 AA violation on any page (sign-in, its errors, the code, the lock, 我的, the
session page), and nothing scrolls sideways at 375 px or at 200% zoom."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from huican.benefits.models import Application, ApplicationEvent, Roll, RollLine
from huican.portal.sms import ConsoleSender
from tests.browser import helpers
from tests.browser.helpers import check
from tests.factories import id_number_of, make_person

pytestmark = pytest.mark.browser

PHONE = "13911112222"
tab_to = partial(helpers.tab_to, limit=60)


@pytest.fixture
def person(transactional_db: None) -> Any:
    ConsoleSender.outbox.clear()
    person = make_person(name="周小梅", phone=PHONE, region_code="140902001001", grade=1)
    month = timezone.localdate().replace(day=1)
    roll = Roll.objects.create(month=month, region_code="140902", approved_by_name="县残联")
    RollLine.objects.create(
        roll=roll,
        person=person,
        benefit="nursing_subsidy",
        county_code="140902",
        status="pay",
        amount=Decimal("110.00"),
        total=Decimal("110.00"),
        arrears=[],
        reasons=[],
    )
    application = Application.objects.create(
        person=person,
        benefit="living_subsidy",
        applied_on=timezone.localdate() - dt.timedelta(days=9),
        status=Application.Status.SUBMITTED,
        county_code="140902",
        township_code="140902001",
        step_started_on=timezone.localdate() - dt.timedelta(days=2),
    )
    ApplicationEvent.objects.create(application=application, action="create", to_status="submitted")
    return person


@pytest.mark.parametrize("width", [320, 375, 640], ids=["320px", "375px", "200%-zoom"])
def test_keyboard_only_sign_in_and_read_mine(
    person: Any, browser_page: Any, live_url: str, assert_accessible: Any, width: int
) -> None:
    page = browser_page
    # 200% zoom of a 1280 px window lays the page out in 640 CSS pixels
    page.set_viewport_size({"width": width, "height": 800})
    number = id_number_of(person)
    page.goto(live_url + reverse("portal:home"))
    check(page, assert_accessible)
    tab_to(page, "a#登录")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("登录")
    check(page, assert_accessible)

    tab_to(page, "button#获取验证码")  # nothing filled in: the errors are announced and linked
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("请填写身份证号")
    expect(page.get_by_label("身份证号")).to_have_attribute("aria-invalid", "true")
    check(page, assert_accessible)

    tab_to(page, "input#id_id_number")
    page.keyboard.type(number.lower())
    page.keyboard.press("Tab")
    page.keyboard.type(f"{number}{person.category}{person.grade}")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("填写验证码")
    expect(page.get_by_role("status")).to_contain_text("验证码已发送到您登记的手机")
    check(page, assert_accessible)

    message = ConsoleSender.last_to(PHONE)
    assert message is not None
    tab_to(page, "input#id_code")
    page.keyboard.type(message.code)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("我的")
    expect(page.get_by_role("region", name="我的补贴")).to_contain_text("110.00 元")
    expect(page.get_by_role("region", name="我的申请")).to_contain_text("正在办理")
    expect(page.get_by_role("region", name="消息：上次登录以来的变化")).to_contain_text("已受理")
    check(page, assert_accessible)

    tab_to(page, "button#继续使用（延长时间）")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("我的")
    tab_to(page, "button#退出登录")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("已退出")
    check(page, assert_accessible)


def test_wrong_codes_lead_to_a_plain_lock_page(
    person: Any, browser_page: Any, live_url: str, assert_accessible: Any
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    number = id_number_of(person)
    page.goto(live_url + reverse("portal:signin"))
    page.get_by_label("身份证号").fill(number)
    page.get_by_label("残疾人证号").fill(f"{number}{person.category}{person.grade}")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("h1")).to_have_text("填写验证码")
    message = ConsoleSender.last_to(PHONE)
    assert message is not None
    wrong = f"{(int(message.code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        page.get_by_label("短信验证码").fill(wrong)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("alert")).to_contain_text(f"还可以再试 {left} 次")
    check(page, assert_accessible)
    page.get_by_label("短信验证码").fill(wrong)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("暂时不能登录")
    expect(page.get_by_role("alert")).to_contain_text("以后再试")
    assert "12385" in page.content()
    check(page, assert_accessible)


def test_session_page_and_agent_sign_in_page_are_accessible(
    person: Any, browser_page: Any, live_url: str, assert_accessible: Any
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_url + reverse("portal:signin_agent"))
    expect(page.locator("h1")).to_have_text("代他人办理：登录")
    check(page, assert_accessible)
    number = id_number_of(person)
    page.goto(live_url + reverse("portal:signin"))
    page.get_by_label("身份证号").fill(number)
    page.get_by_label("残疾人证号").fill(f"{number}{person.category}{person.grade}")
    page.get_by_role("button", name="获取验证码").click()
    message = ConsoleSender.last_to(PHONE)
    assert message is not None
    page.get_by_label("短信验证码").fill(message.code)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("我的")
    page.goto(live_url + reverse("portal:extend"))
    expect(page.locator("h1")).to_have_text("继续使用")
    check(page, assert_accessible)


def test_staff_record_and_revoke_an_agent_from_the_person_page(
    transactional_db: None, browser_page: Any, live_url: str, login: Any, assert_accessible: Any
) -> None:
    from huican.portal.models import Authorisation
    from tests.factories import PASSWORD, World, make_id_number

    world = World()
    page = browser_page
    login(page, "t_township", PASSWORD)
    page.goto(live_url + reverse("registry:person", args=[world.alice.pk]))
    page.get_by_role("link", name="网上代办人（监护人、委托代理人）").click()
    expect(page.locator("h1")).to_have_text(f"代办人：{world.alice.name}")
    assert_accessible(page)
    page.get_by_role("button", name="登记").click()  # nothing filled in: refused, explained
    expect(page.locator(".field--error").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("代办人姓名").fill("李四华")
    page.get_by_label("代办人身份证号").fill(make_id_number("140902", dt.date(1975, 3, 3)))
    page.get_by_label("代办人手机号").fill("13698765432")
    page.get_by_label("监护人").check()
    page.get_by_label("有效期起").fill(timezone.localdate().isoformat())
    page.get_by_label("依据的材料").fill("监护关系证明已核验")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("cell", name="136****5432")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("撤销原因").fill("监护关系终止")
    page.get_by_role("button", name="撤销").click()
    expect(page.get_by_text("已撤销（")).to_be_visible()
    assert_accessible(page)
    assert Authorisation.objects.get().revoked_at is not None


def test_elder_mode_mine_at_320px_and_the_expired_code_page(
    person: Any, browser_page: Any, live_url: str, assert_accessible: Any
) -> None:
    from huican.portal.models import OneTimeCode

    page = browser_page
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_url + reverse("portal:signin"))
    page.get_by_role("button", name="长辈版（大字）").click()
    expect(page.locator("body")).to_have_class("portal elder")
    number = id_number_of(person)
    page.get_by_label("身份证号").fill(number)
    page.get_by_label("残疾人证号").fill(f"{number}{person.category}{person.grade}")
    page.get_by_role("button", name="获取验证码").click()
    message = ConsoleSender.last_to(PHONE)
    assert message is not None
    OneTimeCode.objects.update(attempts=5)  # spent: the page says to fetch a new one
    page.get_by_label("短信验证码").fill(message.code)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("请重新获取")
    check(page, assert_accessible)
    page.get_by_role("link", name="重新获取验证码").click()
    expect(page.locator("h1")).to_have_text("登录")
    page.get_by_label("身份证号").fill(number)
    page.get_by_label("残疾人证号").fill(f"{number}{person.category}{person.grade}")
    page.get_by_role("button", name="获取验证码").click()
    fresh = ConsoleSender.last_to(PHONE)
    assert fresh is not None and fresh is not message
    page.get_by_label("短信验证码").fill(fresh.code)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("我的")
    check(page, assert_accessible)
