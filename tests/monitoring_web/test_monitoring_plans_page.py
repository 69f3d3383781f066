"""The plans page (/monitoring/plans/): every plan, its indicators with target, kind and definition."""

from __future__ import annotations

import html

from django.urls import reverse
from django.utils import timezone

from huican.monitoring.plan import PLANS_DIR, plan_for_year
from huican.monitoring.plans_store import load_plan_text

SAMPLE = PLANS_DIR / "samples" / "xinzhou-2026-2030-illustrative.yaml"


def test_the_plans_page_lists_plans_and_definitions(as_user):
    load_plan_text(SAMPLE.read_text(encoding="utf-8"), file_name=SAMPLE.name, actor="t_sys")
    for role in ("city", "county", "evaluator"):
        response = as_user(role).get(reverse("monitoring:plans"))
        assert response.status_code == 200
    page = html.unescape(response.content.decode())

    assert 'aria-current="page">规划</a>' in page  # in the monitoring menu
    assert "忻州市“十四五”残疾人保障和发展规划" in page and "系统内置文件（默认）" in page
    assert "忻州市“十五五”残疾人保障和发展规划（示例草案）" in page and "示例草案，非正式印发" in page
    # An expression, as the plan file writes it, and its plain-Chinese description.
    assert "<code>certified and eligible(living_subsidy) and receiving(living_subsidy)</code>" in page
    assert "符合困难残疾人生活补贴条件的持证残疾人中，判定日正在享受的比例。" in page
    assert '<code>served("无障碍改造", "规划期", "完成")</code>' in page and "计数（户数）" in page
    assert "内置定义（RULES.md）" in page  # income_growth
    assert "低于目标" in page and "不高于目标" in page and "约束性" in page and "仅全市" in page
    # The baseline as the plan states it.
    assert "困难残疾人生活补贴累计受益人次（“十三五”时期）" in page and "138,300 人次" in page
    assert "80%以上" in page


def test_the_plans_page_is_read_only_and_needs_monitoring_access(as_user):
    assert as_user("city").post(reverse("monitoring:plans")).status_code == 405
    assert as_user("security").get(reverse("monitoring:plans")).status_code == 403


def test_the_plan_api_gives_any_plan_with_its_definitions(client, world):
    from huican.api import api_token_create

    load_plan_text(SAMPLE.read_text(encoding="utf-8"), file_name=SAMPLE.name)
    key = api_token_create(user=world.users["evaluator"], name="测试")[1]

    def get(**params):
        return client.get("/api/v1/monitoring/plan", params, HTTP_AUTHORIZATION=f"Bearer {key}")

    current = get().json()  # the plan of the current year (2026 on: the sample, once loaded)
    sample = get(code="xinzhou-2026-2030").json()
    assert sample["illustrative"] is True and sample["period_name"] == "十五五"
    assert current["code"] == plan_for_year(timezone.localdate().year).code
    care = next(i for i in sample["indicators"] if i["code"] == "unvisited_living_alone")
    assert care["definition"] == {
        "kind": "count",
        "count": "persons",
        "where": '持证 且 重度 且 household_size = 1 且 非 served("走访探视", "近365天")',
    }
    assert care["kind_name"] == "预期性" and care["description"]
    old = get(code="xinzhou-2021-2025").json()
    assert next(i for i in old["indicators"] if i["code"] == "income_growth")["definition"] is None
    assert get(code="nope").status_code == 404


def test_baseline_rows_name_their_indicator_in_chinese(as_user):
    page = html.unescape(as_user("city").get(reverse("monitoring:plans")).content.decode())
    assert "9. 符合条件且有需求的残疾儿童和持证残疾人基本康复服务覆盖率" in page
