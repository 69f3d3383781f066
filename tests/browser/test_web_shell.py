"""The web shell in a real browser: three roles log in, search, open a person, reveal a full ID
with a reason; keyboard-only use (skip link, visible focus); axe-core finds no WCAG 2.1 AA
violation on any page visited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from huican.core.crypto import decrypt
from huican.core.models import AuditEntry
from tests.browser.helpers import html
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def world(transactional_db: None) -> World:
    return World()


def test_county_user_searches_opens_a_person_and_reveals_the_id(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    number = decrypt(world.alice.id_number_encrypted)
    login(page, "t_county", PASSWORD)
    assert page.locator("h1").inner_text().startswith("忻府区")
    assert_accessible(page)

    page.get_by_role("link", name="查询").click()
    page.get_by_label("姓名、身份证号、残疾人证号、手机号、户编号或村名").fill(number)
    page.get_by_role("button", name="查询").click()
    assert_accessible(page)
    page.get_by_role("link", name=world.alice.name).click()
    expect(page.locator("h1")).to_have_text(world.alice.name)
    assert number not in html(page)
    assert_accessible(page)

    page.get_by_role("link", name="查看完整身份证号和电话（需说明理由）").click()
    assert_accessible(page)
    page.get_by_role("button", name="查看").click()  # no reason: refused with a message
    assert "请填写查看理由" in html(page)
    assert_accessible(page)
    page.get_by_label("查看理由").fill("核对低保申请材料")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#full-id-number")).to_have_text(number)
    assert_accessible(page)
    assert AuditEntry.objects.filter(action="registry.reveal", reason="核对低保申请材料").exists()


def test_township_user_cannot_reveal_and_cannot_see_other_townships(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "t_township", PASSWORD)
    assert_accessible(page)
    page.goto(live_url + reverse("registry:person", args=[world.alice.pk]))
    assert page.get_by_role("link", name="查看完整身份证号和电话（需说明理由）").count() == 0
    assert_accessible(page)
    response = page.goto(live_url + reverse("registry:person", args=[world.carol.pk]))
    assert response is not None and response.status == 404
    assert_accessible(page)


def test_city_user_sees_county_counts_and_searches_by_name(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "t_city", PASSWORD)
    assert page.get_by_role("rowheader", name="原平市").count() == 1
    assert_accessible(page)
    page.goto(live_url + reverse("registry:search") + "?q=测试")
    assert page.get_by_role("link", name=world.dave.name).count() == 1
    assert_accessible(page)


def test_administrators_pages(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "t_audit", PASSWORD)
    page.get_by_role("link", name="审计").click()
    assert_accessible(page)
    page.get_by_role("button", name="校验哈希链").click()
    assert "审计日志完整" in html(page)
    page.get_by_label("操作人（用户名）").fill("t_audit")
    page.get_by_role("button", name="筛选", exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="退出登录").click()

    login(page, "t_sys", PASSWORD)
    page.get_by_role("link", name="用户").click()
    assert_accessible(page)
    page.get_by_role("link", name="新建用户").click()
    assert_accessible(page)
    page.get_by_role("button", name="退出登录").click()

    login(page, "t_sec", PASSWORD)
    page.get_by_role("link", name="安全").click()
    assert_accessible(page)


def _focused(page: Any) -> dict[str, str]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {tag: el.tagName, cls: el.className || "", text: (el.innerText || "").trim(),
                    name: el.getAttribute("name") || "", id: el.id || "",
                    outline: style.outlineStyle, outlineWidth: style.outlineWidth,
                    visible: String(box.width > 0 && box.height > 0 && box.top >= 0)};
        }"""
    )


def test_keyboard_only(world: World, browser_page: Any, live_url: str, assert_accessible: Check) -> None:
    page = browser_page
    page.goto(live_url + reverse("accounts:login"))
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert "skip-link" in focused["cls"] and focused["visible"] == "true"
    assert focused["outline"] != "none" and focused["outlineWidth"] != "0px"
    page.keyboard.press("Enter")
    # A same-page jump updates the address asynchronously: wait for it instead of reading it at once.
    page.wait_for_function("location.hash === '#main'", timeout=5000)
    assert page.url.endswith("#main")
    assert _focused(page)["id"] == "main" or page.evaluate("document.activeElement.closest('#main') !== null")

    # Log in with the keyboard alone.
    page.goto(live_url + reverse("accounts:login"))
    for _ in range(10):
        page.keyboard.press("Tab")
        if _focused(page)["name"] == "username":
            break
    assert _focused(page)["name"] == "username"
    page.keyboard.type("t_county")
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.rstrip("/") == live_url

    # Every focus stop on the home page shows a visible focus indicator.
    seen = set()
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "BODY":
            break
        assert focused["outline"] != "none", focused
        seen.add(focused["text"])
    assert {"跳到主要内容", "查询", "退出登录"} <= seen
    assert_accessible(page)
