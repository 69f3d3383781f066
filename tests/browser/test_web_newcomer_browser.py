"""What a newcomer hit (issue 13, point 9) in a real browser: after a save the keyboard focus is on
the confirmation; the findings, imports and standards pages fit a 375 px screen and 200% zoom
without scrolling sideways; the import and what-if buttons look like every other button; the API
docs page passes axe-core."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from tests.browser.helpers import html
from tests.matching_web.world import PASSWORD, FindingsWorld, build_world

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]

# 375 px: a phone; 640 px: a 1280 px window at 200% zoom (WCAG 1.4.10 reflow).
WIDTHS = (375, 640)
BRAND = "rgb(18, 53, 91)"  # --brand of huican.css


@pytest.fixture
def fworld(transactional_db: None) -> FindingsWorld:
    return build_world()


def _focused(page: Any) -> dict[str, str]:
    """The focused element once the page has applied its fragment (#message) focus."""
    page.wait_for_load_state("load")
    for _ in range(
        100
    ):  # the browser focuses the fragment's target after the load; the CSP forbids wait_for_function
        focused = page.evaluate("({id: document.activeElement.id, text: document.activeElement.innerText})")
        if focused["id"]:
            break
        page.wait_for_timeout(100)
    return dict(focused)


# The deepest elements that reach past the right edge, outside any scrolling table wrapper.
CULPRITS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
    && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1)
    && !(e.parentElement && e.parentElement.closest('.table-wrap, .table-scroll')))
  .slice(0, 6).map(e => `${e.tagName}.${e.className} ${(e.innerText || '').slice(0, 30)}`)"""


def test_after_a_save_the_confirmation_has_the_focus(
    fworld: FindingsWorld, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "w_city", PASSWORD)
    page.goto(live_url + reverse("policy:standard_new"))
    page.get_by_label("生效日期").fill("2030-01-01")
    for label, value in [("城市低保标准", "760"), ("农村低保标准", "560"), ("生活补贴标准", "90")]:
        page.get_by_label(label).fill(value)
    page.get_by_label("一级护理补贴标准").fill("130")
    page.get_by_label("二级护理补贴标准").fill("90")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    focused = _focused(page)
    assert focused["id"] == "message" and "已添加" in focused["text"]
    assert page.url.endswith("#message")
    assert_accessible(page)

    page.goto(live_url + reverse("matching:detail", args=[fworld.finding(fworld.near).pk]))
    page.get_by_role("combobox", name="处理状态").select_option("已核实-需处理")
    page.get_by_label("处理结果说明").fill("已电话联系本人")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    focused = _focused(page)
    assert focused["id"] == "message" and "已保存核实处理情况" in focused["text"]
    assert_accessible(page)


def _pages(fworld: FindingsWorld) -> list[tuple[str, str]]:
    """(user, path): the findings, imports and standards pages."""
    finding = fworld.finding(fworld.near)
    return [
        ("w_county", reverse("matching:index")),
        ("w_county", reverse("matching:detail", args=[finding.pk])),
        ("w_county", reverse("matching:runs")),
        ("w_county", reverse("matching:run_detail", args=[fworld.run.pk])),
        ("w_city", reverse("policy:index")),
        ("w_city", reverse("policy:standard_new")),
        ("w_city", reverse("policy:whatif") + "?field=living_subsidy&value=100&on=2025-06-30"),
        ("w_medical", reverse("exchange:index")),
        ("w_medical", reverse("exchange:upload")),
        ("w_medical", reverse("exchange:history")),
    ]


def test_the_pages_reflow_at_375_px_and_at_200_percent_zoom(
    fworld: FindingsWorld, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    wide: list[str] = []
    current = ""
    for user, path in _pages(fworld):
        if user != current:
            page.context.clear_cookies()
            page.set_viewport_size({"width": 1280, "height": 900})
            login(page, user, PASSWORD)
            current = user
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(live_url + path)
            page.wait_for_load_state("load")
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                culprits = page.evaluate(CULPRITS)
                wide.append(f"{path} at {width} px: {scroll} > {inner} {culprits}")
        assert_accessible(page)
    assert wide == [], "\n".join(wide)


def test_the_import_and_what_if_buttons_are_the_projects_buttons(
    fworld: FindingsWorld, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "w_city", PASSWORD)
    for path, name in [
        (reverse("policy:whatif"), "测算"),
        (reverse("policy:standard_new"), "保存"),
        (reverse("exchange:upload"), "上传并预览"),
    ]:
        page.goto(live_url + path)
        button = page.get_by_role("button", name=name, exact=True)
        assert button.evaluate("b => getComputedStyle(b).backgroundColor") == BRAND, path
        assert_accessible(page)


def test_the_api_docs_page_passes_axe_and_loads_nothing_from_elsewhere(
    fworld: FindingsWorld, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    elsewhere: list[str] = []
    page.on(
        "request", lambda request: None if request.url.startswith(live_url) else elsewhere.append(request.url)
    )
    login(page, "w_city", PASSWORD)
    page.goto(live_url + "/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert "惠残 API" in html(page)
    assert_accessible(page)
    for method in ("get", "post"):  # an operation of each kind opened: parameters, body, responses
        page.locator(f".swagger-ui .opblock-{method} .opblock-summary-control").first.click()
    page.locator(".swagger-ui .opblock-post .opblock-body").first.wait_for()
    assert_accessible(page)
    assert [url for url in elsewhere if not url.startswith("data:")] == []
