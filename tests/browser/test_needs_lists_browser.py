"""The 返贫致贫风险 and 重度残疾人独居 follow-up lists in a real browser: a county user reaches them from
the work list, filters by status and opens a case; axe-core finds no WCAG 2.1 AA violation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import html
from tests.matching_web.test_matching_web_needs_lists import ListsWorld, build_lists_world
from tests.matching_web.world import PASSWORD

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def lworld(transactional_db: None) -> ListsWorld:
    return build_lists_world()


def test_county_user_follows_up_the_needs_lists(
    lworld: ListsWorld, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "n_county", PASSWORD)

    page.get_by_role("link", name="发现", exact=True).click()
    page.get_by_role("link", name="返贫致贫风险名单").click()
    expect(page.locator("h1")).to_have_text("返贫致贫风险名单")
    assert lworld.fell.name in html(page) and lworld.far.name not in html(page)
    assert "已办结" not in html(page)
    assert_accessible(page)

    page.get_by_role("combobox", name="处理状态").select_option("")
    page.get_by_role("button", name="筛选").click()
    assert "已办结" in html(page)
    assert_accessible(page)

    page.goto(live_url + "/findings/lists/severe_living_alone/")
    assert page.locator("h1").inner_text() == "重度残疾人独居名单"
    assert "2025-03-02" in html(page)
    assert_accessible(page)

    page.get_by_role("link", name="核实处理").click()
    assert lworld.alone.name in page.locator("h1").inner_text()
    assert_accessible(page)
