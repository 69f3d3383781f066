"""Proportional employment in a real browser: county staff open the employers of a year, a
declaration with its reasons, enter a new declaration, and see the findings and the federation
staff ratio; axe-core checks every page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from huican.accounts.models import Role
from huican.employment.models import Declaration
from tests.factories import (
    PASSWORD,
    credit_code,
    declare,
    id_number_of,
    make_declaration,
    make_levy_standard,
    make_list_record,
    make_person,
    make_user,
)

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def employment_world(transactional_db: None) -> dict[str, Any]:
    make_levy_standard()
    worker = make_person(name="职工甲", region_code="140902001001", grade=3)
    make_list_record("pension", worker, year=2025, category="职工")
    lent = make_person(name="挂靠乙", region_code="140902001001", grade=4)
    declaration = make_declaration(name="忻府测试公司", region_code="140902", staff="200")
    declare(declaration, worker, start=dt.date(2024, 1, 1))
    declare(declaration, lent, start=dt.date(2025, 3, 1), end=dt.date(2025, 6, 30))
    return {
        "user": make_user(Role.COUNTY_STAFF, "140902", username="e_county"),
        "declaration": declaration,
        "worker": worker,
    }


def test_county_staff_review_and_enter_declarations(
    employment_world: dict[str, Any], browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "e_county", PASSWORD)
    page.goto(f"{live_url}/employment/?year=2025")
    expect(page.locator("h1")).to_have_text("按比例就业审核（2025 年度）")
    assert_accessible(page)

    page.get_by_role("link", name="忻府测试公司").click()
    expect(page.locator("h1")).to_have_text("忻府测试公司（2025 年度申报）")
    expect(page.get_by_text("劳动合同期限不足一年")).to_be_visible()
    expect(page.get_by_text("本年度没有职工养老保险参保缴费记录")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="就业发现").click()
    expect(page.locator("h1")).to_have_text("就业发现（2025 年度）")
    assert_accessible(page)

    page.get_by_role("link", name="县级残联残疾人职工比例").click()
    expect(page.locator("h1")).to_have_text("县级残联残疾人职工比例")
    page.get_by_label("年度").fill("2025")
    page.get_by_label("在职人数").fill("20")
    page.get_by_label("其中残疾人").fill("2")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("未达到")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_url}/employment/new/")
    expect(page.locator("h1")).to_have_text("填报单位申报")
    assert_accessible(page)
    page.get_by_label("统一社会信用代码").fill(credit_code("91140902MA0H77777"))
    page.get_by_label("统计年度").fill("2025")
    page.get_by_label("单位名称").fill("网页填报公司")
    page.get_by_label("在职职工人数（年平均，最多一位小数）").fill("35.5")
    page.get_by_label("在职职工年平均工资（元）").fill("60000")
    page.get_by_label("残疾职工", exact=False).fill(
        f"{id_number_of(employment_world['worker'])},职工甲,2024-01-01,"
    )
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_have_text("网页填报公司（2025 年度申报）")
    assert_accessible(page)
    assert Declaration.objects.filter(name="网页填报公司").exists()
