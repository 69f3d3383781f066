"""The account pages of issue 10 in a real browser, with axe on each: the system administrator asks
for a city-wide account, the security administrator approves it, the new user must change the
password, the audit administrator's security page and its verify button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from huican.accounts.models import User
from tests.browser.helpers import html
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def world(transactional_db: None) -> World:
    return World()


def test_a_city_wide_account_from_request_to_first_login(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "t_sys", PASSWORD)
    page.get_by_role("link", name="用户").click()
    page.get_by_role("link", name="新建用户").click()
    page.get_by_label("用户名").fill("shi_new")
    page.get_by_label("角色").select_option("city_staff")
    page.get_by_label("所属区划代码").fill("140900")
    page.get_by_label("初始密码").fill("Xinzhou#Staff2025")
    page.get_by_role("button", name="创建").click()
    assert "需安全管理员批准" in html(page)
    assert not User.objects.get(username="shi_new").is_active
    page.get_by_role("link", name="shi_new").click()
    assert_accessible(page)
    page.get_by_role("button", name="退出登录").click()

    login(page, "t_sec", PASSWORD)
    page.get_by_role("link", name="授权审批").click()
    assert_accessible(page)
    page.get_by_role("button", name="批准 shi_new").click()
    assert "已批准" in html(page)
    assert_accessible(page)
    page.get_by_role("button", name="退出登录").click()

    login(page, "shi_new", "Xinzhou#Staff2025")
    page.goto(live_url + reverse("registry:home"))
    assert page.url.endswith(reverse("accounts:password_change"))
    assert_accessible(page)
    page.get_by_label("当前密码").fill("Xinzhou#Staff2025")
    page.locator("#id_new_password").fill("Mine#Passw0rd2026")
    page.get_by_label("再次输入新密码").fill("Mine#Passw0rd2026")
    page.get_by_role("button", name="修改密码").click()
    assert "密码已修改" in html(page)
    page.get_by_role("button", name="退出登录").click()

    login(page, "t_audit", PASSWORD)
    page.get_by_role("link", name="安全概况").click()
    assert "尚未校验" in html(page)
    assert_accessible(page)
    page.get_by_role("button", name="立即校验审计日志").click()
    assert "审计日志完整" in html(page)
    assert_accessible(page)
