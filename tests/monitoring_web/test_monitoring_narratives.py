"""Staff-edited report narratives and 专栏 project figures: versions, restore, audit, permissions,
the web pages, and issuing (publishing) freezing them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from docx import Document

from huican.core.models import AuditEntry
from huican.monitoring.models import ProjectFigure, ReportNarrative
from huican.monitoring.narratives import (
    NarrativeError,
    narrative_history,
    narrative_restore,
    narrative_save,
    narratives_in_force,
    project_figure_set,
)
from huican.monitoring.plan import plan_for_year
from huican.monitoring.publishing import latest_publication, publish_report, published_report_data
from huican.monitoring.reports.build import build_report, write_report
from huican.monitoring.reports.drafts import in_force

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def plan(world):
    return plan_for_year(2025)


def save(plan, user, text, section="problems", final=True):
    return narrative_save(plan=plan, year=2025, final=final, section=section, text=text, actor=user)


def docx_text(path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_saving_twice_keeps_version_one_and_puts_version_two_in_force(world, plan):
    city = world.users["city"]
    first = save(plan, city, "第一稿")
    second = save(plan, city, "第二稿")
    assert (first.version, second.version) == (1, 2)
    assert [v.text for v in narrative_history(plan=plan, year=2025, final=True, section="problems")] == [
        "第二稿",
        "第一稿",
    ]
    assert narratives_in_force(plan_code=plan.code, year=2025, final=True)["problems"]["text"] == "第二稿"
    entries = AuditEntry.objects.filter(action="monitoring.narrative_save").order_by("sequence")
    assert [e.detail["version"] for e in entries] == [1, 2]
    assert entries.last().detail["before"] == {"version": 1, "text": "第一稿"}

    restored = narrative_restore(plan=plan, year=2025, final=True, section="problems", version=1, actor=city)
    assert (restored.version, restored.text) == (3, "第一稿")
    assert ReportNarrative.objects.filter(section="problems").count() == 3
    assert AuditEntry.objects.get(action="monitoring.narrative_restore").detail["restored_from"] == 1


def test_the_report_prints_the_draft_until_staff_edit_it(world, plan):
    data = build_report(year=2025, final=True, today=TODAY)
    draft = in_force(data, "problems")
    assert draft.startswith("1. 部分主要指标未达到规划目标")
    save(plan, world.users["city"], "人工撰写的问题")
    assert in_force(build_report(year=2025, final=True, today=TODAY), "problems") == "人工撰写的问题"


def test_rules_unknown_section_bad_date_and_single_line(world, plan):
    city = world.users["city"]
    with pytest.raises(NarrativeError):
        save(plan, city, "x", section="nonsense")
    with pytest.raises(NarrativeError):
        save(plan, city, "2026-13-40", section="date")
    with pytest.raises(NarrativeError):
        save(plan, city, "两行\n主送", section="addressee")
    with pytest.raises(NarrativeError):  # the annual report has no 存在的问题
        save(plan, city, "x", final=False)
    assert save(plan, city, "3.3.3 成效", section="task:3.3.3").version == 1
    assert not ReportNarrative.objects.exclude(section="task:3.3.3").exists()


@pytest.mark.parametrize("role", ["county", "evaluator", "township"])
def test_only_city_staff_edit_narratives_and_project_figures(world, plan, role, as_user):
    user = world.users[role]
    with pytest.raises(PermissionDenied):
        save(plan, user, "不允许")
    with pytest.raises(PermissionDenied):
        project_figure_set(plan=plan, target_code="employment_quota", year=2025, value="1.6", source="x",
                           actor=user)  # fmt: skip
    assert not ReportNarrative.objects.exists() and not ProjectFigure.objects.exists()
    client = as_user(role)
    for url in (
        reverse("monitoring:narrative_index"),
        reverse("monitoring:narratives", args=[2025, "final"]),
        reverse("monitoring:narrative_edit", args=[2025, "final", "problems"]),
        reverse("monitoring:project_figures", args=[2025]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("monitoring:narrative_edit", args=[2025, "final", "problems"]), {"text": "x"}
    )
    assert response.status_code == 403
    assert not ReportNarrative.objects.exists()


def test_project_figures_only_for_targets_the_data_cannot_compute(world, plan):
    city = world.users["city"]
    with pytest.raises(NarrativeError):  # linked to indicator 11
        project_figure_set(
            plan=plan, target_code="home_renovations", year=2025, value="10", source="x", actor=city
        )
    with pytest.raises(NarrativeError):  # computed from the registry and services
        project_figure_set(plan=plan, target_code="community_mental_rehab_counties", year=2025, value="90",
                           source="x", actor=city)  # fmt: skip
    with pytest.raises(NarrativeError):  # a share above 100 %
        project_figure_set(
            plan=plan, target_code="employment_quota", year=2025, value="130", source="x", actor=city
        )
    figure = project_figure_set(plan=plan, target_code="employment_quota", year=2025, value="1.6",
                                source="市编办统计", actor=city)  # fmt: skip
    project_figure_set(plan=plan, target_code="employment_quota", year=2025, value="1.7", source="市编办更正",
                       actor=city)  # fmt: skip
    figure.refresh_from_db()
    assert (str(figure.value), figure.source) == ("1.70", "市编办更正")
    audit = AuditEntry.objects.filter(action="monitoring.project_figure").order_by("sequence").last()
    assert audit.detail["before"] == {"value": "1.60", "source": "市编办统计"}


def test_publishing_freezes_narratives_and_project_figures(world, plan, tmp_path):
    city = world.users["city"]
    save(plan, city, "发布时的问题")
    save(plan, city, "市人民政府：", section="addressee")
    project_figure_set(plan=plan, target_code="employment_quota", year=2025, value="1.6", source="市编办统计",
                       actor=city)  # fmt: skip
    published = publish_report(year=2025, final=True, actor=city, today=TODAY)
    assert published.figures["narratives"]["problems"]["version"] == 1
    assert published.figures["project_figures"]["employment_quota"]["value"] == "1.60"
    before = write_report(year=2025, out=tmp_path / "before.docx", final=True)

    save(plan, city, "发布后改写的问题")
    project_figure_set(plan=plan, target_code="employment_quota", year=2025, value="1.2", source="更正",
                       actor=city)  # fmt: skip
    again = published_report_data(latest_publication(year=2025, final=True))
    assert again.narrative("problems") == "发布时的问题"
    assert again.project_figures["employment_quota"]["value"] == "1.60"
    after = write_report(year=2025, out=tmp_path / "after.docx", final=True)
    text = docx_text(after)
    assert "发布时的问题" in text and "发布后改写的问题" not in text
    assert docx_text(before) == text  # the same report, whatever was edited since
    project_table = next(
        t
        for t in Document(str(after)).tables
        if [c.text for c in t.rows[0].cells][:3] == ["专栏", "项目", "目标"]
    )
    quota = next(row for row in project_table.rows if "1.5%" in row.cells[3].text)
    assert quota.cells[4].text == "1.6%"

    current = write_report(year=2025, out=tmp_path / "current.docx", final=True, current=True)
    assert "发布后改写的问题" in docx_text(current)  # current data on request


def test_web_pages_list_edit_restore_and_enter_figures(world, as_user):
    client = as_user("city")
    page = client.get(reverse("monitoring:narratives", args=[2025, "final"]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "五、存在的问题" in content and "自动生成的草稿" in content
    assert "三、重点任务 3.3.3 提升残疾人职业技能：成效" in content

    url = reverse("monitoring:narrative_edit", args=[2025, "final", "problems"])
    form = client.get(url)
    assert form.status_code == 200 and "1. 部分主要指标未达到规划目标" in form.content.decode()  # the draft
    assert client.post(url, {"text": "网页第一稿"}).status_code == 302
    assert client.post(url, {"text": "网页第二稿"}).status_code == 302
    edit = client.get(url).content.decode()
    assert "网页第二稿" in edit and "第 1 版" in edit and "第 2 版" in edit

    version = client.get(reverse("monitoring:narrative_version", args=[2025, "final", "problems", 1]))
    assert "网页第一稿" in version.content.decode()
    restore = client.post(reverse("monitoring:narrative_restore", args=[2025, "final", "problems", 1]))
    assert restore.status_code == 302
    latest = ReportNarrative.objects.filter(section="problems").order_by("-version").first()
    assert (latest.version, latest.text) == (3, "网页第一稿")

    bad = client.post(reverse("monitoring:narrative_edit", args=[2025, "final", "date"]), {"text": "明天"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()

    figures = reverse("monitoring:project_figures", args=[2025])
    assert client.get(figures).status_code == 200
    saved = client.post(
        figures, {"target": "employment_quota", "year": "2025", "value": "1.6", "source": "市编办"}
    )
    assert saved.status_code == 302
    assert ProjectFigure.objects.get(target_code="employment_quota").source == "市编办"
    refused = client.post(
        figures, {"target": "home_renovations", "year": "2025", "value": "9", "source": "x"}
    )
    assert refused.status_code == 400  # not a choice: the data compute it
    assert client.get(reverse("monitoring:narratives", args=[2025, "weekly"])).status_code == 404
    assert (
        client.get(reverse("monitoring:narrative_edit", args=[2025, "final", "nothing"])).status_code == 404
    )
    assert "编辑报告内容和专栏项目数据" in client.get(reverse("monitoring:report")).content.decode()
