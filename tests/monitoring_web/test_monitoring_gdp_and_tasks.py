"""GDP growth entry (city staff, audited) and task progress (staff report, evaluators see gaps)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from huican.core.models import AuditEntry
from huican.monitoring.models import GdpGrowth, TaskProgress
from huican.monitoring.tasks_progress import TaskProgressError, task_progress_submit, tasks_without_report


def test_city_staff_enter_gdp_growth_and_it_becomes_the_target(as_user):
    client = as_user("city")
    for year in range(2021, 2025):  # the target is the mean over 2021..2025: every year is needed
        GdpGrowth.objects.create(year=year, rate_percent=Decimal("4.8"))

    response = client.post(
        reverse("monitoring:gdp"), {"year": "2025", "rate_percent": "4.8", "source": "统计公报"}
    )

    assert response.status_code == 302
    assert GdpGrowth.objects.get(year=2025).rate_percent == Decimal("4.80")
    entry = AuditEntry.objects.filter(action="monitoring.gdp_growth").latest("sequence")
    assert entry.actor_name == "t_city" and entry.detail["year"] == 2025
    dashboard = client.get(reverse("monitoring:index"))
    income = next(item for item in dashboard.context["summary"].items if item.code == "income_growth")
    assert income.row["target"] == 4.8
    assert "≥4.8%（全市地区生产总值规划期年均增速）" in dashboard.content.decode()


@pytest.mark.parametrize("role", ["county", "township", "evaluator"])
def test_other_roles_may_not_enter_gdp_growth(as_user, role):
    client = as_user(role)

    assert client.get(reverse("monitoring:gdp")).status_code == 200  # they may read it
    response = client.post(reverse("monitoring:gdp"), {"year": "2025", "rate_percent": "4.8"})
    assert response.status_code == 403
    assert not GdpGrowth.objects.exists()
    assert not AuditEntry.objects.filter(action="monitoring.gdp_growth").exists()


def test_invalid_gdp_growth_is_refused_with_a_message(as_user):
    response = as_user("city").post(reverse("monitoring:gdp"), {"year": "2025", "rate_percent": "abc"})
    assert response.status_code == 400
    assert not GdpGrowth.objects.exists()


def test_staff_report_task_progress_and_evaluators_see_what_is_missing(as_user, world):
    staff = as_user("county")
    form_url = reverse("monitoring:task_report", args=["3.3.3", 2025])
    assert staff.get(form_url).status_code == 200

    response = staff.post(
        form_url,
        {"unit": "市残联", "text": "举办培训班 12 期", "figure_1_name": "培训人数", "figure_1_value": "860",
         "figure_1_unit": "人"},
    )  # fmt: skip

    assert response.status_code == 302
    report = TaskProgress.objects.get(task_code="3.3.3", year=2025)
    assert report.unit == "市残联" and report.figures == [{"name": "培训人数", "value": "860", "unit": "人"}]
    assert AuditEntry.objects.filter(action="monitoring.task_progress", object_id=str(report.pk)).exists()

    page = as_user("evaluator").get(reverse("monitoring:tasks"), {"year": "2025"})
    missing = [task.code for task in page.context["missing"]]
    assert "3.3.3" not in missing and "3.1.1" in missing
    assert len(missing) == len(page.context["plan"].tasks) - 1
    html = page.content.decode()
    assert "举办培训班 12 期" in html and "培训人数：860 人" in html
    assert "市乡村振兴局" in html  # lead units are listed


def test_a_correction_replaces_the_report_and_keeps_the_old_text_in_the_audit(world):
    user = world.users["city"]
    task_progress_submit(task_code="3.4.2", year=2024, unit="市残联", text="初稿", figures=[], actor=user)
    task_progress_submit(task_code="3.4.2", year=2024, unit="市残联", text="修订稿", figures=[], actor=user)

    assert TaskProgress.objects.get(task_code="3.4.2", year=2024).text == "修订稿"
    entry = AuditEntry.objects.filter(action="monitoring.task_progress").latest("sequence")
    assert entry.detail["before"]["text"] == "初稿"
    assert "3.4.2" in [t.code for t in tasks_without_report(2025)]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"unit": "市公安局"}, "不是任务"),
        ({"text": "  "}, "请填写进展情况"),
        ({"task_code": "9.9"}, "没有任务"),
        ({"figures": [{"name": "人数", "value": "很多"}]}, "应为数字"),
    ],
)
def test_reports_the_plan_does_not_accept(world, fields, problem):
    arguments = {"task_code": "3.3.3", "year": 2025, "unit": "市残联", "text": "进展", "figures": []}
    with pytest.raises(TaskProgressError, match=problem):
        task_progress_submit(**{**arguments, **fields}, actor=world.users["city"])
    assert not TaskProgress.objects.exists()


@pytest.mark.parametrize("role", ["evaluator", "department"])
def test_only_staff_report_progress(as_user, role):
    response = as_user(role).post(
        reverse("monitoring:task_report", args=["3.3.3", 2025]), {"unit": "市残联", "text": "进展"}
    )
    assert response.status_code == 403
    assert not TaskProgress.objects.exists()
