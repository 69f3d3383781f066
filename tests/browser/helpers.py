"""Small helpers for the browser tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from huican.portal.sms import ConsoleSender
from tests.factories import id_number_of


def html(page: Any) -> str:
    """The page's HTML once it has finished loading.

    ``page.content()`` does not wait: read right after a click it can catch a document still being
    parsed on a slow machine. Waiting for the load event first makes text checks deterministic.
    """
    page.wait_for_load_state("load")
    return str(page.content())


# How `focused` names the element after "tag#" (JavaScript over the element `e`): its id; its id or,
# without one, its text; its id, value or text (a button told apart by its value).
BY_ID = "e.id"
BY_ID_OR_TEXT = "e.id || e.textContent.trim()"
BY_ID_VALUE_OR_TEXT = "e.id || e.getAttribute('value') || e.textContent.trim()"


def focused(page: Any, *, by: str = BY_ID_OR_TEXT) -> str:
    """The focused element as "tag#name", the name as `by` says (by default "tag#id", or
    "tag#text" without an id)."""
    return str(
        page.evaluate(
            f"() => {{ const e = document.activeElement; return e.tagName.toLowerCase() + '#' + ({by}); }}"
        )
    )


def tab_to(page: Any, target: str, *, limit: int = 80, by: str = BY_ID_OR_TEXT) -> None:
    """Press Tab (at most `limit` times) until `target` (as `focused` names it) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, by=by) == target:
            return
    pytest.fail(f"Tab never reached {target}; stopped at {focused(page, by=by)}")


def no_sideways_scroll(page: Any) -> None:
    """Once loaded, the page is no wider than the window (no scrolling sideways)."""
    page.wait_for_load_state("load")
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], f"{page.url}: content {width[0]} px wide in a {width[1]} px window"


def check(page: Any, assert_accessible: Any) -> None:
    """No sideways scrolling, and no accessibility violations (the `assert_accessible` fixture)."""
    no_sideways_scroll(page)
    assert_accessible(page)


def citizen_sign_in(page: Any, live_url: str, person: Any, phone: str) -> None:
    """Sign the person in on the portal with ID and certificate number and the code texted to `phone`."""
    number = id_number_of(person)
    page.goto(live_url + reverse("portal:signin"))
    page.get_by_label("身份证号").fill(number)
    page.get_by_label("残疾人证号").fill(f"{number}{person.category}{person.grade}")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("h1")).to_have_text("填写验证码")
    message = ConsoleSender.last_to(phone)
    assert message is not None
    page.get_by_label("短信验证码").fill(message.code)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("我的")
