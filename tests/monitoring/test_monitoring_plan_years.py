"""A year picks its plan: stored plans beside the bundled 2021–2025 file."""

from __future__ import annotations

import pytest

from huican.monitoring.plan import DEFAULT_PLAN, PlanNotFound, all_plans, plan_by_code, plan_for_year
from huican.monitoring.plans_store import load_plan_text


def store(text: str) -> None:
    load_plan_text(text, file_name="plan.yaml", replace=True)


def later_plan_text() -> str:
    text = DEFAULT_PLAN.read_text(encoding="utf-8")
    return (
        text.replace("code: xinzhou-2021-2025", "code: xinzhou-2026-2030")
        .replace("start_year: 2021", "start_year: 2026")
        .replace("end_year: 2025", "end_year: 2030")
        .replace("base_year: 2020", "base_year: 2025")
        .replace("period_name: 十四五", "period_name: 十五五")
        .replace("previous_period_name: 十三五", "previous_period_name: 十四五")
    )


@pytest.mark.django_db
def test_without_stored_plans_every_year_uses_the_bundled_plan():
    assert [plan.code for plan in all_plans()] == ["xinzhou-2021-2025"]
    for year in (2020, 2021, 2025, 2026, 2031):
        assert plan_for_year(year).code == "xinzhou-2021-2025"
    assert plan_by_code("xinzhou-2021-2025").period_name == "十四五"
    with pytest.raises(PlanNotFound):
        plan_by_code("nope")


@pytest.mark.django_db
def test_a_year_picks_its_plan_and_later_years_stay_under_the_last_plan():
    store(later_plan_text())

    assert [plan.code for plan in all_plans()] == ["xinzhou-2021-2025", "xinzhou-2026-2030"]
    assert plan_for_year(2025).code == "xinzhou-2021-2025"
    assert plan_for_year(2026).code == "xinzhou-2026-2030"
    assert plan_for_year(2030).period_name == "十五五"
    assert plan_for_year(2033).code == "xinzhou-2026-2030"  # until a new plan is loaded
    assert plan_for_year(2019).code == "xinzhou-2021-2025"  # before every plan: the first


@pytest.mark.django_db
def test_a_stored_plan_with_the_bundled_code_replaces_the_bundled_file():
    text = DEFAULT_PLAN.read_text(encoding="utf-8").replace(
        "title: 忻州市“十四五”残疾人保障和发展规划", "title: 忻州市“十四五”残疾人保障和发展规划（修订）"
    )
    store(text)

    assert [plan.title for plan in all_plans()] == ["忻州市“十四五”残疾人保障和发展规划（修订）"]
    assert plan_for_year(2023).title.endswith("（修订）")
