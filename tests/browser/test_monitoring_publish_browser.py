"""Publishing a report in a real browser: city staff press 发布报告 on the report page; after the data
change, the dashboard shows the published value, the current one and the difference. axe-core finds
no WCAG 2.1 AA violation on either page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from huican.monitoring.models import PublishedReport
from tests.factories import PASSWORD, World, make_list_record, make_standard, make_survey

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def world(transactional_db: None) -> World:
    world = World()
    make_standard()
    for person in (world.alice, world.carol, world.dave):
        make_list_record("medical", person, year=2025, category="城乡居民")
    make_list_record("dibao", world.alice, start=dt.date(2024, 1, 1))
    make_survey(world.bob, year=2025, income="3000")
    return world


def test_city_staff_publish_and_see_what_current_data_would_change(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "t_city", PASSWORD)
    page.goto(live_url + "/monitoring/report/")
    page.locator("#id_publish-year").select_option("2025")
    page.get_by_role("button", name="发布报告").click()
    assert "已发布 2025 年报告" in page.content()
    assert PublishedReport.objects.filter(year=2025).exists()
    assert_accessible(page)

    make_list_record("medical", world.bob, year=2025, category="城乡居民")  # 3/4 → 4/4
    page.goto(live_url + "/monitoring/140900/?year=2025")
    section = page.locator("section[aria-labelledby='published-heading']")
    assert "全市有 1 项指标会改变" in section.inner_text()
    assert "+25" in section.inner_text()
    assert_accessible(page)
