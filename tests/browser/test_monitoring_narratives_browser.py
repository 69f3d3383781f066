"""Editing a report's narrative in a real browser: city staff open the report page, follow the link
to the editable parts, edit 五、存在的问题 of the final evaluation twice, look at version 1 and
restore it, and enter a 专栏 project figure. axe-core finds no WCAG 2.1 AA violation on any page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from huican.monitoring.models import ProjectFigure, ReportNarrative
from tests.factories import PASSWORD, World, make_list_record, make_standard

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def world(transactional_db: None) -> World:
    world = World()
    make_standard()
    make_list_record("medical", world.alice, year=2025, category="城乡居民")
    return world


def test_city_staff_edit_a_narrative_restore_a_version_and_enter_a_project_figure(
    world: World, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "t_city", PASSWORD)
    page.goto(live_url + "/monitoring/report/")
    page.get_by_role("link", name="编辑报告内容和专栏项目数据").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("编辑报告内容")
    assert_accessible(page)

    page.get_by_role("link", name="编辑 2025 年终期评估").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2025 年终期评估")
    assert_accessible(page)
    page.get_by_role("row", name="五、存在的问题").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("编辑：五、存在的问题")
    box = page.get_by_label("五、存在的问题")
    assert box.input_value().startswith("1. ")  # the draft generated from the figures
    assert_accessible(page)

    box.fill("一是培训人数不足。")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.get_by_role("status")).to_contain_text("第 1 版")
    page.get_by_label("五、存在的问题").fill("二是改造进度慢。")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.get_by_role("table")).to_contain_text("第 2 版（生效）")
    expect(page.get_by_label("五、存在的问题")).to_have_value("二是改造进度慢。")
    assert_accessible(page)

    page.get_by_role("link", name="查看第 1 版").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("第 1 版")
    expect(page.locator(".narrative-text")).to_contain_text("一是培训人数不足。")
    assert_accessible(page)
    page.get_by_role("button", name="恢复第 1 版").click()
    expect(page.get_by_role("table")).to_contain_text("第 3 版（生效）")
    expect(page.get_by_label("五、存在的问题")).to_have_value("一是培训人数不足。")
    assert_accessible(page)
    versions = ReportNarrative.objects.filter(section="problems").order_by("version")
    assert [(v.version, v.text) for v in versions] == [
        (1, "一是培训人数不足。"),
        (2, "二是改造进度慢。"),
        (3, "一是培训人数不足。"),
    ]

    page.goto(live_url + "/monitoring/report/2025/projects/")
    expect(page.get_by_role("heading", level=1)).to_have_text("专栏项目完成数据")
    page.get_by_role("button", name="保存").click()  # nothing filled in
    expect(page.locator(".field--error")).to_have_count(2)  # the value and the source are required
    assert_accessible(page)
    page.get_by_label("专栏项目目标").select_option("employment_quota")
    page.get_by_label("完成值").fill("1.6")
    page.get_by_label("数据来源").fill("市编办 2025 年统计")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("table")).to_contain_text("市编办 2025 年统计")
    assert_accessible(page)
    assert ProjectFigure.objects.get(target_code="employment_quota").source == "市编办 2025 年统计"
