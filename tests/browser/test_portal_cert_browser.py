"""Electronic certificates in a real browser: a code verified with the keyboard only (and without
JavaScript); axe-core finds no WCAG 2.1 AA violation on the verification page (empty, valid, forged,
cancelled), the key page and the staff certificate page; no sideways scrolling at 375 px and 320 px."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from huican.core.models import AuditEntry
from huican.portal.certificates import issue_payload
from huican.registry.models import Person
from tests.browser import helpers
from tests.browser.helpers import no_sideways_scroll
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.browser

Check = Callable[[Any], None]
Login = Callable[[Any, str, str], None]
PHONE = {"width": 375, "height": 740}
NARROW = {"width": 320, "height": 640}
# Elements named by their id alone (the skip link, which has none, is "a#"); at most 40 presses.
tab_to = partial(helpers.tab_to, limit=40, by=helpers.BY_ID)


@pytest.fixture
def world(transactional_db: None) -> World:
    return World()


def _forged(code: str) -> str:
    prefix, body, signature = code.split(".")
    return f"{prefix}.{body}.{signature[:-6]}AAAAAA"


def test_a_code_is_verified_with_the_keyboard_only(
    world: World, browser_page: Any, live_url: str, assert_accessible: Check
) -> None:
    page = browser_page
    code = issue_payload(world.alice)
    page.goto(live_url + reverse("portal:home"))
    tab_to(page, "a#")  # the skip link first…
    page.keyboard.press("Tab")
    for _ in range(20):  # …then along the header to the nav link
        if page.evaluate("() => document.activeElement.textContent.trim()") == "核验残疾人证":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("核验残疾人证电子证照")
    assert_accessible(page)

    tab_to(page, "textarea#cert-code")
    page.keyboard.insert_text(code)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "核验"
    page.keyboard.press("Enter")
    result = page.locator("#cert-result-heading")
    expect(result).to_have_text("核验结果：有效")
    facts = page.locator(".cert-result dl").inner_text()
    assert "测*甲" in facts and "肢体" in facts and "二级" in facts and "2030年1月15日" in facts
    assert "测试甲" not in page.content()
    assert_accessible(page)
    assert AuditEntry.objects.filter(action__startswith="portal.").count() == 0


def test_forged_cancelled_and_key_pages_are_accessible_and_fit_a_phone(
    world: World, browser_page: Any, live_url: str, assert_accessible: Check
) -> None:
    page = browser_page
    code = issue_payload(world.carol)
    verify = live_url + reverse("portal:cert_verify")
    for size in (PHONE, NARROW):
        page.set_viewport_size(size)
        page.goto(verify + "?c=" + _forged(code))
        expect(page.locator("#cert-result-heading")).to_have_text("核验结果：无效（签名不符）")
        assert page.locator(".cert-result dl").count() == 0  # nothing from a forged code is shown
        assert_accessible(page)
        no_sideways_scroll(page)

        page.goto(verify + "?c=" + code)
        expect(page.locator("#cert-result-heading")).to_have_text("核验结果：有效")
        no_sideways_scroll(page)

        page.goto(live_url + reverse("portal:cert_key"))
        expect(page.get_by_role("heading", level=1)).to_have_text("电子证照签名公钥")
        assert_accessible(page)
        no_sideways_scroll(page)

    Person.objects.filter(pk=world.carol.pk).update(
        status=Person.Status.CANCELLED, status_date=dt.date(2024, 1, 1)
    )
    page.goto(verify + "?c=" + code)
    expect(page.locator("#cert-result-heading")).to_have_text("核验结果：已注销")
    assert_accessible(page)


def test_the_pages_need_no_javascript(world: World, browser_page: Any, live_url: str) -> None:
    """No script at all on the verification and key pages: the plain GET form does the work."""
    page = browser_page
    code = issue_payload(world.bob)
    for path in (
        reverse("portal:cert_verify"),
        reverse("portal:cert_verify") + "?c=" + code,
        reverse("portal:cert_key"),
    ):
        page.goto(live_url + path)
        assert page.locator("script").count() == 0
        assert page.evaluate("() => document.querySelectorAll('[onclick],[onsubmit],[onchange]').length") == 0
    expect(page.get_by_role("link", name="返回核验页面")).to_be_visible()


def test_staff_open_the_certificate_from_the_person_page(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "t_county", PASSWORD)
    page.goto(live_url + reverse("registry:person", args=[world.alice.pk]))
    page.get_by_role("link", name="电子证照", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("测试甲 的残疾人证电子证照")
    expect(page.get_by_role("img", name="残疾人证电子证照二维码，扫码可打开核验页面")).to_be_visible()
    assert_accessible(page)
    assert AuditEntry.objects.filter(action="portal.certificate_view", object_id=str(world.alice.pk)).exists()

    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    page.locator(".cert-code a").click()
    expect(page.locator("#cert-result-heading")).to_have_text("核验结果：有效")
    assert_accessible(page)
