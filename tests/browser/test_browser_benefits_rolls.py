"""The roll pages in a real browser: the county civil-affairs officer computes the month's draft,
confirms and approves it, and sees the approved roll; the entitlement, calendar, re-check and
overview pages; axe-core finds no WCAG 2.1 AA violation on any of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from huican.accounts.models import Role
from huican.benefits.models import Entitlement, RecheckItem, Roll
from tests.browser.helpers import html
from tests.factories import PASSWORD, make_list_record, make_person, make_standard, make_user

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def roll_world(transactional_db: None) -> dict[str, Any]:
    make_standard()
    person = make_person(name="李四平", region_code="140902001001", grade=2)
    make_list_record("dibao", person, start=dt.date(2024, 1, 1))
    Entitlement.objects.create(
        person=person,
        benefit="living_subsidy",
        start_month=dt.date(2025, 11, 1),
        effective_from=dt.date(2025, 12, 10),
    )
    make_user(Role.CIVIL_AFFAIRS_OFFICER, "140902", username="r_civil")
    make_user(Role.CITY_STAFF, "140900", username="r_city")
    return {"person": person}


def test_the_officer_drafts_and_approves_a_roll(
    roll_world: dict[str, Any], browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "r_civil", PASSWORD)
    page.goto(live_url + "/benefits/rolls/")
    assert_accessible(page)
    page.get_by_label("发放月份").fill("2026-01")
    page.get_by_role("button", name="计算草稿").click()
    page.wait_for_load_state("load")
    text = html(page)
    assert "发放名册（草稿）" in text and "李四平" in text and "2025-11：80.00" in text, text
    assert_accessible(page)
    page.get_by_role("link", name="审批本月发放名册").click()
    page.wait_for_load_state("load")
    assert "发放合计 240.00 元" in html(page)
    assert_accessible(page)
    page.get_by_role("button", name="确认审批").click()  # not confirmed: told to tick the box
    page.wait_for_load_state("load")
    assert "请勾选确认" in html(page)
    assert_accessible(page)
    page.get_by_label("我已核对上述人数和金额").check()
    page.get_by_role("button", name="确认审批").click()
    page.wait_for_load_state("load")
    assert "发放名册已审批" in html(page) and "已审批" in html(page)
    assert Roll.objects.get().paid_total == 240
    assert_accessible(page)

    person = roll_world["person"]
    for path in (
        "/benefits/entitlements/",
        f"/benefits/entitlements/person/{person.pk}/",
        "/benefits/calendar/",
        "/benefits/overview/",
    ):
        page.goto(live_url + path)
        assert "李四平" in html(page) or path in ("/benefits/calendar/", "/benefits/overview/")
        assert_accessible(page)

    page.context.clear_cookies()
    login(page, "r_city", PASSWORD)
    page.goto(live_url + "/benefits/recheck/")
    assert_accessible(page)
    page.get_by_role("button", name="开始复核").click()
    page.wait_for_load_state("load")
    assert "李四平" in html(page) and "本年度和上一年度均无入户调查" in html(page)
    assert_accessible(page)
    page.get_by_label("处理状态：李四平困难残疾人生活补贴").select_option("已核实")
    page.get_by_label("说明：李四平困难残疾人生活补贴").fill("已补录入户调查")
    page.locator("form[action*='/recheck/items/'] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert RecheckItem.objects.get().status == "已核实"
    assert_accessible(page)
    page.goto(live_url + "/benefits/calendar/limits/140902/")
    assert_accessible(page)
