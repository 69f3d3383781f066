"""就业援助 in a real browser: township staff open the aid list, register a person's job seeking,
a training and a new job, follow it up, and county staff see the new job on the monitoring page;
axe-core checks every page, and the forms work from the keyboard labels alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from huican.accounts.models import Role
from huican.employment.models import Placement
from huican.matching.models import Finding, FindingRun
from tests.factories import PASSWORD, make_person, make_user

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def aid_world(transactional_db: None) -> dict[str, Any]:
    person = make_person(name="求职甲", region_code="140902001001", birth=dt.date(1990, 4, 1))
    run = FindingRun.objects.create(on_date=dt.date.today(), status=FindingRun.Status.DONE)
    Finding.objects.create(
        person=person,
        code="employment_aid",
        county_code="140902",
        township_code="140902001",
        detail="36 周岁，2026 年调查就业状况为未就业",
        first_seen_run=run,
        last_seen_run=run,
    )
    make_user(Role.TOWNSHIP_STAFF, "140902001", username="aid_township")
    make_user(Role.COUNTY_STAFF, "140902", username="aid_county")
    return {"person": person}


def test_township_staff_serve_a_person_from_the_aid_list(
    aid_world: dict[str, Any], browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "aid_township", PASSWORD)
    page.goto(f"{live_url}/employment/aid/")
    expect(page.locator("h1")).to_have_text("就业援助名单")
    expect(page.get_by_role("cell", name="尚未服务")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="登记援助").click()
    expect(page.locator("h1")).to_have_text("求职甲的就业援助")
    assert_accessible(page)
    page.get_by_label("求职意向").fill("手工编织")
    page.get_by_role("button", name="保存求职登记").click()
    expect(page.get_by_text("已登记求职")).to_be_visible()

    page.get_by_label("培训项目").fill("手工编织")
    page.get_by_label("培训机构").fill("县残疾人职业培训基地")
    page.get_by_role("button", name="保存培训").click()
    expect(page.get_by_text("已登记职业技能培训")).to_be_visible()

    page.get_by_label("用人单位").fill("忻府区编织合作社")
    page.get_by_label("就业形式").select_option(label="辅助性就业")
    page.get_by_label("岗位").fill("编织工")
    page.get_by_role("button", name="保存就业").click()
    expect(page.get_by_text("已登记就业：忻府区编织合作社")).to_be_visible()
    expect(page.get_by_role("heading", name="忻府区编织合作社（辅助性就业）")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("回访情况").fill("适应良好")
    page.get_by_role("button", name="保存回访").click()
    expect(page.get_by_text("已登记回访：仍在岗")).to_be_visible()
    assert Placement.objects.get(person=aid_world["person"]).follow_ups.count() == 1

    page.goto(f"{live_url}/employment/aid/")
    expect(page.get_by_text("当前筛选条件下名单为空")).to_be_visible()  # handled: off the open list

    page.context.clear_cookies()
    login(page, "aid_county", PASSWORD)
    page.goto(f"{live_url}/monitoring/jobs/")
    expect(page.locator("h1")).to_have_text("新增残疾人就业")
    row = page.get_by_role("row", name="忻府区")
    expect(row).to_contain_text("1")
    assert_accessible(page)
