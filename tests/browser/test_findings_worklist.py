"""The findings work list in a real browser: a county user filters the list, opens a finding,
records the follow-up (a refused save first), starts a run and reads the history; axe-core finds
no WCAG 2.1 AA violation on any page visited."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from huican.core.models import AuditEntry
from huican.matching.models import Finding
from tests.browser.helpers import html
from tests.matching_web.world import PASSWORD, FindingsWorld, build_world

pytestmark = pytest.mark.browser

Login = Callable[[Any, str, str], None]
Check = Callable[[Any], None]


@pytest.fixture
def fworld(transactional_db: None) -> FindingsWorld:
    return build_world()


def test_county_user_works_through_a_finding(
    fworld: FindingsWorld, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    finding = fworld.finding(fworld.near)
    worker = fworld.users["township"]
    login(page, "w_county", PASSWORD)

    page.get_by_role("link", name="发现", exact=True).click()
    expect(page.locator("h1")).to_have_text("比对发现工作清单")
    assert page.get_by_role("link", name=fworld.far.name).count() == 0
    assert_accessible(page)

    page.get_by_role("combobox", name="发现类型").select_option("medical_not_enrolled")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("table", name="医保未参保（本页 1 条）")).to_have_count(1)
    assert_accessible(page)

    page.get_by_role("link", name=f"{fworld.near.name}，医保未参保").click()
    expect(page.locator("h1")).to_have_text(f"医保未参保：{fworld.near.name}")
    assert_accessible(page)

    page.get_by_role("combobox", name="处理状态").select_option("误报")
    page.get_by_role("button", name="保存").click()  # no note: refused with a message
    assert "请填写处理结果说明" in html(page)
    assert_accessible(page)

    page.get_by_role("combobox", name="处理状态").select_option("已核实-需处理")
    page.get_by_role("combobox", name="指派给").select_option(str(worker.pk))
    page.get_by_label("处理结果说明").fill("已电话联系本人，补办参保")
    page.get_by_role("button", name="保存").click()
    assert "已保存核实处理情况" in html(page)
    assert "待核实 → 已核实-需处理" in html(page)
    assert_accessible(page)

    finding.refresh_from_db()
    assert (finding.status, finding.assigned_to_id) == (Finding.Status.CONFIRMED, worker.pk)
    assert AuditEntry.objects.filter(action="finding.update", object_id=str(finding.pk)).exists()

    page.goto(live_url + reverse("matching:index"))
    page.get_by_role("button", name="立即比对").click()
    # tasks run at once in tests; the run's number is its database id (PostgreSQL keeps counting)
    assert re.match(r"第 \d+ 次比对", page.locator("h1").inner_text())
    assert "比对已完成" in html(page)
    # a county user's run is a read-only view with its own findings; the world has no lists for this year
    assert "只读查看" in html(page) and "工作清单中的发现没有新增、办结或重新打开" in html(page)
    assert page.get_by_role("heading", name="缺少的数据").count() == 1
    assert page.get_by_role("link", name="导出 Excel（身份证号脱敏）").count() == 1
    assert_accessible(page)

    page.goto(live_url + reverse("matching:runs"))
    assert page.get_by_role("img", name="最近各次比对的发现数（您的范围内）").count() == 1
    assert_accessible(page)

    response = page.goto(live_url + reverse("matching:detail", args=[fworld.finding(fworld.far).pk]))
    assert response is not None and response.status == 404


def test_evaluator_sees_counts_only(
    fworld: FindingsWorld, browser_page: Any, live_url: str, login: Login, assert_accessible: Check
) -> None:
    page = browser_page
    login(page, "w_eval", PASSWORD)
    page.goto(live_url + reverse("matching:index"))
    assert page.locator("h1").inner_text() == "比对发现统计"
    assert fworld.near.name not in html(page)
    assert_accessible(page)
