"""The plan file: 专栏1 indicators, key-project targets, tasks with their units, the 十三五 baseline."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from huican.monitoring.indicators import compute_indicators
from huican.monitoring.plan import DEFAULT_PLAN, PlanError, load_plan, parse_plan
from tests.factories import make_list_record, make_person, make_standard


def raw_plan() -> dict:
    with open(DEFAULT_PLAN, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_the_2021_2025_plan_has_the_eleven_indicators_of_column_1():
    plan = load_plan()

    assert [i.number for i in plan.indicators] == list(range(1, 12))
    assert (plan.start_year, plan.end_year, plan.base_year, plan.region_code) == (2021, 2025, 2020, "140900")
    pension = plan.indicator("pension_enrolment")
    assert (pension.target, pension.comparison, pension.kind) == (Decimal(90), ">", "expected")
    assert plan.indicator("education_enrolment").comparison == ">="
    assert plan.indicator("income_growth").comparison == "gdp"
    renovations = plan.indicator("home_renovations")
    assert (renovations.target, renovations.scope, renovations.kind, renovations.unit) == (
        Decimal(1502),
        "city",
        "binding",
        "户",
    )
    assert [i.code for i in plan.indicators if i.kind == "binding"] == [
        "dibao_coverage", "living_subsidy_coverage", "nursing_subsidy_coverage",
        "rehab_coverage", "device_fitting", "home_renovations",
    ]  # fmt: skip


def test_key_project_targets_tasks_and_baseline():
    plan = load_plan()

    targets = {t.code: t.target for _, t in plan.key_targets()}
    assert targets["home_renovations"] == 1502
    assert targets["training_persons"] == 4000
    assert targets["rehab_coverage"] == 85
    assert targets["community_mental_rehab_counties"] == 80
    assert targets["employment_quota"] == Decimal("1.5")
    assert targets["federation_disabled_staff"] == 15
    skills = next(t for t in plan.tasks if t.title == "提升残疾人职业技能")
    assert (skills.lead, skills.participating, skills.responsible) == (("市残联",), ("市人社局",), False)
    assert plan.tasks_for_indicator("training_persons") == [skills]
    welfare = next(t for t in plan.tasks if t.title == "健全残疾人社会救助和社会保障体系")
    assert welfare.responsible and "忻州银保监分局" in welfare.lead
    assert {b.code: b.value for b in plan.baseline}["living_subsidy_recipients"] == 138300
    assert len(plan.baseline) == 8


def test_a_plan_missing_a_target_or_with_an_unknown_kind_is_refused():
    broken = copy.deepcopy(raw_plan())
    broken["indicators"][5]["target"] = None
    with pytest.raises(PlanError, match="target"):
        parse_plan(broken)
    broken = copy.deepcopy(raw_plan())
    broken["indicators"][0]["kind"] = "mandatory"
    with pytest.raises(PlanError, match="kind"):
        parse_plan(broken)


@pytest.mark.django_db
def test_indicator_targets_come_from_the_plan():
    make_standard()
    make_list_record("medical", make_person(), year=2025)
    make_person()
    data = copy.deepcopy(raw_plan())
    medical = next(i for i in data["indicators"] if i["code"] == "medical_enrolment")
    medical.update(target=50, comparison=">=", kind="binding")

    [row] = [
        r
        for r in compute_indicators(year=2025, region="140900", plan=parse_plan(data))
        if r["code"] == "medical_enrolment"
    ]

    assert (row["value"], row["target"], row["kind"], row["met"]) == (50, 50, "binding", True)


def test_the_baseline_is_recorded_as_the_plan_states_it():
    plan = load_plan()
    figures = {b.code: b for b in plan.baseline}
    assert (plan.period_name, plan.previous_period_name) == ("十四五", "十三五")
    for code in ("living_subsidy_recipients", "nursing_subsidy_recipients"):
        figure = figures[code]
        # "13.83万困难残疾人得到生活补贴" and the same 13.83万 for the nursing subsidy: 人次 over five years.
        assert (figure.value, figure.unit, figure.indicator) == (138300, "人次", None)
        assert "累计受益人次" in figure.name and "人次" in figure.note
    assert (figures["poverty_exits"].value, figures["poverty_exits"].unit) == (31000, "人")
    assert {code: b.indicator for code, b in figures.items() if b.indicator} == {
        "rehab_coverage": "rehab_coverage",
        "device_fitting": "device_fitting",
        "education_enrolment": "education_enrolment",
    }
    assert figures["rehab_coverage"].comparison == ">=" and figures["university_entrants"].value == 306
    assert all(b.note for b in plan.baseline)


def test_references_to_unknown_indicators_are_refused():
    broken = copy.deepcopy(raw_plan())
    broken["baseline"][0]["indicator"] = "no_such_indicator"
    with pytest.raises(PlanError, match="no_such_indicator"):
        parse_plan(broken)
    broken = copy.deepcopy(raw_plan())
    broken["tasks"][0]["indicators"] = ["training_person"]
    with pytest.raises(PlanError, match="training_person"):
        parse_plan(broken)
