"""The county targets page in a real browser: city staff enter a target (a refused value first, its
message on the field), modify and delete it; county staff read their county's targets; axe-core finds
no WCAG 2.1 AA violation on any state of the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from huican.monitoring.models import UnitTarget
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def world(transactional_db: None) -> World:
    return World()


def test_city_staff_enter_modify_and_delete_a_county_target(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "t_city", PASSWORD)
    page.goto(live_url + "/monitoring/")
    page.locator(".subnav").get_by_role("link", name="县级目标").click()
    expect(page.locator("h1")).to_have_text("县级目标")
    assert_accessible(page)

    page.locator("#id_indicator").select_option("medical_enrolment")
    page.locator("#id_region").select_option("140902")
    page.locator("#id_target").fill("120")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#id_target_error")).to_contain_text("百分比目标不能超过 100")
    expect(page.locator("#id_target")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.locator("#id_target").fill("96")
    page.locator("#id_source").fill("忻府政发〔2022〕12号")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#message")).to_contain_text("已保存忻府区")
    expect(page.locator("#entries-caption + thead + tbody")).to_contain_text(">96%")
    assert_accessible(page)

    page.get_by_role("link", name="修改").filter(has_text="忻府区 残疾人城乡居民基本医疗保险参保率").click()
    expect(page.locator("#id_target")).to_have_value("96")
    page.locator("#id_target").fill("97")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#entries-caption + thead + tbody")).to_contain_text(">97%")
    assert UnitTarget.objects.get().target == 97

    page.get_by_role("button", name="删除").filter(has_text="忻府区 残疾人城乡居民基本医疗保险参保率").click()
    expect(page.locator("#message")).to_contain_text("已删除")
    expect(page.locator("main")).to_contain_text("还没有录入任何县级目标")
    assert not UnitTarget.objects.exists()
    assert_accessible(page)


def test_county_staff_read_their_county_targets(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    UnitTarget.objects.create(
        plan_code="xinzhou-2021-2025", indicator="training_persons", region="140902", target=600
    )
    page = browser_page
    login(page, "t_county", PASSWORD)
    page.goto(live_url + "/monitoring/targets/")
    expect(page.locator("main")).to_contain_text("≥600 人")
    expect(page.locator("main")).to_contain_text("只有市残联工作人员可以录入县级目标")
    assert page.get_by_role("button", name="保存").count() == 0
    assert_accessible(page)
