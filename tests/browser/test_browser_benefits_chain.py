"""The approval chain in a real browser: the township window receives an application from the person
page and passes 初审, the county federation passes 审核, the county civil-affairs officer passes 审定
and, once the notice period is over, approves; the officer then approves the next month's roll and
downloads the bank file; axe-core finds no WCAG 2.1 AA violation on any page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from huican.accounts.models import Role
from huican.benefits.models import Application, Entitlement
from huican.benefits.services import today
from huican.core.crypto import decrypt
from tests.browser.helpers import html
from tests.factories import PASSWORD, make_list_record, make_person, make_standard, make_user

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def chain_world(transactional_db: None) -> dict[str, Any]:
    make_standard()
    person = make_person(name="张三明", region_code="140902001001", grade=2)
    make_list_record("dibao", person, start=dt.date(2024, 1, 1))  # eligible for the living subsidy today
    make_user(Role.TOWNSHIP_STAFF, "140902001", username="b_township")
    make_user(Role.COUNTY_STAFF, "140902", username="b_county")
    make_user(Role.CIVIL_AFFAIRS_OFFICER, "140902", username="b_civil")
    return {"person": person}


def switch_user(page: Any, login: Login, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)


def pass_step(page: Any, check: Check, opinion: str) -> None:
    form = page.locator("form:has(input[name=action][value=pass])")
    form.get_by_label("审核意见").fill(opinion)
    form.get_by_role("button", name="通过").click()
    page.wait_for_load_state("load")
    assert "已办理" in html(page), html(page)
    check(page)


def test_an_application_goes_through_the_chain(
    chain_world: dict[str, Any], browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    person = chain_world["person"]

    # 乡镇窗口受理 from the person page
    login(page, "b_township", PASSWORD)
    page.goto(live_url + reverse("registry:person", args=[person.pk]))
    assert_accessible(page)
    page.get_by_role("link", name="受理两项补贴申请").click()
    expect(page.locator("h1")).to_have_text("受理申请：张三明")
    assert_accessible(page)
    page.get_by_label("申请的补贴").select_option("living_subsidy")
    page.get_by_label("银行账户户名").fill("张三明")
    page.get_by_label("银行账号").fill("6222020012345678")
    page.get_by_role("button", name="受理申请").click()
    page.wait_for_load_state("load")
    assert "已受理申请" in html(page)
    assert "****5678" in html(page) and "［满足］" in html(page)
    assert_accessible(page)
    application = Application.objects.get(person=person)
    detail_url = live_url + reverse("benefits:application", args=[application.pk])

    # 乡镇初审
    pass_step(page, assert_accessible, "身份证明、低保证已核")
    page.get_by_role("link", name="补贴经办", exact=True).click()
    expect(page.locator("h1")).to_have_text("两项补贴申请待办")
    assert "目前没有等待您办理的申请" in html(page)
    assert_accessible(page)

    # 县残联审核, from the work list
    switch_user(page, login, "b_county")
    page.goto(live_url + reverse("benefits:index"))
    assert_accessible(page)
    page.get_by_role("table", name="等待您办理的申请（1 件，超期的排在最前）").get_by_role(
        "link", name="张三明"
    ).click()
    assert "乡镇初审通过" in page.locator(".lead").inner_text()
    assert_accessible(page)
    pass_step(page, assert_accessible, "残疾人证、等级已核")

    # 县民政审定 → 公示
    switch_user(page, login, "b_civil")
    page.goto(detail_url)
    assert_accessible(page)
    pass_step(page, assert_accessible, "家庭经济状况已核")
    application.refresh_from_db()
    assert application.status == Application.Status.IN_NOTICE
    assert "期满后才能批准" in html(page)

    page.goto(live_url + reverse("benefits:public_notice"))
    assert "张*明" in html(page) and "张三明" not in page.locator("main table").inner_text()
    assert_accessible(page)

    # the notice period is over: 公示期满无异议，批准
    Application.objects.filter(pk=application.pk).update(notice_until=today() - dt.timedelta(days=1))
    page.goto(detail_url)
    assert "期满后才能批准" not in html(page)
    assert_accessible(page)
    pass_step(page, assert_accessible, "公示无异议")
    assert "审定批准" in page.locator(".lead").inner_text()
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert Entitlement.objects.filter(application=application, benefit="living_subsidy").exists()
    history = page.get_by_role("table", name="每一步的办理人、时间、操作、理由和当时的资格判定")
    assert history.locator("tbody tr").count() == 5

    # The next month's roll pays it, with the month of application as arrears; the officer approves
    # the roll and downloads the bank file.
    month = (today().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    page.goto(live_url + "/benefits/rolls/")
    page.get_by_label("发放月份").fill(f"{month:%Y-%m}")
    page.get_by_role("button", name="计算草稿").click()
    page.wait_for_load_state("load")
    assert "张三明" in html(page), html(page)
    assert_accessible(page)
    page.get_by_role("link", name="审批本月发放名册").click()
    page.wait_for_load_state("load")
    page.get_by_label("我已核对上述人数和金额").check()
    page.get_by_role("button", name="确认审批").click()
    page.wait_for_load_state("load")
    assert "发放名册已审批" in html(page)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="下载银行代发文件（CSV，含完整身份证号）").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "户名,公民身份号码,账号,金额"
    number = decrypt(chain_world["person"].id_number_encrypted)
    row = next(line for line in lines if number in line)
    # 80.00 for the month of application (arrears) and 80.00 for the roll's month
    assert row.endswith(",160.00"), row
