"""Services in a real browser: 走访探视 on a phone (375 px wide), from the person page to the visit
form and back, and the draft that survives a network cut (kept in the browser, restored after a
reload, sent once the network is back); every other kind recorded at 375 px; a device fitting and a
renovation project through their stages. axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from huican.accounts.models import Role
from huican.care.models import ServiceRecord, Visit
from tests.browser.helpers import html
from tests.factories import PASSWORD, make_person, make_user

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def visit_world(transactional_db: None) -> dict[str, Any]:
    return {
        "user": make_user(Role.TOWNSHIP_STAFF, "140902001", username="v_township", first_name="王专干"),
        "person": make_person(region_code="140902001001", name="走访对象"),
    }


def fits_the_phone(page: Any) -> bool:
    """Nothing wider than the screen: no sideways scrolling at 375 px."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_record_a_visit_on_a_phone(
    visit_world: dict[str, Any], browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page, person = browser_page, visit_world["person"]
    page.set_viewport_size(PHONE)
    login(page, "v_township", PASSWORD)

    page.goto(f"{live_url}/persons/{person.pk}/")
    assert_accessible(page)
    page.locator("main").get_by_role("link", name="服务记录", exact=True).click()
    expect(page.locator("h1")).to_have_text("走访对象的服务记录")
    assert_accessible(page)

    page.get_by_role("link", name="登记走访探视").click()
    expect(page.locator("h1")).to_have_text("登记走访探视")
    assert fits_the_phone(page)
    submit = page.get_by_role("button", name="提交")
    assert submit.bounding_box()["height"] >= 44  # a large target
    assert page.get_by_label("走访人").input_value() == "王专干"
    assert_accessible(page)

    page.get_by_label("走访发现的情况").fill("独居，冬季取暖困难")
    page.get_by_label("需要跟进").check()
    submit.click()
    page.wait_for_url(re.compile(rf"/care/persons/{person.pk}/(#message)?$"))
    assert "已登记走访探视" in html(page)
    assert "独居，冬季取暖困难" in html(page)
    assert_accessible(page)

    visit = Visit.objects.select_related("record").get()
    assert (visit.found, visit.follow_up_needed, visit.visitor) == ("独居，冬季取暖困难", True, "王专干")
    assert page.evaluate("Object.keys(localStorage).length") == 0  # the draft is gone once sent


def test_the_visit_draft_survives_a_network_cut(
    visit_world: dict[str, Any], browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page, person = browser_page, visit_world["person"]
    page.set_viewport_size(PHONE)
    login(page, "v_township", PASSWORD)
    form_url = f"{live_url}/care/persons/{person.pk}/new/visit/"
    page.goto(form_url)
    assert_accessible(page)

    page.get_by_label("走访发现的情况").fill("轮椅损坏，需要更换")
    page.get_by_label("需要跟进").check()

    page.context.set_offline(True)
    page.get_by_role("button", name="提交").click()
    status = page.locator("#draft-status")
    status.filter(has_text="网络连接中断").wait_for()
    assert ServiceRecord.objects.count() == 0
    assert_accessible(page)

    page.context.set_offline(False)
    page.reload()
    assert page.get_by_label("走访发现的情况").input_value() == "轮椅损坏，需要更换"
    assert page.get_by_label("需要跟进").is_checked()
    assert "已恢复" in status.inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(rf"/care/persons/{person.pk}/(#message)?$"))
    assert "已登记走访探视" in html(page)
    visit = Visit.objects.get()
    assert (visit.found, visit.follow_up_needed) == ("轮椅损坏，需要更换", True)
    assert ServiceRecord.objects.count() == 1

    page.goto(form_url)  # nothing left to restore
    assert page.get_by_label("走访发现的情况").input_value() == ""
    assert_accessible(page)


def test_county_staff_record_services_and_a_renovation(
    visit_world: dict[str, Any], browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page, person = browser_page, visit_world["person"]
    make_user(Role.COUNTY_STAFF, "140902", username="v_county")
    login(page, "v_county", PASSWORD)
    page.goto(f"{live_url}/care/persons/{person.pk}/")
    assert_accessible(page)

    page.get_by_role("link", name="登记辅具适配").click()
    page.get_by_role("button", name="保存").click()  # nothing filled in: the problems are named
    assert page.locator(".errorlist").count() >= 1
    assert_accessible(page)
    page.get_by_label("辅具名称").fill("轮椅")
    page.get_by_role("button", name="保存").click()
    assert "已登记辅具适配" in html(page)
    page.get_by_role("link", name=re.compile(r"^\d{4}-\d{2}-\d{2}$")).first.click()
    expect(page.locator("h1")).to_have_text("辅具适配：走访对象")
    assert_accessible(page)
    page.get_by_role("button", name="保存适配").click()
    assert "已保存" in html(page) and "适配" in page.locator(".facts").inner_text()

    page.goto(f"{live_url}/care/persons/{person.pk}/new/renovation/")
    assert_accessible(page)
    page.get_by_role("button", name="保存").click()
    assert page.locator("h1").inner_text().startswith("无障碍改造项目")
    assert_accessible(page)
    page.get_by_role("button", name="保存入户评估").click()
    assert "入户评估" in page.locator(".stage--done").last.inner_text()

    page.goto(f"{live_url}/care/")
    assert "辅具适配" in html(page) and "无障碍改造" in html(page)
    assert_accessible(page)


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("康复服务", {}),
        ("辅具适配", {"辅具名称": "助听器"}),
        ("托养服务", {"托养机构": "忻府区托养中心"}),
        ("法律援助", {}),
        ("职业技能培训", {}),
        ("无障碍改造", {}),
    ],
)
def test_each_service_kind_on_a_phone(
    visit_world: dict[str, Any],
    browser_page: Any,
    live_url: str,
    login: Login,
    assert_accessible: Check,
    kind: str,
    extra: dict[str, str],
) -> None:
    """Every kind is recorded end to end at 375 px: the person's services page, the kind's form, the
    saved record — no sideways scrolling, no accessibility violation."""
    page, person = browser_page, visit_world["person"]
    page.set_viewport_size(PHONE)
    login(page, "v_township", PASSWORD)
    page.goto(f"{live_url}/care/persons/{person.pk}/")
    assert fits_the_phone(page)
    page.get_by_role("link", name=f"登记{kind}").click()
    page.wait_for_load_state("load")
    assert fits_the_phone(page)
    assert_accessible(page)
    organisation = page.get_by_label("服务机构", exact=True)
    if organisation.count():
        organisation.fill("忻府区残疾人康复中心")
    for label, value in extra.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("load")
    assert fits_the_phone(page)
    assert_accessible(page)
    assert ServiceRecord.objects.filter(person=person, kind=kind).count() == 1, html(page)
